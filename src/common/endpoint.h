// One end of a connection as the process table, the session tracker and the store keep it: the
// printable IP address and the port. (The network enricher's SocketAddress, enrich/
// socket_address.h, is the binary form it compares and hashes; decode/sockaddr.h's SockAddr is a
// whole decoded SOCKADDR record, unix and netlink included.)
//
// Contract: plain value, no allocation. ip is NUL-terminated printable text ("10.0.0.1", "::1"),
// at most 45 characters (INET6_ADDRSTRLEN - 1); an empty ip means the end is unknown, whatever
// the port. Port 0 means no port (also for a known ip).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace auditlens {

struct Endpoint {
  static constexpr size_t kIpSize = 46;  // INET6_ADDRSTRLEN
  char ip[kIpSize] = {};
  uint16_t port = 0;

  bool set() const { return ip[0] != 0; }
  // Copies text up to its first NUL, cut to 45 characters (no valid address is longer).
  void SetIp(std::string_view text) {
    if (const void* nul = std::memchr(text.data(), 0, text.size())) {
      text = text.substr(0, static_cast<size_t>(static_cast<const char*>(nul) - text.data()));
    }
    const size_t n = text.size() < kIpSize - 1 ? text.size() : kIpSize - 1;
    std::memcpy(ip, text.data(), n);
    ip[n] = 0;
  }
};

// "10.0.0.1:22", "[::1]:22" (an address with ':' is bracketed), or the address alone when port
// is empty; port is the caller's text, written as it is.
inline std::string JoinHostPort(std::string_view ip, std::string_view port) {
  std::string out;
  const bool v6 = ip.find(':') != std::string_view::npos;
  if (v6) out.push_back('[');
  out.append(ip);
  if (v6) out.push_back(']');
  if (!port.empty()) {
    out.push_back(':');
    out.append(port);
  }
  return out;
}

}  // namespace auditlens
