#include "query/fleet_reader.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "common/conninfo_mask.h"
#include "common/parse_int.h"

namespace auditlens {
namespace {

// One query's result; frees it when done.
class Result {
 public:
  // Runs sql with text parameters. ok() tells whether it returned rows (or ran).
  Result(PGconn* conn, const char* sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const std::string& p : params) values.push_back(p.c_str());
    res_ = PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                        nullptr, 0);
    const ExecStatusType st = PQresultStatus(res_);
    ok_ = st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
    if (!ok_) {
      error_ = res_ != nullptr ? PQresultErrorMessage(res_) : PQerrorMessage(conn);
      while (!error_.empty() && (error_.back() == '\n' || error_.back() == ' ')) error_.pop_back();
    }
  }
  ~Result() { PQclear(res_); }
  bool ok() const { return ok_; }
  const std::string& error() const { return error_; }
  int rows() const { return ok_ ? PQntuples(res_) : 0; }
  std::string Text(int row, int col) const {
    return PQgetisnull(res_, row, col) ? std::string() : std::string(PQgetvalue(res_, row, col));
  }
  int64_t Int(int row, int col, int64_t null_value = 0) const {
    if (PQgetisnull(res_, row, col)) return null_value;
    int64_t v = 0;
    ParseI64(PQgetvalue(res_, row, col), &v);
    return v;
  }
  bool IsNull(int row, int col) const { return PQgetisnull(res_, row, col) != 0; }

 private:
  PGresult* res_ = nullptr;
  bool ok_ = false;
  std::string error_;
};

constexpr char kSessionColumns[] =
    "host, id, \"user\", service, source_ip, dest_ip, hostname, terminal, tty, state, "
    "leader_entity, ses, auid, source_port, dest_port, login_pid, start_ms, end_ms, last_seen_ms, "
    "failures, from_proc, community_id";

void ReadSession(const Result& r, int i, StoredSession* s) {
  s->host = r.Text(i, 0);
  s->id = r.Text(i, 1);
  s->user = r.Text(i, 2);
  s->service = r.Text(i, 3);
  s->source_ip = r.Text(i, 4);
  s->dest_ip = r.Text(i, 5);
  s->hostname = r.Text(i, 6);
  s->terminal = r.Text(i, 7);
  s->tty = r.Text(i, 8);
  s->state = r.Text(i, 9);
  s->leader_entity = r.Text(i, 10);
  s->ses = r.Int(i, 11, -1);
  s->auid = r.Int(i, 12, -1);
  s->source_port = r.Int(i, 13);
  s->dest_port = r.Int(i, 14);
  s->login_pid = r.Int(i, 15);
  s->start_ms = r.Int(i, 16);
  s->end_ms = r.Int(i, 17);
  s->last_seen_ms = r.Int(i, 18);
  s->failures = r.Int(i, 19);
  s->from_proc = r.Int(i, 20) != 0;
  s->community_id = r.Text(i, 21);
}

constexpr char kConnectionColumns[] =
    "host, coalesce(session_id, ''), coalesce(entity_id, ''), op, coalesce(transport, ''), "
    "coalesce(local_ip, ''), coalesce(remote_ip, ''), community_id, coalesce(error, ''), time_ms, "
    "serial, coalesce(pid, 0), coalesce(local_port, 0), coalesce(remote_port, 0)";

void ReadConnection(const Result& r, int i, FleetConnection* c) {
  c->host = r.Text(i, 0);
  c->session_id = r.Text(i, 1);
  c->entity_id = r.Text(i, 2);
  c->op = r.Text(i, 3);
  c->transport = r.Text(i, 4);
  c->local_ip = r.Text(i, 5);
  c->remote_ip = r.Text(i, 6);
  c->community_id = r.Text(i, 7);
  c->error = r.Text(i, 8);
  c->time_ms = r.Int(i, 9);
  c->serial = r.Int(i, 10);
  c->pid = r.Int(i, 11);
  c->local_port = r.Int(i, 12);
  c->remote_port = r.Int(i, 13);
}

}  // namespace

FleetReader::~FleetReader() {
  if (conn_ != nullptr) PQfinish(conn_);
}

bool FleetReader::Open(const std::string& url, std::string* error) {
  // connect_timeout first: a value in the URL (expanded from dbname) overrides it.
  const char* keys[] = {"connect_timeout", "dbname", "application_name", nullptr};
  const char* values[] = {"5", url.c_str(), "auditlens trace", nullptr};
  conn_ = PQconnectdbParams(keys, values, 1);
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    std::string why = conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    *error = "cannot reach the fleet database " + MaskConnInfo(url) + ": " + MaskConnInfoIn(why, url);
    return false;
  }
  Result check(conn_, "SELECT 1 FROM auditlens.sessions LIMIT 0", {});
  if (!check.ok()) {
    *error = MaskConnInfo(url) + " has no auditlens fleet schema (an agent with [store] "
             "postgres creates it): " + MaskConnInfoIn(check.error(), url);
    return false;
  }
  // Version 3 (containers) or older: what the processes' SELECT may read. Asked of the table itself
  // (a schema applied by hand has no schema_migrations rows).
  Result containers(conn_,
                    "SELECT 1 FROM information_schema.columns WHERE table_schema = 'auditlens' "
                    "AND table_name = 'processes' AND column_name = 'container_id'",
                    {});
  has_containers_ = containers.ok() && containers.rows() == 1;
  return true;
}

