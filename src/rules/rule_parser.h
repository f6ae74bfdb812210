// Parses audit rules in auditctl syntax (the audit.rules / rules.d format) into a RuleSet.
//
// Contract:
// - One line is one auditctl invocation: -a/-A/-d list,action, -S, -F, -C, -k, -w/-W, -p, -D,
//   -b, -r, --backlog_wait_time, -e 0|1, -f 0|1, -i, -c. Blank lines and lines starting with #
//   are skipped; "\ " and "\\" escape a space and a backslash as in auditctl.
// - Rules are encoded with libaudit exactly as auditctl encodes them (same field order, same
//   defaults: "-S all" when an exit-list rule names no syscall, a watch is an exit-list rule on all
//   syscalls with a perm field, keys are joined with 0x01). Syscall names without -F arch resolve
//   with the machine's arch and the rule gets no arch field, like auditctl.
// - -F saddr_fam (Linux 5.3+: the address family of the call's socket address) takes a number
//   below AF_MAX and any operator but the bit tests (&, &=), which the kernel refuses; a name
//   ("inet") is an error, not the AF_UNSPEC that libaudit would silently make of it.
// - -e 2 (immutable) and -f 2 (panic) are errors: auditlens never sets them. Options that are
//   not about rules (-l, -s, -m, -R, -t, -q, --signal, --loginuid-immutable, ...) are errors too.
// - Every problem is reported as file:line with the reason; a bad line adds nothing and parsing
//   goes on with the next line. Watches are resolved against the filesystem at parse time (a
//   directory becomes a dir watch), as auditctl does.
// - Thread safety: libaudit keeps rule-building state in globals, so parsing is serialized by an
//   internal mutex.
#pragma once

#include <string>
#include <string_view>

#include "rules/rule_set.h"

namespace auditlens {

// source_name is used in messages (a path, or e.g. "<default rules>").
RuleSet ParseRulesText(std::string_view text, const std::string& source_name);
// Appends the commands, errors and warnings of text to *rules.
void ParseRulesTextInto(std::string_view text, const std::string& source_name, RuleSet* rules);
// A rules file, or a rules.d directory: its *.rules files in version order (as augenrules
// lists them: 9-x.rules before 10-y.rules), parsed one after the other.
RuleSet ParseRulesPath(const std::string& path);

}  // namespace auditlens
