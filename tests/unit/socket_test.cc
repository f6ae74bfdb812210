// src/enrich/socket_*: addresses from SOCKADDR records, sock_diag requests and replies (bytes made
// here as the kernel lays them out), the pidfd side-effect check, the cache; and both lookup
// methods on this process's own sockets (no audit needed: the kernel answers about any socket).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "common/endpoint.h"
#include "decode/sockaddr.h"
#include "enrich/socket_cache.h"
#include "enrich/socket_diag.h"
#include "enrich/socket_lookup.h"
#include "enrich/socket_pidfd.h"

namespace auditlens {
namespace {

// A SOCKADDR record's saddr as the enrichers get it: the address DecodeSockAddr kept.
bool FromHex(std::string_view hex, Endpoint* a) {
  SockAddr sa;
  const bool ok = DecodeSockAddr(hex, &sa);
  *a = sa.address;
  return ok;
}

std::string Ip(const Endpoint& a) {
  char buf[Endpoint::kIpTextSize];
  return std::string(buf, a.FormatIp(buf));
}

std::string UnixName(const Endpoint& a) {
  char buf[Endpoint::kUnixTextSize];
  return std::string(buf, a.FormatUnixName(buf));
}

TEST(Endpoint, FromSockaddrRecords) {
  Endpoint a;
  ASSERT_TRUE(FromHex("02001F907F0000010000000000000000", &a));
  EXPECT_TRUE(a.is_ip());
  EXPECT_FALSE(a.ipv6);
  EXPECT_EQ(Ip(a), "127.0.0.1");
  EXPECT_EQ(a.port, 8080);

  ASSERT_TRUE(FromHex("0A00D16F000000000000000000000000000000000000000100000000", &a));
  EXPECT_TRUE(a.ipv6);
  EXPECT_EQ(Ip(a), "::1");
  EXPECT_EQ(a.port, 53615);

  // A dual-stack socket's view of an IPv4 peer: ::ffff:127.0.0.1 is IPv4 on the wire.
  ASSERT_TRUE(FromHex("0A001F9000000000" "00000000000000000000FFFF7F000001" "00000000", &a));
  EXPECT_TRUE(a.is_ip());
  EXPECT_FALSE(a.ipv6);
  EXPECT_EQ(a.family, AF_INET6);
  EXPECT_EQ(Ip(a), "127.0.0.1");
  Endpoint v4;
  ASSERT_TRUE(FromHex("02001F907F0000010000000000000000", &v4));
  EXPECT_TRUE(a.SameIpEndpoint(v4));

  ASSERT_TRUE(FromHex("01002F746D702F7300", &a));
  EXPECT_TRUE(a.is_unix());
  EXPECT_FALSE(a.abstract);
  EXPECT_EQ(UnixName(a), "/tmp/s");

  ASSERT_TRUE(FromHex("01000061756469746C656E73", &a));  // abstract "auditlens"
  EXPECT_TRUE(a.abstract);
  EXPECT_EQ(UnixName(a), "@auditlens");

  ASSERT_TRUE(FromHex("0100", &a));  // the unnamed peer of a unix accept
  EXPECT_TRUE(a.unnamed());

  ASSERT_TRUE(FromHex("02008F297F00", &a));  // too short for inet: family only
  EXPECT_EQ(a.kind, Endpoint::Kind::kOther);
  ASSERT_TRUE(FromHex("100000000000000001000000", &a));  // netlink
  EXPECT_EQ(a.kind, Endpoint::Kind::kOther);
  EXPECT_FALSE(FromHex("0200XY", &a));
  EXPECT_FALSE(FromHex("020", &a));
  EXPECT_TRUE(FromHex("02", &a));  // a family byte alone: no address
  EXPECT_EQ(a.kind, Endpoint::Kind::kNone);
  EXPECT_FALSE(FromHex("020", &a));
  EXPECT_EQ(a.kind, Endpoint::Kind::kNone);  // a refused string leaves nothing behind
  // A bad digit anywhere is refused: in the address, and past the 128 bytes that are decoded.
  EXPECT_FALSE(FromHex("02001F907F00000G0000000000000000", &a));
  std::string long_hex = "02001F907F000001" + std::string(256, '0');
  EXPECT_TRUE(FromHex(long_hex, &a));
  EXPECT_EQ(a.port, 8080);
  long_hex.back() = 'z';
  EXPECT_FALSE(FromHex(long_hex, &a));
}

TEST(Endpoint, FormatsEveryIPv4DigitCount) {
  for (const char* text : {"0.0.0.0", "127.0.0.1", "10.201.0.2", "255.255.255.255", "1.22.100.9",
                           "192.168.170.56"}) {
    Endpoint a;
    uint8_t b[4];
    ASSERT_EQ(inet_pton(AF_INET, text, b), 1);
    EndpointFromIp(AF_INET, b, 1, &a);
    EXPECT_EQ(Ip(a), text);
  }
}

TEST(Endpoint, WildcardAndComparisons) {
  Endpoint any, lo, lo2;
  uint8_t zero[16] = {};
  uint8_t loop[4] = {127, 0, 0, 1};
  EndpointFromIp(AF_INET, zero, 80, &any);
  EndpointFromIp(AF_INET, loop, 80, &lo);
  EndpointFromIp(AF_INET, loop, 81, &lo2);
  EXPECT_TRUE(any.IsWildcardIp());
  EXPECT_FALSE(lo.IsWildcardIp());
  EXPECT_TRUE(lo.SameIp(lo2));
  EXPECT_FALSE(lo.SameIpEndpoint(lo2));
  Endpoint any6;
  EndpointFromIp(AF_INET6, zero, 80, &any6);
  EXPECT_TRUE(any6.IsWildcardIp());
  EXPECT_TRUE(any6.ipv6);
  EXPECT_FALSE(any6.SameIp(any));  // :: is not 0.0.0.0
}

TEST(SocketDiag, SocketLinksAndProtocolNames) {
  uint64_t inode = 0;
  EXPECT_TRUE(ParseSocketLink("socket:[887406]", &inode));
  EXPECT_EQ(inode, 887406u);
  EXPECT_FALSE(ParseSocketLink("pipe:[5]", &inode));
  EXPECT_FALSE(ParseSocketLink("/tmp/socket:[5]", &inode));
  EXPECT_FALSE(ParseSocketLink("socket:[]", &inode));
  EXPECT_FALSE(ParseSocketLink("socket:[12x]", &inode));
  int family = 0, protocol = 0;
  EXPECT_TRUE(ParseSockProtoName("TCPv6", &family, &protocol));
  EXPECT_EQ(family, AF_INET6);
  EXPECT_EQ(protocol, IPPROTO_TCP);
  EXPECT_TRUE(ParseSockProtoName("UDP", &family, &protocol));
  EXPECT_EQ(family, AF_INET);
  EXPECT_EQ(protocol, IPPROTO_UDP);
  EXPECT_TRUE(ParseSockProtoName("UNIX-STREAM", &family, &protocol));
  EXPECT_EQ(family, AF_UNIX);
  EXPECT_FALSE(ParseSockProtoName("NETLINK", &family, &protocol));
}

TEST(SocketDiag, DumpRequestCarriesTheRemoteEndFilter) {
  uint8_t buf[256];
  Endpoint remote;
  ASSERT_TRUE(FromHex("02001F907F0000010000000000000000", &remote));
  size_t len = BuildInetDiagDump(AF_INET, IPPROTO_TCP, 0x0ffe, &remote, 7, buf, sizeof(buf));
  ASSERT_GT(len, 0u);
  auto* nh = reinterpret_cast<nlmsghdr*>(buf);
  EXPECT_EQ(nh->nlmsg_len, len);
  EXPECT_EQ(nh->nlmsg_type, SOCK_DIAG_BY_FAMILY);
  EXPECT_EQ(nh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
  EXPECT_EQ(nh->nlmsg_seq, 7u);
  auto* req = reinterpret_cast<inet_diag_req_v2*>(NLMSG_DATA(nh));
  EXPECT_EQ(req->sdiag_family, AF_INET);
  EXPECT_EQ(req->sdiag_protocol, IPPROTO_TCP);
  EXPECT_EQ(req->idiag_states, 0x0ffeu);
  auto* attr = reinterpret_cast<nlattr*>(buf + NLMSG_ALIGN(NLMSG_LENGTH(sizeof(*req))));
  EXPECT_EQ(attr->nla_type, INET_DIAG_REQ_BYTECODE);
  auto* op = reinterpret_cast<inet_diag_bc_op*>(reinterpret_cast<uint8_t*>(attr) + NLA_HDRLEN);
  // One condition: accept → end of program (yes = its length), reject → past the end (+4).
  EXPECT_EQ(op->code, INET_DIAG_BC_D_COND);
  EXPECT_EQ(op->yes, sizeof(inet_diag_bc_op) + sizeof(inet_diag_hostcond) + 4);
  EXPECT_EQ(op->no, op->yes + 4);
  EXPECT_EQ(attr->nla_len, NLA_HDRLEN + op->yes);
  auto* cond = reinterpret_cast<inet_diag_hostcond*>(op + 1);
  EXPECT_EQ(cond->family, AF_INET);
  EXPECT_EQ(cond->prefix_len, 32);
  EXPECT_EQ(cond->port, 8080);
  EXPECT_EQ(std::memcmp(reinterpret_cast<uint8_t*>(cond) + sizeof(*cond), remote.ip, 4), 0);

  // No remote end: no bytecode.
  EXPECT_EQ(BuildInetDiagDump(AF_INET6, IPPROTO_UDP, ~0u, nullptr, 8, buf, sizeof(buf)),
            NLMSG_LENGTH(sizeof(inet_diag_req_v2)));
  EXPECT_EQ(BuildInetDiagDump(AF_INET, IPPROTO_TCP, 1, &remote, 1, buf, 40), 0u);  // too small
}

// Appends one netlink message (header + payload) as the kernel would.
void Append(std::vector<uint8_t>* buf, uint16_t type, uint32_t seq, const void* payload,
            size_t len) {
  size_t start = buf->size();
  buf->resize(start + NLMSG_SPACE(len));
  auto* nh = reinterpret_cast<nlmsghdr*>(buf->data() + start);
  nh->nlmsg_len = static_cast<uint32_t>(NLMSG_LENGTH(len));
  nh->nlmsg_type = type;
  nh->nlmsg_flags = NLM_F_MULTI;
  nh->nlmsg_seq = seq;
  nh->nlmsg_pid = 0;
  if (len) std::memcpy(NLMSG_DATA(nh), payload, len);
}

inet_diag_msg DiagMsg(int family, const char* src, uint16_t sport, const char* dst,
                      uint16_t dport, uint8_t state, uint32_t inode) {
  inet_diag_msg m{};
  m.idiag_family = static_cast<uint8_t>(family);
  m.idiag_state = state;
  m.id.idiag_sport = htons(sport);
  m.id.idiag_dport = htons(dport);
  inet_pton(family, src, m.id.idiag_src);
  inet_pton(family, dst, m.id.idiag_dst);
  m.idiag_inode = inode;
  return m;
}

void Collect(void* context, const SocketInfo& s) {
  static_cast<std::vector<SocketInfo>*>(context)->push_back(s);
}

TEST(SocketDiag, InetReplyIsParsedAndOtherSequencesSkipped) {
  std::vector<uint8_t> buf;
  inet_diag_msg a = DiagMsg(AF_INET, "127.0.0.1", 50000, "127.0.0.1", 8080, TCP_ESTABLISHED, 101);
  inet_diag_msg stale = DiagMsg(AF_INET, "10.0.0.1", 1, "10.0.0.2", 2, TCP_ESTABLISHED, 999);
  inet_diag_msg b = DiagMsg(AF_INET6, "::ffff:127.0.0.1", 8080, "::ffff:127.0.0.1", 50000,
                            TCP_ESTABLISHED, 102);
  inet_diag_msg l = DiagMsg(AF_INET6, "::", 8080, "::", 0, TCP_LISTEN, 103);
  Append(&buf, SOCK_DIAG_BY_FAMILY, 5, &a, sizeof(a));
  Append(&buf, SOCK_DIAG_BY_FAMILY, 4, &stale, sizeof(stale));  // an earlier request's
  Append(&buf, SOCK_DIAG_BY_FAMILY, 5, &b, sizeof(b));
  Append(&buf, SOCK_DIAG_BY_FAMILY, 5, &l, sizeof(l));
  std::vector<SocketInfo> seen;
  EXPECT_EQ(ParseInetDiagReply(buf.data(), buf.size(), 5, IPPROTO_TCP, &Collect, &seen),
            DiagReply::kMore);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].inode, 101u);
  EXPECT_EQ(Ip(seen[0].local), "127.0.0.1");
  EXPECT_EQ(seen[0].local.port, 50000);
  EXPECT_EQ(seen[0].peer.port, 8080);
  EXPECT_EQ(seen[0].type, SOCK_STREAM);
  // The v4-mapped addresses of a dual-stack socket come out IPv4.
  EXPECT_EQ(seen[1].family, AF_INET6);
  EXPECT_FALSE(seen[1].local.ipv6);
  EXPECT_EQ(Ip(seen[1].peer), "127.0.0.1");
  // A listening socket has no peer.
  EXPECT_EQ(seen[2].peer.kind, Endpoint::Kind::kNone);
  EXPECT_TRUE(seen[2].local.IsWildcardIp());

