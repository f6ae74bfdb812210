// src/enrich/network_enricher and network_syscall: what a network event says, from its records and
// a socket lookup (a fake here, answering as told): which end is source, the Community ID equal
// on both sides of a flow, the explicit unknown local end, descriptor reuse caught, failures,
// unix sockets, nothing at all for other events.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "event_from_lines.h"
#include <netinet/in.h>
#include <time.h>

#include <cstring>
#include <string>
#include <vector>

#include "assemble/event.h"
#include "decode/parsed_event.h"
#include "decode/sockaddr.h"
#include "enrich/community_id.h"
#include "enrich/network_enricher.h"
#include "enrich/network_syscall.h"
#include "output/event_json.h"
#include "record/record.h"

namespace auditlens {
namespace {

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE((haystack).find(needle), std::string::npos) << "missing " << (needle) << " in " << (haystack)
#define EXPECT_LACKS(haystack, needle) \
  EXPECT_EQ((haystack).find(needle), std::string::npos) << "unexpected " << (needle) << " in " << (haystack)

class FakeLookup : public SocketLookup {
 public:
  LookupStatus Lookup(const LookupRequest& request, SocketInfo* out) override {
    ++calls;
    last = request;
    *out = answer;
    return status;
  }
  std::string_view method() const override { return "fake"; }

  LookupStatus status = LookupStatus::kFound;
  SocketInfo answer;
  LookupRequest last;
  int calls = 0;
};

Endpoint Ip4(const char* ip, uint16_t port) {
  Endpoint a;
  uint8_t b[4];
  inet_pton(AF_INET, ip, b);
  EndpointFromIp(AF_INET, b, port, &a);
  return a;
}

Endpoint Ip6(const char* ip, uint16_t port) {
  Endpoint a;
  uint8_t b[16];
  inet_pton(AF_INET6, ip, b);
  EndpointFromIp(AF_INET6, b, port, &a);
  return a;
}

SocketInfo Tcp(int family, Endpoint local, Endpoint peer) {
  SocketInfo s;
  s.family = family;
  s.type = SOCK_STREAM;
  s.protocol = IPPROTO_TCP;
  s.local = local;
  s.peer = peer;
  return s;
}

constexpr uint64_t kEventMs = 1795345185900;

std::string Syscall(int nr, const std::string& a0, const std::string& exit, bool success,
                    const std::string& arch = "c000003e") {
  return "type=SYSCALL msg=audit(1795345185.900:78): arch=" + arch + " syscall=" +
         std::to_string(nr) + " success=" + (success ? "yes" : "no") + " exit=" + exit +
         " a0=" + a0 + " a1=7ffd a2=10 a3=0 items=0 ppid=1 pid=4321 auid=0 uid=0 gid=0 euid=0 "
         "suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"x\" exe=\"/x\" key=\"net\"";
}

std::string Sockaddr(const std::string& hex) {
  return "type=SOCKADDR msg=audit(1795345185.900:78): saddr=" + hex;
}

std::string Format(NetworkEnricher& enricher, const std::vector<std::string>& lines) {
  Event event = EventOf(lines);
  ParsedEvent parsed;
  parsed.Parse(event);
  EventFacts facts;
  facts.Reset(parsed);
  enricher.Enrich(parsed, &facts);
  EventJsonFormatter formatter("testhost");
  std::string out;
  formatter.Format(parsed, facts, &out);
  return out;
}

// A fake lookup owned by the enricher, still reachable by the test.
struct Rig {
  FakeLookup* fake;
  NetworkEnricher enricher;
  Rig() : fake(new FakeLookup), enricher(std::unique_ptr<SocketLookup>(fake)) {
    enricher.set_clock_for_test(kEventMs + 3);
  }
};

std::string CommunityId(const Endpoint& src, const Endpoint& dst, int proto) {
  char buf[kCommunityIdBufferSize];
  return std::string(buf, CommunityIdV1({src, dst, static_cast<uint8_t>(proto)}, buf));
}

// connect to 127.0.0.1:8080 (fd 3) and the server's accept4 of it (new fd 5, peer :50944).
const char* kTo8080 = "02001F907F0000010000000000000000";
const char* kFrom50944 = "0200C7007F0000010000000000000000";

TEST(NetworkEnricher, ConnectAndAcceptOfOneFlowCarryTheSameTupleAndCommunityId) {
  Rig client;
  client.fake->answer = Tcp(AF_INET, Ip4("127.0.0.1", 50944), Ip4("127.0.0.1", 8080));
  std::string c = Format(client.enricher, {Syscall(42, "3", "0", true), Sockaddr(kTo8080)});
  EXPECT_EQ(client.fake->calls, 1);
  EXPECT_EQ(client.fake->last.pid, 4321);
  EXPECT_EQ(client.fake->last.fd, 3);
  std::string id = CommunityId(Ip4("127.0.0.1", 50944), Ip4("127.0.0.1", 8080), 6);
  EXPECT_HAS(c, R"("source":{"ip":"127.0.0.1","port":50944},"destination":{"ip":"127.0.0.1","port":8080})");
  EXPECT_HAS(c, R"("network":{"transport":"tcp","type":"ipv4","iana_number":"6","direction":"egress","community_id":")" +
                    id + R"("})");
  EXPECT_HAS(c, R"("auditd":{"session":{"ses":"1"},"user":{"audit":{"id":"0","name":"root"}},"network":{"local_end":"socket"})");

