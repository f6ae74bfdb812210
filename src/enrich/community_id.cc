// OpenSSL 3.0 deprecates the low-level SHA1_* functions, but they are the only SHA-1 it offers that
// does not allocate: EVP_DigestInit_ex2 re-creates the provider context on every digest (measured:
// one malloc per hash, even with a reused EVP_MD_CTX and a fetched EVP_MD), and SHA1() three.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "enrich/community_id.h"

#include <openssl/sha.h>

#include <cstring>
#include <utility>

namespace auditlens {
namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kHex[] = "0123456789abcdef";

// Standard base64 with '=' padding.
size_t Base64(const uint8_t* in, size_t n, char* out) {
  size_t o = 0;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t{in[i]} << 16) | (uint32_t{in[i + 1]} << 8) | in[i + 2];
    out[o++] = kBase64[(v >> 18) & 63];
    out[o++] = kBase64[(v >> 12) & 63];
    out[o++] = kBase64[(v >> 6) & 63];
    out[o++] = kBase64[v & 63];
  }
  if (i < n) {
    uint32_t v = uint32_t{in[i]} << 16;
    if (i + 1 < n) v |= uint32_t{in[i + 1]} << 8;
    out[o++] = kBase64[(v >> 18) & 63];
    out[o++] = kBase64[(v >> 12) & 63];
    out[o++] = i + 1 < n ? kBase64[(v >> 6) & 63] : '=';
    out[o++] = '=';
  }
  return o;
}

}  // namespace

size_t CommunityIdV1(const FlowTuple& flow, char* out, uint16_t seed, bool base64) {
  const size_t alen = flow.src.ipv6 ? 16 : 4;
  const uint8_t* a = flow.src.ip;
  const uint8_t* b = flow.dst.ip;
  uint16_t pa = flow.src.port;
  uint16_t pb = flow.dst.port;
  // The smaller endpoint first: by address, and by port when the addresses are equal.
  int cmp = std::memcmp(a, b, alen);
  if (cmp > 0 || (cmp == 0 && flow.has_ports && pa > pb)) {
    std::swap(a, b);
    std::swap(pa, pb);
  }
  uint8_t buf[2 + 16 + 16 + 2 + 4];
  size_t n = 0;
  buf[n++] = static_cast<uint8_t>(seed >> 8);
  buf[n++] = static_cast<uint8_t>(seed);
  std::memcpy(buf + n, a, alen);
  n += alen;
  std::memcpy(buf + n, b, alen);
  n += alen;
  buf[n++] = flow.protocol;
  buf[n++] = 0;
  if (flow.has_ports) {
    buf[n++] = static_cast<uint8_t>(pa >> 8);
    buf[n++] = static_cast<uint8_t>(pa);
    buf[n++] = static_cast<uint8_t>(pb >> 8);
    buf[n++] = static_cast<uint8_t>(pb);
  }
  uint8_t digest[SHA_DIGEST_LENGTH];
  SHA_CTX ctx;
  SHA1_Init(&ctx);
  SHA1_Update(&ctx, buf, n);
  SHA1_Final(digest, &ctx);

  size_t o = 0;
  out[o++] = '1';
  out[o++] = ':';
  if (base64) {
    o += Base64(digest, sizeof(digest), out + o);
  } else {
    for (uint8_t d : digest) {
      out[o++] = kHex[d >> 4];
      out[o++] = kHex[d & 15];
    }
  }
  out[o] = '\0';
  return o;
}

}  // namespace auditlens
