// The connection of a socket output (syslog, unix): a unix stream or datagram socket, or TCP with or
// without TLS (OpenSSL), non-blocking, with every wait bounded so that a stopping output is never
// stuck (output/output_sink.h).
//
// Contract: Connect* and StartTls either succeed or leave the connection closed with a message.
// SendAll() sends every byte or fails (the connection is then useless: the caller closes it);
// it waits for the socket in steps of at most 200 ms, and gives up when *abandon becomes true.
// PeerClosed() tells, without reading anything the caller wants, whether the peer has closed its
// end (a collector that stopped): a stream output asks it before a write, so lines are not written
// into a connection that is already gone. SendDatagrams sends msgs[0..n) (sendmmsg, waiting while
// the reader's queue is full); *sent of them went; it returns 0, or the errno of the message
// msgs[*sent] (EMSGSIZE: too long for the socket).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

struct mmsghdr;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace auditlens {

class SinkSocket {
 public:
  SinkSocket() = default;
  ~SinkSocket() { Close(); }
  SinkSocket(const SinkSocket&) = delete;
  SinkSocket& operator=(const SinkSocket&) = delete;

  // type: SOCK_STREAM or SOCK_DGRAM.
  bool ConnectUnix(const std::string& path, int type, std::string* error);
  bool ConnectTcp(const std::string& host, uint16_t port, const std::atomic<bool>* abandon,
                  std::string* error);
  // After ConnectTcp: the TLS handshake, the certificate checked against ctx's CAs and host.
  bool StartTls(SSL_CTX* ctx, const std::string& host, const std::atomic<bool>* abandon,
                std::string* error);
  // *sent (optional): the bytes handed to the kernel, also on failure.
  bool SendAll(std::string_view data, const std::atomic<bool>* abandon, std::string* error,
               size_t* sent = nullptr);
  int SendDatagrams(struct mmsghdr* msgs, unsigned n, unsigned* sent,
                    const std::atomic<bool>* abandon);
  bool PeerClosed();
  void Close();
  bool connected() const { return fd_ >= 0; }

 private:
  // Waits up to 200 ms for events on the socket; false on an error.
  bool Wait(short events);
  int fd_ = -1;
  SSL* ssl_ = nullptr;
};

// A TLS client context: TLS 1.2 or later, the peer's certificate verified against ca_file (a PEM
// file; "" the system's CAs). Null with a message on failure.
SSL_CTX* MakeTlsClientContext(const std::string& ca_file, std::string* error);
void FreeTlsContext(SSL_CTX* ctx);

}  // namespace auditlens
