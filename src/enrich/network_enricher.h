// The network enricher: both ends of every audited network syscall (connect, accept/accept4,
// bind, listen, sendto/sendmsg/sendmmsg, recvfrom/recvmsg/recvmmsg), the transport, the direction
// and the Community ID, as the event's NetworkFacts (event_facts.h; rendered as ECS source,
// destination and network by output/network_json.h: docs/schema.md#network, the design and its
// measurements in docs/network.md).
//
// The records give one end (the SOCKADDR record: the remote end of a connect, the peer of an
// accept, the address of a bind); the other, local end comes from the process's socket, looked up
// live in Enrich() (see socket_lookup.h) and checked against the records: a socket whose remote
// end (connect), peer (accept) or bound address (bind) is not what the records say is another
// socket that reuses the descriptor number, and is not described. Who is source: for an outbound
// operation (connect, send) the local end; for an inbound one (accept, recv) the remote end — so
// both hosts of a flow write the same source, destination and Community ID.
//
// When the local end is not known the facts say so: LocalEnd::kUnknown and a reason
// (socket_closed, process_exited, fd_reused, syscall_failed, offline, ...).
//
// Contract: Enrich() does nothing but classify the syscall for events that are not network
// syscalls (one table lookup). No allocation per event. Without a lookup (`auditlens parse`, where
// no live process exists) it gives what the records say, with the reason "offline".
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "common/endpoint.h"
#include "enrich/enricher.h"
#include "enrich/network_syscall.h"
#include "enrich/socket_lookup.h"

namespace auditlens {

struct NetworkEnricherCounters {
  uint64_t events = 0;         // network syscall events seen
  uint64_t lookups = 0;        // live lookups made
  uint64_t local_found = 0;    // events whose local end was written from the socket
  uint64_t community_ids = 0;  // events given a Community ID
  uint64_t recycled = 0;       // not looked up: descriptor recycled faster than the agent looks
  uint64_t over_budget = 0;    // not looked up: the second's lookup time was spent
};

class NetworkEnricher : public Enricher {
 public:
  // Events older than this (event time to lookup time) are not looked up: the socket of a syscall
  // that far back is likely gone, and its descriptor number may name another socket by now.
  static constexpr uint64_t kMaxLookupAgeMs = 2000;
  // Default time the lookups may take per second (wall time of Lookup calls): 2% of a core.
  static constexpr uint32_t kDefaultBudgetMsPerSecond = 20;

  // lookup: the live socket lookup, or null (records only). self_pid: this process, whose own
  // network syscalls (if some rule audits them) are never looked up. budget_ms_per_second: how
  // long lookups may take in one second (0: no limit); past it, "lookup_budget".
  explicit NetworkEnricher(std::unique_ptr<SocketLookup> lookup, int32_t self_pid = 0,
                           uint32_t budget_ms_per_second = 0);

  void Enrich(const ParsedEvent& event, EventFacts* facts) override;

  const NetworkEnricherCounters& counters() const { return counters_; }
  // For tests: the wall clock in ms used for kMaxLookupAgeMs (0: the real clock).
  void set_clock_for_test(uint64_t now_ms) { test_now_ms_ = now_ms; }

 private:
  void Reset();
  // Fills the members below from the event's records and the lookup; active_ when it is a network
  // syscall on an IP or unix socket.
  void Describe(const ParsedEvent& e);
  // Fills local_, remote_, local_end_, reason_ from the records and the lookup.
  void Decide(bool looked_up, LookupStatus status);
  bool MatchesRecords() const;
  bool IsFlow() const;
  bool Inbound() const;

  // The last connect/accept per (pid, descriptor): a process that gives a descriptor number to a
  // new connection faster than the agent looks (a connect storm: close, socket, connect, on the
  // same number every few µs) has, by lookup time, most likely given it to a newer connection
  // still — to the same server, so nothing in the records tells them apart. Such events are not
  // looked up ("fd_recycled"): measured on the benchmark's storm, 99% of their lookups described
  // a later connection.
  struct FdUse {
    int32_t pid = 0;
    int32_t fd = -1;
    uint64_t time_ms = 0;
  };
  bool Recycled(int32_t pid, int32_t fd, uint64_t event_ms, uint64_t now_ms);
  bool OverBudget();

  std::unique_ptr<SocketLookup> lookup_;
  int32_t self_pid_;
  uint64_t budget_ns_;
  uint64_t tick_ms_ = 1;  // resolution of the coarse clock of event times
  uint64_t budget_second_ = 0;
  uint64_t budget_spent_ns_ = 0;
  std::array<FdUse, 256> fd_uses_{};
  NetworkSyscalls syscalls_;
  NetworkEnricherCounters counters_;
  uint64_t test_now_ms_ = 0;

  // The event being enriched (set by Describe).
  bool active_ = false;
  NetOp op_ = NetOp::kNone;
  bool success_ = false;
  int errno_ = 0;  // positive errno of a failed syscall, else 0
  Endpoint record_;  // the SOCKADDR record's address, kind kNone when absent
  SocketInfo info_;       // the live socket (when found)
  Endpoint local_;
  Endpoint remote_;
  int protocol_ = 0;
  int sock_type_ = 0;
  bool unix_ = false;
  LocalEnd local_end_ = LocalEnd::kUnknown;
  std::string_view reason_;
  char community_id_[48] = {};
  size_t community_id_len_ = 0;

};

// The enricher of `auditlens run`, as the config's [enrich] network asks: "auto" (pidfd, else
// sock_diag), "pidfd", "sock_diag", "records" (no live lookup, as in `auditlens parse`), "off" (no
// network enrichment: returns null); budget_ms_per_second is the lookup time allowed per second (0
// no limit). The environment variables AUDITLENS_NETWORK and AUDITLENS_NETWORK_BUDGET_MS override
// both, for measurements. *note gets a line for the agent's log when something should be said (the
// method chosen when it is not pidfd, an override, an unknown value).
std::unique_ptr<NetworkEnricher> MakeAgentNetworkEnricher(std::string_view mode,
                                                          uint32_t budget_ms_per_second,
                                                          std::string* note);

}  // namespace auditlens
