// A parsed rules file (or rules.d directory): the commands it gives, in order, each with the
// file:line it came from, and the problems found while parsing.
//
// Contract: a RuleSet only describes; nothing here touches the kernel (see rule_loader.h). A line
// with an error contributes no command at all, and the other lines are unaffected.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rules/encoded_rule.h"

namespace auditlens {

struct SourceLocation {
  std::string file;  // path, or a name like "<default rules>"
  int line = 0;      // 1-based; 0 for problems with the file as a whole
};

struct RuleError {
  SourceLocation where;
  std::string message;
  // "file:line: message" (or "file: message" when line is 0).
  std::string ToString() const;
};

struct RuleCommand {
  enum class Kind {
    kAddRule,     // -a / -A / -w
    kDeleteRule,  // -d / -W
    kDeleteAll,   // -D (optionally -D -k key)
    kSetStatus,   // -b / -r / --backlog_wait_time / -e / -f
  };
  Kind kind = Kind::kAddRule;
  SourceLocation where;
  std::string text;           // the line as written, for messages
  EncodedRule rule;           // kAddRule, kDeleteRule
  std::string key;            // kDeleteAll: only rules with this key ("" = all)
  uint32_t status_mask = 0;   // kSetStatus: one AUDIT_STATUS_* bit
  uint32_t status_value = 0;  // kSetStatus
};

struct RuleSet {
  std::vector<RuleCommand> commands;
  std::vector<RuleError> errors;
  std::vector<RuleError> warnings;
  bool ignore_errors = false;      // -i: the kernel refusing a rule is a warning, not an error
  bool continue_on_error = false;  // -c: recorded for compatibility; loading always continues

  bool ok() const { return errors.empty(); }
  size_t CountRules() const;  // kAddRule commands
};

}  // namespace auditlens
