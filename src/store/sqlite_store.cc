#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <algorithm>
#include <cstring>
#include <filesystem>

#include "common/clock.h"
#include "enrich/process_table.h"
#include "enrich/session_tracker.h"
#include "store/schema.h"
#include "store/session_summary.h"
#include "store/store_codes.h"

namespace auditlens {
namespace {

void BindNum(sqlite3_stmt* st, int index, int64_t v) {
  if (v == col::kNull) {
    sqlite3_bind_null(st, index);
  } else {
    sqlite3_bind_int64(st, index, v);
  }
}

void BindText(sqlite3_stmt* st, int index, std::string_view s) {
  if (s.empty()) {
    sqlite3_bind_null(st, index);
  } else {
    sqlite3_bind_text(st, index, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
  }
}

constexpr int kEventColumns = 11;

// Event rows come in runs (a storm, a busy daemon): a run is written kEventGroup rows per
// statement, which costs 40% fewer instructions per row than one statement per row (measured with
// callgrind: 6.6k against 11.0k per row).
constexpr size_t kEventGroup = 16;

// A transaction is written in chunks of at most this many rows: within a chunk the event rows are
// grouped (kEventGroup) even when other rows come between them; the chunk's slots are freed for the
// producer when it is written.
constexpr size_t kChunkRows = 512;

// The WAL (in pages) at which a commit asks the checkpoint thread to copy it into the database
// (SQLite's own default threshold); at which retention rests until the thread has copied all of it
// (16 MiB: a WAL written to without a pause, as retention's back-to-back steps do, never ends
// between the thread's checkpoints, so it never starts again from its beginning); and at which the
// writer copies it itself, in the commit, because neither happened (64 MiB of 4 KiB pages, the
// journal_size_limit). Before the rest, that copy in the commit was retention's longest pause
// (235 ms on a loaded VM: the whole WAL at once, with the database's fsync).
constexpr int kCheckpointPages = 1000;
constexpr int kCatchUpPages = 4096;
constexpr int kWriterCheckpointPages = 16384;

// The INSERT of `rows` event rows in one statement (parameters kEventColumns per row, in order).
std::string InsertEventsSql(size_t rows) {
  std::string sql =
      "INSERT OR IGNORE INTO events(time_ms,serial,session_id,entity_id,pid,uid,kind,action,"
      "outcome,role,detail) VALUES";
  for (size_t i = 0; i < rows; ++i) {
    if (i > 0) sql += ',';
    sql += "(?,?,?,?,?,?,?,?,?,?,?)";
  }
  return sql;
}

// A process row may come several times (created, then its role known, then its exit): later
// values fill in, never erase.
constexpr char kUpsertProcess[] =
    "INSERT INTO processes(entity_id,boot_id,pid,ppid,parent_entity,previous_entity,exe,args,"
    "args_truncated,cwd,uid,euid,auid,ses,session_id,role,origin,start_ms,exit_ms,exit_code,"
    "last_seen_ms,updated_ms,container_id,container_runtime,service,exe_sha256)"
    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,"
    "?25,?26)"
    " ON CONFLICT(entity_id) DO UPDATE SET"
    " ppid=coalesce(excluded.ppid,ppid), parent_entity=coalesce(excluded.parent_entity,parent_entity),"
    " exe=coalesce(excluded.exe,exe), args=coalesce(excluded.args,args),"
    " cwd=coalesce(excluded.cwd,cwd), uid=coalesce(excluded.uid,uid), euid=coalesce(excluded.euid,euid),"
    " auid=coalesce(excluded.auid,auid), ses=coalesce(excluded.ses,ses),"
    " session_id=coalesce(excluded.session_id,session_id), role=coalesce(excluded.role,role),"
    " exit_ms=coalesce(excluded.exit_ms,exit_ms), exit_code=coalesce(excluded.exit_code,exit_code),"
    " last_seen_ms=max(coalesce(last_seen_ms,0),coalesce(excluded.last_seen_ms,0)),"
    " updated_ms=excluded.updated_ms,"
    " container_id=coalesce(excluded.container_id,container_id),"
    " container_runtime=coalesce(excluded.container_runtime,container_runtime),"
    " service=coalesce(excluded.service,service), exe_sha256=coalesce(excluded.exe_sha256,exe_sha256)";

// A container row comes when first seen, when its name and image arrive or change, and with its
// last activity: later names fill in, never erase; the first sighting stays the earliest.
constexpr char kUpsertContainer[] =
    "INSERT INTO containers(id,runtime,name,image,pod_name,pod_namespace,pod_uid,first_seen_ms,"
    "last_seen_ms,updated_ms) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"
    " ON CONFLICT(id) DO UPDATE SET runtime=coalesce(excluded.runtime,runtime),"
    " name=coalesce(excluded.name,name), image=coalesce(excluded.image,image),"
    " pod_name=coalesce(excluded.pod_name,pod_name),"
    " pod_namespace=coalesce(excluded.pod_namespace,pod_namespace),"
    " pod_uid=coalesce(excluded.pod_uid,pod_uid),"
    " first_seen_ms=min(first_seen_ms,excluded.first_seen_ms),"
    " last_seen_ms=max(coalesce(last_seen_ms,0),coalesce(excluded.last_seen_ms,0)),"
    " updated_ms=excluded.updated_ms";

constexpr char kUpsertSession[] =
    "INSERT INTO sessions(id,host,boot_id,ses,auid,user,service,source_ip,source_port,dest_ip,"
    "dest_port,hostname,terminal,tty,login_pid,leader_entity,start_ms,end_ms,last_seen_ms,state,"
    "failures,from_proc,updated_ms,community_id,key)"
    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,"
    "?25)"
    " ON CONFLICT(id) DO UPDATE SET"
    " auid=coalesce(excluded.auid,auid), user=coalesce(excluded.user,user),"
    " service=coalesce(excluded.service,service), source_ip=coalesce(excluded.source_ip,source_ip),"
    " source_port=coalesce(excluded.source_port,source_port), dest_ip=coalesce(excluded.dest_ip,dest_ip),"
    " dest_port=coalesce(excluded.dest_port,dest_port), hostname=coalesce(excluded.hostname,hostname),"
    " terminal=coalesce(excluded.terminal,terminal), tty=coalesce(excluded.tty,tty),"
    " login_pid=coalesce(excluded.login_pid,login_pid),"
    " leader_entity=coalesce(excluded.leader_entity,leader_entity),"
    " start_ms=min(start_ms,excluded.start_ms), end_ms=coalesce(excluded.end_ms,end_ms),"
    " last_seen_ms=max(coalesce(last_seen_ms,0),coalesce(excluded.last_seen_ms,0)),"
    " state=CASE WHEN excluded.end_ms IS NULL AND end_ms IS NOT NULL THEN state ELSE excluded.state END,"
    " failures=max(failures,excluded.failures), from_proc=min(from_proc,excluded.from_proc),"
    " updated_ms=excluded.updated_ms, community_id=coalesce(excluded.community_id,community_id),"
    " summarized=NULL";

// A kind or outcome as the row gives it; one the set lacks (or none) is its first member, as
// version 5 wrote the name of such a value (other, unknown).
int64_t ClosedCode(int64_t v, std::string_view (*name)(int64_t)) {
  return v != col::kNull && !name(v).empty() ? v : 0;
}

}  // namespace

void SqliteStore::BindSessionKey(sqlite3_stmt* st, int index, std::string_view id) {
  int64_t code;
  if (!id.empty() && session_keys_.Encode(id, &code)) {
    sqlite3_bind_int64(st, index, code);
  } else {
    BindText(st, index, id);
  }
}

void SqliteStore::BindEntity(sqlite3_stmt* st, int index, std::string_view id) {
  int64_t code;
  if (EntityCode(id, &code)) {
    sqlite3_bind_int64(st, index, code);
  } else {
    BindText(st, index, id);
  }
}

void SqliteStore::BindRole(sqlite3_stmt* st, int index, std::string_view role) {
  const int64_t code = RoleCode(role);
  if (code > 0) {
    sqlite3_bind_int64(st, index, code);
  } else {
    BindText(st, index, role);
  }
}

int64_t SqliteStore::NameCode(std::string_view name) {
  int64_t code = names_.Find(name);
  if (code > 0) return code;
  // A name not seen before: one row of the names table, in the transaction being written (a
  // rolled-back transaction reloads the table: LoadCodes).
  code = names_.next();
  sqlite3_bind_int64(insert_name_, 1, code);
  sqlite3_bind_text(insert_name_, 2, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
  if (!Step(insert_name_, "writing a name")) return -1;
  names_.Add(code, name);
  return code;
}

bool SqliteStore::LoadCodes() {
  session_keys_ = SessionKeys();
  names_ = NameCodes();
  for (const char* sql : {"SELECT n, id FROM boots", "SELECT code, name FROM names"}) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) return false;
    while (sqlite3_step(st) == SQLITE_ROW) {
      const int64_t n = sqlite3_column_int64(st, 0);
      const unsigned char* t = sqlite3_column_text(st, 1);
      const std::string_view text(t ? reinterpret_cast<const char*>(t) : "",
                                  static_cast<size_t>(sqlite3_column_bytes(st, 1)));
      if (sql[7] == 'n') {  // "SELECT n, id FROM boots"
        session_keys_.AddBoot(n, text);
        if (text == options_.boot_id) boot_n_ = n;
      } else {
        names_.Add(n, text);
      }
    }
    if (sqlite3_finalize(st) != SQLITE_OK) return false;
  }
  return true;
}

// Binds an event row's columns to parameters base+1 .. base+kEventColumns; slot: which of the
// compact-detail buffers holds its detail until the statement has run.
void SqliteStore::BindEvent(sqlite3_stmt* st, int base, const Row& r, size_t slot) {
  BindNum(st, base + 1, r.num[col::kTime]);
  BindNum(st, base + 2, r.num[col::kSerial]);
  BindSessionKey(st, base + 3, r.Str(col::kSessionId));
  BindEntity(st, base + 4, r.Str(col::kEntityId));
  BindNum(st, base + 5, r.num[col::kPid]);
  BindNum(st, base + 6, r.num[col::kUid]);
  BindNum(st, base + 7, ClosedCode(r.num[col::kKind], KindName));
  const std::string_view action = r.Str(col::kAction);
  const int64_t action_code = action.empty() ? -1 : NameCode(action);
  if (action_code > 0) {
    sqlite3_bind_int64(st, base + 8, action_code);
  } else {
    BindText(st, base + 8, action);
  }
  BindNum(st, base + 9, ClosedCode(r.num[col::kOutcome], OutcomeNameOf));
  BindRole(st, base + 10, r.Str(col::kRole));
  const std::string_view detail = r.Str(col::kDetail);
  std::string& compact = detail_bufs_[slot];
  if (!detail.empty() && CompactDetail(detail, action, &compact)) {
    sqlite3_bind_blob(st, base + 11, compact.data(), static_cast<int>(compact.size()),
                      SQLITE_STATIC);
  } else {
    BindText(st, base + 11, detail);
  }
}

SqliteStore::~SqliteStore() { Close(); }

void SqliteStore::Fail(const std::string& what) {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  ++stats_.write_errors;
  stats_.last_error = what + ": " + (db_ ? sqlite3_errmsg(db_) : "no database");
}

bool SqliteStore::Exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string what = message ? message : "error";
    sqlite3_free(message);
    Fail(std::string(sql).substr(0, 60) + ": " + what);
    return false;
  }
  return true;
}

