// The embedded store: events, processes and sessions in one SQLite file, written by a thread of its
// own so that nothing SQLite does (disk, locks, fsync) ever runs on the pipeline thread.
//
// Contract:
// - Open() creates the file 0600 (its directory 0700 when missing), sets WAL mode (readers such as
//   `auditlens timeline` work while the agent writes) and the schema, then starts the writer.
//   It fails, with a reason, when the file cannot be created or is not an auditlens store. A store
//   of schema version 2 to 5 is upgraded in place (version 3 adds sessions.community_id, version 4
//   the container, unit and hash columns of processes and the containers table, version 5 the
//   sessions' summaries, version 6 the codes of store_codes.h: events and processes made anew in
//   one transaction, then the old pages given back).
// - Version 6's codes: the writer keeps the boots and names tables in memory (this boot's row is
//   added at Open; a new action name is one INSERT in the transaction that first writes it, and a
//   transaction rolled back reloads them), and binds each row's session key, entity ids, kind,
//   outcome, role, origin, action and compact detail (store_codes.h).
// - sink() is the pipeline thread's end: a bounded ring (rows.h). Rows are written in batched
//   transactions: every batch_ms, or sooner when the ring is half full; a transaction goes on
//   while rows keep arriving, up to batch_rows rows. A full ring drops rows (dropped()); nothing
//   ever waits for SQLite — except with wait_when_full (file input only), where the producer waits
//   for the writer and nothing is dropped.
// - WAL checkpoints are off the insert path: commits do not checkpoint; every 1,000 pages of WAL
//   growth a checkpoint thread with its own connection copies the WAL into the database (PASSIVE:
//   it never blocks the writer). Retention rests while the WAL is past 16 MiB and not all copied
//   (so that it restarts). Only when the WAL reaches 64 MiB without having restarted (continuous
//   writes) does the writer checkpoint itself after a commit, so the WAL stays bounded.
// - Retention (docs/store.md "Retention") runs between the writer's transactions, in steps: each
//   step is one transaction of at most kRetentionBudgetUs of deleting (the writer's longest pause:
//   StoreStats::retention_max_pause_us), and the writer writes between two steps. Whole sessions go,
//   ended ones only (by size also an open one silent since before every ended one kept started),
//   oldest first: a session's row first (from then on nothing shows it), then its
//   events and processes, 2,000 rows per statement. By age (checked every retention_every_ms): the
//   ended sessions last active more than retention_days ago. By size (checked after every few
//   write batches): when the database's used pages (page_count - freelist_count) exceed max_bytes,
//   down to 90% of it. Rows that no stored session owns (events and processes outside sessions,
//   container rows, rows of a session whose row is gone) go by time: those older than the oldest
//   ended session still stored (by age, older than the cutoff too) go before it. Free pages are
//   reused by the next rows, so the file grows past max_bytes only by what is written between two
//   checks; when the file is larger than max_bytes (the limit lowered) free pages are given back to
//   the disk, 256 at a time. Unowned rows are swept from a watermark kept in memory (restarts at 0
//   when the store is opened): rows that arrive later with older times wait for the next open.
// - Summaries: between the writer's transactions, while the ring is nearly empty, the ended
//   sessions get their listing summary (store/session_summary.h), kSummaryBudgetUs per turn; while
//   some are pending the thread takes turns without sleeping. A session is summarized once it
//   ended kSummarySettleMs of event time before the newest event stored, or, when no row has come
//   for kSummaryIdleMs of wall time, at once.
// - Close() writes everything still queued, summarizes the sessions ended by then (at most
//   kCloseSummaryUs; with wait_when_full, all of them), checkpoints the WAL and stops the thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/rows.h"
#include "store/session_summary.h"
#include "store/store_codes.h"

struct sqlite3;
struct sqlite3_stmt;

