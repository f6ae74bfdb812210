#include "enrich/socket_diag.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include "common/clock.h"
#include "common/parse_int.h"

namespace auditlens {
namespace {

constexpr size_t kRxSize = 32768;
// The kernel's TCP_NEW_SYN_RECV state (include/net/tcp_states.h): request sockets, not exported.
constexpr uint32_t kTcpNewSynRecv = 12;

uint64_t NetnsInode(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 ? st.st_ino : 0;
}

int OpenDiagSocket() {
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd >= 0) {
    timeval tv{0, 200000};  // replies are made synchronously; this only guards against a bug
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  return fd;
}

// A sock_diag socket inside the network namespace of nsfd: a thread of its own enters the
// namespace, so the pipeline thread never changes namespace.
int OpenDiagSocketIn(int nsfd) {
  int fd = -1;
  std::thread t([&] {
    if (setns(nsfd, CLONE_NEWNET) == 0) fd = OpenDiagSocket();
  });
  t.join();
  return fd;
}

struct InetVisit {
  SocketCache* cache;
  uint64_t inode;
  SocketInfo* out;
  bool found;
};

void VisitInet(void* context, const SocketInfo& s) {
  auto* v = static_cast<InetVisit*>(context);
  v->cache->Insert(s);
  if (s.inode == v->inode) {
    *v->out = s;
    v->found = true;
  }
}

}  // namespace

bool ParseSocketLink(std::string_view link, uint64_t* inode) {
  constexpr std::string_view kPrefix = "socket:[";
  if (link.size() <= kPrefix.size() + 1 || link.substr(0, kPrefix.size()) != kPrefix ||
      link.back() != ']') {
    return false;
  }
  return ParseU64(link.substr(kPrefix.size(), link.size() - kPrefix.size() - 1), inode);
}

bool ParseSockProtoName(std::string_view name, int* family, int* protocol) {
  static constexpr struct {
    std::string_view name;
    int family;
    int protocol;
  } kNames[] = {
      {"TCP", AF_INET, IPPROTO_TCP},          {"TCPv6", AF_INET6, IPPROTO_TCP},
      {"UDP", AF_INET, IPPROTO_UDP},          {"UDPv6", AF_INET6, IPPROTO_UDP},
      {"UDP-Lite", AF_INET, IPPROTO_UDPLITE}, {"UDPLITEv6", AF_INET6, IPPROTO_UDPLITE},
      {"UNIX", AF_UNIX, 0},                   {"UNIX-STREAM", AF_UNIX, 0},
  };
  for (const auto& e : kNames) {
    if (e.name == name) {
      *family = e.family;
      *protocol = e.protocol;
      return true;
    }
  }
  return false;
}

size_t BuildInetDiagDump(int family, int protocol, uint32_t states, const Endpoint* remote,
                         uint32_t seq, uint8_t* buf, size_t cap) {
  size_t len = NLMSG_LENGTH(sizeof(inet_diag_req_v2));
  bool filter = remote != nullptr && remote->is_ip();
  const size_t addr_len = filter && remote->ipv6 ? 16 : 4;
  const size_t bc_len = sizeof(inet_diag_bc_op) + sizeof(inet_diag_hostcond) + addr_len;
  size_t total = filter ? NLMSG_ALIGN(len) + NLA_HDRLEN + bc_len : len;
  if (total > cap) return 0;
  std::memset(buf, 0, total);
  auto* nh = reinterpret_cast<nlmsghdr*>(buf);
  nh->nlmsg_len = static_cast<uint32_t>(total);
  nh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nh->nlmsg_seq = seq;
  auto* req = reinterpret_cast<inet_diag_req_v2*>(NLMSG_DATA(nh));
  req->sdiag_family = static_cast<uint8_t>(family);
  req->sdiag_protocol = static_cast<uint8_t>(protocol);
  req->idiag_states = states;
  if (filter) {
    // One op: the remote (destination) address and port equal the records' → accept (jump to the
    // end), else reject (jump past it). The kernel also matches an IPv4 condition against
    // v4-mapped addresses of IPv6 sockets.
    uint8_t* p = buf + NLMSG_ALIGN(len);
    auto* attr = reinterpret_cast<nlattr*>(p);
    attr->nla_type = INET_DIAG_REQ_BYTECODE;
    attr->nla_len = static_cast<uint16_t>(NLA_HDRLEN + bc_len);
    auto* op = reinterpret_cast<inet_diag_bc_op*>(p + NLA_HDRLEN);
    op->code = INET_DIAG_BC_D_COND;
    op->yes = static_cast<uint16_t>(bc_len);
    op->no = static_cast<uint16_t>(bc_len + 4);
    auto* cond = reinterpret_cast<inet_diag_hostcond*>(op + 1);
    cond->family = remote->ipv6 ? AF_INET6 : AF_INET;
    cond->prefix_len = static_cast<uint8_t>(addr_len * 8);
    cond->port = remote->port;
    std::memcpy(reinterpret_cast<uint8_t*>(cond) + sizeof(inet_diag_hostcond), remote->ip,
                addr_len);
  }
  return total;
}

size_t BuildUnixDiagRequest(uint64_t inode, uint32_t seq, uint8_t* buf, size_t cap) {
  size_t len = NLMSG_LENGTH(sizeof(unix_diag_req));
  if (len > cap) return 0;
  std::memset(buf, 0, len);
  auto* nh = reinterpret_cast<nlmsghdr*>(buf);
  nh->nlmsg_len = static_cast<uint32_t>(len);
  nh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
  nh->nlmsg_flags = NLM_F_REQUEST;
  nh->nlmsg_seq = seq;
  auto* req = reinterpret_cast<unix_diag_req*>(NLMSG_DATA(nh));
  req->sdiag_family = AF_UNIX;
  req->udiag_states = ~0u;
  req->udiag_ino = static_cast<uint32_t>(inode);
  req->udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER;
  req->udiag_cookie[0] = INET_DIAG_NOCOOKIE;
  req->udiag_cookie[1] = INET_DIAG_NOCOOKIE;
  return len;
}

bool InetDiagMessageToInfo(const uint8_t* p, size_t len, int protocol, SocketInfo* out) {
  if (len < sizeof(inet_diag_msg)) return false;
  inet_diag_msg m;
  std::memcpy(&m, p, sizeof(m));
  *out = SocketInfo();
  out->family = m.idiag_family;
  out->protocol = protocol;
  out->type = protocol == IPPROTO_UDP || protocol == IPPROTO_UDPLITE ? SOCK_DGRAM : SOCK_STREAM;
  out->inode = m.idiag_inode;
  EndpointFromIp(m.idiag_family, m.id.idiag_src, ntohs(m.id.idiag_sport), &out->local);
  if (m.id.idiag_dport != 0 && m.idiag_state != TCP_LISTEN) {
    EndpointFromIp(m.idiag_family, m.id.idiag_dst, ntohs(m.id.idiag_dport), &out->peer);
  }
  return true;
}

DiagReply ParseInetDiagReply(const uint8_t* buf, size_t len, uint32_t seq, int protocol,
                             DiagVisit visit, void* context) {
  int remaining = static_cast<int>(len);
  for (auto* h = reinterpret_cast<const nlmsghdr*>(buf); NLMSG_OK(h, remaining);
       h = NLMSG_NEXT(h, remaining)) {
    if (h->nlmsg_seq != seq) continue;
    if (h->nlmsg_type == NLMSG_DONE) return DiagReply::kDone;
    if (h->nlmsg_type == NLMSG_ERROR) return DiagReply::kError;
    if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
    SocketInfo s;
    if (!InetDiagMessageToInfo(static_cast<const uint8_t*>(NLMSG_DATA(h)),
                               h->nlmsg_len - NLMSG_HDRLEN, protocol, &s)) {
      return DiagReply::kError;
    }
    visit(context, s);
  }
  return remaining == 0 ? DiagReply::kMore : DiagReply::kError;
}

DiagReply ParseUnixDiagReply(const uint8_t* buf, size_t len, uint32_t seq, SocketInfo* out,
                             uint64_t* peer_inode) {
  int remaining = static_cast<int>(len);
  *peer_inode = 0;
  for (auto* h = reinterpret_cast<const nlmsghdr*>(buf); NLMSG_OK(h, remaining);
       h = NLMSG_NEXT(h, remaining)) {
    if (h->nlmsg_seq != seq) continue;
    if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY) return DiagReply::kError;
    size_t plen = h->nlmsg_len - NLMSG_HDRLEN;
    const auto* p = static_cast<const uint8_t*>(NLMSG_DATA(h));
    if (plen < sizeof(unix_diag_msg)) return DiagReply::kError;
    unix_diag_msg m;
    std::memcpy(&m, p, sizeof(m));
    *out = SocketInfo();
    out->family = AF_UNIX;
    out->type = m.udiag_type;
    out->inode = m.udiag_ino;
    out->local.kind = Endpoint::Kind::kUnix;
    out->local.family = AF_UNIX;
    size_t off = NLMSG_ALIGN(sizeof(unix_diag_msg));
    while (off + NLA_HDRLEN <= plen) {
      nlattr a;
      std::memcpy(&a, p + off, sizeof(a));
      if (a.nla_len < NLA_HDRLEN || off + a.nla_len > plen) return DiagReply::kError;
      const uint8_t* data = p + off + NLA_HDRLEN;
      size_t dlen = a.nla_len - NLA_HDRLEN;
      if (a.nla_type == UNIX_DIAG_NAME) {
        // The name's bytes as in sun_path (an abstract name starts with its NUL).
        uint8_t sa[sizeof(sockaddr_un)] = {};
        sa_family_t fam = AF_UNIX;
        std::memcpy(sa, &fam, sizeof(fam));
        size_t n = std::min(dlen, sizeof(sa) - offsetof(sockaddr_un, sun_path));
        std::memcpy(sa + offsetof(sockaddr_un, sun_path), data, n);
        EndpointFromSockaddr(sa, offsetof(sockaddr_un, sun_path) + n, &out->local);
      } else if (a.nla_type == UNIX_DIAG_PEER && dlen >= 4) {
        uint32_t peer;
        std::memcpy(&peer, data, 4);
        *peer_inode = peer;
      }
      off += NLA_ALIGN(a.nla_len);
    }
    return DiagReply::kDone;
  }
  return DiagReply::kError;
}

