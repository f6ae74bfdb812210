#include "agent/receive_pacer.h"

#include <algorithm>

namespace auditlens {

ReceivePacer::ReceivePacer(uint32_t drain_interval_ms, uint64_t socket_buffer_bytes,
                           uint32_t batch_records)
    : interval_us_(static_cast<uint64_t>(drain_interval_ms) * 1000),
      quarter_records_(std::max<uint64_t>(1, socket_buffer_bytes / kBytesPerRecord / 4)),
      pile_records_(batch_records == 0 ? quarter_records_
                                       : std::min<uint64_t>(quarter_records_, batch_records)) {}

uint64_t ReceivePacer::AfterBatch(int records, bool drained, uint64_t now_us) {
  if (records <= 0) return 0;
  const uint64_t since = last_us_ == 0 || now_us <= last_us_ ? 0 : now_us - last_us_;
  last_us_ = now_us;
  if (!drained || interval_us_ == 0) return 0;
  // No previous batch to measure from: the first one after start or after a pause; be cautious
  // only if it alone was a quarter of the buffer.
  if (since == 0) return static_cast<uint64_t>(records) >= quarter_records_ ? 0 : interval_us_;
  // At records/since per µs, pile_records arrive in pile_records * since / records. Never 0:
  // 0 says records are still queued.
  const uint64_t pile_us = pile_records_ * since / static_cast<uint64_t>(records);
  return std::min(interval_us_, std::max<uint64_t>(1, pile_us));
}

}  // namespace auditlens