bool SqliteStore::Open(const StoreOptions& options, std::string* error) {
  options_ = options;
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::path(options.path).parent_path();
  if (!dir.empty() && !std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      *error = "cannot create " + dir.string() + ": " + ec.message();
      return false;
    }
    chmod(dir.c_str(), 0700);
  }
  // The store holds every command line of every user: 0600, whatever the umask.
  int fd = open(options.path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = "cannot create " + options.path + ": " + strerror(errno);
    return false;
  }
  fchmod(fd, 0600);
  close(fd);
  if (sqlite3_open_v2(options.path.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    *error = "cannot open " + options.path + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory");
    sqlite3_close(db_);
    db_ = nullptr;
    return false;
  }
  sqlite3_busy_timeout(db_, 5000);
  char* message = nullptr;
  auto run = [&](const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return true;
    *error = options.path + ": " + (message ? message : "error");
    sqlite3_free(message);
    return false;
  };
  // WAL: readers see a consistent snapshot while the agent writes; NORMAL: a crash may lose the last
  // transactions, never the file. A small page cache keeps the agent's memory low (cache_kib:
  // more for a file import).
  // auto_vacuum first: once journal_mode=WAL has written the file's header it is too late.
  if (!run("PRAGMA auto_vacuum=INCREMENTAL;") ||
      !run("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
           "PRAGMA temp_store=MEMORY; PRAGMA journal_size_limit=67108864;") ||
      !run(("PRAGMA cache_size=-" + std::to_string(options.cache_kib)).c_str()) ||
      !run(kStoreSchema) || !Migrate(error) || !run(kStoreIndexes4) || !run(kStoreIndexes5) ||
      !run(kStoreIndexes6) || !RegisterBoot(error)) {
    sqlite3_close(db_);
    db_ = nullptr;
    return false;
  }
  std::string meta = "INSERT OR REPLACE INTO meta(key,value) VALUES('schema_version','" +
                     std::to_string(kStoreSchemaVersion) + "'),('host','";
  for (char c : options.host) {
    if (c == '\'') meta.push_back('\'');
    meta.push_back(c);
  }
  meta += "'),('writer','auditlens')";
  if (!run(meta.c_str())) {
    sqlite3_close(db_);
    db_ = nullptr;
    return false;
  }
  for (const char* suffix : {"-wal", "-shm"}) chmod((options.path + suffix).c_str(), 0600);
  const std::string insert_event = InsertEventsSql(1);
  const std::string insert_event_group = InsertEventsSql(kEventGroup);
  if (sqlite3_prepare_v3(db_, insert_event.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &insert_event_,
                         nullptr) != SQLITE_OK ||
      sqlite3_prepare_v3(db_, insert_event_group.c_str(), -1, SQLITE_PREPARE_PERSISTENT,
                         &insert_event_group_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v3(db_, kUpsertProcess, -1, SQLITE_PREPARE_PERSISTENT, &upsert_process_,
                         nullptr) != SQLITE_OK ||
      sqlite3_prepare_v3(db_, kUpsertSession, -1, SQLITE_PREPARE_PERSISTENT, &upsert_session_,
                         nullptr) != SQLITE_OK ||
      sqlite3_prepare_v3(db_, kUpsertContainer, -1, SQLITE_PREPARE_PERSISTENT,
                         &upsert_container_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v3(db_, "INSERT INTO names(code,name) VALUES(?1,?2)", -1,
                         SQLITE_PREPARE_PERSISTENT, &insert_name_, nullptr) != SQLITE_OK) {
    *error = options.path + ": " + sqlite3_errmsg(db_) +
             " (not an auditlens store of this version?)";
    Close();
    return false;
  }
  if (!OpenCheckpointer(error)) {
    Close();
    return false;
  }
  queue_ = std::make_unique<RowQueue>(options.queue_rows);
  queue_->set_blocking(options.wait_when_full);
  summarizer_ = std::make_unique<SessionSummarizer>(db_, options.path);
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
  return true;
}

bool SqliteStore::RegisterBoot(std::string* error) {
  // This boot's row (the boots of session keys and processes.boot_id), then the codes.
  if (!options_.boot_id.empty()) {
    sqlite3_stmt* st = nullptr;
    bool ok = sqlite3_prepare_v2(db_, "INSERT OR IGNORE INTO boots(id) VALUES(?1)", -1, &st,
                                 nullptr) == SQLITE_OK;
    if (ok) {
      sqlite3_bind_text(st, 1, options_.boot_id.data(), static_cast<int>(options_.boot_id.size()),
                        SQLITE_STATIC);
      ok = sqlite3_step(st) == SQLITE_DONE;
    }
    sqlite3_finalize(st);
    if (!ok) {
      *error = options_.path + ": " + sqlite3_errmsg(db_);
      return false;
    }
  }
  if (!LoadCodes()) {
    *error = options_.path + ": reading the boots and names: " + sqlite3_errmsg(db_);
    return false;
  }
  return true;
}

bool SqliteStore::OpenCheckpointer(std::string* error) {
  // The writer's commits no longer checkpoint (SQLite's default does, on the committing thread,
  // with an fsync): its WAL hook hands the work to a thread of its own with its own connection.
  if (sqlite3_exec(db_, "PRAGMA wal_autocheckpoint=0", nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_open_v2(options_.path.c_str(), &checkpoint_db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    *error = options_.path + ": cannot open the checkpoint connection: " +
             (checkpoint_db_ ? sqlite3_errmsg(checkpoint_db_) : "out of memory");
    return false;
  }
  sqlite3_busy_timeout(checkpoint_db_, 5000);
  // A connection that has read nothing yet does not know the file is in WAL mode, and its
  // checkpoints do nothing (they report a log of -1 frames): read the schema once.
  if (sqlite3_exec(checkpoint_db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr,
                   nullptr) != SQLITE_OK) {
    *error = options_.path + ": the checkpoint connection cannot read: " +
             sqlite3_errmsg(checkpoint_db_);
    return false;
  }
  sqlite3_wal_hook(db_, &SqliteStore::WalHook, this);
  checkpoint_stop_ = false;
  checkpointer_ = std::thread([this] { CheckpointLoop(); });
  return true;
}

int SqliteStore::WalHook(void* self_arg, sqlite3* db, const char*, int pages) {
  auto* self = static_cast<SqliteStore*>(self_arg);
  // The WAL restarted from its beginning since the last commit.
  if (pages < self->wal_pages_) self->next_checkpoint_pages_ = kCheckpointPages;
  self->wal_pages_ = pages;
  self->wal_commits_.fetch_add(1);  // this commit added frames
  if (pages >= kCatchUpPages && pages < kWriterCheckpointPages) {
    // Retention rests (RetentionDue) until the thread has copied it all.
    self->next_checkpoint_pages_ = pages;
  }
  if (pages >= kWriterCheckpointPages) {
    // The checkpointer has not caught up with the WAL's end between two transactions for this
    // long (continuous writes): the writer backfills the rest itself, between its transactions,
    // so the WAL restarts from its beginning and stays bounded.
    int log = 0, done = 0;
    if (sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done) ==
        SQLITE_OK) {
      std::lock_guard<std::mutex> lock(self->stats_mutex_);
      ++self->stats_.writer_checkpoints;
    }
  } else if (pages >= self->next_checkpoint_pages_) {
    // Once per kCheckpointPages of growth, not at every commit.
    self->next_checkpoint_pages_ = pages + kCheckpointPages;
    {
      std::lock_guard<std::mutex> lock(self->checkpoint_mutex_);
      self->checkpoint_wanted_ = true;
    }
    self->checkpoint_cv_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStore::CheckpointLoop() {
  std::unique_lock<std::mutex> lock(checkpoint_mutex_);
  for (;;) {
    checkpoint_cv_.wait(lock, [this] { return checkpoint_wanted_ || checkpoint_stop_; });
    if (checkpoint_stop_) break;
    checkpoint_wanted_ = false;
    lock.unlock();
    // PASSIVE: copies what it can, never waits for the writer or for readers.
    int log = 0, done = 0;
    const uint64_t commits = wal_commits_.load();  // at least these are in the WAL it copies
    const int rc =
        sqlite3_wal_checkpoint_v2(checkpoint_db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    if (rc == SQLITE_OK && done == log) {
      // All of it: the writer's next transaction starts the WAL again. Wake it if retention rests.
      wal_backfilled_through_.store(commits);
      if (queue_) queue_->Wake();
    }
    lock.lock();
    if (rc == SQLITE_OK && log >= 0) {
      std::lock_guard<std::mutex> stats_lock(stats_mutex_);
      ++stats_.checkpoints;
    }
  }
}

bool SqliteStore::Migrate(std::string* error) {
  // The columns a table has: a store of an older version lacks the newer ones.
  auto has_column = [&](const char* table, const char* column, bool* has) {
    const std::string sql = std::string("SELECT name FROM pragma_table_info('") + table + "')";
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      *error = options_.path + ": " + sqlite3_errmsg(db_);
      return false;
    }
    *has = false;
    while (sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* name = sqlite3_column_text(st, 0);
      if (name != nullptr && strcmp(reinterpret_cast<const char*>(name), column) == 0) *has = true;
    }
    sqlite3_finalize(st);
    return true;
  };
  auto apply = [&](const char* sql, int version) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return true;
    *error = options_.path + ": upgrading the store to schema version " + std::to_string(version) +
             ": " + (message ? message : "error");
    sqlite3_free(message);
    return false;
  };
  bool has = false;
  if (!has_column("sessions", "community_id", &has)) return false;
  if (!has && !apply(kStoreMigrateTo3, 3)) return false;
  if (!has_column("processes", "container_id", &has)) return false;
  // The four columns in one transaction: a store is never left half upgraded.
  if (!has && !apply((std::string("BEGIN IMMEDIATE;") + kStoreMigrateTo4 + "COMMIT;").c_str(), 4)) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return false;
  }
  if (!has_column("sessions", "summarized", &has)) return false;
  if (!has && !apply((std::string("BEGIN IMMEDIATE;") + kStoreMigrateTo5 + "COMMIT;").c_str(), 5)) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return false;
  }
  if (!has_column("sessions", "key", &has)) return false;
  if (has) return true;
  // Version 6: the boots and names first, then every row coded by the writer's own functions.
  // Temporary storage on disk meanwhile: dropping the old tables inside the transaction keeps the
  // original of every page it frees in a statement journal, which in memory (the writer's
  // temp_store) would take about the old tables' size (measured: 59 MB of RSS for a 48 MB table).
  if (!apply("PRAGMA temp_store=FILE", 6) || !apply("BEGIN IMMEDIATE", 6)) return false;
  if (!apply(kStoreMigrateTo6Codes, 6) || !LoadCodes() || !RegisterCodeFunctions() ||
      !apply(kStoreMigrateTo6, 6) || !apply("COMMIT", 6)) {
    if (error->empty()) *error = options_.path + ": upgrading the store to schema version 6: " +
                                 sqlite3_errmsg(db_);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_exec(db_, "PRAGMA temp_store=MEMORY", nullptr, nullptr, nullptr);
    return false;
  }
  // The old tables' pages are free now: given back to the file system at once (the file would
  // otherwise stay the size of both copies until new rows filled them).
  return apply("PRAGMA incremental_vacuum", 6) && apply("PRAGMA temp_store=MEMORY", 6);
}

bool SqliteStore::RegisterCodeFunctions() {
  return RegisterStoreCodeFunctions(db_, &session_keys_, &names_);
}

bool SqliteStore::WriteRow(const Row& r) {
  sqlite3_stmt* st = nullptr;
  const int64_t now = now_ms_;
  switch (r.type) {
    case RowType::kEvent:
      st = insert_event_;
      BindEvent(st, 0, r, 0);
      break;
    case RowType::kProcess:
      st = upsert_process_;
      BindText(st, 1, r.Str(col::kEntity));
      if (boot_n_ > 0) {
        sqlite3_bind_int64(st, 2, boot_n_);
      } else {
        BindText(st, 2, options_.boot_id);
      }
      BindNum(st, 3, r.num[col::kProcPid]);
      BindNum(st, 4, r.num[col::kPPid]);
      BindEntity(st, 5, r.Str(col::kParentEntity));
      BindEntity(st, 6, r.Str(col::kPreviousEntity));
      BindText(st, 7, r.Str(col::kExe));
      BindText(st, 8, r.Str(col::kArgs));
      BindNum(st, 9, r.num[col::kArgsTruncated]);
      BindText(st, 10, r.Str(col::kCwd));
      BindNum(st, 11, r.num[col::kProcUid]);
      BindNum(st, 12, r.num[col::kEuid]);
      BindNum(st, 13, r.num[col::kAuid]);
      BindNum(st, 14, r.num[col::kSes]);
      BindSessionKey(st, 15, r.Str(col::kProcSessionId));
      BindRole(st, 16, r.Str(col::kProcRole));
      // (Version 5 wrote "seen" for an origin out of range.)
      BindNum(st, 17, r.num[col::kOrigin] == col::kNull      ? 0
                      : OriginName(r.num[col::kOrigin]).empty() ? OriginCode("seen")
                                                                 : r.num[col::kOrigin]);
      BindNum(st, 18, r.num[col::kStart]);
      BindNum(st, 19, r.num[col::kExitTime]);
      BindNum(st, 20, r.num[col::kExitCode]);
      BindNum(st, 21, r.num[col::kSeen]);
      BindNum(st, 22, now);
      BindText(st, 23, r.Str(col::kProcContainerId));
      BindText(st, 24, r.Str(col::kProcContainerRuntime));
      BindText(st, 25, r.Str(col::kProcService));
      BindText(st, 26, r.Str(col::kProcExeSha256));
      break;
    case RowType::kSession:
      st = upsert_session_;
      BindText(st, 1, r.Str(col::kId));
      BindText(st, 2, options_.host);
      BindText(st, 3, options_.boot_id);
      BindNum(st, 4, r.num[col::kSessionSes]);
      BindNum(st, 5, r.num[col::kSessionAuid]);
      BindText(st, 6, r.Str(col::kUser));
      BindText(st, 7, r.Str(col::kService));
      BindText(st, 8, r.Str(col::kSourceIp));
      BindNum(st, 9, r.num[col::kSourcePort]);
      BindText(st, 10, r.Str(col::kDestIp));
      BindNum(st, 11, r.num[col::kDestPort]);
      BindText(st, 12, r.Str(col::kHostname));
      BindText(st, 13, r.Str(col::kTerminal));
      BindText(st, 14, r.Str(col::kTty));
      BindNum(st, 15, r.num[col::kLoginPid]);
      BindText(st, 16, r.Str(col::kLeader));
      BindNum(st, 17, r.num[col::kSessionStart]);
      BindNum(st, 18, r.num[col::kSessionEnd]);
      BindNum(st, 19, r.num[col::kLastSeen]);
      BindText(st, 20, r.Str(col::kState));
      BindNum(st, 21, r.num[col::kFailures] == col::kNull ? 0 : r.num[col::kFailures]);
      BindNum(st, 22, r.num[col::kFromProc] == col::kNull ? 0 : r.num[col::kFromProc]);
      BindNum(st, 23, now);
      BindText(st, 24, r.Str(col::kSessionCommunityId));
      BindSessionKey(st, 25, r.Str(col::kId));
      break;
    case RowType::kContainer:
      st = upsert_container_;
      BindText(st, 1, r.Str(col::kContId));
      BindText(st, 2, r.Str(col::kContRuntime));
      BindText(st, 3, r.Str(col::kContName));
      BindText(st, 4, r.Str(col::kContImage));
      BindText(st, 5, r.Str(col::kContPodName));
      BindText(st, 6, r.Str(col::kContPodNamespace));
      BindText(st, 7, r.Str(col::kContPodUid));
      BindNum(st, 8, r.num[col::kContFirstSeen]);
      BindNum(st, 9, r.num[col::kContLastSeen]);
      BindNum(st, 10, now);
      break;
  }
  // Every parameter of the statement is bound for each row: nothing to clear.
  return Step(st, "writing a row");
}

bool SqliteStore::WriteEventGroup(const size_t* at) {
  sqlite3_stmt* st = insert_event_group_;
  for (size_t j = 0; j < kEventGroup; ++j) {
    BindEvent(st, static_cast<int>(j) * kEventColumns, queue_->At(at[j]), j);
  }
  // Every parameter is bound each time: nothing to clear.
  return Step(st, "writing 16 event rows");
}

bool SqliteStore::Step(sqlite3_stmt* st, const char* what) {
  const int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc == SQLITE_DONE) return true;
  Fail(what);
  return false;
}

uint64_t SqliteStore::WriteChunk(size_t n) {
  now_ms_ = static_cast<int64_t>(WallMs());
  uint64_t ok = 0;
  // The chunk's event rows go kEventGroup to a statement, the other rows one by one in their
  // order. Rows of different tables commute inside the transaction and each table keeps its rows'
  // order (a process's later row still fills in its earlier one; of two events with one key the
  // first stays), so the result is that of writing the rows in ring order.
  size_t group[kEventGroup];
  size_t g = 0;
  for (size_t i = 0; i < n; ++i) {
    const Row& r = queue_->At(i);
    if (r.type != RowType::kEvent) {
      ok += WriteRow(r);
      continue;
    }
    group[g++] = i;
    if (g == kEventGroup) {
      if (WriteEventGroup(group)) ok += kEventGroup;
      g = 0;
    }
  }
  for (size_t j = 0; j < g; ++j) ok += WriteRow(queue_->At(group[j]));
  // Bound in place (SQLITE_STATIC): the rows leave the ring only now.
  for (size_t i = 0; i < n; ++i) queue_->Pop();
  return ok;
}

bool SqliteStore::WriteBatch(size_t max_rows) {
  size_t available = queue_->Available();
  if (available == 0) return false;
  if (!Exec("BEGIN IMMEDIATE")) {
    // Cannot write now (another writer holds the file): the rows wait in the ring.
    return false;
  }
  // One transaction for up to max_rows rows, including those that arrive while it is written (a
  // fast producer gets large transactions: fewer commits, each page written to the WAL once per
  // transaction), in chunks of at most kChunkRows rows freed at a time.
  uint64_t ok = 0;
  size_t written = 0;
  while (written < max_rows && available > 0) {
    const size_t n = std::min({available, max_rows - written, kChunkRows});
    ok += WriteChunk(n);
    written += n;
    available = queue_->Available();
  }
  bool committed = Exec("COMMIT");
  if (!committed) {
    Exec("ROLLBACK");
    LoadCodes();  // the names this transaction added are gone
  }
  last_write_ms_ = WallMs();
  // Only now: Sync() promises the rows are in the file.
  written_through_.fetch_add(written, std::memory_order_release);
  struct timespec cpu;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_.writer_cpu_ns = static_cast<uint64_t>(cpu.tv_sec) * 1000000000ull +
                         static_cast<uint64_t>(cpu.tv_nsec);
  if (committed) {
    stats_.rows_written += ok;
    ++stats_.transactions;
  }
  return true;
}

uint64_t SqliteStore::FileBytes() {
  uint64_t total = 0;
  struct stat st;
  for (const char* suffix : {"", "-wal"}) {
    if (stat((options_.path + suffix).c_str(), &st) == 0) total += static_cast<uint64_t>(st.st_size);
  }
  return total;
}

namespace {

uint64_t SteadyUs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

// Rows no stored session owns (outside sessions, or of a session whose row is gone), older than ?1:
// the oldest 2,000 of them, from ?2 on (below it none is left: the rows of sessions still stored
// there are not read again each time).
constexpr char kDeleteUnownedEvents[] =
    "DELETE FROM events WHERE (time_ms, serial) IN (SELECT time_ms, serial FROM events"
    " WHERE time_ms >= ?2 AND time_ms < ?1 AND (session_id IS NULL OR session_id NOT IN"
    " (SELECT key FROM sessions WHERE key IS NOT NULL)) ORDER BY time_ms, serial LIMIT 2000)";
constexpr char kDeleteUnownedProcesses[] =
    "DELETE FROM processes WHERE entity_id IN (SELECT entity_id FROM processes"
    " WHERE start_ms < ?1 AND coalesce(exit_ms, last_seen_ms, start_ms) < ?1"
    " AND (session_id IS NULL OR session_id NOT IN (SELECT key FROM sessions WHERE key IS NOT NULL))"
    " LIMIT 2000)";
constexpr char kDeleteOldContainers[] =
    "DELETE FROM containers WHERE coalesce(last_seen_ms, first_seen_ms) < ?1";
// The oldest ended session (by start; open ones are kept whole until they end, below), and by age
// the oldest ended session last active before ?1.
// By size, an open session counts as ended when its newest event is older than the start of every
// ended session: silent through the whole history kept (its end was lost, or it idles for longer).
constexpr char kOldestEnded[] =
    "WITH h AS (SELECT min(start_ms) AS m FROM sessions WHERE end_ms IS NOT NULL OR"
    " state = 'failed') SELECT id, start_ms, key FROM sessions, h WHERE end_ms IS NOT NULL OR"
    " state = 'failed' OR coalesce((SELECT max(time_ms) FROM events e WHERE e.session_id ="
    " sessions.key), active_ms) < h.m ORDER BY start_ms LIMIT 1";
constexpr char kOldestEndedBefore[] =
    "SELECT id, start_ms, key FROM sessions WHERE active_ms < ?1 AND (end_ms IS NOT NULL OR"
    " state = 'failed') ORDER BY active_ms LIMIT 1";
// A session's own rows, kRetentionRows at a time (its row goes first: from then on no listing
// or timeline shows it).
constexpr char kDeleteSessionEvents[] =
    "DELETE FROM events WHERE (time_ms, serial) IN (SELECT time_ms, serial FROM events"
    " WHERE session_id = ?1 LIMIT 2000)";
constexpr char kDeleteSessionProcesses[] =
    "DELETE FROM processes WHERE entity_id IN (SELECT entity_id FROM processes"
    " WHERE session_id = ?1 LIMIT 2000)";

}  // namespace

int64_t SqliteStore::QueryInt(const char* sql, int64_t null_value) {
  sqlite3_stmt* st = nullptr;
  int64_t v = null_value;
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) {
    Fail(std::string("retention: ") + sql);
    return v;
  }
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
    v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  return v;
}

