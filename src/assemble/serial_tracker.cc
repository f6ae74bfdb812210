#include "assemble/serial_tracker.h"

#include <algorithm>

namespace auditlens {

SerialTracker::SerialTracker(uint32_t grace_ms, uint32_t window, uint32_t max_jump)
    : grace_ms_(grace_ms), max_jump_(max_jump) {
  uint32_t w = 64;
  while (w < window && w < (1u << 30)) w <<= 1;
  window_ = w;
  if (max_jump_ < window_) max_jump_ = window_;
  bits_.assign(window_ / 64, 0);
  notices_.resize(kMaxNotices);
}

void SerialTracker::Mark(uint32_t serial, bool on) {
  uint32_t i = serial & (window_ - 1);
  if (on) {
    bits_[i >> 6] |= 1ull << (i & 63);
  } else {
    bits_[i >> 6] &= ~(1ull << (i & 63));
  }
}

// Tracking starts over: serial (or, for Resume, the serial before base) counts as delivered.
void SerialTracker::Restart(uint32_t next) {
  std::fill(bits_.begin(), bits_.end(), 0);
  started_ = true;
  resumed_ = false;
  base_ = next;
  highest_ = next - 1;
  notice_head_ = notice_count_ = 0;
}

void SerialTracker::Resume(uint32_t last_delivered) {
  Restart(last_delivered + 1);
  resumed_ = true;
  resume_next_ = last_delivered + 1;
}

void SerialTracker::AddReady(uint32_t first, uint32_t last) {
  if (!ready_.empty() && ready_.back().last + 1 == first) {
    ready_.back().last = last;
  } else {
    ready_.push_back({first, last});
  }
}

void SerialTracker::AddNotice(uint32_t first, uint64_t ms) {
  if (notice_count_ == kMaxNotices) {
    // Full: the newest notice absorbs this run and takes the later time. Its holes then wait a
    // little longer than they had to; none is reported early.
    notices_[(notice_head_ + notice_count_ - 1) % kMaxNotices].ms = ms;
    return;
  }
  notices_[(notice_head_ + notice_count_) % kMaxNotices] = {first, ms};
  ++notice_count_;
}

// Drops notices that only describe serials below base_: the one in force at base_ is the last
// whose first is <= base_.
void SerialTracker::PruneNotices() {
  while (notice_count_ >= 2) {
    const Notice& second = notices_[(notice_head_ + 1) % kMaxNotices];
    if (static_cast<int32_t>(base_ - second.first) < 0) break;
    notice_head_ = (notice_head_ + 1) % kMaxNotices;
    --notice_count_;
  }
  if (!HasHole()) notice_head_ = notice_count_ = 0;
}

void SerialTracker::Observe(uint32_t serial, uint64_t now_ms) {
  if (!started_) {
    Restart(serial + 1);
    return;
  }
  int64_t d = static_cast<int32_t>(serial - base_);
  if (d < 0) {
    // Already delivered or reported lost: a late arrival. Far behind anything still tracked it is
    // a new run of serials (a reboot, seen after Resume or in a log): start again from it.
    if (-d > static_cast<int64_t>(window_)) {
      ++restarts_;
      Restart(serial + 1);
    }
    return;
  }
  if (static_cast<uint64_t>(d) >= max_jump_) {
    // Not a gap anyone could act on: a new boot or a reset counter. Start again from here.
    ++restarts_;
    Restart(serial + 1);
    return;
  }
  // Serials so far ahead that base_ would leave the window: whatever is still missing below the
  // window is lost (it would have had to wait behind a window of later events).
  if (static_cast<uint32_t>(d) >= window_) {
    const uint32_t new_base = serial - window_ + 1;
    while (base_ != new_base) {
      if (static_cast<int32_t>(highest_ - base_) < 0) {
        AddReady(base_, new_base - 1);  // nothing seen from here on: one run
        base_ = new_base;
        break;
      }
      if (Seen(base_)) {
        Mark(base_, false);
      } else {
        AddReady(base_, base_);
      }
      ++base_;
    }
    PruneNotices();
  }
  if (static_cast<int32_t>(serial - highest_) > 1) {
    // Serials between the highest seen and this one are skipped: a new hole, noticed now.
    uint32_t first = highest_ + 1;
    if (static_cast<int32_t>(base_ - first) > 0) first = base_;
    if (first != serial) AddNotice(first, now_ms);
  }
  Mark(serial, true);
  if (static_cast<int32_t>(serial - highest_) > 0) highest_ = serial;
  if (Seen(base_)) Advance();
}

void SerialTracker::Advance() {
  while (Seen(base_)) {
    Mark(base_, false);
    ++base_;
  }
  PruneNotices();
}

SerialGap SerialTracker::HoleAtBase() const {
  SerialGap gap{base_, base_};
  while (!Seen(gap.last + 1) && gap.last + 1 != highest_) ++gap.last;
  return gap;
}

std::optional<SerialGap> SerialTracker::Poll(uint64_t now_ms, bool force) {
  if (!ready_.empty()) {
    SerialGap g = ready_.front();
    ready_.erase(ready_.begin());
    return g;
  }
  if (!HasHole()) return std::nullopt;
  PruneNotices();
  // The notice in force at base_ says when this hole opened; without one (cannot happen), wait.
  uint64_t opened = notice_count_ > 0 ? notices_[notice_head_].ms : now_ms;
  if (!force && now_ms < opened + grace_ms_) return std::nullopt;
  SerialGap gap = HoleAtBase();
  base_ = gap.last + 1;
  Advance();
  return gap;
}

std::optional<SerialGap> SerialTracker::PendingGap() const {
  if (!ready_.empty()) return ready_.front();
  if (!HasHole()) return std::nullopt;
  return HoleAtBase();
}

}  // namespace auditlens
