#include "query/store_reader.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <unistd.h>

#include <cstdlib>

#include "common/json_value.h"
#include "common/parse_int.h"
#include "config/config.h"
#include "config/default_config.h"
#include "store/schema.h"

namespace auditlens {
namespace {

// A statement from the reader's cache (prepared on first use), reset when it goes out of scope.
// The same SQL run again while a statement of it is still in use gets one of its own.
class Statement {
 public:
  Statement(std::unordered_map<std::string, PreparedStatement>& cache, sqlite3* db,
            const char* sql)
      : db_(db) {
    auto [it, added] = cache.try_emplace(sql);
    if (added || it->second.stmt == nullptr) {
      it->second.stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql, -1, &it->second.stmt, nullptr) != SQLITE_OK) {
        sqlite3_finalize(it->second.stmt);
        it->second.stmt = nullptr;
        return;
      }
    }
    if (!it->second.in_use) {
      cached_ = &it->second;
      cached_->in_use = true;
      st_ = cached_->stmt;
      ok_ = true;
    } else {
      ok_ = sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) == SQLITE_OK;
    }
  }
  ~Statement() {
    if (cached_ == nullptr) {
      sqlite3_finalize(st_);
      return;
    }
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
    cached_->in_use = false;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool ok() const { return ok_; }
  sqlite3_stmt* get() { return st_; }
  void Bind(int i, std::string_view s) {
    sqlite3_bind_text(st_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(st_, i, v); }
  // SQLITE_ROW: true; SQLITE_DONE: false (error set on anything else).
  bool Step(std::string* error) {
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) *error = sqlite3_errmsg(db_);
    return false;
  }
  std::string Text(int c) {
    const unsigned char* t = sqlite3_column_text(st_, c);
    return t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(st_, c))
             : std::string();
  }
  int64_t Int(int c, int64_t null_value = 0) {
    return sqlite3_column_type(st_, c) == SQLITE_NULL ? null_value : sqlite3_column_int64(st_, c);
  }
  bool IsNull(int c) { return sqlite3_column_type(st_, c) == SQLITE_NULL; }
  int Type(int c) { return sqlite3_column_type(st_, c); }
  std::string_view Blob(int c) {
    const void* b = sqlite3_column_blob(st_, c);
    return b ? std::string_view(static_cast<const char*>(b),
                                static_cast<size_t>(sqlite3_column_bytes(st_, c)))
             : std::string_view();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
  PreparedStatement* cached_ = nullptr;
  bool ok_ = false;
};

// The last column is community_id (schema version 3), or NULL in a version 2 store.
constexpr char kSessionColumns[] =
    "id,host,user,service,source_ip,dest_ip,hostname,terminal,tty,state,leader_entity,ses,auid,"
    "source_port,dest_port,login_pid,start_ms,end_ms,last_seen_ms,failures,from_proc,";

void ReadSession(Statement& st, StoredSession* s) {
  s->id = st.Text(0);
  s->host = st.Text(1);
  s->user = st.Text(2);
  s->service = st.Text(3);
  s->source_ip = st.Text(4);
  s->dest_ip = st.Text(5);
  s->hostname = st.Text(6);
  s->terminal = st.Text(7);
  s->tty = st.Text(8);
  s->state = st.Text(9);
  s->leader_entity = st.Text(10);
  s->ses = st.Int(11, -1);
  s->auid = st.Int(12, -1);
  s->source_port = st.Int(13);
  s->dest_port = st.Int(14);
  s->login_pid = st.Int(15);
  s->start_ms = st.Int(16);
  s->end_ms = st.Int(17);
  s->last_seen_ms = st.Int(18);
  s->failures = st.Int(19);
  s->from_proc = st.Int(20) != 0;
  s->community_id = st.Text(21);
}

// A column that may hold a code (version 6, store_codes.h): its text when it holds text, else the
// code's text.
std::string SessionKeyText(Statement& st, int c, StoreReader& reader) {
  return st.Type(c) == SQLITE_INTEGER ? reader.SessionIdOf(st.Int(c)) : st.Text(c);
}
std::string EntityColumn(Statement& st, int c) {
  return st.Type(c) == SQLITE_INTEGER ? auditlens::EntityText(st.Int(c)) : st.Text(c);
}
std::string CodeText(Statement& st, int c, std::string_view (*name)(int64_t)) {
  return st.Type(c) == SQLITE_INTEGER ? std::string(name(st.Int(c))) : st.Text(c);
}

