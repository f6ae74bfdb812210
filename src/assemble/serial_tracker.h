// Finds serials that never arrived: the kernel numbers every event, so a serial missing for long
// after later ones arrived is an event lost on the way (rate limit, backlog overflow, ENOBUFS).
//
// Contract:
// - Observe() each event's serial, in any order (events of concurrent CPUs arrive shuffled);
//   observing a serial again (every record of an event) changes nothing.
// - A hole is reported by Poll() only after it stayed open for grace_ms while later serials were
//   arriving, so reordering is not mistaken for loss. The gap is the whole run of missing serials.
// - Serials are 32-bit and wrap; comparisons are modular. A jump of more than max_jump ahead (a
//   counter reset seen through a log), or back by more than the window (serials restarting at 1
//   after a reboot), restarts tracking instead of reporting billions lost or ignoring the new run.
// - Each hole has its own grace: a hole that opened later is not reported with an earlier one, and
//   one that has waited long enough is not held back by another report.
// - The first serial observed starts tracking; with Resume(last) a previous run's last delivered
//   serial starts it, so a gap across an agent restart is reported too.
// - Memory is bounded: the window's bits and a fixed list of when holes opened are allocated at
//   construction; gaps forced out by a jump wait in a list until polled.
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
  // Returns the next gap whose grace has passed, if any. Call until it returns nothing. With
  // force (the stream has ended: nothing more can arrive) every hole is a gap at once.
  std::optional<SerialGap> Poll(uint64_t now_ms, bool force = false);
  // Gaps still open (for shutdown: reported as unconfirmed losses by the caller if wanted).
  std::optional<SerialGap> PendingGap() const;

  // Whether the gap begins right after the serial Resume() was given: those events were
  // generated while no agent was reading (or not written by the previous one).
  bool StartsAtResume(const SerialGap& gap) const {
    return resumed_ && gap.first == resume_next_;
  }

  bool started() const { return started_; }
  uint32_t next_expected() const { return base_; }
  uint64_t restarts() const { return restarts_; }

 private:
  // When a run of serials went missing: serials from `first` up to the next notice's first (those
  // not seen) were skipped at time `ms`, when a later serial arrived.
  struct Notice {
    uint32_t first;
    uint64_t ms;
  };
  static constexpr size_t kMaxNotices = 1024;

  bool Seen(uint32_t serial) const {
    uint32_t i = serial & (window_ - 1);
    return (bits_[i >> 6] >> (i & 63)) & 1;
  }
  void Mark(uint32_t serial, bool on);
  void Restart(uint32_t serial);
  void Advance();
  void AddReady(uint32_t first, uint32_t last);
  bool HasHole() const { return static_cast<int32_t>(highest_ - base_) > 0; }
  void PruneNotices();
  void AddNotice(uint32_t first, uint64_t ms);
  SerialGap HoleAtBase() const;

  uint32_t grace_ms_;
  uint32_t window_;                // power of two
  uint32_t max_jump_;
  bool started_ = false;
  bool resumed_ = false;
  uint32_t resume_next_ = 0;
  uint32_t base_ = 0;              // lowest serial neither delivered nor reported lost
  uint32_t highest_ = 0;           // highest serial seen; base_ - 1 when none above base_ was
  std::vector<uint64_t> bits_;     // ring of "seen" flags, indexed by serial mod window_
  std::vector<Notice> notices_;    // ring of kMaxNotices, oldest first, increasing serials
  size_t notice_head_ = 0;
  size_t notice_count_ = 0;
  uint64_t restarts_ = 0;
  std::vector<SerialGap> ready_;   // gaps forced out by a jump past the window
};

}  // namespace auditlens
