// The overload governor: a ceiling on the agent's own CPU ([governor] max_cpu). An audit agent
// that cannot keep up makes the kernel either block audited programs or drop records at random;
// the governor instead sets a kernel rate limit while the agent is over its ceiling, so the
// excess is dropped by the kernel up front (and reported: kernel-lost loss events), and puts the
// previous limit back once the load has passed.
//
// Contract (the decision only; the agent applies it and reports it, see agent.cc):
// - Sample() is called once per tick (about a second) with the agent's CPU use over that tick and
//   whether the pressure that made the governor act is still there (the kernel dropped records
//   because of the rate limit during the tick).
// - Idle → acting after the CPU stayed above max_cpu for sustain_s consecutive seconds (one slow
//   tick does not count as a whole storm: time is summed from the ticks' lengths).
// - Acting → idle after release_s consecutive seconds below max_cpu with no pressure.
// - Off (max_cpu = 0) it never acts. Nothing here costs anything per event.
#pragma once

#include <cstdint>

#include "config/config.h"

namespace auditlens {

class Governor {
 public:
  explicit Governor(const GovernorSettings& settings) : settings_(settings) {}

  enum class Action { kNone, kEngage, kRelease };

  bool enabled() const { return settings_.max_cpu > 0; }
  bool engaged() const { return engaged_; }
  const GovernorSettings& settings() const { return settings_; }

  // cpu_percent: the agent's CPU time over the tick in percent of the tick's wall time;
  // tick_ms: the tick's length.
  Action Sample(double cpu_percent, uint64_t tick_ms, bool pressure);
  // Forget a decision the agent could not carry out (the kernel refused the rate limit).
  void Reset();

  // How long the current condition has lasted (above the ceiling when idle, calm when acting).
  uint64_t condition_ms() const { return condition_ms_; }

 private:
  GovernorSettings settings_;
  bool engaged_ = false;
  uint64_t condition_ms_ = 0;
};

// CPU use in percent of one CPU from two readings of getrusage (user + system microseconds) and
// the wall time between them.
double CpuPercent(uint64_t cpu_us_before, uint64_t cpu_us_after, uint64_t wall_ms);

}  // namespace auditlens
