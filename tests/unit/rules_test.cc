// The rule parser and formatter, without the kernel: auditctl syntax in, libaudit encoding and
// auditctl -l text out.
#include <gtest/gtest.h>
#include <libaudit.h>
#include <linux/audit.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rules/default_rules.h"
#include "rules/encoded_rule.h"
#include "rules/rule_format.h"
#include "rules/rule_loader.h"
#include "rules/rule_parser.h"

namespace auditlens {
namespace {

using Kind = RuleCommand::Kind;

// Parses one line that must give exactly one rule command, and returns its auditctl -l text.
std::string Format(const std::string& line) {
  RuleSet rules = ParseRulesText(line, "t.rules");
  EXPECT_TRUE(rules.ok()) << (rules.errors.empty() ? "" : rules.errors[0].ToString());
  if (rules.commands.size() != 1) return "<" + std::to_string(rules.commands.size()) + " commands>";
  return FormatRule(rules.commands[0].rule);
}

std::string FirstError(const RuleSet& rules) {
  return rules.errors.empty() ? "" : rules.errors[0].ToString();
}

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/auditlens-rules-test-XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ + "/" + name) << text;
  }

 private:
  std::string path_;
};

TEST(RuleParser, SyscallRuleWithArchAndKey) {
  RuleSet rules = ParseRulesText("-a always,exit -F arch=b64 -S execve -k exec\n", "t.rules");
  ASSERT_TRUE(rules.ok()) << FirstError(rules);
  ASSERT_EQ(rules.commands.size(), 1u);
  const RuleCommand& c = rules.commands[0];
  EXPECT_EQ(c.kind, Kind::kAddRule);
  EXPECT_EQ(c.where.file, "t.rules");
  EXPECT_EQ(c.where.line, 1);
  EXPECT_EQ(c.rule.list(), AUDIT_FILTER_EXIT);
  EXPECT_EQ(c.rule.action(), static_cast<uint32_t>(AUDIT_ALWAYS));
  EXPECT_FALSE(c.rule.prepend());
  EXPECT_EQ(FormatRule(c.rule), "-a always,exit -F arch=b64 -S execve -F key=exec");
  EXPECT_TRUE(rules.warnings.empty());
}

TEST(RuleParser, ListAndActionInEitherOrder) {
  EXPECT_EQ(Format("-a exit,always -F arch=b64 -S execve"), "-a always,exit -F arch=b64 -S execve");
  EXPECT_EQ(Format("-a never,exit -F arch=b32 -S open"), "-a never,exit -F arch=b32 -S open");
}

TEST(RuleParser, PrependAndDelete) {
  RuleSet rules = ParseRulesText(
      "-A always,exit -F arch=b64 -S openat -F path=/tmp/x\n"
      "-d always,exit -F arch=b64 -S openat -F path=/tmp/x\n",
      "t");
  ASSERT_TRUE(rules.ok()) << FirstError(rules);
  ASSERT_EQ(rules.commands.size(), 2u);
  EXPECT_EQ(rules.commands[0].kind, Kind::kAddRule);
  EXPECT_TRUE(rules.commands[0].rule.prepend());
  EXPECT_EQ(rules.commands[1].kind, Kind::kDeleteRule);
  EXPECT_FALSE(rules.commands[1].rule.prepend());
  // The same rule as the kernel sees it, whether prepended or not.
  EXPECT_TRUE(rules.commands[0].rule.SameAs(rules.commands[1].rule));
}

TEST(RuleParser, SyscallsCommaAndRepeatedInNumberOrder) {
  EXPECT_EQ(Format("-a always,exit -F arch=b64 -S openat,creat -S open -k f"),
            "-a always,exit -F arch=b64 -S open,creat,openat -F key=f");
  EXPECT_EQ(Format("-a always,exit -F arch=b64 -S all -k everything"),
            "-a always,exit -F arch=b64 -S all -F key=everything");
  EXPECT_EQ(Format("-a always,exit -F arch=b64 -S 59"), "-a always,exit -F arch=b64 -S execve");
  EXPECT_EQ(Format("-a always,exit -F arch=b32 -S execve"), "-a always,exit -F arch=b32 -S execve");
}

TEST(RuleParser, NoSyscallMeansAllOnExitList) {
  EXPECT_EQ(Format("-a never,exit -F pid=1234"), "-a never,exit -S all -F pid=1234");
  EXPECT_EQ(Format("-A never,exit -F pid=42"), "-a never,exit -S all -F pid=42");
  EXPECT_EQ(Format("-a always,task -F uid=0"), "-a always,task -F uid=0");
  EXPECT_EQ(Format("-a always,user -F uid=0"), "-a always,user -F uid=0");
}

