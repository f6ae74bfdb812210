#include "output/syslog_sink.h"

#include <errno.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <vector>

namespace auditlens {
namespace {

uint64_t NowMicros() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

SyslogSink::SyslogSink(const SyslogSinkOptions& options, const std::string& profile,
                       size_t max_spool_bytes)
    : OutputSink("syslog", options.address, profile, max_spool_bytes), options_(options) {
  options_.header.hostname = SyslogHeaderField(options_.header.hostname, 255);
  options_.header.app_name = SyslogHeaderField(options_.header.app_name, 48);
  options_.header.procid = SyslogHeaderField(options_.header.procid, 128);
  options_.header.msgid = SyslogHeaderField(options_.header.msgid, 32);
}

SyslogSink::~SyslogSink() {
  Join();
  socket_.Close();
  FreeTlsContext(tls_);
}

bool SyslogSink::Prepare(std::string* error) {
  if (options_.transport != SyslogSinkOptions::Transport::kTls) return true;
  tls_ = MakeTlsClientContext(options_.ca_file, error);
  if (tls_ == nullptr) *error = options_.address + ": " + *error;
  return tls_ != nullptr;
}

bool SyslogSink::Open(std::string* error) {
  bool ok;
  switch (options_.transport) {
    case SyslogSinkOptions::Transport::kUnixDatagram:
      ok = socket_.ConnectUnix(options_.path, SOCK_DGRAM, error);
      break;
    case SyslogSinkOptions::Transport::kTcp:
      ok = socket_.ConnectTcp(options_.host, options_.port, abandon_flag(), error);
      break;
    case SyslogSinkOptions::Transport::kTls:
      ok = socket_.ConnectTcp(options_.host, options_.port, abandon_flag(), error) &&
           socket_.StartTls(tls_, options_.host, abandon_flag(), error);
      break;
    default:
      ok = false;
  }
  if (!ok) *error = "syslog " + options_.address + ": " + *error;
  return ok;
}

OutputSink::WriteResult SyslogSink::Write(std::string_view lines, size_t* consumed,
                                          std::string* error) {
  return options_.transport == SyslogSinkOptions::Transport::kUnixDatagram
             ? WriteDatagrams(lines, consumed, error)
             : WriteStream(lines, consumed, error);
}

OutputSink::WriteResult SyslogSink::WriteDatagrams(std::string_view lines, size_t* consumed,
                                                   std::string* error) {
  header_.clear();
  AppendSyslogHeader(options_.header, kSyslogSeverityInfo, NowMicros(), &header_);
  const size_t header = header_.size();
  size_t done = 0;
  while (done < lines.size()) {
    // Up to kDatagramBatch messages, stopping before one that is too long: it is counted once the
    // messages before it went (a failed send gives them back whole, and it would count twice).
    unsigned n = 0;
    size_t at = done;
    while (n < kDatagramBatch && at < lines.size()) {
      size_t nl = lines.find('\n', at);
      if (nl == std::string_view::npos) nl = lines.size();
      const std::string_view msg = lines.substr(at, nl - at);
      const size_t next = nl < lines.size() ? nl + 1 : nl;
      if (header + msg.size() > options_.max_message_bytes) {
        if (n > 0) break;
        CountOversize(header + msg.size());
        done = at = next;
        continue;
      }
      iov_[2 * n] = {const_cast<char*>(header_.data()), header};
      iov_[2 * n + 1] = {const_cast<char*>(msg.data()), msg.size()};
      msgs_[n] = {};
      msgs_[n].msg_hdr.msg_iov = &iov_[2 * n];
      msgs_[n].msg_hdr.msg_iovlen = 2;
      next_[n] = next;
      ++n;
      at = next;
    }
    if (n == 0) break;
    unsigned sent = 0;
    const int err = socket_.SendDatagrams(msgs_, n, &sent, abandon_flag());
    if (sent > 0) {
      uint64_t bytes = 0;
      for (unsigned i = 0; i < sent; ++i) bytes += header + iov_[2 * i + 1].iov_len;
      CountWritten(sent, bytes);
      done = next_[sent - 1];
    }
    if (err == 0) continue;
    if (err == EMSGSIZE) {
      CountOversize(header + iov_[2 * sent + 1].iov_len, /*by_socket=*/true);
      done = next_[sent];
      continue;
    }
    *consumed = done;
    *error = "syslog " + options_.address + ": send: " + strerror(err);
    return WriteResult::kBroken;
  }
  *consumed = done;
  return WriteResult::kDone;
}

OutputSink::WriteResult SyslogSink::WriteStream(std::string_view lines, size_t* consumed,
                                                std::string* error) {
  if (socket_.PeerClosed()) {
    *consumed = 0;
    *error = "syslog " + options_.address + ": the collector closed the connection";
    return WriteResult::kBroken;
  }
  header_.clear();
  AppendSyslogHeader(options_.header, kSyslogSeverityInfo, NowMicros(), &header_);
  const size_t header = header_.size();
  // The batch framed in one buffer, and where each message ends in it and in `lines`.
  marks_.clear();
  framed_.clear();
  size_t done = 0;
  while (done < lines.size()) {
    size_t nl = lines.find('\n', done);
    if (nl == std::string_view::npos) nl = lines.size();
    const std::string_view msg = lines.substr(done, nl - done);
    const size_t next = nl < lines.size() ? nl + 1 : nl;
    if (header + msg.size() > options_.max_message_bytes) {
      marks_.push_back({framed_.size(), next, header + msg.size(), true});
      done = next;
      continue;
    }
    AppendOctetCounted(header_, msg, &framed_);
    marks_.push_back({framed_.size(), next, header + msg.size(), false});
    done = next;
  }
  size_t sent = 0;
  const bool ok = socket_.SendAll(framed_, abandon_flag(), error, &sent);
  size_t whole = 0;
  uint64_t written = 0, written_bytes = 0;
  for (const Mark& m : marks_) {
    if (m.framed_end > sent) break;
    if (m.oversize) {
      CountOversize(m.bytes);
    } else {
      ++written;
      written_bytes += m.bytes;
    }
    whole = m.line_end;
  }
  if (written > 0) CountWritten(written, written_bytes);
  *consumed = ok ? lines.size() : whole;
  if (ok) return WriteResult::kDone;
  *error = "syslog " + options_.address + ": " + *error;
  return WriteResult::kBroken;
}

}  // namespace auditlens
