#include "output/output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

namespace auditlens {

OutputFile::~OutputFile() {
  Flush();
  if (owns_fd_ && fd_ >= 0) close(fd_);
}

bool OutputFile::Open(const std::string& path, std::string* error) {
  path_ = path;
  buffer_.reserve(flush_threshold_ * 2);
  if (path == "-") {
    fd_ = STDOUT_FILENO;
    owns_fd_ = false;
    return true;
  }
  return Reopen(error);
}

bool OutputFile::Reopen(std::string* error) {
  if (path_ == "-") return true;
  Flush();
  if (head_continues_line_) {
    // Its beginning is in the old file: in the new one it would be a broken line.
    size_t nl = buffer_.find('\n');
    buffer_.erase(0, nl == std::string::npos ? buffer_.size() : nl + 1);
    head_continues_line_ = false;
    ++dropped_lines_;
  }
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  // 0600: audit events name files and commands of every user on the host.
  int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    *error = "cannot open " + path_ + ": " + strerror(errno);
    return false;
  }
  if (owns_fd_ && fd_ >= 0) close(fd_);
  fd_ = fd;
  owns_fd_ = true;
  return true;
}

bool OutputFile::Flush() {
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ++write_errors_;
      failing_ = true;
      last_error_ = std::string("write to ") + path_ + ": " + strerror(errno);
      if (done > 0) head_continues_line_ = buffer_[done - 1] != '\n';
      buffer_.erase(0, done);
      bytes_written_ += done;
      if (buffer_.size() > max_buffer_bytes_) DropOldestLines();
      return false;
    }
    done += static_cast<size_t>(n);
  }
  bytes_written_ += done;
  buffer_.clear();
  head_continues_line_ = false;
  failing_ = false;
  return true;
}

void OutputFile::DropOldestLines() {
  // The rest of a half-written line stays: its beginning is already in the file.
  size_t keep = 0;
  if (head_continues_line_) {
    size_t nl = buffer_.find('\n');
    if (nl == std::string::npos) return;
    keep = nl + 1;
  }
  size_t cut = keep;
  while (buffer_.size() - (cut - keep) > max_buffer_bytes_ / 2) {
    size_t nl = buffer_.find('\n', cut);
    if (nl == std::string::npos) break;
    cut = nl + 1;
    ++dropped_lines_;
  }
  buffer_.erase(keep, cut - keep);
}

}  // namespace auditlens