  Rig server;
  server.fake->answer = Tcp(AF_INET, Ip4("127.0.0.1", 8080), Ip4("127.0.0.1", 50944));
  std::string a = Format(server.enricher, {Syscall(288, "4", "5", true), Sockaddr(kFrom50944)});
  EXPECT_EQ(server.fake->last.fd, 5);  // accept: the new descriptor is the return value
  EXPECT_HAS(a, R"("source":{"ip":"127.0.0.1","port":50944},"destination":{"ip":"127.0.0.1","port":8080})");
  EXPECT_HAS(a, R"("direction":"ingress","community_id":")" + id + "\"");
  // The section sits between the summary and the records.
  EXPECT_LT(a.find("\"network\":{"), a.find("\"auditd\":{"));
}

TEST(NetworkEnricher, SocketGoneIsSaidNotGuessed) {
  Rig r;
  r.fake->status = LookupStatus::kFdClosed;
  std::string c = Format(r.enricher, {Syscall(42, "3", "0", true), Sockaddr(kTo8080)});
  EXPECT_HAS(c, R"("destination":{"ip":"127.0.0.1","port":8080},"network":{"type":"ipv4","direction":"egress"})");
  EXPECT_HAS(c, R"("auditd":{"session":{"ses":"1"},"user":{"audit":{"id":"0","name":"root"}},"network":{"local_end":"unknown","local_end_reason":"socket_closed"})");
  EXPECT_LACKS(c, "\"source\"");
  EXPECT_LACKS(c, "community_id");

  r.fake->status = LookupStatus::kProcessExited;
  c = Format(r.enricher, {Syscall(42, "6", "0", true), Sockaddr(kTo8080)});
  EXPECT_HAS(c, R"("local_end":"unknown","local_end_reason":"process_exited")");
}

