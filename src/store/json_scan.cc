#include "store/json_scan.h"

#include <cstdlib>

namespace auditlens {
namespace {

void SkipBlank(std::string_view s, size_t* i) {
  while (*i < s.size() && (s[*i] == ' ' || s[*i] == '\n' || s[*i] == '\t' || s[*i] == '\r')) ++*i;
}

// At a '"': moves past the closing quote. False when the string does not end.
bool SkipString(std::string_view s, size_t* i) {
  ++*i;
  while (*i < s.size()) {
    char c = s[(*i)++];
    if (c == '\\') {
      ++*i;
    } else if (c == '"') {
      return true;
    }
  }
  return false;
}

// Moves past one value of any kind.
bool SkipValue(std::string_view s, size_t* i) {
  if (*i >= s.size()) return false;
  if (s[*i] == '"') return SkipString(s, i);
  if (s[*i] == '{' || s[*i] == '[') {
    int depth = 0;
    while (*i < s.size()) {
      char c = s[*i];
      if (c == '"') {
        if (!SkipString(s, i)) return false;
        continue;
      }
      ++*i;
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return true;
    }
    return false;
  }
  while (*i < s.size() && s[*i] != ',' && s[*i] != '}' && s[*i] != ']') ++*i;
  return true;
}

// Calls found(name, value) for each top-level member until it returns true or the object ends.
template <typename F>
void ForEachMember(std::string_view object, F found) {
  size_t i = 0;
  SkipBlank(object, &i);
  if (i >= object.size() || object[i] != '{') return;
  ++i;
  for (;;) {
    SkipBlank(object, &i);
    if (i >= object.size() || object[i] != '"') return;
    size_t key_start = i + 1;
    if (!SkipString(object, &i)) return;
    std::string_view name = object.substr(key_start, i - 1 - key_start);
    SkipBlank(object, &i);
    if (i >= object.size() || object[i] != ':') return;
    ++i;
    SkipBlank(object, &i);
    size_t value_start = i;
    if (!SkipValue(object, &i)) return;
    if (found(name, object.substr(value_start, i - value_start))) return;
    SkipBlank(object, &i);
    if (i >= object.size() || object[i] != ',') return;
    ++i;
  }
}

}  // namespace

std::string_view JsonValueAt(std::string_view text, size_t at) {
  size_t i = at;
  SkipBlank(text, &i);
  size_t start = i;
  if (!SkipValue(text, &i)) return {};
  return text.substr(start, i - start);
}

std::string_view JsonMember(std::string_view object, std::string_view key) {
  std::string_view result;
  ForEachMember(object, [&](std::string_view name, std::string_view value) {
    if (name != key) return false;
    result = value;
    return true;
  });
  return result;
}

template <size_t N>
void JsonMembers(std::string_view object, const std::string_view (&keys)[N],
                 std::string_view (&out)[N]) {
  size_t left = N;
  for (auto& o : out) o = {};
  ForEachMember(object, [&](std::string_view name, std::string_view value) {
    for (size_t k = 0; k < N; ++k) {
      if (out[k].empty() && name == keys[k]) {
        out[k] = value;
        return --left == 0;
      }
    }
    return false;
  });
}
template void JsonMembers<3>(std::string_view, const std::string_view (&)[3],
                             std::string_view (&)[3]);


std::string JsonStringValue(std::string_view v) {
  std::string out;
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return out;
  v = v.substr(1, v.size() - 2);
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c != '\\' || i + 1 >= v.size()) {
      out.push_back(c);
      continue;
    }
    char e = v[++i];
    switch (e) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'u':
        if (i + 4 < v.size()) {
          unsigned long code = strtoul(std::string(v.substr(i + 1, 4)).c_str(), nullptr, 16);
          i += 4;
          if (code < 0x80) {
            out.push_back(static_cast<char>(code));
          } else if (code < 0x800) {
            out.push_back(static_cast<char>(0xc0 | (code >> 6)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
          } else {
            out.push_back(static_cast<char>(0xe0 | (code >> 12)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
          }
        }
        break;
      default: out.push_back(e); break;
    }
  }
  return out;
}

}  // namespace auditlens
