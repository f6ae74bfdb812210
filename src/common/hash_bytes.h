// One hash of a byte string, for the memos keyed by raw bytes (decode's SYSCALL split memo,
// output's member and record memos). Every hit is verified byte for byte, so the hash only spreads
// keys over slots; it is not for anything that must resist collisions.
//
// Contract: deterministic within a build; two 64-bit lanes of xor, multiply and rotate over 16
// bytes per step, then a finishing mix: about 6 instructions per 8 bytes (it runs on every SYSCALL
// record and most others).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace auditlens {

inline uint64_t HashBytes(std::string_view s, uint64_t seed = 0) {
  constexpr uint64_t k1 = 0x9e3779b97f4a7c15ull, k2 = 0xc2b2ae3d27d4eb4full;
  uint64_t a = seed ^ k1 ^ s.size();
  uint64_t b = seed + k2;
  const char* p = s.data();
  size_t n = s.size();
  auto rotl = [](uint64_t x, int r) { return (x << r) | (x >> (64 - r)); };
  while (n >= 16) {
    uint64_t x, y;
    std::memcpy(&x, p, 8);
    std::memcpy(&y, p + 8, 8);
    a = rotl((a ^ x) * k1, 29);
    b = rotl((b ^ y) * k2, 31);
    p += 16;
    n -= 16;
  }
  if (n >= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    a = rotl((a ^ x) * k1, 29);
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  // An empty view may have a null data(), and memcpy from null is undefined even for 0 bytes.
  if (n != 0) std::memcpy(&tail, p, n);
  b = rotl((b ^ tail) * k2, 31);
  uint64_t h = a ^ rotl(b, 17);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 29;
  return h;
}

}  // namespace auditlens