TEST(NetworkEnricher, DescriptorReusedForAnotherConnectionIsCaught) {
  Rig r;
  // The accept's descriptor now holds a connection from another peer.
  r.fake->answer = Tcp(AF_INET, Ip4("127.0.0.1", 8080), Ip4("127.0.0.1", 50945));
  std::string a = Format(r.enricher, {Syscall(288, "4", "5", true), Sockaddr(kFrom50944)});
  EXPECT_HAS(a, R"("source":{"ip":"127.0.0.1","port":50944},"network":{"type":"ipv4","direction":"ingress"})");
  EXPECT_HAS(a, R"("auditd":{"session":{"ses":"1"},"user":{"audit":{"id":"0","name":"root"}},"network":{"local_end":"unknown","local_end_reason":"fd_reused"})");
  EXPECT_LACKS(a, "\"destination\"");
  // The connect's descriptor now holds a connection to another server.
  r.fake->answer = Tcp(AF_INET, Ip4("127.0.0.1", 50950), Ip4("127.0.0.1", 9090));
  std::string c = Format(r.enricher, {Syscall(42, "3", "0", true), Sockaddr(kTo8080)});
  EXPECT_HAS(c, R"("local_end_reason":"fd_reused")");
  // A UDP socket where the record says the address was IPv6: another socket.
  SocketInfo udp;
  udp.family = AF_INET;
  udp.protocol = IPPROTO_UDP;
  udp.local = Ip4("127.0.0.1", 5353);
  r.fake->answer = udp;
  c = Format(r.enricher, {Syscall(44, "3", "1", true),
                          Sockaddr("0A00D16F000000000000000000000000000000000000000100000000")});
  EXPECT_HAS(c, R"("destination":{"ip":"::1","port":53615},"network":{"type":"ipv6","direction":"egress"})");
  EXPECT_HAS(c, R"("auditd":{"session":{"ses":"1"},"user":{"audit":{"id":"0","name":"root"}},"network":{"local_end":"unknown","local_end_reason":"fd_reused"})");
}

TEST(NetworkEnricher, FailedConnectSaysWhyWithoutALookup) {
  Rig r;
  std::string c = Format(r.enricher, {Syscall(42, "3", "-111", false), Sockaddr(kTo8080)});
  EXPECT_EQ(r.fake->calls, 0);
  EXPECT_HAS(c, R"("destination":{"ip":"127.0.0.1","port":8080},"network":{"type":"ipv4","direction":"egress"})");
  EXPECT_HAS(c, R"("auditd":{"session":{"ses":"1"},"user":{"audit":{"id":"0","name":"root"}},"network":{"local_end":"unknown","local_end_reason":"syscall_failed"})");
  EXPECT_HAS(c, R"("error":{"code":"ECONNREFUSED"})");
  // Non-blocking: EINPROGRESS still has its local port.
  r.fake->answer = Tcp(AF_INET, Ip4("127.0.0.1", 50944), Endpoint());  // SYN_SENT: no peer yet
  c = Format(r.enricher, {Syscall(42, "3", "-115", false), Sockaddr(kTo8080)});
  EXPECT_EQ(r.fake->calls, 1);
  EXPECT_HAS(c, R"("source":{"ip":"127.0.0.1","port":50944},"destination":{"ip":"127.0.0.1","port":8080})");
  EXPECT_HAS(c, R"("local_end":"socket"})");
  EXPECT_HAS(c, R"("error":{"code":"EINPROGRESS"})");
  EXPECT_HAS(c, "community_id");
  // A failed accept has no descriptor.
  c = Format(r.enricher, {Syscall(288, "4", "-11", false)});
  EXPECT_EQ(r.fake->calls, 1);
  EXPECT_HAS(c, R"("network":{"direction":"ingress"})");
  EXPECT_HAS(c, R"("auditd":{"session":{"ses":"1"},"user":{"audit":{"id":"0","name":"root"}},"network":{"local_end":"unknown","local_end_reason":"syscall_failed"})");
  EXPECT_HAS(c, R"("error":{"code":"EAGAIN"})");
}

