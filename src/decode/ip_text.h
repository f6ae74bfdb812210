// Printable IPv4 addresses without the C library: glibc's inet_ntop formats IPv4 through sprintf
// (~1,800 instructions), and every SOCKADDR record of a connect or accept needs one.
#pragma once

#include <cstddef>
#include <cstdint>

namespace auditlens {

// Writes the dotted quad of 4 bytes in network order, NUL-terminated, to buf (16 bytes or more).
// Returns its length. Same text as inet_ntop(AF_INET, ...).
inline size_t FormatIpv4(const uint8_t* addr, char* buf) {
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

}  // namespace auditlens
