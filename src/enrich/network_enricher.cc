#include "enrich/network_enricher.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "common/clock.h"
#include "common/parse_int.h"
#include "decode/hex.h"
#include "enrich/community_id.h"
#include "record/record_types.h"

namespace auditlens {
namespace {

bool ParseHexFd(std::string_view s, int32_t* fd) {
  uint64_t v = 0;
  if (!ParseHexU64(s, &v) || v > 0x7fffffff) return false;
  *fd = static_cast<int32_t>(v);
  return true;
}

}  // namespace

NetworkEnricher::NetworkEnricher(std::unique_ptr<SocketLookup> lookup, int32_t self_pid,
                                 uint32_t budget_ms_per_second)
    : lookup_(std::move(lookup)),
      self_pid_(self_pid),
      budget_ns_(uint64_t{budget_ms_per_second} * 1000000) {
  // Event times and the agent's clock are both the kernel's coarse clock: one tick (4 ms at
  // HZ=250) of each is invisible.
  timespec res{};
  clock_getres(CLOCK_REALTIME_COARSE, &res);
  tick_ms_ = std::max<uint64_t>(1, (static_cast<uint64_t>(res.tv_nsec) + 999999) / 1000000);
}

bool NetworkEnricher::Recycled(int32_t pid, int32_t fd, uint64_t event_ms, uint64_t now_ms) {
  uint32_t h = static_cast<uint32_t>(pid) * 2654435761u ^ static_cast<uint32_t>(fd) * 40503u;
  FdUse& u = fd_uses_[(h >> 8) & (fd_uses_.size() - 1)];
  bool recycled = false;
  if (u.pid == pid && u.fd == fd && event_ms >= u.time_ms) {
    // The number went to a new connection `period` after the last one; the agent looks `lag`
    // after the syscall: if lag ≥ period, expect it to have gone to another one since. Both are
    // read on the coarse clock, so either may be a tick off.
    uint64_t period = event_ms - u.time_ms;
    uint64_t lag = now_ms > event_ms ? now_ms - event_ms : 0;
    recycled = period <= lag + tick_ms_;
  }
  u = {pid, fd, event_ms};
  return recycled;
}

bool NetworkEnricher::OverBudget() {
  if (budget_ns_ == 0) return false;
  uint64_t second = MonotonicNs() / 1000000000;
  if (second != budget_second_) {
    budget_second_ = second;
    budget_spent_ns_ = 0;
  }
  return budget_spent_ns_ >= budget_ns_;
}

void NetworkEnricher::Reset() {
  op_ = NetOp::kNone;
  success_ = false;
  errno_ = 0;
  record_ = Endpoint();
  // info_ is read only after a lookup of this event (which clears it first).
  local_ = Endpoint();
  remote_ = Endpoint();
  protocol_ = 0;
  sock_type_ = 0;
  unix_ = false;
  local_end_ = LocalEnd::kUnknown;
  reason_ = {};
  community_id_len_ = 0;
}

bool NetworkEnricher::IsFlow() const {
  return op_ == NetOp::kConnect || op_ == NetOp::kAccept || op_ == NetOp::kSend ||
         op_ == NetOp::kRecv;
}

bool NetworkEnricher::Inbound() const { return op_ == NetOp::kAccept || op_ == NetOp::kRecv; }

void NetworkEnricher::Enrich(const ParsedEvent& e, EventFacts* facts) {
  Describe(e);
  if (!active_) return;
  NetworkFacts& n = facts->network;
  n.present = true;
  n.op = op_;
  n.success = success_;
  n.errno_value = errno_;
  n.local = local_;
  n.remote = remote_;
  n.protocol = protocol_;
  n.sock_type = sock_type_;
  n.is_unix = unix_;
  n.local_end = local_end_;
  n.local_end_reason = reason_;
  n.community_id = std::string_view(community_id_, community_id_len_);
  n.peer_known = info_.has_peer_cred && local_end_ == LocalEnd::kSocket;
  n.peer_pid = n.peer_known ? info_.peer_pid : 0;
  n.peer_uid = n.peer_known ? info_.peer_uid : 0;
  n.peer_gid = n.peer_known ? info_.peer_gid : 0;
}

void NetworkEnricher::Describe(const ParsedEvent& e) {
  active_ = false;
  int sys = e.syscall_record();
  if (sys < 0) return;
  NetOp op = syscalls_.Classify(e.Get(sys, "arch"), e.Get(sys, "syscall"));
  if (op == NetOp::kNone) return;

  int32_t fd = -1;
  bool have_fd = false;
  if (op == NetOp::kSocketcall) {
    // i386 socketcall: the call in a0, its arguments (the descriptor first) in SOCKETCALL.
    uint64_t call = 0;
    if (!ParseHexU64(e.Get(sys, "a0"), &call)) return;
    op = NetOpOfSocketcall(call);
    if (op == NetOp::kNone) return;
    int sc = e.Find(rectype::kSocketcall);
    if (sc >= 0) have_fd = ParseHexFd(e.Get(sc, "a0"), &fd);
  } else {
    have_fd = ParseHexFd(e.Get(sys, "a0"), &fd);
  }
  Reset();
  active_ = true;
  op_ = op;
  success_ = e.Get(sys, "success") == "yes";
  int64_t exit = 0;
  bool have_exit = ParseDecimal(e.Get(sys, "exit"), &exit);
  if (have_exit && exit < 0 && exit > -4096) errno_ = static_cast<int>(-exit);
  if (op_ == NetOp::kAccept) {
    // The new connection's descriptor is the return value; a0 is the listening socket.
    have_fd = success_ && have_exit && exit >= 0 && exit <= 0x7fffffff;
    fd = have_fd ? static_cast<int32_t>(exit) : -1;
  }
  int sa = e.Find(rectype::kSockaddr);
  const SockAddr* decoded;
  if (sa >= 0 && e.DecodeSockAddrOnce(e.Get(sa, "saddr"), &decoded)) record_ = decoded->address;
  if (record_.kind == Endpoint::Kind::kOther) {
    // netlink, packet, ... sockets, connect(AF_UNSPEC): not a network flow, nothing to add.
    active_ = false;
    return;
  }
  ++counters_.events;

  // Whether to ask the live socket, and why not.
  std::string_view no_lookup;
  if (!lookup_) {
    no_lookup = "offline";
  } else if (!e.event().node().empty()) {
    no_lookup = "other_host";  // forwarded from another machine: its processes are not ours
  } else if (!have_fd) {
    no_lookup = "syscall_failed";
  } else if (!success_ && (op_ == NetOp::kBind || op_ == NetOp::kListen ||
                           (op_ == NetOp::kConnect && errno_ != EINPROGRESS &&
                            errno_ != EALREADY))) {
    // A failed bind/listen changed nothing; a failed connect holds no local port (the socket may
    // still show the port it had for a moment: that is not an end of any connection).
    no_lookup = "syscall_failed";
  } else {
    int64_t pid = 0;
    ParseDecimal(e.Get(sys, "pid"), &pid);
    uint64_t now = test_now_ms_ != 0 ? test_now_ms_ : WallMsCoarse();
    uint64_t t = e.event().time_ms();
    bool new_connection = op_ == NetOp::kConnect || op_ == NetOp::kAccept;
    if (pid <= 0 || pid == self_pid_) {
      no_lookup = "not_looked_up";
    } else if (now > t && now - t > kMaxLookupAgeMs) {
      no_lookup = "event_too_old";
    } else if (new_connection && Recycled(static_cast<int32_t>(pid), fd, t, now)) {
      no_lookup = "fd_recycled";
      ++counters_.recycled;
    } else if (OverBudget()) {
      no_lookup = "lookup_budget";
      ++counters_.over_budget;
    } else {
      LookupRequest req;
      req.pid = static_cast<int32_t>(pid);
      req.fd = fd;
      req.may_use_cache = op_ == NetOp::kSend || op_ == NetOp::kRecv || op_ == NetOp::kListen;
      req.remote = (op_ == NetOp::kConnect || op_ == NetOp::kAccept) && record_.is_ip()
                       ? &record_ : nullptr;
      req.listening = op_ == NetOp::kListen || op_ == NetOp::kBind;
      ++counters_.lookups;
      uint64_t started = budget_ns_ != 0 ? MonotonicNs() : 0;
      info_ = SocketInfo();
      LookupStatus status = lookup_->Lookup(req, &info_);
      if (budget_ns_ != 0) budget_spent_ns_ += MonotonicNs() - started;
      if (status == LookupStatus::kFound && info_.family != AF_INET && info_.family != AF_INET6 &&
          info_.family != AF_UNIX && record_.kind == Endpoint::Kind::kNone) {
        active_ = false;  // a netlink (or other) socket: not a network flow
        return;
      }
      Decide(true, status);
      return;
    }
  }
  reason_ = no_lookup;
  Decide(false, LookupStatus::kNotFound);
}

bool NetworkEnricher::MatchesRecords() const {
  const bool sock_ip = info_.family == AF_INET || info_.family == AF_INET6;
  const bool sock_unix = info_.family == AF_UNIX;
  if (!sock_ip && !sock_unix) return false;
  if (record_.kind != Endpoint::Kind::kNone) {
    if ((record_.is_ip() && !sock_ip) || (record_.is_unix() && !sock_unix)) return false;
    // An IPv4 socket takes only IPv4 addresses (an IPv6 one may take both).
    if (record_.is_ip() && info_.family == AF_INET && record_.family != AF_INET) return false;
  }
  switch (op_) {
    case NetOp::kConnect:
      // The socket's peer is what was asked for (a socket still connecting has no peer yet).
      if (record_.is_ip() && info_.peer.is_ip()) return info_.peer.SameIpEndpoint(record_);
      if (record_.is_unix() && info_.peer.is_unix() && !info_.peer.unnamed()) {
        return info_.peer.SameUnixName(record_);
      }
      return true;
    case NetOp::kAccept:
      // The peer address the kernel returned is this connection's own: a strong check.
      if (record_.is_ip()) return info_.peer.is_ip() && info_.peer.SameIpEndpoint(record_);
      if (record_.is_unix() && !record_.unnamed() && info_.peer.is_unix()) {
        return info_.peer.SameUnixName(record_);
      }
      return true;
    case NetOp::kBind:
      if (record_.is_ip()) {
        if (!info_.local.is_ip()) return false;
        if (record_.port != 0 && info_.local.port != record_.port) return false;
        if (!record_.IsWildcardIp() && !info_.local.SameIp(record_)) return false;
        return true;
      }
      if (record_.is_unix()) return info_.local.SameUnixName(record_);
      return true;
    default:
      return true;
  }
}

void NetworkEnricher::Decide(bool looked_up, LookupStatus status) {
  const bool flow = IsFlow();
  if (flow) remote_ = record_;
  if (record_.is_unix()) unix_ = true;
  if (looked_up && status == LookupStatus::kFound && !MatchesRecords()) {
    status = LookupStatus::kNotSocket;  // the descriptor now names another socket
  }
  if (looked_up && status == LookupStatus::kFound) {
    protocol_ = info_.protocol;
    sock_type_ = info_.type;
    unix_ = info_.family == AF_UNIX;
    if (flow && remote_.kind == Endpoint::Kind::kNone) remote_ = info_.peer;
    // accept: the kernel's own view of the peer, for an unnamed unix peer too.
    if (op_ == NetOp::kAccept && info_.peer.kind != Endpoint::Kind::kNone) {
      remote_ = info_.peer;
    }
    local_ = info_.local;
    if (unix_) {
      local_end_ = LocalEnd::kSocket;
    } else if (local_.port == 0) {
      // Nothing bound: a failed connect releases its port; an unbound UDP socket has none yet.
      local_end_ = LocalEnd::kUnknown;
      reason_ = success_ || errno_ == EINPROGRESS ? "not_bound" : "syscall_failed";
      local_ = Endpoint();
    } else if (flow && local_.IsWildcardIp()) {
      // An unconnected UDP socket bound to 0.0.0.0/:: : the kernel picks the source address
      // datagram by datagram; only the port is the socket's.
      local_end_ = LocalEnd::kPartial;
      reason_ = "wildcard_address";
    } else {
      local_end_ = LocalEnd::kSocket;
    }
  } else {
    if (looked_up) reason_ = LookupStatusReason(status);
    if (op_ == NetOp::kBind && record_.kind != Endpoint::Kind::kNone) {
      local_ = record_;  // the address asked for: all that is known
      local_end_ = LocalEnd::kRecord;
    } else {
      local_end_ = LocalEnd::kUnknown;
    }
  }
  if (local_end_ == LocalEnd::kSocket) ++counters_.local_found;

  // The Community ID needs the whole 5-tuple.
  Transport t = TransportOf(protocol_);
  if (flow && !t.name.empty() && local_end_ == LocalEnd::kSocket && local_.is_ip() &&
      remote_.is_ip() && local_.ipv6 == remote_.ipv6 && local_.port != 0 && remote_.port != 0 &&
      !remote_.IsWildcardIp()) {
    const Endpoint& src = Inbound() ? remote_ : local_;
    const Endpoint& dst = Inbound() ? local_ : remote_;
    community_id_len_ =
        CommunityIdV1({src, dst, static_cast<uint8_t>(t.wire_protocol)}, community_id_);
    ++counters_.community_ids;
  }
}

std::unique_ptr<NetworkEnricher> MakeAgentNetworkEnricher(std::string_view mode,
                                                          uint32_t budget_ms_per_second,
                                                          std::string* note) {
  note->clear();
  // For side-by-side measurements without editing the config (docs/performance.md).
  if (const char* env = getenv("AUDITLENS_NETWORK")) {
    mode = env;
    *note = "enrich.network overridden by AUDITLENS_NETWORK=" + std::string(mode);
  }
  if (const char* b = getenv("AUDITLENS_NETWORK_BUDGET_MS")) {
    std::string_view v(b);
    uint32_t budget = 0;
    if (ParseDecimal(v, &budget) && budget <= 1000) {
      budget_ms_per_second = budget;
    } else {
      *note = "AUDITLENS_NETWORK_BUDGET_MS=" + std::string(v) + " is not 0..1000: ignored";
    }
  }
  if (mode == "off") {
    *note = "network enrichment off (enrich.network = \"off\")";
    return nullptr;
  }
  if (mode == "records") {
    *note = "network enrichment from the records only (enrich.network = \"records\")";
    return std::make_unique<NetworkEnricher>(nullptr, static_cast<int32_t>(getpid()));
  }
  LookupMode lookup = LookupMode::kAuto;
  if (mode == "pidfd") {
    lookup = LookupMode::kPidfd;
  } else if (mode == "sock_diag") {
    lookup = LookupMode::kSockDiag;
    *note = "sockets looked up with sock_diag (enrich.network = \"sock_diag\")";
  } else if (mode != "auto") {
    *note = "network mode \"" + std::string(mode) +
            "\" is not one of auto, pidfd, sock_diag, records, off: using auto";
  }
  std::string why;
  auto enricher = std::make_unique<NetworkEnricher>(
      MakeSocketLookup(lookup, &why), static_cast<int32_t>(getpid()), budget_ms_per_second);
  if (!why.empty()) *note = why;
  return enricher;
}

}  // namespace auditlens
