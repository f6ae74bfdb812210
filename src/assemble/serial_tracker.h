// Finds serials that never arrived: the kernel numbers every event, so a serial missing for long
// after later ones arrived is an event lost on the way (rate limit, backlog overflow, ENOBUFS).
//
// Contract:
// - Observe() each event's serial once, in any order (events of concurrent CPUs arrive shuffled).
// - A hole is reported by Poll() only after it stayed open for grace_ms while later serials were
//   arriving, so reordering is not mistaken for loss. The gap is the whole run of missing serials.
// - Serials are 32-bit and wrap; comparisons are modular. A jump of more than max_jump (a reboot
//   or a counter reset seen through a log) restarts tracking instead of reporting billions lost.
// - The first serial observed starts tracking; with Resume(last) a previous run's last delivered
//   serial starts it, so a gap across an agent restart is reported too.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace auditlens {

struct SerialGap {
  uint32_t first;  // first missing serial
  uint32_t last;   // last missing serial (inclusive)
  uint64_t count() const { return static_cast<uint32_t>(last - first) + 1ull; }
};

class SerialTracker {
 public:
  explicit SerialTracker(uint32_t grace_ms = 3000, uint32_t window = 1u << 16,
                         uint32_t max_jump = 1u << 24);

  void Resume(uint32_t last_delivered);
  void Observe(uint32_t serial, uint64_t now_ms);
  // Returns the next gap whose grace has passed, if any. Call until it returns nothing.
  std::optional<SerialGap> Poll(uint64_t now_ms);
  // Gaps still open (for shutdown: reported as unconfirmed losses by the caller if wanted).
  std::optional<SerialGap> PendingGap() const;

  bool started() const { return started_; }
  uint32_t next_expected() const { return base_; }
  uint64_t restarts() const { return restarts_; }

 private:
  bool Seen(uint32_t serial) const {
    uint32_t i = serial & (window_ - 1);
    return (bits_[i >> 6] >> (i & 63)) & 1;
  }
  void Mark(uint32_t serial, bool on);
  void Advance(uint64_t now_ms);
  bool AnySeenAboveBase() const { return static_cast<int32_t>(highest_ - base_) >= 0 && seen_any_; }

  uint32_t grace_ms_;
  uint32_t window_;                // power of two
  uint32_t max_jump_;
  bool started_ = false;
  bool seen_any_ = false;          // highest_ is meaningful
  uint32_t base_ = 0;              // lowest serial neither delivered nor reported lost
  uint32_t highest_ = 0;           // highest serial seen
  std::vector<uint64_t> bits_;     // ring of "seen" flags, indexed by serial mod window_
  uint64_t hole_since_ms_ = 0;     // when the hole at base_ was first noticed; 0 = no hole
  uint64_t restarts_ = 0;
  std::vector<SerialGap> ready_;   // gaps forced out by a jump past the window
};

}  // namespace auditlens
