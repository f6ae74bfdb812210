// The syslog output of [[outputs]] (type "syslog"): each JSON line is the MSG of one RFC 5424
// message (output/syslog_format.h), sent
// - to a local unix datagram socket (/dev/log, or any socket path): one message per datagram,
//   up to 64 datagrams per sendmmsg, each gathered from the header and the line (no copy);
// - over TCP or TLS to a collector: octet-counted (RFC 6587), so a message may hold any byte and be
//   of any length the collector accepts; a batch of the spool (up to 256 KiB of lines) is framed
//   into one buffer and written in one go.
// The header (PRI, timestamp, hostname, app name, procid) is formatted once per batch: the messages
// of a batch carry the time it was sent.
//
// Long events are never cut: a message longer than max_message_bytes (set it to the collector's
// limit: rsyslog's maxMessageSize, syslog-ng's log-msg-size) is not sent at all; it is counted
// (oversize_lines, largest_oversize) and the agent reports it in an "output-oversize" loss event
// naming the output, the count and the size. A datagram the socket refuses as too long (EMSGSIZE)
// is counted the same way. Before a stream write the connection is checked for a close by the
// collector; messages already handed to the kernel when a collector dies cannot be told from
// delivered ones (syslog over TCP has no acknowledgements).
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <cstdint>
#include <string>
#include <vector>

#include "output/output_sink.h"
#include "output/sink_socket.h"
#include "output/syslog_format.h"

namespace auditlens {

struct SyslogSinkOptions {
  enum class Transport { kUnixDatagram, kTcp, kTls };
  Transport transport = Transport::kUnixDatagram;
  std::string address;  // as configured, for messages and the status
  std::string path;     // kUnixDatagram
  std::string host;     // kTcp, kTls
  uint16_t port = 0;
  std::string ca_file;  // kTls: "" the system's CAs
  SyslogHeader header;  // facility, hostname, app name, procid
  size_t max_message_bytes = 65536;
};

class SyslogSink : public OutputSink {
 public:
  SyslogSink(const SyslogSinkOptions& options, const std::string& profile, size_t max_spool_bytes);
  ~SyslogSink() override;
  // Before Start: the TLS context (CA file read); false with a message.
  bool Prepare(std::string* error);

 protected:
  bool Open(std::string* error) override;
  void Close() override { socket_.Close(); }
  WriteResult Write(std::string_view lines, size_t* consumed, std::string* error) override;

 private:
  WriteResult WriteDatagrams(std::string_view lines, size_t* consumed, std::string* error);
  WriteResult WriteStream(std::string_view lines, size_t* consumed, std::string* error);
  SyslogSinkOptions options_;
  SinkSocket socket_;
  SSL_CTX* tls_ = nullptr;
  // Reused from batch to batch. The header is written once per batch (its time is the batch's).
  std::string header_;
  std::string framed_;
  struct Mark {
    size_t framed_end, line_end, bytes;
    bool oversize;
  };
  std::vector<Mark> marks_;
  static constexpr unsigned kDatagramBatch = 64;  // datagrams per sendmmsg
  mmsghdr msgs_[kDatagramBatch];
  iovec iov_[2 * kDatagramBatch];  // the header and the MSG of each
  size_t next_[kDatagramBatch];    // where each message's line ends in the batch
};

}  // namespace auditlens
