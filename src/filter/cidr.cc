#include "filter/cidr.h"

#include <arpa/inet.h>

#include <cstring>

#include "common/parse_int.h"

namespace auditlens {

bool ParseCidr(std::string_view text, Cidr* out, std::string* why) {
  Cidr c;
  std::string address(text.substr(0, text.find('/')));
  c.ipv6 = address.find(':') != std::string::npos;
  if (inet_pton(c.ipv6 ? AF_INET6 : AF_INET, address.c_str(), c.addr) != 1) {
    *why = "'" + std::string(text) + "' is not an IPv4 or IPv6 address or network";
    return false;
  }
  const int max = c.ipv6 ? 128 : 32;
  c.prefix = max;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    uint32_t bits = 0;
    if (!ParseDecimal(text.substr(slash + 1), &bits) || bits > static_cast<uint32_t>(max)) {
      *why = "'" + std::string(text) + "' has a prefix length that is not 0.." +
             std::to_string(max);
      return false;
    }
    c.prefix = static_cast<int>(bits);
  }
  // Bits past the prefix must be zero.
  for (int bit = c.prefix; bit < max; ++bit) {
    if (c.addr[bit / 8] & (0x80 >> (bit % 8))) {
      *why = "'" + std::string(text) + "' has bits set past its prefix length (the network is "
             "written with them zero)";
      return false;
    }
  }
  *out = c;
  return true;
}

bool Cidr::Contains(const Endpoint& end) const {
  if (!end.is_ip() || end.ipv6 != ipv6) return false;
  const int whole = prefix / 8;
  if (std::memcmp(end.ip, addr, static_cast<size_t>(whole)) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (end.ip[whole] & mask) == addr[whole];
}

}  // namespace auditlens