DiagSocketLookup::DiagSocketLookup(SocketCache* cache)
    : cache_(cache), self_netns_(NetnsInode("/proc/self/ns/net")), rx_(new uint8_t[kRxSize]) {}

DiagSocketLookup::~DiagSocketLookup() {
  for (Netns& n : netns_) {
    if (n.fd >= 0) close(n.fd);
  }
}

int DiagSocketLookup::DiagSocketFor(int32_t pid) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
  uint64_t ino = NetnsInode(path);
  if (ino == 0) return -1;
  ++clock_;
  size_t victim = 0;
  for (size_t i = 0; i < netns_.size(); ++i) {
    if (netns_[i].inode == ino && netns_[i].fd >= 0) {
      netns_[i].used = clock_;
      return netns_[i].fd;
    }
    if (netns_[i].used < netns_[victim].used) victim = i;
  }
  int fd = -1;
  if (ino == self_netns_) {
    fd = OpenDiagSocket();
  } else {
    int nsfd = open(path, O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) return -1;
    fd = OpenDiagSocketIn(nsfd);
    close(nsfd);
  }
  if (fd < 0) return -1;
  Netns& n = netns_[victim];
  if (n.fd >= 0) close(n.fd);
  n = {ino, fd, clock_};
  return fd;
}

bool DiagSocketLookup::Spend(bool tcp_dump) {
  uint64_t now = MonotonicSecondsCoarse();
  if (now != budget_second_) {
    budget_second_ = now;
    tcp_spent_ = other_spent_ = 0;
  }
  int& spent = tcp_dump ? tcp_spent_ : other_spent_;
  if (spent >= (tcp_dump ? kTcpDumpsPerSecond : kOtherDumpsPerSecond)) return false;
  ++spent;
  return true;
}