bool FleetReader::ResolveSession(std::string_view spec, FleetSessionKey* key, std::string* error) {
  error->clear();
  std::string host, id(spec);
  const size_t colon = spec.find(':');
  if (colon != std::string_view::npos) {
    host = std::string(spec.substr(0, colon));
    id = std::string(spec.substr(colon + 1));
  }
  if (id.empty()) {
    *error = "'" + std::string(spec) + "': expected HOST:SESSION or SESSION";
    return false;
  }
  // The exact id first, then a unique prefix of it.
  for (const char* sql :
       {"SELECT host, id FROM auditlens.sessions WHERE id = $1 AND ($2 = '' OR host = $2) "
        "ORDER BY host LIMIT 3",
        "SELECT host, id FROM auditlens.sessions WHERE left(id, length($1)) = $1 "
        "AND ($2 = '' OR host = $2) ORDER BY host, id LIMIT 3"}) {
    Result r(conn_, sql, {id, host});
    if (!r.ok()) {
      *error = r.error();
      return false;
    }
    if (r.rows() == 1) {
      key->host = r.Text(0, 0);
      key->id = r.Text(0, 1);
      return true;
    }
    if (r.rows() > 1) {
      *error = "'" + std::string(spec) + "' names several sessions (" + r.Text(0, 0) + ":" +
               r.Text(0, 1) + ", " + r.Text(1, 0) + ":" + r.Text(1, 1) +
               ", ...): give HOST:SESSION";
      return false;
    }
  }
  *error = "no session " + std::string(spec) + " in the fleet database";
  return false;
}

bool FleetReader::LoadSession(const FleetSessionKey& key, TimelineData* out, std::string* error) {
  {
    Result r(conn_,
             (std::string("SELECT ") + kSessionColumns +
              " FROM auditlens.sessions WHERE host = $1 AND id = $2")
                 .c_str(),
             {key.host, key.id});
    if (!r.ok()) {
      *error = r.error();
      return false;
    }
    if (r.rows() == 0) {
      *error = "no session " + key.host + ":" + key.id + " in the fleet database";
      return false;
    }
    ReadSession(r, 0, &out->session);
  }
  {
    Result r(conn_,
             "SELECT time_ms, serial, coalesce(pid, 0), coalesce(uid, -1), kind, "
             "coalesce(action, ''), coalesce(outcome, ''), coalesce(role, ''), "
             "coalesce(entity_id, ''), detail::text FROM auditlens.events "
             "WHERE host = $1 AND session_id = $2 AND detail IS NOT NULL ORDER BY time_ms, serial",
             {key.host, key.id});
    if (!r.ok()) {
      *error = r.error();
      return false;
    }
    for (int i = 0; i < r.rows(); ++i) {
      StoredEvent e;
      e.time_ms = r.Int(i, 0);
      e.serial = r.Int(i, 1);
      e.pid = r.Int(i, 2);
      e.uid = r.Int(i, 3, -1);
      e.kind = r.Text(i, 4);
      e.action = r.Text(i, 5);
      e.outcome = r.Text(i, 6);
      e.role = r.Text(i, 7);
      e.entity_id = r.Text(i, 8);
      e.detail = r.Text(i, 9);
      out->events.push_back(std::move(e));
    }
  }
  {
    Result r(conn_,
             ("SELECT entity_id, coalesce(parent_entity, ''), coalesce(previous_entity, ''), "
             "coalesce(exe, ''), coalesce(args::text, ''), coalesce(cwd, ''), coalesce(role, ''), "
             "coalesce(origin, ''), pid, ppid, uid, euid, start_ms, exit_ms, exit_code, "
             "args_truncated, " +
                 std::string(has_containers_ ? "container_id, container_runtime, service, exe_sha256"
                                           : "NULL, NULL, NULL, NULL") +
                 " FROM auditlens.processes WHERE host = $1 AND session_id = $2 ORDER BY start_ms")
                 .c_str(),
             {key.host, key.id});
    if (!r.ok()) {
      *error = r.error();
      return false;
    }
    for (int i = 0; i < r.rows(); ++i) {
      StoredProcess p;
      p.entity_id = r.Text(i, 0);
      p.parent_entity = r.Text(i, 1);
      p.previous_entity = r.Text(i, 2);
      p.exe = r.Text(i, 3);
      p.args = r.Text(i, 4);
      p.cwd = r.Text(i, 5);
      p.role = r.Text(i, 6);
      p.origin = r.Text(i, 7);
      p.pid = r.Int(i, 8);
      p.ppid = r.Int(i, 9);
      p.uid = r.Int(i, 10, -1);
      p.euid = r.Int(i, 11, -1);
      p.start_ms = r.Int(i, 12);
      p.exited = !r.IsNull(i, 13);
      p.exit_ms = r.Int(i, 13);
      p.exit_code = r.Int(i, 14);
      p.args_truncated = r.Int(i, 15) != 0;
      p.session_id = key.id;
      p.container_id = r.Text(i, 16);
      p.container_runtime = r.Text(i, 17);
      p.service = r.Text(i, 18);
      p.exe_sha256 = r.Text(i, 19);
      out->processes.push_back(std::move(p));
    }
  }
  // The containers its processes ran in (the host's rows of containers), each once.
  std::vector<std::string> ids;
  for (const StoredProcess& p : out->processes) {
    if (!p.container_id.empty() && std::find(ids.begin(), ids.end(), p.container_id) == ids.end()) {
      ids.push_back(p.container_id);
    }
  }
  for (const std::string& id : ids) {
    StoredContainer c;
    c.id = id;
    Result r(conn_,
             "SELECT coalesce(runtime, ''), coalesce(name, ''), coalesce(image, ''), "
             "coalesce(pod_name, ''), coalesce(pod_namespace, ''), coalesce(pod_uid, ''), "
             "first_seen_ms, last_seen_ms FROM auditlens.containers WHERE host = $1 AND id = $2",
             {key.host, id});
    if (!r.ok()) {
      *error = r.error();
      return false;
    }
    if (r.rows() == 1) {
      c.runtime = r.Text(0, 0);
      c.name = r.Text(0, 1);
      c.image = r.Text(0, 2);
      c.pod_name = r.Text(0, 3);
      c.pod_namespace = r.Text(0, 4);
      c.pod_uid = r.Text(0, 5);
      c.first_seen_ms = r.Int(0, 6);
      c.last_seen_ms = r.Int(0, 7);
    }
    out->containers.push_back(std::move(c));
  }
  return true;
}

