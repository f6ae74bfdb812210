// src/agent/pipeline and src/output/output_file, end to end: log lines or netlink payloads in, one
// valid JSON line per event out, loss events for serial gaps, no allocation in steady state.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "agent/pipeline.h"
#include "output/output_file.h"
#include "record/line_reader.h"
#include "record/record.h"

// --- Allocation counting -------------------------------------------------------------------------
// Under AddressSanitizer the runtime's malloc hooks see every allocation; otherwise the global
// operator new is replaced. Counting is on only inside a CountAllocations scope.
namespace {
std::atomic<bool> g_counting{false};
std::atomic<uint64_t> g_allocations{0};
}  // namespace

#if defined(__SANITIZE_ADDRESS__)
#define AUDITLENS_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AUDITLENS_TEST_ASAN 1
#endif
#endif

#if defined(AUDITLENS_TEST_ASAN)
extern "C" int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void*, size_t), void (*free_hook)(const volatile void*));
namespace {
void OnMalloc(const volatile void*, size_t) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
}
void OnFree(const volatile void*) {}
bool InstallHooks() {
  static const bool installed = __sanitizer_install_malloc_and_free_hooks(OnMalloc, OnFree) != 0;
  return installed;
}
}  // namespace
#else
namespace {
bool InstallHooks() { return true; }
}  // namespace
void* operator new(size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  if (void* p = malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  return malloc(n ? n : 1);
}
void* operator new[](size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, size_t) noexcept { free(p); }
void operator delete[](void* p, size_t) noexcept { free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { free(p); }
#endif

namespace auditlens {
namespace {

class CountAllocations {
 public:
  CountAllocations() {
    g_allocations = 0;
    g_counting = true;
  }
  ~CountAllocations() { g_counting = false; }
  uint64_t count() const { return g_allocations.load(); }
};

// --- A strict JSON checker -----------------------------------------------------------------------
// RFC 8259 values, strings in strict UTF-8 (no overlongs, surrogates, > U+10FFFF), nothing after
// the value. Enough to prove every output line is one well-formed JSON document.
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view s) : s_(s) {}
  bool Check() {
    Ws();
    if (!Value(0)) return false;
    Ws();
    return i_ == s_.size();
  }
  size_t where() const { return i_; }

 private:
  bool Value(int depth) {
    if (depth > 64 || i_ >= s_.size()) return false;
    switch (s_[i_]) {
      case '{': return Object(depth);
      case '[': return Array(depth);
      case '"': return String();
      case 't': return Word("true");
      case 'f': return Word("false");
      case 'n': return Word("null");
      default: return Number();
    }
  }
  bool Object(int depth) {
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
      if (!Value(depth + 1)) return false;
      Ws();
      if (Peek('}')) return ++i_, true;
      if (!Peek(',')) return false;
      ++i_;
    }
  }
  bool Array(int depth) {
    ++i_;
    Ws();
    if (Peek(']')) return ++i_, true;
    for (;;) {
      Ws();
      if (!Value(depth + 1)) return false;
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
      unsigned char c = s_[i_];
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
        } else if (std::strchr("\"\\/bfnrt", e) != nullptr && e != '\0') {
          ++i_;
        } else {
          return false;
        }
        continue;
      }
      if (c < 0x80) {
        ++i_;
        continue;
      }
      size_t n = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
      if (n == 0 || c > 0xf4 || i_ + n >= s_.size()) return false;
      uint32_t cp = c & (0x3f >> n);
      for (size_t k = 1; k <= n; ++k) {
        unsigned char cc = s_[i_ + k];
        if ((cc & 0xc0) != 0x80) return false;
        cp = (cp << 6) | (cc & 0x3f);
      }
      static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
      if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
      i_ += n + 1;
    }
    return false;
  }
  bool Number() {
    size_t start = i_;
    if (Peek('-')) ++i_;
    if (Peek('0')) {
      ++i_;
    } else if (!Digits()) {
      return false;
    }
    if (Peek('.')) {
      ++i_;
      if (!Digits()) return false;
    }
    if (Peek('e') || Peek('E')) {
      ++i_;
      if (Peek('+') || Peek('-')) ++i_;
      if (!Digits()) return false;
    }
    return i_ > start;
  }
  bool Digits() {
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
    return i_ > start;
  }
  bool Word(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  bool Peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  void Ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }
  std::string_view s_;
  size_t i_ = 0;
};

bool ValidJson(std::string_view s) { return JsonChecker(s).Check(); }

// The checker must refuse what it is meant to refuse, or the pipeline tests prove nothing.
TEST(PipelineJsonChecker, RejectsInvalid) {
  EXPECT_TRUE(ValidJson(R"({"a":[1,-2.5e3,"x\u0001",true,null,{}],"b":"caf)" "\xc3\xa9\"}"));
  EXPECT_FALSE(ValidJson(R"({"a":1,})"));
  EXPECT_FALSE(ValidJson(R"({"a":1}})"));
  EXPECT_FALSE(ValidJson(R"({"a":1)"));
  EXPECT_FALSE(ValidJson(R"({"a" 1})"));
  EXPECT_FALSE(ValidJson(R"(["a",])"));
  EXPECT_FALSE(ValidJson(R"({"a":01})"));
  EXPECT_FALSE(ValidJson("{\"a\":\"x\ny\"}"));
  EXPECT_FALSE(ValidJson("{\"a\":\"\xff\"}"));
  EXPECT_FALSE(ValidJson("{\"a\":\"\xed\xa0\x80\"}"));
  EXPECT_FALSE(ValidJson("{\"a\":\"\xc0\x80\"}"));
  EXPECT_FALSE(ValidJson(R"({"a":"\x"})"));
  EXPECT_FALSE(ValidJson(R"({"a":tru})"));
  EXPECT_FALSE(ValidJson(R"({a:1})"));
}

// --- Helpers -------------------------------------------------------------------------------------

std::string TempDir() {
  char tmpl[] = "/tmp/auditlens_unit_XXXXXX";
  const char* d = mkdtemp(tmpl);
  EXPECT_NE(d, nullptr);
  return d ? d : "/tmp";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      out.push_back(text.substr(start));  // a line without '\n' is itself a defect; kept to see it
      break;
    }
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

std::string DataPath(const std::string& name) {
  return std::string(AUDITLENS_TEST_DATA) + "/unit/" + name;
}

struct Malformed {
  uint64_t line;
  std::string why;
};

struct RunResult {
  std::string output;
  std::vector<std::string> lines;
  std::vector<Malformed> malformed;
  PipelineCounters counters;
};

