// common/lexical_path.h: "." and ".." resolved and slashes folded, in place.
#include "common/lexical_path.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace auditlens {
namespace {

std::string Normal(std::string p, bool keep_trailing_slash = false) {
  NormalizeAbsolutePath(&p, keep_trailing_slash);
  return p;
}

TEST(LexicalPath, ResolvesDotsAndSlashes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/", "/"},
      {"//", "/"},
      {"/.", "/"},
      {"/..", "/"},
      {"/../../x", "/x"},
      {"/a/b/c", "/a/b/c"},
      {"/a//b///c", "/a/b/c"},
      {"/a/./b/.", "/a/b"},
      {"/a/b/..", "/a"},
      {"/a/b/../..", "/"},
      {"/var/lib/apt/lists/../../../../etc/shadow", "/etc/shadow"},
      {"/a/..b/c", "/a/..b/c"},   // "..b" is a name
      {"/a/.b/c.", "/a/.b/c."},
      {"/a/.../b", "/a/.../b"},
      {"/a/b/", "/a/b"},
      {"relative/../x", "relative/../x"},  // not absolute: left as it is
      {"", ""},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(Normal(in), want) << in;
}

TEST(LexicalPath, KeepsATrailingSlashWhenAsked) {
  EXPECT_EQ(Normal("/tmp/", true), "/tmp/");
  EXPECT_EQ(Normal("/tmp/./x/../", true), "/tmp/");
  EXPECT_EQ(Normal("/tmp//", true), "/tmp/");
  EXPECT_EQ(Normal("/", true), "/");
  EXPECT_EQ(Normal("/tmp", true), "/tmp");
}

}  // namespace
}  // namespace auditlens
