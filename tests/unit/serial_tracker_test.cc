// src/assemble/serial_tracker: lost events found from serial holes, without false alarms for
// reordering or the 32-bit wrap.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "assemble/serial_tracker.h"

namespace auditlens {
namespace {

std::vector<SerialGap> PollAll(SerialTracker& t, uint64_t now_ms) {
  std::vector<SerialGap> out;
  while (auto g = t.Poll(now_ms)) {
    out.push_back(*g);
    if (out.size() > 1000) break;  // a runaway Poll is a failure, not a hang
  }
  return out;
}

bool Same(const SerialGap& g, uint32_t first, uint32_t last) {
  return g.first == first && g.last == last;
}

// Consecutive serials: never a gap.
TEST(SerialTracker, InOrderNoGap) {
  SerialTracker t(3000);
  for (uint32_t s = 1; s <= 1000; ++s) t.Observe(s, 1000 + s);
  EXPECT_TRUE(PollAll(t, 1'000'000).empty());
  EXPECT_FALSE(t.PendingGap().has_value());
  EXPECT_EQ(t.next_expected(), 1001u);
}

// A hole that closes within the grace time (CPUs delivering out of order) is never reported.
TEST(SerialTracker, ReorderingWithinGraceIsNoGap) {
  SerialTracker t(3000);
  t.Observe(1, 1000);
  t.Observe(3, 1001);
  t.Observe(4, 1002);
  EXPECT_TRUE(PollAll(t, 3999).empty());
  ASSERT_TRUE(t.PendingGap().has_value());
  t.Observe(2, 3999);
  EXPECT_TRUE(PollAll(t, 1'000'000).empty());
  EXPECT_FALSE(t.PendingGap().has_value());
  EXPECT_EQ(t.next_expected(), 5u);
}

// A real hole is reported once, with its exact range, only after the grace time.
TEST(SerialTracker, RealGapAfterGrace) {
  SerialTracker t(3000);
  t.Observe(1, 1000);
  t.Observe(2, 1000);
  t.Observe(5, 1100);  // 3 and 4 missing from here on
  t.Observe(6, 1200);
  EXPECT_TRUE(PollAll(t, 4099).empty());
  auto gaps = PollAll(t, 4100);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_TRUE(Same(gaps[0], 3, 4));
  EXPECT_EQ(gaps[0].count(), 2u);
  EXPECT_TRUE(PollAll(t, 100'000).empty()) << "reported twice";
  EXPECT_EQ(t.next_expected(), 7u);
  // A late arrival of a serial already reported lost changes nothing.
  t.Observe(3, 100'001);
  EXPECT_TRUE(PollAll(t, 200'000).empty());
  EXPECT_EQ(t.next_expected(), 7u);
}

// Several holes come out as separate gaps, each exact.
TEST(SerialTracker, SeveralHoles) {
  SerialTracker t(100);
  t.Observe(10, 1000);
  t.Observe(12, 1000);
  t.Observe(16, 1000);
  t.Observe(17, 1000);
  t.Observe(20, 1000);
  std::vector<SerialGap> all;
  for (uint64_t now = 1000; now < 2000; now += 100) {
    for (const SerialGap& g : PollAll(t, now)) all.push_back(g);
  }
  ASSERT_EQ(all.size(), 3u);
  EXPECT_TRUE(Same(all[0], 11, 11));
  EXPECT_TRUE(Same(all[1], 13, 15));
  EXPECT_TRUE(Same(all[2], 18, 19));
  EXPECT_EQ(t.next_expected(), 21u);
}

// Holes that opened at the same time are all reported once the grace passed: one report does not
// hold the next one back.
TEST(SerialTracker, OldHolesAreReportedTogether) {
  SerialTracker t(3000);
  t.Observe(1, 1000);
  t.Observe(3, 1000);
  t.Observe(5, 1000);
  t.Observe(7, 1000);
  auto gaps = PollAll(t, 4000);
  ASSERT_EQ(gaps.size(), 3u);
  EXPECT_TRUE(Same(gaps[0], 2, 2));
  EXPECT_TRUE(Same(gaps[1], 4, 4));
  EXPECT_TRUE(Same(gaps[2], 6, 6));
}

// Each hole has its own grace: one that opened later is not reported with an older one, so a
// serial that is merely late (reordered) is not called lost.
TEST(SerialTracker, YoungHoleWaitsForItsOwnGrace) {
  SerialTracker t(3000);
  t.Observe(1, 1000);
  t.Observe(3, 1000);     // hole 2 opens at 1000
  t.Observe(6, 3900);     // hole 4..5 opens at 3900
  auto gaps = PollAll(t, 4000);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_TRUE(Same(gaps[0], 2, 2));
  t.Observe(4, 5000);     // late, within its grace
  EXPECT_TRUE(PollAll(t, 6899).empty());
  gaps = PollAll(t, 6900);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_TRUE(Same(gaps[0], 5, 5));
}

// More holes than the tracker keeps times for: all are still reported exactly, none before its
// grace (the bookkeeping may only delay a report).
TEST(SerialTracker, ManyHoles) {
  SerialTracker t(100);
  uint64_t now = 1000;
  uint32_t s = 1;
  uint64_t total = 0;
  t.Observe(s, now);
  for (int i = 0; i < 5000; ++i) {
    s += 2;  // every other serial lost
    t.Observe(s, now);
    now += 1;
    if (i % 10 == 0) {
      for (const SerialGap& g : PollAll(t, now)) {
        total += g.count();
        EXPECT_EQ(g.count(), 1u);
        EXPECT_EQ(g.first % 2, 0u);
        // It opened when the serial after it arrived: (g.first - 1) / 2 ms after the start.
        EXPECT_GE(now, 1000 + (g.first - 2) / 2 + 100) << g.first;
      }
    }
  }
  for (const SerialGap& g : PollAll(t, now + 1000)) total += g.count();
  EXPECT_EQ(total, 5000u);
  EXPECT_EQ(t.next_expected(), s + 1);
  EXPECT_FALSE(t.PendingGap().has_value());
}

// Around 4294967295 → 0 consecutive serials are consecutive: no gap across the wrap.
TEST(SerialTracker, WraparoundNoFalseGap) {
  SerialTracker t(3000);
  uint32_t s = 4294967290u;
  for (int i = 0; i < 20; ++i) t.Observe(s++, 1000 + i);
  EXPECT_EQ(s, 14u);
  EXPECT_TRUE(PollAll(t, 1'000'000).empty());
  EXPECT_EQ(t.next_expected(), 14u);
}

// Reordering across the wrap is still reordering.
TEST(SerialTracker, WraparoundReordered) {
  SerialTracker t(3000);
  t.Observe(4294967294u, 1000);
  t.Observe(0, 1001);
  t.Observe(1, 1001);
  t.Observe(4294967295u, 1002);
  EXPECT_TRUE(PollAll(t, 1'000'000).empty());
  EXPECT_EQ(t.next_expected(), 2u);
}

// A hole that straddles the wrap is reported with its exact range and count.
TEST(SerialTracker, GapAcrossTheWrap) {
  SerialTracker t(3000);
  t.Observe(4294967293u, 1000);
  t.Observe(2, 1000);
  auto gaps = PollAll(t, 4000);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_TRUE(Same(gaps[0], 4294967294u, 1));
  EXPECT_EQ(gaps[0].count(), 4u);
}

// Resume(last) from a previous run: whatever came after last and never arrived is a gap.
TEST(SerialTracker, ResumeReportsAGapAcrossARestart) {
  SerialTracker t(3000);
  t.Resume(100);
  EXPECT_TRUE(t.started());
  t.Observe(105, 5000);
  t.Observe(106, 5000);
  EXPECT_TRUE(PollAll(t, 7999).empty());
  auto gaps = PollAll(t, 8000);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_TRUE(Same(gaps[0], 101, 104));
  EXPECT_TRUE(t.StartsAtResume(gaps[0]));
  // A later hole is an ordinary one.
  t.Observe(108, 9000);
  gaps = PollAll(t, 20000);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_TRUE(Same(gaps[0], 107, 107));
  EXPECT_FALSE(t.StartsAtResume(gaps[0]));
}

// Resume(last) followed by last+1: nothing was lost.
TEST(SerialTracker, ResumeContinuous) {
  SerialTracker t(3000);
  t.Resume(4294967295u);
  t.Observe(0, 5000);
  t.Observe(1, 5000);
  EXPECT_TRUE(PollAll(t, 100'000).empty());
  EXPECT_EQ(t.next_expected(), 2u);
}

// A jump far ahead (a reset counter seen in a log) restarts tracking instead of reporting
// millions of lost events.
TEST(SerialTracker, HugeJumpRestarts) {
  SerialTracker t(3000, 1u << 16, 1u << 24);
  t.Observe(10, 1000);
  t.Observe(11, 1000);
  t.Observe(11 + (1u << 24) + 5, 1000);
  t.Observe(12 + (1u << 24) + 5, 1000);
  EXPECT_TRUE(PollAll(t, 1'000'000).empty());
  EXPECT_EQ(t.restarts(), 1u);
  EXPECT_EQ(t.next_expected(), 13u + (1u << 24) + 5);
  // Tracking goes on from the new place: a later hole is found.
  t.Observe(15 + (1u << 24) + 5, 1'000'001);
  auto gaps = PollAll(t, 1'004'001);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_TRUE(Same(gaps[0], 13 + (1u << 24) + 5, 14 + (1u << 24) + 5));
}

// A reboot makes serials start again near 1: a jump back by far more than any reordering. It
// restarts tracking (and holes in the new run are found) instead of ignoring the new run as "late".
TEST(SerialTracker, JumpBackRestarts) {
  SerialTracker t(3000);
  t.Resume(5'000'000);  // the previous run's last serial
  t.Observe(1, 1000);   // first event after the reboot
  t.Observe(2, 1000);
  t.Observe(5, 1000);   // 3 and 4 lost
  auto gaps = PollAll(t, 5000);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_TRUE(Same(gaps[0], 3, 4));
  EXPECT_EQ(t.restarts(), 1u);
  // Small steps back stay what they are: late arrivals.
  t.Observe(3, 6000);
  EXPECT_EQ(t.restarts(), 1u);
  EXPECT_EQ(t.next_expected(), 6u);
}

// Serials running more than the window ahead of a hole: the hole is reported at once, and only
// the hole — serials already seen inside the window are not.
TEST(SerialTracker, WindowOverflowReportsOnlyTheHole) {
  SerialTracker t(3000, 64);
  t.Observe(0, 1000);
  for (uint32_t s = 2; s <= 70; ++s) t.Observe(s, 1000);  // 1 is missing
  std::vector<SerialGap> gaps = PollAll(t, 1000);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_TRUE(Same(gaps[0], 1, 1));
  EXPECT_TRUE(PollAll(t, 1'000'000).empty()) << "a serial that arrived was reported lost";
  EXPECT_FALSE(t.PendingGap().has_value());
  EXPECT_EQ(t.next_expected(), 71u);
}

// At the end of the stream (force) every open hole is a gap at once, grace or not; holes are still
// exact, and nothing is left pending.
TEST(SerialTracker, ForcedPollReportsEveryHole) {
  SerialTracker t(3000);
  t.Observe(1, 1000);
  t.Observe(3, 1000);
  t.Observe(7, 1001);
  EXPECT_FALSE(t.Poll(1002).has_value());
  std::vector<SerialGap> gaps;
  while (auto g = t.Poll(1002, true)) gaps.push_back(*g);
  ASSERT_EQ(gaps.size(), 2u);
  EXPECT_TRUE(Same(gaps[0], 2, 2));
  EXPECT_TRUE(Same(gaps[1], 4, 6));
  EXPECT_FALSE(t.PendingGap().has_value());
  EXPECT_FALSE(t.Poll(1002, true).has_value()) << "no hole: nothing to force";
}

// A hole first noticed at time 0 (a clock that starts at 0) is still a hole.
TEST(SerialTracker, HoleNoticedAtTimeZero) {
  SerialTracker t(3000);
  t.Observe(1, 0);
  t.Observe(3, 0);
  auto gaps = PollAll(t, 3000);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_TRUE(Same(gaps[0], 2, 2));
}

// PendingGap shows the open hole (for shutdown) without consuming it.
TEST(SerialTracker, PendingGap) {
  SerialTracker t(3000);
  EXPECT_FALSE(t.PendingGap().has_value());
  t.Observe(1, 1000);
  t.Observe(4, 1000);
  auto p = t.PendingGap();
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(Same(*p, 2, 3));
  ASSERT_TRUE(t.PendingGap().has_value());
  auto gaps = PollAll(t, 4000);
  ASSERT_EQ(gaps.size(), 1u);
  EXPECT_TRUE(Same(gaps[0], 2, 3));
  EXPECT_FALSE(t.PendingGap().has_value());
}

// Randomized: shuffle serials in small blocks (reordering), drop some; with polls during the
// stream at a time that never exceeds the grace for a reordered serial, exactly the dropped
// serials are reported, each once.
TEST(SerialTracker, RandomReorderAndLoss) {
  std::mt19937 rng(99);
  for (int round = 0; round < 30; ++round) {
    uint32_t start = round % 3 == 0 ? 4294967000u : static_cast<uint32_t>(rng());
    const int n = 3000;
    std::vector<uint32_t> serials;
    std::vector<bool> lost(n);
    for (int i = 0; i < n; ++i) {
      lost[i] = rng() % 50 == 0 && i > 0 && i < n - 1;
      if (!lost[i]) serials.push_back(start + static_cast<uint32_t>(i));
    }
    for (size_t b = 0; b + 8 <= serials.size(); b += 8) {
      std::shuffle(serials.begin() + b, serials.begin() + b + 8, rng);
    }
    // The first observed serial starts tracking: put the lowest first.
    std::iter_swap(serials.begin(), std::min_element(serials.begin(), serials.begin() + 8,
                                                     [&](uint32_t a, uint32_t c) {
                                                       return a - start < c - start;
                                                     }));
    SerialTracker t(100);
    std::vector<bool> reported(n);
    uint64_t now = 1'000'000;
    auto take = [&](const SerialGap& g) {
      for (uint64_t k = 0; k < g.count(); ++k) {
        uint32_t idx = g.first + static_cast<uint32_t>(k) - start;
        ASSERT_LT(idx, static_cast<uint32_t>(n));
        EXPECT_TRUE(lost[idx]) << "serial " << start + idx << " arrived but was reported lost";
        EXPECT_FALSE(reported[idx]) << "reported twice";
        reported[idx] = true;
      }
    };
    for (size_t i = 0; i < serials.size(); ++i) {
      t.Observe(serials[i], now);
      if (i % 8 == 7) {
        for (const SerialGap& g : PollAll(t, now)) take(g);
        now += 10;  // a block spans 10 ms: far less than the 100 ms grace
      }
    }
    for (const SerialGap& g : PollAll(t, now + 100'000)) take(g);
    for (int i = 0; i < n; ++i) {
      EXPECT_EQ(reported[i], static_cast<bool>(lost[i])) << "serial index " << i;
    }
  }
}

}  // namespace
}  // namespace auditlens