// What `auditlens parse` does with a log: lines → records → pipeline, stream time advanced every
// 100 ms of log time, flushed at the end.
RunResult RunLog(const std::string& log, PipelineOptions options = {}) {
  options.assembler.expect_eoe = false;
  if (options.hostname.empty()) options.hostname = "testhost";
  std::string dir = TempDir();
  std::string in_path = dir + "/in.log";
  std::string out_path = dir + "/out.json";
  {
    std::ofstream f(in_path, std::ios::binary);
    f << log;
  }
  RunResult result;
  {
    OutputFile out;
    std::string error;
    EXPECT_TRUE(out.Open(out_path, &error)) << error;
    Pipeline pipeline(options, &out);
    FILE* f = fopen(in_path.c_str(), "rb");
    LineReader reader(fileno(f));
    std::string_view line;
    uint64_t number = 0;
    uint64_t last_advance = 0;
    Record record;
    for (;;) {
      LineReader::Status st = reader.Next(&line, &number);
      if (st == LineReader::Status::kEnd || st == LineReader::Status::kError) break;
      if (st == LineReader::Status::kTooLong) {
        result.malformed.push_back({number, "too long"});
        continue;
      }
      if (line.empty()) continue;
      if (const char* why = ParseLogRecord(line, &record)) {
        result.malformed.push_back({number, why});
        continue;
      }
      pipeline.AddRecord(record);
      if (record.time_ms() >= last_advance + 100) {
        pipeline.AdvanceTime(record.time_ms());
        last_advance = record.time_ms();
      }
    }
    fclose(f);
    pipeline.Flush();
    EXPECT_TRUE(out.Flush());
    result.counters = pipeline.counters();
  }
  result.output = ReadFile(out_path);
  result.lines = Lines(result.output);
  std::filesystem::remove_all(dir);
  return result;
}

std::string ReadData(const std::string& name) {
  std::string s = ReadFile(DataPath(name));
  EXPECT_FALSE(s.empty()) << DataPath(name);
  return s;
}

// The output line of the event with this serial ("" when there is none, "<many>" when several).
std::string EventLine(const RunResult& r, uint32_t serial) {
  std::string key = "\"sequence\":" + std::to_string(serial) + ",";
  std::string found;
  for (const std::string& l : r.lines) {
    if (l.find(key) != std::string::npos && l.find("\"kind\":\"event\"") != std::string::npos) {
      if (!found.empty()) return "<many>";
      found = l;
    }
  }
  return found;
}

void ExpectAllValid(const RunResult& r) {
  ASSERT_FALSE(r.output.empty());
  EXPECT_EQ(r.output.back(), '\n') << "the last line is not terminated";
  for (size_t i = 0; i < r.lines.size(); ++i) {
    JsonChecker c(r.lines[i]);
    EXPECT_TRUE(c.Check()) << "line " << i + 1 << " is not valid JSON near byte " << c.where()
                           << ": " << r.lines[i];
  }
}

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE((haystack).find(needle), std::string::npos) << "missing " << (needle) << " in " << (haystack)

// --- Log files end to end --------------------------------------------------------------------------

// This machine's ENRICHED log (copied from /var/log/audit/audit.log): every event is one valid JSON
// line, records of one serial are one event, and the values come out decoded.
TEST(Pipeline, MachineEnrichedLog) {
  RunResult r = RunLog(ReadData("machine_enriched.log"));
  EXPECT_TRUE(r.malformed.empty());
  ExpectAllValid(r);
  // Serials 3..11 and 265..271, DAEMON_START 5867 and DAEMON_END 5868.
  ASSERT_EQ(r.lines.size(), 18u);
  EXPECT_EQ(r.counters.events, 18u);
  EXPECT_EQ(r.counters.records, 89u);
  for (uint32_t s : {3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 265u, 266u, 267u, 268u, 269u, 270u,
                     271u, 5867u, 5868u}) {
    std::string l = EventLine(r, s);
    EXPECT_FALSE(l.empty() || l == "<many>") << "serial " << s << ": " << l;
  }
  // CONFIG_CHANGE is written before its SYSCALL and belongs to the same event.
  std::string e3 = EventLine(r, 3);
  EXPECT_HAS(e3, "\"records\":[{\"type\":\"CONFIG_CHANGE\"");
  EXPECT_HAS(e3, "{\"type\":\"SYSCALL\"");
  EXPECT_HAS(e3, "{\"type\":\"PROCTITLE\"");
  // EXECVE arguments, one of them hex-encoded by the kernel (it has a space).
  std::string e4 = EventLine(r, 4);
  EXPECT_HAS(e4, R"("args":["auditctl","-a","always,exit","-F","arch=b64","-S","connect","-k","net"])");
  EXPECT_HAS(EventLine(r, 8), R"("args":["touch","/tmp/cap/a b.txt"])");
  // A file name that is not UTF-8 (bytes FF FE): percent-encoded and listed in "encoded".
  std::string e11 = EventLine(r, 11);
  EXPECT_HAS(e11, "/tmp/cap/%FF%FE");
  EXPECT_HAS(e11, "\"encoded\":[");
  // The SOCKADDR of a connect to [::1]:1.
  std::string e266 = EventLine(r, 266);
  EXPECT_HAS(e266, "\"address\":\"::1\"");
  EXPECT_HAS(e266, "\"port\":1");
  // The ENRICHED tail (0x1d ...) never leaks into the output.
  EXPECT_EQ(r.output.find("\x1d"), std::string::npos);
  EXPECT_EQ(r.output.find("saddr_fam"), std::string::npos);
}

// RAW and ENRICHED forms of the same log give byte-identical output.
TEST(Pipeline, RawAndEnrichedGiveTheSameOutput) {
  std::string enriched = ReadData("machine_enriched.log");
  std::string raw;
  for (const std::string& l : Lines(enriched)) raw += l.substr(0, l.find('\x1d')) + "\n";
  ASSERT_NE(raw, enriched);
  EXPECT_EQ(RunLog(raw).output, RunLog(enriched).output);
}

// node= lines: the node names the host, and the same serials on two nodes stay two events.
TEST(Pipeline, TwoNodesInOneLog) {
  std::string log;
  for (const std::string& l : Lines(ReadData("machine_enriched.log"))) {
    log += "node=alpha " + l + "\n";
    log += "node=beta " + l + "\n";
  }
  RunResult r = RunLog(log);
  EXPECT_TRUE(r.malformed.empty());
  ExpectAllValid(r);
  ASSERT_EQ(r.lines.size(), 36u);
  size_t alpha = 0, beta = 0;
  for (const std::string& l : r.lines) {
    alpha += l.find("\"host\":{\"name\":\"alpha\",") != std::string::npos;
    beta += l.find("\"host\":{\"name\":\"beta\",") != std::string::npos;
  }
  EXPECT_EQ(alpha, 18u);
  EXPECT_EQ(beta, 18u);
  EXPECT_EQ(r.counters.late_records, 0u);
}

