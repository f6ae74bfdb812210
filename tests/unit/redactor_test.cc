// decode/redactor: secrets in command lines replaced in the event itself — EXECVE arguments (plain,
// hex, split over records), PROCTITLE, sudo's USER_CMD — on hostile inputs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "assemble/event.h"
#include "decode/parsed_event.h"
#include "decode/redactor.h"
#include "decode/value_decoder.h"
#include "record/record.h"

namespace auditlens {
namespace {

std::string Hex(std::string_view s) {
  std::string out;
  AppendKernelEncoded(std::string(s) + '\x01', &out);  // force hex, then drop the 01
  return out.substr(0, out.size() - 2);
}

Event MakeEvent(const std::vector<std::pair<uint16_t, std::string>>& records) {
  Event e;
  for (size_t i = 0; i < records.size(); ++i) {
    Record r;
    r.type = records[i].first;
    r.sec = 1795400000;
    r.msec = 5;
    r.serial = 77;
    r.body = records[i].second;
    if (i == 0) e.Reset(r); else e.Append(r);
  }
  return e;
}

Redactor Make() {
  RedactOptions o;
  o.args = {"--password", "-p", "--token"};
  o.env = {"*PASSWORD*", "*TOKEN*", "AWS_SECRET_*"};
  return Redactor(o);
}

std::vector<std::string> Args(const Event& e) {
  ParsedEvent p;
  p.Parse(e);
  std::vector<std::string> out;
  for (size_t i = 0; i < p.arg_count(); ++i) {
    std::string a;
    for (std::string_view piece : p.arg_pieces(i)) ValueDecoder::AppendEscaped(piece, &a);
    out.push_back(a);
  }
  return out;
}

std::string AllText(const Event& e) {
  std::string out;
  for (size_t i = 0; i < e.record_count(); ++i) out += std::string(e.record_body(i)) + "\n";
  return out;
}

TEST(Redactor, Args) {
  Redactor r = Make();
  using V = std::vector<std::string>;
  V a = {"mysql", "-p", "s3cret", "--password=x y", "--token", "--password", "DB_PASSWORD=z",
         "aws_secret_key=k", "PATH=/bin", "--userx=keep", "-P", "keep2", "--passwordx=y"};
  EXPECT_TRUE(r.RedactArgs(&a));
  EXPECT_EQ(a, (V{"mysql", "-p", "[redacted]", "--password=[redacted]", "--token", "[redacted]",
                  "DB_PASSWORD=[redacted]", "aws_secret_key=[redacted]", "PATH=/bin",
                  "--userx=keep", "-P", "keep2",
                  "--passwordx=[redacted]"}));  // not a flag, but a NAME=VALUE named *PASSWORD*
  EXPECT_FALSE(r.RedactArgs(&a)) << "already redacted: nothing changes";
  V at_end = {"mysql", "--user", "u", "--password"};
  EXPECT_FALSE(r.RedactArgs(&at_end)) << "a flag at the end has no value";
  V empty = {"x", "--password="};
  EXPECT_TRUE(r.RedactArgs(&empty));
  EXPECT_EQ(empty[1], "--password=[redacted]");
  V unicode = {"x", "--token", "p\xc3\xa4ss\xe2\x82\xac", "\xff\xfe=1", "T\xc3\x96KEN=2", "MY_TOKEN_\xc3\xa4=3"};
  EXPECT_TRUE(r.RedactArgs(&unicode));
  EXPECT_EQ(unicode[2], "[redacted]");
  EXPECT_EQ(unicode[3], "\xff\xfe=1");
  EXPECT_EQ(unicode[4], "T\xc3\x96KEN=2") << "non-ASCII letters are not folded";
  EXPECT_EQ(unicode[5], "MY_TOKEN_\xc3\xa4=[redacted]");
  V nul = {"x", std::string("--password=a\0b", 14), std::string("K\0TOKEN=v", 9)};
  EXPECT_TRUE(r.RedactArgs(&nul));
  EXPECT_EQ(nul[1], "--password=[redacted]");
  EXPECT_EQ(nul[2], std::string("K\0TOKEN=[redacted]", 18));
}

TEST(Redactor, CommandLineInOneArgument) {
  Redactor r = Make();
  std::vector<std::string> a = {"sh", "-c", "mysql  -p s3 --password=s4 -e 'select 1' X_TOKEN=t1",
                                "DB_TOKEN=t1 mysql -p s3"};
  EXPECT_TRUE(r.RedactArgs(&a));
  EXPECT_EQ(a[2], "mysql -p [redacted] --password=[redacted] -e 'select 1' X_TOKEN=[redacted]");
  EXPECT_EQ(a[3], "DB_TOKEN=[redacted]") << "an assignment loses all of its value";
  std::vector<std::string> b = {"sh", "-c", "echo hello world"};
  EXPECT_FALSE(r.RedactArgs(&b));
  EXPECT_EQ(b[2], "echo hello world");
  std::vector<std::string> c = {"sh", "-c", "  mysql  -p  "};  // empty words, flag at the end
  EXPECT_FALSE(r.RedactArgs(&c));
}

TEST(Redactor, ProgramNameIsKept) {
  Redactor r = Make();
  std::vector<std::string> a = {"--password", "x"};
  EXPECT_FALSE(r.RedactArgs(&a));
}

TEST(Redactor, Glob) {
  RedactOptions o;
  o.env = {"A?C", "*", "X*Y*Z"};
  Redactor star(RedactOptions{{}, {"X*Y*Z"}});
  std::vector<std::string> a = {"p", "XaaYbbZ=1", "XYZ=2", "XZY=3", "xyz=4", "XYZQ=5"};
  EXPECT_TRUE(star.RedactArgs(&a));
  EXPECT_EQ(a, (std::vector<std::string>{"p", "XaaYbbZ=[redacted]", "XYZ=[redacted]", "XZY=3",
                                         "xyz=[redacted]", "XYZQ=5"}));
  Redactor q(RedactOptions{{}, {"A?C"}});
  std::vector<std::string> b = {"p", "ABC=1", "AC=2", "ABBC=3", "=4", "ABC"};
  EXPECT_TRUE(q.RedactArgs(&b));
  EXPECT_EQ(b, (std::vector<std::string>{"p", "ABC=[redacted]", "AC=2", "ABBC=3", "=4", "ABC"}));
}

TEST(Redactor, ExecveQuotedAndHex) {
  Redactor r = Make();
  Event e = MakeEvent({{1300, "arch=c000003e syscall=59 success=yes exit=0 pid=5 comm=\"mysql\""},
                       {1309, "argc=6 a0=\"mysql\" a1=\"-p\" a2=" + Hex("hunter 2") + " a3=" +
                                  Hex("--password") + " a4=" + Hex("two words") +
                                  " a5=\"AWS_SECRET_ACCESS_KEY=abc\""},
                       {1327, "proctitle=" + Hex(std::string("mysql\0-p\0hunter 2\0--pass", 24))}});
  const Event& out = r.Apply(e);
  ASSERT_NE(&out, &e);
  EXPECT_EQ(Args(out), (std::vector<std::string>{"mysql", "-p", "[redacted]", "--password",
                                                 "[redacted]", "AWS_SECRET_ACCESS_KEY=[redacted]"}));
  const std::string text = AllText(out);
  for (std::string_view secret : {std::string_view("hunter"), std::string_view(Hex("hunter")),
                                  std::string_view("two"), std::string_view(Hex("two")),
                                  std::string_view("abc")}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
  }
  // Unchanged fields byte for byte; a replaced argument is quoted as the kernel would.
  EXPECT_EQ(out.record_body(0), e.record_body(0));
  EXPECT_NE(text.find("argc=6 a0=\"mysql\" a1=\"-p\" a2=\"[redacted]\" a3="), std::string::npos) << text;
  // PROCTITLE: re-encoded in hex, the cut last word kept.
  ParsedEvent p;
  p.Parse(out);
  std::string storage;
  std::vector<uint32_t> ends;
  ValueDecoder::SplitEscaped(p.Get(2, "proctitle"), '\0', &storage, &ends);
  EXPECT_EQ(storage, std::string("mysql\0-p\0[redacted]\0--pass", 26));
  EXPECT_EQ(out.serial(), 77u);
  EXPECT_EQ(out.time_ms(), e.time_ms());
  EXPECT_EQ(r.redacted_events(), 1u);
}

// A long argument split in pieces a2[0], a2[1] over two EXECVE records, with a2_len: one plain
// a2="[redacted]" is left, the pieces and the length go; the argument after it is still seen.
TEST(Redactor, SplitLongArgumentOverRecords) {
  Redactor r = Make();
  const std::string piece0(7000, 'S'), piece1(5000, 'T');
  Event e = MakeEvent({{1309, "argc=4 a0=\"prog\" a1=\"--token\" a2_len=12000 a2[0]=" + Hex(piece0)},
                       {1309, "a2[1]=" + Hex(piece1) + " a3=\"--password=end\""}});
  const Event& out = r.Apply(e);
  ASSERT_NE(&out, &e);
  EXPECT_EQ(Args(out), (std::vector<std::string>{"prog", "--token", "[redacted]", "--password=[redacted]"}));
  EXPECT_EQ(out.record_body(0), "argc=4 a0=\"prog\" a1=\"--token\" a2=\"[redacted]\"");
  EXPECT_EQ(out.record_body(1), "a3=\"--password=[redacted]\"");
}

// The remembered outcome of the last EXECVE and PROCTITLE: a repeat gives the same, a different
// record is worked out again.
TEST(Redactor, RepeatsGiveTheSameOutcome) {
  Redactor r = Make();
  const std::string secret_exec = "argc=3 a0=\"x\" a1=\"--token\" a2=\"t1\"";
  const std::string plain_exec = "argc=2 a0=\"x\" a1=\"y\"";
  const std::string title = "proctitle=" + Hex(std::string("x\0--token\0t1", 12));
  for (int round = 0; round < 3; ++round) {
    Event e = MakeEvent({{1309, secret_exec}, {1327, title}});
    const Event& out = r.Apply(e);
    ASSERT_NE(&out, &e) << round;
    EXPECT_EQ(out.record_body(0), "argc=3 a0=\"x\" a1=\"--token\" a2=\"[redacted]\"") << round;
    EXPECT_EQ(AllText(out).find(Hex("t1")), std::string::npos) << round;
    Event p = MakeEvent({{1309, plain_exec}, {1327, "proctitle=\"x\""}});
    EXPECT_EQ(&r.Apply(p), &p) << round;
    Event title_only = MakeEvent({{1300, "syscall=2 pid=1"}, {1327, title}});
    const Event& t = r.Apply(title_only);
    ASSERT_NE(&t, &title_only) << round;
    EXPECT_EQ(t.record_body(0), "syscall=2 pid=1");
    EXPECT_EQ(AllText(t).find(Hex("t1")), std::string::npos) << round;
  }
  EXPECT_EQ(r.redacted_events(), 6u);
}

// A title of another event (no EXECVE) is looked at whether quoted or hex; one with neither a flag
// nor '=' is passed over.
TEST(Redactor, TitleOfAnyEvent) {
  RedactOptions flags_only;
  flags_only.args = {"--token"};
  Redactor r(flags_only);
  Event quoted = MakeEvent({{1300, "syscall=2"}, {1327, "proctitle=\"x\""}});
  EXPECT_EQ(&r.Apply(quoted), &quoted);
  Event hex = MakeEvent({{1300, "syscall=2"}, {1327, "proctitle=" + Hex(std::string("x\0--token\0t9", 12))}});
  const Event& out = r.Apply(hex);
  ASSERT_NE(&out, &hex);
  EXPECT_EQ(AllText(out).find(Hex("t9")), std::string::npos);
  Event words = MakeEvent({{1300, "syscall=2"}, {1327, "proctitle=" + Hex(std::string("sh\0-c\0a --token t8 b", 22))}});
  const Event& w = r.Apply(words);
  ASSERT_NE(&w, &words);
  EXPECT_EQ(AllText(w).find(Hex("t8")), std::string::npos);
}

TEST(Redactor, NothingToRedactReturnsTheEventItself) {
  Redactor r = Make();
  Event plain = MakeEvent({{1300, "arch=c000003e syscall=2 success=yes pid=5"},
                           {1302, "item=0 name=\"/tmp/x\""}});
  EXPECT_EQ(&r.Apply(plain), &plain);
  Event flag_last = MakeEvent({{1309, "argc=3 a0=\"mysql\" a1=\"-u\" a2=\"--password\""},
                               {1327, "proctitle=" + Hex(std::string("mysql\0-u\0--password", 20))}});
  EXPECT_EQ(&r.Apply(flag_last), &flag_last);
  Event hostile = MakeEvent({{1309, "argc=2 a0=\"x a99999999999999999999=\"--token\" a1=\"v"},
                             {1309, "a70000=\"--token\" a70001=\"v\" a1[=zz a=\"\" a1_len=x"},
                             {1327, "proctitle="}, {1327, "proctitle=\"unterminated"}});
  EXPECT_EQ(&r.Apply(hostile), &hostile) << "indexes past 65535 are left alone";
  EXPECT_EQ(r.redacted_events(), 0u);
}

TEST(Redactor, SudoUserCmd) {
  Redactor r = Make();
  const std::string body = "pid=9 uid=0 auid=1000 msg='cwd=\"/root\" cmd=" +
                           Hex("mysql --password=hunter2 -e select") + " exe=\"/usr/bin/sudo\" res=success'";
  Event e = MakeEvent({{1123, body}});
  const Event& out = r.Apply(e);
  ASSERT_NE(&out, &e);
  const std::string text(out.record_body(0));
  EXPECT_EQ(text.find(Hex("hunter2")), std::string::npos);
  EXPECT_NE(text.find("cmd=" + Hex("mysql --password=[redacted] -e select") + " exe="), std::string::npos) << text;
}

TEST(Redactor, OptionsAreChecked) {
  std::string error;
  EXPECT_TRUE(CheckRedactOptions(RedactOptions{{"--password", "-p"}, {"*TOKEN*"}}, &error));
  EXPECT_FALSE(CheckRedactOptions(RedactOptions{{""}, {}}, &error));
  EXPECT_FALSE(CheckRedactOptions(RedactOptions{{"--a b"}, {}}, &error));
  EXPECT_FALSE(CheckRedactOptions(RedactOptions{{"--a=b"}, {}}, &error));
  EXPECT_FALSE(CheckRedactOptions(RedactOptions{{}, {"A=*"}}, &error));
  EXPECT_NE(error.find("redact_env"), std::string::npos) << error;
}

TEST(Redactor, KernelEncoding) {
  std::string out;
  AppendKernelEncoded("plain/--x=[y]", &out);
  EXPECT_EQ(out, "\"plain/--x=[y]\"");
  out.clear();
  AppendKernelEncoded("a b\"", &out);
  EXPECT_EQ(out, "61206222");
  out.clear();
  AppendKernelEncoded("", &out);
  EXPECT_EQ(out, "\"\"");
}

}  // namespace
}  // namespace auditlens