TEST(RuleParser, FieldOperators) {
  EXPECT_EQ(Format("-a always,exit -F arch=b64 -S open -F auid>=1000 -F auid!=unset -F uid=0"),
            "-a always,exit -F arch=b64 -S open -F auid>=1000 -F auid!=-1 -F uid=0");
  EXPECT_EQ(Format("-a always,exit -F arch=b64 -S open -F auid>1 -F auid<5 -F auid<=6"),
            "-a always,exit -F arch=b64 -S open -F auid>1 -F auid<5 -F auid<=6");
  EXPECT_EQ(Format("-a always,exit -F arch=b64 -S open -F a1&0x40 -F a2&=3 -F a0!=2"),
            "-a always,exit -F arch=b64 -S open -F a1&0x40 -F a2&=0x3 -F a0!=0x2");
  EXPECT_EQ(Format("-a always,exit -F arch=b64 -S open -F exit=-EACCES -F success=0"),
            "-a always,exit -F arch=b64 -S open -F exit=-EACCES -F success=0");
  EXPECT_EQ(Format("-a always,exit -F arch!=b32 -S open"), "-a always,exit -F arch!=b32 -S open");
  EXPECT_EQ(Format("-a always,exit -F arch=b64 -S unlink -F dir=/tmp -F perm=wa -F inode=123"),
            "-a always,exit -F arch=b64 -S unlink -F dir=/tmp -F perm=wa -F inode=123");
  EXPECT_EQ(Format("-a always,exit -F arch=b64 -S open -F path=/etc/hosts -F loginuid=7"),
            "-a always,exit -F arch=b64 -S open -F path=/etc/hosts -F auid=7");
}

TEST(RuleParser, FieldComparison) {
  EXPECT_EQ(Format("-a always,exit -F arch=b64 -S all -C uid!=euid -C auid=obj_uid -k cmp"),
            "-a always,exit -F arch=b64 -S all -C uid!=euid -C auid=obj_uid -F key=cmp");
}

TEST(RuleParser, KeysJoinedWithSeparator) {
  RuleSet rules =
      ParseRulesText("-a always,exit -F arch=b64 -S open -k a -k b -F key=c\n", "t");
  ASSERT_TRUE(rules.ok()) << FirstError(rules);
  const EncodedRule& rule = rules.commands[0].rule;
  EXPECT_EQ(rule.Keys(), (std::vector<std::string>{"a", "b", "c"}));
  const audit_rule_data& d = rule.data();
  std::string buf(d.buf, d.buflen);
  EXPECT_EQ(buf, std::string("a\x01" "b\x01" "c"));
  EXPECT_EQ(FormatRule(rule), "-a always,exit -F arch=b64 -S open -F key=a -F key=b -F key=c");
}

TEST(RuleParser, KeyTooLong) {
  std::string line = "-a always,exit -F arch=b64 -S open -k " + std::string(200, 'x') + " -k " +
                     std::string(60, 'y');
  RuleSet rules = ParseRulesText(line, "t");
  ASSERT_EQ(rules.errors.size(), 1u);
  EXPECT_NE(rules.errors[0].message.find("too long"), std::string::npos);
}

TEST(RuleParser, WatchOnFileAndDirectory) {
  TempDir dir;
  dir.Write("file", "x");
  const std::string file = dir.path() + "/file";
  RuleSet rules = ParseRulesText("-w " + file + " -p wa -k identity -k second\n" +
                                     "-w " + dir.path() + "/ -p rwxa\n" +
                                     "-w " + dir.path() + "/missing\n" +
                                     "-W " + file + " -p wa -k identity -k second\n",
                                 "t");
  ASSERT_TRUE(rules.ok()) << FirstError(rules);
  ASSERT_EQ(rules.commands.size(), 4u);
  const audit_rule_data& f = rules.commands[0].rule.data();
  EXPECT_EQ(f.fields[0], static_cast<uint32_t>(AUDIT_WATCH));
  EXPECT_EQ(f.fields[1], static_cast<uint32_t>(AUDIT_PERM));
  EXPECT_EQ(f.values[1], static_cast<uint32_t>(AUDIT_PERM_WRITE | AUDIT_PERM_ATTR));
  EXPECT_EQ(FormatRule(rules.commands[0].rule), "-w " + file + " -p wa -k identity -k second");
  // A directory is a dir watch; the trailing slash goes, as auditctl trims it.
  EXPECT_EQ(rules.commands[1].rule.data().fields[0], static_cast<uint32_t>(AUDIT_DIR));
  EXPECT_EQ(FormatRule(rules.commands[1].rule), "-w " + dir.path() + " -p rwxa");
  // No -p: all permissions, as auditctl.
  EXPECT_EQ(FormatRule(rules.commands[2].rule), "-w " + dir.path() + "/missing -p rwxa");
  EXPECT_EQ(rules.commands[3].kind, Kind::kDeleteRule);
  EXPECT_TRUE(rules.commands[3].rule.SameAs(rules.commands[0].rule));
}

