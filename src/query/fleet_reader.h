// Reads the fleet's PostgreSQL database (schema `auditlens`, written by every host's agent with
// [store] postgres; docs/fleet.md) for `auditlens trace`: sessions, their events and processes in
// the shapes the timeline reads (store_reader.h), and the connections that join hosts.
//
// Contract: libpq, one connection, plain parameterised queries (nothing is written). Every function
// returns false with a message on a database error; the connection's password is never shown in a
// message. Times are ms since the epoch, as in the database.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query/store_reader.h"

struct pg_conn;

namespace auditlens {

struct FleetSessionKey {
  std::string host, id;
  bool operator==(const FleetSessionKey& o) const { return host == o.host && id == o.id; }
};

// A connect (or accept) row of the connections table.
struct FleetConnection {
  std::string host, session_id, entity_id, op, transport, local_ip, remote_ip, community_id, error;
  int64_t time_ms = 0, serial = 0, pid = 0, local_port = 0, remote_port = 0;
};

// A session found by its Community ID (what a hop leads to).
struct FleetSessionRef {
  FleetSessionKey key;
  int64_t start_ms = 0;
};


class FleetReader {
 public:
  FleetReader() = default;
  ~FleetReader();
  FleetReader(const FleetReader&) = delete;
  FleetReader& operator=(const FleetReader&) = delete;

  // Connects (5 s timeout unless the URL sets connect_timeout) and checks the schema is there.
  bool Open(const std::string& url, std::string* error);

  // spec: "HOST:ID", or an ID that only one host has. Also a unique prefix of the id.
  bool ResolveSession(std::string_view spec, FleetSessionKey* key, std::string* error);
  // The session's row, its events that have a detail, and its processes (host filled in), with
  // the containers they ran in (fleet schema version 3; none before).
  bool LoadSession(const FleetSessionKey& key, TimelineData* out, std::string* error);
  // Connects made inside the session with a Community ID, oldest first.
  bool ConnectsOf(const FleetSessionKey& key, std::vector<FleetConnection>* out,
                  std::string* error);
  // Sessions on hosts other than exclude_host whose login came over the flow community_id and
  // started within window_ms of around_ms, nearest first.
  bool SessionsOver(std::string_view community_id, std::string_view exclude_host,
                    int64_t around_ms, int64_t window_ms, std::vector<FleetSessionRef>* out,
                    std::string* error);
  // The connect on a host other than exclude_host of the flow community_id within window_ms of
  // around_ms, the nearest; false with an empty error when there is none.
  bool ConnectOver(std::string_view community_id, std::string_view exclude_host, int64_t around_ms,
                   int64_t window_ms, FleetConnection* out, std::string* error);

 private:
  pg_conn* conn_ = nullptr;
  bool has_containers_ = false;  // fleet schema version 3's columns (checked at Open)
};

}  // namespace auditlens
