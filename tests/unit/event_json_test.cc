// src/output/event_json: one event → one line of JSON. Records are written in this machine's
// kernel format (auditd RAW log lines); the checks are on the exact JSON text.
#include <gtest/gtest.h>

#include "event_from_lines.h"

#include <string>
#include <vector>

#include "assemble/event.h"
#include "decode/parsed_event.h"
#include "output/event_json.h"
#include "record/record.h"

namespace auditlens {
namespace {

// --- a strict JSON checker (grammar and UTF-8), enough for one line of our output ---------------

class Json {
 public:
  explicit Json(std::string_view s) : s_(s) {}
  bool Valid() {
    Ws();
    if (!Value()) return false;
    Ws();
    return i_ == s_.size();
  }

 private:
  bool Value() {
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '{') return Object();
    if (c == '[') return Array();
    if (c == '"') return String();
    if (c == 't') return Word("true");
    if (c == 'f') return Word("false");
    if (c == 'n') return Word("null");
    return Number();
  }
  bool Object() {
    ++i_;
    Ws();
    if (Peek('}')) return ++i_, true;
    for (;;) {
      Ws();
      if (!String()) return false;
      Ws();
      if (!Peek(':')) return false;
      ++i_;
      Ws();
      if (!Value()) return false;
      Ws();
      if (Peek('}')) return ++i_, true;
      if (!Peek(',')) return false;
      ++i_;
    }
  }
  bool Array() {
    ++i_;
    Ws();
    if (Peek(']')) return ++i_, true;
    for (;;) {
      Ws();
      if (!Value()) return false;
      Ws();
      if (Peek(']')) return ++i_, true;
      if (!Peek(',')) return false;
      ++i_;
    }
  }
  bool String() {
    if (!Peek('"')) return false;
    ++i_;
    while (i_ < s_.size()) {
      auto c = static_cast<unsigned char>(s_[i_]);
      if (c == '"') return ++i_, true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (++i_ >= s_.size()) return false;
        char e = s_[i_];
        if (e == 'u') {
          for (int k = 1; k <= 4; ++k) {
            if (i_ + k >= s_.size() || !isxdigit(static_cast<unsigned char>(s_[i_ + k]))) {
              return false;
            }
          }
          i_ += 5;
          continue;
        }
        if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) return false;
        ++i_;
        continue;
      }
      if (c < 0x80) {
        ++i_;
        continue;
      }
      int len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
      if (len == 0 || i_ + len > s_.size()) return false;
      for (int k = 1; k < len; ++k) {
        if ((static_cast<unsigned char>(s_[i_ + k]) & 0xc0) != 0x80) return false;
      }
      i_ += len;
    }
    return false;
  }
  bool Number() {
    size_t start = i_;
    if (Peek('-')) ++i_;
    while (i_ < s_.size() && (isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.' ||
                              s_[i_] == 'e' || s_[i_] == 'E' || s_[i_] == '+' || s_[i_] == '-')) {
      ++i_;
    }
    return i_ > start;
  }
  bool Word(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  bool Peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  void Ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t')) ++i_;
  }
  std::string_view s_;
  size_t i_ = 0;
};

// Reverses the percent escape of a value listed in "encoded".
std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}


// Formats the event made of these RAW log lines.
std::string Format(const std::vector<std::string>& lines) {
  const Event event = EventOf(lines);
  ParsedEvent parsed;
  parsed.Parse(event);
  EventJsonFormatter formatter("testhost");
  std::string out;
  formatter.Format(parsed, &out);
  return out;
}

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE((haystack).find(needle), std::string::npos) << "missing " << (needle) << " in " << (haystack)

const std::string kSyscallOpenat =
    "type=SYSCALL msg=audit(1795345185.787:1813240): arch=c000003e syscall=257 success=yes "
    "exit=3 a0=ffffff9c a1=55d1a0c0 a2=80241 a3=1a4 items=2 ppid=1458 pid=1518 auid=4294967295 "
    "uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 "
    "comm=\"corpus_helper\" exe=\"/tmp/auditlens-diff.V9XoNo/bin/corpus_helper\" "
    "key=646966662D66696C65017365636F6E642D6B6579";

