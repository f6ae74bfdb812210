// Audit message type numbers ↔ names ("SYSCALL" ↔ 1300), from libaudit's table, looked up without
// allocation. Unknown types are named "UNKNOWN[1234]" both ways, as auditd writes them.
#pragma once

#include <cstdint>
#include <string_view>

namespace auditlens {

// The name of a record type; "UNKNOWN[n]" text lives in a static table, so the view stays valid.
std::string_view RecordTypeName(uint16_t type);
// 0 when the name is not a known type and not of the form UNKNOWN[n].
uint16_t RecordTypeFromName(std::string_view name);

// Record types the kernel and user space use; the ones the pipeline itself needs to know.
namespace rectype {
constexpr uint16_t kLogin = 1006;
constexpr uint16_t kFirstUserMsg = 1100;
constexpr uint16_t kLastUserMsg = 1199;
constexpr uint16_t kDaemonStart = 1200;
constexpr uint16_t kLastDaemon = 1299;
constexpr uint16_t kSyscall = 1300;
constexpr uint16_t kPath = 1302;
constexpr uint16_t kIpc = 1303;
constexpr uint16_t kSocketcall = 1304;
constexpr uint16_t kConfigChange = 1305;
constexpr uint16_t kSockaddr = 1306;
constexpr uint16_t kCwd = 1307;
constexpr uint16_t kExecve = 1309;
constexpr uint16_t kEoe = 1320;
constexpr uint16_t kProctitle = 1327;
constexpr uint16_t kFirstUserMsg2 = 2100;
constexpr uint16_t kLastUserMsg2 = 2999;
}  // namespace rectype

// User-space messages (AUDIT_USER_* and daemon messages) are sent by programs through netlink and
// the kernel never adds records to them: each is a whole event on its own.
inline bool IsStandaloneType(uint16_t type) {
  return (type >= rectype::kFirstUserMsg && type <= rectype::kLastDaemon) ||
         (type >= rectype::kFirstUserMsg2 && type <= rectype::kLastUserMsg2);
}

}  // namespace auditlens
