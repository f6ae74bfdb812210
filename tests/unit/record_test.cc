// src/record: the netlink payload and auditd log line parsers, the field splitter and the record
// type table. Inputs are copied from this machine's kernel output or written in its exact format.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "record/fields.h"
#include "record/record.h"
#include "record/record_types.h"

namespace auditlens {
namespace {

std::vector<std::pair<std::string, std::string>> Split(std::string_view body) {
  std::vector<Field> fields;
  SplitFields(body, &fields);
  std::vector<std::pair<std::string, std::string>> out;
  for (const Field& f : fields) out.emplace_back(f.name, f.value);
  return out;
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

// --- Netlink payloads -------------------------------------------------------------------------

// The kernel's payload has no type= (the type is nlmsg_type): stamp, serial and body come apart.
TEST(NetlinkRecord, ParsesStampSerialAndBody) {
  Record r;
  const std::string payload =
      "audit(1795344525.627:3): arch=c000003e syscall=44 success=yes exit=1068";
  ASSERT_EQ(ParseNetlinkRecord(1300, payload, &r), nullptr);
  EXPECT_EQ(r.type, 1300);
  EXPECT_EQ(r.sec, 1795344525u);
  EXPECT_EQ(r.msec, 627u);
  EXPECT_EQ(r.serial, 3u);
  EXPECT_EQ(r.time_ms(), 1795344525627u);
  EXPECT_TRUE(r.node.empty());
  EXPECT_EQ(r.body, "arch=c000003e syscall=44 success=yes exit=1068");
}

// Multicast copies and some senders leave a NUL or newline at the end: not part of the body.
TEST(NetlinkRecord, TrailingNulNewlineAndSpacesAreNotBody) {
  Record r;
  const std::string payload("audit(1.005:7): op=x res=1  \n\0\0", 32);
  ASSERT_EQ(ParseNetlinkRecord(1305, payload, &r), nullptr);
  EXPECT_EQ(r.msec, 5u);
  EXPECT_EQ(r.body, "op=x res=1");
}

// An EOE payload has no fields at all.
TEST(NetlinkRecord, EmptyBody) {
  Record r;
  ASSERT_EQ(ParseNetlinkRecord(1320, "audit(1795344525.627:3): ", &r), nullptr);
  EXPECT_EQ(r.serial, 3u);
  EXPECT_TRUE(r.body.empty());
}

// The largest 32-bit serial parses; one more is an error, not a silent wrap.
TEST(NetlinkRecord, SerialLimits) {
  Record r;
  ASSERT_EQ(ParseNetlinkRecord(1300, "audit(10.000:4294967295): a=1", &r), nullptr);
  EXPECT_EQ(r.serial, 4294967295u);
  EXPECT_NE(ParseNetlinkRecord(1300, "audit(10.000:4294967296): a=1", &r), nullptr);
}

// Leading zeros are digits like any other; the largest 64-bit second still parses.
TEST(NetlinkRecord, StampNumbersAtTheirLimits) {
  Record r;
  ASSERT_EQ(ParseNetlinkRecord(1300, "audit(0000000000000000000000010.007:0000000000042): a=1", &r),
            nullptr);
  EXPECT_EQ(r.sec, 10u);
  EXPECT_EQ(r.msec, 7u);
  EXPECT_EQ(r.serial, 42u);
  ASSERT_EQ(ParseNetlinkRecord(1300, "audit(18446744073709551615.999:1): a=1", &r), nullptr);
  EXPECT_EQ(r.sec, 18446744073709551615u);
}

// Seconds of every length from 1 to 24 digits (the parser takes eight at a time where it can),
// against a checked reference: the same value, or an error exactly when it exceeds 64 bits.
TEST(NetlinkRecord, StampSecondsOfEveryLength) {
  std::mt19937_64 rng(7);
  for (int len = 1; len <= 24; ++len) {
    for (int trial = 0; trial < 200; ++trial) {
      std::string digits;
      for (int i = 0; i < len; ++i) digits.push_back(static_cast<char>('0' + rng() % 10));
      if (trial == 0) digits.assign(static_cast<size_t>(len), '9');
      unsigned __int128 want = 0;
      bool fits = true;
      for (char c : digits) {
        want = want * 10 + static_cast<unsigned>(c - '0');
        if (want > UINT64_MAX) fits = false;
      }
      Record r;
      const std::string text = "audit(" + digits + ".123:45): a=1";
      const char* err = ParseNetlinkRecord(1300, text, &r);
      if (!fits) {
        EXPECT_NE(err, nullptr) << digits;
        continue;
      }
      ASSERT_EQ(err, nullptr) << digits;
      EXPECT_EQ(r.sec, static_cast<uint64_t>(want)) << digits;
      EXPECT_EQ(r.msec, 123u);
      EXPECT_EQ(r.serial, 45u);
    }
  }
}

// Serials of every length from 1 to 12 digits (up to eight a step), each with and without a body
// after the stamp, so that the digits end at every distance from the end of the text.
TEST(NetlinkRecord, SerialsOfEveryLength) {
  std::mt19937_64 rng(11);
  for (int len = 1; len <= 12; ++len) {
    for (int trial = 0; trial < 100; ++trial) {
      std::string digits;
      for (int i = 0; i < len; ++i) digits.push_back(static_cast<char>('0' + rng() % 10));
      const uint64_t want = std::stoull(digits);
      for (const char* body : {"", ":", ": a=1", ": \xff\xfa"}) {
        Record r;
        const std::string text = "audit(1700000000.123:" + digits + ")" + body;
        const char* err = ParseNetlinkRecord(1300, text, &r);
        if (want > UINT32_MAX || std::string_view(body).empty()) {
          // Past 32 bits, or no ':' after the stamp (a netlink record must have one).
          EXPECT_NE(err, nullptr) << text;
          continue;
        }
        ASSERT_EQ(err, nullptr) << text;
        EXPECT_EQ(r.sec, 1700000000u);
        EXPECT_EQ(r.serial, want) << text;
      }
    }
  }
}

// Every malformed stamp is refused with a reason (never a crash, never a half-filled success).
TEST(NetlinkRecord, MalformedStampsHaveAReason) {
  const char* bad[] = {
      "",
      "arch=c000003e",
      "audit(",
      "audit(1795344525",
      "audit(1795344525.62:3): a=1",     // the kernel always writes 3 digits of milliseconds
      "audit(1795344525.6270:3): a=1",
      "audit(1795344525.627:): a=1",
      "audit(1795344525.627:3 a=1",
      "audit(1795344525.627:3)",
      "audit(1795344525.627:3) a=1",
      "audit(-1.627:3): a=1",
      "audit(x.627:3): a=1",
      "AUDIT(1795344525.627:3): a=1",
      "audit(+1795344525.627:3): a=1",
      "audit(18446744073709551616.627:3): a=1",  // seconds past 64 bits
      "audit(99999999999999999999.627:3): a=1",
  };
  for (const char* p : bad) {
    Record r;
    const char* why = ParseNetlinkRecord(1300, p, &r);
    EXPECT_NE(why, nullptr) << p;
    if (why) {
      EXPECT_GT(std::strlen(why), 0u);
    }
  }
}

// --- Log lines ---------------------------------------------------------------------------------

// A RAW line: type name → number, body is everything after the stamp.
TEST(LogRecord, Raw) {
  Record r;
  ASSERT_EQ(ParseLogRecord("type=PROCTITLE msg=audit(1795344525.627:3): proctitle=617564697463746C",
                           &r),
            nullptr);
  EXPECT_EQ(r.type, 1327);
  EXPECT_EQ(r.sec, 1795344525u);
  EXPECT_EQ(r.msec, 627u);
  EXPECT_EQ(r.serial, 3u);
  EXPECT_TRUE(r.node.empty());
  EXPECT_EQ(r.body, "proctitle=617564697463746C");
}

// An ENRICHED line (this machine's auditd): the 0x1d byte and auditd's interpretations after it are
// cut off, so RAW and ENRICHED logs give the same record.
TEST(LogRecord, EnrichedTailIsCut) {
  const std::string enriched =
      "type=SYSCALL msg=audit(1795344525.627:5): arch=c000003e syscall=44 success=yes exit=1060 "
      "comm=\"auditctl\" exe=\"/usr/sbin/auditctl\" key=(null)\x1d"
      "ARCH=x86_64 SYSCALL=sendto AUID=\"unset\" UID=\"root\"";
  const std::string raw = enriched.substr(0, enriched.find('\x1d'));
  Record a, b;
  ASSERT_EQ(ParseLogRecord(enriched, &a), nullptr);
  ASSERT_EQ(ParseLogRecord(raw, &b), nullptr);
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(a.body,
            "arch=c000003e syscall=44 success=yes exit=1060 comm=\"auditctl\" "
            "exe=\"/usr/sbin/auditctl\" key=(null)");
  EXPECT_EQ(a.body.find('\x1d'), std::string_view::npos);
  EXPECT_EQ(a.type, 1300);
  EXPECT_EQ(a.serial, 5u);
}

// A user-space record's enriched tail follows msg='...' directly.
TEST(LogRecord, EnrichedDaemonStart) {
  const std::string line =
      "type=DAEMON_START msg=audit(1795344524.622:5867): op=start ver=3.0.9 format=enriched "
      "kernel=6.18.44-fc-v669 auid=4294967295 pid=2181 uid=0 ses=4294967295 res=success\x1d"
      "AUID=\"unset\" UID=\"root\"";
  Record r;
  ASSERT_EQ(ParseLogRecord(line, &r), nullptr);
  EXPECT_EQ(r.type, 1200);
  EXPECT_EQ(r.serial, 5867u);
  EXPECT_EQ(r.body.substr(r.body.size() - 11), "res=success");
}

// node= names the machine of an aggregated log; without it the node is empty.
TEST(LogRecord, Node) {
  Record r;
  ASSERT_EQ(ParseLogRecord("node=web-01.example type=CWD msg=audit(1795344525.627:4): cwd=\"/tmp\"",
                           &r),
            nullptr);
  EXPECT_EQ(r.node, "web-01.example");
  EXPECT_EQ(r.type, 1307);
  EXPECT_EQ(r.body, "cwd=\"/tmp\"");
  ASSERT_EQ(ParseLogRecord("type=CWD msg=audit(1795344525.627:4): cwd=\"/tmp\"", &r), nullptr);
  EXPECT_TRUE(r.node.empty()) << "a previous line's node must not stick";
}

// auditd writes types it has no name for as UNKNOWN[n]; they parse to n.
TEST(LogRecord, UnknownTypeNumber) {
  Record r;
  ASSERT_EQ(ParseLogRecord("type=UNKNOWN[1234] msg=audit(1.000:9): x=1", &r), nullptr);
  EXPECT_EQ(r.type, 1234);
  ASSERT_EQ(ParseLogRecord("type=UNKNOWN[65535] msg=audit(1.000:9): x=1", &r), nullptr);
  EXPECT_EQ(r.type, 65535);
  EXPECT_NE(ParseLogRecord("type=UNKNOWN[65536] msg=audit(1.000:9): x=1", &r), nullptr);
  EXPECT_NE(ParseLogRecord("type=UNKNOWN[] msg=audit(1.000:9): x=1", &r), nullptr);
  EXPECT_NE(ParseLogRecord("type=UNKNOWN[12x] msg=audit(1.000:9): x=1", &r), nullptr);
}

// Trailing spaces and a CR (a log that went through a Windows tool) are not part of the body.
TEST(LogRecord, TrailingSpacesAndCrlf) {
  Record r;
  ASSERT_EQ(ParseLogRecord("type=CWD msg=audit(1.000:9): cwd=\"/tmp\"   \r", &r), nullptr);
  EXPECT_EQ(r.body, "cwd=\"/tmp\"");
  ASSERT_EQ(ParseLogRecord("type=CWD msg=audit(1.000:9): cwd=\"/tmp\"\r\n", &r), nullptr);
  EXPECT_EQ(r.body, "cwd=\"/tmp\"");
}

// Malformed lines are reported with a reason; a good line after them parses normally (the parser
// keeps no state between lines).
TEST(LogRecord, MalformedLinesHaveAReasonAndTheNextLineParses) {
  const char* bad[] = {
      "",
      "hello world",
      "type=SYSCALL",
      "type=SYSCALL msg=",
      "type=SYSCALL msg=audit(1795344601.300:312 arch=c000003e",
      "type= msg=audit(1795344601.300:312): arch=c000003e",
      "node=x",
      "node=x type=SYSCALL",
      "msg=audit(1795344601.300:312): arch=c000003e",
      // A type that is neither a name nor a number, or a number no type has.
      "type=DM-CTRL msg=audit(1795344601.300:312): arch=c000003e",
      "type=\"SYSCALL\" msg=audit(1795344601.300:312): arch=c000003e",
      "type=0 msg=audit(1795344601.300:312): arch=c000003e",
      "type=65536 msg=audit(1795344601.300:312): arch=c000003e",
      "type=UNKNOWN[0] msg=audit(1795344601.300:312): arch=c000003e",
      "type=1300x msg=audit(1795344601.300:312): arch=c000003e",
      // The stamp must still read: no colon is fine only before a blank or the end.
      "type=SYSCALL msg=audit(1795344601.300:312)arch=c000003e",
      "type=SYSCALL msg=(1795344601.300:312): arch=c000003e",
      "type=SYSCALL msg=audit(1795344601.3:312): arch=c000003e",
      "type=SYSCALL foo=audit(1795344601.300:312): arch=c000003e",
      "type=SYSCALL  ",
  };
  const std::string good = "type=EOE msg=audit(1795344601.300:313): ";
  for (const char* line : bad) {
    Record r;
    const char* why = ParseLogRecord(line, &r);
    EXPECT_NE(why, nullptr) << line;
    if (why) {
      EXPECT_GT(std::strlen(why), 0u);
    }
    Record g;
    ASSERT_EQ(ParseLogRecord(good, &g), nullptr);
    EXPECT_EQ(g.type, 1320);
    EXPECT_EQ(g.serial, 313u);
  }
}

// Whatever the bytes, the parsers return and every view stays inside the input (ASan checks the
// reads; this checks the views).
TEST(LogRecord, RandomBytesNeverEscapeTheInput) {
  std::mt19937 rng(12345);
  const std::string seeds[] = {
      "type=SYSCALL msg=audit(1795344525.627:5): arch=c000003e a0=\"x\" msg='op=a b=\"c\"'",
      "node=n type=AVC msg=audit(1.000:1): avc:  denied  { read } for  pid=1 (name=",
      "audit(1795344525.627:3): a='b c=\"d' e=\x1d f=",
  };
  std::vector<Field> fields;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s = seeds[iter % 3];
    int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      size_t pos = rng() % s.size();
      switch (rng() % 3) {
        case 0: s[pos] = static_cast<char>(rng()); break;
        case 1: s.erase(pos, 1 + rng() % 8); break;
        case 2: s.insert(pos, 1, "=\"' \x1d:().\n"[rng() % 11]); break;
      }
    }
    const char* lo = s.data();
    const char* hi = s.data() + s.size();
    auto inside = [&](std::string_view v) {
      return v.empty() || (v.data() >= lo && v.data() + v.size() <= hi);
    };
    Record r;
    if (ParseLogRecord(s, &r) == nullptr) {
      ASSERT_TRUE(inside(r.body) && inside(r.node) && inside(r.type_name) && inside(r.enriched))
          << s;
    }
    if (ParseNetlinkRecord(1300, s, &r) == nullptr) {
      ASSERT_TRUE(inside(r.body)) << s;
    }
    fields.clear();
    SplitFields(s, &fields);
    for (const Field& f : fields) {
      bool named_by_us = f.name == "seresult" || f.name == "seperms";
      ASSERT_TRUE((named_by_us || inside(f.name)) && inside(f.value)) << s;
    }
  }
}

// --- Fields --------------------------------------------------------------------------------------

// For bodies of unquoted fields with every awkward byte (controls that do not separate, tabs and
// newlines that do, '=' inside values, bytes above 0x7f) at every offset, the fields are those of
// the plainest reading of the grammar (a guard for any faster scan of names and values).
TEST(Fields, WordScanAgreesWithByteByByteReading) {
  auto separates = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
  auto reference = [&](std::string_view body) {
    std::vector<std::pair<std::string, std::string>> out;
    size_t i = 0;
    while (i < body.size()) {
      while (i < body.size() && separates(body[i])) ++i;
      if (i >= body.size()) break;
      size_t name_begin = i;
      while (i < body.size() && !separates(body[i]) && body[i] != '=') ++i;
      if (i >= body.size() || body[i] != '=') continue;  // a bare word
      std::string name(body.substr(name_begin, i - name_begin));
      size_t value_begin = ++i;
      while (i < body.size() && !separates(body[i])) ++i;
      out.emplace_back(name, std::string(body.substr(value_begin, i - value_begin)));
    }
    return out;
  };
  const std::string alphabet = std::string("abcxyz0123=_-/.:") + '\x01' + '\x1f' + '\r' + '\x7f' +
                               '\x80' + '\xff' + ' ' + '\t' + '\n';
  std::mt19937 rng(7);
  std::vector<Field> fields;
  for (int round = 0; round < 20000; ++round) {
    std::string body;
    size_t n = rng() % 48;
    for (size_t k = 0; k < n; ++k) {
      // Mostly name characters, so that fields of every length come out.
      body += rng() % 3 ? alphabet[rng() % 10] : alphabet[rng() % alphabet.size()];
    }
    if (!body.empty() && (body[0] == '"' || body[0] == '\'')) continue;
    if (body.find_first_of("\"'({") != std::string::npos) continue;  // other grammar
    if (body.find("avc:") != std::string::npos) continue;
    fields.clear();
    SplitFields(body, &fields);
    auto want = reference(body);
    ASSERT_EQ(fields.size(), want.size()) << body;
    for (size_t k = 0; k < want.size(); ++k) {
      ASSERT_EQ(fields[k].name, want[k].first) << body;
      ASSERT_EQ(fields[k].value, want[k].second) << body;
    }
  }
}

// Quoted values keep their quotes, hex values stay hex: the decoder needs to tell them apart.
TEST(Fields, QuotedAndHexValuesKeepTheirRawForm) {
  EXPECT_EQ(Split("item=1 name=2F746D702F6120622E747874 comm=\"touch\" key=(null)"),
            (Pairs{{"item", "1"},
                   {"name", "2F746D702F6120622E747874"},
                   {"comm", "\"touch\""},
                   {"key", "(null)"}}));
}

// A quoted value may contain '=' and single quotes; it ends at its closing '"'.
TEST(Fields, QuotedValueWithEqualsAndQuote) {
  EXPECT_EQ(Split("a4=\"arch=b64\" comm=\"it's\" x=1"),
            (Pairs{{"a4", "\"arch=b64\""}, {"comm", "\"it's\""}, {"x", "1"}}));
}

// msg='...' of user-space records is flattened into the record's own fields, as libauparse does.
TEST(Fields, UserMessageIsFlattened) {
  EXPECT_EQ(
      Split("pid=2300 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:accounting "
            "grantors=pam_permit acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=127.0.0.1 "
            "addr=127.0.0.1 terminal=ssh res=success'"),
      (Pairs{{"pid", "2300"},
             {"uid", "0"},
             {"auid", "4294967295"},
             {"ses", "4294967295"},
             {"op", "PAM:accounting"},
             {"grantors", "pam_permit"},
             {"acct", "\"root\""},
             {"exe", "\"/usr/sbin/sshd\""},
             {"hostname", "127.0.0.1"},
             {"addr", "127.0.0.1"},
             {"terminal", "ssh"},
             {"res", "success"}}));
}

// USER_AVC carries an AVC text inside msg='...': its result, "(seqno=2)" without parentheses, and
// the fields after the inner text are kept.
TEST(Fields, UserAvcInsideMsg) {
  EXPECT_EQ(Split("pid=1 uid=0 msg='avc:  received policyload notice (seqno=2)  "
                  "exe=\"/usr/lib/systemd/systemd\" sauid=0 hostname=? addr=? terminal=?'"),
            (Pairs{{"pid", "1"},
                   {"uid", "0"},
                   {"seresult", "received"},
                   {"seqno", "2"},
                   {"exe", "\"/usr/lib/systemd/systemd\""},
                   {"sauid", "0"},
                   {"hostname", "?"},
                   {"addr", "?"},
                   {"terminal", "?"}}));
}

// The AVC prefix ("avc:  denied  { read write } for") is not name=value, but its result and
// permissions are the point of the record: they become seresult and seperms (libauparse's names);
// the other bare words are skipped.
TEST(Fields, AvcPrefix) {
  EXPECT_EQ(Split("avc:  denied  { read write } for  pid=2400 comm=\"cat\" name=\"shadow\" "
                  "tclass=file permissive=0"),
            (Pairs{{"seresult", "denied"},
                   {"seperms", "read write"},
                   {"pid", "2400"},
                   {"comm", "\"cat\""},
                   {"name", "\"shadow\""},
                   {"tclass", "file"},
                   {"permissive", "0"}}));
  EXPECT_EQ(Split("avc:  granted  { setenforce } for  pid=1"),
            (Pairs{{"seresult", "granted"}, {"seperms", "setenforce"}, {"pid", "1"}}));
  // Truncated or odd prefixes never read past the body.
  EXPECT_EQ(Split("avc:  denied  { read"), (Pairs{{"seresult", "denied"}, {"seperms", "read"}}));
  EXPECT_EQ(Split("avc:"), Pairs{});
  EXPECT_EQ(Split("avc: denied"), (Pairs{{"seresult", "denied"}}));
  // Braces and words elsewhere are just skipped.
  EXPECT_EQ(Split("x { y } z=1 denied"), (Pairs{{"z", "1"}}));
  // "(none)" and "(null)" are values, not parenthesized names.
  EXPECT_EQ(Split("tty=(none) key=(null)"), (Pairs{{"tty", "(none)"}, {"key", "(null)"}}));
}

// Empty values (name= in the middle or at the end) are fields with an empty value, not a merge
// with the next token; trailing spaces and tabs add nothing.
TEST(Fields, EmptyValuesAndTrailingSpaces) {
  EXPECT_EQ(Split("name= inode=5 empty=   \t"),
            (Pairs{{"name", ""}, {"inode", "5"}, {"empty", ""}}));
  EXPECT_EQ(Split("a=1 name="), (Pairs{{"a", "1"}, {"name", ""}}));
  EXPECT_EQ(Split("   "), Pairs{});
  EXPECT_EQ(Split(""), Pairs{});
}

// Values may contain '=' (a0="-F" arch=b64 written unquoted by user space) and ':' and '/'.
TEST(Fields, UnquotedValueRunsToTheSpace) {
  EXPECT_EQ(Split("op=PAM:setcred list=a=b dev=fe:00"),
            (Pairs{{"op", "PAM:setcred"}, {"list", "a=b"}, {"dev", "fe:00"}}));
}

// Malformed quoting stops at the end of the body instead of reading past it.
TEST(Fields, UnterminatedQuotes) {
  EXPECT_EQ(Split("a=\"abc def"), (Pairs{{"a", "\"abc def"}}));
  EXPECT_EQ(Split("x=1 msg='op=a res=1"), (Pairs{{"x", "1"}, {"op", "a"}, {"res", "1"}}));
  EXPECT_EQ(Split("a=\""), (Pairs{{"a", "\""}}));
  EXPECT_EQ(Split("msg='"), Pairs{});
}

// The output vector is appended to, not cleared: callers gather a whole event in one vector.
TEST(Fields, AppendsToTheVector) {
  std::vector<Field> fields;
  SplitFields("a=1", &fields);
  SplitFields("b=2 c=3", &fields);
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].name, "a");
  EXPECT_EQ(fields[2].value, "3");
}

