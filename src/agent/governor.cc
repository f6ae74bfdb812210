#include "agent/governor.h"

namespace auditlens {

Governor::Action Governor::Sample(double cpu_percent, uint64_t tick_ms, bool pressure) {
  if (!enabled()) return Action::kNone;
  const bool above = cpu_percent > static_cast<double>(settings_.max_cpu);
  if (!engaged_) {
    condition_ms_ = above ? condition_ms_ + tick_ms : 0;
    // A tick a little shorter than a second still counts as one: compare with a 10% margin.
    if (condition_ms_ * 10 >= static_cast<uint64_t>(settings_.sustain_s) * 9000) {
      engaged_ = true;
      condition_ms_ = 0;
      return Action::kEngage;
    }
    return Action::kNone;
  }
  condition_ms_ = (!above && !pressure) ? condition_ms_ + tick_ms : 0;
  if (condition_ms_ * 10 >= static_cast<uint64_t>(settings_.release_s) * 9000) {
    engaged_ = false;
    condition_ms_ = 0;
    return Action::kRelease;
  }
  return Action::kNone;
}

void Governor::Reset() {
  engaged_ = false;
  condition_ms_ = 0;
}

double CpuPercent(uint64_t cpu_us_before, uint64_t cpu_us_after, uint64_t wall_ms) {
  if (wall_ms == 0 || cpu_us_after < cpu_us_before) return 0.0;
  return static_cast<double>(cpu_us_after - cpu_us_before) / 10.0 / static_cast<double>(wall_ms);
}

}  // namespace auditlens