namespace auditlens {

struct StoreOptions {
  std::string path;
  std::string host;
  std::string boot_id;
  uint32_t retention_days = 30;    // 0: keep by size only
  uint64_t max_bytes = 1ull << 30; // 0: no size limit
  // The live agent's ring (docs/performance.md, "The store's write path"): the longest measured
  // writer pause (0.3 s, a checkpoint the writer makes itself when the WAL outgrew the checkpoint
  // thread) at the highest measured row rate of a session (~87,000 rows/s: an open() storm inside
  // an SSH login, one row per event) is ~26,000 rows. 192 bytes a slot plus its strings.
  size_t queue_rows = 32768;
  // The input is a file (bench_replay, importing logs): a full ring makes the producer wait for
  // the writer instead of dropping rows (rows.h). Never for the live agent.
  bool wait_when_full = false;
  // SQLite's page cache of the writer's connection. The live agent keeps it small (memory); a
  // file import gives it more, as a large store's indexes otherwise are read back from the OS for
  // nearly every row.
  uint32_t cache_kib = 4096;
  uint32_t batch_ms = 200;
  size_t batch_rows = 50000;
  uint32_t retention_every_ms = 60000;
};

struct StoreStats {
  uint64_t rows_written = 0;
  uint64_t transactions = 0;
  uint64_t write_errors = 0;
  uint64_t dropped = 0;         // rows the full ring refused
  uint64_t deleted_events = 0;  // by retention
  uint64_t deleted_sessions = 0;  // by retention (whole)
  uint64_t retention_steps = 0;
  uint64_t retention_max_pause_us = 0;  // the longest retention step (one transaction)
  // The longest COMMIT of a step (writing its pages to the WAL; the writer's own checkpoint when
  // the WAL reached 64 MiB).
  uint64_t retention_max_commit_us = 0;
  uint64_t retention_max_delete_us = 0;  // the longest step up to its COMMIT
  uint64_t file_bytes = 0;      // database + WAL, at the last retention check
  uint64_t producer_waits = 0;  // times the producer waited for room (wait_when_full only)
  uint64_t writer_cpu_ns = 0;   // CPU time of the writer thread so far (updated per batch)
  uint64_t checkpoints = 0;         // WAL checkpoints by the checkpoint thread
  uint64_t writer_checkpoints = 0;  // by the writer, when the WAL outgrew the thread
  std::string last_error;
};

class SqliteStore {
 public:
  static constexpr uint64_t kRetentionBudgetUs = 10000;
  static constexpr uint64_t kSummaryBudgetUs = 5000;
  static constexpr int64_t kSummarySettleMs = 10000;
  static constexpr uint64_t kSummaryIdleMs = 30000;
  static constexpr uint64_t kCloseSummaryUs = 2000000;

  SqliteStore() = default;
  ~SqliteStore();
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  bool Open(const StoreOptions& options, std::string* error);
  RowSink* sink() { return queue_.get(); }
  uint64_t dropped() const { return queue_ ? queue_->dropped() : 0; }
  StoreStats stats() const;
  // Waits until every row committed so far is written (tests, and `Close`).
  void Sync();
  void Close();

  // Runs retention now on the writer's connection (tests call it through Sync-like use).
  void RequestRetention() { retention_now_ = true; if (queue_) queue_->Wake(); }