TEST(RuleParser, ControlDirectives) {
  RuleSet rules = ParseRulesText(
      "-D\n-b 8192\n-r 100\n--backlog_wait_time 60000\n--backlog_wait_time=10\n-e 1\n-e 0\n"
      "-f 0\n-f 1\n-i\n-c\n-D -k exec\n",
      "t");
  ASSERT_TRUE(rules.ok()) << FirstError(rules);
  ASSERT_EQ(rules.commands.size(), 10u);
  EXPECT_EQ(rules.commands[0].kind, Kind::kDeleteAll);
  EXPECT_EQ(rules.commands[0].key, "");
  struct Expect {
    uint32_t mask, value;
  } expected[] = {{AUDIT_STATUS_BACKLOG_LIMIT, 8192}, {AUDIT_STATUS_RATE_LIMIT, 100},
                  {AUDIT_STATUS_BACKLOG_WAIT_TIME, 60000}, {AUDIT_STATUS_BACKLOG_WAIT_TIME, 10},
                  {AUDIT_STATUS_ENABLED, 1}, {AUDIT_STATUS_ENABLED, 0},
                  {AUDIT_STATUS_FAILURE, 0}, {AUDIT_STATUS_FAILURE, 1}};
  for (size_t i = 0; i < 8; ++i) {
    const RuleCommand& c = rules.commands[i + 1];
    EXPECT_EQ(c.kind, Kind::kSetStatus) << i;
    EXPECT_EQ(c.status_mask, expected[i].mask) << i;
    EXPECT_EQ(c.status_value, expected[i].value) << i;
    EXPECT_EQ(c.where.line, static_cast<int>(i + 2));
  }
  EXPECT_EQ(rules.commands[9].kind, Kind::kDeleteAll);
  EXPECT_EQ(rules.commands[9].key, "exec");
  EXPECT_TRUE(rules.ignore_errors);
  EXPECT_TRUE(rules.continue_on_error);
  EXPECT_EQ(rules.CountRules(), 0u);
}

TEST(RuleParser, ImmutableAndPanicRefusedWithLineNumbers) {
  RuleSet rules = ParseRulesText(
      "# comment\n"
      "-a always,exit -F arch=b64 -S execve -k exec\n"
      "\n"
      "-e 2\n"
      "-f 2\n"
      "-e2\n"
      "--loginuid-immutable\n",
      "audit.rules");
  ASSERT_EQ(rules.errors.size(), 4u);
  EXPECT_EQ(rules.errors[0].where.line, 4);
  EXPECT_NE(rules.errors[0].ToString().find("audit.rules:4: -e 2 is refused"), std::string::npos)
      << rules.errors[0].ToString();
  EXPECT_NE(rules.errors[0].message.find("immutable"), std::string::npos);
  EXPECT_EQ(rules.errors[1].where.line, 5);
  EXPECT_NE(rules.errors[1].message.find("-f 2 is refused"), std::string::npos);
  EXPECT_EQ(rules.errors[2].where.line, 6);
  EXPECT_EQ(rules.errors[3].where.line, 7);
  // The good line is still there; nothing sets enabled or failure.
  ASSERT_EQ(rules.commands.size(), 1u);
  EXPECT_EQ(rules.commands[0].kind, Kind::kAddRule);
  EXPECT_EQ(rules.commands[0].where.line, 2);
}

