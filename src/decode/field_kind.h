// How the value of a field is interpreted, by field name (and record type where the name alone is
// ambiguous). The classification follows libauparse's, so `auditlens parse` and auparse agree on
// every value; see docs/schema.md for the list.
#pragma once

#include <cstdint>
#include <string_view>

namespace auditlens {

enum class FieldKind : uint8_t {
  kPlain,       // written as it is
  kUid,         // uid number → user name ("unset" for 4294967295 / -1)
  kGid,         // gid number → group name
  kSyscall,     // number → name for the record's arch
  kArch,        // ELF machine (hex) → name
  kExit,        // negative → errno name with description
  kEscaped,     // "quoted" or hex-encoded string
  kPerm,        // watch permission bits → read,write,exec,attr
  kMode,        // file mode (octal) → type,suid,sgid,sticky,perms
  kSockaddr,    // hex sockaddr → family, address, port or path
  kSuccess,     // res=1/0 → yes/no
  kA0, kA1, kA2, kA3,  // syscall arguments: hex, with names for a few syscalls
  kSignal,      // number → SIGNAME
  kList,        // rule list number → name
  kSession,     // 4294967295 → unset
  kCapBitmap,   // hex capability set → names
  kCapability,  // capability number → name
  kProctitle,   // hex, NUL between arguments → argument list
  kKey,         // rule key(s): escaped; several keys separated by 0x01
  kExecveArg,   // EXECVE aN / aN[i]: escaped
};

FieldKind KindOfField(uint16_t record_type, std::string_view name);

}  // namespace auditlens
