// One end of a socket as the network enricher needs it: an IP address and port, or a unix socket
// name. Made from a SOCKADDR record's saddr (hex of the struct sockaddr the process passed or got)
// or from a live struct sockaddr (getsockname/getpeername, sock_diag).
//
// An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack IPv6 socket shows for an IPv4
// peer) is made IPv4: on the wire the flow is IPv4, and the host at the other end records it as
// IPv4; both ends must give the same 5-tuple and Community ID.
//
// Contract: plain value type, no allocation (a unix name is at most 108 bytes).
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace auditlens {

struct SocketAddress {
  enum class Kind : uint8_t {
    kNone,   // nothing known
    kIp,     // AF_INET / AF_INET6
    kUnix,   // AF_UNIX: path, abstract name, or unnamed
    kOther,  // another family (netlink, packet, ...): only the family is kept
  };
  Kind kind = Kind::kNone;
  uint16_t family = 0;  // as the sockaddr had it (AF_INET6 for a v4-mapped address)
  // kIp
  bool ipv6 = false;    // after mapping: false for IPv4 and v4-mapped IPv6
  uint8_t ip[16] = {};  // network order; IPv4 in the first 4 bytes
  uint16_t port = 0;    // host order
  // kUnix: the name's bytes (for an abstract name, the bytes after the leading NUL).
  bool abstract = false;
  uint8_t path_len = 0;
  char path[108] = {};

  bool is_ip() const { return kind == Kind::kIp; }
  bool is_unix() const { return kind == Kind::kUnix; }
  bool unnamed() const { return kind == Kind::kUnix && path_len == 0 && !abstract; }
  // 0.0.0.0 or ::
  bool IsWildcardIp() const;
  bool SameIp(const SocketAddress& o) const;
  // Same family (after mapping), address and port.
  bool SameIpEndpoint(const SocketAddress& o) const;
  // Same unix name (path or abstract name).
  bool SameUnixName(const SocketAddress& o) const;
  // The printable address ("127.0.0.1", "::1"); buf must hold kIpTextSize bytes. Returns length.
  size_t FormatIp(char* buf) const;
  // The unix name as auditlens writes it: the path, or '@' and the abstract name.
  size_t FormatUnixName(char* buf) const;  // buf: kUnixTextSize bytes

  static constexpr size_t kIpTextSize = 48;
  static constexpr size_t kUnixTextSize = 112;
};

// From a SOCKADDR record's saddr value. False when it is not even hex or holds no family; an
// address too short for its family gives kOther (only the family is known).
bool SocketAddressFromHex(std::string_view hex, SocketAddress* out);

// From a struct sockaddr of len bytes (as getsockname/getpeername/recvfrom return it).
void SocketAddressFromSockaddr(const void* sa, size_t len, SocketAddress* out);

// From raw IP bytes (sock_diag gives addresses this way): 4 or 16 bytes, port in host order.
void SocketAddressFromIp(int family, const void* addr, uint16_t port, SocketAddress* out);

}  // namespace auditlens
