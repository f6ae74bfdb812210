#include "record/fields.h"

#include <cstring>

namespace auditlens {
namespace {

inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n'; }

}  // namespace

void SplitFields(std::string_view body, std::vector<Field>* out) {
  const char* p = body.data();
  const char* end = p + body.size();
  while (p < end) {
    while (p < end && IsSpace(*p)) ++p;
    if (p >= end) break;
    const char* name_begin = p;
    while (p < end && *p != '=' && !IsSpace(*p)) ++p;
    if (p >= end || *p != '=') continue;  // a bare word, not a field
    std::string_view name(name_begin, p - name_begin);
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
      out->push_back({name, std::string_view(value_begin, p - value_begin)});
    }
  }
}

}  // namespace auditlens
