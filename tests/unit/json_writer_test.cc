// src/output/json_writer: always valid JSON and valid UTF-8, with an exact, reversible
// percent-encoding for values that are not UTF-8.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>

#include "output/json_writer.h"

namespace auditlens {
namespace {

// Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing above U+10FFFF.
bool StrictUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int n;
    uint32_t cp;
    if (c >= 0xc0 && c <= 0xdf) {
      n = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf7) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated
    for (int k = 1; k <= n; ++k) {
      unsigned char cc = s[i + k];
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Parses one JSON string literal (RFC 8259: no raw control characters, only the defined escapes)
// at s[*pos] and returns its decoded bytes, or nothing when it is not a valid literal.
std::optional<std::string> ParseJsonString(std::string_view s, size_t* pos) {
  size_t i = *pos;
  if (i >= s.size() || s[i] != '"') return std::nullopt;
  ++i;
  std::string out;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c == '"') {
      *pos = i + 1;
      return out;
    }
    if (c < 0x20) return std::nullopt;
    if (c != '\\') {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (++i >= s.size()) return std::nullopt;
    switch (s[i]) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        if (i + 4 >= s.size()) return std::nullopt;
        uint32_t cp = 0;
        for (int k = 1; k <= 4; ++k) {
          int h = HexValue(s[i + k]);
          if (h < 0) return std::nullopt;
          cp = cp * 16 + static_cast<uint32_t>(h);
        }
        if (cp >= 0xd800 && cp <= 0xdfff) return std::nullopt;  // the writer never needs pairs
        AppendUtf8(cp, &out);
        i += 4;
        break;
      }
      default: return std::nullopt;
    }
    ++i;
  }
  return std::nullopt;
}

// Reverses the percent-encoding: %XX → byte XX. Anything else malformed → nothing.
std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

struct Written {
  std::string json;
  bool encoded;
};

Written Write(std::string_view bytes) {
  Written w;
  JsonWriter jw(&w.json);
  w.encoded = jw.String(bytes);
  return w;
}

// The checker above is strict: it must reject what it is meant to reject, or the tests below
// prove nothing.
TEST(JsonTestHelpers, StrictUtf8RejectsInvalid) {
  EXPECT_TRUE(StrictUtf8("abc \xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80"));
  EXPECT_FALSE(StrictUtf8("\xc0\x80"));              // overlong NUL
  EXPECT_FALSE(StrictUtf8("\xc1\xbf"));              // overlong
  EXPECT_FALSE(StrictUtf8("\xe0\x80\xaf"));          // overlong '/'
  EXPECT_FALSE(StrictUtf8("\xf0\x80\x80\xaf"));      // overlong '/'
  EXPECT_FALSE(StrictUtf8("\xed\xa0\x80"));          // surrogate U+D800
  EXPECT_FALSE(StrictUtf8("\xf4\x90\x80\x80"));      // U+110000
  EXPECT_FALSE(StrictUtf8("\xc3"));                  // truncated
  EXPECT_FALSE(StrictUtf8("\x80"));                  // lone continuation
  EXPECT_FALSE(StrictUtf8("\xff"));
  size_t pos = 0;
  EXPECT_FALSE(ParseJsonString("\"a\nb\"", &pos).has_value());
  pos = 0;
  EXPECT_FALSE(ParseJsonString("\"a\\qb\"", &pos).has_value());
  pos = 0;
  EXPECT_FALSE(ParseJsonString("\"abc", &pos).has_value());
  EXPECT_FALSE(PercentDecode("%4").has_value());
  EXPECT_FALSE(PercentDecode("%G0").has_value());
}

// Commas, colons and nesting come out right without the caller managing separators.
TEST(JsonWriter, Structure) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("a");
  w.Int(-5);
  w.Key("b");
  w.BeginArray();
  w.UInt(1);
  w.String("x");
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.Bool(true);
  w.Null();
  w.EndArray();
  w.Key("c");
  w.BeginObject();
  w.Key("d");
  w.Raw("1.5");
  w.Key("e");
  w.Bool(false);
  w.EndObject();
  w.EndObject();
  EXPECT_EQ(out, R"({"a":-5,"b":[1,"x",{},[],true,null],"c":{"d":1.5,"e":false}})");
}