void ReadEvent(Statement& st, TimelineData* out, StoreReader& reader) {
  StoredEvent e;
  e.time_ms = st.Int(0);
  e.serial = st.Int(1);
  e.pid = st.Int(2);
  e.uid = st.Int(3, -1);
  e.kind = CodeText(st, 4, KindName);
  e.action = st.Type(5) == SQLITE_INTEGER ? reader.ActionName(st.Int(5)) : st.Text(5);
  e.outcome = CodeText(st, 6, OutcomeNameOf);
  e.role = CodeText(st, 7, RoleName);
  e.entity_id = EntityColumn(st, 8);
  e.detail = st.Type(9) == SQLITE_BLOB ? ExpandDetail(st.Blob(9), e.action) : st.Text(9);
  e.session_id = SessionKeyText(st, 10, reader);
  out->events.push_back(std::move(e));
}

}  // namespace

std::string StoredContainer::ShortId() const {
  const bool hex = id.size() == 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  return hex ? id.substr(0, 12) : id;
}

std::string StoredContainer::Label() const { return name.empty() ? ShortId() : name; }

bool ResolveStorePath(const std::string& config_path, const std::string& db, std::string* path,
                      std::string* error) {
  if (!db.empty()) {
    *path = db;
    return true;
  }
  Config config;
  bool ok = config_path.empty() ? ParseConfig(kDefaultConfig, &config, error)
                                : LoadConfig(config_path, &config, error);
  if (!ok) return false;
  if (!config.store.enabled || config.store.path.empty()) {
    *error = (config_path.empty() ? std::string("the default config") : config_path) +
             " has no store ([store] enabled and path); give --db FILE";
    return false;
  }
  *path = config.store.path;
  return true;
}

bool UseColour(const std::string& when, int fd) {
  if (when == "always") return true;
  if (when == "never") return false;
  const char* term = getenv("TERM");
  return isatty(fd) && getenv("NO_COLOR") == nullptr && term != nullptr &&
         std::string_view(term) != "dumb";
}

bool OpenStore(const std::string& config_path, const std::string& db, StoreReader* reader,
               std::string* path, std::string* error) {
  return ResolveStorePath(config_path, db, path, error) && reader->Open(*path, error);
}

StoreReader::~StoreReader() {
  for (auto& [sql, prepared] : statements_) sqlite3_finalize(prepared.stmt);
  sqlite3_close(db_);
}

bool StoreReader::Open(const std::string& path, std::string* error) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 && errno == ENOENT) {
    *error = "no store at " + path +
             " (the agent writes it when [store] is enabled; see docs/store.md)";
    return false;
  }
  // A store that exists but this user cannot read (the agent's is root's, 0600 in a 0700
  // directory): say so rather than "no store", since SQLite's own words would be vaguer.
  if (access(path.c_str(), R_OK) != 0) {
    const int err = errno;
    *error = "cannot read the store at " + path + ": " + strerror(err) +
             (err == EACCES || err == EPERM
                  ? " (run as root, or give --db a copy this user may read)"
                  : "");
    return false;
  }
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    *error = "cannot open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory");
    return false;
  }
  sqlite3_busy_timeout(db_, 5000);
  Statement version(statements_, db_, "SELECT value FROM meta WHERE key='schema_version'");
  if (!version.ok()) {
    *error = path + " is not an auditlens store: " + sqlite3_errmsg(db_);
    return false;
  }
  if (!version.Step(error)) {
    if (error->empty()) *error = path + " is not an auditlens store (no schema version)";
    return false;
  }
  // Version 2 differs from 3 only by the missing sessions.community_id (read as NULL), 3 from 4 by
  // the missing container columns and table (read as none), 4 from 5 by the missing summaries
  // (built when listed) and indexes: an agent of this version upgrades
  // them when it next opens them.
  const std::string v = version.Text(0);
  if (v != std::to_string(kStoreSchemaVersion) && v != "2" && v != "3" && v != "4" && v != "5" &&
      v != "6") {
    *error = path + " has store schema version " + v + "; this auditlens reads 2 to " +
             std::to_string(kStoreSchemaVersion);
    return false;
  }
  version_ = v[0] - '0';
  session_columns_ = std::string(kSessionColumns) + (v == "2" ? "NULL" : "community_id");
  if (version_ >= 6) {
    // al_entity turns the processes' entity ids into the events' codes (a container's events).
    if (!LoadCodes(error)) {
      *error = path + ": " + *error;
      return false;
    }
    if (!RegisterStoreCodeFunctions(db_, nullptr, nullptr)) {
      *error = path + ": " + sqlite3_errmsg(db_);
      return false;
    }
  }
  return true;
}

