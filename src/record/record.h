// One audit record, as a view over text owned by the caller (a netlink receive buffer or a line of a
// log file). Nothing is copied: the views are valid as long as that text is.
#pragma once

#include <cstdint>
#include <string_view>

namespace auditlens {

struct Record {
  // AUDIT_* message type (1300 = SYSCALL, 1320 = EOE, ...). 0 for a log line whose type name this
  // build does not know (a newer kernel's or auditd's, e.g. DM_CTRL): type_name says which.
  uint16_t type = 0;
  uint64_t sec = 0;        // audit(SEC.MSEC:SERIAL)
  uint32_t msec = 0;
  uint32_t serial = 0;
  std::string_view node;   // "node=" of a log line; empty for the local kernel
  std::string_view body;   // the fields after "audit(...): ", without auditd's ENRICHED tail
  // The type's name as the log wrote it, only when type is 0; empty otherwise.
  std::string_view type_name;
  // An ENRICHED log line's tail, after the 0x1d byte: the names the writing host gave the
  // record's ids, syscall, arch and address (AUID="alice" UID="alice" ... SYSCALL=openat); empty
  // for RAW lines and netlink records.
  std::string_view enriched;

  uint64_t time_ms() const { return sec * 1000 + msec; }
};

// The kernel's netlink payload: "audit(1795344525.627:3): arch=c000003e ...". The type is the
// netlink message type. Returns nullptr on success, else a static description of what is wrong.
const char* ParseNetlinkRecord(uint16_t type, std::string_view payload, Record* out);

// A line of an auditd log, RAW or ENRICHED, with or without "node=":
//   [node=N ]type=NAME msg=audit(SEC.MSEC:SERIAL): fields[\x1dENRICHED FIELDS]
// Read leniently, as logs of other hosts and versions are written: NAME may be any type name (one
// this build does not know is kept, with type 0 and type_name), UNKNOWN[n] or a number (type=1400
// as the kernel prints records); spaces and tabs may lead the line, and spaces (with tabs after
// them) repeat between its parts;
// "msg=" may be missing before the stamp (the kernel's console form) and so may the ':' after it
// (RHEL 7 auditd's DAEMON_CONFIG lines). A line is refused only when it has no type or no stamp
// that reads. Returns nullptr on success, else a static description of what is wrong.
const char* ParseLogRecord(std::string_view line, Record* out);

}  // namespace auditlens
