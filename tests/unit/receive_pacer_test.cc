#include "agent/receive_pacer.h"

#include <gtest/gtest.h>

namespace auditlens {
namespace {

constexpr uint64_t kBuffer = 128ull << 20;  // the default 64 MiB, doubled by the kernel

TEST(ReceivePacer, SlowStreamWaitsTheWholeInterval) {
  ReceivePacer pacer(25, kBuffer);
  EXPECT_EQ(pacer.AfterBatch(7, true, 1'000'000), 25'000u);
  // 30 records in 26 ms: ~1,150 records/s, far from filling 36,000 records' worth.
  EXPECT_EQ(pacer.AfterBatch(30, true, 1'026'000), 25'000u);
}

TEST(ReceivePacer, NothingReceivedOrRecordsLeftMeansNoWait) {
  ReceivePacer pacer(25, kBuffer);
  EXPECT_EQ(pacer.AfterBatch(0, true, 1'000'000), 0u);
  EXPECT_EQ(pacer.AfterBatch(1024, false, 1'001'000), 0u);
  EXPECT_EQ(pacer.AfterBatch(10, true, 1'030'000), 25'000u);
}

TEST(ReceivePacer, ZeroIntervalNeverWaits) {
  ReceivePacer pacer(0, kBuffer);
  EXPECT_EQ(pacer.AfterBatch(5, true, 1'000'000), 0u);
  EXPECT_EQ(pacer.AfterBatch(5, true, 2'000'000), 0u);
}

TEST(ReceivePacer, FastStreamIntoASmallBufferWaitsLess) {
  // 128 KiB holds ~142 records; a quarter is 35. 700 records arrived in 10 ms (70 per ms):
  // a quarter of the buffer fills in 0.5 ms.
  ReceivePacer pacer(25, 128 << 10);
  pacer.AfterBatch(10, true, 1'000'000);
  EXPECT_EQ(pacer.AfterBatch(700, true, 1'010'000), 35u * 10'000 / 700);
}

TEST(ReceivePacer, TheOpenStormIntoTheDefaultBufferWaitsTheInterval) {
  // 820,000 records/s (the fastest open storm measured): 25 ms is ~20,500 records, under the
  // quarter of the default buffer (~36,000).
  ReceivePacer pacer(25, kBuffer);
  pacer.AfterBatch(10, true, 1'000'000);
  EXPECT_EQ(pacer.AfterBatch(20'500, true, 1'025'000), 25'000u);
  // Twice as fast: the wait shrinks to what a quarter of the buffer holds.
  const uint64_t wait = pacer.AfterBatch(41'000, true, 1'050'000);
  EXPECT_LT(wait, 25'000u);
  EXPECT_GT(wait, 20'000u);
}

TEST(ReceivePacer, AFirstBatchAsLargeAsAQuarterOfTheBufferDoesNotWait) {
  ReceivePacer pacer(25, 128 << 10);
  EXPECT_EQ(pacer.AfterBatch(100, true, 1'000'000), 0u);
}

TEST(ReceivePacer, AFastStreamWaitsForAboutOneReceiveCall) {
  // The connect storm: ~120,000 records/s. 256 records (one receive call) arrive in ~2.1 ms, long
  // before 25 ms or a quarter of the default buffer.
  ReceivePacer pacer(25, kBuffer, 256);
  pacer.AfterBatch(10, true, 1'000'000);
  EXPECT_EQ(pacer.AfterBatch(3'000, true, 1'025'000), 256u * 25'000 / 3'000);
  // After the short wait the batch is about one call: the wait stays about the same.
  EXPECT_EQ(pacer.AfterBatch(256, true, 1'027'200), 256u * 2'200 / 256);
}

TEST(ReceivePacer, ASlowStreamStillWaitsTheWholeIntervalWithABatchBound) {
  // The exec storm: ~7 records an event, ~1,000 events/s: 256 records take ~36 ms.
  ReceivePacer pacer(25, kBuffer, 256);
  pacer.AfterBatch(7, true, 1'000'000);
  EXPECT_EQ(pacer.AfterBatch(180, true, 1'026'000), 25'000u);
}

TEST(ReceivePacer, ABurstFarLargerThanOneCallWaitsAtLeastAMicrosecond) {
  ReceivePacer pacer(25, kBuffer, 256);
  pacer.AfterBatch(10, true, 1'000'000);
  EXPECT_EQ(pacer.AfterBatch(5'000, true, 1'000'001), 1u);
}

}  // namespace
}  // namespace auditlens
