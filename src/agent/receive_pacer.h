// How long the receive loop waits after a batch before it receives again. Each wake-up costs as
// much as receiving dozens of records, so once the socket is empty the agent lets records pile up
// in it for a while: an exec storm then arrives in one wake-up per ~30 events instead of one per
// event. But records that wait long are cold when they are read (each costs the kernel's copy
// more), so on a fast stream the wait ends when about one receive call's worth (batch_records)
// has arrived: on the connect storm, waits of ~1.8 ms read in 256-datagram calls cost 4.6 and 5.6
// µs per event in two bench runs against 5.4 and 6.1 with the full 25 ms in 64-datagram calls
// (docs/performance.md, "Receive policy and buffer"). The wait must never let the socket buffer fill
// — a full buffer makes the kernel print records to the console and drop them — so it is also cut
// to the time in which, at the rate the last batch arrived, a quarter of the buffer would fill.
//
// Contract:
// - AfterBatch(records, drained, now_us) is called after every receive with the records it
//   handed over, whether it emptied the socket, and a monotonic clock in µs; it returns the µs to
//   wait before the next receive.
// - 0 when nothing was received (the poll timed out or woke for nothing), when the batch stopped
//   at its limit with records still queued, or when drain_interval_ms is 0.
// - Otherwise min(drain_interval, the time in which min(quarter buffer, batch_records) records
//   arrive at the observed rate), at least 1 µs; the rate is the batch's records over the time
//   since the previous call that received something. batch_records 0: the quarter buffer alone.
#pragma once

#include <cstdint>

namespace auditlens {

class ReceivePacer {
 public:
  // socket_buffer_bytes: the socket's effective receive buffer (SO_RCVBUF as the kernel reports
  // it, already doubled), which the kernel charges about kBytesPerRecord per queued record.
  // batch_records: the datagrams one receive call takes (AuditNetlink::kDatagramsPerReceive).
  ReceivePacer(uint32_t drain_interval_ms, uint64_t socket_buffer_bytes, uint32_t batch_records = 0);

  uint64_t AfterBatch(int records, bool drained, uint64_t now_us);

  // Measured: 10,000 queued records of the open storm took 9.2 MB of the socket's buffer.
  static constexpr uint64_t kBytesPerRecord = 920;

 private:
  uint64_t interval_us_;
  uint64_t quarter_records_;  // records that fill a quarter of the buffer
  uint64_t pile_records_;     // records let pile up at most: the quarter, or one receive call
  uint64_t last_us_ = 0;      // when the previous batch that received something ended
};

}  // namespace auditlens
