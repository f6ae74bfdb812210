// src/agent/governor: when the CPU ceiling makes the governor act and when it stands down.
#include <gtest/gtest.h>

#include "agent/governor.h"
#include "config/config.h"
#include "config/default_config.h"

namespace auditlens {
namespace {

GovernorSettings Settings(uint32_t max_cpu, uint32_t sustain_s = 3, uint32_t release_s = 4) {
  GovernorSettings s;
  s.max_cpu = max_cpu;
  s.sustain_s = sustain_s;
  s.release_s = release_s;
  s.rate_limit = 500;
  return s;
}

using A = Governor::Action;

TEST(Governor, OffByDefaultNeverActs) {
  Governor g{GovernorSettings{}};
  EXPECT_FALSE(g.enabled());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(g.Sample(100.0, 1000, true), A::kNone);
  EXPECT_FALSE(g.engaged());
}

TEST(Governor, ActsAfterSustainedLoadOnly) {
  Governor g(Settings(20));
  EXPECT_EQ(g.Sample(50, 1000, false), A::kNone);
  EXPECT_EQ(g.Sample(50, 1000, false), A::kNone);
  EXPECT_EQ(g.Sample(10, 1000, false), A::kNone);  // a dip starts the count again
  EXPECT_EQ(g.Sample(50, 1000, false), A::kNone);
  EXPECT_EQ(g.Sample(50, 1000, false), A::kNone);
  EXPECT_FALSE(g.engaged());
  EXPECT_EQ(g.Sample(50, 1000, false), A::kEngage);
  EXPECT_TRUE(g.engaged());
  EXPECT_EQ(g.Sample(50, 1000, true), A::kNone);  // acting: no second engage
}

TEST(Governor, ExactlyAtTheCeilingIsNotAbove) {
  Governor g(Settings(20, 1));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(g.Sample(20.0, 1000, false), A::kNone);
  EXPECT_EQ(g.Sample(20.1, 1000, false), A::kEngage);
}

// Time is the ticks' lengths summed: two long ticks count as much as four short ones.
TEST(Governor, CountsTimeNotTicks) {
  Governor g(Settings(20, 4));
  EXPECT_EQ(g.Sample(90, 2000, false), A::kNone);
  EXPECT_EQ(g.Sample(90, 2000, false), A::kEngage);
  Governor h(Settings(20, 4));
  for (int i = 0; i < 7; ++i) EXPECT_EQ(h.Sample(90, 500, false), A::kNone);
  EXPECT_EQ(h.Sample(90, 500, false), A::kEngage);
}

// While the kernel still drops records at the governor's limit, the storm is not over even if the
// agent's own CPU went down (that is the limit working).
TEST(Governor, StaysWhilePressureLastsThenStandsDown) {
  Governor g(Settings(20, 1, 3));
  ASSERT_EQ(g.Sample(80, 1000, false), A::kEngage);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(g.Sample(5, 1000, true), A::kNone);
  EXPECT_EQ(g.Sample(5, 1000, false), A::kNone);
  EXPECT_EQ(g.Sample(30, 1000, false), A::kNone);  // above again: calm starts over
  EXPECT_EQ(g.Sample(5, 1000, false), A::kNone);
  EXPECT_EQ(g.Sample(5, 1000, false), A::kNone);
  EXPECT_EQ(g.Sample(5, 1000, false), A::kRelease);
  EXPECT_FALSE(g.engaged());
  // And it can act again on the next storm.
  EXPECT_EQ(g.Sample(80, 1000, false), A::kEngage);
}

TEST(Governor, ResetForgetsAnUnappliedDecision) {
  Governor g(Settings(20, 1));
  ASSERT_EQ(g.Sample(80, 1000, false), A::kEngage);
  g.Reset();
  EXPECT_FALSE(g.engaged());
  EXPECT_EQ(g.Sample(80, 1000, false), A::kEngage);
}

TEST(Governor, CpuPercent) {
  EXPECT_DOUBLE_EQ(CpuPercent(0, 500000, 1000), 50.0);
  EXPECT_DOUBLE_EQ(CpuPercent(1000000, 3000000, 2000), 100.0);
  EXPECT_DOUBLE_EQ(CpuPercent(0, 10000, 0), 0.0);       // no time passed
  EXPECT_DOUBLE_EQ(CpuPercent(5000, 1000, 1000), 0.0);  // clock went backwards
}

// The keys of this issue in the config: off by default, every key read, bounds enforced.
TEST(GovernorConfig, DefaultsAndKeys) {
  Config c;
  std::string error;
  ASSERT_TRUE(ParseConfig(kDefaultConfig, &c, &error)) << error;
  EXPECT_EQ(c.governor.max_cpu, 0u);
  EXPECT_EQ(c.governor.sustain_s, 5u);
  EXPECT_EQ(c.governor.release_s, 10u);
  EXPECT_EQ(c.governor.rate_limit, 1000u);
  EXPECT_EQ(c.state_path, "/var/lib/auditlens/state");
  EXPECT_EQ(c.max_spool_bytes, 64u << 20);
  Config empty;
  ASSERT_TRUE(ParseConfig("", &empty, &error)) << error;
  EXPECT_EQ(empty.state_path, "/var/lib/auditlens/state");  // a missing key takes the default
  ASSERT_TRUE(ParseConfig("[governor]\nmax_cpu = 40\nsustain_s = 2\nrelease_s = 3\n"
                          "rate_limit = 250\n[output]\nmax_spool_bytes = 1048576\n"
                          "[agent]\nstate_path = \"/x/state\"\n",
                          &c, &error))
      << error;
  EXPECT_EQ(c.governor.max_cpu, 40u);
  EXPECT_EQ(c.governor.sustain_s, 2u);
  EXPECT_EQ(c.governor.release_s, 3u);
  EXPECT_EQ(c.governor.rate_limit, 250u);
  EXPECT_EQ(c.max_spool_bytes, 1048576u);
  EXPECT_EQ(c.state_path, "/x/state");
}

TEST(GovernorConfig, BadValuesNameTheKey) {
  Config c;
  std::string error;
  EXPECT_FALSE(ParseConfig("[governor]\nmax_cpu = 101\n", &c, &error));
  EXPECT_NE(error.find("'governor.max_cpu' must be between 0 and 100"), std::string::npos) << error;
  EXPECT_FALSE(ParseConfig("[governor]\nsustain_s = 0\n", &c, &error));
  EXPECT_NE(error.find("governor.sustain_s"), std::string::npos) << error;
  EXPECT_FALSE(ParseConfig("[governor]\nrate_limit = 0\n", &c, &error));
  EXPECT_FALSE(ParseConfig("[governor]\nmode = \"x\"\n", &c, &error));
  EXPECT_NE(error.find("unknown key 'governor.mode'"), std::string::npos) << error;
  EXPECT_FALSE(ParseConfig("[output]\nmax_spool_bytes = 100\n", &c, &error));
}

}  // namespace
}  // namespace auditlens