TEST(RuleParser, ErrorsNameLineAndReasonAndOtherLinesParse) {
  RuleSet rules = ParseRulesText(
      "-a always,exit -F arch=b64 -S nosuchcall\n"           // 1
      "-a always,exit -F arch=b64 -S open -F nosuchfield=1\n"  // 2
      "-F uid=0\n"                                             // 3
      "-k lonely\n"                                            // 4
      "-a always,exit -S open -F arch=b64\n"                   // 5
      "-a sometimes,exit -S open\n"                            // 6
      "-a always,exit -F arch=b64 -S open stray\n"             // 7
      "-a always,task -S open\n"                               // 8
      "-w relative/path\n"                                     // 9
      "-l\n"                                                   // 10
      "-b lots\n"                                              // 11
      "-a always,exit -F arch=b64 -S openat -k good\n"         // 12
      "-a always,exit -F arch=b64 -S open -p wz\n"             // 13
      "-a always,exit -F arch=b64 -S open -F uid=nosuchuser_x\n"  // 14
      "-a always,exit -F arch=b64 -S open -a always,exit\n"    // 15
      "-e 3\n"                                                 // 16
      "-a always,exit -F arch=b64 -S\n",                       // 17
      "f.rules");
  std::vector<int> lines;
  for (const auto& e : rules.errors) lines.push_back(e.where.line);
  EXPECT_EQ(lines, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17}));
  auto message = [&](int line) {
    for (const auto& e : rules.errors) {
      if (e.where.line == line) return e.message;
    }
    return std::string();
  };
  EXPECT_NE(message(1).find("unknown syscall 'nosuchcall'"), std::string::npos) << message(1);
  EXPECT_NE(message(2).find("nosuchfield"), std::string::npos) << message(2);
  EXPECT_NE(message(3).find("-F needs a list"), std::string::npos) << message(3);
  EXPECT_NE(message(4).find("-k needs a rule"), std::string::npos) << message(4);
  EXPECT_NE(message(5).find("must come before -S"), std::string::npos) << message(5);
  EXPECT_NE(message(6).find("unknown list or action"), std::string::npos) << message(6);
  EXPECT_NE(message(7).find("'stray'"), std::string::npos) << message(7);
  EXPECT_NE(message(8).find("task list"), std::string::npos) << message(8);
  EXPECT_NE(message(9).find("absolute"), std::string::npos) << message(9);
  EXPECT_NE(message(10).find("not a rule-file option"), std::string::npos) << message(10);
  EXPECT_NE(message(11).find("needs a number"), std::string::npos) << message(11);
  EXPECT_NE(message(13).find("'z'"), std::string::npos) << message(13);
  EXPECT_NE(message(15).find("only one"), std::string::npos) << message(15);
  EXPECT_NE(message(17).find("needs a value"), std::string::npos) << message(17);
  ASSERT_EQ(rules.commands.size(), 1u);
  EXPECT_EQ(rules.commands[0].where.line, 12);
  EXPECT_EQ(rules.errors[0].ToString().substr(0, 10), "f.rules:1:");
}

TEST(RuleParser, NoArchUsesMachineArchAndWarns) {
  RuleSet rules = ParseRulesText("-a always,exit -S execve -k x\n", "t");
  ASSERT_TRUE(rules.ok()) << FirstError(rules);
  const audit_rule_data& d = rules.commands[0].rule.data();
  for (uint32_t i = 0; i < d.field_count; ++i) EXPECT_NE(d.fields[i], uint32_t{AUDIT_ARCH});
  int nr = audit_name_to_syscall("execve", audit_detect_machine());
  ASSERT_GE(nr, 0);
  EXPECT_TRUE(d.mask[AUDIT_WORD(nr)] & AUDIT_BIT(nr));
  EXPECT_EQ(FormatRule(rules.commands[0].rule), "-a always,exit -S execve -F key=x");
  if (audit_detect_machine() == MACH_86_64) {
    ASSERT_EQ(rules.warnings.size(), 1u);
    EXPECT_NE(rules.warnings[0].message.find("-F arch"), std::string::npos);
  }
  // The arch of one line does not leak into the next (libaudit keeps it in a global).
  RuleSet two = ParseRulesText(
      "-a always,exit -F arch=b32 -S execve\n-a always,exit -S execve\n", "t");
  ASSERT_TRUE(two.ok()) << FirstError(two);
  EXPECT_TRUE(two.commands[1].rule.data().mask[AUDIT_WORD(nr)] & AUDIT_BIT(nr));
}

TEST(RuleParser, EscapedSpaceInPath) {
  TempDir dir;
  RuleSet rules = ParseRulesText("-w " + dir.path() + "/a\\ b -p w\n", "t");
  ASSERT_TRUE(rules.ok()) << FirstError(rules);
  EXPECT_EQ(FormatRule(rules.commands[0].rule), "-w " + dir.path() + "/a b -p w");
}

