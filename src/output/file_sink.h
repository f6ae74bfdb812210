// A file output of [[outputs]] (type "file"): JSON lines appended to a file created 0600 (0640 and
// the group with `group`, as [output] does: output/output_file.h), rotated by size.
//
// Rotation: before a line that would take the file past max_bytes, the file is closed and renamed
// path -> path.1, path.1 -> path.2, ... up to path.GENERATIONS (the oldest is removed), and a new
// file is opened; 0 never rotates. Lines are written whole to one file: every event is in exactly
// one generation, and a line longer than max_bytes gets a file of its own. On SIGHUP
// (RequestReopen) the file is closed and opened again by name, after logrotate moved it. A write
// that fails (disk full) is retried on the same file, from the byte it stopped at; a line cut by a
// failed write that cannot be finished there (a reopen came first) is dropped and counted, never
// finished in another file.
//
// Disk blocks are reserved ahead of the writes (fallocate KEEP_SIZE, 4 MiB at a time and never
// past max_bytes), as [output] does (output/output_file.h: ext4 takes a write into reserved blocks
// for less), and what is left past the last line is given back when the file is closed (a
// rotation, SIGHUP, the end) if its size is still what this writer left.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "output/disk_reservation.h"
#include "output/output_sink.h"

namespace auditlens {

// path for generation 0, path.N for N >= 1.
std::string RotatedName(const std::string& path, uint32_t generation);
// Shifts the generations up by one (path.GENERATIONS is removed, path becomes path.1), as far as
// the first generation that does not exist: the files past such a gap stay where they are. One
// lstat and one rename per generation that moves. False with a message when a rename fails.
bool RotateFiles(const std::string& path, uint32_t generations, std::string* error);

class FileSink : public OutputSink {
 public:
  FileSink(const std::string& path, const std::string& profile, size_t max_spool_bytes,
           uint64_t max_bytes, uint32_t generations);
  ~FileSink() override;
  // Before Start: the group that may read the files ("" none); false when the host has none.
  bool SetGroup(const std::string& group, std::string* error);
  // After a failed open, why the directory was left alone (read on the writer thread's schedule).

 protected:
  bool Open(std::string* error) override;
  void Close() override;
  bool ReopensOnHangup() const override { return true; }
  WriteResult Write(std::string_view lines, size_t* consumed, std::string* error) override;

 private:
  bool OpenFile(std::string* error);
  const std::string path_;
  const uint64_t max_bytes_;
  const uint32_t generations_;
  bool has_group_ = false;
  gid_t gid_ = 0;
  std::string group_;
  int fd_ = -1;
  uint64_t size_ = 0;         // of the open file
  size_t partial_ = 0;        // bytes of the first line already in the open file
  bool drop_partial_ = false;  // that line's start went to a file that is closed now
  // Disk blocks reserved ahead, within max_bytes (output/disk_reservation.h).
  static constexpr uint64_t kReserveBytes = 4 * 1024 * 1024;
  DiskReservation reservation_;
};

}  // namespace auditlens