namespace {

// A listing's summary columns after the session's (kSessionColumns): whether the stored summary is
// current (it names the session's newest event: one descent of events_session), and the summary.
// (Version 6: the events hold the session's key.)
std::string SummaryColumns(int version) {
  return std::string(
             ", summarized = 1 AND (summary_ms, summary_serial) = (SELECT time_ms, serial FROM"
             " events e WHERE e.session_id = s.") +
         (version >= 6 ? "key" : "id") +
         " ORDER BY time_ms DESC, serial DESC LIMIT 1),"
         " commands, failed_commands, failed, containers FROM sessions s";
}

// Columns 22..26 of a listing (kSummaryColumns), when the summary is current.
void ReadSummary(Statement& st, StoredSession* s) {
  if (st.Int(22) == 0) return;
  s->summarized = true;
  s->commands = st.Int(23);
  s->failed_commands = st.Int(24);
  s->failed = st.Int(25);
  s->summary_containers = st.Text(26);
}

}  // namespace

std::string ListSessionsSql(const SessionFilter& filter, int version) {
  std::string sql;
  const std::string columns = std::string(kSessionColumns) + (version == 2 ? "NULL" : "community_id");
  if (version >= 5) {
    // Each filter a term an index serves: sessions_user (user, start_ms), sessions_active
    // (active_ms, the same max() as below, stored), sessions_start for the order. The summary is
    // current when it names the session's newest event (one descent of events_session; a session
    // without events has its timeline built).
    sql = "SELECT " + columns + SummaryColumns(version);
    // Named: without statistics SQLite may prefer walking sessions_start for the order, which
    // reads every session for --since.
    if (!filter.user.empty()) {
      sql += " INDEXED BY sessions_user";
    } else if (filter.since_ms > 0) {
      sql += " INDEXED BY sessions_active";
    }
    sql += " WHERE 1";
    if (!filter.user.empty()) sql += " AND user = ?1";
    if (filter.since_ms > 0) sql += " AND active_ms >= ?2";
  } else {
    sql = "SELECT " + columns +
          " FROM sessions WHERE (?1 = '' OR user = ?1)"
          " AND max(start_ms, coalesce(end_ms, 0), coalesce(last_seen_ms, 0)) >= ?2";
  }
  if (!filter.container_id.empty()) {
    // A store older than version 4 knows no containers: no session ran in one.
    sql += version >= 6   ? " AND key IN (SELECT session_id FROM processes WHERE container_id = ?3)"
           : version >= 4 ? " AND id IN (SELECT session_id FROM processes WHERE container_id = ?3)"
                          : " AND 0";
  }
  sql += " ORDER BY start_ms DESC, id DESC";
  // SQLite reads a LIMIT beyond int64 as a type error: such a limit means all rows.
  if (filter.limit > 0 && filter.limit <= static_cast<size_t>(INT64_MAX)) {
    sql += " LIMIT " + std::to_string(filter.limit);
  }
  return sql;
}

bool StoreReader::ListSessions(const SessionFilter& filter, std::vector<StoredSession>* out,
                               std::string* error) {
  const std::string sql = ListSessionsSql(filter, version_);
  Statement st(statements_, db_, sql.c_str());
  if (!st.ok()) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  st.Bind(1, filter.user);
  st.Bind(2, filter.since_ms);
  if (!filter.container_id.empty() && version_ >= 4) st.Bind(3, filter.container_id);
  error->clear();
  while (st.Step(error)) {
    StoredSession s;
    ReadSession(st, &s);
    if (version_ >= 5) ReadSummary(st, &s);
    out->push_back(std::move(s));
  }
  if (!error->empty()) return false;
  std::reverse(out->begin(), out->end());
  return true;
}