// A hand-written RAW log in this kernel's format: PAM records (msg='...' flattened), LOGIN (no
// PROCTITLE: completes by stream-time timeout), an AVC event, a long EXECVE argument split over two
// EXECVE records, malformed lines reported by number while everything else goes on, and records
// of types this build does not know kept (by name, NO_SUCH_TYPE; by number, UNKNOWN[1999]).
TEST(Pipeline, HandmadeRawLog) {
  RunResult r = RunLog(ReadData("handmade_raw.log"));
  ExpectAllValid(r);
  ASSERT_EQ(r.malformed.size(), 2u);
  EXPECT_EQ(r.malformed[0].line, 18u);
  EXPECT_EQ(r.malformed[1].line, 19u);
  for (const Malformed& m : r.malformed) EXPECT_FALSE(m.why.empty());
  // 300, 301, 302, 303, 310, 311, 312, 313, 320.
  EXPECT_EQ(r.lines.size(), 9u);
  EXPECT_EQ(r.counters.events, 9u);
  std::string no_such = EventLine(r, 312);
  EXPECT_HAS(no_such, R"("records":[{"type":"NO_SUCH_TYPE","arch":"x86_64"}])");
  EXPECT_HAS(no_such, R"("action":"no_such_type")");

  std::string acct = EventLine(r, 300);
  EXPECT_HAS(acct, "\"type\":\"USER_ACCT\"");
  EXPECT_HAS(acct, "\"op\":\"PAM:accounting\"");
  EXPECT_HAS(acct, "\"acct\":\"root\"");
  EXPECT_HAS(acct, "\"terminal\":\"ssh\"");
  EXPECT_HAS(acct, "\"addr\":\"127.0.0.1\"");
  EXPECT_HAS(acct, "\"outcome\":\"success\"");
  EXPECT_EQ(acct.find("\"msg\""), std::string::npos) << "msg='...' must be flattened";

  std::string login = EventLine(r, 302);
  EXPECT_HAS(login, "\"type\":\"LOGIN\"");
  EXPECT_HAS(login, "\"completion\":\"timeout\"");

  std::string avc = EventLine(r, 310);
  EXPECT_HAS(avc, "\"records\":[{\"type\":\"AVC\",\"seresult\":\"denied\",\"seperms\":\"read\"");
  EXPECT_HAS(avc, "\"tclass\":\"file\"");
  EXPECT_HAS(avc, "\"permissive\":\"0\"");
  EXPECT_EQ(avc.find("\"for\""), std::string::npos) << "AVC prefix words are not fields";
  EXPECT_HAS(avc, "\"name\":\"/etc/shadow\"");

  std::string exec = EventLine(r, 311);
  EXPECT_HAS(exec, R"("args":["sh","0123456789abcdefghij","/tmp/a b.txt"])");
  EXPECT_HAS(exec, R"("a1":"0123456789abcdefghij")");
  EXPECT_HAS(exec, R"("args_count":3)");

  std::string unknown = EventLine(r, 313);
  EXPECT_HAS(unknown, R"({"type":"UNKNOWN[1999]","type_number":1999,"foo":"bar")");
  EXPECT_HAS(unknown, "\"empty\":\"\"");
}

// [output] redact_args / redact_env: the secret is nowhere in the line (the EXECVE record's
// arguments, process.args, PROCTITLE, process.command_line), "[redacted]" in its place; without the
// options the same log keeps it.
TEST(Pipeline, RedactsCommandLines) {
  const std::string log =
      "type=SYSCALL msg=audit(1795400000.100:900): arch=c000003e syscall=59 success=yes exit=0 "
      "a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=4242 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 "
      "egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"mysql\" exe=\"/usr/bin/mysql\" key=(null)\n"
      "type=EXECVE msg=audit(1795400000.100:900): argc=5 a0=\"mysql\" a1=\"-u\" a2=\"root\" "
      "a3=\"--password=hunter2\" a4=\"DB_TOKEN=tok9\"\n"
      "type=PROCTITLE msg=audit(1795400000.100:900): proctitle="
      "6D7973716C002D7500726F6F74002D2D70617373776F72643D68756E746572320044425F544F4B454E3D746F6B39\n";
  PipelineOptions options;
  options.redact.args = {"--password"};
  options.redact.env = {"*TOKEN*"};
  RunResult r = RunLog(log, options);
  ExpectAllValid(r);
  const std::string line = EventLine(r, 900);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.find("hunter2"), std::string::npos) << line;
  EXPECT_EQ(line.find("tok9"), std::string::npos) << line;
  EXPECT_EQ(line.find("68756E74657232"), std::string::npos) << line;
  EXPECT_HAS(line, R"("args":["mysql","-u","root","--password=[redacted]","DB_TOKEN=[redacted]"])");
  EXPECT_HAS(line, R"("a3":"--password=[redacted]")");
  EXPECT_HAS(line, R"("command_line":"mysql -u root --password=[redacted] DB_TOKEN=[redacted]")");
  EXPECT_HAS(line, R"("proctitle":["mysql","-u","root","--password=[redacted]","DB_TOKEN=[redacted]"])");
  RunResult plain = RunLog(log);
  EXPECT_NE(EventLine(plain, 900).find("--password=hunter2"), std::string::npos);
}

// Every completed event is exactly one line, whatever the input: a log mangled at random still
// gives one valid JSON line per counted event.
TEST(Pipeline, MangledLogStillGivesValidLines) {
  std::string log = ReadData("machine_enriched.log") + ReadData("handmade_raw.log");
  std::mt19937 rng(5);
  for (int round = 0; round < 20; ++round) {
    std::string s = log;
    for (int k = 0; k < 200; ++k) {
      size_t pos = rng() % s.size();
      if (s[pos] == '\n') continue;  // keep the line structure, mangle the content
      char c = static_cast<char>(rng());
      if (c == '\n') c = ' ';
      s[pos] = c;
    }
    RunResult r = RunLog(s);
    ExpectAllValid(r);
    EXPECT_EQ(r.lines.size(), r.counters.events + r.counters.loss_events);
  }
}

// --- Live mode: netlink payloads, serial tracking --------------------------------------------------

struct Live {
  explicit Live(bool track = true, uint32_t grace = 3000) {
    dir = TempDir();
    path = dir + "/out.json";
    std::string error;
    EXPECT_TRUE(out.Open(path, &error)) << error;
    PipelineOptions o;
    o.assembler.expect_eoe = true;
    o.track_serials = track;
    o.gap_grace_ms = grace;
    o.hostname = "testhost";
    pipeline = std::make_unique<Pipeline>(o, &out);
  }
  ~Live() { std::filesystem::remove_all(dir); }

