// Appends JSON to a std::string, with no allocation beyond the string's own growth.
//
// Strings are written as given when they are valid UTF-8. A string that is not (file names are
// bytes, not text) is written percent-encoded: every byte that is not part of a valid UTF-8
// sequence, and every '%', becomes %XX; String() then returns true so the caller can list the
// field in the event's "encoded" array. Decoding is exact: for a listed field, replace each %XX
// by the byte XX. Control characters are escaped the JSON way (\n, \u0001) in both cases.
// Nesting is tracked for up to 64 levels (the formatter uses a handful).
//
// Two ways to hold the output. By default (kExact) the writer appends to *out, which is always
// exactly what was written. With kScratch (the event formatter: ~100 appends per event) *out is a
// scratch buffer the writer owns while it lives: it writes from its start through a pointer, so
// an append is a copy and a length update instead of a call into std::string with its capacity
// checks, and the buffer keeps its size between writers (grown, never cut: no zero-filling per
// event). What was written is Since(0), size() bytes; the bytes after it mean nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace auditlens {

class JsonWriter {
 public:
  enum Mode { kExact, kScratch };
  explicit JsonWriter(std::string* out, Mode mode = kExact)
      : out_(out), scratch_(mode == kScratch), len_(scratch_ ? 0 : out->size()) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void BeginObject() { Separate(); PutChar('{'); Push(); }
  void EndObject() { Pop(); PutChar('}'); }
  void BeginArray() { Separate(); PutChar('['); Push(); }
  void EndArray() { Pop(); PutChar(']'); }
  // Keys are program constants or record field names; they are escaped all the same.
  void Key(std::string_view key);
  // A string literal: its length is known when compiled, and so (the compiler folds the check) is
  // whether it is a plain name needing no escapes: then it is copied as is. A literal that needs
  // escaping, and any other char array, take the general path.
  template <size_t N>
  [[gnu::always_inline]] inline void Key(const char (&key)[N]) {
    const size_t n = __builtin_strlen(key);
    if (__builtin_constant_p(n) && n + 1 == N && n <= kMaxPlainKey &&
        IsPlainName(key, std::make_index_sequence<N - 1>())) {
      Separate();
      char buf[kMaxPlainKey + 3];
      buf[0] = '"';
      std::memcpy(buf + 1, key, n);
      buf[n + 1] = '"';
      buf[n + 2] = ':';
      Put(buf, n + 3);
      after_key_ = true;
    } else {
      Key(std::string_view(key, n));
    }
  }
  // Returns true when the value had to be percent-encoded (not valid UTF-8).
  bool String(std::string_view bytes);
  void Int(int64_t v);
  void UInt(uint64_t v);
  void Bool(bool v) {
    Separate();
    if (v) {
      Put("true", 4);
    } else {
      Put("false", 5);
    }
  }
  void Null() { Separate(); Put("null", 4); }
  // Already-formatted JSON (a number kept as the kernel wrote it, a nested document).
  void Raw(std::string_view json) { Separate(); Put(json.data(), json.size()); }

  // Where the output stands, and what was written since: used to keep a rendered member.
  size_t size() const { return scratch_ ? len_ : out_->size(); }
  std::string_view Since(size_t pos) const {
    return std::string_view(out_->data() + pos, size() - pos);
  }

  // Writes the escaped form of bytes (no quotes); returns true if percent-encoded.
  static bool AppendEscaped(std::string_view bytes, std::string* out);
  // The same between quotes: a whole JSON string.
  static bool AppendQuoted(std::string_view bytes, std::string* out) {
    out->push_back('"');
    bool encoded = AppendEscaped(bytes, out);
    out->push_back('"');
    return encoded;
  }

 private:
  static constexpr size_t kMaxPlainKey = 60;
  static constexpr size_t kMaxShortString = 62;
  static constexpr bool IsPlainChar(char ch) {
    const unsigned char c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  }
  // Straight-line over the literal's bytes, so that the compiler folds it to a constant.
  template <size_t N, size_t... I>
  [[gnu::always_inline]] static bool IsPlainName(const char (&s)[N], std::index_sequence<I...>) {
    return (IsPlainChar(s[I]) && ...);
  }
  [[gnu::always_inline]] void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_ > 0) {
      uint64_t bit = 1ull << ((depth_ - 1) & 63);
      if (has_item_ & bit) PutChar(',');
      has_item_ |= bit;
    }
  }
  // Room for n more bytes past len_ (kScratch), growing *out by at least a block.
  [[gnu::always_inline]] char* Room(size_t n) {
    if (out_->size() - len_ < n) Grow(n);
    return out_->data() + len_;
  }
  void Grow(size_t n);
  [[gnu::always_inline]] void Put(const char* p, size_t n) {
    if (scratch_) {
      std::memcpy(Room(n), p, n);
      len_ += n;
    } else {
      out_->append(p, n);
    }
  }
  [[gnu::always_inline]] void PutChar(char c) {
    if (scratch_) {
      *Room(1) = c;
      ++len_;
    } else {
      out_->push_back(c);
    }
  }
  // The escaped form of bytes (AppendEscaped), written like any other; true if percent-encoded.
  bool PutEscaped(std::string_view bytes);
  void Push() { ++depth_; has_item_ &= ~(1ull << ((depth_ - 1) & 63)); }
  void Pop() { --depth_; }

  std::string* out_;
  bool scratch_;
  size_t len_;  // bytes written (kScratch; with kExact, out_->size() is)
  int depth_ = 0;
  uint64_t has_item_ = 0;  // a bit per nesting level: something was written at that level
  bool after_key_ = false;
};

}  // namespace auditlens
