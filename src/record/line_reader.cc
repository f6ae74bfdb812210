#include "record/line_reader.h"

#include <errno.h>
#include <unistd.h>

#include <cstring>

namespace auditlens {

namespace {
constexpr size_t kChunk = 1 << 20;
}

LineReader::LineReader(int fd, size_t max_line_bytes) : fd_(fd), max_line_(max_line_bytes) {
  buf_.resize(max_line_ + kChunk + 1);
}

LineReader::LineReader(ByteSource* source, size_t max_line_bytes)
    : fd_(-1), source_(source), max_line_(max_line_bytes) {
  buf_.resize(max_line_ + kChunk + 1);
}

bool LineReader::Fill() {
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  while (end_ < buf_.size()) {
    ssize_t n = source_ != nullptr ? source_->Read(buf_.data() + end_, buf_.size() - end_)
                                   : read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = errno;
      return false;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    end_ += static_cast<size_t>(n);
    return true;
  }
  return true;
}

LineReader::Status LineReader::Next(std::string_view* line, uint64_t* line_number) {
  for (;;) {
    const char* start = buf_.data() + begin_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    if (nl != nullptr) {
      size_t len = static_cast<size_t>(nl - start);
      begin_ += len + 1;
      if (skipping_) {
        skipping_ = false;
        continue;  // the tail of a line already reported as too long
      }
      ++line_number_;
      if (len > max_line_) {
        *line = {};
        *line_number = line_number_;
        return Status::kTooLong;
      }
      *line = std::string_view(start, len);
      *line_number = line_number_;
      return Status::kLine;
    }
    if (end_ - begin_ > max_line_ && !skipping_) {
      // No newline within the limit: report the line now and discard the rest of it.
      ++line_number_;
      skipping_ = true;
      begin_ = end_;
      *line = {};
      *line_number = line_number_;
      return Status::kTooLong;
    }
    if (skipping_) begin_ = end_;
    if (eof_ || !Fill()) {
      if (error_ != 0) return Status::kError;
      if (end_ > begin_ && !skipping_) {
        ++line_number_;
        *line = std::string_view(buf_.data() + begin_, end_ - begin_);
        *line_number = line_number_;
        begin_ = end_;
        return Status::kLine;
      }
      return Status::kEnd;
    }
  }
}

LogRead NextLogRecord(LineReader& reader, Record* record, uint64_t* line_number, const char** why) {
  std::string_view line;
  for (;;) {
    switch (reader.Next(&line, line_number)) {
      case LineReader::Status::kEnd:
        return LogRead::kEnd;
      case LineReader::Status::kError:
        return LogRead::kError;
      case LineReader::Status::kTooLong:
        *why = "line longer than 1 MiB, skipped";
        return LogRead::kMalformed;
      case LineReader::Status::kLine:
        if (line.empty()) continue;
        *why = ParseLogRecord(line, record);
        return *why == nullptr ? LogRead::kRecord : LogRead::kMalformed;
    }
  }
}

}  // namespace auditlens