// A real SYSCALL body from this machine splits into its 26 fields with the last one intact.
TEST(Fields, RealSyscallRecord) {
  std::vector<Field> fields;
  SplitFields(
      "arch=c000003e syscall=59 success=yes exit=0 a0=555b44dd1270 a1=555b44db8b80 "
      "a2=555b44db5ea0 a3=abf7cd7609435440 items=2 ppid=2177 pid=2191 auid=4294967295 uid=0 gid=0 "
      "euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"auditctl\" "
      "exe=\"/usr/sbin/auditctl\" key=\"exec_test\"",
      &fields);
  ASSERT_EQ(fields.size(), 25u);
  EXPECT_EQ(fields[20].name, "tty");
  EXPECT_EQ(fields[20].value, "(none)");
  EXPECT_EQ(fields.back().name, "key");
  EXPECT_EQ(fields.back().value, "\"exec_test\"");
}

// --- Record types --------------------------------------------------------------------------------

// Names and numbers map both ways, including UNKNOWN[n] for numbers without a name.
TEST(RecordTypes, NamesRoundTrip) {
  EXPECT_EQ(RecordTypeName(1300), "SYSCALL");
  EXPECT_EQ(RecordTypeName(1320), "EOE");
  EXPECT_EQ(RecordTypeName(1101), "USER_ACCT");
  EXPECT_EQ(RecordTypeFromName("PROCTITLE"), 1327);
  EXPECT_EQ(RecordTypeFromName("DAEMON_START"), 1200);
  EXPECT_EQ(RecordTypeFromName("NO_SUCH_TYPE"), 0);
  EXPECT_EQ(RecordTypeFromName(""), 0);
  for (uint32_t t = 1; t <= 65535; t += (t < 3100 ? 1 : 97)) {
    std::string_view name = RecordTypeName(static_cast<uint16_t>(t));
    ASSERT_FALSE(name.empty()) << t;
    EXPECT_EQ(RecordTypeFromName(name), t) << name;
  }
  EXPECT_EQ(RecordTypeName(1999), "UNKNOWN[1999]");
}

// Which types are events on their own: user-space messages and daemon messages, not kernel ones.
TEST(RecordTypes, StandaloneRanges) {
  EXPECT_TRUE(IsStandaloneType(1100));
  EXPECT_TRUE(IsStandaloneType(1101));
  EXPECT_TRUE(IsStandaloneType(1200));
  EXPECT_TRUE(IsStandaloneType(1299));
  EXPECT_TRUE(IsStandaloneType(2100));
  EXPECT_TRUE(IsStandaloneType(2999));
  EXPECT_FALSE(IsStandaloneType(1006));
  EXPECT_FALSE(IsStandaloneType(1099));
  EXPECT_FALSE(IsStandaloneType(1300));
  EXPECT_FALSE(IsStandaloneType(1305));
  EXPECT_FALSE(IsStandaloneType(1320));
  EXPECT_FALSE(IsStandaloneType(1400));
  EXPECT_FALSE(IsStandaloneType(2099));
  EXPECT_FALSE(IsStandaloneType(3000));
}

}  // namespace
}  // namespace auditlens