bool DiagSocketLookup::Exchange(int nl, const uint8_t* req, size_t len) {
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  return sendto(nl, req, len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) ==
         static_cast<ssize_t>(len);
}

LookupStatus DiagSocketLookup::Lookup(const LookupRequest& request, SocketInfo* out) {
  *out = SocketInfo();
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/fd/%d", request.pid, request.fd);
  char link[64];
  ssize_t n = readlink(path, link, sizeof(link));
  if (n < 0) {
    if (errno != ENOENT) return LookupStatus::kRefused;
    return kill(request.pid, 0) < 0 && errno == ESRCH ? LookupStatus::kProcessExited
                                                      : LookupStatus::kFdClosed;
  }
  uint64_t inode = 0;
  if (!ParseSocketLink(std::string_view(link, static_cast<size_t>(n)), &inode)) {
    return LookupStatus::kNotSocket;
  }
  if (const SocketInfo* hit = cache_->Find(inode)) {
    // A dump taken after this socket connected also answers its connect/accept event.
    if (request.may_use_cache || hit->peer.kind != Endpoint::Kind::kNone ||
        (request.listening && hit->local.is_ip())) {
      *out = *hit;
      return LookupStatus::kFound;
    }
  }
  char proto[32];
  ssize_t plen = getxattr(path, "system.sockprotoname", proto, sizeof(proto) - 1);
  int family = 0;
  int protocol = 0;
  if (plen <= 0) return LookupStatus::kUnsupported;
  std::string_view pname(proto, static_cast<size_t>(plen));
  while (!pname.empty() && pname.back() == '\0') pname.remove_suffix(1);
  if (!ParseSockProtoName(pname, &family, &protocol)) return LookupStatus::kUnsupported;
  int nl = DiagSocketFor(request.pid);
  if (nl < 0) return LookupStatus::kRefused;
  if (family == AF_UNIX) return LookupUnix(nl, inode, out);
  return LookupInet(nl, family, protocol, request, inode, out);
}

