#include "agent/rules_session.h"

#include <unistd.h>

namespace auditlens {

bool RulesSession::Install(const Config& config, std::string* error) {
  if (!config.passive && !ApplyKernelLimits(config.kernel, &installed_, error)) {
    *error = "cannot apply the kernel limits: " + *error;
    return false;
  }
  if (!InstallSelfExclusion(static_cast<uint32_t>(getpid()), &installed_, error)) {
    *error = "cannot install the rule that excludes auditlens itself: " + *error;
    return false;
  }
  if (!config.passive || !config.rules_path.empty()) {
    RuleSet rules = LoadRuleSet(config.rules_path);
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
