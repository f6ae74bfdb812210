#include "enrich/network_syscall.h"

#include <libaudit.h>

#include <charconv>

#include "decode/hex.h"

namespace auditlens {

NetOp NetOpOfName(std::string_view name) {
  static constexpr struct {
    std::string_view name;
    NetOp op;
  } kOps[] = {
      {"connect", NetOp::kConnect},   {"accept", NetOp::kAccept},
      {"accept4", NetOp::kAccept},    {"bind", NetOp::kBind},
      {"listen", NetOp::kListen},     {"sendto", NetOp::kSend},
      {"sendmsg", NetOp::kSend},      {"sendmmsg", NetOp::kSend},
      {"recvfrom", NetOp::kRecv},     {"recvmsg", NetOp::kRecv},
      {"recvmmsg", NetOp::kRecv},     {"socketcall", NetOp::kSocketcall},
  };
  for (const auto& e : kOps) {
    if (e.name == name) return e.op;
  }
  return NetOp::kNone;
}

NetOp NetOpOfSocketcall(uint64_t call) {
  // include/uapi/linux/net.h: SYS_SOCKET 1 ... SYS_SENDMMSG 20.
  switch (call) {
    case 2: return NetOp::kBind;
    case 3: return NetOp::kConnect;
    case 4: return NetOp::kListen;
    case 5: case 18: return NetOp::kAccept;     // accept, accept4
    case 9: case 11: case 16: case 20: return NetOp::kSend;    // send, sendto, sendmsg, sendmmsg
    case 10: case 12: case 17: case 19: return NetOp::kRecv;   // recv, recvfrom, recvmsg, recvmmsg
    default: return NetOp::kNone;
  }
}

const std::vector<NetOp>& NetworkSyscalls::TableOf(int machine) {
  if (static_cast<size_t>(machine) >= tables_.size()) tables_.resize(machine + 1);
  std::vector<NetOp>& table = tables_[machine];
  if (table.empty()) {
    table.assign(4096, NetOp::kNone);
    for (int i = 0; i < 4096; ++i) {
      const char* name = audit_syscall_to_name(i, machine);
      if (name != nullptr) table[i] = NetOpOfName(name);
    }
  }
  return table;
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
  auto [p, ec] = std::from_chars(syscall_raw.data(), syscall_raw.data() + syscall_raw.size(), nr);
  if (ec != std::errc() || p != syscall_raw.data() + syscall_raw.size() || nr >= 4096) {
    return NetOp::kNone;
  }
  return TableOf(last_machine_)[nr];
}

}  // namespace auditlens
