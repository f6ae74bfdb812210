#include "agent/rules_session.h"

#include <fmt/format.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "rules/rule_format.h"

namespace auditlens {
namespace {

// The commands a passive reader runs: rule additions only. The others are reported and skipped.
RuleSet PassiveSubset(const RuleSet& rules, std::vector<std::string>* warnings) {
  RuleSet subset;
  subset.errors = rules.errors;
  subset.warnings = rules.warnings;
  subset.ignore_errors = rules.ignore_errors;
  subset.continue_on_error = rules.continue_on_error;
  for (const RuleCommand& c : rules.commands) {
    if (c.kind == RuleCommand::Kind::kAddRule) {
      subset.commands.push_back(c);
      continue;
    }
    warnings->push_back(
        RuleError{c.where, "passive: skipped '" + c.text +
                               "': a passive reader only adds rules; the kernel's "
                               "settings and the other daemon's rules stay as they are"}
            .ToString());
  }
  return subset;
}

}  // namespace

bool HasEffectiveCapability(int cap) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  const int word = cap / 32;
  if (word >= _LINUX_CAPABILITY_U32S_3) return false;
  return (data[word].effective & (1u << (cap % 32))) != 0;
}

bool RulesSession::CheckPassive(const Config& config, std::string* error) {
  if (!config.passive || !config.load_rules || HasEffectiveCapability(CAP_AUDIT_CONTROL)) {
    return true;
  }
  *error = fmt::format(
      "passive mode loads the agent's rules ({}) beside the running audit daemon, and adding "
      "rules needs CAP_AUDIT_CONTROL, which this process lacks{}. Give it CAP_AUDIT_CONTROL, or "
      "set `[rules] load = false` in the config to read only the records the other daemon's rules "
      "produce (then auditlens changes nothing in the kernel and needs only CAP_AUDIT_READ)",
      config.rules_path.empty() ? "the embedded default rules" : config.rules_path,
      HasEffectiveCapability(CAP_AUDIT_READ) ? " (it has CAP_AUDIT_READ: it could only read)" : "");
  return false;
}

bool RulesSession::Install(const Config& config, std::string* error) {
  if (config.passive && !config.load_rules) return true;  // changes nothing at all
  if (!config.passive && !ApplyKernelLimits(config.kernel, &installed_, error)) {
    *error = "cannot apply the kernel limits: " + *error;
    return false;
  }
  if (!InstallSelfExclusion(static_cast<uint32_t>(getpid()), &installed_, error)) {
    *error = "cannot install the rule that excludes auditlens itself: " + *error;
    return false;
  }
  if (config.load_rules) {
    RuleSet loaded = LoadRuleSet(config.rules_path);
    const RuleSet rules = config.passive ? PassiveSubset(loaded, &warnings_) : std::move(loaded);
    ApplyResult result = ApplyRules(rules, &installed_);
    for (const RuleError& e : rules.errors) warnings_.push_back("rule skipped: " + e.ToString());
    for (const RuleError& e : rules.warnings) warnings_.push_back("rule warning: " + e.ToString());
    for (const RuleError& e : result.errors) warnings_.push_back("rule refused: " + e.ToString());
    for (const RuleError& e : result.warnings) warnings_.push_back("rule warning: " + e.ToString());
  }
  if (!config.passive && config.kernel.enable && !EnableAuditing(&installed_, error)) {
    *error = "cannot enable auditing: " + *error;
    return false;
  }
  return true;
}

bool RulesSession::Restore(RestoreResult* result) {
  *result = RestoreResult{};
  if (!watching()) return true;
  std::vector<EncodedRule> kernel;
  std::string error;
  if (!ListKernelRules(&kernel, &error)) {
    result->messages.push_back("passive: cannot check that our rules are still loaded: " + error);
    return false;
  }
  auto present = [&](const EncodedRule& rule) {
    return std::any_of(kernel.begin(), kernel.end(),
                       [&](const EncodedRule& k) { return k.SameAs(rule); });
  };
  const bool self_missing = installed_.self_exclusion && !present(*installed_.self_exclusion);
  std::vector<InstalledRule> kept;
  RuleSet missing;
  for (InstalledRule& r : installed_.added) {
    if (present(r.rule)) {
      kept.push_back(std::move(r));
      continue;
    }
    RuleCommand c;
    c.kind = RuleCommand::Kind::kAddRule;
    c.where = r.where;
    c.text = FormatRule(r.rule);
    c.rule = std::move(r.rule);
    missing.commands.push_back(std::move(c));
  }
  installed_.added = std::move(kept);
  result->missing = missing.commands.size() + (self_missing ? 1 : 0);
  if (result->missing == 0) return true;

  ++restores_;
  if (self_missing) {
    installed_.self_exclusion.reset();
    if (InstallSelfExclusion(static_cast<uint32_t>(getpid()), &installed_, &error)) {
      ++result->restored;
    } else {
      result->messages.push_back(
          "passive: cannot put back the rule that excludes auditlens "
          "itself: " +
          error);
    }
  }
  ApplyResult applied = ApplyRules(missing, &installed_);
  result->restored += applied.added;
  restored_rules_ += result->restored;
  result->messages.insert(
      result->messages.begin(),
      fmt::format(
          "passive: {} of our rules{} had been deleted from the kernel (auditctl -D, or the "
          "audit daemon loading its own rules); put {} back. Events they would have "
          "matched in between (up to about {} s) are missing",
          result->missing, self_missing ? " (our self-exclusion among them)" : "", result->restored,
          kRestoreIntervalMs / 1000));
  for (const RuleError& e : applied.errors) {
    result->messages.push_back(
        "passive: could not put back (so no longer ours to remove on exit): " + e.ToString());
  }
  return true;
}

bool RulesSession::Uninstall(bool keep_rules, std::string* error) {
  std::vector<std::string> errors;
  UndoOptions options;
  options.keep_rules = keep_rules;
  bool ok = UndoInstalledRules(&installed_, options, &errors);
  for (const std::string& e : errors) {
    if (!error->empty()) *error += "; ";
    *error += e;
  }
  return ok && errors.empty();
}

}  // namespace auditlens