// Two documents written one after the other with fresh writers do not share separator state.
TEST(JsonWriter, FreshWriterPerLine) {
  std::string out;
  for (int i = 0; i < 2; ++i) {
    JsonWriter w(&out);
    w.BeginObject();
    w.Key("i");
    w.Int(i);
    w.EndObject();
    out.push_back('\n');
  }
  EXPECT_EQ(out, "{\"i\":0}\n{\"i\":1}\n");
}

// Integer extremes are written exactly.
TEST(JsonWriter, IntegerExtremes) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  w.Int(std::numeric_limits<int64_t>::min());
  w.Int(std::numeric_limits<int64_t>::max());
  w.UInt(std::numeric_limits<uint64_t>::max());
  w.UInt(0);
  w.EndArray();
  EXPECT_EQ(out, "[-9223372036854775808,9223372036854775807,18446744073709551615,0]");
}

// Quotes, backslashes and every control character are escaped the JSON way; the string stays
// "not percent-encoded".
TEST(JsonWriter, ControlCharactersAreEscaped) {
  Written w = Write(std::string("a\"b\\c\nd\te\rf\x01g\x1f\x7fh\0i", 18));
  EXPECT_FALSE(w.encoded);
  EXPECT_EQ(w.json, "\"a\\\"b\\\\c\\nd\\te\\rf\\u0001g\\u001F\\u007Fh\\u0000i\"");
  for (int c = 0; c < 0x20; ++c) {
    Written one = Write(std::string(1, static_cast<char>(c)));
    size_t pos = 0;
    auto back = ParseJsonString(one.json, &pos);
    ASSERT_TRUE(back.has_value()) << c;
    EXPECT_EQ(*back, std::string(1, static_cast<char>(c)));
  }
}

// Valid multi-byte UTF-8 is kept as it is, and '%' in a valid string is not touched.
TEST(JsonWriter, ValidUtf8IsKept) {
  const std::string s = "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80 100% \xef\xbf\xbf "
                        "\xf4\x8f\xbf\xbf \xc2\x80";
  Written w = Write(s);
  EXPECT_FALSE(w.encoded);
  EXPECT_EQ(w.json, "\"" + s + "\"");
}

// Bytes that are not UTF-8 are percent-encoded, '%' itself becomes %25, valid sequences in the
// same string stay, and String() says so.
TEST(JsonWriter, InvalidBytesArePercentEncoded) {
  Written w = Write("/tmp/cap/\xff\xfe 50% caf\xc3\xa9\n");
  EXPECT_TRUE(w.encoded);
  EXPECT_EQ(w.json, "\"/tmp/cap/%FF%FE 50%25 caf\xc3\xa9\\n\"");
}

// Overlong encodings, surrogates, code points above U+10FFFF, truncated sequences and lone
// continuation bytes are all invalid: every one of their bytes is encoded.
TEST(JsonWriter, InvalidSequences) {
  struct Case {
    std::string in;
    std::string out;
  } cases[] = {
      {"\xc0\x80", "%C0%80"},
      {"\xc1\xbf", "%C1%BF"},
      {"\xe0\x80\xaf", "%E0%80%AF"},
      {"\xe0\x9f\xbf", "%E0%9F%BF"},
      {"\xf0\x80\x80\xaf", "%F0%80%80%AF"},
      {"\xf0\x8f\xbf\xbf", "%F0%8F%BF%BF"},
      {"\xed\xa0\x80", "%ED%A0%80"},
      {"\xed\xbf\xbf", "%ED%BF%BF"},
      {"\xf4\x90\x80\x80", "%F4%90%80%80"},
      {"\xf5\x80\x80\x80", "%F5%80%80%80"},
      {"\xf8\x88\x80\x80\x80", "%F8%88%80%80%80"},
      {"\xc3", "%C3"},
      {"x\xe4\xb8", "x%E4%B8"},
      {"\xe4\xb8x", "%E4%B8x"},
      {"\x80", "%80"},
      {"\xbf\xbf", "%BF%BF"},
      {"\xfe\xff", "%FE%FF"},
      {"\xed\x9f\xbf\xed\xa0\x80", "\xed\x9f\xbf%ED%A0%80"},  // U+D7FF is fine, U+D800 is not
  };
  for (const Case& c : cases) {
    Written w = Write(c.in);
    EXPECT_TRUE(w.encoded);
    EXPECT_EQ(w.json, "\"" + c.out + "\"");
    EXPECT_TRUE(StrictUtf8(w.json));
  }
}

