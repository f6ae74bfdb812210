#include "agent/receive_pacer.h"

#include <algorithm>

namespace auditlens {

ReceivePacer::ReceivePacer(uint32_t drain_interval_ms, uint64_t socket_buffer_bytes,
                           uint32_t batch_records)
    : interval_us_(static_cast<uint64_t>(drain_interval_ms) * 1000),
      quarter_records_(std::max<uint64_t>(1, socket_buffer_bytes / kBytesPerRecord / 4)),
      batch_records_(batch_records) {}

uint64_t ReceivePacer::AfterBatch(int records, bool drained, uint64_t now_us) {
  if (records <= 0) return 0;
  const uint64_t since = last_us_ == 0 || now_us <= last_us_ ? 0 : now_us - last_us_;
  last_us_ = now_us;
  if (!drained || interval_us_ == 0) return 0;
  // No previous batch to measure from: the first one after start or after a pause; be cautious
  // only if it alone was a quarter of the buffer.
  if (since == 0) return static_cast<uint64_t>(records) >= quarter_records_ ? 0 : interval_us_;
  // At records/since per µs, a quarter of the buffer fills in quarter_records * since / records.
  const uint64_t fill_us = quarter_records_ * since / static_cast<uint64_t>(records);
  uint64_t wait = std::min(interval_us_, fill_us);
  // And no longer than one receive call's worth takes to arrive (never 0: that would poll in a loop).
  if (batch_records_ != 0) {
    wait = std::min(wait, std::max<uint64_t>(1, batch_records_ * since / static_cast<uint64_t>(records)));
  }
  return wait;
}

}  // namespace auditlens
