// Logs read as they were written, wherever that was (issue 23): record types this build does not
// know are kept (by name and by number), stamps are read leniently, success="yes" is an outcome, an
// EXECVE-only event has its arguments, the host is node= or the given one and never this
// machine's, and an ENRICHED log's own names of its ids win over this machine's passwd and group.
#include <gtest/gtest.h>

#include "event_from_lines.h"
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "agent/pipeline.h"
#include "assemble/event.h"
#include "decode/id_names.h"
#include "decode/log_names.h"
#include "decode/value_decoder.h"
#include "decode/parsed_event.h"
#include "output/event_json.h"
#include "record/record.h"
#include "record/record_types.h"

namespace auditlens {
namespace {

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE((haystack).find(needle), std::string::npos) << "missing " << (needle) << " in " << (haystack)
#define EXPECT_HASNT(haystack, needle) \
  EXPECT_EQ((haystack).find(needle), std::string::npos) << "unexpected " << (needle) << " in " << (haystack)


std::string FormatWith(EventJsonFormatter& formatter, const std::vector<std::string>& lines) {
  const Event event = EventOf(lines);
  ParsedEvent parsed;
  parsed.Parse(event);
  std::string out;
  formatter.Format(parsed, &out);
  return out;
}

std::string Format(const std::vector<std::string>& lines, const std::string& host = "testhost") {
  EventJsonFormatter formatter(host);
  return FormatWith(formatter, lines);
}

// --- Log lines: read leniently --------------------------------------------------------------------

// Types newer kernels and auditd write, by name: kept under the name as written (type 0) when this
// build's libaudit has no number for them, with their body whole.
TEST(ForeignRecord, TypeNamesThisBuildDoesNotKnowAreKept) {
  for (const char* name : {"DM_CTRL", "DM_EVENT", "LANDLOCK_ACCESS", "LANDLOCK_DOMAIN", "IPE_ACCESS",
                           "IPE_CONFIG_CHANGE", "MAC_TASK_CONTEXTS", "AUDITLENS_NO_SUCH_TYPE"}) {
    const std::string line =
        std::string("type=") + name + " msg=audit(1795344525.627:3): op=x dev=fe:00 res=1";
    Record r;
    ASSERT_EQ(ParseLogRecord(line, &r), nullptr) << line;
    const uint16_t known = RecordTypeFromName(name);
    if (known != 0) {
      EXPECT_EQ(r.type, known) << name;  // a libaudit that knows it gives its number
      EXPECT_TRUE(r.type_name.empty());
    } else {
      EXPECT_EQ(r.type, 0) << name;
      EXPECT_EQ(r.type_name, name);
    }
    EXPECT_EQ(r.serial, 3u);
    EXPECT_EQ(r.body, "op=x dev=fe:00 res=1");
  }
  Record r;
  ASSERT_EQ(ParseLogRecord("type=SYSCALL msg=audit(1.000:1): a=1", &r), nullptr);
  EXPECT_TRUE(r.type_name.empty()) << "a known type keeps no name";
}

// By number: UNKNOWN[n] as auditd writes it, and the bare number of the kernel's console lines.
TEST(ForeignRecord, TypeNumbers) {
  Record r;
  ASSERT_EQ(ParseLogRecord("type=UNKNOWN[1420] msg=audit(1795344525.627:3): a=1", &r), nullptr);
  EXPECT_EQ(r.type, 1420);
  EXPECT_TRUE(r.type_name.empty());
  ASSERT_EQ(ParseLogRecord("type=1400 audit(1795344525.627:4): apparmor=\"DENIED\" pid=12", &r),
            nullptr);
  EXPECT_EQ(r.type, 1400);
  EXPECT_EQ(r.serial, 4u);
  EXPECT_EQ(r.body, "apparmor=\"DENIED\" pid=12");
  EXPECT_FALSE(IsKnownRecordType(0));
  EXPECT_EQ(RecordTypeName(0), "UNKNOWN[0]");
  EXPECT_TRUE(IsKnownRecordType(1300));
  EXPECT_EQ(IsKnownRecordType(1420), RecordTypeName(1420) != "UNKNOWN[1420]");
}

// RHEL 7 auditd's DAEMON_CONFIG line has no ':' after the stamp; the text after it is the body.
TEST(ForeignRecord, StampWithoutColon) {
  Record r;
  ASSERT_EQ(ParseLogRecord("type=DAEMON_CONFIG msg=audit(1490239800.477:34) config changed, "
                           "auid=4294967295 pid=1050 res=success",
                           &r),
            nullptr);
  EXPECT_EQ(r.type, 1203);
  EXPECT_EQ(r.sec, 1490239800u);
  EXPECT_EQ(r.msec, 477u);
  EXPECT_EQ(r.serial, 34u);
  EXPECT_EQ(r.body, "config changed, auid=4294967295 pid=1050 res=success");
  ASSERT_EQ(ParseLogRecord("type=DAEMON_CONFIG msg=audit(1490239800.477:35)", &r), nullptr);
  EXPECT_EQ(r.serial, 35u);
  EXPECT_TRUE(r.body.empty());
  // The kernel's own payloads are not read leniently: a missing colon there is a framing error.
  EXPECT_NE(ParseNetlinkRecord(1203, "audit(1490239800.477:34) config changed", &r), nullptr);
}

// Blanks (spaces, tabs) before the line and repeated between its parts.
TEST(ForeignRecord, ExtraBlanks) {
  Record r;
  ASSERT_EQ(ParseLogRecord("  node=db-7  type=CWD \t msg=audit(1795344525.627:4):  \tcwd=\"/tmp\"  ",
                           &r),
            nullptr);
  EXPECT_EQ(r.node, "db-7");
  EXPECT_EQ(r.type, 1307);
  EXPECT_EQ(r.serial, 4u);
  EXPECT_EQ(r.body, "cwd=\"/tmp\"");
  ASSERT_EQ(ParseLogRecord("\ttype=CWD msg=audit(1795344525.627:5): cwd=\"/\"", &r), nullptr);
  EXPECT_TRUE(r.node.empty());
  EXPECT_EQ(r.serial, 5u);
}

// An ENRICHED line's tail is kept apart from the body: the body is what a RAW line has.
TEST(ForeignRecord, EnrichedTailIsKeptApart) {
  const std::string line =
      "type=SYSCALL msg=audit(1795344525.627:5): arch=c000003e syscall=44 uid=1000 "
      "key=(null)\x1d" "ARCH=x86_64 SYSCALL=sendto AUID=\"unset\" UID=\"alice\"  ";
  Record r;
  ASSERT_EQ(ParseLogRecord(line, &r), nullptr);
  EXPECT_EQ(r.body, "arch=c000003e syscall=44 uid=1000 key=(null)");
  EXPECT_EQ(r.enriched, "ARCH=x86_64 SYSCALL=sendto AUID=\"unset\" UID=\"alice\"");
  ASSERT_EQ(ParseLogRecord("type=CWD msg=audit(1795344525.627:5): cwd=\"/\"", &r), nullptr);
  EXPECT_TRUE(r.enriched.empty()) << "a previous line's tail must not stick";
}

// --- Events keep what the lines had ----------------------------------------------------------------

TEST(ForeignEvent, KeepsTypeNamesAndTailsBesideTheBodies) {
  const Event e = EventOf({
      "type=SYSCALL msg=audit(1.000:7): arch=c000003e uid=0\x1dUID=\"root\"",
      "type=DM_CTRL msg=audit(1.000:7): module=dm op=create",
      "type=UNKNOWN[1420] msg=audit(1.000:7): x=1",
      "type=IPE_ACCESS msg=audit(1.000:7): y=2\x1d" "AUID=\"unset\"",
      "type=CWD msg=audit(1.000:7): cwd=\"/\"",
  });
  ASSERT_EQ(e.record_count(), 5u);
  EXPECT_EQ(e.record_type_name(0), "SYSCALL");
  EXPECT_EQ(e.record_body(0), "arch=c000003e uid=0");
  EXPECT_EQ(e.record_enriched(0), "UID=\"root\"");
  const bool dm_known = RecordTypeFromName("DM_CTRL") != 0;
  EXPECT_EQ(e.record_type_name(1), "DM_CTRL");
  EXPECT_EQ(e.record_type(1), dm_known ? RecordTypeFromName("DM_CTRL") : 0);
  EXPECT_EQ(e.record_body(1), "module=dm op=create");
  EXPECT_TRUE(e.record_enriched(1).empty());
  EXPECT_EQ(e.record_type(2), 1420);
  EXPECT_EQ(e.record_type_name(2), RecordTypeName(1420));
  EXPECT_EQ(e.record_type_name(3), "IPE_ACCESS");
  EXPECT_EQ(e.record_body(3), "y=2");
  EXPECT_EQ(e.record_enriched(3), "AUID=\"unset\"");
  EXPECT_EQ(e.record_body(4), "cwd=\"/\"");
  EXPECT_EQ(e.enriched_records(), 2u);
}

// --- The ENRICHED tail ----------------------------------------------------------------------------

TEST(LogNames, SplitTail) {
  std::vector<LogNames::Entry> entries;
  LogNames::SplitTail(
      "ARCH=x86_64 SYSCALL=connect SADDR={ saddr_fam=inet laddr=127.0.0.1 lport=22 } "
      "AUID=\"alice\" UID=616C696365 GID=\"a b\" bare OUID=", &entries);
  ASSERT_EQ(entries.size(), 7u);
  EXPECT_EQ(entries[0].name, "ARCH");
  EXPECT_EQ(entries[0].value, "x86_64");
  EXPECT_EQ(entries[2].name, "SADDR");
  EXPECT_EQ(entries[2].value, "{ saddr_fam=inet laddr=127.0.0.1 lport=22 }");
  EXPECT_EQ(entries[3].value, "\"alice\"");
  EXPECT_EQ(entries[4].value, "616C696365");
  EXPECT_EQ(entries[5].value, "\"a b\"");
  EXPECT_EQ(entries[6].name, "OUID");
  EXPECT_EQ(entries[6].value, "");
  entries.clear();
  LogNames::SplitTail("A=\"unterminated  B={ open", &entries);  // never past the end
  EXPECT_EQ(entries.size(), 1u);
}

// Whatever the bytes, the entries are views inside the tail.
TEST(LogNames, SplitTailOfRandomBytesStaysInside) {
  std::mt19937 rng(23);
  std::vector<LogNames::Entry> entries;
  const std::string alphabet = "AUID=\"{} x\t\x1d0123";
  for (int round = 0; round < 20000; ++round) {
    std::string tail;
    for (size_t n = rng() % 40; n > 0; --n) tail.push_back(alphabet[rng() % alphabet.size()]);
    entries.clear();
    LogNames::SplitTail(tail, &entries);
    const char* lo = tail.data();
    const char* hi = lo + tail.size();
    for (const LogNames::Entry& e : entries) {
      ASSERT_FALSE(e.name.empty()) << tail;
      ASSERT_TRUE(e.name.data() >= lo && e.name.data() + e.name.size() <= hi) << tail;
      ASSERT_TRUE(e.value.empty() || (e.value.data() >= lo && e.value.data() + e.value.size() <= hi))
          << tail;
    }
  }
}

// The n-th field of a name pairs with the n-th entry of that name (a flattened user message may
// repeat one); hex names are decoded; a field without its entry learns nothing.
TEST(LogNames, PairsFieldsWithTheirEntries) {
  const Event e = EventOf({
      "type=USER_LOGIN msg=audit(1.000:8): pid=9 uid=0 auid=1000 ses=2 msg='op=login id=1001 "
      "exe=\"/usr/sbin/sshd\" uid=1002 res=success'\x1d"
      "UID=\"toor\" AUID=\"alice\" ID=626F62 UID=\"carol\"",
      "type=PATH msg=audit(1.000:8): item=0 name=\"/x\" ouid=1003 ogid=1004",
  });
  ParsedEvent p;
  p.Parse(e);
  LogNames names;
  EXPECT_TRUE(names.empty());
  EXPECT_FALSE(names.SelectNode("")) << "nothing learned yet: no names were in effect, none are";
  EXPECT_TRUE(names.Learn(p));
  EXPECT_FALSE(names.empty());
  EXPECT_EQ(names.Find(false, 0), "toor");
  EXPECT_EQ(names.Find(false, 1000), "alice");
  EXPECT_EQ(names.Find(false, 1001), "bob");
  EXPECT_EQ(names.Find(false, 1002), "carol");
  EXPECT_EQ(names.Find(false, 1003), "") << "the PATH record had no tail";
  EXPECT_EQ(names.Find(true, 1000), "") << "users and groups are apart";
  EXPECT_FALSE(names.Learn(p)) << "nothing new the second time";
  // Another node's log: its own names, none of this one's.
  EXPECT_TRUE(names.SelectNode("db-7"));
  EXPECT_EQ(names.Find(false, 1000), "");
  EXPECT_FALSE(names.SelectNode("db-7"));
  EXPECT_TRUE(names.SelectNode(""));
  EXPECT_EQ(names.Find(false, 1000), "alice");
}

// --- The output ------------------------------------------------------------------------------------

// Unknown types in the records: the name as written (or UNKNOWN[n] with the number as a number),
// every field decoded by its name alone: a hex value of a name with no known kind stays as it is.
TEST(ForeignJson, UnknownTypesAreWrittenWithTheirFields) {
  const std::string out = Format({
      "type=SYSCALL msg=audit(1795344525.627:9): arch=c000003e syscall=257 success=yes exit=3 "
      "a0=ffffff9c a1=55d1a0c0 a2=0 a3=0 items=0 ppid=1 pid=42 auid=4294967295 uid=0 gid=0 euid=0 "
      "suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"dmsetup\" "
      "exe=\"/sbin/dmsetup\" key=(null)",
      "type=AUDITLENS_TEST_TYPE msg=audit(1795344525.627:9): module=crypt op=ctr "
      "blob=2F746D70 name=2F746D70 uid=0 res=1 op=x",
      "type=UNKNOWN[2999] msg=audit(1795344525.627:9): domain=195ba459b blockers=fs.refer",
  });
  EXPECT_HAS(out, R"({"type":"AUDITLENS_TEST_TYPE","module":"crypt","op":"ctr","blob":"2F746D70",)"
                  R"("name":"/tmp","uid":"root","res":"yes","op_2":"x"})");
  EXPECT_HAS(out, R"({"type":"UNKNOWN[2999]","type_number":2999,"domain":"195ba459b",)"
                  R"("blockers":"fs.refer"})");
  EXPECT_HAS(out, R"("action":"openat")");
  // A known type carries no number.
  EXPECT_HASNT(Format({"type=CWD msg=audit(1.000:1): cwd=\"/\""}), "type_number");
  // An event of an unknown type alone: its action is the name in lower case.
  EXPECT_HAS(Format({"type=LANDLOCK_ACCESS msg=audit(1.000:2): domain=1 blockers=fs.refer"}),
             R"("action":"landlock_access")");
}

// success= of a user-space record, quoted or not; res= first where both are.
TEST(ForeignJson, QuotedSuccessIsAnOutcome) {
  auto outcome = [](const std::string& fields) {
    return Format({"type=USER_AVC msg=audit(1.000:3): pid=1 uid=0 auid=4294967295 "
                   "ses=4294967295 msg='" + fields + "'"});
  };
  EXPECT_HAS(outcome("op=x success=\"yes\""), R"("outcome":"success")");
  EXPECT_HAS(outcome("op=x success=\"no\""), R"("outcome":"failure")");
  EXPECT_HAS(outcome("op=x success=yes"), R"("outcome":"success")");
  EXPECT_HAS(outcome("op=x res=\"failed\""), R"("outcome":"failure")");
  EXPECT_HAS(outcome("op=x res=success success=no"), R"("outcome":"success")");
  EXPECT_HAS(outcome("op=x"), R"("outcome":"unknown")");
}

// An event cut from its SYSCALL record still has its program's arguments.
TEST(ForeignJson, ExecveOnlyEventHasArgs) {
  const std::string out = Format({
      "type=EXECVE msg=audit(1795344525.627:10): argc=3 a0=\"ls\" a1=\"-l\" a2=2F746D702F612062",
  });
  EXPECT_HAS(out, R"("process":{"args":["ls","-l","/tmp/a b"],"args_count":3})");
  // With PROCTITLE too, the EXECVE arguments win and the title gives the command line.
  const std::string both = Format({
      "type=EXECVE msg=audit(1795344525.627:11): argc=2 a0=\"ls\" a1=\"-l\"",
      "type=PROCTITLE msg=audit(1795344525.627:11): proctitle=6C73002D6C",
  });
  EXPECT_HAS(both, R"("args":["ls","-l"],"args_count":2,"command_line":"ls -l")");
}

// host.name: node= of the record, else the host given, else none at all.
TEST(ForeignJson, HostIsNodeOrGivenOrLeftOut) {
  const std::string line = "type=CWD msg=audit(1.000:1): cwd=\"/\"";
  EXPECT_HAS(Format({line}, ""), R"("host":{"os":{"type":"linux"}})");
  EXPECT_HAS(Format({line}, "given"), R"("host":{"name":"given","os":{"type":"linux"}})");
  EXPECT_HAS(Format({"node=db-7 " + line}, ""), R"("host":{"name":"db-7","os":{"type":"linux"}})");
  EXPECT_HAS(Format({"node=db-7 " + line}, "given"), R"("host":{"name":"db-7",)");
  EventJsonFormatter formatter("");
  std::string loss;
  formatter.FormatLoss(LossInfo{"serial-gap", 1, false, 0, 0, 1000, {}}, &loss);
  EXPECT_HAS(loss, R"("host":{"os":{"type":"linux"}})");
}

// The log's own names win, everywhere a name of an id is written: uid 1000 is alice because the
// log says so, whoever has uid 1000 on this machine; uid 0 is what the log calls it too.
const std::vector<std::string> kForeignExec = {
    "type=SYSCALL msg=audit(1795344600.300:400): arch=c000003e syscall=59 success=yes exit=0 "
    "a0=1 a1=2 a2=3 a3=0 items=1 ppid=1 pid=4242 auid=1000 uid=1000 gid=1000 euid=0 suid=0 "
    "fsuid=0 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm=\"id\" exe=\"/usr/bin/id\" "
    "key=(null)\x1d" "ARCH=x86_64 SYSCALL=execve AUID=\"alice\" UID=\"alice\" GID=\"staff\" "
    "EUID=\"toor\" SUID=\"toor\" FSUID=\"toor\" EGID=\"staff\" SGID=\"staff\" FSGID=\"staff\"",
    "type=EXECVE msg=audit(1795344600.300:400): argc=1 a0=\"id\"",
    "type=PATH msg=audit(1795344600.300:400): item=0 name=\"/usr/bin/id\" inode=5 dev=fe:00 "
    "mode=0100755 ouid=1001 ogid=1001 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 "
    "cap_fver=0 cap_frootid=0\x1d" "OUID=\"dbadmin\" OGID=\"dbadmin\"",
};

TEST(ForeignJson, EnrichedNamesWin) {
  const std::string out = Format(kForeignExec);
  EXPECT_HAS(out, R"("user":{"id":"1000","name":"alice","effective":{"id":"0","name":"toor"}})");
  EXPECT_HAS(out, R"("group":{"id":"1000","name":"staff"})");
  EXPECT_HAS(out, R"("user":{"id":"0","name":"toor"},"real_user":{"id":"1000","name":"alice"},)"
                  R"("saved_user":{"id":"0","name":"toor"})");
  EXPECT_HAS(out, R"("owner":"dbadmin")");
  EXPECT_HAS(out, R"("group":"dbadmin")");
  EXPECT_HAS(out, R"("user":{"audit":{"id":"1000","name":"alice"}})");
  EXPECT_HAS(out, R"("related":{"user":["alice","toor"])");
  EXPECT_HAS(out, R"("auid":"alice","uid":"alice","gid":"staff","euid":"toor")");
  EXPECT_HAS(out, R"("ouid":"dbadmin","ogid":"dbadmin")");
  EXPECT_HASNT(out, R"("root")");
}

// One formatter, several hosts' logs (its memo of rendered members must not mix them), and a RAW
// record after ENRICHED ones of its node keeps the names learned there.
TEST(ForeignJson, NamesStayWithTheirNode) {
  EventJsonFormatter formatter("");
  std::vector<std::string> a = kForeignExec, b = kForeignExec;
  for (std::string& l : a) l = "node=alpha " + l;
  for (std::string& l : b) {
    l = "node=beta " + l;
    for (auto [from, to] : {std::pair<std::string, std::string>{"\"alice\"", "\"bob\""},
                            {"\"toor\"", "\"admin\""}}) {
      for (size_t at; (at = l.find(from)) != std::string::npos;) l.replace(at, from.size(), to);
    }
  }
  for (int round = 0; round < 3; ++round) {
    const std::string x = FormatWith(formatter, a);
    const std::string y = FormatWith(formatter, b);
    EXPECT_HAS(x, R"("user":{"id":"1000","name":"alice")");
    EXPECT_HAS(y, R"("user":{"id":"1000","name":"bob")");
    EXPECT_HAS(y, R"("auid":"bob","uid":"bob")");
    EXPECT_HAS(y, R"("effective":{"id":"0","name":"admin"})");
    EXPECT_HASNT(y, "alice");
    EXPECT_HASNT(x, "bob");
  }
  // A RAW record of alpha: alpha's names.
  const std::string raw = FormatWith(formatter, {
      "node=alpha type=SYSCALL msg=audit(1795344600.400:401): arch=c000003e syscall=59 "
      "success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=0 ppid=1 pid=4243 auid=1000 uid=1000 "
      "gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 "
      "comm=\"id\" exe=\"/usr/bin/id\" key=(null)"});
  EXPECT_HAS(raw, R"("user":{"id":"1000","name":"alice"})");
}

// --- Where names come from besides the log ------------------------------------------------------

std::string DecodeId(ValueDecoder& d, FieldKind kind, std::string_view raw) {
  std::string out;
  d.Decode(kind, raw, SyscallContext(), &out);
  return out;
}

// kNone: ids stay numbers (-1 is still unset); the log's own names still win.
TEST(IdNames, NoneKeepsNumbers) {
  ValueDecoder d;
  d.ids().set_source(IdNames::Source::kNone);
  EXPECT_EQ(DecodeId(d, FieldKind::kUid, "0"), "0");
  EXPECT_EQ(DecodeId(d, FieldKind::kUid, "1000"), "1000");
  EXPECT_EQ(DecodeId(d, FieldKind::kGid, "65534"), "65534");
  EXPECT_EQ(DecodeId(d, FieldKind::kUid, "4294967295"), "unset");
  const Event e = EventOf({"type=LOGIN msg=audit(1.000:1): pid=1 uid=0 old-auid=4294967295 "
                           "auid=1000 tty=(none) old-ses=4294967295 ses=3 res=1\x1d"
                           "UID=\"root\" OLD-AUID=\"unset\" AUID=\"alice\""});
  ParsedEvent p;
  p.Parse(e);
  d.log_names().SelectNode("");
  ASSERT_TRUE(d.log_names().Learn(p));
  EXPECT_EQ(DecodeId(d, FieldKind::kUid, "1000"), "alice");
  EXPECT_EQ(d.ids().User(1000), "alice");
  EXPECT_EQ(DecodeId(d, FieldKind::kUid, "0"), "root");
  EXPECT_EQ(d.ids().User(1001), "");
}

// kFiles: the log's host's passwd and group files; an id they lack is unknown(N), as auparse
// words an id without a name; a file that cannot be read is an error naming it.
TEST(IdNames, FilesOfTheLogsHost) {
  char dir_template[] = "/tmp/auditlens_idnames_XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  std::ofstream(dir + "/passwd") << "# a comment\nroot:x:0:0:root:/root:/bin/bash\n"
                                    "alice:x:1000:1000::/home/alice:/bin/sh\n"
                                    "+nis::::::\nbroken:x:notanumber:1::/:/bin/sh\n"
                                    "alias:x:1000:1000::/:/bin/sh\n";
  std::ofstream(dir + "/group") << "root:x:0:\nstaff:x:1000:alice\n";
  ValueDecoder d;
  std::string error;
  ASSERT_TRUE(d.ids().LoadFiles(dir + "/passwd", dir + "/group", &error)) << error;
  EXPECT_EQ(d.ids().source(), IdNames::Source::kFiles);
  EXPECT_EQ(DecodeId(d, FieldKind::kUid, "1000"), "alice") << "the first name of an id wins";
  EXPECT_EQ(DecodeId(d, FieldKind::kGid, "1000"), "staff");
  EXPECT_EQ(DecodeId(d, FieldKind::kUid, "0"), "root");
  EXPECT_EQ(DecodeId(d, FieldKind::kUid, "65534"), "unknown(65534)") << "never NSS's nobody";
  EXPECT_EQ(DecodeId(d, FieldKind::kUid, "4294967295"), "unset");
  ValueDecoder bad;
  EXPECT_FALSE(bad.ids().LoadFiles(dir + "/missing", dir + "/group", &error));
  EXPECT_NE(error.find(dir + "/missing"), std::string::npos) << error;
  EXPECT_EQ(bad.ids().source(), IdNames::Source::kLocal) << "a failed load changes nothing";
  std::remove((dir + "/passwd").c_str());
  std::remove((dir + "/group").c_str());
  rmdir(dir.c_str());
}

// The pipeline learns an event's ENRICHED names before its enrichers run: a stage whose IdNames
// points at Pipeline::log_names() sees the log's name already for the event that brings it.
class NameReader : public Enricher {
 public:
  void Enrich(const ParsedEvent& e, EventFacts*) override {
    seen.emplace_back(names.User(1000));
  }
  IdNames names;
  std::vector<std::string> seen;
};

TEST(ForeignPipeline, NamesAreKnownBeforeTheEnrichers) {
  char path_template[] = "/tmp/auditlens_names_XXXXXX";
  const int fd = mkstemp(path_template);
  ASSERT_GE(fd, 0);
  close(fd);
  OutputFile out;
  std::string error;
  ASSERT_TRUE(out.Open(path_template, &error)) << error;
  NameReader reader;
  PipelineOptions options;
  options.assembler.expect_eoe = false;
  options.enrichers.push_back(&reader);
  Pipeline pipeline(options, &out);
  reader.names.set_log_names(&pipeline.log_names());
  reader.names.set_source(IdNames::Source::kNone);
  for (const std::string& line : kForeignExec) {
    Record r;
    ASSERT_EQ(ParseLogRecord(line, &r), nullptr);
    pipeline.AddRecord(r);
  }
  pipeline.Flush();
  out.Flush();
  ASSERT_EQ(reader.seen.size(), 1u);
  EXPECT_EQ(reader.seen[0], "alice");
  std::ifstream in(path_template);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_HAS(text.str(), R"("user":{"id":"1000","name":"alice")");
  std::remove(path_template);
}

}  // namespace
}  // namespace auditlens
