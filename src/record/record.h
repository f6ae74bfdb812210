// One audit record, as a view over text owned by the caller (a netlink receive buffer or a line of a
// log file). Nothing is copied: the views are valid as long as that text is.
#pragma once

#include <cstdint>
#include <string_view>

namespace auditlens {

struct Record {
  uint16_t type = 0;       // AUDIT_* message type (1300 = SYSCALL, 1320 = EOE, ...)
  uint64_t sec = 0;        // audit(SEC.MSEC:SERIAL)
  uint32_t msec = 0;
  uint32_t serial = 0;
  std::string_view node;   // "node=" of a log line; empty for the local kernel
  std::string_view body;   // the fields after "audit(...): ", without auditd's ENRICHED tail

  uint64_t time_ms() const { return sec * 1000 + msec; }
};

// The kernel's netlink payload: "audit(1795344525.627:3): arch=c000003e ...". The type is the
// netlink message type. Returns nullptr on success, else a static description of what is wrong.
const char* ParseNetlinkRecord(uint16_t type, std::string_view payload, Record* out);

// A line of an auditd log, RAW or ENRICHED, with or without "node=":
//   [node=N ]type=NAME msg=audit(SEC.MSEC:SERIAL): fields[\x1dENRICHED FIELDS]
// Returns nullptr on success, else a static description of what is wrong.
const char* ParseLogRecord(std::string_view line, Record* out);

}  // namespace auditlens
