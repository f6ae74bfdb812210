// Writes an audit rule back in auditctl syntax, the way `auditctl -l` (audit 3.0.x) lists it, so
// users can compare the two outputs line by line.
//
// Contract, as auditctl -l:
// - A rule on the exit list over all syscalls whose only fields are a path or dir, a perm and keys
//   is a watch: "-w /etc/passwd -p wa -k identity".
// - Otherwise "-a action,list", then the arch ("-F arch=b64"), then the syscalls in number order
//   ("-S execve,execveat" or "-S all"), then the other fields in rule order; keys as "-F key=k",
//   one per key; uids signed ("-F auid!=-1"), a0..a3 in hex, exit codes as "-EACCES".
// - Syscall numbers are named with the rule's arch, or the machine's when the rule has none.
//   (auditctl 3.0.9 names arch-less rules with the arch of the rule listed before, which can print
//   e.g. remap_file_pages for openat; auditlens uses the machine's arch.)
#pragma once

#include <string>
#include <vector>

#include "rules/encoded_rule.h"

namespace auditlens {

std::string FormatRule(const EncodedRule& rule);
// The syscalls of an exit-list rule by name, in number order (as FormatRule's -S), or {"all"};
// empty for the lists that take no syscalls.
std::vector<std::string> RuleSyscallNames(const EncodedRule& rule);

}  // namespace auditlens
