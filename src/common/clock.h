// The clocks auditlens reads, one function each, named by clock and unit.
//
// Contract: Wall* is CLOCK_REALTIME (time of day; jumps when the clock is set), Monotonic* is
// CLOCK_MONOTONIC (intervals, timeouts; never goes back). *Coarse reads the _COARSE variant: a
// tick old (a few ms) but no more than a memory read, for the per-event path. Units are truncated,
// not rounded. Inline: a caller on the per-event path pays for clock_gettime alone.
#pragma once

#include <time.h>

#include <cstdint>

namespace auditlens {

namespace clock_detail {
inline timespec Read(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return ts;
}
inline uint64_t Ms(const timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
}
}  // namespace clock_detail

// Milliseconds since the epoch.
inline uint64_t WallMs() { return clock_detail::Ms(clock_detail::Read(CLOCK_REALTIME)); }
inline uint64_t WallMsCoarse() {
  return clock_detail::Ms(clock_detail::Read(CLOCK_REALTIME_COARSE));
}

// Since an unspecified start (boot, on Linux).
inline uint64_t MonotonicNs() {
  const timespec ts = clock_detail::Read(CLOCK_MONOTONIC);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000 + static_cast<uint64_t>(ts.tv_nsec);
}
inline uint64_t MonotonicUs() {
  const timespec ts = clock_detail::Read(CLOCK_MONOTONIC);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}
inline uint64_t MonotonicMs() { return clock_detail::Ms(clock_detail::Read(CLOCK_MONOTONIC)); }
inline uint64_t MonotonicMsCoarse() {
  return clock_detail::Ms(clock_detail::Read(CLOCK_MONOTONIC_COARSE));
}
inline uint64_t MonotonicSecondsCoarse() {
  return static_cast<uint64_t>(clock_detail::Read(CLOCK_MONOTONIC_COARSE).tv_sec);
}

}  // namespace auditlens
