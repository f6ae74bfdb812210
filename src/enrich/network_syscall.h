// Which audited syscalls are network operations, and which kind: the network enricher's first
// test on every event, so it must cost next to nothing for the others (a table per machine, built
// once from libaudit's syscall names; the arch of the last event is remembered).
//
// i386 processes that use socketcall(2) are classified by its call number (SYSCALL a0); their
// descriptor is then in the SOCKETCALL record, not in the SYSCALL arguments.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace auditlens {

enum class NetOp : uint8_t {
  kNone,
  kConnect,  // connect: fd a0, SOCKADDR = the remote end asked for
  kAccept,   // accept, accept4: fd = exit, a0 = the listening socket, SOCKADDR = the peer
  kBind,     // bind: fd a0, SOCKADDR = the local address asked for
  kListen,   // listen: fd a0, no SOCKADDR
  kSend,     // sendto, sendmsg, sendmmsg: fd a0, SOCKADDR = destination (when given)
  kRecv,     // recvfrom, recvmsg, recvmmsg: fd a0, SOCKADDR = sender (when returned)
  kSocketcall,  // i386 socketcall: the operation is in a0 (see NetOpOfSocketcall)
};

// By syscall name ("connect", "accept4", "socketcall", ...).
NetOp NetOpOfName(std::string_view name);
// By socketcall(2) call number (SYS_CONNECT = 3, ...).
NetOp NetOpOfSocketcall(uint64_t call);

class NetworkSyscalls {
 public:
  // From the SYSCALL record's raw arch (hex, "c000003e") and syscall (decimal) fields.
  NetOp Classify(std::string_view arch_raw, std::string_view syscall_raw);

 private:
  const std::vector<NetOp>& TableOf(int machine);

  std::string last_arch_raw_;
  int last_machine_ = -1;
  std::vector<std::vector<NetOp>> tables_;  // by libaudit machine; 4096 syscalls each
};

}  // namespace auditlens