// ECS process.interactive and process.tty.char_device from the SYSCALL record's tty= name.
TEST(EventJson, TerminalBecomesInteractiveAndItsDeviceNumbers) {
  auto with_tty = [](const std::string& tty) {
    std::string line = kSyscallOpenat;
    line.replace(line.find("tty=(none)"), 10, "tty=" + tty);
    return Format({line});
  };
  EXPECT_HAS(Format({kSyscallOpenat}), R"("interactive":false)");
  EXPECT_EQ(Format({kSyscallOpenat}).find(R"("tty":{)"), std::string::npos);
  EXPECT_HAS(with_tty("pts1"), R"("interactive":true,"tty":{"char_device":{"major":136,"minor":1}})");
  EXPECT_HAS(with_tty("pts300"), R"("tty":{"char_device":{"major":137,"minor":44}})");
  EXPECT_HAS(with_tty("tty2"), R"("tty":{"char_device":{"major":4,"minor":2}})");
  EXPECT_HAS(with_tty("ttyS1"), R"("tty":{"char_device":{"major":4,"minor":65}})");
  // A terminal whose numbers the name does not say: interactive, no device.
  const std::string console = with_tty("console");
  EXPECT_HAS(console, R"("interactive":true)");
  EXPECT_EQ(console.find(R"("tty":{)"), std::string::npos) << console;
  EXPECT_EQ(with_tty("pts9999999").find(R"("char_device")"), std::string::npos);
}

TEST(EventJson, NonUtf8FileNameIsValidJsonListedInEncodedAndReversible) {
  std::string out = Format({
      kSyscallOpenat,
      "type=CWD msg=audit(1795345185.787:1813240): cwd=\"/tmp/w\"",
      "type=PATH msg=audit(1795345185.787:1813240): item=0 name=\"/tmp/w\" inode=1 dev=fe:00 "
      "mode=040755 ouid=0 ogid=0 rdev=00:00 nametype=PARENT cap_fp=0 cap_fi=0 cap_fe=0 "
      "cap_fver=0 cap_frootid=0",
      // "25 FF FE 2D C3 A9": a '%', two bytes that are not UTF-8, '-', and a valid é.
      "type=PATH msg=audit(1795345185.787:1813240): item=1 name=25FFFE2DC3A9 inode=2 "
      "dev=fe:00 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=CREATE cap_fp=0 cap_fi=0 "
      "cap_fe=0 cap_fver=0 cap_frootid=0",
      "type=PROCTITLE msg=audit(1795345185.787:1813240): proctitle=2F62696E2F78002D2D61FF",
  });
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1);  // one line
  EXPECT_TRUE(Json(std::string_view(out).substr(0, out.size() - 1)).Valid()) << out;

  // The name: percent-encoded ('%' too), é kept, and listed in "encoded" by its JSON path.
  EXPECT_HAS(out, R"("name":"%25%FF%FE-)" "\xc3\xa9" R"(")");
  EXPECT_HAS(out, R"("auditd.records[3].name")");
  EXPECT_EQ(PercentDecode("%25%FF%FE-\xc3\xa9"), "\x25\xff\xfe-\xc3\xa9");
  // The summary's file.path (joined with nothing: the name is relative) and the proctitle
  // argument are listed too, each array item by its index.
  EXPECT_HAS(out, R"("file":{"path":"/tmp/w/%25%FF%FE-)");
  EXPECT_HAS(out, R"("file.path")");
  EXPECT_HAS(out, R"("proctitle":["/bin/x","--a%FF"])");
  EXPECT_HAS(out, R"("auditd.records[4].proctitle[1]")");
  EXPECT_EQ(out.find(R"("auditd.records[4].proctitle[0]")"), std::string::npos);
  EXPECT_HAS(out, R"("process":{"pid":1518,"parent":{"pid":1458})");
  EXPECT_HAS(out, R"("args":["/bin/x","--a%FF"])");
  EXPECT_HAS(out, R"("process.args[1]")");
  // Every other field decoded.
  EXPECT_HAS(out, R"("a0":"AT_FDCWD","a1":"0x55d1a0c0","a2":"O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC")");
  EXPECT_HAS(out, R"("auid":"unset")");
  EXPECT_HAS(out, R"("mode":"file,644")");
  EXPECT_HAS(out, R"("nametype":"CREATE")");
  EXPECT_HAS(out, R"("cap_fp":"none","cap_fi":"none","cap_fe":"0")");
  // Several keys: an array in the record, and the tags.
  EXPECT_HAS(out, R"("key":["diff-file","second-key"])");
  EXPECT_HAS(out, R"("tags":["diff-file","second-key"])");
  EXPECT_HAS(out, R"("@timestamp":"2026-11-22T10:59:45.787Z","ecs":{"version":"9.1.0"})");
  EXPECT_HAS(out, R"("host":{"name":"testhost","os":{"type":"linux"}})");
  // An open with O_CREAT (openat's a2) creates its file.
  EXPECT_HAS(out, R"("event":{"sequence":1813240,"kind":"event","module":"auditd","dataset":"auditd.events","action":"openat","category":["file"],"type":["creation"])");
}

