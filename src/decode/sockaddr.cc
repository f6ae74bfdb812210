#include "decode/sockaddr.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstring>

#include "decode/hex.h"

namespace auditlens {

std::string_view SockFamilyName(uint16_t family) {
  switch (family) {
    case AF_UNIX: return "local";
    case AF_INET: return "inet";
    case AF_INET6: return "inet6";
    case AF_NETLINK: return "netlink";
    case AF_PACKET: return "packet";
    case AF_UNSPEC: return "unspecified";
    case AF_BLUETOOTH: return "bluetooth";
    case AF_VSOCK: return "vsock";
    case AF_ALG: return "alg";
    case AF_X25: return "x25";
    case AF_AX25: return "ax25";
    case AF_IPX: return "ipx";
    case AF_APPLETALK: return "appletalk";
    default: return {};
  }
}

bool DecodeSockAddr(std::string_view hex, SockAddr* out) {
  *out = SockAddr();
  if (hex.size() < 4 || !IsHexString(hex)) return false;
  unsigned char b[256];
  size_t n = hex.size() / 2;
  if (n > sizeof(b)) n = sizeof(b);
  for (size_t i = 0; i < n; ++i) {
    b[i] = static_cast<unsigned char>((HexDigit(hex[2 * i]) << 4) | HexDigit(hex[2 * i + 1]));
  }
  uint16_t family;
  std::memcpy(&family, b, 2);  // host order, as the process wrote it
  out->family_number = family;
  switch (family) {
    case AF_INET: {
      if (n < 8) return false;
      out->family = SockAddr::Family::kInet;
      out->port = static_cast<uint16_t>((b[2] << 8) | b[3]);
      inet_ntop(AF_INET, b + 4, out->ip, sizeof(out->ip));
      return true;
    }
    case AF_INET6: {
      if (n < 24) return false;
      out->family = SockAddr::Family::kInet6;
      out->port = static_cast<uint16_t>((b[2] << 8) | b[3]);
      inet_ntop(AF_INET6, b + 8, out->ip, sizeof(out->ip));
      return true;
    }
    case AF_UNIX: {
      out->family = SockAddr::Family::kUnix;
      if (n <= 2) {
        out->unnamed = true;
        return true;
      }
      if (b[2] == 0) {
        // Abstract namespace: every byte counts, NULs included; shown with a leading '@'.
        out->abstract = true;
        out->path.assign("@");
        out->path.append(reinterpret_cast<const char*>(b + 3), n - 3);
      } else {
        const char* p = reinterpret_cast<const char*>(b + 2);
        out->path.assign(p, strnlen(p, n - 2));
      }
      return true;
    }
    case AF_NETLINK: {
      out->family = SockAddr::Family::kNetlink;
      if (n >= 8) std::memcpy(&out->netlink_pid, b + 4, 4);
      if (n >= 12) std::memcpy(&out->netlink_groups, b + 8, 4);
      return true;
    }
    default:
      out->family = SockAddr::Family::kOther;
      return true;
  }
}

}  // namespace auditlens
