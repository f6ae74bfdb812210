// The store's SQLite schema (docs/store.md explains every table and column). The agent creates it;
// `auditlens sessions` and `auditlens timeline` read it.
#pragma once

namespace auditlens {

inline constexpr int kStoreSchemaVersion = 6;

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

// Version 6 (docs/store.md "Codes", store/store_codes.h): the columns that repeated text in every
// row hold numbers. They have no declared type (no affinity), so that a value of another form than
// the code expects is kept as text, and a reader tells the two apart by the value's type:
// events.session_id and processes.session_id the session's key (sessions.key), entity ids the
// 64-bit integer their 16 hex digits spell, kind, outcome, role and origin a number each, action a
// number of the names table, detail a BLOB with its common JSON fragments as single bytes, and
// processes.boot_id a row of the boots table. The tables' shapes are macros because the upgrade
// from version 5 makes them anew (kStoreMigrateTo6).
#define AUDITLENS_PROCESSES_COLUMNS \
  "(entity_id TEXT PRIMARY KEY, boot_id, pid INTEGER NOT NULL, ppid INTEGER, parent_entity," \
  " previous_entity, exe TEXT, args TEXT, args_truncated INTEGER, cwd TEXT, uid INTEGER," \
  " euid INTEGER, auid INTEGER, ses INTEGER, session_id, role, origin, start_ms INTEGER NOT NULL," \
  " exit_ms INTEGER, exit_code INTEGER, last_seen_ms INTEGER, updated_ms INTEGER," \
  " container_id TEXT, container_runtime TEXT, service TEXT, exe_sha256 TEXT) WITHOUT ROWID;"
// Keyed by time: the table is its own time index, and a row (appended at the end, as events come
// in time order) costs one B-tree insert.
#define AUDITLENS_EVENTS_COLUMNS \
  "(time_ms INTEGER NOT NULL, serial INTEGER NOT NULL, session_id, entity_id, pid INTEGER," \
  " uid INTEGER, kind NOT NULL, action, outcome, role, detail, PRIMARY KEY (time_ms, serial))" \
  " WITHOUT ROWID;"

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
  containers TEXT,
  key
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_start ON sessions(start_ms);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user, start_ms);
)SQL" "CREATE TABLE IF NOT EXISTS processes" AUDITLENS_PROCESSES_COLUMNS R"SQL(
CREATE INDEX IF NOT EXISTS processes_session ON processes(session_id, start_ms)
  WHERE session_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS processes_start ON processes(start_ms);
)SQL" "CREATE TABLE IF NOT EXISTS events" AUDITLENS_EVENTS_COLUMNS R"SQL(
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
-- Version 6: the boots the store's rows are of (processes.boot_id, and the boot of a session key),
-- and the names events.action holds by number.
CREATE TABLE IF NOT EXISTS boots(
  n INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS names(
  code INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
)SQL";

// The index of version 6 (made after the upgrade: a version 5 store has no sessions.key before):
// from a session's key to its row, for the rows whose session is gone (retention) and for readers
// that meet a key.
inline constexpr char kStoreIndexes6[] =
    "CREATE INDEX IF NOT EXISTS sessions_key ON sessions(key);";

// Before kStoreMigrateTo6: the boots of the store's rows, oldest first, and the action names.
inline constexpr char kStoreMigrateTo6Codes[] =
    "INSERT OR IGNORE INTO boots(id) SELECT boot_id FROM (SELECT boot_id, min(start_ms) AS m"
    " FROM sessions WHERE boot_id IS NOT NULL GROUP BY boot_id UNION ALL SELECT boot_id,"
    " min(start_ms) FROM processes WHERE boot_id IS NOT NULL GROUP BY boot_id)"
    " GROUP BY boot_id ORDER BY min(m);"
    "INSERT OR IGNORE INTO names(name) SELECT DISTINCT action FROM events"
    " WHERE action IS NOT NULL AND action != '' ORDER BY 1;";

// Version 6 upgrade: sessions get their key, events and processes are made anew with their values
// coded (the functions al_* are the writer's codes, registered on its connection for the upgrade:
// sqlite_store.cc), in one transaction with the rest. A store of version 2 to 5 goes through every
// step; its file needs room for a second copy of both tables while this runs.
inline constexpr char kStoreMigrateTo6[] =
    "ALTER TABLE sessions ADD COLUMN key;"
    "UPDATE sessions SET key = al_session_key(id);"
    "CREATE TABLE events_v6" AUDITLENS_EVENTS_COLUMNS
    "INSERT INTO events_v6 SELECT time_ms, serial, al_session_key(session_id),"
    " al_entity(entity_id), pid, uid, al_kind(kind), al_action(action), al_outcome(outcome),"
    " al_role(role), al_detail(detail, action) FROM events ORDER BY time_ms, serial;"
    "DROP TABLE events;"
    "ALTER TABLE events_v6 RENAME TO events;"
    "CREATE TABLE processes_v6" AUDITLENS_PROCESSES_COLUMNS
    "INSERT INTO processes_v6 SELECT entity_id,"
    " coalesce((SELECT n FROM boots b WHERE b.id = processes.boot_id), boot_id), pid, ppid, al_entity(parent_entity),"
    " al_entity(previous_entity), exe, args, args_truncated, cwd, uid, euid, auid, ses,"
    " al_session_key(session_id), al_role(role), al_origin(origin), start_ms, exit_ms, exit_code,"
    " last_seen_ms, updated_ms, container_id, container_runtime, service, exe_sha256"
    " FROM processes ORDER BY entity_id;"
    "DROP TABLE processes;"
    "ALTER TABLE processes_v6 RENAME TO processes;"
    "CREATE INDEX IF NOT EXISTS events_session ON events(session_id, time_ms)"
    " WHERE session_id IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS processes_session ON processes(session_id, start_ms)"
    " WHERE session_id IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS processes_start ON processes(start_ms);";

}  // namespace auditlens
