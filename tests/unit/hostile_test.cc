// Bad input and a failing output, through the library: truncated, binary, NUL-filled and huge
// records give an error (or a valid event), never a crash, a hang or unbounded memory; whatever
// the pipeline writes is whole, valid JSON lines with valid UTF-8. An output that fails is not
// retried on every line, stays within its bound and recovers. The fuzz targets (fuzz/) explore the
// same paths at random; these cases pin the ones worth naming. Under the debug preset (ASan and
// UBSan) they also catch undefined behaviour such as the FieldMemo one the fuzzer found.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "../../fuzz/json_check.h"
#include "agent/pipeline.h"
#include "output/field_memo.h"
#include "output/output_file.h"
#include "record/fields.h"
#include "record/line_reader.h"
#include "record/record.h"

namespace auditlens {
namespace {

std::string TempDirectory() {
  char tmpl[] = "/tmp/auditlens-hostile-test.XXXXXX";
  const char* d = mkdtemp(tmpl);
  EXPECT_NE(d, nullptr);
  return d ? d : "/tmp";
}

// Runs lines through the parse pipeline (as `auditlens parse` does) into a file; returns the
// number of lines refused and sets *out to what was written.
size_t ParseThrough(const std::string& text, std::string* out, std::vector<uint64_t>* bad = nullptr) {
  const std::string dir = TempDirectory();
  const std::string in = dir + "/in.log", path = dir + "/out.json";
  { std::ofstream(in, std::ios::binary) << text; }
  size_t refused = 0;
  {
    OutputFile output;
    std::string error;
    EXPECT_TRUE(output.Open(path, &error)) << error;
    PipelineOptions options;
    options.assembler.expect_eoe = false;
    options.hostname = "h";
    Pipeline pipeline(options, &output);
    FILE* f = fopen(in.c_str(), "rb");
    LineReader reader(fileno(f));
    std::string_view line;
    uint64_t number = 0;
    Record record;
    for (;;) {
      auto st = reader.Next(&line, &number);
      if (st == LineReader::Status::kEnd || st == LineReader::Status::kError) break;
      if (st == LineReader::Status::kTooLong || (!line.empty() && ParseLogRecord(line, &record))) {
        ++refused;
        if (bad) bad->push_back(number);
        continue;
      }
      if (line.empty()) continue;
      pipeline.AddRecord(record);
      pipeline.AdvanceTime(record.time_ms());
    }
    fclose(f);
    pipeline.Flush();
    EXPECT_TRUE(output.Flush());
  }
  std::ifstream o(path, std::ios::binary);
  out->assign(std::istreambuf_iterator<char>(o), {});
  std::filesystem::remove_all(dir);
  return refused;
}

void ExpectValidJsonLines(const std::string& text) {
  size_t bad_line = 0;
  const char* why = jsoncheck::CheckJsonLines(text, &bad_line);
  EXPECT_EQ(why, nullptr) << "line " << bad_line << ": " << why;
}

TEST(HostileRecord, TruncatedAtEveryByteNeverCrashes) {
  const std::string line =
      "type=SYSCALL msg=audit(1795345652.367:4318550): arch=c000003e syscall=44 success=yes "
      "exit=60 a0=4 a1=7ffe347ef7b0 items=0 ppid=1 pid=17571 auid=4294967295 uid=0 comm=\"auditd\" "
      "exe=\"/usr/sbin/auditd\" key=(null)";
  Record r;
  size_t ok = 0;
  for (size_t n = 0; n <= line.size(); ++n) {
    if (ParseLogRecord(std::string_view(line.data(), n), &r) == nullptr) {
      ++ok;
      std::vector<Field> fields;
      SplitFields(r.body, &fields);
    }
  }
  // Only cuts after the stamp's "): " parse; every shorter cut is an error, not a crash.
  EXPECT_GT(ok, 0u);
  EXPECT_LT(ok, line.size());
  EXPECT_NE(ParseLogRecord("type=SYSCALL msg=audit(1795345652.3", &r), nullptr);
  EXPECT_NE(ParseLogRecord("type=SYSCALL msg=audit(1795345652.367:", &r), nullptr);
  EXPECT_NE(ParseLogRecord("type=", &r), nullptr);
  EXPECT_NE(ParseLogRecord("", &r), nullptr);
}

TEST(HostileRecord, BinaryAndNulBytesAreErrorsOrValidJson) {
  std::mt19937 rng(7);
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    std::string line;
    int len = static_cast<int>(rng() % 300);
    for (int j = 0; j < len; ++j) {
      char c = static_cast<char>(rng() & 0xff);
      line.push_back(c == '\n' ? '\0' : c);
    }
    // Every fourth line a real-looking record with garbage (NULs, high bytes) in its values.
    if (i % 4 == 0) {
      line = "type=PATH msg=audit(1795345652.368:" + std::to_string(100 + i) +
             "): item=0 name=\"/tmp/" + std::string("\0\xff\x01\"\\", 5) + line + "\" nametype=NORMAL";
    }
    text += line + "\n";
  }
  std::string out;
  size_t refused = ParseThrough(text, &out);
  EXPECT_GT(refused, 1000u);
  EXPECT_FALSE(out.empty());
  ExpectValidJsonLines(out);
}

TEST(HostileRecord, HugeAndWeirdValuesGiveValidJson) {
  std::string big_hex(200000, 'A');  // odd things: a 100 KB hex value, an odd-length one
  std::string text =
      "type=EXECVE msg=audit(1795345652.368:9): argc=3 a0=" + big_hex + " a1=ABC a2_len=999999999 "
      "a2[0]=41 a2[7]=42\n"
      "type=SYSCALL msg=audit(1795345652.368:9): arch=zzzz syscall=-1 a0= a1=== items=99999 "
      "saddr=0200 key=\"\x01\x02\"\n"
      "type=SOCKADDR msg=audit(1795345652.368:9): saddr=0A00FFFF\n"
      "type=PROCTITLE msg=audit(1795345652.368:9): proctitle=00000000\n"
      "type=USER_LOGIN msg=audit(1795345652.369:10): msg='op=login acct=\"" + std::string(5000, '\'') +
      "\" exe=' res=\n"
      "type=AVC msg=audit(1795345652.370:11): avc:  denied  { read write\n"
      "type=DAEMON_END msg=audit(1795345653.832:5979): op=terminate auid=0 uid=0 ses=4294967295 "
      "pid=17521 res=success\n";
  std::string fields;
  for (int i = 0; i < 20000; ++i) fields += " f" + std::to_string(i) + "=" + std::to_string(i);
  text += "type=SYSCALL msg=audit(1795345652.371:12):" + fields + "\n";
  std::string out;
  EXPECT_EQ(ParseThrough(text, &out), 0u);
  ExpectValidJsonLines(out);
  EXPECT_NE(out.find("\"sequence\":5979"), std::string::npos);
}

// A user-space message repeating a long field name: the repeat is written as name_2, whatever the
// name's length (the fuzzer found names past the formatter's 96-byte key buffer read beyond it).
TEST(HostileRecord, RepeatedLongNameInAUserMessage) {
  const std::string name(200, 'n');
  const std::string text = "type=USER_LOGIN msg=audit(1795345652.369:10): pid=1 " + name +
                           "=1 msg='op=login " + name + "=2 " + name + "=3 res=success'\n";
  std::string out;
  EXPECT_EQ(ParseThrough(text, &out), 0u);
  ExpectValidJsonLines(out);
  EXPECT_NE(out.find("\"" + name + "\":\"1\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"" + name + "_2\":\"2\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"" + name + "_3\":\"3\""), std::string::npos) << out;
}

// The memo's hash of an empty value (whose view may have a null data pointer): a regression test
// for undefined behaviour the fuzzer found (memcpy from null); meaningful under UBSan.
TEST(HostileRecord, MemoHashesEmptyViews) {
  FieldMemo memo(16, 64);
  FieldMemo::Key empty{1300, 0, 0, {}, {}};
  const uint64_t h = FieldMemo::Hash(empty);
  EXPECT_EQ(h, FieldMemo::Hash(FieldMemo::Key{1300, 0, 0, "", ""}));
  EXPECT_TRUE(memo.Find(empty, h).empty());
  memo.Store(empty, h, "\"x\":\"\"");
  EXPECT_EQ(memo.Find(empty, h), "\"x\":\"\"");
}

TEST(HostileLines, LongLinesAreSkippedWithTheirNumbers) {
  std::string text = "a\n" + std::string(3 << 20, 'x') + "\nb\n" + std::string((1 << 20) + 1, 'y') +
                     "\n" + std::string(1 << 20, 'z') + "\nlast-without-newline";
  std::vector<uint64_t> bad;
  std::string out;
  ParseThrough(text, &out, &bad);
  // Lines 2 and 4 are over the 1 MiB limit; line 5 (exactly 1 MiB) is read, and refused only as
  // a record; 1, 3 and 6 are refused as records too.
  EXPECT_EQ(bad, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(out.empty());
}

TEST(HostileLines, NoNewlineAtAllStaysBounded) {
  const std::string dir = TempDirectory();
  const std::string path = dir + "/one-line";
  {
    std::ofstream f(path, std::ios::binary);
    std::string chunk(1 << 20, '\0');
    for (int i = 0; i < 8; ++i) f << chunk;
  }
  FILE* f = fopen(path.c_str(), "rb");
  LineReader reader(fileno(f));
  std::string_view line;
  uint64_t number = 0;
  std::vector<LineReader::Status> seen;
  for (int i = 0; i < 10; ++i) {
    auto st = reader.Next(&line, &number);
    seen.push_back(st);
    if (st == LineReader::Status::kEnd) break;
  }
  fclose(f);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], LineReader::Status::kTooLong);
  EXPECT_EQ(seen[1], LineReader::Status::kEnd);
  EXPECT_EQ(number, 1u);
  std::filesystem::remove_all(dir);
}