TEST(EventJson, ExecveArgumentSplitAcrossTwoRecords) {
  std::string piece0(7000, 'a');
  std::string piece1 = "2062FF";  // " b" and a byte that is not UTF-8, hex-encoded
  std::string out = Format({
      "type=SYSCALL msg=audit(1795345185.900:77): arch=c000003e syscall=59 success=yes exit=0 "
      "a0=5601 a1=5602 a2=5603 a3=0 items=2 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 "
      "fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"x\" exe=\"/usr/bin/x\" "
      "key=(null)",
      "type=EXECVE msg=audit(1795345185.900:77): argc=3 a0=\"x\" a1_len=7003 a1[0]=\"" + piece0 +
          "\"",
      "type=EXECVE msg=audit(1795345185.900:77): a1[1]=" + piece1 + " a2=\"tail\"",
      "type=CWD msg=audit(1795345185.900:77): cwd=\"/\"",
      "type=PATH msg=audit(1795345185.900:77): item=0 name=\"/usr/bin/x\" inode=5 dev=fe:00 "
      "mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 "
      "cap_fver=0 cap_frootid=0",
      "type=PATH msg=audit(1795345185.900:77): item=1 name=\"/lib64/ld-linux-x86-64.so.2\" "
      "inode=6 dev=fe:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 "
      "cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0",
      "type=PROCTITLE msg=audit(1795345185.900:77): proctitle=78",
  });
  EXPECT_TRUE(Json(std::string_view(out).substr(0, out.size() - 1)).Valid());
  std::string joined = piece0 + " b%FF";
  // process.args: the whole argument; the first EXECVE record has it joined under a1, with a1_len
  // kept; the piece a1[1] is not written again in the second record.
  EXPECT_HAS(out, R"("args":["x",")" + joined + R"(","tail"],"args_count":3)");
  EXPECT_HAS(out, R"("argc":"3","a0":"x","a1_len":"7003","a1":")" + joined + "\"");
  EXPECT_HAS(out, R"({"type":"EXECVE","a2":"tail"})");
  EXPECT_EQ(out.find("a1[1]"), std::string::npos);
  EXPECT_HAS(out, R"("auditd.records[1].a1")");
  EXPECT_HAS(out, R"("process.args[1]")");
  // The program is PATH item 0, not the ELF interpreter.
  EXPECT_HAS(out, R"("file":{"path":"/usr/bin/x")");
  EXPECT_HAS(out, R"("action":"exec","category":["process"],"type":["start"])");
}

