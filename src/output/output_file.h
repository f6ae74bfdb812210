// Where JSON lines go: standard output or a file. Writes are buffered and handed to the kernel in
// large write() calls; a file is created 0600 and can be reopened (SIGHUP, after logrotate moved it).
//
// Group-readable output (SetGroup, [output] group): at every open (start, reopen) the file is given
// that group and mode 0640 whatever its mode was (a umask, logrotate's `create`), and its directory
// that group plus g+rx when it is the output's own (the agent's user owns it, others cannot write
// to it, and it holds only the file and its rotations), so a log shipper in the group can list and
// read it; any other directory is left alone and group_note() says so. Without a group nothing is
// changed: new files are 0600, existing ones keep their mode. Standard output ignores the group.
//
// Contract: Append() only copies into the buffer; Flush() writes it all or reports why not. On a
// write error (disk full) the unwritten bytes stay buffered up to max_buffer_bytes; past that the
// oldest whole lines are dropped and counted, so the caller can report the loss. The file only
// ever gets whole lines: the rest of a line a failed write cut in two is never dropped, and it is
// not carried into a reopened file (it is dropped and counted then instead). While writes fail,
// MaybeFlush() does not try again on every line (a write per event would slow the caller when it
// can least afford it); it only keeps the buffer within max_buffer_bytes, and the owner retries
// with Flush() (the agent: every 200 ms).
//
// A regular file gets its disk blocks reserved ahead of the writes, reserve_bytes at a time
// (fallocate KEEP_SIZE: the size a reader sees is unchanged), because writing into allocated
// blocks costs the kernel less than ext4's delayed allocation page by page (bench_micro
// BM_OutputFileAppend: 392 -> 269 ns per 1,666-byte line). What is reserved past the last line is
// given back when the file is closed or reopened, if its size is still what this writer left
// (else at most reserve_bytes stay allocated past the end); a filesystem that cannot reserve is
// just written to.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "output/disk_reservation.h"

namespace auditlens {

class OutputFile {
 public:
  OutputFile() = default;
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // path "-" is standard output. Creates parent directories for files, unless told not to.
  bool Open(const std::string& path, std::string* error);
  void set_create_parent_dirs(bool create) { create_parent_dirs_ = create; }
  bool Reopen(std::string* error);
  // Before Open: the group that may read the file; "" (the default) is none. False with a message
  // naming the group when the host has no such group.
  bool SetGroup(const std::string& name, std::string* error);
  // After an open with a group: why the directory was left alone ("" when it was not).
  const std::string& group_note() const { return group_note_; }

  // The buffer to append whole lines to; call MaybeFlush() after.
  std::string* buffer() { return &buffer_; }
  void MaybeFlush() {
    if (buffer_.size() < flush_threshold_) return;
    if (!failing_) {
      Flush();
    } else if (buffer_.size() > max_buffer_bytes_) {
      DropOldestLines();
    }
  }
  bool Flush();

  uint64_t bytes_written() const { return bytes_written_; }
  uint64_t write_errors() const { return write_errors_; }
  uint64_t dropped_lines() const { return dropped_lines_; }
  const std::string& last_error() const { return last_error_; }
  void set_max_buffer_bytes(size_t n) { max_buffer_bytes_ = n; }
  // 0 turns the reservation off. Takes effect at the next reservation.
  void set_reserve_bytes(uint64_t n) { reserve_bytes_ = n; }
  // The end of what is reserved in the open file (0: nothing, or not a regular file).
  uint64_t reserved_end() const { return reservation_.end(); }

 private:
  void DropOldestLines();
  bool ApplyGroup(int fd, std::string* error);

  std::string path_;
  bool create_parent_dirs_ = true;
  int fd_ = -1;
  bool owns_fd_ = false;
  bool has_group_ = false;
  gid_t group_ = 0;
  std::string group_name_;
  std::string group_note_;
  std::string buffer_;
  size_t flush_threshold_ = 256 * 1024;
  size_t max_buffer_bytes_ = 64 * 1024 * 1024;
  uint64_t bytes_written_ = 0;
  uint64_t write_errors_ = 0;
  uint64_t dropped_lines_ = 0;
  bool head_continues_line_ = false;  // the buffer starts with the rest of a half-written line
  bool failing_ = false;              // the last Flush() failed
  // Disk blocks reserved ahead (output/disk_reservation.h) of where the file ends as far as this
  // writer knows.
  uint64_t reserve_bytes_ = 4 * 1024 * 1024;
  DiskReservation reservation_;
  uint64_t file_end_ = 0;
  std::string last_error_;
};

// The group handling above, for other file outputs (output/file_sink.h): the group's id (false
// with a message naming it when the host has none), and giving an open output file (and its own
// directory) to it; *note says why the directory was left alone ("" when it was not).
bool LookUpOutputGroup(const std::string& name, gid_t* gid, std::string* error);
bool GiveOutputToGroup(int fd, const std::string& path, gid_t gid, const std::string& group_name,
                       std::string* note, std::string* error);

}  // namespace auditlens
