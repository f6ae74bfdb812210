#include "rules/rule_set.h"

namespace auditlens {

std::string RuleError::ToString() const {
  if (where.line > 0) return where.file + ":" + std::to_string(where.line) + ": " + message;
  return where.file + ": " + message;
}

size_t RuleSet::CountRules() const {
  size_t n = 0;
  for (const auto& c : commands) n += c.kind == RuleCommand::Kind::kAddRule;
  return n;
}

}  // namespace auditlens