uint64_t SqliteStore::UsedBytes() {
  const int64_t page = QueryInt("PRAGMA page_size", 4096);
  return static_cast<uint64_t>(QueryInt("PRAGMA page_count", 0) - QueryInt("PRAGMA freelist_count", 0)) *
         static_cast<uint64_t>(page);
}

// Runs a statement with one integer or text parameter; the rows it changed (-1: error).
int64_t SqliteStore::RunWith(const char* sql, int64_t number, const std::string* text,
                             int64_t second) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) {
    Fail(std::string("retention: ") + std::string(sql).substr(0, 60));
    return -1;
  }
  if (text != nullptr) {
    sqlite3_bind_text(st, 1, text->data(), static_cast<int>(text->size()), SQLITE_STATIC);
  } else {
    sqlite3_bind_int64(st, 1, number);
  }
  if (sqlite3_bind_parameter_count(st) >= 2) sqlite3_bind_int64(st, 2, second);
  const int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    Fail(std::string("retention: ") + std::string(sql).substr(0, 60));
    return -1;
  }
  return sqlite3_changes(db_);
}

bool SqliteStore::OldestEnded(int64_t before_ms, std::string* id, int64_t* start_ms) {
  sqlite3_stmt* st = nullptr;
  const char* sql = before_ms == INT64_MAX ? kOldestEnded : kOldestEndedBefore;
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) {
    Fail("retention: the oldest session");
    return false;
  }
  if (before_ms != INT64_MAX) sqlite3_bind_int64(st, 1, before_ms);
  bool found = false;
  if (sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(st, 0);
    id->assign(t ? reinterpret_cast<const char*>(t) : "", static_cast<size_t>(sqlite3_column_bytes(st, 0)));
    *start_ms = sqlite3_column_int64(st, 1);
    // Its rows hold its key: a number, or the id itself (NULL: a row written without one).
    key_coded_ = sqlite3_column_type(st, 2) == SQLITE_INTEGER;
    key_code_ = key_coded_ ? sqlite3_column_int64(st, 2) : 0;
    found = true;
  }
  sqlite3_finalize(st);
  return found;
}