std::string SessionPageSql(const SessionQuery& q, int version) {
  const std::string columns = std::string(kSessionColumns) + (version == 2 ? "NULL" : "community_id");
  std::string sql = "SELECT " + columns;
  if (version >= 5) {
    sql += SummaryColumns(version);
    // The order's own index (sessions_start, walked backwards from the cursor), or a user's
    // (user, start_ms): a page stops after limit rows, wherever it starts.
    sql += q.user.empty() ? " INDEXED BY sessions_start" : " INDEXED BY sessions_user";
  } else {
    sql += ", 0, NULL, NULL, NULL, NULL FROM sessions s";
  }
  sql += " WHERE 1";
  if (!q.user.empty()) sql += " AND user = ?1";
  if (!q.host.empty()) sql += " AND host = ?2";
  if (!q.source_ip.empty()) sql += " AND source_ip = ?3";
  if (q.since_ms > 0) {
    sql += version >= 5 ? " AND active_ms >= ?4"
                        : " AND max(start_ms, coalesce(end_ms, 0), coalesce(last_seen_ms, 0)) >= ?4";
  }
  if (q.until_ms > 0) sql += " AND start_ms <= ?5";
  // A summary that is missing or out of date (a later event sets summarized to NULL) is computed
  // by the caller; a current one with no failures rules the session out here.
  if (q.failures_only && version >= 5) {
    sql += " AND (state = 'failed' OR failures > 0 OR summarized IS NULL OR failed > 0)";
  }
  if (q.after_cursor) sql += " AND (start_ms < ?6 OR (start_ms = ?6 AND id < ?7))";
  sql += " ORDER BY start_ms DESC, id DESC LIMIT ?8";
  return sql;
}

bool StoreReader::ListSessionRows(const SessionQuery& q, std::vector<StoredSession>* out,
                                  std::string* error) {
  const std::string sql = SessionPageSql(q, version_);
  Statement st(statements_, db_, sql.c_str());
  if (!st.ok()) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  if (!q.user.empty()) st.Bind(1, q.user);
  if (!q.host.empty()) st.Bind(2, q.host);
  if (!q.source_ip.empty()) st.Bind(3, q.source_ip);
  if (q.since_ms > 0) st.Bind(4, q.since_ms);
  if (q.until_ms > 0) st.Bind(5, q.until_ms);
  if (q.after_cursor) {
    st.Bind(6, q.cursor_start_ms);
    st.Bind(7, q.cursor_id);
  }
  st.Bind(8, static_cast<int64_t>(std::min<size_t>(q.limit, 100000)));
  error->clear();
  while (st.Step(error)) {
    StoredSession s;
    ReadSession(st, &s);
    ReadSummary(st, &s);
    out->push_back(std::move(s));
  }
  return error->empty();
}

namespace {
constexpr char kEventColumns[] =
    "SELECT time_ms, serial, pid, uid, kind, action, outcome, role, entity_id, detail, session_id"
    " FROM events";
}  // namespace

bool StoreReader::LoadSessionRow(const std::string& id, StoredSession* out, std::string* error) {
  Statement st(statements_, db_, ("SELECT " + session_columns_ + " FROM sessions WHERE id = ?1").c_str());
  if (!st.ok()) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  st.Bind(1, id);
  error->clear();
  if (!st.Step(error)) return false;
  ReadSession(st, out);
  return true;
}

bool StoreReader::LoadEvent(int64_t time_ms, int64_t serial, StoredEvent* out, std::string* error) {
  Statement st(statements_, db_, (std::string(kEventColumns) + " WHERE time_ms = ?1 AND serial = ?2").c_str());
  if (!st.ok()) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  st.Bind(1, time_ms);
  st.Bind(2, serial);
  error->clear();
  TimelineData one;
  if (!st.Step(error)) return false;
  ReadEvent(st, &one, *this);
  *out = std::move(one.events.front());
  return true;
}

