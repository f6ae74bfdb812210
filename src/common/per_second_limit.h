// At most N of something per second of event time: the budget of lookups a stage may make (the
// process table's /proc adoptions and cgroup reads).
//
// Contract: Take(now_ms, limit) is true when fewer than limit were taken in the current window;
// a window starts at the first Take a second or more after the last one started, or when the
// clock went back. Not thread-safe (one pipeline thread).
#pragma once

#include <cstdint>

namespace auditlens {

class PerSecondLimit {
 public:
  bool Take(uint64_t now_ms, uint32_t limit) {
    if (now_ms >= window_ms_ + 1000 || now_ms < window_ms_) {
      window_ms_ = now_ms;
      taken_ = 0;
    }
    if (taken_ >= limit) return false;
    ++taken_;
    return true;
  }

 private:
  uint64_t window_ms_ = 0;
  uint32_t taken_ = 0;
};

}  // namespace auditlens
