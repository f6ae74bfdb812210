// The live side of the network enricher: given a process and one of its file descriptors (from an
// audited syscall), what its socket is — family, type, protocol, local end, peer — read while the
// socket still exists (the event is handled within milliseconds of the syscall).
//
// Two methods (measured in docs/network.md):
//  - pidfd (default): pidfd_getfd(2) duplicates the process's descriptor into auditlens, which then
//    asks the socket itself (getsockname, getpeername, SO_PROTOCOL, SO_PEERCRED) and closes the
//    duplicate. O(1), the same for every network namespace. It bumps the socket's net_cls classid
//    and net_prio index to the receiver's (the kernel's __receive_sock), so it is used only when
//    neither cgroup-v1 controller is mounted (then every task has the root values and nothing
//    changes). A duplicate whose close would block (SO_LINGER with a timeout, when the process
//    closed its descriptor meanwhile) is closed on a helper thread, never on the pipeline.
//  - sock_diag: /proc/PID/fd/N names the socket inode; a NETLINK_SOCK_DIAG socket opened inside the
//    process's network namespace finds it (unix: exact lookup by inode; TCP/UDP: a dump filtered on
//    the remote end the records give). A TCP dump walks the whole established hash (262144 buckets
//    here: ~0.45 ms), so dumps are rationed and their results cached by inode.
// "auto" takes pidfd when it is allowed and falls back to sock_diag when the kernel refuses it.
//
// Contract: single-threaded (the pipeline thread). Lookup never blocks on anything but the local
// kernel; allocation only when a new network namespace or process is first seen (bounded caches).
// The records name a socket only by its descriptor number: if the process closed it and reused the
// number for another socket before the lookup, the caller must catch that by comparing what the
// records say (remote address, peer) with what is found.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/endpoint.h"

namespace auditlens {

struct SocketInfo {
  int family = 0;    // AF_INET, AF_INET6, AF_UNIX, ...
  int type = 0;      // SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET; 0 unknown
  int protocol = 0;  // IPPROTO_TCP, IPPROTO_UDP, ...; 0 for unix or unknown
  uint64_t inode = 0;  // socket inode, 0 when not read
  Endpoint local;  // kNone when unknown
  Endpoint peer;   // kNone when not connected
  // Unix stream/seqpacket: the peer process (SO_PEERCRED: the process that connected, or that
  // called listen() on the other side). pidfd method only.
  bool has_peer_cred = false;
  int32_t peer_pid = 0;
  uint32_t peer_uid = 0;
  uint32_t peer_gid = 0;
};

enum class LookupStatus : uint8_t {
  kFound,
  kProcessExited,  // the process is gone
  kFdClosed,       // the descriptor is no longer open
  kNotSocket,      // the descriptor now holds something else than a socket
  kRefused,        // the kernel refused the lookup (permissions)
  kBudget,         // sock_diag: the dump ration for this second is spent
  kNotFound,       // sock_diag: the socket was not in the reply (closed meanwhile)
  kUnsupported,    // sock_diag: a protocol it cannot look up
};

// The word written as network.local_end_reason ("socket_closed", ...); empty for kFound.
std::string_view LookupStatusReason(LookupStatus status);

struct LookupRequest {
  int32_t pid = 0;
  int32_t fd = -1;
  // The socket's ends are settled (send/recv/listen events): a cached answer for the same socket
  // inode is good.
  bool may_use_cache = false;
  // What the records say, for sock_diag to filter its dump: the remote end (may be null), and
  // whether the socket has only a local end (bind, listen: sock_diag then searches the listening
  // TCP sockets; one that is bound and not yet listening is invisible to it).
  const Endpoint* remote = nullptr;
  bool listening = false;
};

class SocketLookup {
 public:
  virtual ~SocketLookup() = default;
  virtual LookupStatus Lookup(const LookupRequest& request, SocketInfo* out) = 0;
  // "pidfd" or "sock_diag": the method that answered the last lookup.
  virtual std::string_view method() const = 0;
};

enum class LookupMode : uint8_t { kAuto, kPidfd, kSockDiag };

// Builds the lookup for a mode. *note gets a sentence for the log when auto had to choose
// sock_diag (e.g. "net_cls is mounted: ..."), empty otherwise.
std::unique_ptr<SocketLookup> MakeSocketLookup(LookupMode mode, std::string* note);

// Whether pidfd_getfd may be used without changing observed sockets: false when the net_cls or
// net_prio cgroup-v1 controller is mounted (reads /proc/cgroups text). *why says which.
bool PidfdLookupIsSideEffectFree(std::string_view proc_cgroups, std::string* why);

}  // namespace auditlens