int64_t SqliteStore::DeleteSessionRows(const std::string& id) {
  // The rows hold the session's key (OldestEnded): a number, or the id itself.
  int64_t events = RunWith(kDeleteSessionEvents, doomed_code_, doomed_coded_ ? nullptr : &id);
  if (events < 0) return -1;
  const int64_t processes =
      RunWith(kDeleteSessionProcesses, doomed_code_, doomed_coded_ ? nullptr : &id);
  if (processes < 0) return -1;
  if (events < 2000 && processes < 2000) doomed_.clear();  // all gone
  stats_deleted_events_ += static_cast<uint64_t>(events);
  return events + processes;
}

// One unit of what is older than before_ms (INT64_MAX: by size, the oldest there is): the rows of a
// session being deleted, else rows no session owns older than the oldest ended session, else that
// session (its row, then its rows). Returns the rows deleted (0: nothing left; -1: an error).
int64_t SqliteStore::DeleteOldest(int64_t before_ms, bool unowned_only) {
  if (!doomed_.empty()) return DeleteSessionRows(doomed_);
  std::string id;
  int64_t start = INT64_MAX;
  const bool session = OldestEnded(before_ms, &id, &start);
  if (unowned_only && !session) return 0;  // no session kept: no horizon to sweep up to
  // Unowned rows go when older than that session (by age: older than the cutoff too).
  int64_t horizon = session ? start : INT64_MAX;
  if (before_ms != INT64_MAX) horizon = std::min(horizon, before_ms);
  if (horizon == INT64_MAX) horizon = static_cast<int64_t>(WallMs()) + 1;
  int64_t n = RunWith(kDeleteUnownedEvents, horizon, nullptr, swept_ms_);
  if (n < 0) return n;
  if (n < 2000) swept_ms_ = std::max(swept_ms_, horizon);  // none left below the horizon
  if (n != 0) {
    stats_deleted_events_ += static_cast<uint64_t>(n);
    return n;
  }
  n = RunWith(kDeleteUnownedProcesses, horizon, nullptr);
  if (n != 0) return n;
  if (RunWith(kDeleteOldContainers, horizon, nullptr) < 0) return -1;
  if (!session || unowned_only) return 0;
  if (RunWith("DELETE FROM sessions WHERE id = ?1", 0, &id) < 0) return -1;
  ++stats_deleted_sessions_;
  doomed_ = id;
  doomed_coded_ = key_coded_;
  doomed_code_ = key_code_;
  return 1 + std::max<int64_t>(0, DeleteSessionRows(id));
}