TEST(EventJson, SockaddrObjects) {
  auto one = [](const std::string& saddr) {
    return Format({
        "type=SYSCALL msg=audit(1795345185.900:78): arch=c000003e syscall=42 success=yes exit=0 "
        "a0=3 a1=7ffd a2=10 a3=0 items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 "
        "fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"x\" exe=\"/x\" key=\"net\"",
        "type=SOCKADDR msg=audit(1795345185.900:78): saddr=" + saddr,
    });
  };
  EXPECT_HAS(one("02001F907F0000010000000000000000"),
             R"("saddr":{"family":"inet","address":"127.0.0.1","port":8080})");
  EXPECT_HAS(one("0A00D16F000000000000000000000000000000000000000100000000"),
             R"("saddr":{"family":"inet6","address":"::1","port":53615})");
  EXPECT_HAS(one("01002F746D702F7300"), R"("saddr":{"family":"local","path":"/tmp/s"})");
  std::string abstract = one("01000061756469746C656E73206469666620FF");
  EXPECT_HAS(abstract, R"("saddr":{"family":"local","path":"@auditlens diff %FF","abstract":true})");
  EXPECT_HAS(abstract, R"("encoded":["auditd.records[1].saddr.path"])");
  EXPECT_HAS(one("100000000000000001000000"),
             R"("saddr":{"family":"netlink","pid":0,"groups":1})");
  EXPECT_HAS(one("02008F297F00"),
             R"("saddr":{"family":"inet","error":"sockaddr len too short","raw":"02008F297F00"})");
  EXPECT_HAS(one("0100"),
             R"("saddr":{"family":"local","error":"sockaddr len too short","raw":"0100"})");
  EXPECT_HAS(one("00000000000000000000000000000000"),
             R"x("saddr":{"family":"unknown-family(0)","raw":"00000000000000000000000000000000"})x");
  EXPECT_HAS(one("1100030001000000"),
             R"("saddr":{"family":"packet","error":"unsupported","raw":"1100030001000000"})");
  EXPECT_HAS(one("020"), R"("saddr":"020")");
  EXPECT_HAS(one("02001F907F0000010000000000000000"), R"("a0":"0x3")");
}

TEST(EventJson, UserMessageRepeatsNames) {
  std::string out = Format({
      "type=USER_ACCT msg=audit(1795345185.900:79): pid=10 uid=0 auid=4294967295 ses=4294967295 "
      "msg='op=PAM:accounting grantors=pam_permit acct=\"r\\\"oot\" exe=\"/usr/sbin/sshd\" "
      "hostname=1.2.3.4 addr=1.2.3.4 terminal=ssh res=success uid=65534'",
  });
  EXPECT_TRUE(Json(std::string_view(out).substr(0, out.size() - 1)).Valid()) << out;
  EXPECT_HAS(out, R"("uid":"root")");
  EXPECT_HAS(out, R"("uid_2":"nobody")");
  EXPECT_HAS(out, R"("res":"success")");
  EXPECT_HAS(out, R"("outcome":"success")");
}

TEST(EventJson, OpenThatCreatedNothingIsAnAccess) {
  // bash's `>>` opens an existing file with O_CREAT: the kernel's PATH item says NORMAL, not
  // CREATE, so the event is an access.
  std::string out = Format({
      kSyscallOpenat,
      "type=PATH msg=audit(1795345185.787:1813240): item=0 name=\"/tmp/w/f\" inode=2 dev=fe:00 "
      "mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 "
      "cap_fver=0 cap_frootid=0",
  });
  EXPECT_HAS(out, R"("action":"openat","category":["file"],"type":["access"])");
  // A name that says "nametype=CREATE" is a name: the kernel quotes it.
  out = Format({
      kSyscallOpenat,
      "type=PATH msg=audit(1795345185.787:1813240): item=0 name=\"nametype=CREATE\" inode=2 "
      "dev=fe:00 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 "
      "cap_fe=0 cap_fver=0 cap_frootid=0",
  });
  EXPECT_HAS(out, R"("type":["access"])");
}