bool FleetReader::ConnectsOf(const FleetSessionKey& key, std::vector<FleetConnection>* out,
                             std::string* error) {
  Result r(conn_,
           (std::string("SELECT ") + kConnectionColumns +
            " FROM auditlens.connections WHERE host = $1 AND session_id = $2 AND op = 'connect'"
            " AND community_id IS NOT NULL ORDER BY time_ms, serial")
               .c_str(),
           {key.host, key.id});
  if (!r.ok()) {
    *error = r.error();
    return false;
  }
  for (int i = 0; i < r.rows(); ++i) {
    FleetConnection c;
    ReadConnection(r, i, &c);
    out->push_back(std::move(c));
  }
  return true;
}

bool FleetReader::SessionsOver(std::string_view community_id, std::string_view exclude_host,
                               int64_t around_ms, int64_t window_ms,
                               std::vector<FleetSessionRef>* out, std::string* error) {
  Result r(conn_,
           "SELECT host, id, start_ms FROM auditlens.sessions WHERE community_id = $1 "
           "AND host <> $2 AND start_ms BETWEEN $3::bigint - $4::bigint AND $3::bigint + $4::bigint "
           "ORDER BY abs(start_ms - $3::bigint), host, id",
           {std::string(community_id), std::string(exclude_host), std::to_string(around_ms),
            std::to_string(window_ms)});
  if (!r.ok()) {
    *error = r.error();
    return false;
  }
  for (int i = 0; i < r.rows(); ++i) {
    FleetSessionRef s;
    s.key.host = r.Text(i, 0);
    s.key.id = r.Text(i, 1);
    s.start_ms = r.Int(i, 2);
    out->push_back(std::move(s));
  }
  return true;
}

bool FleetReader::ConnectOver(std::string_view community_id, std::string_view exclude_host,
                              int64_t around_ms, int64_t window_ms, FleetConnection* out,
                              std::string* error) {
  error->clear();
  Result r(conn_,
           (std::string("SELECT ") + kConnectionColumns +
            " FROM auditlens.connections WHERE community_id = $1 AND op = 'connect' AND host <> $2"
            " AND time_ms BETWEEN $3::bigint - $4::bigint AND $3::bigint + $4::bigint"
            " ORDER BY abs(time_ms - $3::bigint), host LIMIT 1")
               .c_str(),
           {std::string(community_id), std::string(exclude_host), std::to_string(around_ms),
            std::to_string(window_ms)});
  if (!r.ok()) {
    *error = r.error();
    return false;
  }
  if (r.rows() == 0) return false;
  ReadConnection(r, 0, out);
  return true;
}

}  // namespace auditlens
