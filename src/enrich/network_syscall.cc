#include "enrich/network_syscall.h"

#include <libaudit.h>


#include "common/parse_int.h"
#include "decode/hex.h"

namespace auditlens {

NetOp NetOpOfSocketcall(uint64_t call) {
  const tables::SyscallFacts* facts = tables::SocketcallFacts(call);
  return facts ? facts->net : NetOp::kNone;
}

NetOp NetworkSyscalls::Classify(std::string_view arch_raw, std::string_view syscall_raw) {
  if (arch_raw != last_arch_raw_) {
    uint64_t elf = 0;
    last_machine_ = ParseHexU64(arch_raw, &elf) ? audit_elf_to_machine(static_cast<unsigned>(elf))
                                                : -1;
    last_arch_raw_.assign(arch_raw.data(), arch_raw.size());
  }
  if (last_machine_ < 0) return NetOp::kNone;
  unsigned nr = 0;
  if (!ParseDecimal(syscall_raw, &nr) || nr >= 4096) {
    return NetOp::kNone;
  }
  return tables::FactsOf(tables::LookupSyscall(last_machine_, static_cast<int>(nr))).net;
}

}  // namespace auditlens
