// An IP network written as CIDR ("10.0.0.0/8", "2001:db8::/32", or one address, "192.0.2.7",
// "::1"), for the filters' `peer` matcher (filter/event_match.h).
//
// Contract: ParseCidr accepts IPv4 and IPv6 in the forms inet_pton does, with an optional prefix
// length (0..32, 0..128; without one the whole address); the bits past the prefix must be zero
// ("10.1.0.0/8" is refused: probably a typo). Contains() compares an Endpoint's address as the
// audit records gave it after mapping: a v4-mapped IPv6 peer (::ffff:10.0.0.1, common/endpoint.h)
// is 10.0.0.1 and matches IPv4 networks, never IPv6 ones. No allocation in Contains.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/endpoint.h"

namespace auditlens {

struct Cidr {
  bool ipv6 = false;
  uint8_t addr[16] = {};  // network order; IPv4 in the first 4 bytes
  int prefix = 0;         // bits

  bool Contains(const Endpoint& end) const;
};

// False with *why when text is not an address or network.
bool ParseCidr(std::string_view text, Cidr* out, std::string* why);

}  // namespace auditlens