 private:
  void Run();
  bool OpenCheckpointer(std::string* error);
  static int WalHook(void* self, sqlite3* db, const char* name, int pages);
  void CheckpointLoop();
  // The WAL is past kCatchUpPages and not all of it is in the database yet: retention waits for
  // the checkpoint thread, so that the writer's next transaction starts the WAL again.
  bool WalResting();
  static constexpr uint64_t kMaxRestMs = 2000;
  uint64_t rest_since_ms_ = 0;  // when the current rest began (0: not resting)
  // One transaction: up to max_rows rows, also those that arrive meanwhile. False when nothing
  // was written (no rows, or the file is locked).
  bool WriteBatch(size_t max_rows);
  // Writes the next n rows of the ring and frees their slots; returns the rows written without
  // error.
  uint64_t WriteChunk(size_t n);
  bool WriteRow(const Row& row);
  // Writes kEventGroup event rows (ring positions at[], relative to the front) with one statement.
  bool WriteEventGroup(const size_t* at);
  // Runs a bound statement and resets it; counts and records the error when it fails.
  bool Step(sqlite3_stmt* st, const char* what);
  // Brings a store of an older schema version up to this one (in place).
  bool Migrate(std::string* error);
  // Schema version 6's codes (store_codes.h): the boots and names tables as the writer keeps them.
  bool LoadCodes();
  bool RegisterBoot(std::string* error);
  bool RegisterCodeFunctions();
  void BindSessionKey(sqlite3_stmt* st, int index, std::string_view id);
  void BindEntity(sqlite3_stmt* st, int index, std::string_view id);
  void BindRole(sqlite3_stmt* st, int index, std::string_view role);
  int64_t NameCode(std::string_view name);
  void BindEvent(sqlite3_stmt* st, int base, const Row& r, size_t slot);
  // Retention and summaries, between write batches.
  void Maintain(bool stopping);
  bool RetentionDue(uint64_t now_ms);
  void RetentionStep(uint64_t now_ms);
  int64_t DeleteOldest(int64_t before_ms, bool unowned_only);
  int64_t DeleteSessionRows(const std::string& id);
  bool OldestEnded(int64_t before_ms, std::string* id, int64_t* start_ms);
  int64_t RunWith(const char* sql, int64_t number, const std::string* text, int64_t second = 0);
  int64_t QueryInt(const char* sql, int64_t null_value);
  uint64_t UsedBytes();
  // The database file is larger than max_bytes and has free pages to give back.
  bool Oversized();
  uint64_t FileBytes();
  bool Exec(const char* sql);
  void Fail(const std::string& what);

  StoreOptions options_;
  std::unique_ptr<RowQueue> queue_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_event_ = nullptr;
  sqlite3_stmt* insert_event_group_ = nullptr;  // kEventGroup event rows in one INSERT
  sqlite3_stmt* upsert_process_ = nullptr;
  sqlite3_stmt* upsert_session_ = nullptr;
  sqlite3_stmt* upsert_container_ = nullptr;
  sqlite3_stmt* insert_name_ = nullptr;
  SessionKeys session_keys_;
  NameCodes names_;
  int64_t boot_n_ = 0;  // this boot's row of the boots table (0: none)
  std::string detail_bufs_[16];  // compact details of the event rows being bound (kEventGroup)
  std::unique_ptr<SessionSummarizer> summarizer_;
  // Retention's state (writer thread): the session whose rows are being deleted, and what is due.
  std::string doomed_;
  bool doomed_coded_ = false;  // its rows' session key: doomed_code_, else the id itself
  int64_t doomed_code_ = 0;
  bool key_coded_ = false;  // the key of the session OldestEnded found
  int64_t key_code_ = 0;
  bool trimming_ = false, age_due_ = false, sweeping_ = false;
  bool summaries_pending_ = false;
  bool retention_pending_ = false;
  uint64_t last_write_ms_ = 0;  // wall time of the last write batch  // retention has more to delete: no sleeping between turns  // the last turn summarized some: there may be more
  uint64_t next_age_check_ = 0;
  int64_t swept_ms_ = 0;  // no row that no session owns is left older than this
  uint64_t stats_deleted_events_ = 0, stats_deleted_sessions_ = 0;
  std::thread thread_;
  // The checkpoint thread and its own connection (checkpoints off the insert path).
  sqlite3* checkpoint_db_ = nullptr;
  std::thread checkpointer_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;
  bool checkpoint_stop_ = false;
  int wal_pages_ = 0;                // the WAL's size at the last commit (writer thread only)
  int next_checkpoint_pages_ = 1000; // the size at which the next commit asks for a checkpoint
  // Commits to the WAL, and how many of them the checkpoint thread had copied all of, at its last
  // checkpoint that left nothing behind.
  std::atomic<uint64_t> wal_commits_{0}, wal_backfilled_through_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> retention_now_{false};
  int64_t now_ms_ = 0;  // the wall clock of the chunk being written (updated_ms)
  std::atomic<uint64_t> written_through_{0};  // rows (ring positions) written so far
  mutable std::mutex stats_mutex_;
  StoreStats stats_;
};

}  // namespace auditlens
