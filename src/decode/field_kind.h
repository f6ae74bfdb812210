// How the value of a field is interpreted, by field name (and record type, and for `acct` the
// value's form, where the name alone is ambiguous). The classification is libauparse's (as of
// audit 3.0.9, checked by tests/differential), so `auditlens parse` and auparse agree on every
// value; docs/schema.md lists the kinds with examples.
#pragma once

#include <cstdint>
#include <string_view>

namespace auditlens {

enum class FieldKind : uint8_t {
  kPlain,        // written as it is (also MAC labels, addr, and names auparse does not classify)
  kUid,          // uid number → user name ("unset" for 4294967295 / -1, "unknown(N)")
  kGid,          // gid number → group name
  kSyscall,      // number → name for the record's arch
  kArch,         // ELF machine (hex) → name
  kExit,         // negative → errno name with description
  kEscaped,      // "quoted" or hex-encoded string (comm, exe, cwd, path, name, acct, ...)
  kPerm,         // watch permission bits → read,write,exec,attr
  kMode,         // file mode (octal) → type,suid,sgid,sticky,perms
  kModeShort,    // permission bits only (octal): 0644, suid,0755 (MQ_OPEN mode)
  kSockaddr,     // hex sockaddr → family, address, port or path (structured)
  kSuccess,      // res=1/0 → yes/no
  kA0, kA1, kA2, kA3,  // syscall arguments: hex, with names for a few syscalls
  kSignal,       // number → SIGNAME
  kList,         // rule list number → name
  kSession,      // 4294967295 → unset
  kCapBitmap,    // hex capability set → names
  kCapability,   // capability number → name
  kProctitle,    // hex, NUL between arguments → argument list (structured)
  kKey,          // rule key(s): escaped; several keys separated by 0x01 (structured)
  kExecveArg,    // EXECVE aN / aN[i]: escaped
  kPromisc,      // 0 → no, anything else → yes
  kNfProto,      // netfilter protocol family number → name
  kIcmpType,     // ICMP type number → name
  kProtocol,     // IP protocol number → name (/etc/protocols)
  kSeccomp,      // seccomp action (hex) → kill, allow, ...
  kOpenFlags,    // open flags (hex) → O_RDONLY|O_CREAT...
  kMmapFlags,    // mmap flags (hex) → MAP_SHARED|...
  kPathFlags,    // PATH flags: 0 → none
  kHook,         // netfilter hook number → name
  kNetAction,    // netfilter verdict → ACCEPT/DROP/REJECT
  kMacProto,     // ethernet type (hex) → IP/ARP/UNKNOWN
  kFanotify,     // fanotify response → allow/deny/unknown
  kNlMcgrp,      // netlink multicast group → name
  kResolve,      // openat2 resolve flags (hex) → RESOLVE_*
  kPersonality,  // personality (hex) → PER_LINUX, PER_LINUX32|~ADDR_NO_RANDOMIZE
  kIoctlReq,     // ioctl request (hex) → 0x<32-bit hex>
  kTtyData,      // TTY keystrokes (hex) → "ls",<ret>
};

// `value` matters only for acct (escaped when quoted or hex, plain otherwise).
FieldKind KindOfField(uint16_t record_type, std::string_view name, std::string_view value = {});

}  // namespace auditlens
