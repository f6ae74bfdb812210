// Audit message type numbers ↔ names ("SYSCALL" ↔ AUDIT_SYSCALL), from libaudit's table
// (audit_msg_type_to_name, the one source of the names), looked up without allocation. Unknown
// types are named "UNKNOWN[1234]" both ways, as auditd writes them, and kept like any other. A log's
// type name that libaudit does not know has no number here: its record keeps the name instead
// (Record::type_name, type 0).
#pragma once

#include <libaudit.h>

#include <cstdint>
#include <string_view>

namespace auditlens {

// The name of a record type; "UNKNOWN[n]" text lives in a static table, so the view stays valid.
std::string_view RecordTypeName(uint16_t type);
// Whether libaudit has a name for the type (RecordTypeName is not "UNKNOWN[n]").
bool IsKnownRecordType(uint16_t type);
// 0 when the name is not a known type and not of the form UNKNOWN[n].
uint16_t RecordTypeFromName(std::string_view name);

// Record types the pipeline itself needs to know: names for the kernel's and libaudit's AUDIT_*
// constants (<linux/audit.h>, <libaudit.h>), never numbers of their own.
namespace rectype {
constexpr uint16_t kLogin = AUDIT_LOGIN;
constexpr uint16_t kFirstUserMsg = AUDIT_FIRST_USER_MSG;
constexpr uint16_t kLastUserMsg = AUDIT_LAST_USER_MSG;
constexpr uint16_t kDaemonStart = AUDIT_DAEMON_START;
constexpr uint16_t kLastDaemon = AUDIT_LAST_DAEMON;
constexpr uint16_t kSyscall = AUDIT_SYSCALL;
constexpr uint16_t kPath = AUDIT_PATH;
constexpr uint16_t kIpc = AUDIT_IPC;
constexpr uint16_t kSocketcall = AUDIT_SOCKETCALL;
constexpr uint16_t kConfigChange = AUDIT_CONFIG_CHANGE;
constexpr uint16_t kSockaddr = AUDIT_SOCKADDR;
constexpr uint16_t kCwd = AUDIT_CWD;
constexpr uint16_t kExecve = AUDIT_EXECVE;
constexpr uint16_t kEoe = AUDIT_EOE;
constexpr uint16_t kProctitle = AUDIT_PROCTITLE;
constexpr uint16_t kFirstUserMsg2 = AUDIT_FIRST_USER_MSG2;
constexpr uint16_t kLastUserMsg2 = AUDIT_LAST_USER_MSG2;
}  // namespace rectype

// User-space messages (AUDIT_USER_* and daemon messages) are sent by programs through netlink and
// the kernel never adds records to them: each is a whole event on its own.
inline bool IsStandaloneType(uint16_t type) {
  return (type >= rectype::kFirstUserMsg && type <= rectype::kLastDaemon) ||
         (type >= rectype::kFirstUserMsg2 && type <= rectype::kLastUserMsg2);
}

}  // namespace auditlens