TEST(NetworkEnricher, DualStackAndIPv6) {
  Rig r;
  // A dual-stack IPv6 listener accepted an IPv4 client: both ends are IPv4 on the wire.
  SocketInfo s = Tcp(AF_INET6, Ip6("::ffff:127.0.0.1", 8080), Ip6("::ffff:127.0.0.1", 50944));
  r.fake->answer = s;
  std::string a = Format(r.enricher, {Syscall(288, "4", "5", true),
                                      Sockaddr("0A00C70000000000" "00000000000000000000FFFF7F000001" "00000000")});
  EXPECT_HAS(a, R"("source":{"ip":"127.0.0.1","port":50944},"destination":{"ip":"127.0.0.1","port":8080})");
  EXPECT_HAS(a, R"("type":"ipv4")");
  EXPECT_HAS(a, CommunityId(Ip4("127.0.0.1", 50944), Ip4("127.0.0.1", 8080), 6));

  r.fake->answer = Tcp(AF_INET6, Ip6("::1", 40000), Ip6("::1", 53615));
  std::string c = Format(r.enricher, {Syscall(42, "3", "0", true),
                                      Sockaddr("0A00D16F000000000000000000000000000000000000000100000000")});
  EXPECT_HAS(c, R"("source":{"ip":"::1","port":40000},"destination":{"ip":"::1","port":53615})");
  EXPECT_HAS(c, R"("type":"ipv6")");
  EXPECT_HAS(c, CommunityId(Ip6("::1", 40000), Ip6("::1", 53615), 6));
}

TEST(NetworkEnricher, UdpSendAndReceive) {
  Rig r;
  SocketInfo u;
  u.family = AF_INET;
  u.type = SOCK_DGRAM;
  u.protocol = IPPROTO_UDP;
  u.local = Ip4("127.0.0.1", 50944);
  r.fake->answer = u;
  std::string s = Format(r.enricher, {Syscall(44, "3", "1", true), Sockaddr(kTo8080)});
  EXPECT_TRUE(r.fake->last.may_use_cache);
  EXPECT_EQ(r.fake->last.remote, nullptr);  // an unconnected UDP socket's remote is per datagram
  EXPECT_HAS(s, R"("source":{"ip":"127.0.0.1","port":50944},"destination":{"ip":"127.0.0.1","port":8080})");
  EXPECT_HAS(s, R"("transport":"udp","type":"ipv4","iana_number":"17","direction":"egress")");
  std::string id = CommunityId(Ip4("127.0.0.1", 50944), Ip4("127.0.0.1", 8080), 17);
  EXPECT_HAS(s, id);
  // The receiver: recvfrom with the sender's address.
  u.local = Ip4("127.0.0.1", 8080);
  r.fake->answer = u;
  std::string v = Format(r.enricher, {Syscall(45, "3", "1", true), Sockaddr(kFrom50944)});
  EXPECT_HAS(v, R"("source":{"ip":"127.0.0.1","port":50944},"destination":{"ip":"127.0.0.1","port":8080})");
  EXPECT_HAS(v, R"("direction":"ingress","community_id":")" + id);
  // Bound to the wildcard address: only the port is known, and said so.
  u.local = Ip4("0.0.0.0", 41913);
  r.fake->answer = u;
  std::string w = Format(r.enricher, {Syscall(44, "3", "1", true), Sockaddr(kTo8080)});
  EXPECT_HAS(w, R"("source":{"port":41913},"destination":{"ip":"127.0.0.1","port":8080})");
  EXPECT_HAS(w, R"("local_end":"partial","local_end_reason":"wildcard_address")");
  EXPECT_LACKS(w, "community_id");
  // A connected socket's send has no SOCKADDR: the remote end is the socket's peer.
  u.local = Ip4("127.0.0.1", 47163);
  u.peer = Ip4("127.0.0.1", 56630);
  r.fake->answer = u;
  std::string x = Format(r.enricher, {Syscall(44, "3", "1", true)});
  EXPECT_HAS(x, R"("source":{"ip":"127.0.0.1","port":47163},"destination":{"ip":"127.0.0.1","port":56630})");
}

