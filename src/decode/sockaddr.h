// The SOCKADDR record's saddr: the hex of a struct sockaddr as the process passed it. The family
// is in host byte order, ports and IPv4/IPv6 addresses in network order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace auditlens {

struct SockAddr {
  enum class Family : uint8_t { kInvalid, kUnix, kInet, kInet6, kNetlink, kOther };
  Family family = Family::kInvalid;
  uint16_t family_number = 0;
  uint16_t port = 0;             // inet, inet6
  char ip[46] = {};              // inet, inet6: printable address
  std::string path;              // unix: the path; abstract names start with '@'
  bool abstract = false;
  bool unnamed = false;          // unix socket with no address (autobind / unbound)
  uint32_t netlink_pid = 0;
  uint32_t netlink_groups = 0;
};

// Decodes a saddr value. Returns false when it is not hex or too short for its family.
bool DecodeSockAddr(std::string_view hex, SockAddr* out);

// auparse's name for a family ("inet", "inet6", "local", "netlink", ...).
std::string_view SockFamilyName(uint16_t family);

}  // namespace auditlens