TEST(RuleParser, DirectoryInVersionOrder) {
  TempDir dir;
  dir.Write("10-last.rules", "-a always,exit -F arch=b64 -S open -k ten\n");
  dir.Write("9-middle.rules", "-a always,exit -F arch=b64 -S open -k nine\n-e 2\n");
  dir.Write("02-first.rules", "# first\n-b 320\n");
  dir.Write("notes.txt", "-e 2\n");
  dir.Write("x.rules.bak", "-e 2\n");
  RuleSet rules = ParseRulesPath(dir.path());
  ASSERT_EQ(rules.commands.size(), 3u);
  EXPECT_EQ(rules.commands[0].where.file, dir.path() + "/02-first.rules");
  EXPECT_EQ(rules.commands[0].where.line, 2);
  EXPECT_EQ(rules.commands[1].rule.Keys(), std::vector<std::string>{"nine"});
  EXPECT_EQ(rules.commands[2].rule.Keys(), std::vector<std::string>{"ten"});
  ASSERT_EQ(rules.errors.size(), 1u);
  EXPECT_EQ(rules.errors[0].ToString().rfind(dir.path() + "/9-middle.rules:2: -e 2", 0), 0u)
      << rules.errors[0].ToString();
}

TEST(RuleParser, SingleFileAndMissingPath) {
  TempDir dir;
  dir.Write("one.rules", "-a always,exit -F arch=b64 -S open -k one\n");
  RuleSet rules = ParseRulesPath(dir.path() + "/one.rules");
  ASSERT_TRUE(rules.ok()) << FirstError(rules);
  EXPECT_EQ(rules.CountRules(), 1u);
  RuleSet missing = ParseRulesPath(dir.path() + "/nope.rules");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].where.line, 0);
  EXPECT_NE(missing.errors[0].ToString().find("nope.rules: cannot read"), std::string::npos);
}

TEST(DefaultRules, ParseCleanlyAndAreSafe) {
  RuleSet rules = LoadRuleSet("");
  EXPECT_TRUE(rules.ok()) << FirstError(rules);
  EXPECT_TRUE(rules.warnings.empty())
      << (rules.warnings.empty() ? "" : rules.warnings[0].ToString());
  EXPECT_GE(rules.CountRules(), 15u);
  std::vector<std::string> keys;
  for (const auto& c : rules.commands) {
    EXPECT_EQ(c.kind, Kind::kAddRule) << c.text;  // no -D, no status changes
    for (const auto& k : c.rule.Keys()) keys.push_back(k);
  }
  for (const char* key : {"exec", "network", "privilege", "logins", "identity", "sudoers",
                          "sshkeys", "audit_config"}) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), key), keys.end()) << key;
  }
  EXPECT_EQ(std::string(kDefaultRules).find("-e 2"), std::string::npos);
  EXPECT_EQ(std::string(kDefaultRules).find("-f 2"), std::string::npos);
}

TEST(DefaultRules, FormattedRulesParseBackToTheSameRules) {
  RuleSet rules = LoadRuleSet("");
  for (const auto& c : rules.commands) {
    std::string text = FormatRule(c.rule);
    RuleSet again = ParseRulesText(text, "again");
    ASSERT_TRUE(again.ok()) << text << ": " << FirstError(again);
    ASSERT_EQ(again.commands.size(), 1u);
    EXPECT_TRUE(again.commands[0].rule.SameAs(c.rule)) << text;
  }
}

TEST(RuleParser, SaddrFamTakesAFamilyNumber) {
  EXPECT_EQ(Format("-a always,exit -F arch=b64 -S connect -F saddr_fam=2 -k n"),
            "-a always,exit -F arch=b64 -S connect -F saddr_fam=2 -F key=n");
  EXPECT_EQ(Format("-a always,exit -F arch=b64 -S connect,bind -F saddr_fam!=1"),
            "-a always,exit -F arch=b64 -S connect,bind -F saddr_fam!=1");
  EXPECT_EQ(Format("-a never,exit -F arch=b32 -S connect -F saddr_fam>=16"),
            "-a never,exit -F arch=b32 -S connect -F saddr_fam>=16");
  struct Bad {
    const char* field;
    const char* says;
  };
  for (const Bad& bad : {Bad{"saddr_fam=inet", "not 'inet'"}, Bad{"saddr_fam=2x", "not '2x'"},
                         Bad{"saddr_fam=-1", "not '-1'"}, Bad{"saddr_fam=46", "below 46"},
                         Bad{"saddr_fam&2", "not a bit test"},
                         Bad{"saddr_fam&=2", "not a bit test"}}) {
    RuleSet rules = ParseRulesText(
        std::string("-a always,exit -F arch=b64 -S connect -F ") + bad.field + " -k n\n", "t");
    ASSERT_EQ(rules.errors.size(), 1u) << bad.field;
    EXPECT_TRUE(rules.commands.empty()) << bad.field;
    EXPECT_NE(FirstError(rules).find(bad.says), std::string::npos) << FirstError(rules);
  }
}