TEST(NetworkEnricher, BindAndListenShowTheLocalEnd) {
  Rig r;
  r.fake->answer = Tcp(AF_INET, Ip4("127.0.0.1", 38101), Endpoint());
  // bind(127.0.0.1:0): the port the kernel chose, from the socket.
  std::string b = Format(r.enricher, {Syscall(49, "3", "0", true), Sockaddr("020000007F0000010000000000000000")});
  EXPECT_TRUE(r.fake->last.listening);
  EXPECT_HAS(b, R"("source":{"ip":"127.0.0.1","port":38101},"network":{"transport":"tcp","type":"ipv4","iana_number":"6"})");
  EXPECT_HAS(b, R"("auditd":{"session":{"ses":"1"},"user":{"audit":{"id":"0","name":"root"}},"network":{"local_end":"socket"})");
  EXPECT_LACKS(b, "direction");
  // The socket bound elsewhere: another socket on that descriptor.
  std::string o = Format(r.enricher, {Syscall(49, "3", "0", true), Sockaddr("02001F907F0000020000000000000000")});
  EXPECT_HAS(o, R"("source":{"ip":"127.0.0.2","port":8080},"network":{"type":"ipv4"})");
  EXPECT_HAS(o, R"("auditd":{"session":{"ses":"1"},"user":{"audit":{"id":"0","name":"root"}},"network":{"local_end":"record","local_end_reason":"fd_reused"})");
  std::string l = Format(r.enricher, {Syscall(50, "3", "0", true)});
  EXPECT_HAS(l, R"("source":{"ip":"127.0.0.1","port":38101})");
  // A failed bind: what was asked for, from the record.
  int before = r.fake->calls;
  std::string f = Format(r.enricher, {Syscall(49, "3", "-98", false), Sockaddr(kTo8080)});
  EXPECT_EQ(r.fake->calls, before);
  EXPECT_HAS(f, R"("source":{"ip":"127.0.0.1","port":8080},"network":{"type":"ipv4"})");
  EXPECT_HAS(f, R"("auditd":{"session":{"ses":"1"},"user":{"audit":{"id":"0","name":"root"}},"network":{"local_end":"record","local_end_reason":"syscall_failed"})");
  EXPECT_HAS(f, R"("error":{"code":"EADDRINUSE"})");
}

TEST(NetworkEnricher, UnixSocketsNameThePathAndThePeerProcess) {
  Rig r;
  SocketInfo s;
  SockAddr sa;
  s.family = AF_UNIX;
  s.type = SOCK_STREAM;
  s.local.kind = Endpoint::Kind::kUnix;  // the client: unnamed
  DecodeSockAddr("01002F72756E2F782E736F636B00", &sa);
  s.peer = sa.address;  // /run/x.sock
  s.has_peer_cred = true;
  s.peer_pid = 777;
  s.peer_uid = 0;
  s.peer_gid = 0;
  r.fake->answer = s;
  std::string c = Format(r.enricher, {Syscall(42, "3", "0", true), Sockaddr("01002F72756E2F782E736F636B00")});
  EXPECT_HAS(c, R"("destination":{"address":"/run/x.sock"},"network":{"transport":"unix","direction":"egress"})");
  EXPECT_HAS(c, R"("auditd":{"session":{"ses":"1"},"user":{"audit":{"id":"0","name":"root"}},"network":{"local_end":"socket","unix":{"type":"stream","peer":{"pid":777,"uid":"0","gid":"0"}}})");
  EXPECT_LACKS(c, "\"source\"");
  // The server's accept: its own (listening) name is the destination.
  s.local = s.peer;
  s.peer = Endpoint();
  s.peer.kind = Endpoint::Kind::kUnix;
  r.fake->answer = s;
  std::string a = Format(r.enricher, {Syscall(288, "4", "5", true), Sockaddr("0100")});
  EXPECT_HAS(a, R"("destination":{"address":"/run/x.sock"},"network":{"transport":"unix","direction":"ingress")");
  // Abstract names: '@' and said so.
  DecodeSockAddr("01000061756469746C656E73", &sa);
  s.local = sa.address;
  r.fake->answer = s;
  a = Format(r.enricher, {Syscall(288, "4", "6", true), Sockaddr("0100")});
  EXPECT_HAS(a, R"("destination":{"address":"@auditlens"})");
  EXPECT_HAS(a, R"("destination":{"abstract":true}},"records")");
}