bool StoreReader::LoadProcess(const std::string& entity_id, StoredProcess* out,
                              std::string* error) {
  TimelineData one;
  if (!LoadProcesses("entity_id = ?1", entity_id, &one, error)) return false;
  if (one.processes.empty()) return false;
  *out = std::move(one.processes.front());
  return true;
}

bool StoreReader::LoadEventsAfter(const std::string& session_id, int64_t time_ms, int64_t serial,
                                  size_t limit, std::vector<StoredEvent>* out,
                                  std::string* error) {
  // events_session (session_id, time_ms): a range from the cursor's millisecond on.
  Statement st(statements_, db_, (std::string(kEventColumns) +
                     " WHERE session_id = " + KeyOf(1) +
                     " AND time_ms >= ?2 AND (time_ms > ?2 OR serial > ?3)"
                     " ORDER BY time_ms, serial LIMIT ?4")
                        .c_str());
  if (!st.ok()) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  st.Bind(1, session_id);
  st.Bind(2, time_ms);
  st.Bind(3, serial);
  st.Bind(4, static_cast<int64_t>(limit));
  error->clear();
  TimelineData got;
  while (st.Step(error)) ReadEvent(st, &got, *this);
  if (!error->empty()) return false;
  for (StoredEvent& e : got.events) out->push_back(std::move(e));
  return true;
}

bool StoreReader::NewestEvent(const std::string& id, int64_t* time_ms, int64_t* serial,
                              std::string* error) {
  Statement st(statements_, db_,
               ("SELECT time_ms, serial FROM events WHERE session_id = " + KeyOf(1) +
                " ORDER BY time_ms DESC, serial DESC LIMIT 1")
                   .c_str());
  if (!st.ok()) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  st.Bind(1, id);
  error->clear();
  *time_ms = 0;
  *serial = 0;
  if (st.Step(error)) {
    *time_ms = st.Int(0);
    *serial = st.Int(1);
  }
  return error->empty();
}

bool StoreReader::ContainersOf(const std::string& ids_json, std::vector<StoredContainer>* out,
                               std::string* error) {
  JsonValue ids;
  if (ids_json.empty() || !JsonValue::Parse(ids_json, &ids)) return true;
  for (const JsonValue& id : ids.items()) {
    StoredContainer c;
    if (!ReadContainer(id.text(), &c, error)) return false;
    out->push_back(std::move(c));
  }
  return true;
}

bool StoreReader::ResolveSession(std::string_view spec, std::string* id, std::string* error) {
  error->clear();
  {
    Statement exact(statements_, db_, "SELECT id FROM sessions WHERE id = ?1");
    exact.Bind(1, spec);
    if (exact.Step(error)) {
      *id = exact.Text(0);
      return true;
    }
  }
  int64_t ses = 0;
  const bool number = !spec.empty() && spec[0] != '-' && ParseI64(spec, &ses);
  if (number) {
    Statement by_ses(statements_, db_, kSessionBySesSql);
    by_ses.Bind(1, ses);
    if (by_ses.Step(error)) {
      *id = by_ses.Text(0);
      return true;
    }
  }
  // An id prefix is a range of the primary key: [spec, the next string after every one that starts
  // with spec). (No upper end when spec is empty or all 0xff bytes.)
  std::string upper(spec);
  while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xff) upper.pop_back();
  if (!upper.empty()) upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
  Statement prefix(statements_, db_, upper.empty() ? kSessionFromSql : kSessionPrefixSql);
  prefix.Bind(1, spec);
  if (!upper.empty()) prefix.Bind(2, upper);
  std::vector<std::string> found;
  while (prefix.Step(error)) found.push_back(prefix.Text(0));
  if (found.size() == 1) {
    *id = found[0];
    return true;
  }
  if (error->empty()) {
    *error = found.empty() ? "no session " + std::string(spec) + " in the store"
                           : "'" + std::string(spec) + "' names several sessions (" + found[0] +
                                 ", " + found[1] + ", ...): give more of the id";
  }
  return false;
}

