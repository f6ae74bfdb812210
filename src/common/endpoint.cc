#include "common/endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstring>

namespace auditlens {
namespace {

constexpr uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

size_t IpLen(const Endpoint& a) { return a.ipv6 ? 16 : 4; }

}  // namespace

size_t FormatIpv4(const uint8_t* addr, char* buf) {
  char* p = buf;
  for (int i = 0; i < 4; ++i) {
    unsigned v = addr[i];
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
    *p++ = i < 3 ? '.' : '\0';
  }
  return static_cast<size_t>(p - buf - 1);
}

bool Endpoint::v4_mapped() const { return kind == Kind::kIp && !ipv6 && family == AF_INET6; }

bool Endpoint::IsWildcardIp() const {
  if (kind != Kind::kIp) return false;
  for (size_t i = 0; i < IpLen(*this); ++i) {
    if (ip[i] != 0) return false;
  }
  return true;
}

bool Endpoint::SameIp(const Endpoint& o) const {
  return kind == Kind::kIp && o.kind == Kind::kIp && ipv6 == o.ipv6 &&
         std::memcmp(ip, o.ip, IpLen(*this)) == 0;
}

bool Endpoint::SameIpAsGiven(const Endpoint& o) const { return SameIp(o) && family == o.family; }

bool Endpoint::SameIpEndpoint(const Endpoint& o) const { return SameIp(o) && port == o.port; }

bool Endpoint::SameUnixName(const Endpoint& o) const {
  return kind == Kind::kUnix && o.kind == Kind::kUnix && abstract == o.abstract &&
         path_len == o.path_len && std::memcmp(path, o.path, path_len) == 0;
}

Endpoint Endpoint::Unmapped() const {
  Endpoint e = *this;
  if (e.v4_mapped()) e.family = AF_INET;
  return e;
}

size_t Endpoint::FormatIp(char* buf) const {
  buf[0] = '\0';
  if (kind != Kind::kIp) return 0;
  if (!ipv6) return FormatIpv4(ip, buf);
  if (!inet_ntop(AF_INET6, ip, buf, kIpTextSize)) return 0;
  return std::strlen(buf);
}

size_t Endpoint::FormatIpAsGiven(char* buf) const {
  if (!v4_mapped()) return FormatIp(buf);
  // inet_ntop's text of ::ffff:a.b.c.d.
  std::memcpy(buf, "::ffff:", 7);
  return 7 + FormatIpv4(ip, buf + 7);
}

size_t Endpoint::FormatUnixName(char* buf) const {
  size_t n = 0;
  if (kind != Kind::kUnix) return 0;
  if (abstract) buf[n++] = '@';
  std::memcpy(buf + n, path, path_len);
  return n + path_len;
}

void EndpointFromIp(int family, const void* addr, uint16_t port, Endpoint* out) {
  *out = Endpoint();
  out->kind = Endpoint::Kind::kIp;
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

void EndpointFromSockaddr(const void* sa, size_t len, Endpoint* out) {
  *out = Endpoint();
  const uint8_t* b = static_cast<const uint8_t*>(sa);
  if (len < sizeof(sa_family_t)) return;
  sa_family_t family;
  std::memcpy(&family, b, sizeof(family));
  out->family = family;
  switch (family) {
    case AF_INET:
      if (len < sizeof(sockaddr_in)) break;
      EndpointFromIp(AF_INET, b + offsetof(sockaddr_in, sin_addr),
                     static_cast<uint16_t>((b[2] << 8) | b[3]), out);
      return;
    case AF_INET6:
      if (len < sizeof(sockaddr_in6)) break;
      EndpointFromIp(AF_INET6, b + offsetof(sockaddr_in6, sin6_addr),
                     static_cast<uint16_t>((b[2] << 8) | b[3]), out);
      return;
    case AF_UNIX: {
      out->kind = Endpoint::Kind::kUnix;
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
  out->kind = Endpoint::Kind::kOther;
}

bool EndpointFromText(std::string_view text, uint16_t port, Endpoint* out) {
  *out = Endpoint();
  if (const void* nul = std::memchr(text.data(), 0, text.size())) {
    text = text.substr(0, static_cast<size_t>(static_cast<const char*>(nul) - text.data()));
  }
  char buf[Endpoint::kIpTextSize];
  if (text.empty() || text.size() >= sizeof(buf)) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  uint8_t addr[16];
  if (inet_pton(AF_INET, buf, addr) == 1) {
    EndpointFromIp(AF_INET, addr, port, out);
    return true;
  }
  if (inet_pton(AF_INET6, buf, addr) == 1) {
    EndpointFromIp(AF_INET6, addr, port, out);
    return true;
  }
  return false;
}

}  // namespace auditlens
