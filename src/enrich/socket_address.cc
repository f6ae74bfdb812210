#include "enrich/socket_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <algorithm>
#include <cstring>

#include "decode/hex.h"
#include "decode/ip_text.h"

namespace auditlens {
namespace {

constexpr uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

size_t IpLen(const SocketAddress& a) { return a.ipv6 ? 16 : 4; }

}  // namespace

bool SocketAddress::IsWildcardIp() const {
  if (kind != Kind::kIp) return false;
  for (size_t i = 0; i < IpLen(*this); ++i) {
    if (ip[i] != 0) return false;
  }
  return true;
}

bool SocketAddress::SameIp(const SocketAddress& o) const {
  return kind == Kind::kIp && o.kind == Kind::kIp && ipv6 == o.ipv6 &&
         std::memcmp(ip, o.ip, IpLen(*this)) == 0;
}

bool SocketAddress::SameIpEndpoint(const SocketAddress& o) const {
  return SameIp(o) && port == o.port;
}

bool SocketAddress::SameUnixName(const SocketAddress& o) const {
  return kind == Kind::kUnix && o.kind == Kind::kUnix && abstract == o.abstract &&
         path_len == o.path_len && std::memcmp(path, o.path, path_len) == 0;
}

size_t SocketAddress::FormatIp(char* buf) const {
  buf[0] = '\0';
  if (kind != Kind::kIp) return 0;
  if (!ipv6) return FormatIpv4(ip, buf);
  if (!inet_ntop(AF_INET6, ip, buf, kIpTextSize)) return 0;
  return std::strlen(buf);
}

size_t SocketAddress::FormatUnixName(char* buf) const {
  size_t n = 0;
  if (kind != Kind::kUnix) return 0;
  if (abstract) buf[n++] = '@';
  std::memcpy(buf + n, path, path_len);
  return n + path_len;
}

void SocketAddressFromIp(int family, const void* addr, uint16_t port, SocketAddress* out) {
  *out = SocketAddress();
  out->kind = SocketAddress::Kind::kIp;
  out->family = static_cast<uint16_t>(family);
  out->port = port;
  const uint8_t* a = static_cast<const uint8_t*>(addr);
  if (family == AF_INET6) {
    if (std::memcmp(a, kV4MappedPrefix, sizeof(kV4MappedPrefix)) == 0) {
      std::memcpy(out->ip, a + 12, 4);
    } else {
      out->ipv6 = true;
      std::memcpy(out->ip, a, 16);
    }
  } else {
    std::memcpy(out->ip, a, 4);
  }
}

void SocketAddressFromSockaddr(const void* sa, size_t len, SocketAddress* out) {
  *out = SocketAddress();
  const uint8_t* b = static_cast<const uint8_t*>(sa);
  if (len < sizeof(sa_family_t)) return;
  sa_family_t family;
  std::memcpy(&family, b, sizeof(family));
  out->family = family;
  switch (family) {
    case AF_INET:
      if (len < sizeof(sockaddr_in)) break;
      SocketAddressFromIp(AF_INET, b + offsetof(sockaddr_in, sin_addr),
                          static_cast<uint16_t>((b[2] << 8) | b[3]), out);
      return;
    case AF_INET6:
      if (len < sizeof(sockaddr_in6)) break;
      SocketAddressFromIp(AF_INET6, b + offsetof(sockaddr_in6, sin6_addr),
                          static_cast<uint16_t>((b[2] << 8) | b[3]), out);
      return;
    case AF_UNIX: {
      out->kind = SocketAddress::Kind::kUnix;
      constexpr size_t kPathOffset = offsetof(sockaddr_un, sun_path);
      if (len <= kPathOffset) return;  // unnamed
      size_t n = std::min(len - kPathOffset, sizeof(out->path));
      const char* p = reinterpret_cast<const char*>(b + kPathOffset);
      if (p[0] == '\0') {
        // Abstract: every byte after the NUL counts (NULs included), up to the given length.
        out->abstract = true;
        out->path_len = static_cast<uint8_t>(n - 1);
        std::memcpy(out->path, p + 1, n - 1);
      } else {
        out->path_len = static_cast<uint8_t>(strnlen(p, n));
        std::memcpy(out->path, p, out->path_len);
      }
      return;
    }
    default:
      break;
  }
  out->kind = SocketAddress::Kind::kOther;
}

bool SocketAddressFromHex(std::string_view hex, SocketAddress* out) {
  if (hex.size() < 4 || (hex.size() & 1)) {
    *out = SocketAddress();
    return false;
  }
  // One pass that decodes and checks (a SOCKADDR record per network event); the bytes past the
  // largest sockaddr are only checked.
  uint8_t b[sizeof(sockaddr_storage)];
  const size_t n = std::min(hex.size() / 2, sizeof(b));
  int bad = 0;
  for (size_t i = 0; i < n; ++i) {
    const int hi = HexDigit(hex[2 * i]);
    const int lo = HexDigit(hex[2 * i + 1]);
    bad |= hi | lo;
    b[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  for (size_t i = 2 * n; i < hex.size(); ++i) bad |= HexDigit(hex[i]);
  if (bad < 0) {
    *out = SocketAddress();
    return false;
  }
  SocketAddressFromSockaddr(b, n, out);
  return true;
}

}  // namespace auditlens
