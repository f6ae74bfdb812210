#include "output/json_writer.h"

#include <emmintrin.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace auditlens {
namespace {

// 0: copy as is; 1: needs escaping (control, quote, backslash); 2: non-ASCII.
struct ByteClass {
  uint8_t cls[256];
  constexpr ByteClass() : cls() {
    for (int i = 0; i < 256; ++i) cls[i] = i < 0x20 ? 1 : (i >= 0x80 ? 2 : 0);
    cls['"'] = 1;
    cls['\\'] = 1;
    cls[0x7f] = 1;
  }
};
constexpr ByteClass kClass;
constexpr char kHex[] = "0123456789ABCDEF";

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid (overlongs and surrogates too).
size_t Utf8Length(const unsigned char* s, size_t n) {
  unsigned char c = s[0];
  if (c >= 0xc2 && c <= 0xdf) {
    return (n >= 2 && (s[1] & 0xc0) == 0x80) ? 2 : 0;
  }
  if (c >= 0xe0 && c <= 0xef) {
    if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80) return 0;
    if (c == 0xe0 && s[1] < 0xa0) return 0;  // overlong
    if (c == 0xed && s[1] > 0x9f) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80) return 0;
    if (c == 0xf0 && s[1] < 0x90) return 0;
    if (c == 0xf4 && s[1] > 0x8f) return 0;
    return 4;
  }
  return 0;
}

void AppendControl(unsigned char c, std::string* out) {
  switch (c) {
    case '"': out->append("\\\""); return;
    case '\\': out->append("\\\\"); return;
    case '\n': out->append("\\n"); return;
    case '\t': out->append("\\t"); return;
    case '\r': out->append("\\r"); return;
    default: {
      char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out->append(buf, 6);
    }
  }
}

// The rare path: a value that is not UTF-8. Valid sequences stay, other bytes and '%' become %XX.
void AppendPercentEncoded(const unsigned char* s, size_t n, std::string* out) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    uint8_t cls = kClass.cls[c];
    if (cls == 0 && c != '%') {
      out->push_back(static_cast<char>(c));
      ++i;
    } else if (cls == 1) {
      AppendControl(c, out);
      ++i;
    } else if (size_t len = (cls == 2 ? Utf8Length(s + i, n - i) : 0); len != 0) {
      out->append(reinterpret_cast<const char*>(s + i), len);
      i += len;
    } else {
      char buf[3] = {'%', kHex[c >> 4], kHex[c & 15]};
      out->append(buf, 3);
      ++i;
    }
  }
}

// The index of the first byte at or after i that is not plain ASCII to copy as is, or n. Sixteen
// bytes at a time: most values (paths, names, numbers) are plain, so this is the whole cost.
inline size_t ScanPlain(const unsigned char* s, size_t i, size_t n) {
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i del = _mm_set1_epi8(0x7f);
  while (i + 16 <= n) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    // Signed compare: bytes >= 0x80 are negative, so "< 0x20" also catches non-ASCII.
    __m128i special = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
        _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)));
    int mask = _mm_movemask_epi8(special);
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    i += 16;
  }
  while (i < n && kClass.cls[s[i]] == 0) ++i;
  return i;
}

}  // namespace

bool JsonWriter::AppendEscaped(std::string_view bytes, std::string* out) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t start = out->size();
  size_t run = 0;  // start of the pending run of bytes to copy unchanged
  size_t i = 0;
  while (i < n) {
    i = ScanPlain(s, i, n);
    if (i == n) break;
    uint8_t cls = kClass.cls[s[i]];
    if (cls == 2) {
      size_t len = Utf8Length(s + i, n - i);
      if (len == 0) {
        out->resize(start);
        AppendPercentEncoded(s, n, out);
        return true;
      }
      i += len;
    } else {
      out->append(bytes.data() + run, i - run);
      AppendControl(s[i], out);
      run = ++i;
    }
  }
  out->append(bytes.data() + run, n - run);
  return false;
}

bool JsonWriter::PutEscaped(std::string_view bytes) {
  if (!scratch_) return AppendEscaped(bytes, out_);
  // The scratch buffer's bytes past len_ are not its contents: escape aside, then copy in.
  thread_local std::string escaped;
  escaped.clear();
  const bool percent = AppendEscaped(bytes, &escaped);
  Put(escaped.data(), escaped.size());
  return percent;
}

void JsonWriter::Grow(size_t n) {
  // Blocks of 4 KiB at least (an event is 1-2 KiB): a scratch buffer reaches its size once.
  out_->resize(len_ + std::max<size_t>(n, 4096));
}

void JsonWriter::Key(std::string_view key) {
  Separate();
  const auto* k = reinterpret_cast<const unsigned char*>(key.data());
  if (key.size() <= kMaxPlainKey && ScanPlain(k, 0, key.size()) == key.size()) {
    // The common case, a plain field name: one append of "name": instead of three.
    char buf[kMaxPlainKey + 3];
    buf[0] = '"';
    std::memcpy(buf + 1, key.data(), key.size());
    buf[key.size() + 1] = '"';
    buf[key.size() + 2] = ':';
    Put(buf, key.size() + 3);
  } else {
    PutChar('"');
    PutEscaped(key);
    Put("\":", 2);
  }
  after_key_ = true;
}

bool JsonWriter::String(std::string_view bytes) {
  Separate();
  const size_t n = bytes.size();
  const bool plain = ScanPlain(reinterpret_cast<const unsigned char*>(bytes.data()), 0, n) == n;
  if (plain && n <= kMaxShortString) {
    // Most values are short and plain (an id, a name, "ipv4"): one append of "value" instead of
    // three (each append pays the string's capacity check and a call).
    char buf[kMaxShortString + 2];
    buf[0] = '"';
    std::memcpy(buf + 1, bytes.data(), n);
    buf[n + 1] = '"';
    Put(buf, n + 2);
    return false;
  }
  if (plain) {
    PutChar('"');
    Put(bytes.data(), n);
    PutChar('"');
    return false;
  }
  PutChar('"');
  bool percent = PutEscaped(bytes);
  PutChar('"');
  return percent;
}

void JsonWriter::Int(int64_t v) {
  Separate();
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  Put(buf, static_cast<size_t>(p - buf));
}

void JsonWriter::UInt(uint64_t v) {
  Separate();
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  Put(buf, static_cast<size_t>(p - buf));
}

}  // namespace auditlens