TEST(EventJson, LoginMessageNamesTheAccountAndTheClient) {
  // ECS: the account PAM checked is user.name, the client source.ip; the program that asked
  // (sshd, as root) is process.user.
  std::string out = Format({
      "type=USER_AUTH msg=audit(1795345185.900:80): pid=10 uid=0 auid=4294967295 ses=4294967295 "
      "msg='op=PAM:authentication grantors=? acct=\"alice\" exe=\"/usr/sbin/sshd\" "
      "hostname=10.1.2.3 addr=10.1.2.3 terminal=ssh res=failed'",
  });
  EXPECT_HAS(out, R"("action":"user_auth","category":["authentication"],"type":["info"],"outcome":"failure")");
  EXPECT_HAS(out, R"("user":{"name":"alice"})");
  EXPECT_HAS(out, R"("process":{"pid":10,"executable":"/usr/sbin/sshd","user":{"id":"0","name":"root"}})");
  EXPECT_HAS(out, R"("source":{"ip":"10.1.2.3"})");
  EXPECT_HAS(out, R"("related":{"user":["root","alice"],"ip":["10.1.2.3"]})");
  // No client ("?"), and a login: authentication and session.
  out = Format({
      "type=USER_LOGIN msg=audit(1795345185.900:81): pid=10 uid=0 auid=61234 ses=3 "
      "msg='op=login id=61234 exe=\"/usr/sbin/sshd\" hostname=? addr=? terminal=/dev/pts/0 "
      "res=success'",
  });
  EXPECT_HAS(out, R"("category":["authentication","session"],"type":["start"],"outcome":"success")");
  EXPECT_HAS(out, R"("user":{"name":"61234"})");  // id= (a uid no host here has a name for)
  EXPECT_EQ(out.find(R"("source":)"), std::string::npos) << out;
}

TEST(EventJson, LossEvent) {
  EventJsonFormatter formatter("testhost");
  LossInfo loss;
  loss.cause = "serial-gap";
  loss.count = 3;
  loss.has_range = true;
  loss.first_serial = 10;
  loss.last_serial = 12;
  loss.time_ms = 1795345185900;
  loss.detail = "serials 10-12 never arrived";
  std::string out;
  formatter.FormatLoss(loss, &out);
  EXPECT_TRUE(Json(std::string_view(out).substr(0, out.size() - 1)).Valid()) << out;
  EXPECT_HAS(out, R"("event":{"kind":"pipeline_error","type":["error"])");
  EXPECT_HAS(out, R"("auditd":{"loss":{"cause":"serial-gap","count":3,"first_serial":10,"last_serial":12}})");
}

}  // namespace
}  // namespace auditlens

namespace auditlens {
namespace {

// ParsedEvent::Get answers the same for a literal name (inline, folded probe of the SYSCALL
// record's index), a runtime name (the general path) and a walk over the fields: the first field
// of that name, or nothing. Twice over one ParsedEvent: the second parse takes the split memo.
TEST(ParsedEvent, LiteralAndRuntimeNamesFindTheSameFirstField) {
  const std::string line =
      "type=SYSCALL msg=audit(1795345185.787:7): arch=c000003e syscall=42 success=no exit=-111 "
      "a0=3 a1=7ffd a2=10 a3=0 items=0 ppid=1 pid=4321 auid=1000 uid=0 gid=0 euid=0 suid=0 "
      "fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=2 comm=\"x\" exe=\"/x\" pid=99 key=\"k\"";
  const Event event = EventOf({line});
  ParsedEvent e;
  for (int round = 0; round < 2; ++round) {
    e.Parse(event);
    auto walk = [&](std::string_view name) -> std::string_view {
      for (const Field& f : e.fields(0)) {
        if (f.name == name) return f.value;
      }
      return {};
    };
#define CHECK_NAME(lit)                                           \
  EXPECT_EQ(e.Get(0, lit), walk(lit)) << lit;                     \
  EXPECT_EQ(e.Get(0, std::string_view(lit)), walk(lit)) << lit;
    CHECK_NAME("arch") CHECK_NAME("syscall") CHECK_NAME("success") CHECK_NAME("exit")
    CHECK_NAME("a0") CHECK_NAME("a1") CHECK_NAME("a2") CHECK_NAME("a3") CHECK_NAME("items")
    CHECK_NAME("ppid") CHECK_NAME("pid") CHECK_NAME("auid") CHECK_NAME("uid") CHECK_NAME("gid")
    CHECK_NAME("euid") CHECK_NAME("suid") CHECK_NAME("fsuid") CHECK_NAME("egid")
    CHECK_NAME("sgid") CHECK_NAME("fsgid") CHECK_NAME("tty") CHECK_NAME("ses")
    CHECK_NAME("comm") CHECK_NAME("exe") CHECK_NAME("key") CHECK_NAME("subj")
    CHECK_NAME("a4") CHECK_NAME("pi") CHECK_NAME("pidd") CHECK_NAME("e")
#undef CHECK_NAME
    EXPECT_EQ(e.Get(0, "pid"), "4321");  // the first of two
    EXPECT_TRUE(e.Get(0, "subj").empty());
  }
}

}  // namespace
}  // namespace auditlens