TEST(NetworkEnricher, OfflineWritesOnlyWhatTheRecordsSay) {
  NetworkEnricher offline(nullptr);
  std::string c = Format(offline, {Syscall(42, "3", "0", true), Sockaddr(kTo8080)});
  EXPECT_HAS(c, R"("destination":{"ip":"127.0.0.1","port":8080},"network":{"type":"ipv4","direction":"egress"})");
  EXPECT_HAS(c, R"("auditd":{"session":{"ses":"1"},"user":{"audit":{"id":"0","name":"root"}},"network":{"local_end":"unknown","local_end_reason":"offline"})");
  std::string a = Format(offline, {Syscall(288, "4", "5", true), Sockaddr(kFrom50944)});
  EXPECT_HAS(a, R"("source":{"ip":"127.0.0.1","port":50944},"network":{"type":"ipv4","direction":"ingress"})");
  EXPECT_HAS(a, R"("auditd":{"session":{"ses":"1"},"user":{"audit":{"id":"0","name":"root"}},"network":{"local_end":"unknown","local_end_reason":"offline"})");
  EXPECT_EQ(offline.counters().lookups, 0u);
}

// The "network" object is kept from the last two events that rendered it: one enricher given a
// mix of events in turn writes each exactly as a fresh enricher does.
TEST(NetworkEnricher, KeptNetworkObjectsAreExactlyWhatAFreshEnricherWrites) {
  const std::vector<std::vector<std::string>> events = {
      {Syscall(42, "3", "0", true), Sockaddr(kTo8080)},
      {Syscall(288, "4", "5", true), Sockaddr(kFrom50944)},
      {Syscall(42, "3", "0", true), Sockaddr(kTo8080)},
      {Syscall(42, "3", "-111", false), Sockaddr(kTo8080)},  // ECONNREFUSED
      {Syscall(288, "4", "5", true), Sockaddr(kFrom50944)},
      {Syscall(42, "3", "-115", false), Sockaddr(kTo8080)},  // EINPROGRESS
      {Syscall(49, "3", "0", true), Sockaddr(kTo8080)},      // bind
      {Syscall(42, "3", "0", true), Sockaddr("0A001F90000000000000000000000000000000010000000000")},
      {Syscall(42, "3", "0", true), Sockaddr("01002F72756E2F782E736F636B00")},
      {Syscall(42, "3", "0", true), Sockaddr(kTo8080)},
  };
  NetworkEnricher shared(nullptr);
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < events.size(); ++i) {
      NetworkEnricher fresh(nullptr);
      EXPECT_EQ(Format(shared, events[i]), Format(fresh, events[i])) << "event " << i;
    }
  }
}

TEST(NetworkEnricher, OtherEventsGetNothingAndCostNoLookup) {
  Rig r;
  std::string open = Format(r.enricher, {Syscall(257, "ffffff9c", "3", true)});
  EXPECT_LACKS(open, "\"network\":{");
  EXPECT_LACKS(open, "\"source\"");
  std::string user = Format(r.enricher, {"type=USER_ACCT msg=audit(1795345185.900:79): pid=10 uid=0 "
                                         "auid=4294967295 ses=4294967295 msg='op=PAM:accounting res=success'"});
  EXPECT_LACKS(user, "\"network\":{");
  // A netlink socket's sendto is not a network flow.
  std::string nl = Format(r.enricher, {Syscall(44, "3", "20", true), Sockaddr("100000000000000000000000")});
  EXPECT_LACKS(nl, "\"network\":{");
  EXPECT_EQ(r.fake->calls, 0);
  EXPECT_EQ(r.enricher.counters().events, 0u);
}

