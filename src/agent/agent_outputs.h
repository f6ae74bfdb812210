// The agent's [[outputs]] (output/output_fanout.h): built and started with the agent, offered what
// the pipeline copied every 200 ms, reopened on SIGHUP, stopped at exit, and their losses turned
// into loss events.
//
// Contract: Tick() (every flush, on the agent's thread) offers each output its staged lines, says
// in the agent's log when an output starts failing and when it works again, and reports through
// the pipeline (so every output, [output] included, gets them):
// - "output-oversize" as soon as an output refused events too long for it (count, longest size);
// - "output-full" once an output that dropped lines from its full spool writes again and dropped
//   none since the last tick (the loss event would otherwise likely be dropped in turn; it would be
//   counted by the next one), or at the latest 10 s after the first unreported drop; with the
//   count.
// Stop() gives the outputs together at most 2 s to write what they hold, then says in the log
// what each left unwritten. StatusJson() is the status file's "outputs" member.
// The file of dropped events (output.dropped_path, OpenDropped) is one more output of the same
// kind, written by a thread of its own from a bounded spool (kDroppedSpoolBytes): it never holds
// up the agent, and what it loses is reported like any output's (log, loss events, status).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/pipeline.h"
#include "config/config.h"
#include "output/output_fanout.h"

namespace auditlens {

class AgentOutputs {
 public:
  using LogFn = std::function<void(const std::string&)>;
  bool Build(const Config& config, const std::string& hostname, std::string* error);
  // Null when there are none: the pipeline then copies nothing.
  OutputFanout* fanout() { return fanout_.empty() ? nullptr : &fanout_; }
  // output.dropped_path: the events [[filters]] drop, in `profile` ("brief", ...). Before Start.
  void OpenDropped(const std::string& path, const std::string& profile);
  // Null when there is no file of dropped events.
  OutputSink* dropped() { return dropped_.get(); }
  static constexpr uint32_t kDroppedSpoolBytes = 4 * 1024 * 1024;
  void Start(const LogFn& log);
  void Reopen();
  void Tick(Pipeline* pipeline, uint64_t now_ms, const LogFn& log);
  void Stop(const LogFn& log);
  // ",\"outputs\":[...]", or "" without outputs.
  std::string StatusJson() const;

 private:
  struct Reported {
    uint64_t dropped = 0;       // reported
    uint64_t dropped_seen = 0;  // at the last tick
    uint64_t pending_ms = 0;    // since when drops wait to be reported (0: none)
    uint64_t oversize = 0;
    uint64_t socket_refused = 0;
    bool failing = false;
    uint64_t failed_ms = 0;
  };
  OutputFanout fanout_;
  std::unique_ptr<OutputSink> dropped_;
  // Every output: the fanout's, then the file of dropped events; with their settings and what
  // was reported of them, index for index.
  std::vector<OutputSink*> all_;
  std::vector<OutputSettings> settings_;
  std::vector<Reported> reported_;
};

}  // namespace auditlens
