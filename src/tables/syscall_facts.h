// One syscall table per arch: number → name (libaudit's tables) and what auditlens knows about the
// syscall (src/tables/syscalls.tsv): its ECS category and type, its class, its network operation
// and how each argument is shown. Every stage reads these facts here; the generated data is
// src/tables/syscall_table.h (tools/gen_tables.py, docs/architecture.md "Tables").
//
// Lookups are an array index; nothing is built at run time.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace auditlens {

// How a syscall argument (a0..a3 of SYSCALL) is shown (decode/value_decoder.cc).
enum class ArgKind : uint8_t {
  kHex,            // 0x<raw>
  kDirfd,          // AT_FDCWD or hex
  kModeShort,      // permission bits: 0644, suid,0755
  kModeFull,       // mknod mode: type,perms
  kUid,
  kGid,
  kSignal,
  kOpenFlags,
  kModeIfCreat,    // open/mq_open a2: a mode when a1 has O_CREAT
  kAccess,         // access mode: F_OK, R_OK|W_OK
  kMsgFlags,       // send/recv flags
  kExitCode,       // exit/exit_group status
  kSockFamily,
  kSockType,
  kSockProto,
  kCloneFlags,
  kMmapProt,
  kMprotectProt,
  kMmapFlags,
  kUmountFlags,
  kSeekWhence,
  kRlimit,
  kEpollCtl,
  kClockId,
  kSocketcall,     // socketcall a0: the call's name
  kPtrace,         // ptrace request
  kPrctlOption,    // prctl option
  kPrctlArg,       // prctl a1: a signal or a capability, by option
  kBpfCmd,         // bpf command
  kFcntlCmd,       // fcntl command
  kFcntlArg,       // fcntl a2: an owner uid or FD_CLOEXEC, by command
  kSchedPolicy,    // sched_setscheduler policy
  kMountFlags,     // mount flags
  kPersonality,    // personality persona
  kShmFlags,       // shmget flags: IPC_CREAT|...|0600
  kIoctlReq,       // ioctl request: its name (auparse's table), else 0x<32-bit hex>
  kSockOptLevel,   // getsockopt/setsockopt level: SOL_SOCKET, an IP protocol, SOL_*
  kSockOptName,    // getsockopt/setsockopt option, by level
};

// What a syscall is to the process table, the session tracker and the store's recorder.
enum class SyscallClass : uint8_t {
  kNone,        // no SYSCALL record
  kOther,
  kExec,        // execve, execveat
  kExit,        // exit_group (exit of a single thread is not a process exit)
  kFork,        // fork, vfork, clone
  kConnect,
  kAccept,      // accept, accept4
  kBind,
  kSetId,       // setuid, setresuid, setgid, ... (the privilege rules)
  kSetSession,  // setsid, setpgid: a new session or process group (process.session/group_leader)
  kOpen,        // open, openat, openat2 (a change only with write flags)
  kFileChange,  // creat, unlink, rename, chmod, chown, truncate, mkdir, link, setxattr, utimes...
};

// Which network operation a syscall is, for the network enricher.
enum class NetOp : uint8_t {
  kNone,
  kConnect,  // connect: fd a0, SOCKADDR = the remote end asked for
  kAccept,   // accept, accept4: fd = exit, a0 = the listening socket, SOCKADDR = the peer
  kBind,     // bind: fd a0, SOCKADDR = the local address asked for
  kListen,   // listen: fd a0, no SOCKADDR
  kSend,     // sendto, sendmsg, sendmmsg: fd a0, SOCKADDR = destination (when given)
  kRecv,     // recvfrom, recvmsg, recvmmsg: fd a0, SOCKADDR = sender (when returned)
  kSocketcall,  // i386 socketcall: the operation is in a0 (see tables::SocketcallFacts)
};

namespace tables {

// One row of syscalls.tsv.
struct SyscallFacts {
  std::string_view name;
  std::string_view ecs_category;  // "" when none
  std::string_view ecs_type;
  std::string_view ecs_action;    // "" when the syscall's own name is the action
  SyscallClass cls;
  NetOp net;
  std::array<ArgKind, 4> args;
};

// One syscall number of an arch: its name ("" when the number has none) and its row.
struct SyscallEntry {
  std::string_view name;
  uint8_t facts;
};

// The syscall `number` of libaudit machine `machine` (MACH_X86_64, ... from libaudit.h), or null
// when libaudit has no name for it. Numbers above 4095 have none.
const SyscallEntry* LookupSyscall(int machine, int number);
// The facts of a syscall entry (the "not listed" row when entry is null).
const SyscallFacts& FactsOf(const SyscallEntry* entry);
// The facts of a syscall by name (the "not listed" row for a name not in syscalls.tsv).
const SyscallFacts& FactsOfName(std::string_view name);
// socketcall(2)'s call `call` (SYS_CONNECT = 3, ...): its name and the facts of that name, or null
// when the number has no name.
const SyscallFacts* SocketcallFacts(uint64_t call);

}  // namespace tables
}  // namespace auditlens