TEST(NetworkEnricher, OldEventsAndOwnEventsAreNotLookedUp) {
  Rig r;
  r.enricher.set_clock_for_test(kEventMs + NetworkEnricher::kMaxLookupAgeMs + 1);
  std::string c = Format(r.enricher, {Syscall(42, "3", "0", true), Sockaddr(kTo8080)});
  EXPECT_EQ(r.fake->calls, 0);
  EXPECT_HAS(c, R"("local_end_reason":"event_too_old")");
  NetworkEnricher self(std::make_unique<FakeLookup>(), 4321);
  self.set_clock_for_test(kEventMs);
  c = Format(self, {Syscall(42, "3", "0", true), Sockaddr(kTo8080)});
  EXPECT_EQ(self.counters().lookups, 0u);
  EXPECT_HAS(c, R"("local_end_reason":"not_looked_up")");
}

TEST(NetworkEnricher, DescriptorRecycledFasterThanTheAgentLooksIsNotLookedUp) {
  Rig r;
  r.fake->answer = Tcp(AF_INET, Ip4("127.0.0.1", 50944), Ip4("127.0.0.1", 8080));
  // A storm: connect on descriptor 3, close, socket, connect on 3 again, in the same millisecond;
  // the agent looks 3 ms later: by then 3 holds yet another connection to the same server.
  std::string first = Format(r.enricher, {Syscall(42, "3", "0", true), Sockaddr(kTo8080)});
  EXPECT_HAS(first, R"("local_end":"socket")");
  std::string again = Format(r.enricher, {Syscall(42, "3", "0", true), Sockaddr(kTo8080)});
  EXPECT_EQ(r.fake->calls, 1);
  EXPECT_HAS(again, R"("destination":{"ip":"127.0.0.1","port":8080},"network":{"type":"ipv4","direction":"egress"})");
  EXPECT_HAS(again, R"("auditd":{"session":{"ses":"1"},"user":{"audit":{"id":"0","name":"root"}},"network":{"local_end":"unknown","local_end_reason":"fd_recycled"})");
  EXPECT_EQ(r.enricher.counters().recycled, 1u);
  // Another descriptor, or the same one reused slower than the agent looks: looked up.
  Format(r.enricher, {Syscall(42, "4", "0", true), Sockaddr(kTo8080)});
  EXPECT_EQ(r.fake->calls, 2);
  auto later = [](int ms) {
    std::string line = Syscall(42, "3", "0", true);
    line.replace(line.find("1795345185.900"), 14, "1795345185." + std::to_string(900 + ms));
    return line;
  };
  r.enricher.set_clock_for_test(kEventMs + 52);  // lag 2 ms + a tick (≤ 4 ms) < 50 ms
  std::string slow = Format(r.enricher, {later(50), "type=SOCKADDR msg=audit(1795345185.950:78): saddr=" + std::string(kTo8080)});
  EXPECT_EQ(r.fake->calls, 3);
  EXPECT_HAS(slow, R"("local_end":"socket")");
  // send/recv on one socket are not new connections: never "recycled".
  SocketInfo u = Tcp(AF_INET, Ip4("127.0.0.1", 50944), Ip4("127.0.0.1", 8080));
  r.fake->answer = u;
  for (int i = 0; i < 3; ++i) Format(r.enricher, {Syscall(44, "7", "1", true)});
  EXPECT_EQ(r.fake->calls, 6);
}

// A lookup that takes time, for the budget.
class SlowLookup : public FakeLookup {
 public:
  LookupStatus Lookup(const LookupRequest& request, SocketInfo* out) override {
    timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do {
      clock_gettime(CLOCK_MONOTONIC, &now);
    } while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) < 2000000);
    return FakeLookup::Lookup(request, out);
  }
};

