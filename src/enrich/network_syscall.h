// Which audited syscalls are network operations, and which kind: the network enricher's first
// test on every event, so it must cost next to nothing for the others (the net column of the
// generated syscall table, tables/syscall_facts.h; the arch of the last event is remembered).
//
// i386 processes that use socketcall(2) are classified by its call number (SYSCALL a0); their
// descriptor is then in the SOCKETCALL record, not in the SYSCALL arguments.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tables/syscall_facts.h"

namespace auditlens {

// NetOp: tables/syscall_facts.h (the net column of src/tables/syscalls.tsv).

// By socketcall(2) call number (SYS_CONNECT = 3, ...): the net column of the call's name.
NetOp NetOpOfSocketcall(uint64_t call);

class NetworkSyscalls {
 public:
  // From the SYSCALL record's raw arch (hex, "c000003e") and syscall (decimal) fields.
  NetOp Classify(std::string_view arch_raw, std::string_view syscall_raw);

 private:
  std::string last_arch_raw_;
  int last_machine_ = -1;
};

}  // namespace auditlens
