// Reads a file descriptor (or a ByteSource: a decompressed log, record/log_file.h) as lines, in
// large chunks, handing out views into its buffer.
//
// Contract: Next() returns each line without its '\n' (a last line without '\n' counts too) and
// its 1-based number. A line longer than max_line_bytes is not returned: it is skipped whole and
// reported through too_long, so memory stays bounded whatever the input.
#pragma once

#include "record/record.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace auditlens {

// Bytes from somewhere other than a plain descriptor.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to n bytes into buf: their count, 0 at the end, -1 on an error (with errno set).
  virtual long Read(char* buf, size_t n) = 0;
};

class LineReader {
 public:
  explicit LineReader(int fd, size_t max_line_bytes = 1 << 20);
  // Not owned; outlives the reader.
  explicit LineReader(ByteSource* source, size_t max_line_bytes = 1 << 20);

  enum class Status { kLine, kTooLong, kEnd, kError };
  // On kTooLong, *line is empty and *line_number names the line that was skipped.
  Status Next(std::string_view* line, uint64_t* line_number);
  int error() const { return error_; }

 private:
  bool Fill();

  int fd_;
  ByteSource* source_ = nullptr;
  size_t max_line_;
  std::string buf_;
  size_t begin_ = 0;  // start of unread data
  size_t end_ = 0;    // end of valid data
  bool eof_ = false;
  bool skipping_ = false;  // inside a too-long line, discarding until its '\n'
  uint64_t line_number_ = 0;
  int error_ = 0;
};

// The next record of an audit log (record.h ParseLogRecord): kRecord, or kMalformed with *why (a
// line that is not a record, or one longer than the reader's limit); empty lines are skipped;
// kEnd; kError (reader.error()). *line_number names the line either way.
enum class LogRead { kRecord, kMalformed, kEnd, kError };
LogRead NextLogRecord(LineReader& reader, Record* record, uint64_t* line_number, const char** why);

}  // namespace auditlens
