#include "assemble/serial_tracker.h"

#include <algorithm>

namespace auditlens {

SerialTracker::SerialTracker(uint32_t grace_ms, uint32_t window, uint32_t max_jump)
    : grace_ms_(grace_ms), max_jump_(max_jump) {
  uint32_t w = 64;
  while (w < window) w <<= 1;
  window_ = w;
  bits_.assign(window_ / 64, 0);
}

void SerialTracker::Mark(uint32_t serial, bool on) {
  uint32_t i = serial & (window_ - 1);
  if (on) {
    bits_[i >> 6] |= 1ull << (i & 63);
  } else {
    bits_[i >> 6] &= ~(1ull << (i & 63));
  }
}

void SerialTracker::Resume(uint32_t last_delivered) {
  std::fill(bits_.begin(), bits_.end(), 0);
  started_ = true;
  seen_any_ = false;
  base_ = last_delivered + 1;
  hole_since_ms_ = 0;
}

void SerialTracker::Observe(uint32_t serial, uint64_t now_ms) {
  if (!started_) {
    started_ = true;
    base_ = serial + 1;
    return;
  }
  int64_t d = static_cast<int32_t>(serial - base_);
  if (d < 0) return;  // already delivered, or already reported lost: a late arrival
  if (static_cast<uint64_t>(d) >= max_jump_) {
    // Not a gap anyone could act on: a new boot or a reset counter. Start again from here.
    ++restarts_;
    std::fill(bits_.begin(), bits_.end(), 0);
    base_ = serial + 1;
    seen_any_ = false;
    hole_since_ms_ = 0;
    return;
  }
  // Serials so far ahead that base_ would leave the window: whatever is still missing below the
  // window is lost (it would have had to wait behind 64k later events).
  while (static_cast<uint32_t>(serial - base_) >= window_) {
    if (Seen(base_)) {
      Mark(base_, false);
    } else if (!ready_.empty() && ready_.back().last + 1 == base_) {
      ready_.back().last = base_;
    } else {
      ready_.push_back({base_, base_});
    }
    ++base_;
  }
  Mark(serial, true);
  if (!seen_any_ || static_cast<int32_t>(serial - highest_) > 0) highest_ = serial;
  seen_any_ = true;
  if (serial == base_) {
    Advance(now_ms);
  } else if (hole_since_ms_ == 0) {
    hole_since_ms_ = now_ms;
  }
}

void SerialTracker::Advance(uint64_t now_ms) {
  while (Seen(base_)) {
    Mark(base_, false);
    ++base_;
  }
  hole_since_ms_ = AnySeenAboveBase() ? now_ms : 0;
}

std::optional<SerialGap> SerialTracker::Poll(uint64_t now_ms) {
  if (!ready_.empty()) {
    SerialGap g = ready_.front();
    ready_.erase(ready_.begin());
    return g;
  }
  if (hole_since_ms_ == 0 || now_ms < hole_since_ms_ + grace_ms_) return std::nullopt;
  SerialGap gap{base_, base_};
  while (!Seen(gap.last + 1) && gap.last + 1 != highest_ + 1) ++gap.last;
  base_ = gap.last + 1;
  Advance(now_ms);
  return gap;
}

std::optional<SerialGap> SerialTracker::PendingGap() const {
  if (!ready_.empty()) return ready_.front();
  if (hole_since_ms_ == 0) return std::nullopt;
  SerialGap gap{base_, base_};
  while (!Seen(gap.last + 1) && gap.last + 1 != highest_ + 1) ++gap.last;
  return gap;
}

}  // namespace auditlens
