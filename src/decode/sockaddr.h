// The SOCKADDR record's saddr: the hex of a struct sockaddr as the process passed it (or as the
// kernel returned it). The family is in host byte order, ports and addresses in network order.
//
// Decoding follows libauparse 3.0.9: the same family names, the same minimum lengths (an inet
// address needs the whole 16-byte sockaddr_in, inet6 28 bytes, netlink 12), the same words for
// what cannot be decoded ("sockaddr len too short", "unsupported", "unknown-family(N)").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace auditlens {

struct SockAddr {
  enum class Family : uint8_t { kInvalid, kUnix, kInet, kInet6, kNetlink, kOther };
  Family family = Family::kInvalid;
  uint16_t family_number = 0;
  std::string_view family_name;  // "inet", "local", ...; empty for a family auparse has no name for
  std::string_view error;        // set when the address could not be decoded (see above)
  uint16_t port = 0;             // inet, inet6
  char ip[46] = {};              // inet, inet6: printable address
  std::string path;              // unix: the path; abstract names start with '@'
  bool abstract = false;
  uint32_t netlink_pid = 0;
  uint32_t netlink_groups = 0;
};

// Decodes a saddr value. Returns false when it is not hex at all (the caller keeps it raw); true
// otherwise, with out->error set when the family is unknown, unsupported or the address too short.
bool DecodeSockAddr(std::string_view hex, SockAddr* out);

// auparse's name for a socket family number ("inet", "inet6", "local", "netlink", ...), or empty.
std::string_view SockFamilyName(uint16_t family);

}  // namespace auditlens
