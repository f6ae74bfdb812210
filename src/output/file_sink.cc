#include "output/file_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "output/line_spool.h"
#include "output/output_file.h"

namespace auditlens {

std::string RotatedName(const std::string& path, uint32_t generation) {
  return generation == 0 ? path : path + "." + std::to_string(generation);
}

bool RotateFiles(const std::string& path, uint32_t generations, std::string* error) {
  if (generations == 0) {
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
      *error = "remove " + path + ": " + strerror(errno);
      return false;
    }
    return true;
  }
  // Only the generations up to the first missing one move: past a gap nothing needs room (and
  // trying every number up to 1000 generations made each rotation a thousand failed renames).
  uint32_t top = 1;
  struct stat st;
  while (top < generations && lstat(RotatedName(path, top).c_str(), &st) == 0) ++top;
  for (uint32_t g = top; g >= 1; --g) {
    const std::string from = RotatedName(path, g - 1), to = RotatedName(path, g);
    if (rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT) {
      *error = "rotate " + from + " to " + to + ": " + strerror(errno);
      return false;
    }
  }
  return true;
}

FileSink::FileSink(const std::string& path, const std::string& profile, size_t max_spool_bytes,
                   uint64_t max_bytes, uint32_t generations)
    : OutputSink("file", path, profile, max_spool_bytes),
      path_(path),
      max_bytes_(max_bytes),
      generations_(generations) {}

FileSink::~FileSink() {
  Join();
  Close();
}

bool FileSink::SetGroup(const std::string& group, std::string* error) {
  has_group_ = false;
  group_ = group;
  if (group.empty()) return true;
  if (!LookUpOutputGroup(group, &gid_, error)) return false;
  has_group_ = true;
  return true;
}

bool FileSink::OpenFile(std::string* error) {
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  // O_NONBLOCK: a FIFO with no reader is an error to retry (ENXIO), not an open that never
  // returns, and a full one waits in Write (abandoned at stop); a regular file ignores it.
  const int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK,
                      0600);
  if (fd < 0) {
    *error = "cannot open " + path_ + ": " + strerror(errno);
    return false;
  }
  std::string note;
  if (has_group_ && !GiveOutputToGroup(fd, path_, gid_, group_, &note, error)) {
    close(fd);
    return false;
  }
  struct stat st;
  size_ = fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  fd_ = fd;
  reservation_.Reset();
  return true;
}

bool FileSink::Open(std::string* error) {
  if (partial_ > 0) drop_partial_ = true;  // the rest must not start the new file
  return OpenFile(error);
}

void FileSink::Close() {
  reservation_.Release(fd_, size_);
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

OutputSink::WriteResult FileSink::Write(std::string_view lines, size_t* consumed,
                                        std::string* error) {
  size_t done = 0;
  auto line_end = [&](size_t at) {
    const size_t nl = lines.find('\n', at);
    return nl == std::string_view::npos ? lines.size() : nl + 1;
  };
  if (drop_partial_) {
    done = line_end(0);
    CountDropped(1);
    drop_partial_ = false;
    partial_ = 0;
  }
  while (done < lines.size()) {
    // The lines that go into this file now: whole ones that fit under max_bytes; when not even
    // the first fits, a new generation first (unless this file is empty, or holds the first
    // line's start).
    size_t end = line_end(done);
    if (max_bytes_ > 0 && partial_ == 0 && size_ > 0 && size_ + (end - done) > max_bytes_) {
      Close();
      if (!RotateFiles(path_, generations_, error) || !OpenFile(error)) {
        *consumed = done;
        return WriteResult::kBroken;  // opened again after the backoff
      }
      CountRotation();
      continue;
    }
    if (max_bytes_ == 0 || size_ + (lines.size() - done) - partial_ <= max_bytes_) {
      end = lines.size();  // all of it fits: no line needs to be found
    } else {
      while (end < lines.size()) {
        const size_t next = line_end(end);
        if (size_ + (next - done) - partial_ > max_bytes_) break;
        end = next;
      }
    }
    size_t at = done + partial_;
    reservation_.Reserve(fd_, size_, end - at, kReserveBytes, max_bytes_);
    while (at < end) {
      const ssize_t n = write(fd_, lines.data() + at, end - at);
      if (n < 0) {
        if (errno == EINTR) continue;
        if ((errno == EAGAIN || errno == EWOULDBLOCK) && !abandon_flag()->load()) {
          // A FIFO whose reader is behind: wait for room, 200 ms at a time, until the output
          // stops (a write that waits long makes the output failing in its status).
          pollfd p{fd_, POLLOUT, 0};
          poll(&p, 1, 200);
          continue;
        }
        *error = "write to " + path_ + ": " + strerror(errno);
        // Whole lines written are done; the start of a cut one stays in partial_.
        const size_t last_nl = at > done ? lines.rfind('\n', at - 1) : std::string_view::npos;
        const size_t whole_end =
            last_nl == std::string_view::npos || last_nl < done ? done : last_nl + 1;
        const uint64_t whole = CountLines(lines.substr(done, whole_end - done));
        CountWritten(whole, whole_end - done);
        partial_ = at - whole_end;
        *consumed = whole_end;
        return WriteResult::kRetry;
      }
      at += static_cast<size_t>(n);
      size_ += static_cast<uint64_t>(n);
    }
    CountWritten(CountLines(lines.substr(done, end - done)),
                 end - done);
    partial_ = 0;
    done = end;
  }
  *consumed = done;
  return WriteResult::kDone;
}

}  // namespace auditlens