  // One syscall event as the kernel sends it: SYSCALL, CWD, PROCTITLE, EOE.
  void Event(uint32_t serial, uint64_t arrival_ms) {
    std::string stamp = "audit(1795344525.627:" + std::to_string(serial) + "): ";
    Add(1300, stamp + "arch=c000003e syscall=2 success=yes exit=3 a0=7ffd a1=0 a2=1b6 a3=0 "
                      "items=1 ppid=1 pid=42 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 "
                      "sgid=0 fsgid=0 tty=(none) ses=1 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"k\"",
        arrival_ms);
    Add(1307, stamp + "cwd=\"/root\"", arrival_ms);
    Add(1302, stamp + "item=0 name=\"/etc/hosts\" inode=12 dev=fe:00 mode=0100644 ouid=0 ogid=0 "
                      "rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
                      "cap_frootid=0",
        arrival_ms);
    Add(1327, stamp + "proctitle=636174002F6574632F686F737473", arrival_ms);
    Add(1320, stamp, arrival_ms);
  }
  void Add(uint16_t type, const std::string& payload, uint64_t arrival_ms) {
    Record r;
    ASSERT_EQ(ParseNetlinkRecord(type, payload, &r), nullptr) << payload;
    pipeline->AddRecord(r, arrival_ms);
  }
  std::vector<std::string> Output() {
    out.Flush();
    return Lines(ReadFile(path));
  }

  std::string dir, path;
  OutputFile out;
  std::unique_ptr<Pipeline> pipeline;
};

