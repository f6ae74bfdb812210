// What the agent puts into the kernel for the time it runs — kernel limits, its self-exclusion, its
// rules, auditing enabled — and takes back out when it stops (rules/rule_loader.h does the work).
//
// Contract:
// - As the audit daemon: the [kernel] limits, the self-exclusion (-A never,exit -F pid=<agent>),
//   the rules (rules.path, else the embedded defaults; every command of the file, -D and -b
//   included), then enabled=1 (kernel.enable).
// - Passive (beside another daemon that owns the kernel): with rules.load (the default) only the
//   self-exclusion and the rules' add commands (-a, -A, -w); the file's other commands (-D, -d,
//   -W, -b, -r, -e, -f, --backlog_wait_time) are skipped with a warning, and [kernel] is ignored:
//   enabled, failure, pid, rate and backlog limits are never touched. Loading needs
//   CAP_AUDIT_CONTROL: CheckPassive refuses a start without it, saying how to proceed. With
//   rules.load = false nothing at all is put in the kernel (not even the self-exclusion) and only
//   CAP_AUDIT_READ is needed.
// - Restore (passive with rules loaded): the other daemon's start (augenrules runs -D first) or an
//   admin's auditctl -D deletes our rules while we run. The agent calls Restore at most every
//   kRestoreIntervalMs from its 1 s tick (never on the receive path): one rule listing, compared
//   with what we installed; rules of ours that are gone are added again (in installation order,
//   the self-exclusion at the head). A rule the kernel then refuses, or already has (someone
//   else's now), is no longer ours: it is dropped from the list, so exit never removes it.
// - Uninstall removes what we added (unless keep_rules: the self-exclusion goes anyway) and puts
//   back what we changed or deleted. Idempotent.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "rules/rule_loader.h"

namespace auditlens {

class RulesSession {
 public:
  static constexpr uint64_t kRestoreIntervalMs = 3000;

  // Passive mode with rules.load: false with the refusal (why, and what to do) when this process
  // lacks CAP_AUDIT_CONTROL. True otherwise.
  static bool CheckPassive(const Config& config, std::string* error);

  // Problems with single rules are warnings (the other rules still load); false only when the
  // kernel refuses the basics (limits, self-exclusion).
  bool Install(const Config& config, std::string* error);

  struct RestoreResult {
    size_t missing = 0;    // rules of ours (the self-exclusion included) found gone
    size_t restored = 0;   // of them, added again
    std::vector<std::string> messages;  // for the agent's log
  };
  // Passive mode: puts back the rules of ours that someone deleted (see the contract). Cheap when
  // nothing is missing: one rule listing. False only when the kernel's rules cannot be listed.
  bool Restore(RestoreResult* result);
  // Whether Restore has anything to watch.
  bool watching() const { return !installed_.added.empty() || installed_.self_exclusion; }

  // Idempotent.
  bool Uninstall(bool keep_rules, std::string* error);

  const std::vector<std::string>& warnings() const { return warnings_; }
  size_t installed_count() const { return installed_.added.size(); }
  // Times Restore found rules gone, and rules it put back in all.
  uint64_t restores() const { return restores_; }
  uint64_t restored_rules() const { return restored_rules_; }

 private:
  InstalledRules installed_;
  std::vector<std::string> warnings_;
  uint64_t restores_ = 0;
  uint64_t restored_rules_ = 0;
};

// Whether this process has cap in its effective set (linux/capability.h numbers).
bool HasEffectiveCapability(int cap);

}  // namespace auditlens
