// What the agent puts into the kernel for the time it runs — kernel limits, its self-exclusion, its
// rules, auditing enabled — and takes back out when it stops (rules/rule_loader.h does the work).
//
// In passive mode the other daemon owns the kernel: only the self-exclusion is installed (so the
// agent never feeds the stream it reads), plus rules when a rules path was configured explicitly.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "rules/rule_loader.h"

namespace auditlens {

class RulesSession {
 public:
  // Problems with single rules are warnings (the other rules still load); false only when the
  // kernel refuses the basics (limits, self-exclusion).
  bool Install(const Config& config, std::string* error);
  // Idempotent.
  bool Uninstall(bool keep_rules, std::string* error);

  const std::vector<std::string>& warnings() const { return warnings_; }
  size_t installed_count() const { return installed_.added.size(); }

 private:
  InstalledRules installed_;
  std::vector<std::string> warnings_;
};

}  // namespace auditlens