  std::vector<uint8_t> done;
  int zero = 0;
  Append(&done, NLMSG_DONE, 5, &zero, sizeof(zero));
  EXPECT_EQ(ParseInetDiagReply(done.data(), done.size(), 5, IPPROTO_TCP, &Collect, &seen),
            DiagReply::kDone);
  std::vector<uint8_t> err;
  nlmsgerr e{};
  e.error = -EINVAL;
  Append(&err, NLMSG_ERROR, 5, &e, sizeof(e));
  EXPECT_EQ(ParseInetDiagReply(err.data(), err.size(), 5, IPPROTO_TCP, &Collect, &seen),
            DiagReply::kError);
  // A message cut short is an error, not a socket.
  std::vector<uint8_t> cut;
  Append(&cut, SOCK_DIAG_BY_FAMILY, 5, &a, 8);
  EXPECT_EQ(ParseInetDiagReply(cut.data(), cut.size(), 5, IPPROTO_TCP, &Collect, &seen),
            DiagReply::kError);
}

TEST(SocketDiag, UnixReplyGivesNameTypeAndPeer) {
  uint8_t payload[256] = {};
  unix_diag_msg m{};
  m.udiag_family = AF_UNIX;
  m.udiag_type = SOCK_STREAM;
  m.udiag_ino = 4242;
  std::memcpy(payload, &m, sizeof(m));
  size_t off = NLMSG_ALIGN(sizeof(m));
  const char name[] = "\0kt-abstract";  // abstract: the name starts with its NUL
  nlattr a{static_cast<uint16_t>(NLA_HDRLEN + sizeof(name) - 1), UNIX_DIAG_NAME};
  std::memcpy(payload + off, &a, sizeof(a));
  std::memcpy(payload + off + NLA_HDRLEN, name, sizeof(name) - 1);
  off += NLA_ALIGN(a.nla_len);
  uint32_t peer = 4243;
  nlattr p{static_cast<uint16_t>(NLA_HDRLEN + 4), UNIX_DIAG_PEER};
  std::memcpy(payload + off, &p, sizeof(p));
  std::memcpy(payload + off + NLA_HDRLEN, &peer, 4);
  off += NLA_ALIGN(p.nla_len);
  std::vector<uint8_t> buf;
  Append(&buf, SOCK_DIAG_BY_FAMILY, 9, payload, off);
  SocketInfo info;
  uint64_t peer_inode = 0;
  ASSERT_EQ(ParseUnixDiagReply(buf.data(), buf.size(), 9, &info, &peer_inode), DiagReply::kDone);
  EXPECT_EQ(info.inode, 4242u);
  EXPECT_EQ(info.type, SOCK_STREAM);
  EXPECT_TRUE(info.local.abstract);
  EXPECT_EQ(UnixName(info.local), "@kt-abstract");
  EXPECT_EQ(peer_inode, 4243u);
  // No such socket: the kernel answers NLMSG_ERROR.
  std::vector<uint8_t> err;
  nlmsgerr e{};
  e.error = -ENOENT;
  Append(&err, NLMSG_ERROR, 9, &e, sizeof(e));
  EXPECT_EQ(ParseUnixDiagReply(err.data(), err.size(), 9, &info, &peer_inode), DiagReply::kError);
}

TEST(SocketLookup, PidfdIsUsedOnlyWithoutCgroupV1NetControllers) {
  std::string why;
  const char* v2_only =
      "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpuset\t0\t1\t1\nnet_cls\t0\t1\t1\n"
      "net_prio\t0\t1\t1\n";
  EXPECT_TRUE(PidfdLookupIsSideEffectFree(v2_only, &why));
  const char* net_cls =
      "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t1\t1\t1\nnet_cls\t9\t3\t1\n";
  EXPECT_FALSE(PidfdLookupIsSideEffectFree(net_cls, &why));
  EXPECT_NE(why.find("net_cls"), std::string::npos);
  EXPECT_FALSE(PidfdLookupIsSideEffectFree("net_prio 4 1 1\n", &why));
  EXPECT_NE(why.find("net_prio"), std::string::npos);
  EXPECT_TRUE(PidfdLookupIsSideEffectFree("", &why));
}

TEST(SocketLookup, StatusReasonsAreStableWords) {
  EXPECT_EQ(LookupStatusReason(LookupStatus::kFound), "");
  EXPECT_EQ(LookupStatusReason(LookupStatus::kFdClosed), "socket_closed");
  EXPECT_EQ(LookupStatusReason(LookupStatus::kProcessExited), "process_exited");
  EXPECT_EQ(LookupStatusReason(LookupStatus::kNotSocket), "fd_reused");
  EXPECT_EQ(LookupStatusReason(LookupStatus::kBudget), "lookup_budget");
}

TEST(SocketCache, DirectMappedByInode) {
  SocketCache cache;
  SocketInfo s;
  s.inode = 12345;
  s.protocol = IPPROTO_UDP;
  cache.Insert(s);
  ASSERT_NE(cache.Find(12345), nullptr);
  EXPECT_EQ(cache.Find(12345)->protocol, IPPROTO_UDP);
  EXPECT_EQ(cache.Find(12346), nullptr);
  EXPECT_EQ(cache.Find(0), nullptr);
  SocketInfo none;
  cache.Insert(none);  // inode 0: ignored
  EXPECT_EQ(cache.Find(0), nullptr);
  // A bounded table: many more sockets than slots replace each other, never grow it.
  for (uint64_t i = 1; i <= 10 * SocketCache::kSlots; ++i) {
    s.inode = 1000000 + i;
    cache.Insert(s);
  }
  size_t found = 0;
  for (uint64_t i = 1; i <= 10 * SocketCache::kSlots; ++i) found += cache.Find(1000000 + i) != nullptr;
  EXPECT_LE(found, SocketCache::kSlots);
  EXPECT_GT(found, SocketCache::kSlots / 2);
}

// A connected TCP pair on loopback (v4 or v6) and its listener, closed at the end.
struct TcpPair {
  int listener = -1, client = -1, server = -1;
  explicit TcpPair(int family) {
    listener = socket(family, SOCK_STREAM, 0);
    sockaddr_storage ss{};
    socklen_t len;
    if (family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof(*a);
    } else {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      len = sizeof(*a);
    }
    EXPECT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&ss), len), 0);
    EXPECT_EQ(listen(listener, 4), 0);
    getsockname(listener, reinterpret_cast<sockaddr*>(&ss), &len);
    client = socket(family, SOCK_STREAM, 0);
    EXPECT_EQ(connect(client, reinterpret_cast<sockaddr*>(&ss), len), 0);
    server = accept(listener, nullptr, nullptr);
  }
  ~TcpPair() {
    close(server);
    close(client);
    close(listener);
  }
};