bool StoreReader::LoadTimeline(const std::string& id, TimelineData* out, std::string* error) {
  error->clear();
  {
    Statement st(statements_, db_, ("SELECT " + session_columns_ + " FROM sessions WHERE id = ?1").c_str());
    st.Bind(1, id);
    if (!st.Step(error)) {
      if (error->empty()) *error = "no session " + id + " in the store";
      return false;
    }
    ReadSession(st, &out->session);
  }
  {
    Statement st(statements_, db_,
                 ("SELECT time_ms, serial, pid, uid, kind, action, outcome, role, entity_id,"
                  " detail, session_id FROM events WHERE session_id = " + KeyOf(1) +
                  " AND detail IS NOT NULL ORDER BY time_ms, serial")
                     .c_str());
    st.Bind(1, id);
    while (st.Step(error)) ReadEvent(st, out, *this);
    if (!error->empty()) return false;
  }
  return LoadProcesses(("session_id = " + KeyOf(1)).c_str(), id, out, error) &&
         LoadContainers(out, error);
}

bool StoreReader::LoadCodes(std::string* error) {
  // The codes' tables are small: read whole, at open and again when a row has a code they did
  // not have (the agent added a name or a boot since: a long-lived reader such as `auditlens web`).
  StoreCodes codes;
  for (const char* sql : {"SELECT n, id FROM boots", "SELECT code, name FROM names"}) {
    Statement st(statements_, db_, sql);
    if (!st.ok()) {
      *error = sqlite3_errmsg(db_);
      return false;
    }
    error->clear();
    while (st.Step(error)) {
      if (sql[7] == 'n') {  // "SELECT n, id FROM boots"
        codes.keys.AddBoot(st.Int(0), st.Text(1));
      } else {
        codes.names.Add(st.Int(0), st.Text(1));
      }
    }
    if (!error->empty()) return false;
  }
  codes_ = std::move(codes);
  return true;
}

std::string StoreReader::ActionName(int64_t code) {
  std::string_view name = codes_.names.Name(code);
  std::string error;
  if (name.empty() && LoadCodes(&error)) name = codes_.names.Name(code);
  return std::string(name);
}

std::string StoreReader::SessionIdOf(int64_t key) {
  std::string id = codes_.keys.Decode(key);
  std::string error;
  if (id.empty() && LoadCodes(&error)) id = codes_.keys.Decode(key);
  return id;
}

std::string StoreReader::KeyOf(int n) const {
  // A scalar subquery, run once per statement: the index on the rows' session column still serves.
  return version_ >= 6 ? "(SELECT key FROM sessions WHERE id = ?" + std::to_string(n) + ")"
                       : "?" + std::to_string(n);
}

bool StoreReader::LoadProcesses(const char* where, const std::string& key, TimelineData* out,
                                std::string* error) {
  const std::string sql =
      std::string("SELECT entity_id, parent_entity, previous_entity, exe, args, cwd, role, origin,"
                  " pid, ppid, uid, euid, start_ms, exit_ms, exit_code, args_truncated, session_id,") +
      (version_ >= 4 ? " container_id, container_runtime, service, exe_sha256"
                     : " NULL, NULL, NULL, NULL") +
      (version_ >= 7 ? ", labels" : ", NULL") + " FROM processes WHERE " + where +
      " ORDER BY start_ms";
  Statement st(statements_, db_, sql.c_str());
  if (!st.ok()) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  st.Bind(1, key);
  error->clear();
  while (st.Step(error)) {
    StoredProcess p;
    p.entity_id = st.Text(0);
    p.parent_entity = EntityColumn(st, 1);
    p.previous_entity = EntityColumn(st, 2);
    p.exe = st.Text(3);
    p.args = st.Text(4);
    p.cwd = st.Text(5);
    p.role = CodeText(st, 6, RoleName);
    p.origin = CodeText(st, 7, OriginName);
    p.pid = st.Int(8);
    p.ppid = st.Int(9);
    p.uid = st.Int(10, -1);
    p.euid = st.Int(11, -1);
    p.start_ms = st.Int(12);
    p.exited = !st.IsNull(13);
    p.exit_ms = st.Int(13);
    p.exit_code = st.Int(14);
    p.args_truncated = st.Int(15) != 0;
    p.session_id = SessionKeyText(st, 16, *this);
    p.container_id = st.Text(17);
    p.container_runtime = st.Text(18);
    p.service = st.Text(19);
    p.exe_sha256 = st.Text(20);
    p.labels = st.Text(21);
    out->processes.push_back(std::move(p));
  }
  return error->empty();
}

