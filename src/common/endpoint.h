// One end of a socket, the one type every stage uses for it: an IP address and port, or a unix
// socket name. The decode stage makes it from a SOCKADDR record (decode/sockaddr.h: SockAddr holds
// one), the network enricher from the live socket (getsockname/getpeername, sock_diag) and keeps
// both ends of a syscall in NetworkFacts (enrich/event_facts.h); the process table keeps the
// connection a process was started for, the session tracker a login's client and server end (from
// the records, or from PAM's or sshd's text); the Community ID hashes two of them; the output and
// the store write them as text, formatted when written.
//
// An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack IPv6 socket shows for an IPv4
// peer) is kept as IPv4 (ipv6 false): on the wire the flow is IPv4, and the host at the other end
// records it as IPv4; both ends must give the same 5-tuple and Community ID. `family` remembers
// that it was given as IPv6, for the writers that show an address as it was given (the SOCKADDR
// record's rendering, a login's client as the accepted connection said it).
//
// Contract: plain value type, no allocation (a unix name is at most 108 bytes, sun_path's size).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace auditlens {

struct Endpoint {
  enum class Kind : uint8_t {
    kNone,   // nothing known
    kIp,     // AF_INET / AF_INET6
    kUnix,   // AF_UNIX: path, abstract name, or unnamed
    kOther,  // another family (netlink, packet, ...): only the family is kept
  };
  Kind kind = Kind::kNone;
  uint16_t family = 0;  // as given (AF_INET6 for a v4-mapped address)
  // kIp
  bool ipv6 = false;    // after mapping: false for IPv4 and v4-mapped IPv6
  uint8_t ip[16] = {};  // network order; IPv4 in the first 4 bytes
  uint16_t port = 0;    // host order; 0: no port
  // kUnix: the name's bytes (for an abstract name, the bytes after the leading NUL).
  bool abstract = false;
  uint8_t path_len = 0;
  char path[108] = {};

  bool is_ip() const { return kind == Kind::kIp; }
  bool is_unix() const { return kind == Kind::kUnix; }
  bool unnamed() const { return kind == Kind::kUnix && path_len == 0 && !abstract; }
  // A v4-mapped IPv6 address: kept as IPv4, given as IPv6.
  bool v4_mapped() const;
  // 0.0.0.0 or ::
  bool IsWildcardIp() const;
  // Same address after mapping (::ffff:10.0.0.1 is 10.0.0.1).
  bool SameIp(const Endpoint& o) const;
  // Same address as given: also the same family (::ffff:10.0.0.1 is not 10.0.0.1), which is when
  // the two print the same with FormatIpAsGiven.
  bool SameIpAsGiven(const Endpoint& o) const;
  // Same family (after mapping), address and port.
  bool SameIpEndpoint(const Endpoint& o) const;
  // Same unix name (path or abstract name).
  bool SameUnixName(const Endpoint& o) const;
  // The same end with a v4-mapped address given as IPv4 (family AF_INET): how the network facts
  // write it, for a holder that writes its ends as given.
  Endpoint Unmapped() const;

  // The printable address, the flow's ("127.0.0.1" also for ::ffff:127.0.0.1; "::1"), NUL-
  // terminated; buf must hold kIpTextSize bytes. Returns the length; 0 (and "") when not kIp.
  size_t FormatIp(char* buf) const;
  // The same as given: "::ffff:127.0.0.1" for a v4-mapped address (inet_ntop's text of the
  // sockaddr's bytes).
  size_t FormatIpAsGiven(char* buf) const;
  // The unix name as auditlens writes it: the path, or '@' and the abstract name; not NUL-
  // terminated. buf: kUnixTextSize bytes.
  size_t FormatUnixName(char* buf) const;

  static constexpr size_t kIpTextSize = 48;  // INET6_ADDRSTRLEN and more
  static constexpr size_t kUnixTextSize = 112;
};

// From a struct sockaddr of len bytes (as getsockname/getpeername/recvfrom return it, or as a
// SOCKADDR record holds it). Under 2 bytes: kNone; an address too short for its family: kOther
// (only the family is known).
void EndpointFromSockaddr(const void* sa, size_t len, Endpoint* out);

// From raw IP bytes (sock_diag gives addresses this way): 4 or 16 bytes, port in host order.
void EndpointFromIp(int family, const void* addr, uint16_t port, Endpoint* out);

// From printable text ("10.0.0.1", "::1", "::ffff:10.0.0.1": what PAM's addr= and sshd's
// SSH_CONNECTION say). False (out kNone) when the text is not an IPv4 or IPv6 address; it is read
// up to its first NUL.
bool EndpointFromText(std::string_view text, uint16_t port, Endpoint* out);

// Writes the dotted quad of 4 bytes in network order, NUL-terminated, to buf (16 bytes or more).
// Returns its length. Same text as inet_ntop(AF_INET, ...), without the C library: glibc formats
// IPv4 through sprintf (~1,800 instructions).
size_t FormatIpv4(const uint8_t* addr, char* buf);

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
