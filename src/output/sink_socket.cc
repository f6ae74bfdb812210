#include "output/sink_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace auditlens {
namespace {

std::string TlsError(const char* what) {
  std::string out = what;
  unsigned long e;
  bool first = true;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    out += first ? ": " : "; ";
    out += buf;
    first = false;
  }
  return out;
}

bool Abandoned(const std::atomic<bool>* abandon) {
  return abandon != nullptr && abandon->load(std::memory_order_relaxed);
}

}  // namespace

bool SinkSocket::Wait(short events) {
  pollfd p{fd_, events, 0};
  int rc = poll(&p, 1, 200);
  if (rc < 0 && errno != EINTR) return false;
  return true;
}

bool SinkSocket::ConnectUnix(const std::string& path, int type, std::string* error) {
  Close();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) {
    *error = path + ": too long for a unix socket path";
    return false;
  }
  memcpy(addr.sun_path, path.data(), path.size());
  fd_ = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    *error = "connect to " + path + ": " + strerror(errno);
    Close();
    return false;
  }
  return true;
}

bool SinkSocket::ConnectTcp(const std::string& host, uint16_t port, const std::atomic<bool>* abandon,
                            std::string* error) {
  Close();
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
    *error = "resolve " + host + ": " + gai_strerror(rc);
    return false;
  }
  std::string last = "no address";
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    fd_ = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd_ < 0) {
      last = strerror(errno);
      continue;
    }
    int rc = connect(fd_, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      // Up to 5 s for the connection, in steps that notice a stop.
      for (int i = 0; i < 25 && !Abandoned(abandon); ++i) {
        pollfd p{fd_, POLLOUT, 0};
        if (poll(&p, 1, 200) > 0) break;
      }
      int so_error = ETIMEDOUT;
      socklen_t len = sizeof(so_error);
      pollfd p{fd_, POLLOUT, 0};
      if (poll(&p, 1, 0) > 0) getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &len);
      rc = so_error == 0 ? 0 : -1;
      errno = so_error;
    }
    if (rc == 0) {
      freeaddrinfo(res);
      return true;
    }
    last = strerror(errno);
    Close();
  }
  freeaddrinfo(res);
  *error = "connect to " + host + ":" + service + ": " + last;
  return false;
}

bool SinkSocket::StartTls(SSL_CTX* ctx, const std::string& host, const std::atomic<bool>* abandon,
                          std::string* error) {
  ERR_clear_error();
  ssl_ = SSL_new(ctx);
  if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) {
    *error = TlsError("TLS setup");
    Close();
    return false;
  }
  // The name (or address) in the collector's certificate must be the one connected to.
  in6_addr ip6;
  in_addr ip4;
  const bool is_ip = inet_pton(AF_INET, host.c_str(), &ip4) == 1 ||
                     inet_pton(AF_INET6, host.c_str(), &ip6) == 1;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl_, host.c_str());
    SSL_set1_host(ssl_, host.c_str());
  }
  for (int i = 0; i < 50 && !Abandoned(abandon); ++i) {  // up to 10 s
    int rc = SSL_connect(ssl_);
    if (rc == 1) return true;
    int e = SSL_get_error(ssl_, rc);
    if (e == SSL_ERROR_WANT_READ) {
      Wait(POLLIN);
    } else if (e == SSL_ERROR_WANT_WRITE) {
      Wait(POLLOUT);
    } else {
      long verify = SSL_get_verify_result(ssl_);
      *error = TlsError(("TLS handshake with " + host).c_str());
      if (verify != X509_V_OK) {
        *error += std::string(" (certificate: ") + X509_verify_cert_error_string(verify) + ")";
      }
      Close();
      return false;
    }
  }
  *error = "TLS handshake with " + host + ": no answer";
  Close();
  return false;
}

bool SinkSocket::SendAll(std::string_view data, const std::atomic<bool>* abandon,
                         std::string* error, size_t* sent) {
  size_t ignored = 0;
  size_t& done = sent != nullptr ? *sent : ignored;
  done = 0;
  while (done < data.size()) {
    if (Abandoned(abandon)) {
      *error = "stopped";
      return false;
    }
    if (ssl_ != nullptr) {
      ERR_clear_error();
      const int n = SSL_write(ssl_, data.data() + done, static_cast<int>(data.size() - done));
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      const int e = SSL_get_error(ssl_, n);
      if (e == SSL_ERROR_WANT_WRITE) {
        Wait(POLLOUT);
      } else if (e == SSL_ERROR_WANT_READ) {
        Wait(POLLIN);
      } else {
        *error = e == SSL_ERROR_SYSCALL ? std::string("TLS write: ") + strerror(errno)
                                        : TlsError("TLS write");
        return false;
      }
      continue;
    }
    const ssize_t n = send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n >= 0) {
      done += static_cast<size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!Wait(POLLOUT)) {
        *error = std::string("poll: ") + strerror(errno);
        return false;
      }
    } else if (errno != EINTR) {
      *error = std::string("send: ") + strerror(errno);
      return false;
    }
  }
  return true;
}

int SinkSocket::SendDatagrams(struct mmsghdr* msgs, unsigned n, unsigned* sent,
                              const std::atomic<bool>* abandon) {
  *sent = 0;
  while (*sent < n) {
    const int r = sendmmsg(fd_, msgs + *sent, n - *sent, MSG_NOSIGNAL);
    if (r > 0) {
      *sent += static_cast<unsigned>(r);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return errno;
    // The reader's queue is full: wait for room (a unix datagram socket polls writable then).
    if (Abandoned(abandon)) return EAGAIN;
    Wait(POLLOUT);
  }
  return 0;
}

bool SinkSocket::PeerClosed() {
  if (fd_ < 0) return true;
  pollfd p{fd_, POLLIN | POLLRDHUP, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) return true;
  // Something to read: a collector says nothing on this protocol; read and discard it, and an
  // end of stream is a close. With TLS it is most likely a session ticket (TLS 1.3), which
  // OpenSSL takes in here; a close_notify or an error is a close.
  char buf[512];
  if (ssl_ != nullptr) {
    ERR_clear_error();
    const int n = SSL_read(ssl_, buf, sizeof(buf));
    if (n > 0) return false;
    const int e = SSL_get_error(ssl_, n);
    return e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE;
  }
  const ssize_t n = recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
  return n == 0;
}

void SinkSocket::Close() {
  if (ssl_ != nullptr) {
    SSL_shutdown(ssl_);  // close_notify: the collector knows the stream ended whole
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (fd_ >= 0) {
    // What the peer sent and nobody read (a TLS session ticket) would make close() reset the
    // connection, and a reset can discard lines the collector has not read yet: the end of the
    // stream is said first, and what is waiting read and dropped.
    shutdown(fd_, SHUT_WR);
    char buf[4096];
    for (int i = 0; i < 64 && recv(fd_, buf, sizeof(buf), MSG_DONTWAIT) > 0; ++i) {
    }
    close(fd_);
  }
  fd_ = -1;
}

SSL_CTX* MakeTlsClientContext(const std::string& ca_file, std::string* error) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    *error = TlsError("TLS context");
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
  const int ok = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                 : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  if (ok != 1) {
    *error = TlsError(("CA certificates " + (ca_file.empty() ? std::string("(system)") : ca_file))
                          .c_str());
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

void FreeTlsContext(SSL_CTX* ctx) {
  if (ctx != nullptr) SSL_CTX_free(ctx);
}

}  // namespace auditlens
