#include "output/unix_sink.h"

#include <sys/socket.h>

#include <algorithm>

#include "output/line_spool.h"

namespace auditlens {

UnixSink::UnixSink(const std::string& path, const std::string& profile, size_t max_spool_bytes)
    : OutputSink("unix", path, profile, max_spool_bytes), path_(path) {}

UnixSink::~UnixSink() { Join(); }

bool UnixSink::Open(std::string* error) { return socket_.ConnectUnix(path_, SOCK_STREAM, error); }

OutputSink::WriteResult UnixSink::Write(std::string_view lines, size_t* consumed,
                                        std::string* error) {
  if (socket_.PeerClosed()) {
    *consumed = 0;
    *error = path_ + ": the reader closed the connection";
    return WriteResult::kBroken;
  }
  size_t sent = 0;
  const bool ok = socket_.SendAll(lines, abandon_flag(), error, &sent);
  // Lines wholly handed over count as written; a cut one goes again on the next connection.
  const size_t last_nl = sent > 0 ? lines.rfind('\n', sent - 1) : std::string_view::npos;
  const size_t whole_end = ok ? lines.size() : last_nl == std::string_view::npos ? 0 : last_nl + 1;
  CountWritten(CountLines(lines.substr(0, whole_end)),
               whole_end);
  *consumed = whole_end;
  if (ok) return WriteResult::kDone;
  *error = path_ + ": " + *error;
  return WriteResult::kBroken;
}

}  // namespace auditlens