bool StoreReader::ReadContainer(const std::string& id, StoredContainer* c, std::string* error) {
  // A container whose own row is missing (its row was dropped by a full ring) is still known by
  // its processes: its runtime and times come from them.
  Statement st(statements_, db_,
               "SELECT c.runtime, c.name, c.image, c.pod_name, c.pod_namespace, c.pod_uid,"
               " c.first_seen_ms, c.last_seen_ms,"
               " (SELECT container_runtime FROM processes WHERE container_id = ?1 LIMIT 1),"
               " (SELECT min(start_ms) FROM processes WHERE container_id = ?1),"
               " (SELECT max(max(coalesce(exit_ms, 0), coalesce(last_seen_ms, 0), start_ms))"
               "  FROM processes WHERE container_id = ?1),"
               " (SELECT count(*) FROM processes WHERE container_id = ?1),"
               " (SELECT count(DISTINCT session_id) FROM processes WHERE container_id = ?1)"
               " FROM (SELECT ?1 AS id) i LEFT JOIN containers c ON c.id = i.id");
  if (!st.ok()) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  st.Bind(1, id);
  error->clear();
  if (!st.Step(error)) return error->empty();
  c->id = id;
  c->runtime = st.IsNull(0) ? st.Text(8) : st.Text(0);
  c->name = st.Text(1);
  c->image = st.Text(2);
  c->pod_name = st.Text(3);
  c->pod_namespace = st.Text(4);
  c->pod_uid = st.Text(5);
  c->first_seen_ms = st.IsNull(6) ? st.Int(9) : st.Int(6);
  c->last_seen_ms = std::max(st.Int(7), st.Int(10));
  c->processes = st.Int(11);
  c->sessions = st.Int(12);
  return true;
}

bool StoreReader::LoadContainers(TimelineData* out, std::string* error) {
  std::vector<std::string> ids;
  for (const StoredProcess& p : out->processes) {
    if (!p.container_id.empty() &&
        std::find(ids.begin(), ids.end(), p.container_id) == ids.end()) {
      ids.push_back(p.container_id);
    }
  }
  for (const std::string& id : ids) {
    StoredContainer c;
    if (!ReadContainer(id, &c, error)) return false;
    out->containers.push_back(std::move(c));
  }
  return true;
}

bool StoreReader::ListContainers(const ContainerFilter& filter, std::vector<StoredContainer>* out,
                                 std::string* error) {
  error->clear();
  if (version_ < 4) return true;
  Statement st(statements_, db_,
               "SELECT id FROM (SELECT id, first_seen_ms AS seen, last_seen_ms AS last"
               " FROM containers UNION ALL SELECT container_id, min(start_ms),"
               " max(max(coalesce(exit_ms, 0), coalesce(last_seen_ms, 0), start_ms))"
               " FROM processes WHERE container_id IS NOT NULL"
               " AND container_id NOT IN (SELECT id FROM containers) GROUP BY container_id)"
               " WHERE max(seen, coalesce(last, 0)) >= ?1 ORDER BY seen, id");
  if (!st.ok()) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  st.Bind(1, filter.since_ms);
  std::vector<std::string> ids;
  while (st.Step(error)) ids.push_back(st.Text(0));
  if (!error->empty()) return false;
  for (const std::string& id : ids) {
    StoredContainer c;
    if (!ReadContainer(id, &c, error)) return false;
    out->push_back(std::move(c));
  }
  return true;
}

