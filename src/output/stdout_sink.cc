#include "output/stdout_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "output/line_spool.h"

namespace auditlens {

StdoutSink::StdoutSink(const std::string& profile, size_t max_spool_bytes)
    : OutputSink("stdout", "", profile, max_spool_bytes) {}

StdoutSink::~StdoutSink() {
  Join();
  Close();
}

bool StdoutSink::Open(std::string*) {
  struct stat st;
  if (saved_flags_ < 0 && fstat(STDOUT_FILENO, &st) == 0 &&
      (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
    const int flags = fcntl(STDOUT_FILENO, F_GETFL);
    if (flags >= 0 && !(flags & O_NONBLOCK) &&
        fcntl(STDOUT_FILENO, F_SETFL, flags | O_NONBLOCK) == 0) {
      saved_flags_ = flags;
    }
  }
  return true;
}

void StdoutSink::Close() {
  if (saved_flags_ >= 0) fcntl(STDOUT_FILENO, F_SETFL, saved_flags_);
  saved_flags_ = -1;
}

OutputSink::WriteResult StdoutSink::Write(std::string_view lines, size_t* consumed,
                                          std::string* error) {
  size_t at = partial_;
  while (at < lines.size()) {
    const ssize_t n = write(STDOUT_FILENO, lines.data() + at, lines.size() - at);
    if (n >= 0) {
      at += static_cast<size_t>(n);
      continue;
    }
    const int err = errno;
    if (err == EINTR) continue;
    const bool full = err == EAGAIN || err == EWOULDBLOCK;
    if (full && !abandoning()) {
      pollfd p{STDOUT_FILENO, POLLOUT, 0};
      if (poll(&p, 1, 200) > 0) continue;
      // A reader that takes nothing for 200 ms: retried later, the spool taking the new lines.
    }
    *error = std::string("write to standard output: ") +
             (full ? "the reader takes nothing" : strerror(err));
    const size_t last_nl = at > 0 ? lines.rfind('\n', at - 1) : std::string_view::npos;
    const size_t whole_end = last_nl == std::string_view::npos ? 0 : last_nl + 1;
    CountWritten(CountLines(lines.substr(0, whole_end)),
                 whole_end);
    partial_ = at - whole_end;
    *consumed = whole_end;
    return WriteResult::kRetry;
  }
  CountWritten(CountLines(lines), lines.size());
  partial_ = 0;
  *consumed = lines.size();
  return WriteResult::kDone;
}

}  // namespace auditlens
