// Reads the agent's store (src/store/, docs/store.md) for `auditlens sessions`, `auditlens
// timeline` and `auditlens containers`, while the agent writes it: the file is opened read-only
// and, being in WAL mode, every query sees a consistent snapshot. Stores of schema version 2 to 6
// are read (version 6 holds codes for repeated text, store_codes.h: they are read back as text); what an older version lacks reads as empty (no Community ID, no containers) or is
// computed (the listing's summaries, stored from version 5 on).
//
// ListSessions is one query. In a version 5 store it goes through an index for each filter
// (sessions_start, sessions_user, sessions_active) and reads each session's summary with it, and
// whether that summary is current (its newest event, through events_session); ResolveSession finds
// a ses number through sessions_ses and an id prefix as a range of the primary key.
//
// Contract: every function returns false with a message on an SQLite error; rows are plain values.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <string_view>
#include <vector>

#include "store/store_codes.h"

struct sqlite3;
struct sqlite3_stmt;

namespace auditlens {

// A container processes ran in (store schema version 4): its row of the containers table, with what
// the processes say of it.
struct StoredContainer {
  std::string id, runtime, name, image, pod_name, pod_namespace, pod_uid;
  int64_t first_seen_ms = 0, last_seen_ms = 0;
  int64_t processes = 0, sessions = 0;  // counted by ListContainers
  // The name, else the first 12 characters of the id (an lxc or nspawn id is its name: whole).
  std::string Label() const;
  std::string ShortId() const;
};

struct StoredSession {
  std::string id, host, user, service, source_ip, dest_ip, hostname, terminal, tty, state;
  std::string leader_entity;
  std::string community_id;  // of the login's TCP connection (empty: unknown)
  int64_t ses = -1, auid = -1, source_port = 0, dest_port = 0, login_pid = 0;
  int64_t start_ms = 0, end_ms = 0, last_seen_ms = 0, failures = 0;  // end_ms 0: still open
  bool from_proc = false;
  // Counted by the timeline (timeline.h BuildTimeline): commands, failed commands, failures.
  int64_t commands = 0, failed_commands = 0, failed = 0;
  // ListSessions of a version 5 store: the session row's summary (those counts and the ids of its
  // containers, as a JSON array) is current, so SummarizeSessions need not build its timeline.
  bool summarized = false;
  std::string summary_containers;
  // The containers its processes ran in, in the order they first did (SummarizeSessions).
  std::vector<StoredContainer> containers;
};

// How the reader turns a version 6 store's codes back into text (a version 5 store's text passes
// through).
struct StoreCodes {
  SessionKeys keys;
  NameCodes names;
};

struct StoredEvent {
  int64_t time_ms = 0, serial = 0, pid = 0, uid = -1;
  std::string kind, action, outcome, role, entity_id, detail;
  std::string session_id;  // the login session it belongs to, empty when none
};

struct StoredProcess {
  std::string entity_id, parent_entity, previous_entity, exe, args, cwd, role, origin;
  // Store schema version 4 (empty in older stores or when unknown): the container it ran in, its
  // systemd unit, its program's SHA-256; and the login session it belongs to.
  std::string container_id, container_runtime, service, exe_sha256, session_id;
  std::string labels;  // version 7: its labels' names, separated by spaces (empty: none)
  int64_t pid = 0, ppid = 0, uid = -1, euid = -1, start_ms = 0, exit_ms = 0, exit_code = 0;
  bool exited = false;
  bool args_truncated = false;
};

struct TimelineData {
  StoredSession session;
  std::vector<StoredEvent> events;        // the session's events that have a detail, in order
  std::vector<StoredProcess> processes;   // the session's processes
  // The containers those processes ran in (by id, each once).
  std::vector<StoredContainer> containers;
  // A container's timeline (LoadContainerTimeline) rather than a session's: session is empty, the
  // events and processes are the container's, in any session or none.
  bool container_view = false;
  StoredContainer container;
  // A label's timeline (LoadLabelTimeline): built as a container's (container_view is set too),
  // the processes and events those of the processes with this label.
  std::string label;
};

struct SessionFilter {
  std::string user;      // exact user name
  int64_t since_ms = 0;  // sessions active at or after (start, end or last activity)
  size_t limit = 0;      // 0: all
  std::string container_id;  // only sessions that ran something in this container
};

// A page of `auditlens web`'s session list (ListSessionPage): newest first, every filter optional,
// continuing after a cursor (keyset paging: the (start_ms, id) of the last session of the previous
// page), so that a page costs the same at the end of a long list as at its start.
struct SessionQuery {
  std::string user, host, source_ip;  // exact
  int64_t since_ms = 0;               // active at or after (as SessionFilter::since_ms); 0: any
  int64_t until_ms = 0;               // started at or before; 0: any
  bool failures_only = false;         // a failed login, refused authentications or failed entries
  size_t limit = 50;
  bool after_cursor = false;          // continue after (cursor_start_ms, cursor_id)
  int64_t cursor_start_ms = 0;
  std::string cursor_id;
};

struct ContainerFilter {
  int64_t since_ms = 0;  // containers seen at or after
};

// The store file to read: db when given, else [store] path of the config file (or of the embedded
// defaults when config_path is empty). False with a message when the config cannot be read or
// has no store.
bool ResolveStorePath(const std::string& config_path, const std::string& db, std::string* path,
                      std::string* error);
// Whether to colour output: "always", "never", or "auto" (a terminal, TERM not dumb, no NO_COLOR).
bool UseColour(const std::string& when, int fd);

// A prepared statement kept by a StoreReader, and whether a Statement is using it now.
struct PreparedStatement {
  sqlite3_stmt* stmt = nullptr;
  bool in_use = false;
};

class StoreReader {
 public:
  StoreReader() = default;
  ~StoreReader();
  StoreReader(const StoreReader&) = delete;
  StoreReader& operator=(const StoreReader&) = delete;

