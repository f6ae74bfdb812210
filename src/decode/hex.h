// Hex helpers for the kernel's encoding of untrusted strings (two upper-case hex digits a byte).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace auditlens {

inline int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

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
  if (!IsHexString(s)) return false;
  size_t start = out->size();
  out->resize(start + s.size() / 2);
  char* dst = out->data() + start;
  for (size_t i = 0; i < s.size(); i += 2) {
    *dst++ = static_cast<char>((HexDigit(s[i]) << 4) | HexDigit(s[i + 1]));
  }
  return true;
}

// Parses an unsigned hex number (no prefix); false on anything else or overflow.
inline bool ParseHexU64(std::string_view s, uint64_t* value) {
  if (s.empty() || s.size() > 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d = HexDigit(c);
    if (d < 0) return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  *value = v;
  return true;
}

}  // namespace auditlens