TEST(EncodedRule, HasFieldAndWithoutField) {
  RuleSet with = ParseRulesText(
      "-a always,exit -F arch=b64 -S connect,bind -F saddr_fam=10 -F auid!=unset -k network\n",
      "t");
  RuleSet without =
      ParseRulesText("-a always,exit -F arch=b64 -S connect,bind -F auid!=unset -k network\n", "t");
  ASSERT_TRUE(with.ok() && without.ok());
  const EncodedRule& rule = with.commands[0].rule;
  EXPECT_TRUE(rule.HasField(AUDIT_SADDR_FAM));
  EXPECT_TRUE(rule.HasField(AUDIT_LOGINUID));
  EXPECT_FALSE(rule.HasField(AUDIT_EXE));
  EncodedRule wider = rule.WithoutField(AUDIT_SADDR_FAM);
  EXPECT_FALSE(wider.HasField(AUDIT_SADDR_FAM));
  EXPECT_TRUE(wider.SameAs(without.commands[0].rule)) << FormatRule(wider);
  EXPECT_EQ(FormatRule(wider), FormatRule(without.commands[0].rule));
  EXPECT_EQ(wider.Keys(), std::vector<std::string>{"network"});
  EXPECT_TRUE(rule.WithoutField(AUDIT_EXE).SameAs(rule));
  EXPECT_TRUE(rule.WithoutField(AUDIT_FILTERKEY).SameAs(rule));  // string field: unchanged
}

// A fake kernel for the saddr_fam fallback: its rule list, and whether it knows saddr_fam.
struct FakeKernel {
  bool knows_saddr_fam = true;
  std::vector<EncodedRule> rules;
  std::vector<EncodedRule> asked;  // every rule it was sent
  int Add(const EncodedRule& rule) {
    asked.push_back(rule);
    if (!knows_saddr_fam && rule.HasField(AUDIT_SADDR_FAM)) return EINVAL;  // Linux < 5.3
    for (const EncodedRule& r : rules) {
      if (r.SameAs(rule)) return EEXIST;
    }
    rules.push_back(rule);
    return 0;
  }
};

// Loads rules into kernel as ApplyRules does; returns the attempts in order.
std::vector<AddAttempt> LoadInto(FakeKernel* kernel, const RuleSet& rules,
                                 std::vector<EncodedRule>* ours) {
  std::vector<AddAttempt> attempts;
  auto add = [&](const EncodedRule& r) { return kernel->Add(r); };
  auto is_ours = [&](const EncodedRule& r) {
    return std::any_of(ours->begin(), ours->end(),
                       [&](const EncodedRule& o) { return o.SameAs(r); });
  };
  for (const RuleCommand& c : rules.commands) {
    attempts.push_back(AddRuleWithFallback(c.rule, add, is_ours));
    if (attempts.back().added) ours->push_back(attempts.back().loaded);
  }
  return attempts;
}

TEST(SaddrFamFallback, KernelWithSaddrFamGetsTheRulesAsWritten) {
  FakeKernel kernel;
  std::vector<EncodedRule> ours;
  RuleSet rules = LoadRuleSet("");
  std::vector<AddAttempt> attempts = LoadInto(&kernel, rules, &ours);
  for (size_t i = 0; i < attempts.size(); ++i) {
    EXPECT_EQ(attempts[i].err, 0) << rules.commands[i].text;
    EXPECT_FALSE(attempts[i].widened);
    EXPECT_TRUE(attempts[i].added);
    EXPECT_TRUE(attempts[i].loaded.SameAs(rules.commands[i].rule));
  }
  EXPECT_EQ(kernel.asked.size(), rules.commands.size());  // no second try anywhere
}