bool SqliteStore::WalResting() {
  if (wal_pages_ < kCatchUpPages || wal_backfilled_through_.load() == wal_commits_.load()) {
    rest_since_ms_ = 0;
    return false;
  }
  // A reader that keeps an old snapshot (a long query) stops the thread from copying it all: rest
  // at most kMaxRestMs, then go on (the WAL stays bounded by the writer's own checkpoint).
  const uint64_t now = WallMs();
  if (rest_since_ms_ == 0) rest_since_ms_ = now;
  return now < rest_since_ms_ + kMaxRestMs;
}

bool SqliteStore::RetentionDue(uint64_t now_ms) {
  if (WalResting()) return false;
  if (!doomed_.empty()) return true;
  if (options_.max_bytes > 0 && !trimming_ && UsedBytes() > options_.max_bytes / 20 * 19) {
    trimming_ = true;
  }
  if (now_ms >= next_age_check_) {
    next_age_check_ = now_ms + options_.retention_every_ms;
    age_due_ = options_.retention_days > 0;
  }
  return trimming_ || age_due_ || sweeping_ || Oversized();
}

bool SqliteStore::Oversized() {
  return options_.max_bytes > 0 &&
         static_cast<uint64_t>(QueryInt("PRAGMA page_count", 0) * QueryInt("PRAGMA page_size", 4096)) >
             options_.max_bytes &&
         QueryInt("PRAGMA freelist_count", 0) > 0;
}

