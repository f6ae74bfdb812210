// The outputs of [[outputs]] together (output/output_sink.h): built from the configuration, each
// event's line copied into each one's staging (the pipeline's only work for them), and started,
// offered, reopened and stopped together by the agent.
//
// Contract: Build() makes every output or none, and says which one failed and why (a group the host
// lacks, a CA file that does not load, a destination that is also [output]'s). Copy() is the hot
// path: one append per output. Every output's profile is "full" today, so they all take the line
// the pipeline formatted for [output]; an output with another profile would take a line formatted
// for it here (the profile is in OutputSinkStatus::profile and OutputSettings::profile).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "output/output_profile.h"
#include "output/output_sink.h"

namespace auditlens {

class OutputFanout {
 public:
  // hostname: the syslog messages' HOSTNAME; primary_path: [output]'s path after the command line.
  bool Build(const std::vector<OutputSettings>& outputs, const std::string& hostname,
             const std::string& primary_path, std::string* error);
  void Start();
  // Every output (a loss event: the same in every profile).
  void Copy(std::string_view line) {
    for (const auto& s : sinks_) s->Copy(line);
  }
  // The outputs of that profile (an event's line as formatted in it).
  void Copy(OutputProfile profile, std::string_view line) {
    for (size_t i = 0; i < sinks_.size(); ++i) {
      if (profiles_[i] == profile) sinks_[i]->Copy(line);
    }
  }
  // The profiles the outputs write, each once (the pipeline formats an event once per profile).
  const std::vector<OutputProfile>& distinct_profiles() const { return distinct_; }
  void OfferAll();
  void ReopenAll();
  bool empty() const { return sinks_.empty(); }
  const std::vector<std::unique_ptr<OutputSink>>& sinks() const { return sinks_; }

 private:
  std::vector<std::unique_ptr<OutputSink>> sinks_;
  std::vector<OutputProfile> profiles_;  // of each sink
  std::vector<OutputProfile> distinct_;
};

}  // namespace auditlens
