// `auditlens trace`: the chain of hosts, users, sessions and commands that led to a login session
// and that it led to, across the fleet's hosts (docs/fleet.md, "Trace").
//
// A hop joins a connect on one host to a login on another: the connect's row in the connections
// table (op connect, made inside session S on host A) and a session on host B != A whose
// community_id (of the TCP connection the login came over) is the connect's, starting within the
// window of the connect's time. The walk goes
// - upward from the traced session: its community_id → the connect on another host → that
//   connect's session → that session's community_id → ... until a login whose connection no agent
//   saw leave (the origin is outside the fleet) or a connect outside any login session;
// - downward: every connect made inside the session → the sessions on other hosts that came over it
//   → their connects → ...
// Chains of any length; a session met twice (a cycle: A → B → A over new connections is two
// different sessions on A, but a loop in the data is not) is not followed again.
//
// Contract: BuildTrace only reads (FleetReader); the renderers are pure. Each hop's commands are
// its timeline (timeline.h), nested as `auditlens timeline` nests them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "query/fleet_reader.h"
#include "query/timeline.h"

namespace auditlens {

struct TraceOptions {
  int64_t window_ms = 120000;  // |session start - connect time| of a hop
  size_t max_hops = 64;        // a bound on what is walked (a runaway loop of logins)
};

struct TraceHop {
  FleetSessionKey key;
  Timeline timeline;      // the session (timeline.session, its host) and its entries
  bool focus = false;     // the session asked for
  int parent = -1;        // the hop this one was reached from (-1: the first of the chain)
  FleetConnection via;    // the connect on the parent's host that led here (parent >= 0)
  // Connects made in this session that were followed, each to hop index `to`.
  struct Link {
    FleetConnection connection;
    int to = -1;
  };
  std::vector<Link> links;
  int depth = 0;          // 0 for the first hop of the chain
};

struct Trace {
  std::vector<TraceHop> hops;  // in walking order: the chain's first hop first, then depth first
  int focus = 0;               // index of the traced session
  int64_t window_ms = 0;
  std::vector<std::string> notes;  // where the walk stopped and why
};

bool BuildTrace(FleetReader& reader, const FleetSessionKey& focus, const TraceOptions& options,
                Trace* out, std::string* error);

std::string RenderTraceText(const Trace& trace, bool colour);
std::string RenderTraceJson(const Trace& trace);

}  // namespace auditlens