void SqliteStore::RetentionStep(uint64_t now_ms) {
  const int64_t cutoff =
      static_cast<int64_t>(now_ms) - static_cast<int64_t>(options_.retention_days) * 86400000;
  const uint64_t t0 = SteadyUs();
  if (!Exec("BEGIN IMMEDIATE")) return;
  bool more = true;
  // Units until kRetentionBudgetUs is spent: the transaction (the writer's pause) stays short.
  while (more && SteadyUs() - t0 < kRetentionBudgetUs) {
    int64_t n = 0;
    if (!doomed_.empty()) {
      n = DeleteSessionRows(doomed_);
    } else if (age_due_) {
      n = DeleteOldest(cutoff, false);
      if (n == 0) age_due_ = false;
    } else if (trimming_) {
      // From 95% down to 90% of the limit: free pages are reused by the next rows, so the file
      // stays within max_bytes while deleting keeps up with writing.
      if (UsedBytes() <= options_.max_bytes / 10 * 9) {
        trimming_ = false;
        sweeping_ = true;
      } else {
        n = DeleteOldest(INT64_MAX, false);
        if (n == 0) trimming_ = false;  // nothing deletable left (only open sessions)
      }
    } else if (sweeping_) {
      // The rows outside sessions older than the oldest session kept.
      n = DeleteOldest(INT64_MAX, true);
      if (n == 0) sweeping_ = false;
    }
    if (n < 0) {
      age_due_ = trimming_ = sweeping_ = false;
      doomed_.clear();
      Exec("ROLLBACK");
      return;
    }
    more = !doomed_.empty() || age_due_ || trimming_ || sweeping_;
  }
  const uint64_t t_commit = SteadyUs();
  const bool committed = Exec("COMMIT");
  if (!committed) Exec("ROLLBACK");
  const uint64_t commit_us = SteadyUs() - t_commit;
  // The file bigger than the limit (max_bytes lowered, or a burst): give free pages back, a few
  // at a time.
  if (!trimming_ && Oversized()) Exec("PRAGMA incremental_vacuum(256)");
  const uint64_t pause = SteadyUs() - t0;
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_.deleted_events = stats_deleted_events_;
  stats_.deleted_sessions = stats_deleted_sessions_;
  stats_.retention_max_pause_us = std::max(stats_.retention_max_pause_us, pause);
  stats_.retention_max_commit_us = std::max(stats_.retention_max_commit_us, commit_us);
  stats_.retention_max_delete_us = std::max(stats_.retention_max_delete_us, t_commit - t0);
  ++stats_.retention_steps;
  stats_.file_bytes = FileBytes();
}

