// Puts rules and audit settings into the kernel and takes exactly those back out.
//
// Usage (the agent's run loop):
//
//   auto socket = AuditNetlink::Open(AuditNetlink::Mode::kUnicast, cfg.receive_buffer_bytes, &err);
//   socket->RegisterDaemon(&err);                   // first: records now come to us, not printk
//   InstalledRules installed;
//   ApplyKernelLimits(cfg.kernel, &installed, &err);     // backlog_limit, rate_limit, ...
//   InstallSelfExclusion(getpid(), &installed, &err);    // -A never,exit -F pid=<agent>
//   RuleSet rules = LoadRuleSet(cfg.rules_path);         // file, rules.d, or the embedded default
//   ApplyResult applied = ApplyRules(rules, &installed); // report rules.errors + applied.errors
//   if (cfg.kernel.enable) EnableAuditing(&installed, &err);
//   ... receive loop ...
//   UndoInstalledRules(&installed, UndoOptions{.keep_rules = cfg.keep_rules_on_exit}, &errors);
//   drain the socket once more, then socket->UnregisterDaemon(&err).
//
// Contract:
// - InstalledRules records exactly what this process changed: the rules the kernel accepted
//   from us, the rules we deleted (-D, -d, -W), and each status field we set with its previous
//   value. A rule the kernel already had (EEXIST) is not recorded, so it is never removed.
// - UndoInstalledRules reverses them: status fields back (newest first, so enabled goes back to
//   its old value before the limits do), our rules removed (newest first), the self-exclusion
//   removed (always, even with keep_rules: a stale pid rule would silence whoever gets the pid
//   next), deleted rules re-added (at the end of their list: the kernel has no insert-at).
// - -D in a rules file deletes every kernel rule except the ones already in InstalledRules and
//   the self-exclusion of the registered audit daemon (so it never makes a running agent, this one
//   or another, audit itself).
// - Kernel errors never stop a load: each failing command is reported with its file:line and the
//   rest goes on. With -i in the file they are warnings instead of errors.
// - saddr_fam fallback: an always-rule with a saddr_fam field that the kernel refuses with EINVAL
//   (kernels before 5.3 know no such field) is loaded without that field instead, so its syscalls
//   are audited for every address family rather than not at all; the load then gives one warning
//   saying so ("kernel does not support saddr_fam (needs Linux 5.3): auditing connect/... for every
//   address family"), at the first such rule's file:line. The inet and inet6 twins widen to the
//   same rule: the second one's EEXIST is not an error. A never-rule is never widened (that would
//   silence more than asked): it is reported as refused.
// - Every function opens its own short-lived control socket; none of them needs the receiving
//   socket, and none ever sets enabled=2 or failure=2.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "rules/encoded_rule.h"
#include "rules/rule_set.h"

namespace auditlens {

struct InstalledRule {
  EncodedRule rule;
  SourceLocation where;
};

struct StatusChange {
  uint32_t mask = 0;      // one AUDIT_STATUS_* bit
  uint32_t previous = 0;  // the kernel's value before we set it
  uint32_t applied = 0;
};

struct InstalledRules {
  std::optional<EncodedRule> self_exclusion;
  std::vector<InstalledRule> added;          // in installation order
  std::vector<EncodedRule> deleted;          // kernel rules we deleted, in deletion order
  std::vector<StatusChange> status_changes;  // in the order applied

  bool empty() const {
    return !self_exclusion && added.empty() && deleted.empty() && status_changes.empty();
  }
};

struct ApplyResult {
  size_t added = 0;
  size_t deleted = 0;
  size_t status_set = 0;
  std::vector<RuleError> errors;
  std::vector<RuleError> warnings;
  bool ok() const { return errors.empty(); }
};

// The rules at path (file or rules.d directory), or the embedded default rules when path is empty.
RuleSet LoadRuleSet(const std::string& path);

// Runs the commands of rules in order against the kernel, recording each change in *installed.
ApplyResult ApplyRules(const RuleSet& rules, InstalledRules* installed);

// One rule add with the saddr_fam fallback (see the contract), the kernel given as functions so
// that the decision can be tested without an old kernel. add returns 0 or the kernel's positive
// errno; ours tells whether a rule is one this load already installed.
struct AddAttempt {
  int err = 0;            // the kernel's answer to the rule as written
  bool widened = false;   // the kernel refused saddr_fam: the rule went in without it
  bool added = false;     // `loaded` is newly in the kernel (false: refused, or already ours)
  EncodedRule loaded;     // what the kernel holds for this rule: the rule, or the widened one
  bool ok() const { return err == 0 || widened; }
};
AddAttempt AddRuleWithFallback(const EncodedRule& rule,
                               const std::function<int(const EncodedRule&)>& add,
                               const std::function<bool(const EncodedRule&)>& ours);
// The warning for the rules loaded without saddr_fam, naming their syscalls.
std::string SaddrFamFallbackMessage(const std::vector<EncodedRule>& widened);

// Installs "-a never,exit -F pid=<pid>" at the head of the exit list so the agent's own syscalls
// are never audited.
bool InstallSelfExclusion(uint32_t pid, InstalledRules* installed, std::string* error);

// Sets the limits of [kernel] that are present (backlog_limit, rate_limit, backlog_wait_time,
// failure), recording the previous values. Fields already at the wanted value are left alone.
bool ApplyKernelLimits(const KernelSettings& settings, InstalledRules* installed,
                       std::string* error);
// Sets enabled=1 when it is 0, recording the previous value. Call after the rules are in.
bool EnableAuditing(InstalledRules* installed, std::string* error);

struct UndoOptions {
  bool keep_rules = false;     // leave our rules (and the deletions) in place
  bool restore_status = true;  // put status fields back
};
// Reverses *installed (see the contract above). What could be undone is removed from *installed;
// problems are appended to *errors. Rules someone else removed meanwhile are not errors.
bool UndoInstalledRules(InstalledRules* installed, const UndoOptions& options,
                        std::vector<std::string>* errors);

// The kernel's current rules, in list order.
bool ListKernelRules(std::vector<EncodedRule>* rules, std::string* error);
// Deletes every kernel rule (or those carrying key, when not empty); *deleted counts them. The
// registered audit daemon's self-exclusion rule ("-a never,exit -S all -F pid=<its pid>") is kept
// and counted in *kept.
bool DeleteAllKernelRules(const std::string& key, size_t* deleted, size_t* kept,
                          std::string* error);

}  // namespace auditlens
