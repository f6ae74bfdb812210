// The fleet store: the agent's rows (events, processes, sessions, and connections derived from
// network events) in a PostgreSQL database shared by many hosts (docs/fleet.md), written by a
// thread of its own so that nothing libpq does ever runs on the pipeline thread.
//
// Contract:
// - Open() opens the spool (pg_spool.h) and starts the writer; it fails, with a reason, only when
//   the connection string does not parse or the spool cannot be opened. The database need not be reachable: the writer connects (without
//   blocking: an unreachable address never stalls the ring), applies the schema migrations
//   (pg_schema.h), and reconnects with a growing backoff (retry_min_ms .. retry_max_ms) after
//   every failure.
// - sink() is the pipeline thread's end: a bounded ring (rows.h) of its own. A full ring drops
//   rows (stats().queue_dropped); nothing ever waits for the database — except with
//   wait_when_full (file input: an import), where the producer waits for the writer, which takes
//   rows at the database's pace (or the spool's, while it cannot be reached).
// - Rows are written in batches (every batch_ms, or sooner when the ring is half full, at most
//   batch_rows): COPY into temporary staging tables, then INSERT … ON CONFLICT into the real ones,
//   all in one transaction: events and connections are never written twice, a process or session
//   row fills in the stored one and never blanks a column. Every row carries the host and boot id.
// - While the database cannot be reached, and until the spool has been replayed, batches go to the
//   spool; past spool_max_bytes rows are dropped (stats().spool_dropped). Once connected, the
//   spool is replayed in order before live rows, and each replayed chunk leaves the spool only
//   after its transaction committed: nothing lost, nothing written twice.
// - A row the database refuses on its own (a data error) is counted in stats().rejected and
//   skipped, after its batch was retried row by row; it cannot block the rows after it.
// - No error it reports (Open's, stats().last_error) shows the connection string's password, even
//   where libpq's own text quotes pieces of it (common/conninfo_mask.h).
// - Close() takes what is still queued, gives the database up to close_wait_ms to take the rest
//   of the spool, leaves the remainder in the spool for the next start, and stops the thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "store/pg_copy.h"
#include "store/pg_spool.h"
#include "store/rows.h"

struct pg_conn;
struct pg_result;

namespace auditlens {

struct PostgresOptions {
  std::string conninfo;  // libpq keyword/value string or postgresql:// URI
  std::string host;
  std::string boot_id;
  std::string machine_id;
  std::string spool_path;
  uint64_t spool_max_bytes = 256ull << 20;
  size_t queue_rows = 16384;
  bool wait_when_full = false;  // file input only: a full ring makes the producer wait (rows.h)
  uint32_t batch_ms = 200;
  size_t batch_rows = 5000;
  uint32_t retry_min_ms = 500;
  uint32_t retry_max_ms = 10000;
  size_t replay_chunk_bytes = 2u << 20;
  uint32_t close_wait_ms = 5000;
};

struct PostgresStats {
  bool connected = false;
  uint64_t rows_written = 0;   // rows in committed transactions (replayed ones included)
  uint64_t transactions = 0;
  uint64_t connects = 0;       // successful connections
  uint64_t connect_failures = 0;
  uint64_t queue_dropped = 0;  // rows the full ring refused
  uint64_t spool_dropped = 0;  // rows the full spool refused
  uint64_t spooled_rows = 0;   // rows written to the spool, in all
  uint64_t replayed_rows = 0;  // rows from the spool committed to the database
  uint64_t spool_rows = 0;     // rows in the spool now
  uint64_t spool_bytes = 0;    // the spool file's size now
  uint64_t rejected = 0;       // rows the database refused on their own
  uint64_t schema_version = 0;
  std::string last_error;
  uint64_t last_error_ms = 0;
};

// Brings the fleet schema of the database conn is connected to up to kPgSchemaVersion (each
// migration in its own transaction, under the migrations' advisory lock); *version is the version
// found or reached. A schema already current is only read (SELECT on schema_migrations): a host's
// role, which may create nothing, gets through. false with the reason (libpq's text, unmasked).
bool ApplyPgMigrations(pg_conn* conn, uint64_t* version, std::string* error);
// The version recorded in schema_migrations, 0 when there is none; needs SELECT only.
bool ReadPgSchemaVersion(pg_conn* conn, uint64_t* version, std::string* error);

class PostgresStore {
 public:
  PostgresStore() = default;
  ~PostgresStore();
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  bool Open(const PostgresOptions& options, std::string* error);
  RowSink* sink() { return queue_.get(); }
  PostgresStats stats() const;
  void Close();

 private:
  enum class Result { kOk, kConnection, kData };

  void Run();
  size_t TakeRows(size_t max_rows);
  void Deliver();
  void ToSpool(std::string_view records);
  void ConnectStep(uint64_t now_ms);
  bool Setup();
  void Disconnect(const std::string& why);
  bool ReplayChunk();
  // Writes whole records in one transaction.
  Result Write(std::string_view records, uint64_t* rows);
  // Write(); a data error is retried row by row and the refused rows are counted.
  Result WriteOrSplit(std::string_view records, uint64_t* rows);
  Result EnsurePartitions(const std::vector<int64_t>& days);
  Result Exec(const char* sql);
  Result CopyIn(const char* table, const std::string& data);
  Result Failed(const char* what, pg_result* res);
  void NoteError(const std::string& what);

  PostgresOptions options_;
  std::unique_ptr<RowQueue> queue_;
  PgSpool spool_;
  pg_conn* conn_ = nullptr;
  bool connected_ = false;
  int poll_want_ = 0;  // what PQconnectPoll waits for: 1 read, 2 write
  uint64_t connect_started_ms_ = 0;
  uint64_t next_attempt_ms_ = 0;
  uint32_t backoff_ms_ = 0;
  std::set<int64_t> known_days_;
  std::string live_;      // records taken from the ring, not yet delivered
  std::string chunk_;     // a spool chunk being replayed
  std::string one_;       // one record with its context (row-by-row retry)
  CopyBatch batch_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex stats_mutex_;
  PostgresStats stats_;
};

}  // namespace auditlens