void SqliteStore::Maintain(bool stopping) {
  const uint64_t now = WallMs();
  if (retention_now_.exchange(false)) {
    next_age_check_ = 0;
    if (options_.max_bytes > 0 && UsedBytes() > options_.max_bytes) trimming_ = true;
  }
  // Retention first (a few steps, each a short transaction), then summaries: both between writes.
  for (int i = 0; i < 4 && RetentionDue(now); ++i) {
    RetentionStep(now);
    if (!stopping && queue_->Available() >= queue_->capacity() / 4) return;
  }
  retention_pending_ =
      !WalResting() && (!doomed_.empty() || trimming_ || age_due_ || sweeping_ || Oversized());
  // Summaries are the writer's spare time: only while the ring is nearly empty (a burst of rows,
  // or a file read as fast as it can be, comes first), kSummaryBudgetUs at a time, and while some
  // are pending the thread does not sleep between turns.
  summaries_pending_ = false;
  if (summarizer_ != nullptr && !stopping && queue_->Available() < queue_->capacity() / 8) {
    std::string error;
    // Settled by event time, or by the wall clock once no row came for kSummaryIdleMs (an idle
    // host sends no newer event to settle the last sessions by).
    const int64_t settle = now >= last_write_ms_ + kSummaryIdleMs ? 0 : kSummarySettleMs;
    const int done = summarizer_->Step(kSummaryBudgetUs, settle, &error);
    if (done < 0) Fail("summarizing sessions: " + error);
    summaries_pending_ = done > 0;
  }
}

