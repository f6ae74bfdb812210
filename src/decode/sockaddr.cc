#include "decode/sockaddr.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "decode/hex.h"
#include "tables/auparse_tables.h"

namespace auditlens {
namespace {

// Family names by number, auparse's (no name for 0, 27 and 28): an array built at compile time.
constexpr auto kFamilies = tables::DenseNames<64>(tables::kFamilies);
static_assert(tables::MaxValue(tables::kFamilies) < kFamilies.size(), "grow kFamilies");

constexpr size_t kSockaddrInLen = 16;
constexpr size_t kSockaddrIn6Len = 28;
constexpr size_t kSockaddrNlLen = 12;

}  // namespace

std::string_view SockFamilyName(uint16_t family) {
  return kFamilies[family];
}

size_t SockAddr::path_text(char* buf) const {
  if (abstract_name()) return address.FormatUnixName(buf);
  std::memcpy(buf, address.path, address.path_len);
  return address.path_len;
}

bool DecodeSockAddr(std::string_view hex, SockAddr* out) {
  *out = SockAddr();
  if (hex.empty() || (hex.size() & 1)) return false;
  // One pass that decodes and checks; the bytes past the largest address kept are only checked.
  unsigned char b[256];
  const size_t n = std::min(hex.size() / 2, sizeof(b));
  int bad = 0;
  for (size_t i = 0; i < n; ++i) {
    const int hi = HexDigit(hex[2 * i]);
    const int lo = HexDigit(hex[2 * i + 1]);
    bad |= hi | lo;
    b[i] = static_cast<unsigned char>((hi << 4) | lo);
  }
  for (size_t i = 2 * n; i < hex.size(); ++i) bad |= HexDigit(hex[i]);
  if (bad < 0) return false;
  uint16_t family;
  if (n < 2) {
    family = b[0];  // a 1-byte value reads as is
  } else {
    std::memcpy(&family, b, 2);  // host order, as the process wrote it
    EndpointFromSockaddr(b, n, &out->address);
  }
  out->family_number = family;
  out->family_name = SockFamilyName(family);
  if (out->family_name.empty()) {
    out->family = SockAddr::Family::kOther;
    out->error = "unknown-family";
    return true;
  }
  switch (family) {
    case AF_INET:
      out->family = SockAddr::Family::kInet;
      if (n < kSockaddrInLen) out->error = "sockaddr len too short";
      return true;
    case AF_INET6:
      out->family = SockAddr::Family::kInet6;
      if (n < kSockaddrIn6Len) out->error = "sockaddr6 len too short";
      return true;
    case AF_UNIX:
      out->family = SockAddr::Family::kUnix;
      // An unnamed socket (autobind, or the peer of an accept): only the family.
      if (n <= 2) out->error = "sockaddr len too short";
      return true;
    case AF_NETLINK:
      out->family = SockAddr::Family::kNetlink;
      if (n < kSockaddrNlLen) {
        out->error = "len too short";
        return true;
      }
      std::memcpy(&out->netlink_pid, b + 4, 4);
      std::memcpy(&out->netlink_groups, b + 8, 4);
      return true;
    default:
      out->family = SockAddr::Family::kOther;
      out->error = "unsupported";
      return true;
  }
}

}  // namespace auditlens