LookupStatus DiagSocketLookup::LookupUnix(int nl, uint64_t inode, SocketInfo* out) {
  uint8_t req[128];
  uint64_t peer_inode = 0;
  uint32_t seq = ++seq_;
  size_t len = BuildUnixDiagRequest(inode, seq, req, sizeof(req));
  if (!Exchange(nl, req, len)) return LookupStatus::kRefused;
  ssize_t got = recv(nl, rx_.get(), kRxSize, 0);
  if (got <= 0 || ParseUnixDiagReply(rx_.get(), static_cast<size_t>(got), seq, out,
                                     &peer_inode) != DiagReply::kDone) {
    return LookupStatus::kNotFound;
  }
  if (peer_inode != 0) {
    SocketInfo peer;
    uint64_t ignored = 0;
    seq = ++seq_;
    len = BuildUnixDiagRequest(peer_inode, seq, req, sizeof(req));
    if (Exchange(nl, req, len)) {
      got = recv(nl, rx_.get(), kRxSize, 0);
      if (got > 0 && ParseUnixDiagReply(rx_.get(), static_cast<size_t>(got), seq, &peer,
                                        &ignored) == DiagReply::kDone) {
        out->peer = peer.local;
      }
    }
  }
  cache_->Insert(*out);
  return LookupStatus::kFound;
}

LookupStatus DiagSocketLookup::LookupInet(int nl, int family, int protocol,
                                          const LookupRequest& request, uint64_t inode,
                                          SocketInfo* out) {
  bool udp = protocol == IPPROTO_UDP || protocol == IPPROTO_UDPLITE;
  uint32_t states;
  if (udp) {
    states = ~0u;  // UDP "states": TCP_ESTABLISHED when connected, TCP_CLOSE otherwise
  } else if (request.listening) {
    states = 1u << TCP_LISTEN;
  } else {
    // Sockets in TIME_WAIT or NEW_SYN_RECV have no inode: leave them out.
    states = ~((1u << TCP_LISTEN) | (1u << TCP_TIME_WAIT) | (1u << kTcpNewSynRecv));
  }
  if (!Spend(!udp && !request.listening)) return LookupStatus::kBudget;
  uint8_t req[256];
  uint32_t seq = ++seq_;
  // An unconnected UDP socket has no remote end: filter only connection-oriented sockets.
  const Endpoint* remote = udp || request.listening ? nullptr : request.remote;
  size_t len = BuildInetDiagDump(family, protocol, states, remote, seq, req, sizeof(req));
  if (len == 0 || !Exchange(nl, req, len)) return LookupStatus::kRefused;
  ++dumps_;
  InetVisit visit{cache_, inode, out, false};
  for (;;) {
    ssize_t got = recv(nl, rx_.get(), kRxSize, 0);
    if (got <= 0) break;
    DiagReply r = ParseInetDiagReply(rx_.get(), static_cast<size_t>(got), seq, protocol,
                                     &VisitInet, &visit);
    if (r != DiagReply::kMore) break;
  }
  return visit.found ? LookupStatus::kFound : LookupStatus::kNotFound;
}

}  // namespace auditlens