TEST(NetworkEnricher, LookupsStopWhenTheSecondsBudgetIsSpent) {
  auto* slow = new SlowLookup;
  slow->answer = Tcp(AF_INET, Ip4("127.0.0.1", 50944), Ip4("127.0.0.1", 8080));
  NetworkEnricher e(std::unique_ptr<SocketLookup>(slow), 0, /*budget_ms_per_second=*/3);
  e.set_clock_for_test(kEventMs + 3);
  std::vector<std::string> out;
  for (int fd = 10; fd < 16; ++fd) {
    out.push_back(Format(e, {Syscall(42, std::to_string(fd), "0", true), Sockaddr(kTo8080)}));
  }
  // 2 ms each, 3 ms a second: two lookups (the second starts under budget), then none until the
  // next second; 12 ms of events may straddle one turn of the second: at most 4. On a loaded
  // machine a 2 ms sleep can take more than 3 ms, so the first lookup alone may spend the budget.
  EXPECT_GE(slow->calls, 1);
  EXPECT_LE(slow->calls, 4);
  EXPECT_HAS(out[0], R"("local_end":"socket")");
  int skipped = 0;
  for (const std::string& o : out) skipped += o.find(R"("local_end_reason":"lookup_budget")") != std::string::npos;
  EXPECT_EQ(skipped, 6 - slow->calls);
  EXPECT_EQ(e.counters().over_budget, static_cast<uint64_t>(skipped));
}

TEST(NetworkSyscalls, ClassifiesByArchAndNumber) {
  NetworkSyscalls s;
  EXPECT_EQ(s.Classify("c000003e", "42"), NetOp::kConnect);
  EXPECT_EQ(s.Classify("c000003e", "288"), NetOp::kAccept);
  EXPECT_EQ(s.Classify("c000003e", "43"), NetOp::kAccept);
  EXPECT_EQ(s.Classify("c000003e", "49"), NetOp::kBind);
  EXPECT_EQ(s.Classify("c000003e", "50"), NetOp::kListen);
  EXPECT_EQ(s.Classify("c000003e", "46"), NetOp::kSend);
  EXPECT_EQ(s.Classify("c000003e", "47"), NetOp::kRecv);
  EXPECT_EQ(s.Classify("c000003e", "257"), NetOp::kNone);
  EXPECT_EQ(s.Classify("c00000b7", "203"), NetOp::kConnect);  // aarch64
  EXPECT_EQ(s.Classify("c00000b7", "42"), NetOp::kNone);      // aarch64 42 is not connect
  EXPECT_EQ(s.Classify("40000003", "102"), NetOp::kSocketcall);  // i386
  EXPECT_EQ(s.Classify("c000003e", "99999"), NetOp::kNone);
  EXPECT_EQ(s.Classify("zz", "42"), NetOp::kNone);
  EXPECT_EQ(NetOpOfSocketcall(3), NetOp::kConnect);
  EXPECT_EQ(NetOpOfSocketcall(18), NetOp::kAccept);
  EXPECT_EQ(NetOpOfSocketcall(1), NetOp::kNone);  // socket()
}

TEST(NetworkEnricher, I386SocketcallTakesTheDescriptorFromTheSocketcallRecord) {
  Rig r;
  r.fake->answer = Tcp(AF_INET, Ip4("127.0.0.1", 50944), Ip4("127.0.0.1", 8080));
  std::string c = Format(r.enricher, {Syscall(102, "3", "0", true, "40000003"),
                                      "type=SOCKETCALL msg=audit(1795345185.900:78): nargs=3 a0=7 a1=ffd0 a2=10",
                                      Sockaddr(kTo8080)});
  EXPECT_EQ(r.fake->last.fd, 7);
  EXPECT_HAS(c, R"("source":{"ip":"127.0.0.1","port":50944})");
}

}  // namespace
}  // namespace auditlens
