// src/common/json_value: the one JSON reader (the timeline's store columns, `auditlens status`'s
// status file). What its readers rely on: members in the order written (duplicates kept, the
// first one found), numbers kept as their text, strings decoded exactly (so that what JsonWriter
// wrote comes back byte for byte when written again), and anything that is not JSON refused.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "output/json_writer.h"
#include "common/json_value.h"

namespace auditlens {
namespace {

JsonValue Parsed(std::string_view text) {
  JsonValue v;
  EXPECT_TRUE(JsonValue::Parse(text, &v)) << text;
  return v;
}

// v written again by JsonWriter: numbers as their text, strings escaped the writer's way.
void Rewrite(const JsonValue& v, JsonWriter* w) {
  switch (v.type()) {
    case JsonValue::Type::kNull: w->Null(); break;
    case JsonValue::Type::kBool: w->Bool(v.boolean()); break;
    case JsonValue::Type::kNumber: w->Raw(v.text()); break;
    case JsonValue::Type::kString: w->String(v.text()); break;
    case JsonValue::Type::kArray:
      w->BeginArray();
      for (const JsonValue& item : v.items()) Rewrite(item, w);
      w->EndArray();
      break;
    case JsonValue::Type::kObject:
      w->BeginObject();
      for (const auto& [key, member] : v.members()) {
        w->Key(key);
        Rewrite(member, w);
      }
      w->EndObject();
      break;
  }
}

TEST(JsonValue, MembersInTheOrderWrittenWithDuplicates) {
  const JsonValue v = Parsed(R"({"b":1,"a":{"y":2,"x":3},"b":4})");
  ASSERT_TRUE(v.is_object());
  ASSERT_EQ(v.members().size(), 3u);
  EXPECT_EQ(v.members()[0].first, "b");
  EXPECT_EQ(v.members()[1].first, "a");
  EXPECT_EQ(v.members()[2].first, "b");
  EXPECT_EQ(v["a"].members()[0].first, "y");
  EXPECT_EQ(v["b"].text(), "1");  // the first of two
  EXPECT_TRUE(v["missing"].is_null());
  EXPECT_EQ(v.Str("missing"), "");
}

TEST(JsonValue, NumbersKeepTheirText) {
  const JsonValue v = Parsed(R"({"a":-1.5e3,"b":0.50,"c":18446744073709551615,"d":0})");
  EXPECT_EQ(v["a"].text(), "-1.5e3");
  EXPECT_DOUBLE_EQ(v["a"].number(), -1500);
  EXPECT_EQ(v["b"].text(), "0.50");
  EXPECT_EQ(v["c"].text(), "18446744073709551615");  // beyond a double's exact range
  EXPECT_TRUE(v["d"].is_number());
}

TEST(JsonValue, ScalarsAndTheirText) {
  const JsonValue v = Parsed(R"({"t":true,"f":false,"n":null,"s":"false"})");
  EXPECT_TRUE(v["t"].boolean());
  EXPECT_EQ(v["t"].text(), "true");
  EXPECT_FALSE(v["f"].boolean());
  EXPECT_EQ(v["f"].text(), "false");
  EXPECT_TRUE(v["n"].is_null());
  EXPECT_FALSE(v.Has("n"));
  EXPECT_TRUE(v["s"].is_string());
  EXPECT_FALSE(v["s"].boolean());
}

TEST(JsonValue, StringsDecodeExactly) {
  const JsonValue v = Parsed(R"(["q\"b\\s\/", "\b\f\n\r\t", "\u0001\u00e9\u20ac", "\ud83d\ude00", "spöol"])");
  ASSERT_EQ(v.items().size(), 5u);
  EXPECT_EQ(v.items()[0].text(), "q\"b\\s/");
  EXPECT_EQ(v.items()[1].text(), "\b\f\n\r\t");
  EXPECT_EQ(v.items()[2].text(), "\x01\xc3\xa9\xe2\x82\xac");
  EXPECT_EQ(v.items()[3].text(), "\xf0\x9f\x98\x80");
  EXPECT_EQ(v.items()[4].text(), "spöol");
}

TEST(JsonValue, WhatJsonWriterWroteComesBackByteForByte) {
  std::string doc;
  JsonWriter w(&doc);
  w.BeginObject();
  w.Key("plain"); w.String("watching");
  w.Key("error"); w.String("connection to \"host=db\" failed:\n\tFATAL \x01 back\\slash");
  w.Key("utf8"); w.String("/var/lib/auditlens/spöol €");
  w.Key("bytes"); w.String(std::string_view("a\xff" "b%", 4));  // percent-encoded
  w.Key("k\"ey\n"); w.UInt(18446744073709551615u);
  w.Key("neg"); w.Int(-7);
  w.Key("list");
  w.BeginArray(); w.Bool(true); w.Null(); w.BeginObject(); w.EndObject(); w.BeginArray(); w.EndArray();
  w.EndArray();
  w.EndObject();

  const JsonValue v = Parsed(doc);
  std::string again;
  JsonWriter w2(&again);
  Rewrite(v, &w2);
  EXPECT_EQ(again, doc);
}

TEST(JsonValue, RefusesWhatIsNotJson) {
  std::string deep(66, '[');  // 65 levels below the top
  deep += std::string(66, ']');
  const std::vector<std::string> bad_texts = {
      "", " ", "{", "{}x", R"({"a":1}{})", R"({"a":})", R"({"a" 1})", R"({a:1})", "[1,]",
      R"({"a":1,})", R"({"x":1-2})", R"(["\x"])", "[\"tab\there\"]", R"(["\u12"])",
      R"(["open)", "tru", "nul", "'a'", deep};
  for (const std::string& bad : bad_texts) {
    JsonValue v;
    EXPECT_FALSE(JsonValue::Parse(bad, &v)) << bad;
    EXPECT_TRUE(v.is_null()) << bad;  // and nothing half-read is left
  }
  std::string ok_deep(65, '[');
  ok_deep += std::string(65, ']');
  JsonValue v;
  EXPECT_TRUE(JsonValue::Parse(ok_deep, &v));
  EXPECT_TRUE(JsonValue::Parse(" {\"a\" : [ 1 , 2 ] }\n", &v));
}

}  // namespace
}  // namespace auditlens
