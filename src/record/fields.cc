#include "record/fields.h"

#include <cstring>

namespace auditlens {
namespace {

// Byte classes for the scanning loops (one table load per byte instead of several compares):
// bit 1 = separator (space, tab, newline), bit 2 = '='.
struct ByteClass {
  unsigned char cls[256];
  constexpr ByteClass() : cls() {
    cls[static_cast<unsigned char>(' ')] = 1;
    cls[static_cast<unsigned char>('\t')] = 1;
    cls[static_cast<unsigned char>('\n')] = 1;
    cls[static_cast<unsigned char>('=')] = 2;
  }
};
constexpr ByteClass kBytes;

inline bool IsSpace(char c) { return kBytes.cls[static_cast<unsigned char>(c)] & 1; }
inline bool IsNameEnd(char c) { return kBytes.cls[static_cast<unsigned char>(c)] != 0; }

}  // namespace

void SplitFields(std::string_view body, std::vector<Field>* out) {
  const char* p = body.data();
  const char* end = p + body.size();
  // The AVC prefix "avc:  denied  { read write } for": after "avc:" the next bare word is the
  // result and a "{ ... }" group the permissions (libauparse's seresult and seperms).
  enum { kNoAvc, kAvcResult, kAvcPerms } avc = kNoAvc;
  while (p < end) {
    while (p < end && IsSpace(*p)) ++p;
    if (p >= end) break;
    const char* name_begin = p;
    while (p < end && !IsNameEnd(*p)) ++p;
    if (p >= end || *p != '=') {
      // A bare word, not a field.
      std::string_view word(name_begin, p - name_begin);
      if (word == "avc:") {
        avc = kAvcResult;
      } else if (avc == kAvcResult) {
        out->push_back({"seresult", word});
        avc = kAvcPerms;
      } else if (avc == kAvcPerms && word == "{") {
        while (p < end && IsSpace(*p)) ++p;
        const char* perms_begin = p;
        const char* close = static_cast<const char*>(memchr(p, '}', end - p));
        const char* perms_end = close ? close : end;
        p = close ? close + 1 : end;
        while (perms_end > perms_begin && IsSpace(perms_end[-1])) --perms_end;
        out->push_back({"seperms", std::string_view(perms_begin, perms_end - perms_begin)});
        avc = kNoAvc;
      } else {
        avc = kNoAvc;
      }
      continue;
    }
    avc = kNoAvc;
    std::string_view name(name_begin, p - name_begin);
    // "(seqno=2)" in a USER_AVC text: the parentheses are not part of the field.
    bool parenthesized = !name.empty() && name[0] == '(';
    if (parenthesized) name.remove_prefix(1);
    ++p;  // '='
    const char* value_begin = p;
    if (p < end && *p == '"') {
      // Kernel-quoted values never contain '"' (such values are hex-encoded instead).
      const char* close = static_cast<const char*>(memchr(p + 1, '"', end - p - 1));
      p = close ? close + 1 : end;
      // A quote followed by text up to a space is still one token (rare, malformed user messages).
      while (p < end && !IsSpace(*p)) ++p;
      out->push_back({name, std::string_view(value_begin, p - value_begin)});
    } else if (p < end && *p == '\'') {
      // msg='op=... res=success': the closing quote is the last one before the end or a space.
      const char* inner = p + 1;
      const char* close = end;
      for (const char* q = end - 1; q > p; --q) {
        if (*q == '\'') { close = q; break; }
      }
      if (name.empty()) name = "msg";
      SplitFields(std::string_view(inner, close - inner), out);
      p = close < end ? close + 1 : end;
    } else {
      while (p < end && !IsSpace(*p)) ++p;
      std::string_view value(value_begin, p - value_begin);
      if (parenthesized && !value.empty() && value.back() == ')') value.remove_suffix(1);
      out->push_back({name, value});
    }
  }
}

}  // namespace auditlens