Endpoint NameOf(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (peer) {
    getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  } else {
    getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  }
  Endpoint a;
  EndpointFromSockaddr(&ss, len, &a);
  return a;
}

void ExpectLiveLookups(SocketLookup& lookup, bool peer_creds) {
  for (int family : {AF_INET, AF_INET6}) {
    TcpPair p(family);
    Endpoint client_local = NameOf(p.client, false);
    Endpoint server_local = NameOf(p.server, false);
    LookupRequest req;
    req.pid = getpid();
    req.fd = p.client;
    req.remote = &server_local;
    SocketInfo info;
    ASSERT_EQ(lookup.Lookup(req, &info), LookupStatus::kFound) << lookup.method();
    EXPECT_EQ(info.protocol, IPPROTO_TCP);
    EXPECT_TRUE(info.local.SameIpEndpoint(client_local)) << Ip(info.local) << " " << info.local.port;
    EXPECT_TRUE(info.peer.SameIpEndpoint(server_local));
    req.fd = p.server;
    req.remote = &client_local;
    ASSERT_EQ(lookup.Lookup(req, &info), LookupStatus::kFound);
    EXPECT_TRUE(info.local.SameIpEndpoint(server_local));
    EXPECT_TRUE(info.peer.SameIpEndpoint(client_local));
    req.fd = p.listener;
    req.remote = nullptr;
    req.listening = true;
    ASSERT_EQ(lookup.Lookup(req, &info), LookupStatus::kFound);
    EXPECT_EQ(info.local.port, server_local.port);
    EXPECT_EQ(info.peer.kind, Endpoint::Kind::kNone);
  }
  // UDP, bound: the local end; unconnected: no peer.
  int u = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(u, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  LookupRequest req;
  req.pid = getpid();
  req.fd = u;
  req.may_use_cache = true;
  SocketInfo info;
  ASSERT_EQ(lookup.Lookup(req, &info), LookupStatus::kFound) << lookup.method();
  EXPECT_EQ(info.protocol, IPPROTO_UDP);
  EXPECT_EQ(info.local.port, NameOf(u, false).port);
  EXPECT_EQ(info.peer.kind, Endpoint::Kind::kNone);
  // Asked again: the same answer (from the cache).
  ASSERT_EQ(lookup.Lookup(req, &info), LookupStatus::kFound);
  EXPECT_EQ(info.local.port, NameOf(u, false).port);
  close(u);
  // Closed: said so.
  EXPECT_EQ(lookup.Lookup(req, &info), LookupStatus::kFdClosed);
  // Not a socket.
  int f = open("/dev/null", O_RDONLY);
  req.fd = f;
  EXPECT_EQ(lookup.Lookup(req, &info), LookupStatus::kNotSocket);
  close(f);
  // A unix pair: type, and (pidfd) the peer process, this one.
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  req.fd = sv[0];
  req.may_use_cache = false;
  ASSERT_EQ(lookup.Lookup(req, &info), LookupStatus::kFound) << lookup.method();
  EXPECT_EQ(info.family, AF_UNIX);
  EXPECT_EQ(info.type, SOCK_STREAM);
  EXPECT_TRUE(info.local.unnamed());
  if (peer_creds) {
    EXPECT_TRUE(info.has_peer_cred);
    EXPECT_EQ(info.peer_pid, getpid());
  }
  close(sv[0]);
  close(sv[1]);
  // A process that has exited (and been reaped).
  pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  req.pid = child;
  req.fd = 0;
  EXPECT_EQ(lookup.Lookup(req, &info), LookupStatus::kProcessExited) << lookup.method();
}

TEST(SocketLookup, PidfdOnOwnSockets) {
  SocketCache cache;
  PidfdSocketLookup lookup(&cache);
  ExpectLiveLookups(lookup, true);
}

TEST(SocketLookup, SockDiagOnOwnSockets) {
  SocketCache cache;
  DiagSocketLookup lookup(&cache);
  ExpectLiveLookups(lookup, false);
  EXPECT_GT(lookup.dumps(), 0u);
}

}  // namespace
}  // namespace auditlens