bool StoreReader::ResolveContainer(std::string_view spec, std::string* id, std::string* error) {
  error->clear();
  if (version_ < 4) {
    *error = "the store has schema version " + std::to_string(version_) +
             ", which records no containers (the agent upgrades it to version 4 when it next "
             "opens it)";
    return false;
  }
  constexpr char kIds[] =
      "(SELECT id FROM containers UNION SELECT container_id FROM processes"
      " WHERE container_id IS NOT NULL)";
  {
    Statement exact(statements_, db_, (std::string("SELECT id FROM ") + kIds + " WHERE id = ?1").c_str());
    exact.Bind(1, spec);
    if (exact.Step(error)) {
      *id = exact.Text(0);
      return true;
    }
    if (!error->empty()) return false;
  }
  {
    Statement by_name(statements_, db_,
                      "SELECT id FROM containers WHERE name = ?1 ORDER BY last_seen_ms DESC LIMIT 1");
    by_name.Bind(1, spec);
    if (by_name.Step(error)) {
      *id = by_name.Text(0);
      return true;
    }
    if (!error->empty()) return false;
  }
  const bool hex = !spec.empty() && std::all_of(spec.begin(), spec.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (hex && spec.size() < 12) {
    *error = "'" + std::string(spec) +
             "' is too short for a container id: give at least 12 characters, or its name";
    return false;
  }
  std::vector<std::string> found;
  if (hex) {
    Statement prefix(statements_, db_, (std::string("SELECT id FROM ") + kIds +
                           " WHERE substr(id, 1, length(?1)) = ?1 LIMIT 3")
                              .c_str());
    prefix.Bind(1, spec);
    while (prefix.Step(error)) found.push_back(prefix.Text(0));
    if (!error->empty()) return false;
  }
  if (found.size() == 1) {
    *id = found[0];
    return true;
  }
  *error = found.empty() ? "no container " + std::string(spec) + " in the store"
                         : "'" + std::string(spec) + "' names several containers (" + found[0] +
                               ", " + found[1] + ", ...): give more of the id";
  return false;
}

bool StoreReader::LoadGroupEvents(const char* where, const std::string& key, TimelineData* out,
                                  std::string* error) {
  // The group's events outside sessions (events_entity), and those of its processes that belong to
  // a session (events_session, by the sessions its processes belong to). Version 6 on: the events
  // hold the entity ids' codes (al_entity).
  const std::string entities = std::string(version_ >= 6 ? "(SELECT al_entity(entity_id)"
                                                         : "(SELECT entity_id") +
                               " FROM processes WHERE " + where + ")";
  Statement st(statements_, db_,
               ("SELECT time_ms, serial, pid, uid, kind, action, outcome, role, entity_id, detail,"
                " session_id FROM events WHERE session_id IS NULL AND detail IS NOT NULL"
                " AND entity_id IN " + entities +
                " UNION ALL "
                "SELECT time_ms, serial, pid, uid, kind, action, outcome, role, entity_id, detail,"
                " session_id FROM events WHERE session_id IN (SELECT DISTINCT session_id"
                " FROM processes WHERE " + where + " AND session_id IS NOT NULL)"
                " AND detail IS NOT NULL"
                " AND entity_id IN " + entities + " ORDER BY 1, 2")
                   .c_str());
  if (!st.ok()) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  st.Bind(1, key);
  while (st.Step(error)) ReadEvent(st, out, *this);
  return error->empty();
}

bool StoreReader::LoadLabelTimeline(const std::string& label, TimelineData* out,
                                    std::string* error) {
  error->clear();
  if (version_ < 7) {
    *error = "this store (schema version " + std::to_string(version_) +
             ") keeps no labels: an agent of this version adds them to the processes it records";
    return false;
  }
  out->container_view = true;
  out->label = label;
  // processes_labelled: only the labelled processes, by start; the label is a whole name of the
  // space-separated list.
  static constexpr char kLabelled[] =
      "labels IS NOT NULL AND instr(' ' || labels || ' ', ' ' || ?1 || ' ') > 0";
  if (!LoadProcesses(kLabelled, label, out, error)) return false;
  if (out->processes.empty()) {
    *error = "no process with the label '" + label + "' in the store";
    return false;
  }
  if (!LoadGroupEvents(kLabelled, label, out, error)) return false;
  return LoadContainers(out, error);
}

bool StoreReader::LoadContainerTimeline(const std::string& id, TimelineData* out,
                                        std::string* error) {
  error->clear();
  out->container_view = true;
  if (!ReadContainer(id, &out->container, error)) return false;
  if (!LoadProcesses("container_id = ?1", id, out, error)) return false;
  if (!LoadGroupEvents("container_id = ?1", id, out, error)) return false;
  out->containers.push_back(out->container);
  return true;
}

}  // namespace auditlens
