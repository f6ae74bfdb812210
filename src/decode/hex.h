// Hex helpers for the kernel's encoding of untrusted strings (two upper-case hex digits a byte).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/parse_int.h"  // ParseHexU64

namespace auditlens {

// Digit values by byte; -1 for bytes that are not hex digits.
struct HexTable {
  int8_t value[256];
  constexpr HexTable() : value() {
    for (int i = 0; i < 256; ++i) value[i] = -1;
    for (int i = 0; i < 10; ++i) value['0' + i] = static_cast<int8_t>(i);
    for (int i = 0; i < 6; ++i) {
      value['A' + i] = static_cast<int8_t>(10 + i);
      value['a' + i] = static_cast<int8_t>(10 + i);
    }
  }
};
inline constexpr HexTable kHexTable;

inline int HexDigit(char c) { return kHexTable.value[static_cast<unsigned char>(c)]; }

// True when s is a non-empty, even-length run of hex digits.
inline bool IsHexString(std::string_view s) {
  if (s.empty() || (s.size() & 1)) return false;
  for (char c : s) {
    if (HexDigit(c) < 0) return false;
  }
  return true;
}

// Appends the bytes of an even-length hex string; returns false (appending nothing) if not hex.
inline bool AppendHexDecoded(std::string_view s, std::string* out) {
  if (s.empty() || (s.size() & 1)) return false;
  size_t start = out->size();
  out->resize(start + s.size() / 2);
  char* dst = out->data() + start;
  // One pass: decode and validate together; undo on the first non-hex digit (rare).
  int bad = 0;
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = HexDigit(s[i]);
    int lo = HexDigit(s[i + 1]);
    bad |= hi | lo;
    *dst++ = static_cast<char>((hi << 4) | lo);
  }
  if (bad < 0) {
    out->resize(start);
    return false;
  }
  return true;
}

}  // namespace auditlens