TEST(SaddrFamFallback, OldKernelGetsTheNetworkRulesWithoutSaddrFam) {
  FakeKernel kernel;
  kernel.knows_saddr_fam = false;
  std::vector<EncodedRule> ours;
  RuleSet rules = LoadRuleSet("");
  std::vector<AddAttempt> attempts = LoadInto(&kernel, rules, &ours);
  std::vector<EncodedRule> widened;
  std::vector<std::string> loaded_text;
  for (size_t i = 0; i < attempts.size(); ++i) {
    const AddAttempt& a = attempts[i];
    EXPECT_TRUE(a.ok()) << rules.commands[i].text;  // nothing refused
    const bool has_fam = rules.commands[i].rule.HasField(AUDIT_SADDR_FAM);
    EXPECT_EQ(a.widened, has_fam) << rules.commands[i].text;
    if (a.widened) {
      EXPECT_EQ(a.err, EINVAL);
      widened.push_back(a.loaded);
    }
  }
  for (const EncodedRule& r : kernel.rules) loaded_text.push_back(FormatRule(r));
  // Each arch's inet rule went in without the field; its inet6 twin found it there (ours).
  auto count = [&](const std::string& text) {
    return std::count(loaded_text.begin(), loaded_text.end(), text);
  };
  EXPECT_EQ(count("-a always,exit -F arch=b64 -S connect,accept,bind,accept4 -F key=network"), 1);
  EXPECT_EQ(count("-a always,exit -F arch=b32 -S bind,connect,accept4 -F key=network"), 1);
  EXPECT_EQ(kernel.rules.size(), ours.size());
  ASSERT_EQ(widened.size(), 4u);
  EXPECT_TRUE(attempts[0].ok());
  EXPECT_EQ(SaddrFamFallbackMessage(widened),
            "kernel does not support saddr_fam (needs Linux 5.3): auditing "
            "connect/accept/bind/accept4 for every address family");
}

TEST(SaddrFamFallback, NeverRulesAndOtherRefusalsAreNotWidened) {
  FakeKernel kernel;
  kernel.knows_saddr_fam = false;
  auto rule = [](const std::string& text) { return ParseRulesText(text, "t").commands.at(0).rule; };
  auto add = [&](const EncodedRule& r) { return kernel.Add(r); };
  auto nobody = [](const EncodedRule&) { return false; };

  // A never rule without its saddr_fam would silence every family: refused as it is.
  AddAttempt never = AddRuleWithFallback(
      rule("-a never,exit -F arch=b64 -S connect -F saddr_fam=1"), add, nobody);
  EXPECT_FALSE(never.ok());
  EXPECT_EQ(never.err, EINVAL);
  EXPECT_EQ(kernel.asked.size(), 1u);
  EXPECT_TRUE(kernel.rules.empty());

  // The wider rule is already in the kernel but not from this load: refused, not taken as ours.
  kernel.rules.push_back(rule("-a always,exit -F arch=b64 -S connect -k n"));
  AddAttempt theirs = AddRuleWithFallback(
      rule("-a always,exit -F arch=b64 -S connect -F saddr_fam=2 -k n"), add, nobody);
  EXPECT_FALSE(theirs.ok());
  EXPECT_EQ(theirs.err, EINVAL);

  // Any other errno is the answer, with no second try.
  size_t asked = kernel.asked.size();
  AddAttempt eperm = AddRuleWithFallback(
      rule("-a always,exit -F arch=b64 -S bind -F saddr_fam=2"),
      [&](const EncodedRule& r) {
        kernel.asked.push_back(r);
        return EPERM;
      },
      nobody);
  EXPECT_FALSE(eperm.ok());
  EXPECT_EQ(eperm.err, EPERM);
  EXPECT_EQ(kernel.asked.size(), asked + 1);

  // A rule without saddr_fam refused with EINVAL is not retried either.
  AddAttempt plain = AddRuleWithFallback(rule("-a always,exit -F arch=b64 -S bind"),
                                         [](const EncodedRule&) { return EINVAL; }, nobody);
  EXPECT_FALSE(plain.ok());
  EXPECT_FALSE(plain.widened);
}

TEST(DefaultRules, NetworkRulesAreInetAndInet6PerArch) {
  RuleSet rules = LoadRuleSet("");
  std::vector<std::string> network;
  for (const auto& c : rules.commands) {
    auto keys = c.rule.Keys();
    if (std::find(keys.begin(), keys.end(), "network") != keys.end()) {
      network.push_back(FormatRule(c.rule));
    }
  }
  const std::vector<std::string> expected = {
      "-a always,exit -F arch=b64 -S connect,accept,bind,accept4 -F saddr_fam=2 -F key=network",
      "-a always,exit -F arch=b64 -S connect,accept,bind,accept4 -F saddr_fam=10 -F key=network",
      "-a always,exit -F arch=b64 -S accept,accept4 -F a1=0x0 -F success=1 -F key=network",
      "-a always,exit -F arch=b32 -S bind,connect,accept4 -F saddr_fam=2 -F key=network",
      "-a always,exit -F arch=b32 -S bind,connect,accept4 -F saddr_fam=10 -F key=network",
      "-a always,exit -F arch=b32 -S accept4 -F a1=0x0 -F success=1 -F key=network",
  };
  EXPECT_EQ(network, expected);
}

