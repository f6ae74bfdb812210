// The sock_diag method of socket lookup (see socket_lookup.h), used when pidfd_getfd may not be:
//
//   /proc/PID/fd/N ──readlink──▶ "socket:[INODE]"      (closed? reused for a file?)
//   /proc/PID/fd/N ──getxattr system.sockprotoname──▶ "TCP", "UDPv6", "UNIX", ...
//   /proc/PID/ns/net ──▶ a NETLINK_SOCK_DIAG socket opened inside that namespace (one per
//                        namespace, up to 8; made by a short-lived thread that setns()es into it)
//   unix: exact request by inode (UDIAG_SHOW_NAME | UDIAG_SHOW_PEER), and the peer's name by its
//         inode; TCP/UDP: a dump of the family and protocol, filtered in the kernel on the remote
//         end the records give (INET_DIAG_BC_D_COND), or LISTEN sockets only for listen().
//
// The kernel walks its whole hash table for every inet dump, whatever the filter: for TCP
// (non-listening) that is the established hash, 262144 buckets here, ~0.45 ms; UDP and LISTEN
// walks ~20 µs. So TCP dumps are rationed (kTcpDumpsPerSecond) and other inet dumps too
// (kOtherDumpsPerSecond); every socket a dump returns goes into the cache, where later events
// find it. A lookup past the ration answers kBudget.
//
// The request builders and reply parsers are pure functions, tested on their own.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "enrich/socket_cache.h"
#include "enrich/socket_lookup.h"

namespace auditlens {

// The inode of a /proc/PID/fd link's target "socket:[12345]"; false for anything else.
bool ParseSocketLink(std::string_view link, uint64_t* inode);

// The family/protocol/type of a socket from its "system.sockprotoname" xattr ("TCP", "TCPv6",
// "UDP", "UDPv6", "UDPLITE", "SCTPv6", "UNIX", ...). False for names sock_diag cannot look up.
bool ParseSockProtoName(std::string_view name, int* family, int* protocol);

// A SOCK_DIAG_BY_FAMILY dump request for inet sockets of family/protocol in the given TCP states
// (bit per state, as idiag_states), filtered on the remote end when remote is an IP endpoint.
// Returns the request's length in buf (cap ≥ 128), 0 if it does not fit.
size_t BuildInetDiagDump(int family, int protocol, uint32_t states, const Endpoint* remote,
                         uint32_t seq, uint8_t* buf, size_t cap);

// An exact unix_diag request for one socket inode, asking its name and its peer's inode.
size_t BuildUnixDiagRequest(uint64_t inode, uint32_t seq, uint8_t* buf, size_t cap);

enum class DiagReply : uint8_t {
  kMore,   // messages parsed, the dump goes on
  kDone,   // NLMSG_DONE seen
  kError,  // NLMSG_ERROR, or a malformed message
};

// Parses one datagram of an inet_diag reply; each socket is passed to visit(context, socket).
using DiagVisit = void (*)(void* context, const SocketInfo& socket);
// Messages of another sequence number (left from an earlier request) are skipped.
DiagReply ParseInetDiagReply(const uint8_t* buf, size_t len, uint32_t seq, int protocol,
                             DiagVisit visit, void* context);

// Parses the reply to BuildUnixDiagRequest: the socket's type, name (as local) and peer inode.
// kDone when the socket was in the reply, kError otherwise (ENOENT: no such socket).
DiagReply ParseUnixDiagReply(const uint8_t* buf, size_t len, uint32_t seq, SocketInfo* out,
                             uint64_t* peer_inode);

// The inet_diag_msg at p (len bytes) as a SocketInfo; false if too short.
bool InetDiagMessageToInfo(const uint8_t* p, size_t len, int protocol, SocketInfo* out);

class DiagSocketLookup : public SocketLookup {
 public:
  static constexpr int kTcpDumpsPerSecond = 20;
  static constexpr int kOtherDumpsPerSecond = 200;

  explicit DiagSocketLookup(SocketCache* cache);
  ~DiagSocketLookup() override;
  LookupStatus Lookup(const LookupRequest& request, SocketInfo* out) override;
  std::string_view method() const override { return "sock_diag"; }
  uint64_t dumps() const { return dumps_; }

 private:
  struct Netns {
    uint64_t inode = 0;
    int fd = -1;
    uint64_t used = 0;
  };
  int DiagSocketFor(int32_t pid);
  bool Spend(bool tcp_dump);
  LookupStatus LookupUnix(int nl, uint64_t inode, SocketInfo* out);
  LookupStatus LookupInet(int nl, int family, int protocol, const LookupRequest& request,
                          uint64_t inode, SocketInfo* out);
  bool Exchange(int nl, const uint8_t* req, size_t len);

  SocketCache* cache_;
  uint64_t self_netns_ = 0;
  std::array<Netns, 8> netns_{};
  uint64_t clock_ = 0;
  uint64_t budget_second_ = 0;
  int tcp_spent_ = 0;
  int other_spent_ = 0;
  uint64_t dumps_ = 0;
  uint32_t seq_ = 0;
  std::unique_ptr<uint8_t[]> rx_;  // one receive buffer, allocated once
};

}  // namespace auditlens
