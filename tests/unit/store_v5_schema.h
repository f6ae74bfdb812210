// Store schema version 5 as it was (src/store/schema.h before version 6), for tests that build or
// check older stores: kStoreSchemaV5 is that version's kStoreSchema, verbatim, and
// DowngradeStoreToV5 turns a store of this version back into one of version 5 (its codes back into
// text, as an agent of version 5 wrote them), so that a test can read and upgrade a real version 5
// store made from the same sessions.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "query/store_reader.h"
#include "store/schema.h"
#include "store/store_codes.h"

namespace auditlens::testing {

inline constexpr char kStoreSchemaV5[] = R"SQL(
PRAGMA auto_vacuum = INCREMENTAL;
CREATE TABLE IF NOT EXISTS meta(
  key TEXT PRIMARY KEY,
  value TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions(
  id TEXT PRIMARY KEY,
  host TEXT,
  boot_id TEXT,
  ses INTEGER,
  auid INTEGER,
  user TEXT,
  service TEXT,
  source_ip TEXT,
  source_port INTEGER,
  dest_ip TEXT,
  dest_port INTEGER,
  hostname TEXT,
  terminal TEXT,
  tty TEXT,
  login_pid INTEGER,
  leader_entity TEXT,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER,
  last_seen_ms INTEGER,
  state TEXT NOT NULL,
  failures INTEGER NOT NULL DEFAULT 0,
  from_proc INTEGER NOT NULL DEFAULT 0,
  updated_ms INTEGER,
  community_id TEXT,
  active_ms INTEGER GENERATED ALWAYS AS
    (max(start_ms, coalesce(end_ms, 0), coalesce(last_seen_ms, 0))) VIRTUAL,
  summarized INTEGER,
  summary_ms INTEGER,
  summary_serial INTEGER,
  commands INTEGER,
  failed_commands INTEGER,
  failed INTEGER,
  containers TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_start ON sessions(start_ms);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user, start_ms);
CREATE TABLE IF NOT EXISTS processes(
  entity_id TEXT PRIMARY KEY,
  boot_id TEXT,
  pid INTEGER NOT NULL,
  ppid INTEGER,
  parent_entity TEXT,
  previous_entity TEXT,
  exe TEXT,
  args TEXT,
  args_truncated INTEGER,
  cwd TEXT,
  uid INTEGER,
  euid INTEGER,
  auid INTEGER,
  ses INTEGER,
  session_id TEXT,
  role TEXT,
  origin TEXT,
  start_ms INTEGER NOT NULL,
  exit_ms INTEGER,
  exit_code INTEGER,
  last_seen_ms INTEGER,
  updated_ms INTEGER,
  container_id TEXT,
  container_runtime TEXT,
  service TEXT,
  exe_sha256 TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS processes_session ON processes(session_id, start_ms)
  WHERE session_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS processes_start ON processes(start_ms);
-- Keyed by time: the table is its own time index, and a row (appended at the end, as events come
-- in time order) costs one B-tree insert. The session index holds session events only.
CREATE TABLE IF NOT EXISTS events(
  time_ms INTEGER NOT NULL,
  serial INTEGER NOT NULL,
  session_id TEXT,
  entity_id TEXT,
  pid INTEGER,
  uid INTEGER,
  kind TEXT NOT NULL,
  action TEXT,
  outcome TEXT,
  role TEXT,
  detail TEXT,
  PRIMARY KEY (time_ms, serial)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_session ON events(session_id, time_ms)
  WHERE session_id IS NOT NULL;
-- One row per container a process was seen in; its name and image arrive when the runtime has
-- been asked (one UPDATE, the processes keep only the id).
CREATE TABLE IF NOT EXISTS containers(
  id TEXT PRIMARY KEY,
  runtime TEXT,
  name TEXT,
  image TEXT,
  pod_name TEXT,
  pod_namespace TEXT,
  pod_uid TEXT,
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms INTEGER,
  updated_ms INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS containers_name ON containers(name) WHERE name IS NOT NULL;
)SQL";

namespace v5 {

inline std::string_view Text(sqlite3_value* v) {
  const unsigned char* t = sqlite3_value_text(v);
  return std::string_view(t ? reinterpret_cast<const char*>(t) : "",
                          static_cast<size_t>(sqlite3_value_bytes(v)));
}

inline void Result(sqlite3_context* ctx, std::string_view s) {
  if (s.empty()) {
    sqlite3_result_null(ctx);
  } else {
    sqlite3_result_text(ctx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
}

// dec(what, value[, action]): the text a version 6 value stands for (text passes through).
inline void Decode(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  const auto* codes = static_cast<const StoreCodes*>(sqlite3_user_data(ctx));
  const std::string_view what = Text(argv[0]);
  sqlite3_value* v = argv[1];
  const int type = sqlite3_value_type(v);
  if (what == "detail" && type == SQLITE_BLOB) {
    const std::string action = argc > 2 ? std::string(Text(argv[2])) : std::string();
    std::string_view blob(static_cast<const char*>(sqlite3_value_blob(v)),
                          static_cast<size_t>(sqlite3_value_bytes(v)));
    Result(ctx, ExpandDetail(blob, action));
    return;
  }
  if (type != SQLITE_INTEGER) {
    sqlite3_result_value(ctx, v);
    return;
  }
  const int64_t n = sqlite3_value_int64(v);
  if (what == "session") {
    Result(ctx, codes->keys.Decode(n));
  } else if (what == "entity") {
    Result(ctx, EntityText(n));
  } else if (what == "kind") {
    Result(ctx, KindName(n));
  } else if (what == "outcome") {
    Result(ctx, OutcomeNameOf(n));
  } else if (what == "role") {
    Result(ctx, RoleName(n));
  } else if (what == "origin") {
    Result(ctx, OriginName(n));
  } else if (what == "action") {
    Result(ctx, codes->names.Name(n));
  } else {
    sqlite3_result_value(ctx, v);
  }
}

inline bool Exec(sqlite3* db, const std::string& sql, std::string* error) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return true;
  *error = message ? message : "error";
  sqlite3_free(message);
  return false;
}

}  // namespace v5

// The store at path (this version's) rewritten as version 5 wrote it. False with a message.
inline bool DowngradeStoreToV5(const std::string& path, std::string* error) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    *error = "cannot open " + path;
    sqlite3_close(db);
    return false;
  }
  StoreCodes codes;
  bool ok = true;
  for (const char* sql : {"SELECT n, id FROM boots", "SELECT code, name FROM names"}) {
    sqlite3_stmt* st = nullptr;
    ok = ok && sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK;
    while (ok && sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 1);
      const std::string text = t ? reinterpret_cast<const char*>(t) : "";
      if (sql[7] == 'n') {
        codes.keys.AddBoot(sqlite3_column_int64(st, 0), text);
      } else {
        codes.names.Add(sqlite3_column_int64(st, 0), text);
      }
    }
    sqlite3_finalize(st);
  }
  ok = ok && sqlite3_create_function_v2(db, "dec", -1, SQLITE_UTF8, &codes, v5::Decode, nullptr,
                                        nullptr, nullptr) == SQLITE_OK;
  ok = ok &&
       v5::Exec(db,
                "BEGIN;"
                "DROP INDEX IF EXISTS events_session; DROP INDEX IF EXISTS events_entity;"
                "DROP INDEX IF EXISTS processes_session; DROP INDEX IF EXISTS processes_start;"
                "DROP INDEX IF EXISTS processes_container; DROP INDEX IF EXISTS sessions_key;"
                "ALTER TABLE events RENAME TO events_v6; ALTER TABLE processes RENAME TO processes_v6;",
                error) &&
       v5::Exec(db, kStoreSchemaV5, error) && v5::Exec(db, kStoreIndexes4, error) &&
       v5::Exec(db,
                "INSERT INTO events SELECT time_ms, serial, dec('session', session_id),"
                " dec('entity', entity_id), pid, uid, dec('kind', kind), dec('action', action),"
                " dec('outcome', outcome), dec('role', role),"
                " dec('detail', detail, dec('action', action)) FROM events_v6;"
                "INSERT INTO processes SELECT entity_id, coalesce((SELECT id FROM boots b"
                " WHERE b.n = p.boot_id), boot_id), pid, ppid, dec('entity', parent_entity),"
                " dec('entity', previous_entity), exe, args, args_truncated, cwd, uid, euid, auid,"
                " ses, dec('session', session_id), dec('role', role), dec('origin', origin),"
                " start_ms, exit_ms, exit_code, last_seen_ms, updated_ms, container_id,"
                " container_runtime, service, exe_sha256 FROM processes_v6 p;"
                "DROP TABLE events_v6; DROP TABLE processes_v6;"
                "ALTER TABLE sessions DROP COLUMN key; DROP TABLE boots; DROP TABLE names;"
                "UPDATE meta SET value = '5' WHERE key = 'schema_version';"
                "COMMIT;",
                error);
  sqlite3_close(db);
  return ok;
}

}  // namespace auditlens::testing
