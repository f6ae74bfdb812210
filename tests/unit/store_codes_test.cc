// Store schema version 6's codes (src/store/store_codes.h): every code reads back as the text it
// stands for, and what has not the expected form is kept as text.
#include <gtest/gtest.h>

#include <string>

#include "store/rows.h"
#include "store/store_codes.h"

namespace auditlens {
namespace {

TEST(StoreCodes, NamesOfClosedSetsRoundTrip) {
  for (int k = 0; k <= static_cast<int>(EventKind::kLogout); ++k) {
    const std::string_view name = EventKindName(static_cast<EventKind>(k));
    EXPECT_EQ(KindCode(name), k) << name;  // the EventKind value the recorder puts in the row
    EXPECT_EQ(KindName(k), name);
  }
  for (Outcome o : {Outcome::kUnknown, Outcome::kSuccess, Outcome::kFailure}) {
    EXPECT_EQ(OutcomeCode(OutcomeName(o)), static_cast<int64_t>(o));
    EXPECT_EQ(OutcomeNameOf(static_cast<int64_t>(o)), OutcomeName(o));
  }
  for (std::string_view role : {"service", "login-script", "shell", "command"}) {
    EXPECT_GT(RoleCode(role), 0);
    EXPECT_EQ(RoleName(RoleCode(role)), role);
  }
  EXPECT_EQ(RoleCode(""), -1);
  EXPECT_EQ(RoleCode("admin"), -1);
  EXPECT_EQ(KindCode("nonsense"), -1);
  EXPECT_TRUE(KindName(99).empty());
  for (std::string_view origin : {"exec", "fork", "proc", "seen"}) {
    EXPECT_EQ(OriginName(OriginCode(origin)), origin);
  }
}

TEST(StoreCodes, EntityIdsOf16HexDigitsOnly) {
  int64_t code = 0;
  for (std::string id : {"0000000000000000", "ffffffffffffffff", "8000000000000000",
                         "0123456789abcdef", "fedcba9876543210"}) {
    ASSERT_TRUE(EntityCode(id, &code)) << id;
    EXPECT_EQ(EntityText(code), id);
  }
  EXPECT_FALSE(EntityCode("0123456789ABCDEF", &code));  // upper case: kept as text
  EXPECT_FALSE(EntityCode("0123456789abcde", &code));
  EXPECT_FALSE(EntityCode("0123456789abcdef0", &code));
  EXPECT_FALSE(EntityCode("ent77", &code));
  EXPECT_FALSE(EntityCode("", &code));
}

TEST(StoreCodes, SessionKeysExactBothWays) {
  SessionKeys keys;
  int64_t code = 0;
  EXPECT_FALSE(keys.Encode("5f873c66-26", &code));  // no boot known: text
  keys.AddBoot(1, "5f873c66-1111-2222-3333-444455556666");
  keys.AddBoot(2, "0badcafe-1111-2222-3333-444455556666");
  keys.AddBoot(3, "5f873c66-9999-2222-3333-444455556666");  // the same 8 first: the lowest row
  for (std::string id : {"5f873c66-26", "5f873c66-0", "5f873c66-4294967294", "0badcafe-f123456",
                         "5f873c66-f0", "0badcafe-999999999999"}) {
    ASSERT_TRUE(keys.Encode(id, &code)) << id;
    EXPECT_EQ(keys.Decode(code), id);
    EXPECT_EQ(code & 1023, id[0] == '5' ? 1 : 2) << id;
  }
  ASSERT_TRUE(keys.Encode("5f873c66-100", &code));
  EXPECT_LT(code, 1 << 23) << "a small ses is a 3-byte integer";
  for (std::string id : {"5f873c66-026", "5f873c66-", "5f873c66-f", "5f873c66-12a", "deadbeef-1",
                         "5f873c66_1", "s1", "", "5f873c66-9999999999999", "5f873c66--1"}) {
    EXPECT_FALSE(keys.Encode(id, &code)) << id;
  }
  EXPECT_TRUE(keys.Decode((7 << 11) | 9).empty());  // boot 9 unknown
}

TEST(StoreCodes, DetailsCompactAndExpandExactly) {
  const struct {
    std::string detail, action;
  } cases[] = {
      {R"j({"via":"sudo","syscall":"setresuid","uid":0,"euid":0,"from_uid":10002,"from_euid":0})j",
       "setresuid"},
      {R"j({"type":"CRED_ACQ","op":"PAM:setcred","acct":"u00000000","exe":"/usr/sbin/sshd","hostname":"127.0.0.1","addr":"127.0.0.1","terminal":"ssh","res":"success"})j",
       "CRED_ACQ"},
      {R"j({"type":"LOGIN","old-auid":"4294967295","auid":"10000","old-ses":"4294967295","ses":"100","tty":"(none)","res":"1"})j",
       "write"},
      {R"j({"via":"su","syscall":"setreuid","uid":10002,"euid":0})j", "setreuid"},
      {R"j({"via":"su","type":"USER_AUTH","op":"authentication","to":"v000002","from":"u00000002"})j",
       "USER_AUTH"},
      {R"j({"exe":"/usr/bin/env","args":["/usr/bin/env","-i","run-parts"],"cwd":"/"})j", "execve"},
      {R"j({"op":"connect","family":"inet","remote":{"ip":"127.0.0.1","port":41373}})j", "connect"},
      {R"j({"code":0})j", "exit_group"},
      // The action where the detail names another one: not replaced.
      {R"j({"via":"sudo","syscall":"setresgid","uid":0})j", "setresuid"},
      {R"j({"type":"USER_AUTHX","op":"x"})j", "USER_AUTH"},
      // Non-ASCII (UTF-8) bytes pass.
      {"{\"exe\":\"/tmp/caf\xc3\xa9\",\"args\":[\"x\"],\"cwd\":\"/\"}", "execve"},
  };
  for (const auto& c : cases) {
    std::string compact;
    ASSERT_TRUE(CompactDetail(c.detail, c.action, &compact)) << c.detail;
    EXPECT_LT(compact.size(), c.detail.size());
    EXPECT_EQ(ExpandDetail(compact, c.action), c.detail);
  }
  std::string compact;
  // The keys and the repeated action go: a sudo setresuid detail is its numbers and a few bytes.
  ASSERT_TRUE(CompactDetail(cases[0].detail, cases[0].action, &compact));
  EXPECT_EQ(compact.find("setresuid"), std::string::npos);
  EXPECT_LE(compact.size(), 20u) << compact.size();
  EXPECT_FALSE(CompactDetail("{\"a\":1}", "x", &compact)) << "not shorter: kept as text";
  EXPECT_FALSE(CompactDetail(std::string("{\"exe\":\"a\x01\"}"), "x", &compact))
      << "a raw control byte is not JSON text: kept as it is";
  EXPECT_FALSE(CompactDetail("", "x", &compact));
}

TEST(StoreCodes, NamesTable) {
  NameCodes names;
  EXPECT_EQ(names.Find("execve"), -1);
  EXPECT_EQ(names.next(), 1);
  names.Add(1, "execve");
  names.Add(5, "USER_START");
  EXPECT_EQ(names.Find("execve"), 1);
  EXPECT_EQ(names.Name(5), "USER_START");
  EXPECT_TRUE(names.Name(3).empty());
  EXPECT_TRUE(names.Name(0).empty());
  EXPECT_EQ(names.next(), 6);
}

}  // namespace
}  // namespace auditlens