namespace auditlens {
namespace {

// process.pid is a JSON number whatever form the record gives it in: the shortest form is copied,
// any other is parsed and written shortest; a value that is no number is left out.
TEST(EventJson, ProcessPidIsAlwaysTheShortestNumber) {
  const std::pair<std::string, std::string> cases[] = {
      {"1518", "\"pid\":1518"}, {"0", "\"pid\":0"},       {"0012", "\"pid\":12"},
      {"-0", "\"pid\":0"},      {"-5", "\"pid\":-5"},     {"+7", ""},
      {"12a", ""},              {"1234567890123456789", "\"pid\":1234567890123456789"},
  };
  for (const auto& [raw, expected] : cases) {
    std::string line = kSyscallOpenat;
    line.replace(line.find(" pid=1518"), 9, " pid=" + raw);
    std::string out = Format({line});
    if (expected.empty()) {
      EXPECT_EQ(out.find("\"process\":{\"pid\""), std::string::npos) << raw << ": " << out;
    } else {
      EXPECT_NE(out.find("\"process\":{" + expected + ","), std::string::npos) << raw << ": " << out;
    }
  }
}

// A field decoded with another argument is not answered by the memo from an earlier event with the
// same raw value (i386 socketcall's and ipc's syscall name a0; open's a2 is a mode only with
// O_CREAT in a1).
TEST(EventJson, FieldsDecodedWithOtherArgumentsAreNotMemoizedByTheirOwnValue) {
  EventJsonFormatter formatter("testhost");
  auto format = [&formatter](const std::string& line) {
    const Event event = EventOf({line});
    ParsedEvent parsed;
    parsed.Parse(event);
    std::string out;
    formatter.Format(parsed, &out);
    return out;
  };
  const std::string tail =
      " items=0 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 "
      "tty=pts0 ses=1 comm=\"x\" exe=\"/bin/x\" key=(null)";
  auto line = [&tail](int serial, const std::string& body) {
    return "type=SYSCALL msg=audit(1700000000.000:" + std::to_string(serial) + "): " + body + tail;
  };
  EXPECT_HAS(format(line(1, "arch=40000003 syscall=102 success=yes exit=0 a0=3 a1=0 a2=0 a3=0")),
             "\"syscall\":\"socketcall(connect)\"");
  EXPECT_HAS(format(line(2, "arch=40000003 syscall=102 success=yes exit=0 a0=2 a1=0 a2=0 a3=0")),
             "\"syscall\":\"socketcall(bind)\"");
  EXPECT_HAS(format(line(3, "arch=40000003 syscall=117 success=yes exit=0 a0=2 a1=0 a2=0 a3=0")),
             "\"syscall\":\"ipc(semget)\"");
  EXPECT_HAS(format(line(4, "arch=40000003 syscall=117 success=yes exit=0 a0=63 a1=0 a2=0 a3=0")),
             "\"syscall\":\"ipc\"");
  EXPECT_HAS(format(line(5, "arch=c000003e syscall=2 success=yes exit=3 a0=1 a1=41 a2=1a4 a3=0")),
             "\"a2\":\"0644\"");
  EXPECT_HAS(format(line(6, "arch=c000003e syscall=2 success=yes exit=3 a0=1 a1=1 a2=1a4 a3=0")),
             "\"a2\":\"0x1a4\"");
}

}  // namespace
}  // namespace auditlens
