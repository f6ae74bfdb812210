#include "decode/sockaddr.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>
#include <iterator>

#include "decode/hex.h"
#include "decode/ip_text.h"
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

bool DecodeSockAddr(std::string_view hex, SockAddr* out) {
  *out = SockAddr();
  if (hex.empty() || (hex.size() & 1) || !IsHexString(hex)) return false;
  unsigned char b[256] = {};
  size_t n = hex.size() / 2;
  if (n > sizeof(b)) n = sizeof(b);
  for (size_t i = 0; i < n; ++i) {
    b[i] = static_cast<unsigned char>((HexDigit(hex[2 * i]) << 4) | HexDigit(hex[2 * i + 1]));
  }
  uint16_t family;
  std::memcpy(&family, b, 2);  // host order, as the process wrote it (a 1-byte value reads as is)
  if (n < 2) family = b[0];
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
      if (n < kSockaddrInLen) {
        out->error = "sockaddr len too short";
        return true;
      }
      out->port = static_cast<uint16_t>((b[2] << 8) | b[3]);
      FormatIpv4(b + 4, out->ip);
      return true;
    case AF_INET6:
      out->family = SockAddr::Family::kInet6;
      if (n < kSockaddrIn6Len) {
        out->error = "sockaddr6 len too short";
        return true;
      }
      out->port = static_cast<uint16_t>((b[2] << 8) | b[3]);
      inet_ntop(AF_INET6, b + 8, out->ip, sizeof(out->ip));
      return true;
    case AF_UNIX:
      out->family = SockAddr::Family::kUnix;
      if (n <= 2) {
        // An unnamed socket (autobind, or the peer of an accept): only the family.
        out->error = "sockaddr len too short";
        return true;
      }
      if (b[2] == 0 && n > 3) {
        // Abstract namespace: every byte after the leading NUL counts, NULs included; shown
        // with a leading '@'.
        out->abstract = true;
        out->path.assign("@");
        out->path.append(reinterpret_cast<const char*>(b + 3), n - 3);
      } else {
        const char* p = reinterpret_cast<const char*>(b + 2);
        out->path.assign(p, strnlen(p, n - 2));
      }
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