// A serial gap becomes a loss event (after the grace time, with the exact range) in the same
// stream, and the counters say so.
TEST(Pipeline, SerialGapBecomesALossEvent) {
  Live live(true, 3000);
  live.Event(1, 10'000);
  live.Event(2, 10'001);
  live.Event(5, 10'002);  // 3 and 4 never come
  live.pipeline->AdvanceTime(13'001);
  EXPECT_EQ(live.pipeline->counters().loss_events, 0u) << "reported before the grace time";
  live.pipeline->AdvanceTime(13'002);
  std::vector<std::string> lines = live.Output();
  ASSERT_EQ(lines.size(), 4u);
  for (const std::string& l : lines) EXPECT_TRUE(ValidJson(l)) << l;
  const std::string& loss = lines[3];
  EXPECT_HAS(loss, "\"kind\":\"pipeline_error\"");
  EXPECT_HAS(loss, "\"cause\":\"serial-gap\"");
  EXPECT_HAS(loss, "\"count\":2");
  EXPECT_HAS(loss, "\"first_serial\":3");
  EXPECT_HAS(loss, "\"last_serial\":4");
  PipelineCounters c = live.pipeline->counters();
  EXPECT_EQ(c.events, 3u);
  EXPECT_EQ(c.loss_events, 1u);
  EXPECT_EQ(c.lost_events, 2u);
  EXPECT_EQ(c.records, 15u);
  // Nothing more later.
  live.pipeline->AdvanceTime(100'000);
  EXPECT_EQ(live.pipeline->counters().loss_events, 1u);
}

// The live agent keeps records of types it has no name for (a newer kernel's): in their event, as
// UNKNOWN[n] with the number, their fields decoded by name; a user-space-range number alone is an
// event of its own. The serial tracking sees nothing missing.
TEST(Pipeline, LiveUnknownTypesAreKept) {
  Live live(true, 3000);
  live.Event(1, 10'000);
  const std::string stamp = "audit(1795344525.627:2): ";
  live.Add(1300, stamp + "arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=1 a2=0 "
                         "a3=0 items=1 ppid=1 pid=43 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 "
                         "egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"cat\" exe=\"/usr/bin/cat\" "
                         "key=(null)", 10'001);
  live.Add(1428, stamp + "domain=195ba459b blockers=fs.refer path=2F7573722F61 uid=0", 10'001);
  live.Add(1327, stamp + "proctitle=636174", 10'001);
  live.Add(1320, stamp, 10'001);
  live.Add(2199, "audit(1795344525.628:3): pid=1 uid=0 msg='op=x res=success'", 10'002);
  live.Event(4, 10'003);
  live.pipeline->Flush(10'004);
  const std::vector<std::string> lines = live.Output();
  ASSERT_EQ(lines.size(), 4u);
  for (const std::string& l : lines) EXPECT_TRUE(ValidJson(l)) << l;
  EXPECT_HAS(lines[1], R"({"type":"UNKNOWN[1428]","type_number":1428,"domain":"195ba459b",)"
                       R"("blockers":"fs.refer","path":"/usr/a","uid":"root"})");
  EXPECT_HAS(lines[1], R"("action":"openat")");
  EXPECT_HAS(lines[2], R"("records":[{"type":"UNKNOWN[2199]","type_number":2199,"pid":"1",)");
  EXPECT_HAS(lines[2], R"("outcome":"success")");
  EXPECT_EQ(live.pipeline->counters().loss_events, 0u);
  EXPECT_EQ(live.pipeline->counters().events, 4u);
}

// Redaction rewrites records into a copy of the event: the copy keeps each record's own type name
// and ENRICHED tail, so the names of a foreign log survive it.
TEST(Pipeline, RedactedEventKeepsTypeNamesAndEnrichedNames) {
  const std::string log =
      "type=SYSCALL msg=audit(1795400000.100:901): arch=c000003e syscall=59 success=yes exit=0 "
      "a0=1 a1=2 a2=3 a3=4 items=0 ppid=1 pid=4242 auid=1000 uid=1000 gid=1000 euid=1000 "
      "suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm=\"mysql\" "
      "exe=\"/usr/bin/mysql\" key=(null)\x1d" "AUID=\"alice\" UID=\"alice\" GID=\"staff\"\n"
      "type=EXECVE msg=audit(1795400000.100:901): argc=2 a0=\"mysql\" a1=\"--password=hunter2\"\n"
      "type=IPE_ACCESS msg=audit(1795400000.100:901): op=x uid=1000\x1d" "UID=\"alice\"\n"
      "type=PROCTITLE msg=audit(1795400000.100:901): proctitle=6D7973716C\n";
  PipelineOptions options;
  options.redact.args = {"--password"};
  RunResult r = RunLog(log, options);
  ExpectAllValid(r);
  const std::string line = EventLine(r, 901);
  EXPECT_HAS(line, R"("args":["mysql","--password=[redacted]"])");
  EXPECT_HAS(line, R"("user":{"id":"1000","name":"alice"})");
  EXPECT_HAS(line, R"("group":{"id":"1000","name":"staff"})");
  EXPECT_HAS(line, R"({"type":"IPE_ACCESS","op":"x","uid":"alice"})");
}

// At the end of input or shutdown, Flush(now) completes open events and reports every serial still
// missing, without waiting for the grace: nothing more can arrive.
TEST(Pipeline, FlushReportsHolesStillOpen) {
  Live live(true, 3000);
  live.Event(1, 10'000);
  live.Event(4, 10'001);
  live.Add(1300, "audit(1795344525.627:5): syscall=1", 10'002);  // no EOE yet
  live.pipeline->Flush(10'003);
  std::vector<std::string> lines = live.Output();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_HAS(lines[2], "\"sequence\":5,");
  EXPECT_HAS(lines[2], "\"completion\":\"flushed\"");
  EXPECT_HAS(lines[3], "\"first_serial\":2");
  EXPECT_HAS(lines[3], "\"last_serial\":3");
  EXPECT_EQ(live.pipeline->counters().lost_events, 2u);
}

// An EOE whose other records were all dropped does not make its serial count as delivered.
TEST(Pipeline, EoeAloneIsNoDelivery) {
  Live live(true, 3000);
  live.Event(1, 10'000);
  live.Add(1320, "audit(1795344525.627:2): ", 10'000);
  live.Event(3, 10'000);
  live.pipeline->AdvanceTime(13'000);
  std::vector<std::string> lines = live.Output();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_HAS(lines[2], "\"first_serial\":2");
  EXPECT_HAS(lines[2], "\"last_serial\":2");
}

// A 20000-byte argument the kernel split into a1[0..2] over three EXECVE records (and one argument
// hex-encoded in two pieces) comes out whole, in process.args and in the EXECVE record.
TEST(Pipeline, LongExecveArgumentsAcrossRecords) {
  Live live(false);
  std::string big;
  for (int i = 0; i < 20000; ++i) big.push_back(static_cast<char>('a' + i % 26));
  const std::string stamp = "audit(1795344525.627:77): ";
  live.Add(1300, stamp + "arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 "
                         "ppid=1 pid=9 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
                         "fsgid=0 tty=(none) ses=1 comm=\"echo\" exe=\"/usr/bin/echo\" key=(null)",
           1000);
  live.Add(1309, stamp + "argc=3 a0=\"echo\" a1_len=20000 a1[0]=\"" + big.substr(0, 7500) + "\"",
           1000);
  live.Add(1309, stamp + "a1[1]=\"" + big.substr(7500, 7500) + "\"", 1000);
  // "/tmp/a b.txt" in two hex pieces: "/tmp/a" and " b.txt".
  live.Add(1309, stamp + "a1[2]=\"" + big.substr(15000) + "\" a2_len=12 a2[0]=2F746D702F61 "
                         "a2[1]=20622E747874",
           1000);
  live.Add(1327, stamp + "proctitle=6563686F", 1000);
  live.Add(1320, stamp, 1000);
  std::vector<std::string> lines = live.Output();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(ValidJson(lines[0]));
  EXPECT_HAS(lines[0], "\"args\":[\"echo\",\"" + big + "\",\"/tmp/a b.txt\"]");
  EXPECT_HAS(lines[0], "\"args_count\":3");
  EXPECT_HAS(lines[0], "\"a1\":\"" + big + "\"");
  EXPECT_HAS(lines[0], "\"a2\":\"/tmp/a b.txt\"");
}

// Reordered events (serial 3 before 2) are no loss; consecutive serials across the 32-bit wrap
// are no loss, and each event is whole.
TEST(Pipeline, ReorderingAndWraparoundAreNoLoss) {
  Live live;
  live.Event(4294967293u, 1000);
  live.Event(4294967295u, 1001);
  live.Event(4294967294u, 1002);
  live.Event(0, 1003);
  live.Event(1, 1004);
  live.pipeline->AdvanceTime(1'000'000);
  std::vector<std::string> lines = live.Output();
  ASSERT_EQ(lines.size(), 5u);
  for (const std::string& l : lines) {
    EXPECT_TRUE(ValidJson(l)) << l;
    EXPECT_HAS(l, "\"kind\":\"event\"");
    EXPECT_HAS(l, "\"records\":[{\"type\":\"SYSCALL\"");
    EXPECT_HAS(l, "{\"type\":\"PROCTITLE\"");
    EXPECT_EQ(l.find("\"type\":\"EOE\""), std::string::npos);
  }
  EXPECT_HAS(lines[3], "\"sequence\":0,");
  EXPECT_EQ(live.pipeline->counters().loss_events, 0u);
  EXPECT_EQ(live.pipeline->last_serial(), 1u);
}

// A gap across the wrap is reported with its range.
TEST(Pipeline, GapAcrossTheWrap) {
  Live live;
  live.Event(4294967294u, 1000);
  live.Event(1, 1000);
  live.pipeline->AdvanceTime(4000);
  std::vector<std::string> lines = live.Output();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_HAS(lines[2], "\"first_serial\":4294967295");
  EXPECT_HAS(lines[2], "\"last_serial\":0");
  EXPECT_HAS(lines[2], "\"count\":2");
}

// last_serial() is what a restart resumes from: the highest serial delivered, even when events
// complete out of order (else the next run reports delivered events as lost).
TEST(Pipeline, LastSerialIsTheHighestDelivered) {
  Live live;
  live.Add(1300, "audit(1.000:10): syscall=1", 1000);
  live.Event(11, 1000);  // completes first (its EOE)
  live.Add(1320, "audit(1.000:10): ", 1001);  // 10 completes after 11
  EXPECT_EQ(live.pipeline->last_serial(), 11u);
  // Resuming from it in a new run: 12 follows, no loss.
  SerialTracker next(3000);
  next.Resume(live.pipeline->last_serial());
  next.Observe(12, 5000);
  EXPECT_FALSE(next.Poll(100'000).has_value());
}

// Resume through the pipeline's tracker: serials missed while the agent was down are a loss.
TEST(Pipeline, ResumeReportsTheGapAcrossARestart) {
  Live live;
  live.pipeline->serials().Resume(100);
  live.Event(104, 1000);
  live.pipeline->AdvanceTime(4000);
  std::vector<std::string> lines = live.Output();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_HAS(lines[1], "\"first_serial\":101");
  EXPECT_HAS(lines[1], "\"last_serial\":103");
}

// Without track_serials (log files may be filtered extracts) a gap is no loss.
TEST(Pipeline, NoTrackingNoLossEvents) {
  Live live(false);
  live.Event(1, 1000);
  live.Event(50, 1000);
  live.pipeline->AdvanceTime(1'000'000);
  EXPECT_EQ(live.Output().size(), 2u);
  EXPECT_EQ(live.pipeline->counters().loss_events, 0u);
}

// Losses reported by the caller (the kernel's lost counter) become loss events and are counted.
TEST(Pipeline, ReportLoss) {
  Live live;
  LossInfo loss;
  loss.cause = "kernel-lost";
  loss.count = 7;
  loss.time_ms = 1795344525627;
  loss.detail = "the kernel dropped 7 records";
  live.pipeline->ReportLoss(loss);
  std::vector<std::string> lines = live.Output();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(ValidJson(lines[0])) << lines[0];
  EXPECT_HAS(lines[0], "\"cause\":\"kernel-lost\"");
  EXPECT_HAS(lines[0], "\"count\":7");
  EXPECT_EQ(live.pipeline->counters().lost_records, 7u);
  EXPECT_EQ(live.pipeline->counters().loss_events, 1u);
}

// Steady state allocates nothing per record or per field: after a warm-up, thousands of events go
// from netlink payload to JSON bytes in the output buffer without one allocation.
TEST(Pipeline, SteadyStateDoesNotAllocate) {
  ASSERT_TRUE(InstallHooks());
  Live live(true);
  // Payloads prepared up front; the test's own string building must not count.
  std::vector<std::vector<std::pair<uint16_t, std::string>>> events;
  for (uint32_t s = 1; s <= 3000; ++s) {
    std::string stamp = "audit(1795344525.627:" + std::to_string(2 * s - 1) + "): ";
    events.push_back({
        {1300, stamp + "arch=c000003e syscall=59 success=yes exit=0 a0=55 a1=56 a2=57 a3=0 items=2 "
                       "ppid=1 pid=42 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
                       "fsgid=0 tty=(none) ses=1 comm=\"sh\" exe=\"/usr/bin/dash\" key=\"exec\""},
        {1309, stamp + "argc=3 a0=\"sh\" a1_len=20 a1[0]=\"0123456789\""},
        {1309, stamp + "a1[1]=\"abcdefghij\" a2=2F746D702F6120622E747874"},
        {1307, stamp + "cwd=\"/root\""},
        {1302, stamp + "item=0 name=2F746D702FFFFE inode=12 dev=fe:00 mode=0100644 ouid=0 "
                       "ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
                       "cap_frootid=0"},
        {1327, stamp + "proctitle=736800303132333435363738396162636465666768696A"},
        {1320, stamp},
        {1101, "audit(1795344525.627:" + std::to_string(2 * s) +
                   "): pid=1 uid=0 auid=0 ses=1 msg='op=PAM:accounting grantors=pam_permit "
                   "acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=127.0.0.1 addr=127.0.0.1 "
                   "terminal=ssh res=success'"},
    });
  }
  live.out.buffer()->reserve(64 << 20);  // the output buffer's growth is not per-record work
  auto feed = [&](size_t from, size_t to) {
    Record r;
    for (size_t i = from; i < to; ++i) {
      for (const auto& [type, payload] : events[i]) {
        if (ParseNetlinkRecord(type, payload, &r) != nullptr) return;
        live.pipeline->AddRecord(r, 1000 + i);
      }
      live.pipeline->AdvanceTime(1000 + i);
    }
  };
  feed(0, 1000);
  uint64_t allocations;
  {
    CountAllocations count;
    feed(1000, 3000);
    allocations = count.count();
  }
  EXPECT_EQ(live.pipeline->counters().events, 6000u);
  EXPECT_EQ(live.pipeline->counters().loss_events, 0u);
  EXPECT_EQ(allocations, 0u) << "allocations for 2000 events (16000 records)";
  EXPECT_HAS(*live.out.buffer(), "\"args\":[\"sh\",\"0123456789abcdefghij\",\"/tmp/a b.txt\"]");
}

// The log path too: this machine's ENRICHED lines, parsed and turned into JSON again and again,
// allocate nothing once warm.
TEST(Pipeline, LogPathSteadyStateDoesNotAllocate) {
  ASSERT_TRUE(InstallHooks());
  std::vector<std::string> lines = Lines(ReadData("machine_enriched.log"));
  OutputFile out;
  std::string error;
  ASSERT_TRUE(out.Open("/dev/null", &error)) << error;
  PipelineOptions o;
  o.assembler.expect_eoe = false;
  o.hostname = "testhost";
  Pipeline pipeline(o, &out);
  out.buffer()->reserve(16 << 20);
  auto round = [&] {
    Record r;
    for (const std::string& l : lines) {
      if (ParseLogRecord(l, &r) != nullptr) continue;
      pipeline.AddRecord(r);
      pipeline.AdvanceTime(r.time_ms());
    }
    pipeline.Flush();
    out.buffer()->clear();  // what Flush() to a file does, without the write() timing
  };
  // Warm-up: memo slots reach their final sizes over a few dozen rounds, not two (a direct-mapped
  // slot is refilled whenever keys collide; the process table remembers a subject record that
  // keeps missing only on one miss in 16).
  for (int i = 0; i < 48; ++i) round();
  uint64_t allocations;
  {
    CountAllocations count;
    for (int i = 0; i < 5; ++i) round();
    allocations = count.count();
  }
  EXPECT_EQ(pipeline.counters().events, 53u * 18);
  EXPECT_EQ(allocations, 0u) << "allocations for 5 x 89 records";
}

// --- OutputFile ------------------------------------------------------------------------------------

// A file is created 0600 (events name other users' files and commands), parents included, and
// appended to.
TEST(OutputFile, CreatesPrivateFileAndParents) {
  std::string dir = TempDir();
  std::string path = dir + "/a/b/events.json";
  {
    OutputFile out;
    std::string error;
    ASSERT_TRUE(out.Open(path, &error)) << error;
    out.buffer()->append("{\"n\":1}\n");
    EXPECT_TRUE(out.Flush());
    EXPECT_EQ(out.bytes_written(), 8u);
  }
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  {
    OutputFile out;
    std::string error;
    ASSERT_TRUE(out.Open(path, &error));
    out.buffer()->append("{\"n\":2}\n");
  }  // the destructor flushes
  EXPECT_EQ(ReadFile(path), "{\"n\":1}\n{\"n\":2}\n");
  std::filesystem::remove_all(dir);
}

// [output] group: the file is 0640 with the group at every open - creation under a 077 umask (as
// systemd's UMask=0077), a reopen after rotation onto a file someone else created 0600, a restart
// onto a file that lost its mode - and the agent's own directory gets the group and g+rx.
TEST(OutputFile, GroupReadableSurvivesReopenAndRestart) {
  if (geteuid() != 0) GTEST_SKIP() << "giving a file to a group needs root";
  struct group* adm = getgrnam("adm");
  ASSERT_NE(adm, nullptr) << "the test uses the group adm (Debian's log readers)";
  const gid_t gid = adm->gr_gid;
  std::string dir = TempDir();
  std::string logs = dir + "/logs";
  std::string path = logs + "/events.json";
  auto expect_shared = [&](const char* when) {
    struct stat st;
    ASSERT_EQ(stat(path.c_str(), &st), 0) << when;
    EXPECT_EQ(st.st_mode & 0777, 0640u) << when;
    EXPECT_EQ(st.st_gid, gid) << when;
    ASSERT_EQ(stat(logs.c_str(), &st), 0) << when;
    EXPECT_EQ(st.st_gid, gid) << when;
    EXPECT_EQ(st.st_mode & 0050, 0050u) << when;
    EXPECT_EQ(st.st_mode & 0007, 0u) << when << ": others get nothing they did not have";
  };
  {
    OutputFile out;
    std::string error;
    ASSERT_TRUE(out.SetGroup("adm", &error)) << error;
    mode_t old_mask = umask(077);
    bool opened = out.Open(path, &error);
    umask(old_mask);
    ASSERT_TRUE(opened) << error;
    ASSERT_EQ(chmod(logs.c_str(), 0700), 0);  // as a package or LogsDirectoryMode might leave it
    ASSERT_TRUE(out.Reopen(&error)) << error;
    EXPECT_EQ(out.group_note(), "");
    expect_shared("created");
    out.buffer()->append("{\"n\":1}\n");
    ASSERT_TRUE(out.Flush());
    // Rotation: the file moves away, a new one appears 0600 root:root (logrotate's create), SIGHUP.
    ASSERT_EQ(rename(path.c_str(), (path + ".1").c_str()), 0);
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(fchown(fd, 0, 0), 0);
    close(fd);
    ASSERT_TRUE(out.Reopen(&error)) << error;
    expect_shared("reopened after rotation");
    out.buffer()->append("{\"n\":2}\n");
  }
  EXPECT_EQ(ReadFile(path), "{\"n\":2}\n");
  // Restart: the file and directory lost group and mode meanwhile.
  ASSERT_EQ(chown(path.c_str(), 0, 0), 0);
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  ASSERT_EQ(chown(logs.c_str(), 0, 0), 0);
  ASSERT_EQ(chmod(logs.c_str(), 0700), 0);
  {
    OutputFile out;
    std::string error;
    ASSERT_TRUE(out.SetGroup("adm", &error)) << error;
    ASSERT_TRUE(out.Open(path, &error)) << error;
    expect_shared("restarted");
  }
  std::filesystem::remove_all(dir);
}

// A directory others can write to (/tmp-like), or one holding other files, is not the output's own:
// only the file is shared, and group_note() says why. Without a group nothing changes (an existing
// file keeps its mode). An unknown group is refused by name.
TEST(OutputFile, GroupLeavesSharedDirectoriesAndRefusesUnknownGroups) {
  if (geteuid() != 0) GTEST_SKIP() << "giving a file to a group needs root";
  struct group* adm = getgrnam("adm");
  ASSERT_NE(adm, nullptr);
  std::string dir = TempDir();
  ASSERT_EQ(chmod(dir.c_str(), 01777), 0);
  struct stat before;
  ASSERT_EQ(stat(dir.c_str(), &before), 0);
  std::string path = dir + "/events.json";
  {
    OutputFile out;
    std::string error;
    ASSERT_TRUE(out.SetGroup("adm", &error)) << error;
    ASSERT_TRUE(out.Open(path, &error)) << error;
  }
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(st.st_gid, adm->gr_gid);
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, before.st_gid);
  EXPECT_EQ(st.st_mode & 07777, 01777u);

  // A directory of the agent's user that holds other files (/root, /var/log) is not opened up.
  std::string mixed = dir + "/mixed";
  ASSERT_EQ(mkdir(mixed.c_str(), 0700), 0);
  { std::ofstream(mixed + "/private.txt") << "x"; }
  {
    OutputFile out;
    std::string error;
    ASSERT_TRUE(out.SetGroup("adm", &error)) << error;
    ASSERT_TRUE(out.Open(mixed + "/events.json", &error)) << error;
    EXPECT_NE(out.group_note().find("is left as it is"), std::string::npos) << out.group_note();
  }
  ASSERT_EQ(stat((mixed + "/events.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(st.st_gid, adm->gr_gid);
  ASSERT_EQ(stat(mixed.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_NE(st.st_gid, adm->gr_gid);

  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  {
    OutputFile out;
    std::string error;
    ASSERT_TRUE(out.SetGroup("", &error));
    ASSERT_TRUE(out.Open(path, &error)) << error;
  }
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u) << "no group: the mode is left alone";

  OutputFile out;
  std::string error;
  EXPECT_FALSE(out.SetGroup("auditlens-no-such-group", &error));
  EXPECT_NE(error.find("output.group: no group 'auditlens-no-such-group'"), std::string::npos)
      << error;
}

// `auditlens parse -o`: a directory that does not exist is an error, not created.
TEST(OutputFile, WithoutCreatingParentsAMissingDirectoryIsAnError) {
  std::string dir = TempDir();
  std::string path = dir + "/missing/events.json";
  OutputFile out;
  out.set_create_parent_dirs(false);
  std::string error;
  EXPECT_FALSE(out.Open(path, &error));
  EXPECT_EQ(error, "cannot open " + path + ": No such file or directory");
  EXPECT_FALSE(std::filesystem::exists(dir + "/missing"));
  OutputFile in_existing;
  in_existing.set_create_parent_dirs(false);
  EXPECT_TRUE(in_existing.Open(dir + "/events.json", &error)) << error;
  std::filesystem::remove_all(dir);
}

// MaybeFlush writes once the buffer passed its threshold, not for every line.
TEST(OutputFile, MaybeFlushWritesInLargeChunks) {
  std::string dir = TempDir();
  std::string path = dir + "/events.json";
  OutputFile out;
  std::string error;
  ASSERT_TRUE(out.Open(path, &error));
  const std::string line(999, 'x');
  out.buffer()->append(line + "\n");
  out.MaybeFlush();
  EXPECT_EQ(out.bytes_written(), 0u) << "a small buffer is not written yet";
  for (int i = 0; i < 300; ++i) {
    out.buffer()->append(line + "\n");
    out.MaybeFlush();
  }
  EXPECT_GT(out.bytes_written(), 0u);
  EXPECT_EQ(out.bytes_written() % 1000, 0u) << "only whole lines are written";
  ASSERT_TRUE(out.Flush());
  EXPECT_EQ(out.bytes_written(), 301u * 1000);
  EXPECT_EQ(ReadFile(path).size(), 301u * 1000);
  std::filesystem::remove_all(dir);
}

// A regular file gets its blocks reserved ahead of the writes without its size changing; what is
// reserved past the last line is given back at close; an outside truncation (copytruncate) is seen.
TEST(OutputFile, ReservesBlocksAheadAndGivesBackTheRest) {
  std::string dir = TempDir();
  std::string path = dir + "/events.json";
  {  // Only where the filesystem can reserve at all (a probe of our own, not the class under test).
    int probe = open((dir + "/probe").c_str(), O_WRONLY | O_CREAT, 0600);
    ASSERT_GE(probe, 0);
    bool can = fallocate(probe, FALLOC_FL_KEEP_SIZE, 0, 1 << 20) == 0;
    close(probe);
    if (!can) GTEST_SKIP() << "the filesystem of " << dir << " cannot fallocate";
  }
  const uint64_t reserve = 4 << 20;
  auto allocated = [&] {
    struct stat st;
    EXPECT_EQ(stat(path.c_str(), &st), 0);
    return static_cast<uint64_t>(st.st_blocks) * 512;
  };
  const std::string line(1023, 'x');  // 1 KiB with its newline
  {
    OutputFile out;
    std::string error;
    ASSERT_TRUE(out.Open(path, &error)) << error;
    out.set_reserve_bytes(reserve);
    out.buffer()->append(line + "\n");
    ASSERT_TRUE(out.Flush());
    EXPECT_EQ(out.reserved_end(), reserve);
    EXPECT_EQ(ReadFile(path).size(), 1024u) << "the size a reader sees is what was written";
    EXPECT_GE(allocated(), reserve);
    // Past the reservation: the next one starts where the file ends.
    for (int i = 0; i < 4096; ++i) out.buffer()->append(line + "\n");
    ASSERT_TRUE(out.Flush());
    EXPECT_EQ(out.reserved_end(), 1024u + reserve);
    // copytruncate: the file is emptied behind the writer, which appends (O_APPEND) at 0 again.
    ASSERT_EQ(truncate(path.c_str(), 0), 0);
    out.buffer()->append(line + "\n");
    ASSERT_TRUE(out.Flush());
    EXPECT_EQ(out.reserved_end(), reserve) << "reserved from the real end, not from the count";
    for (int i = 0; i < 4096; ++i) out.buffer()->append(line + "\n");
    ASSERT_TRUE(out.Flush());
    EXPECT_EQ(out.reserved_end(), 1024u + reserve);
    out.buffer()->append(line + "\n");  // one more KiB into the new reservation: most is unused
    ASSERT_TRUE(out.Flush());
    EXPECT_EQ(ReadFile(path).size(), 4098u * 1024);
    EXPECT_GE(allocated(), 1024u + reserve);
  }
  EXPECT_EQ(ReadFile(path).size(), 4098u * 1024);
  EXPECT_LT(allocated(), 4098u * 1024 + (1u << 20)) << "the unused reservation is given back";
  {  // Turned off: nothing beyond what is written.
    std::string other = dir + "/plain.json";
    OutputFile out;
    std::string error;
    ASSERT_TRUE(out.Open(other, &error));
    out.set_reserve_bytes(0);
    out.buffer()->append(line + "\n");
    ASSERT_TRUE(out.Flush());
    EXPECT_EQ(out.reserved_end(), 0u);
  }
  std::filesystem::remove_all(dir);
}

// After logrotate moved the file, Reopen writes to a new file at the path.
TEST(OutputFile, ReopenAfterRotation) {
  std::string dir = TempDir();
  std::string path = dir + "/events.json";
  OutputFile out;
  std::string error;
  ASSERT_TRUE(out.Open(path, &error));
  out.buffer()->append("old\n");
  ASSERT_TRUE(out.Flush());
  ASSERT_EQ(rename(path.c_str(), (path + ".1").c_str()), 0);
  out.buffer()->append("pending\n");
  ASSERT_TRUE(out.Reopen(&error)) << error;
  out.buffer()->append("new\n");
  ASSERT_TRUE(out.Flush());
  EXPECT_EQ(ReadFile(path + ".1"), "old\npending\n");
  EXPECT_EQ(ReadFile(path), "new\n");
  std::filesystem::remove_all(dir);
}

// A write error (disk full) keeps the lines buffered and counts the error; past the limit the
// oldest whole lines are dropped and counted.
TEST(OutputFile, DiskFullKeepsThenDropsWholeLines) {
  OutputFile out;
  std::string error;
  ASSERT_TRUE(out.Open("/dev/full", &error)) << error;
  out.set_max_buffer_bytes(100);
  for (int i = 0; i < 10; ++i) out.buffer()->append("0123456789\n");  // 110 bytes
  EXPECT_FALSE(out.Flush());
  EXPECT_EQ(out.write_errors(), 1u);
  EXPECT_FALSE(out.last_error().empty());
  EXPECT_EQ(out.dropped_lines(), 6u);  // down to half the limit: 4 lines of 11 bytes
  EXPECT_EQ(*out.buffer(), "0123456789\n0123456789\n0123456789\n0123456789\n");
  out.buffer()->clear();  // let the destructor's flush succeed trivially
}

// A write that stops in the middle of a line (file size limit, disk full) must not leave a broken
// line when lines are dropped afterwards: the rest of the half-written line is kept, and the file
// ends up with whole lines only.
TEST(OutputFile, PartialWriteThenDropKeepsLinesWhole) {
  std::string dir = TempDir();
  std::string path = dir + "/events.json";
  struct sigaction ignore = {}, old_action = {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGXFSZ, &ignore, &old_action), 0);
  rlimit old_limit;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  {
    OutputFile out;
    std::string error;
    ASSERT_TRUE(out.Open(path, &error)) << error;
    out.set_max_buffer_bytes(200);
    std::vector<std::string> written;
    for (int i = 0; i < 20; ++i) {
      char line[32];
      snprintf(line, sizeof(line), "{\"n\":%d,\"pad\":\"xxxxxxxx\"}\n", 10 + i);  // 30 bytes
      out.buffer()->append(line);
    }
    rlimit small = old_limit;
    small.rlim_cur = 100;  // 3 lines and 10 bytes of the 4th fit
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
    EXPECT_FALSE(out.Flush());
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
    EXPECT_GT(out.dropped_lines(), 0u);
    out.buffer()->append("{\"n\":99,\"pad\":\"xxxxxxxx\"}\n");
    EXPECT_TRUE(out.Flush()) << out.last_error();
  }
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  sigaction(SIGXFSZ, &old_action, nullptr);
  std::string text = ReadFile(path);
  std::vector<std::string> lines = Lines(text);
  ASSERT_GE(lines.size(), 5u);
  EXPECT_EQ(text.back(), '\n');
  for (const std::string& l : lines) EXPECT_TRUE(ValidJson(l)) << "broken line: " << l;
  EXPECT_EQ(lines[3], "{\"n\":13,\"pad\":\"xxxxxxxx\"}");
  EXPECT_EQ(lines.back(), "{\"n\":99,\"pad\":\"xxxxxxxx\"}");
  std::filesystem::remove_all(dir);
}

// Rotation while a line is half written (the old file is full): the rest of that line does not
// start the new file; the new file holds whole lines only and the cut line is counted as dropped.
TEST(OutputFile, ReopenDoesNotCarryAHalfLine) {
  const char* kLine = "{\"n\":1,\"pad\":\"xxxxxxxxxxx\"}\n";  // 28 bytes; 40 fit in the old file
  std::string dir = TempDir();
  std::string path = dir + "/events.json";
  struct sigaction ignore = {}, old_action = {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGXFSZ, &ignore, &old_action), 0);
  rlimit old_limit;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  {
    OutputFile out;
    std::string error;
    ASSERT_TRUE(out.Open(path, &error)) << error;
    for (int i = 0; i < 5; ++i) out.buffer()->append(kLine);
    rlimit small = old_limit;
    small.rlim_cur = 40;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
    EXPECT_FALSE(out.Flush());
    ASSERT_EQ(rename(path.c_str(), (path + ".1").c_str()), 0);
    EXPECT_TRUE(out.Reopen(&error)) << error;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
    EXPECT_TRUE(out.Flush()) << out.last_error();
    EXPECT_EQ(out.dropped_lines(), 1u);
  }
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  sigaction(SIGXFSZ, &old_action, nullptr);
  std::string text = ReadFile(path);
  EXPECT_EQ(text, std::string(kLine) + kLine + kLine);  // lines 3..5; line 2 was cut
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace auditlens
