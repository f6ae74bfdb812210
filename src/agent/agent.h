// The running agent (`auditlens run`): the kernel audit stream, through the pipeline, to the
// output, until SIGTERM/SIGINT.
//
// Contract:
// - Start: opens the output, becomes the audit daemon (or joins the multicast group in passive
//   mode), applies the kernel settings and loads the rules (own process excluded first). In passive
//   mode it loads the rules but never touches the kernel's settings, says in one log line what it
//   loaded beside whom, and refuses to start when it cannot load them (agent/rules_session.h).
//   Any failure undoes what was done and returns an error that says what to do.
// - Runs: receives in batches, never blocks on anything but the netlink socket; every second it
//   checks the kernel's lost counter and writes its counters to the status file; losses of every
//   kind become loss events in the output. In passive mode, every 3 s of that tick, it puts back
//   rules of its own that were deleted (logged, counted in the status file as rules_restores and
//   rules_restored, and a rules-removed loss event). SIGHUP reopens the output file.
// - Stops: removes its rules (unless keep_rules_on_exit), drains what is queued, completes open
//   events, flushes, restores the kernel settings it changed and unregisters.
#pragma once

#include <memory>
#include <string>

#include "config/config.h"

namespace auditlens {

// Returns the process exit code.
int RunAgent(const Config& config);

}  // namespace auditlens