// A failing output (here: the file size limit) is retried by Flush() only, stays within its
// bound however many lines come, and takes everything once writes work again.
TEST(OutputFailure, NoRetryPerLineBoundedThenRecovers) {
  const std::string dir = TempDirectory();
  const std::string path = dir + "/events.json";
  struct sigaction ignore = {}, old_action = {};
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(sigaction(SIGXFSZ, &ignore, &old_action), 0);
  rlimit old_limit;
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  {
    OutputFile out;
    std::string error;
    ASSERT_TRUE(out.Open(path, &error)) << error;
    out.set_max_buffer_bytes(1 << 20);
    rlimit zero = old_limit;
    zero.rlim_cur = 0;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &zero), 0);
    const std::string line = "{\"n\":\"" + std::string(100, 'x') + "\"}\n";  // 109 bytes
    for (int i = 0; i < 3000; ++i) out.buffer()->append(line);
    EXPECT_FALSE(out.Flush());
    EXPECT_EQ(out.write_errors(), 1u);
    for (int i = 0; i < 100000; ++i) {  // 10 MB more, offered to MaybeFlush line by line
      out.buffer()->append(line);
      out.MaybeFlush();
      ASSERT_LE(out.buffer()->size(), (1u << 20) + line.size());
    }
    EXPECT_EQ(out.write_errors(), 1u);  // not one write attempt per line
    EXPECT_GT(out.dropped_lines(), 90000u);
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
    const size_t kept = out.buffer()->size();
    EXPECT_TRUE(out.Flush()) << out.last_error();
    EXPECT_EQ(out.bytes_written(), kept);
    out.buffer()->append(line);
    out.MaybeFlush();  // below the threshold: buffered; the next Flush writes it
    EXPECT_TRUE(out.Flush());
    EXPECT_EQ(out.dropped_lines() + std::filesystem::file_size(path) / line.size(), 103001u);
  }
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
  sigaction(SIGXFSZ, &old_action, nullptr);
  std::string text;
  {
    std::ifstream f(path, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(f), {});
  }
  ExpectValidJsonLines(text);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace auditlens
