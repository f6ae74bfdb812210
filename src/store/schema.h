// The store's SQLite schema (docs/store.md explains every table and column). The agent creates it;
// `auditlens sessions` and `auditlens timeline` read it.
#pragma once

namespace auditlens {

inline constexpr int kStoreSchemaVersion = 5;

// Version 3 added sessions.community_id; a version 2 store is upgraded in place when the agent opens
// it (sqlite_store.cc): ALTER TABLE adds the column, its rows keep NULL.
inline constexpr char kStoreMigrateTo3[] = "ALTER TABLE sessions ADD COLUMN community_id TEXT";

// Version 4 added the container, systemd unit and program hash of each process (processes.
// container_id, container_runtime, service, exe_sha256) and the containers table (in kStoreSchema,
// created when missing). A version 2 or 3 store is upgraded in place: the columns are added, its
// rows keep NULL.
inline constexpr char kStoreMigrateTo4[] =
    "ALTER TABLE processes ADD COLUMN container_id TEXT;"
    "ALTER TABLE processes ADD COLUMN container_runtime TEXT;"
    "ALTER TABLE processes ADD COLUMN service TEXT;"
    "ALTER TABLE processes ADD COLUMN exe_sha256 TEXT;";

// The indexes on version 4's columns: made after the migration (a version 3 store has no
// processes.container_id until then). events_entity holds only the detailed events outside login
// sessions, which are the events of containers (session events have events_session; compact rows
// of daemons have no detail): `timeline --container` reads a container's events through it.
inline constexpr char kStoreIndexes4[] = R"SQL(
CREATE INDEX IF NOT EXISTS processes_container ON processes(container_id, start_ms)
  WHERE container_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_entity ON events(entity_id, time_ms)
  WHERE session_id IS NULL AND detail IS NOT NULL;
)SQL";

// Version 5: listings from the session rows alone, through indexes (docs/store.md "Listings").
// sessions.active_ms is the last time a session was seen active (start, end or last activity: what
// `sessions --since` compares), a generated column so that it can never disagree with those three;
// the summary columns (commands, failed_commands, failed, containers) are what `auditlens sessions`
// shows, computed by the store's writer with the timeline's own rules once a session has ended, and
// valid while summary_ms and summary_serial name the session's newest event (a later event, or a
// new session row, which sets summarized to NULL, makes the reader build that session's timeline
// instead, as before version 5). A version 2, 3 or 4 store is upgraded in place: the columns are
// added (active_ms needs no filling), the writer then fills the summaries of the ended sessions in
// the background, a few milliseconds at a time (until then they are built when listed).
inline constexpr char kStoreMigrateTo5[] =
    "ALTER TABLE sessions ADD COLUMN active_ms INTEGER GENERATED ALWAYS AS"
    " (max(start_ms, coalesce(end_ms, 0), coalesce(last_seen_ms, 0))) VIRTUAL;"
    "ALTER TABLE sessions ADD COLUMN summarized INTEGER;"
    "ALTER TABLE sessions ADD COLUMN summary_ms INTEGER;"
    "ALTER TABLE sessions ADD COLUMN summary_serial INTEGER;"
    "ALTER TABLE sessions ADD COLUMN commands INTEGER;"
    "ALTER TABLE sessions ADD COLUMN failed_commands INTEGER;"
    "ALTER TABLE sessions ADD COLUMN failed INTEGER;"
    "ALTER TABLE sessions ADD COLUMN containers TEXT;";

// The indexes of version 5: `sessions --since` (active_ms), a bare ses number (ses), and the ended
// sessions whose summary the writer has still to compute (sessions_pending).
inline constexpr char kStoreIndexes5[] = R"SQL(
CREATE INDEX IF NOT EXISTS sessions_active ON sessions(active_ms);
CREATE INDEX IF NOT EXISTS sessions_ses ON sessions(ses, start_ms) WHERE ses IS NOT NULL;
CREATE INDEX IF NOT EXISTS sessions_pending ON sessions(start_ms)
  WHERE summarized IS NULL AND (end_ms IS NOT NULL OR state = 'failed');
)SQL";

// auto_vacuum must be set before the first table exists; it is what lets retention by size give
// disk space back (PRAGMA incremental_vacuum).
inline constexpr char kStoreSchema[] = R"SQL(
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

}  // namespace auditlens
