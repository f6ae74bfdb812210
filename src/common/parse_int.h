// Checked integer parsing: the one general parser for decimal and hex text that auditlens reads
// from records, /proc files, state files and the command line.
//
// Contract: every function parses ALL of s or fails. Decimal is an optional '-' (signed targets
// only) followed by one or more ASCII digits; leading zeros are allowed ("007" is 7); no '+', no
// spaces, no "0x". A value that does not fit the target type fails (never wraps), whatever its
// number of digits: "9223372036854775807" is the largest int64, "9223372036854775808" fails,
// "18446744073709551615" is the largest uint64, "18446744073709551616" fails. On failure *out is
// left unchanged. Hex is one to sixteen digits, either case, no prefix, unsigned.
//
// Not here: the record stamp parser (record/) and the JSON writer (output/json_writer.h) keep their
// own hand-tuned fast paths, measured in docs/performance.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>

namespace auditlens {

// Unsigned decimal digits only.
inline bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t x = 0;
  size_t i = 0;
  // Any 19 digits fit in a uint64 (10^19 - 1 < 2^64): no overflow check for those.
  const size_t unchecked = s.size() < 19 ? s.size() : 19;
  for (; i < unchecked; ++i) {
    const unsigned d = static_cast<unsigned>(static_cast<unsigned char>(s[i])) - '0';
    if (d > 9) return false;
    x = x * 10 + d;
  }
  for (; i < s.size(); ++i) {
    const unsigned d = static_cast<unsigned>(static_cast<unsigned char>(s[i])) - '0';
    if (d > 9) return false;
    if (__builtin_mul_overflow(x, 10u, &x) || __builtin_add_overflow(x, d, &x)) return false;
  }
  *out = x;
  return true;
}

// An optional '-', then digits; within [INT64_MIN, INT64_MAX].
inline bool ParseI64(std::string_view s, int64_t* out) {
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  uint64_t m;
  if (!ParseU64(s, &m)) return false;
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (m > kMax + 1) return false;
    *out = static_cast<int64_t>(0 - m);  // INT64_MIN for m = 2^63 (modular conversion, C++20)
  } else {
    if (m > kMax) return false;
    *out = static_cast<int64_t>(m);
  }
  return true;
}

// Any integer type: ParseI64 or ParseU64, then the range of T.
template <typename T>
bool ParseDecimal(std::string_view s, T* out) {
  static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
  if constexpr (std::is_signed_v<T>) {
    int64_t v;
    if (!ParseI64(s, &v) || v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
      return false;
    }
    *out = static_cast<T>(v);
  } else {
    uint64_t v;
    if (!ParseU64(s, &v) || v > std::numeric_limits<T>::max()) return false;
    *out = static_cast<T>(v);
  }
  return true;
}

// A 32-bit id as the kernel and userspace print it, signed or unsigned: anything in
// [-2147483648, 4294967295], negatives taken modulo 2^32. "-1" and "4294967295" are both the
// unset id (4294967295).
inline bool ParseId32(std::string_view s, uint32_t* out) {
  int64_t v;
  if (!ParseI64(s, &v) || v < std::numeric_limits<int32_t>::min() ||
      v > static_cast<int64_t>(std::numeric_limits<uint32_t>::max())) {
    return false;
  }
  *out = static_cast<uint32_t>(v);
  return true;
}

// Unsigned hex, 1 to 16 digits (either case, no "0x").
inline bool ParseHexU64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    const unsigned u = static_cast<unsigned char>(c);
    unsigned d;
    if (u - '0' < 10u) d = u - '0';
    else if ((u | 0x20u) - 'a' < 6u) d = (u | 0x20u) - 'a' + 10;
    else return false;
    v = (v << 4) | d;
  }
  *out = v;
  return true;
}

}  // namespace auditlens
