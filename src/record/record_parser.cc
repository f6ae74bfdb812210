#include <cstdint>
#include <cstring>
#include <limits>

#include "common/parse_int.h"
#include "record/record.h"
#include "record/record_types.h"

namespace auditlens {
namespace {

// The digits that begin the 8 bytes at q: returns how many (0-8) and sets *out to their value.
// Eight bytes at once (SWAR, little-endian: the first byte is the lowest lane). A byte is a digit
// when its high nibble is 3, and still 3 once 6 is added; the first lane that is not a digit ends
// the run (a carry out of a lane >= 0xFA can only spoil the lanes after it, which do not count).
// The digits are then moved to the top lanes, the rest zero, and neighbouring lanes combined
// pairwise (x10, x100, x10000) until one 32-bit lane holds the number.
inline int LeadingDigits(const char* q, uint64_t* out) {
  uint64_t c;
  std::memcpy(&c, q, 8);
  constexpr uint64_t kHigh = 0xF0F0F0F0F0F0F0F0ull, kThrees = 0x3030303030303030ull;
  const uint64_t not_digit = ((c & kHigh) ^ kThrees) | (((c + 0x0606060606060606ull) & kHigh) ^ kThrees);
  const int n = not_digit == 0 ? 8 : __builtin_ctzll(not_digit) / 8;
  if (n == 0) return 0;
  c -= kThrees;
  c <<= 8 * (8 - n);  // n >= 1: a shift of at most 56
  c = ((c * 10) + (c >> 8)) & 0x00FF00FF00FF00FFull;
  c = ((c * 100) + (c >> 16)) & 0x0000FFFF0000FFFFull;
  c = ((c * 10000) + (c >> 32)) & 0xFFFFFFFFull;
  *out = c;
  return n;
}

constexpr uint64_t kPow10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

// Decimal digits at *p into *v, advancing *p: false without a digit or when the value does not fit.
// By hand (std::from_chars cost a fifth of each record's parse: three numbers per record), up to
// eight digits a step where eight bytes can be read: a stamp's seconds (10 digits) take two
// steps, its serial one. Up to 19 digits cannot overflow 64 bits; a longer run (never seen from a
// kernel) is parsed again with checks.
template <typename T>
bool ParseDigits(const char** p, const char* end, T* v) {
  const char* q = *p;
  const char* start = q;
  uint64_t x = 0;
  uint64_t chunk;
  while (end - q >= 8) {
    const int n = LeadingDigits(q, &chunk);
    if (n == 0 || (q - start) + n > 19) break;
    x = x * kPow10[n] + chunk;
    q += n;
    if (n < 8) break;
  }
  while (q != end && static_cast<unsigned char>(*q - '0') < 10 && q - start < 19) {
    x = x * 10 + static_cast<uint64_t>(*q - '0');
    ++q;
  }
  if (q != end && static_cast<unsigned char>(*q - '0') < 10) {
    // A 20th digit: only an overflow check can tell whether it fits.
    x = 0;
    for (q = start; q != end && static_cast<unsigned char>(*q - '0') < 10; ++q) {
      if (__builtin_mul_overflow(x, 10, &x) ||
          __builtin_add_overflow(x, static_cast<uint64_t>(*q - '0'), &x)) {
        return false;
      }
    }
  }
  if (q == start || x > std::numeric_limits<T>::max()) return false;
  *v = static_cast<T>(x);
  *p = q;
  return true;
}

inline bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Parses "audit(SEC.MSEC:SERIAL):" at the start of text; on success *rest is what follows the
// colon, with leading blanks removed. lenient (log lines): the colon may be missing, as long as a
// blank or the end follows the ')'.
const char* ParseStamp(std::string_view text, Record* out, std::string_view* rest, bool lenient) {
  constexpr std::string_view kPrefix = "audit(";
  if (text.size() < kPrefix.size() || std::memcmp(text.data(), kPrefix.data(), kPrefix.size()) != 0) {
    return "missing audit( stamp";
  }
  const char* p = text.data() + kPrefix.size();
  const char* end = text.data() + text.size();
  if (!ParseDigits(&p, end, &out->sec) || p == end || *p != '.') return "bad timestamp seconds";
  ++p;
  // The kernel always writes three digits of milliseconds, then ':'.
  if (end - p < 4 || static_cast<unsigned char>(p[0] - '0') >= 10 ||
      static_cast<unsigned char>(p[1] - '0') >= 10 || static_cast<unsigned char>(p[2] - '0') >= 10 ||
      p[3] != ':') {
    return "bad timestamp milliseconds";
  }
  out->msec = static_cast<uint32_t>((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
  p += 4;
  if (!ParseDigits(&p, end, &out->serial) || p == end || *p != ')') return "bad serial";
  ++p;
  if (p != end && *p == ':') {
    ++p;
  } else if (!lenient || (p != end && !IsBlank(*p))) {
    return "missing ':' after stamp";
  }
  while (p != end && *p == ' ') ++p;
  if (p != end && *p == '\t') {
    while (p != end && IsBlank(*p)) ++p;
  }
  *rest = std::string_view(p, end - p);
  return nullptr;
}

std::string_view TrimEnd(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\0' || s.back() == '\r' || s.back() == ' ')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view SkipBlanks(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsBlank(s[i])) ++i;
  return s.substr(i);
}

// The end of the token at the start of s: its first space (memchr), or npos. Tokens are separated
// by spaces, as every writer of audit logs does; tabs are only skipped around them.
size_t TokenEnd(std::string_view s) { return s.find(' '); }

// A record type name as auditd and the kernel's tables spell them (letters, digits, '_'), of a
// sane length: a type this build does not know is kept under it.
bool IsTypeName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

// The type of a log line from its name: a name libaudit knows or UNKNOWN[n]; a number (the
// kernel's console lines, type=1400); else any other well-formed name, kept with type 0.
const char* ReadTypeName(std::string_view name, Record* out) {
  out->type = RecordTypeFromName(name);
  if (out->type != 0) return nullptr;
  if (name.empty()) return "missing record type name";
  if (name[0] >= '0' && name[0] <= '9') {
    uint16_t number = 0;
    if (ParseDecimal(name, &number) && number != 0) {
      out->type = number;
      return nullptr;
    }
    return "bad record type number";
  }
  if (!IsTypeName(name)) return "bad record type name";
  out->type_name = name;
  return nullptr;
}

}  // namespace

const char* ParseNetlinkRecord(uint16_t type, std::string_view payload, Record* out) {
  out->type = type;
  out->node = {};
  out->type_name = {};
  out->enriched = {};
  std::string_view rest;
  if (const char* err = ParseStamp(payload, out, &rest, false)) return err;
  out->body = TrimEnd(rest);
  return nullptr;
}

const char* ParseLogRecord(std::string_view line, Record* out) {
  line = TrimEnd(line);
  out->node = {};
  out->type_name = {};
  out->enriched = {};
  // The common line begins with type= and has one space between its parts: that path tests no
  // more than the strict format did.
  constexpr std::string_view kNode = "node=";
  constexpr std::string_view kType = "type=";
  if (line.substr(0, kType.size()) != kType) {
    line = SkipBlanks(line);
    if (line.substr(0, kNode.size()) == kNode) {
      size_t sp = TokenEnd(line);
      if (sp == std::string_view::npos) return "node= without a record";
      out->node = line.substr(kNode.size(), sp - kNode.size());
      line = SkipBlanks(line.substr(sp + 1));
    }
    if (line.substr(0, kType.size()) != kType) return "missing type=";
  }
  size_t sp = TokenEnd(line);
  if (sp == std::string_view::npos) return "missing msg=";
  if (const char* err = ReadTypeName(line.substr(kType.size(), sp - kType.size()), out)) return err;
  line.remove_prefix(sp + 1);
  constexpr std::string_view kMsg = "msg=";
  if (line.substr(0, kMsg.size()) == kMsg) {
    line.remove_prefix(kMsg.size());
  } else {
    // Blanks, and the kernel's console form without msg=.
    line = SkipBlanks(line);
    if (line.substr(0, kMsg.size()) == kMsg) line.remove_prefix(kMsg.size());
  }
  std::string_view rest;
  if (const char* err = ParseStamp(line, out, &rest, true)) return err;
  // ENRICHED logs append auditd's own interpretations after a GS (0x1d) byte: the names the
  // writing host gave the ids. Kept apart from the fields (decode/log_names.h reads them).
  size_t gs = rest.find('\x1d');
  if (gs != std::string_view::npos) {
    out->enriched = TrimEnd(rest.substr(gs + 1));
    rest = rest.substr(0, gs);
  }
  out->body = TrimEnd(rest);
  return nullptr;
}

}  // namespace auditlens
