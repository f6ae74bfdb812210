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
  const size_t header = SyslogHeaderLength(options_.header, kSyslogSeverityInfo);
  const uint64_t now = NowMicros();
  size_t done = 0;
  while (done < lines.size()) {
    size_t nl = lines.find('\n', done);
    if (nl == std::string_view::npos) nl = lines.size();
    const std::string_view msg = lines.substr(done, nl - done);
    const size_t next = nl < lines.size() ? nl + 1 : nl;
    if (header + msg.size() > options_.max_message_bytes) {
      CountOversize(header + msg.size());
      done = next;
      continue;
    }
    message_.clear();
    AppendSyslogMessage(options_.header, kSyslogSeverityInfo, now, msg, &message_);
    const int err = socket_.SendDatagram(message_, abandon_flag());
    if (err == EMSGSIZE) {
      CountOversize(message_.size());
    } else if (err != 0) {
      *consumed = done;
      *error = "syslog " + options_.address + ": send: " + strerror(err);
      return WriteResult::kBroken;
    } else {
      CountWritten(1, message_.size());
    }
    done = next;
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
  const size_t header = SyslogHeaderLength(options_.header, kSyslogSeverityInfo);
  const uint64_t now = NowMicros();
  // The batch framed in one buffer, and where each message ends in it and in `lines`.
  struct Mark {
    size_t framed_end, line_end, bytes;
    bool oversize;
  };
  std::vector<Mark> marks;
  framed_.clear();
  size_t done = 0;
  while (done < lines.size()) {
    size_t nl = lines.find('\n', done);
    if (nl == std::string_view::npos) nl = lines.size();
    const std::string_view msg = lines.substr(done, nl - done);
    const size_t next = nl < lines.size() ? nl + 1 : nl;
    if (header + msg.size() > options_.max_message_bytes) {
      marks.push_back({framed_.size(), next, header + msg.size(), true});
      done = next;
      continue;
    }
    message_.clear();
    AppendSyslogMessage(options_.header, kSyslogSeverityInfo, now, msg, &message_);
    AppendOctetCounted(message_, &framed_);
    marks.push_back({framed_.size(), next, message_.size(), false});
    done = next;
  }
  size_t sent = 0;
  const bool ok = socket_.SendAll(framed_, abandon_flag(), error, &sent);
  size_t whole = 0;
  for (const Mark& m : marks) {
    if (m.framed_end > sent) break;
    if (m.oversize) {
      CountOversize(m.bytes);
    } else {
      CountWritten(1, m.bytes);
    }
    whole = m.line_end;
  }
  *consumed = ok ? lines.size() : whole;
  if (ok) return WriteResult::kDone;
  *error = "syslog " + options_.address + ": " + *error;
  return WriteResult::kBroken;
}

}  // namespace auditlens
