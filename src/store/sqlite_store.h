// The embedded store: events, processes and sessions in one SQLite file, written by a thread of its
// own so that nothing SQLite does (disk, locks, fsync) ever runs on the pipeline thread.
//
// Contract:
// - Open() creates the file 0600 (its directory 0700 when missing), sets WAL mode (readers such as
//   `auditlens timeline` work while the agent writes) and the schema, then starts the writer.
//   It fails, with a reason, when the file cannot be created or is not an auditlens store. A store
//   of schema version 2 or 3 is upgraded in place (version 3 adds sessions.community_id, version 4
//   the container, unit and hash columns of processes and the containers table).
// - sink() is the pipeline thread's end: a bounded ring (rows.h). Rows are written in batched
//   transactions: every batch_ms, or sooner when the ring is half full, at most batch_rows rows
//   per transaction. A full ring drops rows (dropped()); nothing ever waits for SQLite.
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
//   kCloseSummaryUs), checkpoints the WAL and stops the thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/rows.h"
#include "store/session_summary.h"

struct sqlite3;
struct sqlite3_stmt;

namespace auditlens {

struct StoreOptions {
  std::string path;
  std::string host;
  std::string boot_id;
  uint32_t retention_days = 30;    // 0: keep by size only
  uint64_t max_bytes = 1ull << 30; // 0: no size limit
  size_t queue_rows = 8192;
  uint32_t batch_ms = 200;
  size_t batch_rows = 5000;
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
  // The longest COMMIT of a step: SQLite's automatic WAL checkpoint runs in it (every 1,000 pages).
  uint64_t retention_max_commit_us = 0;
  uint64_t retention_max_delete_us = 0;  // the longest step up to its COMMIT
  uint64_t file_bytes = 0;      // database + WAL, at the last retention check
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
  bool WriteBatch(size_t max_rows);
  bool WriteRow(const Row& row);
  // Writes the next kEventGroup rows of the ring, all event rows, with one statement.
  bool WriteEventGroup();
  // Runs a bound statement and resets it; counts and records the error when it fails.
  bool Step(sqlite3_stmt* st, const char* what);
  // Brings a store of an older schema version up to this one (in place).
  bool Migrate(std::string* error);
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
  std::unique_ptr<SessionSummarizer> summarizer_;
  // Retention's state (writer thread): the session whose rows are being deleted, and what is due.
  std::string doomed_;
  bool trimming_ = false, age_due_ = false, sweeping_ = false;
  bool summaries_pending_ = false;
  bool retention_pending_ = false;
  uint64_t last_write_ms_ = 0;  // wall time of the last write batch  // retention has more to delete: no sleeping between turns  // the last turn summarized some: there may be more
  uint64_t next_age_check_ = 0;
  int64_t swept_ms_ = 0;  // no row that no session owns is left older than this
  uint64_t stats_deleted_events_ = 0, stats_deleted_sessions_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> retention_now_{false};
  std::atomic<uint64_t> written_through_{0};  // rows (ring positions) written so far
  mutable std::mutex stats_mutex_;
  StoreStats stats_;
};

}  // namespace auditlens