  bool Open(const std::string& path, std::string* error);
  // Oldest first.
  bool ListSessions(const SessionFilter& filter, std::vector<StoredSession>* out, std::string* error);
  // The newest event of a session ((0, 0) when it has none): what a summary is valid for.
  bool NewestEvent(const std::string& id, int64_t* time_ms, int64_t* serial, std::string* error);
  // The containers of those ids (a JSON array, as in sessions.containers), in that order.
  bool ContainersOf(const std::string& ids_json, std::vector<StoredContainer>* out,
                    std::string* error);
  // spec: a whole id, a unique prefix of one, or a bare ses number (the latest session with it).
  bool ResolveSession(std::string_view spec, std::string* id, std::string* error);
  bool LoadTimeline(const std::string& id, TimelineData* out, std::string* error);

  // The rows of a page of sessions (query.limit of them at most), newest first, with their stored
  // summaries (not yet SummarizeSessions'd). With failures_only only the rows the stored summaries
  // do not rule out: the rest is checked once summarized (session_page.h ListSessionPage).
  bool ListSessionRows(const SessionQuery& query, std::vector<StoredSession>* out,
                       std::string* error);
  // The session's own row (no events, processes or summary); false with an empty error when the
  // store has no session of that id.
  bool LoadSessionRow(const std::string& id, StoredSession* out, std::string* error);
  // One event by its key (time_ms, serial); false with an empty error when there is none.
  bool LoadEvent(int64_t time_ms, int64_t serial, StoredEvent* out, std::string* error);
  // A process by its entity id; false with an empty error when there is none.
  bool LoadProcess(const std::string& entity_id, StoredProcess* out, std::string* error);
  // The session's events after the key (time_ms, serial), oldest first, at most limit: what a live
  // view polls for.
  bool LoadEventsAfter(const std::string& session_id, int64_t time_ms, int64_t serial,
                       size_t limit, std::vector<StoredEvent>* out, std::string* error);

  // Containers (store schema version 4; none in an older store), oldest first, with how many
  // processes and login sessions ran in each.
  bool ListContainers(const ContainerFilter& filter, std::vector<StoredContainer>* out,
                      std::string* error);
  // spec: a whole container id, a prefix of one of at least 12 characters that names one
  // container, or a container's name (the one seen last with it). False with a message otherwise.
  bool ResolveContainer(std::string_view spec, std::string* id, std::string* error);
  // Everything that ran in the container: its processes and their detailed events, in any login
  // session or none (TimelineData::container_view).
  bool LoadContainerTimeline(const std::string& id, TimelineData* out, std::string* error);
  // Everything the processes labelled `label` did ([[labels]]; store schema version 7): their
  // processes and detailed events, in any login session or none (TimelineData::label). False with
  // a message when no stored process has the label.
  bool LoadLabelTimeline(const std::string& label, TimelineData* out, std::string* error);
  int schema_version() const { return version_; }

  // Version 6: the action name and the session id a code stands for (store_codes.h); the codes'
  // tables are read again once when a code is not in them (the agent adds names and boots while
  // a reader runs). Empty when the store has no such code.
  std::string ActionName(int64_t code);
  std::string SessionIdOf(int64_t key);

 private:
  bool LoadProcesses(const char* where, const std::string& key, TimelineData* out,
                     std::string* error);
  bool LoadContainers(TimelineData* out, std::string* error);
  // The detailed events of the processes `where` selects (?1 is key): a container's or a label's.
  bool LoadGroupEvents(const char* where, const std::string& key, TimelineData* out,
                       std::string* error);
  bool ReadContainer(const std::string& id, StoredContainer* out, std::string* error);
  bool LoadCodes(std::string* error);
  // What a session's rows hold for it (?N its id): its key in a version 6 store, else the id.
  std::string KeyOf(int n) const;

  sqlite3* db_ = nullptr;
  // Prepared statements by their SQL, kept for the reader's life: a summary or a web request runs
  // the same few queries again and again, and preparing was a third of their cost.
  std::unordered_map<std::string, PreparedStatement> statements_;
  std::string session_columns_;  // what a session's SELECT reads (depends on the schema version)
  int version_ = 0;
  // Version 6: the boots (session keys) and the action names (store_codes.h).
  StoreCodes codes_;
};

// The SQL of ListSessions for a store of that schema version (?1 user, ?2 since, ?3 container), and
// of ResolveSession's ses number (?1) and id prefix (?1 the prefix, ?2 the first string after all
// that start with it; kSessionFromSql when there is none): tests check their query plans.
std::string ListSessionsSql(const SessionFilter& filter, int version);
inline constexpr char kSessionBySesSql[] =
    "SELECT id FROM sessions WHERE ses = ?1 ORDER BY start_ms DESC LIMIT 1";
inline constexpr char kSessionPrefixSql[] =
    "SELECT id FROM sessions WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT 3";
inline constexpr char kSessionFromSql[] =
    "SELECT id FROM sessions WHERE id >= ?1 ORDER BY id LIMIT 3";

// The SQL of ListSessionRows (?1 user, ?2 host, ?3 source ip, ?4 since, ?5 until, ?6 and ?7 the
// cursor, ?8 the limit): tests check its query plan.
std::string SessionPageSql(const SessionQuery& query, int version);

// ResolveStorePath, then reader->Open of that path (set in *path either way, when resolved). False
// with the message of the step that failed.
bool OpenStore(const std::string& config_path, const std::string& db, StoreReader* reader,
               std::string* path, std::string* error);

}  // namespace auditlens
