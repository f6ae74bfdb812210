// The rules auditlens loads when [rules] path is empty: a narrow starting set for a security team.
//
// Contract: parses without errors or warnings (tests/unit/rules_test.cc checks it); never contains
// -D (other tools' rules stay), -e 2 or -f 2. Watches are on paths whose parent directory exists on
// any Debian-like host, so they load even where sudo or sshd is not installed (a watch on a missing
// path whose parent exists is accepted by the kernel and fires when the path is created). This
// text is also shipped as rules.d/10-default.rules beside the optional hardening set
// (rules/CMakeLists.txt extracts it, so keep the R"RULES( ... )RULES" delimiters).
#pragma once

namespace auditlens {

inline constexpr char kDefaultRules[] = R"RULES(
## auditlens default rules (auditctl syntax). Keys name the question each rule answers.
## The agent adds "-a never,exit -F pid=<its pid>" in front of these so it never audits itself.
## Login and authentication events (PAM USER_* records, LOGIN) need no rule: they are always sent.

## Program execution: every execve, 64-bit and 32-bit (the syscall numbers differ per arch).
-a always,exit -F arch=b64 -S execve,execveat -k exec
-a always,exit -F arch=b32 -S execve,execveat -k exec

## Process tree of login sessions (docs/sessions.md): a session process's exit and status, and its
## forks (a forked helper that never execs, such as sudo's monitor or a subshell, is otherwise a
## gap in the tree). Only processes with a login uid (auid set): daemons cost nothing. A thread is a
## clone with CLONE_THREAD (0x10000): the never rule keeps threads out (clone3 cannot be filtered by
## its flags and is not audited; glibc's fork() uses clone).
-a never,exit -F arch=b64 -S clone -F a0&0x10000 -k fork
-a always,exit -F arch=b64 -S clone,fork,vfork -F auid!=unset -k fork
-a always,exit -F arch=b64 -S exit_group -F auid!=unset -k exit
-a never,exit -F arch=b32 -S clone -F a0&0x10000 -k fork
-a always,exit -F arch=b32 -S clone,fork,vfork -F auid!=unset -k fork
-a always,exit -F arch=b32 -S exit_group -F auid!=unset -k exit

## Sessions and process groups (process.session_leader and group_leader): a process starting a
## session of its own (a daemon, a login's shell, a terminal) or a shell putting a job into a process
## group. Rare: a few per login and per daemon start, two per command of an interactive shell.
-a always,exit -F arch=b64 -S setsid,setpgid -F success=1 -k process_group
-a always,exit -F arch=b32 -S setsid,setpgid -F success=1 -k process_group
## Network: outgoing connections, accepted connections, sockets being bound, over IPv4 and IPv6.
## saddr_fam is the family of the address the call carries (2 inet, 10 inet6; one rule each, as a
## rule field compares one value): local (AF_UNIX) connects and netlink binds, most of a host's
## socket calls, are left out. For accept it is the peer's address, which the kernel records only
## when the program asks for it: the a1=0 rule adds the accepts that pass no address buffer
## (libuv, systemd), of any family, as the kernel knows none there. A failed accept (EAGAIN) is
## not audited; a failed connect is. Kernels before 5.3 refuse saddr_fam: the agent then loads
## these rules without it, for every family, and says so. 32-bit x86 has no plain accept (it goes
## through accept4 or socketcall).
-a always,exit -F arch=b64 -S connect,accept,accept4,bind -F saddr_fam=2 -k network
-a always,exit -F arch=b64 -S connect,accept,accept4,bind -F saddr_fam=10 -k network
-a always,exit -F arch=b64 -S accept,accept4 -F a1=0 -F success=1 -k network
-a always,exit -F arch=b32 -S connect,accept4,bind -F saddr_fam=2 -k network
-a always,exit -F arch=b32 -S connect,accept4,bind -F saddr_fam=10 -k network
-a always,exit -F arch=b32 -S accept4 -F a1=0 -F success=1 -k network

## Privilege changes: a process switching its user or group ids.
-a always,exit -F arch=b64 -S setuid,setgid,setreuid,setregid,setresuid,setresgid,setfsuid,setfsgid -k privilege
-a always,exit -F arch=b32 -S setuid,setgid,setreuid,setregid,setresuid,setresgid,setfsuid,setfsgid -k privilege
-a always,exit -F arch=b32 -S setuid32,setgid32,setreuid32,setregid32,setresuid32,setresgid32,setfsuid32,setfsgid32 -k privilege

## Logins: last-login and failed-login bookkeeping being written.
-w /var/log/lastlog -p wa -k logins
-w /var/run/faillock -p wa -k logins

## Identity: accounts, groups and their passwords.
-w /etc/passwd -p wa -k identity
-w /etc/shadow -p wa -k identity
-w /etc/group -p wa -k identity
-w /etc/gshadow -p wa -k identity
-w /etc/security/opasswd -p wa -k identity

## Who may become root.
-w /etc/sudoers -p wa -k sudoers
-w /etc/sudoers.d -p wa -k sudoers

## SSH: server configuration and host keys, and root's authorized keys.
-w /etc/ssh -p wa -k sshkeys
-w /root/.ssh -p wa -k sshkeys

## The audit configuration itself (auditd's and ours).
-w /etc/audit -p wa -k audit_config
-w /etc/auditlens -p wa -k audit_config
)RULES";

}  // namespace auditlens
