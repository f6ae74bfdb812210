// What the agent trusts, and what it reports about a kernel it cannot change.
//
// Contract:
// - CheckTrustedFile: the agent runs as root and its config and rules decide what it loads into
//   the kernel and where it writes, so they must be changeable by root only. A file is refused
//   when it is writable by others, writable by a group other than root's (gid 0), or owned by
//   someone other than root or the agent's own user; the same holds for every directory above it
//   (except that a sticky directory such as /tmp may be writable by all: nobody can replace a
//   file of someone else in it). The null device is accepted as an empty file.
// - CheckTrustedRulesPath: a rules file, or a rules.d directory and each of its *.rules files.
// - SecretFileWarning: a config file that holds a password (in [store] postgres) must be readable
//   by its owner only (0600 or stricter): one readable by its group or others gives the
//   password to every local user who can read it. The warning (empty when all is well) says
//   which file, its mode and the fix; the agent logs it at start and keeps running (the file is
//   root's; refusing would stop auditing over a mode). JudgeSecretMode is the decision alone.
// - JudgeMode is the decision alone, on stat values (for tests).
// - CheckKernelMode: a kernel already in immutable mode (enabled 2) is reported and left alone —
//   the agent changes nothing (limits, rules, its own self-exclusion) and says what that means; a
//   kernel set to panic on lost records (failure 2) by someone else is reported too. auditlens
//   itself never sets either (see netlink/audit_netlink.h, rules/rule_parser.h).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "netlink/audit_netlink.h"

namespace auditlens {

// nullptr when a file (or directory, is_dir) with these stat values may be trusted by a process
// running as euid; else why not.
const char* JudgeMode(uid_t owner, gid_t group, mode_t mode, uid_t euid, bool is_dir);

// what: "config file", "rules file", ... for the message.
bool CheckTrustedFile(const std::string& path, const std::string& what, std::string* error);
bool CheckTrustedRulesPath(const std::string& path, std::string* error);

// true when a file of this mode holding a password is readable by more than its owner.
bool JudgeSecretMode(mode_t mode, bool holds_password);
// postgres_conninfo: the file's [store] postgres.
std::string SecretFileWarning(const std::string& path, const std::string& postgres_conninfo);

struct KernelModeCheck {
  bool immutable = false;   // enabled == 2: nothing can be changed until reboot
  bool may_change = true;   // the agent may apply limits and rules
  std::vector<std::string> messages;  // what to tell the operator
};
KernelModeCheck CheckKernelMode(const KernelStatus& status);

}  // namespace auditlens