// The shipped rules.d (build/rules.d: rules/CMakeLists.txt assembles it): the default rules as a
// file, and the hardening set.
std::vector<std::string> ShippedRuleFiles() {
  std::vector<std::string> names;
  if (DIR* dir = opendir(AUDITLENS_RULES_D)) {
    while (dirent* e = readdir(dir)) {
      std::string name = e->d_name;
      if (name.size() > 6 && name.compare(name.size() - 6, 6, ".rules") == 0) names.push_back(name);
    }
    closedir(dir);
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(ShippedRules, EveryFileParsesWithoutErrorsOrWarnings) {
  std::vector<std::string> names = ShippedRuleFiles();
  ASSERT_GE(names.size(), 2u) << AUDITLENS_RULES_D;
  EXPECT_EQ(names[0], "10-default.rules");
  for (const std::string& name : names) {
    RuleSet rules = ParseRulesPath(std::string(AUDITLENS_RULES_D) + "/" + name);
    EXPECT_TRUE(rules.ok()) << FirstError(rules);
    EXPECT_TRUE(rules.warnings.empty()) << name << ": " << rules.warnings[0].ToString();
    EXPECT_GT(rules.CountRules(), 0u) << name;
    for (const auto& c : rules.commands) {
      EXPECT_EQ(c.kind, Kind::kAddRule) << name << ": " << c.text;  // no -D, no status changes
      EXPECT_FALSE(c.rule.Keys().empty()) << name << ": " << c.text;
    }
  }
  RuleSet all = ParseRulesPath(AUDITLENS_RULES_D);
  EXPECT_TRUE(all.ok()) << FirstError(all);
  EXPECT_TRUE(all.warnings.empty());
}

TEST(ShippedRules, DefaultFileIsTheEmbeddedDefault) {
  RuleSet file = ParseRulesPath(std::string(AUDITLENS_RULES_D) + "/10-default.rules");
  RuleSet embedded = LoadRuleSet("");
  ASSERT_EQ(file.commands.size(), embedded.commands.size());
  for (size_t i = 0; i < file.commands.size(); ++i) {
    EXPECT_TRUE(file.commands[i].rule.SameAs(embedded.commands[i].rule)) << file.commands[i].text;
  }
}

// Each hardening rule comes after a comment saying what it watches and why, carries a key, and a
// syscall rule for one arch has its twin for the other.
TEST(ShippedRules, HardeningRulesAreCommentedKeyedAndForBothArches) {
  for (const std::string& name : ShippedRuleFiles()) {
    if (name.rfind("50-hardening-", 0) != 0) continue;
    std::ifstream in(std::string(AUDITLENS_RULES_D) + "/" + name);
    std::string line;
    bool commented = false;
    std::set<std::string> b64, b32;
    while (std::getline(in, line)) {
      if (line.empty()) {
        commented = false;  // a blank line ends a comment block
        continue;
      }
      if (line[0] == '#') {
        commented = true;
        continue;
      }
      EXPECT_TRUE(commented) << name << ": no comment above '" << line << "'";
      std::string without_arch = line;
      for (const char* arch : {" -F arch=b64", " -F arch=b32"}) {
        size_t at = without_arch.find(arch);
        if (at != std::string::npos) without_arch.erase(at, 12);
      }
      // The syscall lists differ per arch (stime, chown32...): compare the rest.
      size_t s = without_arch.find(" -S ");
      if (s != std::string::npos) {
        without_arch.erase(s, without_arch.find(' ', s + 4) - s);
      }
      if (line.find("arch=b64") != std::string::npos) b64.insert(without_arch);
      if (line.find("arch=b32") != std::string::npos) b32.insert(without_arch);
    }
    EXPECT_EQ(b64, b32) << name;
  }
}

TEST(EncodedRule, FromBytesChecksSizes) {
  RuleSet rules = ParseRulesText("-a always,exit -F arch=b64 -S open -k abc\n", "t");
  const EncodedRule& rule = rules.commands[0].rule;
  EncodedRule copy;
  std::vector<uint8_t> bytes = rule.MutableCopy();
  ASSERT_TRUE(EncodedRule::FromBytes(bytes.data(), bytes.size(), &copy));
  EXPECT_TRUE(copy.SameAs(rule));
  EXPECT_FALSE(EncodedRule::FromBytes(bytes.data(), bytes.size() - 1, &copy));
  EXPECT_FALSE(EncodedRule::FromBytes(bytes.data(), 10, &copy));
  // A rule differing only in a value is not the same rule.
  RuleSet other = ParseRulesText("-a always,exit -F arch=b64 -S open -k abd\n", "t");
  EXPECT_FALSE(other.commands[0].rule.SameAs(rule));
}

}  // namespace
}  // namespace auditlens