void SqliteStore::Run() {
  next_age_check_ = WallMs() + 5000;
  for (;;) {
    bool stopping = stop_.load();
    // Nothing queued: wait up to a second (the agent is idle) rather than waking every batch_ms;
    // not while sessions wait for their summaries.
    if (!stopping && !summaries_pending_ && !retention_pending_ &&
        queue_->Available() < queue_->capacity() / 2) {
      queue_->Wait(queue_->Available() == 0 ? std::max<uint32_t>(options_.batch_ms, 1000)
                                            : options_.batch_ms);
    }
    // A few batches, each followed by a retention step when one is due (so that deleting keeps
    // pace with writing), then summaries get their turn even when rows keep coming.
    for (int i = 0; i < 8 && WriteBatch(options_.batch_rows); ++i) {
      const uint64_t now = WallMs();
      if (RetentionDue(now)) RetentionStep(now);
    }
    Maintain(stopping);
    if (stopping && queue_->Available() == 0) break;
  }
}

void SqliteStore::Sync() {
  if (!queue_ || !thread_.joinable()) return;
  const uint64_t target = queue_->committed();
  while (written_through_.load(std::memory_order_acquire) < target) {
    queue_->Wake();
    usleep(1000);
  }
}

StoreStats SqliteStore::stats() const {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  StoreStats s = stats_;
  s.dropped = dropped();
  s.producer_waits = queue_ ? queue_->waits() : 0;
  return s;
}

void SqliteStore::Close() {
  if (thread_.joinable()) {
    stop_ = true;
    queue_->Wake();
    thread_.join();
  }
  if (summarizer_ != nullptr && db_ != nullptr) {
    // The sessions that ended up to now get their summaries (at most kCloseSummaryUs; the rest
    // when the store is next opened).
    // A file's input (an import, a replay) is a batch job: every session is summarized before it
    // ends, so that listing the store never falls back to building timelines.
    std::string error;
    for (;;) {
      const int done = summarizer_->Step(kCloseSummaryUs, 0, &error);
      if (done < 0) Fail("summarizing sessions: " + error);
      if (done <= 0 || !options_.wait_when_full) break;
    }
  }
  summarizer_.reset();
  if (checkpointer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(checkpoint_mutex_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_one();
    checkpointer_.join();
  }
  if (checkpoint_db_ != nullptr) {
    sqlite3_close(checkpoint_db_);
    checkpoint_db_ = nullptr;
  }
  for (sqlite3_stmt** st : {&insert_event_, &insert_event_group_, &upsert_process_, &upsert_session_,
                            &upsert_container_, &insert_name_}) {
    sqlite3_finalize(*st);
    *st = nullptr;
  }
  if (db_ != nullptr) {
    sqlite3_exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
  }
}

}  // namespace auditlens
