// src/agent/state_file and the pipeline's delivered-serial mark: what a restarted agent resumes
// from, so the events lost across a restart are reported and none is claimed delivered too early.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent/pipeline.h"
#include "agent/state_file.h"
#include "output/output_file.h"
#include "record/record.h"

namespace auditlens {
namespace {

std::string MakeTempDir() {
  char tmpl[] = "/tmp/auditlens-state-test.XXXXXX";
  const char* d = mkdtemp(tmpl);
  EXPECT_NE(d, nullptr);
  return d ? d : "/tmp";
}

AgentState Sample() {
  AgentState s;
  s.boot_id = "0b7e4c1a-2f6d-4d7e-9a51-3c2b1e0f9d88";
  s.delivered_through = 4294967290u;
  s.kernel_lost = 17;
  s.clean = false;
  s.pid = 4242;
  s.written_ms = 1795345652368;
  return s;
}

TEST(StateFile, FormatParseRoundTrip) {
  AgentState in = Sample();
  AgentState out;
  ASSERT_EQ(ParseState(FormatState(in), &out), nullptr);
  EXPECT_EQ(out.boot_id, in.boot_id);
  EXPECT_EQ(out.delivered_through, in.delivered_through);
  EXPECT_EQ(out.kernel_lost, 17u);
  EXPECT_FALSE(out.clean);
  EXPECT_EQ(out.pid, 4242u);
  EXPECT_EQ(out.written_ms, 1795345652368u);
}

// Anything not fully understood is refused: resuming from a wrong serial would hide losses.
TEST(StateFile, RefusesWhatItDoesNotUnderstand) {
  const std::string good = FormatState(Sample());
  AgentState out;
  auto without = [&](const std::string& key) {
    std::string t = good;
    size_t at = t.find(key + "=");
    t.erase(at, t.find('\n', at) - at + 1);
    return t;
  };
  EXPECT_NE(ParseState(without("delivered_through"), &out), nullptr);
  EXPECT_NE(ParseState(without("boot_id"), &out), nullptr);
  EXPECT_NE(ParseState(without("kernel_lost"), &out), nullptr);
  EXPECT_NE(ParseState(good + "extra=1\n", &out), nullptr);
  EXPECT_NE(ParseState(good + "pid=1\n", &out), nullptr);  // twice
  EXPECT_NE(ParseState(good.substr(0, good.size() - 1), &out), nullptr);  // cut short
  std::string bad = good;
  bad.replace(bad.find("delivered_through=") + 18, 1, "x");
  EXPECT_NE(ParseState(bad, &out), nullptr);
  std::string too_big = without("delivered_through") + "delivered_through=4294967296\n";
  EXPECT_NE(ParseState(too_big, &out), nullptr);
  std::string clean2 = good;
  clean2.replace(clean2.find("clean=0"), 7, "clean=2");
  EXPECT_NE(ParseState(clean2, &out), nullptr);
  EXPECT_NE(ParseState("", &out), nullptr);
  EXPECT_NE(ParseState(std::string("\0\1\2garbage\n", 11), &out), nullptr);
}

TEST(StateFile, WriteIsAtomicPrivateAndReadable) {
  const std::string dir = MakeTempDir();
  const std::string path = dir + "/sub/agent.state";
  std::string error;
  AgentState s = Sample();
  ASSERT_TRUE(WriteStateFile(path, s, &error)) << error;
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((dir + "/sub").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  s.delivered_through = 99;
  s.clean = true;
  ASSERT_TRUE(WriteStateFile(path, s, &error)) << error;
  AgentState back;
  bool missing = true;
  ASSERT_TRUE(ReadStateFile(path, &back, &missing, &error)) << error;
  EXPECT_FALSE(missing);
  EXPECT_EQ(back.delivered_through, 99u);
  EXPECT_TRUE(back.clean);
  // Missing and corrupt files are told apart.
  EXPECT_FALSE(ReadStateFile(dir + "/none", &back, &missing, &error));
  EXPECT_TRUE(missing);
  { std::ofstream(path) << "delivered_through=5\n"; }
  EXPECT_FALSE(ReadStateFile(path, &back, &missing, &error));
  EXPECT_FALSE(missing);
  EXPECT_NE(error.find("not a valid state file"), std::string::npos) << error;
  std::filesystem::remove_all(dir);
}

TEST(StateFile, WriteFailsCleanlyWhereItCannot) {
  std::string error;
  EXPECT_FALSE(WriteStateFile("/proc/version/agent.state", Sample(), &error));
  EXPECT_FALSE(error.empty());
}

TEST(StateFile, ResumeOnlyWithinTheSameBoot) {
  AgentState s = Sample();
  EXPECT_FALSE(PlanResume(nullptr, s.boot_id).resume);
  EXPECT_FALSE(PlanResume(&s, "").resume);
  ResumePlan other = PlanResume(&s, "another-boot");
  EXPECT_FALSE(other.resume);
  EXPECT_NE(other.reason.find("another boot"), std::string::npos);
  ResumePlan same = PlanResume(&s, s.boot_id);
  EXPECT_TRUE(same.resume);
  EXPECT_NE(same.reason.find("resuming after serial 4294967290 (unclean shutdown of pid 4242)"),
            std::string::npos)
      << same.reason;
}

// --- The delivered-serial mark and resuming from it -----------------------------------------

// Feeds kernel-style records (payload as netlink carries it) into a live pipeline.
struct Live {
  explicit Live(const std::string& out_path) {
    std::string error;
    EXPECT_TRUE(out.Open(out_path, &error)) << error;
    PipelineOptions o;
    o.assembler.expect_eoe = true;
    o.track_serials = true;
    o.hostname = "h";
    pipeline = std::make_unique<Pipeline>(o, &out);
  }
  void Rec(uint16_t type, uint32_t serial, uint64_t now_ms, const char* body = "") {
    payload = "audit(1795345652.368:" + std::to_string(serial) + "): " + body;
    Record r;
    ASSERT_EQ(ParseNetlinkRecord(type, payload, &r), nullptr);
    pipeline->AddRecord(r, now_ms);
  }
  void Syscall(uint32_t serial, uint64_t now_ms, bool eoe = true) {
    Rec(1300, serial, now_ms, "arch=c000003e syscall=2 success=yes exit=3 pid=1 uid=0 comm=\"x\"");
    if (eoe) Rec(1320, serial, now_ms);
  }
  std::string payload;
  OutputFile out;
  std::unique_ptr<Pipeline> pipeline;
};

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream f(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(f, l);) lines.push_back(l);
  return lines;
}

TEST(DeliveredThrough, StopsAtTheFirstEventNotDelivered) {
  const std::string dir = MakeTempDir();
  Live live(dir + "/out.json");
  uint32_t through = 0;
  EXPECT_FALSE(live.pipeline->DeliveredThrough(&through));  // nothing seen yet
  for (uint32_t s = 100; s <= 104; ++s) live.Syscall(s, 1000);
  ASSERT_TRUE(live.pipeline->DeliveredThrough(&through));
  EXPECT_EQ(through, 104u);
  // 105 still being assembled (no EOE yet), 106 complete: 105 is not delivered.
  live.Syscall(105, 1001, /*eoe=*/false);
  live.Syscall(106, 1001);
  ASSERT_TRUE(live.pipeline->DeliveredThrough(&through));
  EXPECT_EQ(through, 104u);
  // 107 never arrives (yet), 108 does: a hole is not delivered either.
  live.Rec(1320, 105, 1002);
  live.Syscall(108, 1002);
  ASSERT_TRUE(live.pipeline->DeliveredThrough(&through));
  EXPECT_EQ(through, 106u);
  // Once the hole is reported lost, everything up to 108 is accounted for.
  live.pipeline->AdvanceTime(1002 + 3000);
  ASSERT_TRUE(live.pipeline->DeliveredThrough(&through));
  EXPECT_EQ(through, 108u);
  std::filesystem::remove_all(dir);
}

TEST(DeliveredThrough, ResumedTrackingReportsTheGapAcrossARestart) {
  const std::string dir = MakeTempDir();
  {
    Live live(dir + "/out.json");
    live.pipeline->serials().Resume(500);
    uint32_t through = 0;
    ASSERT_TRUE(live.pipeline->DeliveredThrough(&through));
    EXPECT_EQ(through, 500u);  // resumed, nothing new yet: the saved mark stands
    // The first serial after the restart is 530: 501..529 went by while no agent read.
    live.Syscall(530, 5000);
    live.Syscall(531, 5001);
    live.pipeline->AdvanceTime(5000 + 3000);
    live.out.Flush();
  }
  std::vector<std::string> lines = ReadLines(dir + "/out.json");
  ASSERT_EQ(lines.size(), 3u);
  const std::string& loss = lines[0].find("serial-gap") != std::string::npos ? lines[0] : lines[2];
  EXPECT_NE(loss.find("\"first_serial\":501"), std::string::npos) << loss;
  EXPECT_NE(loss.find("\"last_serial\":529"), std::string::npos) << loss;
  EXPECT_NE(loss.find("\"count\":29"), std::string::npos) << loss;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace auditlens