// Keys are escaped like values.
TEST(JsonWriter, KeysAreEscaped) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("a\"b\n");
  w.Int(1);
  w.EndObject();
  EXPECT_EQ(out, "{\"a\\\"b\\n\":1}");
}

// AppendEscaped appends (no quotes) and leaves what was there.
TEST(JsonWriter, AppendEscapedAppends) {
  std::string out = "prefix:";
  EXPECT_FALSE(JsonWriter::AppendEscaped("a\"b", &out));
  EXPECT_EQ(out, "prefix:a\\\"b");
  EXPECT_TRUE(JsonWriter::AppendEscaped("ok \x01\xff", &out));
  EXPECT_EQ(out, "prefix:a\\\"bok \\u0001%FF");
}

// Random byte strings: the output is always one valid JSON string literal in valid UTF-8; when
// String() returns false it decodes to the input exactly, when true the percent-decoding of the
// decoded literal gives the input back exactly.
TEST(JsonWriter, RandomBytesAreValidAndReversible) {
  std::mt19937 rng(2024);
  const char* pieces[] = {"%", "a", " ", "\"", "\\", "\n", "\x01", "\x7f", "\xc3\xa9",
                          "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xc0\x80",
                          "\xe0\x80\xaf", "\xf4\x90\x80\x80", "%25", "%ZZ"};
  int encoded = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string in;
    int n = static_cast<int>(rng() % 24);
    for (int k = 0; k < n; ++k) {
      switch (rng() % 3) {
        case 0: in.push_back(static_cast<char>(rng() & 0xff)); break;
        case 1: in.push_back(static_cast<char>(0x80 | (rng() & 0x7f))); break;
        default: in += pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))]; break;
      }
    }
    Written w = Write(in);
    ASSERT_TRUE(StrictUtf8(w.json)) << testing::PrintToString(in);
    size_t pos = 0;
    auto literal = ParseJsonString(w.json, &pos);
    ASSERT_TRUE(literal.has_value()) << w.json;
    ASSERT_EQ(pos, w.json.size()) << w.json;
    ASSERT_EQ(w.encoded, !StrictUtf8(in)) << testing::PrintToString(in);
    if (w.encoded) {
      ++encoded;
      auto back = PercentDecode(*literal);
      ASSERT_TRUE(back.has_value()) << w.json;
      ASSERT_EQ(*back, in) << w.json;
    } else {
      ASSERT_EQ(*literal, in) << w.json;
    }
  }
  EXPECT_GT(encoded, 1000);  // the generator does exercise both paths
  EXPECT_LT(encoded, 19000);
}

}  // namespace
}  // namespace auditlens

namespace auditlens {
namespace {

// One document written through both modes: kScratch (pointer writes into a reused buffer) must
// give byte for byte what kExact appends, whatever the buffer held before, across escaped and
// percent-encoded strings, escaped keys, and documents larger than a growth block.
void WriteDocument(JsonWriter& w, size_t long_len) {
  w.BeginObject();
  w.Key("plain");
  w.String("value");
  w.Key(std::string_view("needs \"escape\"\n"));
  w.String(std::string("tab\there\x01", 10));
  w.Key("bytes");
  EXPECT_TRUE(w.String(std::string_view("\xff\xfe%", 3)));
  w.Key("long");
  w.String(std::string(long_len, 'x'));
  w.Key("n");
  w.Int(-42);
  w.Key("u");
  w.UInt(18446744073709551615ull);
  w.Key("list");
  w.BeginArray();
  w.Bool(true);
  w.Null();
  w.Raw("{\"kept\":1}");
  w.EndArray();
  w.EndObject();
}

TEST(JsonWriter, ScratchModeWritesWhatExactModeWrites) {
  std::string scratch;
  for (size_t long_len : {3000u, 10u, 20000u, 0u, 70u}) {
    std::string exact = "prefix:";
    {
      JsonWriter w(&exact);
      WriteDocument(w, long_len);
    }
    JsonWriter s(&scratch, JsonWriter::kScratch);
    WriteDocument(s, long_len);
    EXPECT_EQ("prefix:" + std::string(s.Since(0)), exact) << long_len;
    EXPECT_EQ(s.size(), exact.size() - 7);
  }
}

}  // namespace
}  // namespace auditlens
