// Disk blocks reserved ahead of an append-only file's end (fallocate with FALLOC_FL_KEEP_SIZE), so
// that a full disk is met at a reservation rather than in the middle of a line, and the file's
// blocks stay together; given back (a truncation to the same size) when the file is closed or
// rotated. Used by the main output file (OutputFile) and the file outputs of [[outputs]] (FileSink).
//
// Contract: never changes what is written or the file's size. A file that is not a regular file,
// or a filesystem that refuses (EOPNOTSUPP, ENOSPC), stops being asked until the next Reset(). A
// file whose size is not what this writer left (another writer, copytruncate) is not truncated.
#pragma once

#include <cstdint>

namespace auditlens {

class DiskReservation {
 public:
  // A newly opened file: the next Reserve() finds out what it is. Until the first Reset() nothing
  // is reserved (a file descriptor given as it is, such as stdout).
  void Reset() {
    can_ = true;
    end_ = 0;
  }
  // Before appending `about` bytes to fd, whose end as this writer knows it is `written`: when they
  // would pass what is reserved, reserves `ahead` bytes (at least `about`) from the file's real end,
  // no further than `limit` when it is not 0. Returns the real end when it looked (one fstat per
  // reservation), else `written`.
  uint64_t Reserve(int fd, uint64_t written, uint64_t about, uint64_t ahead, uint64_t limit = 0);
  // Gives the blocks past `written` back when the file's size is still `written`; forgets them.
  void Release(int fd, uint64_t written);
  // The end of what is reserved (0: nothing).
  uint64_t end() const { return end_; }

 private:
  bool can_ = false;
  uint64_t end_ = 0;
};

}  // namespace auditlens
