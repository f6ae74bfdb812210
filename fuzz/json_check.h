// A strict JSON checker for the fuzz targets and the hostile-input tests: is a line exactly one JSON
// value (RFC 8259), with every string valid UTF-8 (no overlong forms, no surrogates, nothing past
// U+10FFFF), no raw control characters, properly escaped, and nesting within a limit?
//
// Contract: CheckJsonLine never reads past text; returns nullptr when the line is valid, else a
// static description of the first problem. Recursion depth is bounded by max_depth, so hostile
// input cannot overflow the stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace auditlens::jsoncheck {

class Checker {
 public:
  Checker(std::string_view text, int max_depth) : p_(text.data()), end_(p_ + text.size()),
                                                   max_depth_(max_depth) {}

  const char* Run() {
    SkipSpace();
    if (const char* e = Value(0)) return e;
    SkipSpace();
    if (p_ != end_) return "text after the JSON value";
    return nullptr;
  }

 private:
  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r' || *p_ == '\n')) ++p_;
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size()) return false;
    if (std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  const char* Value(int depth) {
    if (p_ == end_) return "missing value";
    switch (*p_) {
      case '{': return Object(depth + 1);
      case '[': return Array(depth + 1);
      case '"': return String();
      case 't': return Literal("true") ? nullptr : "bad literal";
      case 'f': return Literal("false") ? nullptr : "bad literal";
      case 'n': return Literal("null") ? nullptr : "bad literal";
      default: return Number();
    }
  }

  const char* Object(int depth) {
    if (depth > max_depth_) return "nesting too deep";
    ++p_;  // {
    SkipSpace();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return nullptr;
    }
    for (;;) {
      SkipSpace();
      if (p_ == end_ || *p_ != '"') return "object key is not a string";
      if (const char* e = String()) return e;
      SkipSpace();
      if (p_ == end_ || *p_ != ':') return "missing ':' in object";
      ++p_;
      SkipSpace();
      if (const char* e = Value(depth)) return e;
      SkipSpace();
      if (p_ == end_) return "unterminated object";
      if (*p_ == '}') {
        ++p_;
        return nullptr;
      }
      if (*p_ != ',') return "missing ',' in object";
      ++p_;
    }
  }

  const char* Array(int depth) {
    if (depth > max_depth_) return "nesting too deep";
    ++p_;  // [
    SkipSpace();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return nullptr;
    }
    for (;;) {
      SkipSpace();
      if (const char* e = Value(depth)) return e;
      SkipSpace();
      if (p_ == end_) return "unterminated array";
      if (*p_ == ']') {
        ++p_;
        return nullptr;
      }
      if (*p_ != ',') return "missing ',' in array";
      ++p_;
    }
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  const char* Number() {
    const char* start = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return "bad value";
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && IsDigit(*p_)) ++p_;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return "bad fraction";
      while (p_ != end_ && IsDigit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return "bad exponent";
      while (p_ != end_ && IsDigit(*p_)) ++p_;
    }
    return p_ == start ? "bad value" : nullptr;
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // Four hex digits after \u; returns -1 when they are not.
  int32_t Hex4() {
    if (end_ - p_ < 4) return -1;
    int32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = Hex(p_[i]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    p_ += 4;
    return v;
  }

  // One UTF-8 sequence starting at p_ (a byte >= 0x80), strictly (RFC 3629).
  const char* Utf8() {
    const auto* s = reinterpret_cast<const unsigned char*>(p_);
    size_t left = static_cast<size_t>(end_ - p_);
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return "invalid UTF-8 lead byte";
    }
    if (left < len) return "truncated UTF-8 sequence";
    for (size_t i = 1; i < len; ++i) {
      if ((s[i] & 0xc0) != 0x80) return "invalid UTF-8 continuation byte";
      cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return "overlong UTF-8";
    if (cp >= 0xd800 && cp <= 0xdfff) return "UTF-8 encoded surrogate";
    if (cp > 0x10ffff) return "UTF-8 past U+10FFFF";
    p_ += len;
    return nullptr;
  }

  const char* String() {
    ++p_;  // opening quote
    for (;;) {
      if (p_ == end_) return "unterminated string";
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return nullptr;
      }
      if (c < 0x20) return "raw control character in string";
      if (c == '\\') {
        ++p_;
        if (p_ == end_) return "unterminated escape";
        char e = *p_++;
        switch (e) {
          case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            break;
          case 'u': {
            int32_t u = Hex4();
            if (u < 0) return "bad \\u escape";
            if (u >= 0xd800 && u <= 0xdbff) {
              // A high surrogate must be followed by an escaped low one.
              if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return "lone high surrogate";
              p_ += 2;
              int32_t low = Hex4();
              if (low < 0xdc00 || low > 0xdfff) return "bad low surrogate";
            } else if (u >= 0xdc00 && u <= 0xdfff) {
              return "lone low surrogate";
            }
            break;
          }
          default:
            return "unknown escape";
        }
        continue;
      }
      if (c >= 0x80) {
        if (const char* e = Utf8()) return e;
        continue;
      }
      ++p_;
    }
  }

  const char* p_;
  const char* end_;
  int max_depth_;
};

inline const char* CheckJsonLine(std::string_view line, int max_depth = 64) {
  return Checker(line, max_depth).Run();
}

// Every '\n'-terminated line of text is one valid JSON object. Returns nullptr or the problem.
inline const char* CheckJsonLines(std::string_view text, size_t* bad_line = nullptr) {
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      if (bad_line) *bad_line = number;
      return "last line has no newline";
    }
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    if (line.empty() || line.front() != '{') {
      if (bad_line) *bad_line = number;
      return "line is not a JSON object";
    }
    if (const char* e = CheckJsonLine(line)) {
      if (bad_line) *bad_line = number;
      return e;
    }
  }
  return nullptr;
}

}  // namespace auditlens::jsoncheck
