#include "store/postgres_store.h"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>

#include <algorithm>
#include <cstring>

#include "common/clock.h"
#include "common/conninfo_mask.h"
#include "common/parse_int.h"
#include "store/pg_schema.h"

namespace auditlens {
namespace {

// Data exceptions (22) and integrity violations (23): the rows' fault, not the connection's.
bool IsDataError(PGresult* res) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  return state != nullptr && (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0);
}

std::string OneLine(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

// Notices ("schema already exists, skipping") are not errors: the agent's log stays quiet.
void IgnoreNotice(void*, const char*) {}

}  // namespace

PostgresStore::~PostgresStore() { Close(); }

bool PostgresStore::Open(const PostgresOptions& options, std::string* error) {
  options_ = options;
  // A connection string libpq cannot parse never gets better: refused here, with libpq's reason
  // (which may quote pieces of the password: masked).
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.conninfo.c_str(), &parse_error);
  if (parsed == nullptr) {
    *error = "[store] postgres is not a valid connection string: " +
             MaskConnInfoIn(OneLine(parse_error ? parse_error : "out of memory"), options.conninfo);
    PQfreemem(parse_error);
    return false;
  }
  PQconninfoFree(parsed);
  if (!spool_.Open(options.spool_path, options.spool_max_bytes, error)) return false;
  queue_ = std::make_unique<RowQueue>(options.queue_rows);
  queue_->set_blocking(options.wait_when_full);
  {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    stats_.spool_rows = spool_.pending_rows();
    stats_.spool_bytes = spool_.file_bytes();
  }
  backoff_ms_ = options_.retry_min_ms;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
  return true;
}

PostgresStats PostgresStore::stats() const {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  PostgresStats s = stats_;
  s.queue_dropped = queue_ ? queue_->dropped() : 0;
  return s;
}

// Every error the writer keeps (the status file, the agent's log) goes through here: libpq's text
// may echo pieces of the connection string, so the password is masked.
void PostgresStore::NoteError(const std::string& what) {
  std::string masked = MaskConnInfoIn(what, options_.conninfo);
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_.last_error = std::move(masked);
  stats_.last_error_ms = WallMs();
}

// --- the writer thread ----------------------------------------------------------------------

void PostgresStore::Run() {
  pthread_setname_np(pthread_self(), "fleet-writer");  // its CPU is visible on its own (top -H)
  uint64_t close_deadline = 0;
  for (;;) {
    const bool stopping = stop_.load();
    const bool replaying = connected_ && spool_.pending_bytes() > 0;
    if (!stopping && !replaying && queue_->Available() < queue_->capacity() / 2) {
      queue_->Wait(options_.batch_ms);
    }
    while (TakeRows(options_.batch_rows) > 0) Deliver();
    const uint64_t now = MonotonicMs();
    if (stopping && close_deadline == 0) close_deadline = now + options_.close_wait_ms;
    // A file's input (an import) keeps trying to connect while closing, until the deadline: its
    // rows have nowhere else to go (a first attempt that failed must not end it at once).
    if (!connected_ && (!stopping || conn_ != nullptr || options_.wait_when_full)) ConnectStep(now);
    if (connected_ && spool_.pending_bytes() > 0) ReplayChunk();
    if (stopping && queue_->Available() == 0) {
      // Done when the spool is empty; else the database gets until the deadline to take it, if
      // it is there (or a connection is on its way). What is left stays for the next start.
      if (spool_.pending_bytes() == 0 || now >= close_deadline) break;
      if (!connected_ && conn_ == nullptr && !options_.wait_when_full) break;
      if (!connected_) {
        timespec ts{0, 20 * 1000000L};
        nanosleep(&ts, nullptr);
      }
    }
  }
  if (conn_ != nullptr) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
  connected_ = false;
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_.connected = false;
  stats_.spool_rows = spool_.pending_rows();
  stats_.spool_bytes = spool_.file_bytes();
}

size_t PostgresStore::TakeRows(size_t max_rows) {
  const size_t n = std::min(queue_->Available(), max_rows);
  if (n == 0) return 0;
  live_.clear();
  AppendContextRecord(options_.host, options_.boot_id, &live_);
  for (size_t i = 0; i < n; ++i) {
    AppendRowRecord(queue_->Front(), &live_);
    queue_->Pop();
  }
  return n;
}

void PostgresStore::Deliver() {
  // Order: while the spool holds rows, live rows go behind them.
  if (connected_ && spool_.pending_bytes() == 0) {
    uint64_t rows = 0;
    if (WriteOrSplit(live_, &rows) == Result::kOk) return;
    Disconnect("");
  }
  ToSpool(live_);
}

void PostgresStore::ToSpool(std::string_view records) {
  uint64_t written = 0, dropped = 0;
  std::string error;
  const bool ok = spool_.Append(records, &written, &dropped, &error);
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_.spooled_rows += written;
  stats_.spool_dropped += dropped;
  stats_.spool_rows = spool_.pending_rows();
  stats_.spool_bytes = spool_.file_bytes();
  if (!ok) {
    stats_.last_error = error;
    stats_.last_error_ms = WallMs();
  }
}

void PostgresStore::ConnectStep(uint64_t now) {
  if (conn_ == nullptr) {
    if (now < next_attempt_ms_) return;
    // Defaults first: what the configured string says wins (later keywords override).
    const char* keys[] = {"connect_timeout", "keepalives", "keepalives_idle",
                          "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                          "application_name", "dbname", nullptr};
    const char* values[] = {"10", "1", "10", "5", "3", "15000", "auditlens-agent",
                            options_.conninfo.c_str(), nullptr};
    conn_ = PQconnectStartParams(keys, values, /*expand_dbname=*/1);
    connect_started_ms_ = now;
    poll_want_ = 2;
    if (conn_ == nullptr || PQstatus(conn_) == CONNECTION_BAD) {
      Disconnect(conn_ ? OneLine(PQerrorMessage(conn_)) : "out of memory");
      return;
    }
  }
  // Drive the handshake for at most ~150 ms per turn: the ring keeps being drained in between.
  for (int turn = 0; turn < 3; ++turn) {
    pollfd pfd{PQsocket(conn_), static_cast<short>(poll_want_ == 1 ? POLLIN : POLLOUT), 0};
    if (pfd.fd < 0) {
      Disconnect("no socket");
      return;
    }
    int r = poll(&pfd, 1, 50);
    if (r == 0) {
      if (MonotonicMs() - connect_started_ms_ > 10000) Disconnect("connection timed out");
      return;
    }
    switch (PQconnectPoll(conn_)) {
      case PGRES_POLLING_READING: poll_want_ = 1; break;
      case PGRES_POLLING_WRITING: poll_want_ = 2; break;
      case PGRES_POLLING_OK:
        PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
        if (PQsetnonblocking(conn_, 0) != 0 || !Setup()) {
          Disconnect("");
          return;
        }
        connected_ = true;
        backoff_ms_ = options_.retry_min_ms;
        {
          std::lock_guard<std::mutex> lock(stats_mutex_);
          stats_.connected = true;
          ++stats_.connects;
        }
        return;
      default:
        Disconnect(OneLine(PQerrorMessage(conn_)));
        return;
    }
  }
}

void PostgresStore::Disconnect(const std::string& why) {
  if (!why.empty()) NoteError(why);
  if (conn_ != nullptr) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
  if (!connected_) {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    ++stats_.connect_failures;
  }
  connected_ = false;
  known_days_.clear();
  next_attempt_ms_ = MonotonicMs() + backoff_ms_;
  backoff_ms_ = std::min(options_.retry_max_ms, backoff_ms_ * 2);
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_.connected = false;
}

PostgresStore::Result PostgresStore::Failed(const char* what, PGresult* res) {
  const bool data = IsDataError(res);
  NoteError(std::string(what) + ": " +
            OneLine(res ? PQresultErrorMessage(res) : PQerrorMessage(conn_)));
  if (res) PQclear(res);
  if (PQstatus(conn_) != CONNECTION_OK) return Result::kConnection;
  return data ? Result::kData : Result::kConnection;
}

PostgresStore::Result PostgresStore::Exec(const char* sql) {
  PGresult* res = PQexec(conn_, sql);
  const ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Failed(sql, res);
  PQclear(res);
  return Result::kOk;
}

namespace {

// One statement (or several) that returns no rows we need; false with libpq's reason.
bool RunSql(PGconn* conn, const char* what, const std::string& sql, std::string* error) {
  PGresult* res = PQexec(conn, sql.c_str());
  const ExecStatusType st = PQresultStatus(res);
  const bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
  if (!ok) *error = std::string(what) + ": " + OneLine(PQresultErrorMessage(res));
  PQclear(res);
  if (!ok) PQclear(PQexec(conn, "ROLLBACK"));
  return ok;
}

}  // namespace

bool ReadPgSchemaVersion(PGconn* conn, uint64_t* version, std::string* error) {
  PGresult* res = PQexec(conn,
                         "SELECT CASE WHEN to_regclass('auditlens.schema_migrations') IS NULL "
                         "THEN NULL ELSE 1 END");
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    *error = "looking for the schema: " + OneLine(PQresultErrorMessage(res));
    PQclear(res);
    return false;
  }
  const bool exists = !PQgetisnull(res, 0, 0);
  PQclear(res);
  *version = 0;
  if (!exists) return true;
  res = PQexec(conn, "SELECT coalesce(max(version), 0) FROM auditlens.schema_migrations");
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    *error = "reading schema_migrations: " + OneLine(PQresultErrorMessage(res));
    PQclear(res);
    return false;
  }
  *version = 0;
  ParseU64(PQgetvalue(res, 0, 0), version);
  PQclear(res);
  return true;
}

bool ApplyPgMigrations(PGconn* conn, uint64_t* version, std::string* error) {
  if (!ReadPgSchemaVersion(conn, version, error)) return false;
  if (*version >= static_cast<uint64_t>(kPgSchemaVersion)) return true;
  // Migrations: each in its own transaction, under a lock every agent takes: the first agent
  // applies them, the others wait and find them applied.
  for (;;) {
    std::string sql = "BEGIN; SELECT pg_advisory_xact_lock(" + std::to_string(kPgMigrationLock) +
                      "); " + kPgBootstrap;
    if (!RunSql(conn, "creating schema auditlens", sql, error)) return false;
    PGresult* res =
        PQexec(conn, "SELECT coalesce(max(version), 0) FROM auditlens.schema_migrations");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      *error = "reading schema_migrations: " + OneLine(PQresultErrorMessage(res));
      PQclear(res);
      PQclear(PQexec(conn, "ROLLBACK"));
      return false;
    }
    *version = 0;
    ParseU64(PQgetvalue(res, 0, 0), version);
    PQclear(res);
    if (*version >= static_cast<uint64_t>(kPgSchemaVersion)) return RunSql(conn, "commit", "COMMIT", error);
    const std::string what = "schema migration " + std::to_string(*version + 1);
    if (!RunSql(conn, what.c_str(), kPgMigrations[*version], error)) return false;
    std::string record = "INSERT INTO auditlens.schema_migrations(version) VALUES (" +
                         std::to_string(*version + 1) + "); COMMIT";
    if (!RunSql(conn, what.c_str(), record, error)) return false;
  }
}

bool PostgresStore::Setup() {
  uint64_t version = 0;
  std::string error;
  if (!ApplyPgMigrations(conn_, &version, &error)) {
    NoteError(error);
    return false;
  }
  // A host's login role (migration 2) writes as its host only: a different [agent] hostname would
  // have every row refused by the policies; said once here, plainly.
  PGresult* res = PQexec(conn_, kPgMappedHost);
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    Failed("reading host_roles", res);
    return false;
  }
  std::string mapped = PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "";
  const std::string role = PQntuples(res) == 1 ? PQuser(conn_) : "";
  PQclear(res);
  if (!mapped.empty() && mapped != options_.host) {
    NoteError("the database maps role " + role + " to host " + mapped + ", but this agent is host " +
              options_.host + ": set [agent] hostname = \"" + mapped + "\" or map the role to " +
              options_.host + " in auditlens.host_roles");
    return false;
  }
  if (Exec(kPgStaging) != Result::kOk) return false;
  {
    std::lock_guard<std::mutex> lock(stats_mutex_);
    stats_.schema_version = version;
  }
  return true;
}

PostgresStore::Result PostgresStore::EnsurePartitions(const std::vector<int64_t>& days) {
  // The day's partition, and the next day's ahead of time, by the schema owner's function (a
  // host's role may create no table): '{d1,d2,...}'.
  std::string array;
  for (int64_t day : days) {
    for (int64_t d : {day, day + 1}) {
      if (known_days_.count(d) != 0) continue;
      array += array.empty() ? "{" : ",";
      array += std::to_string(d);
    }
  }
  if (array.empty()) return Result::kOk;
  array += "}";
  // Two agents creating the same partition at once would collide in the catalog: the function
  // takes kPgPartitionLock, held to this transaction's end.
  if (Exec("BEGIN") != Result::kOk) return Result::kConnection;
  const char* params[] = {array.c_str()};
  PGresult* res = PQexecParams(conn_, kPgEnsurePartitions, 1, nullptr, params, nullptr, nullptr, 0);
  Result r = PQresultStatus(res) == PGRES_TUPLES_OK ? Result::kOk : Failed("partitions", res);
  if (r == Result::kOk) {
    PQclear(res);
    r = Exec("COMMIT");
  }
  if (r != Result::kOk) {
    PQclear(PQexec(conn_, "ROLLBACK"));
    return r == Result::kData ? Result::kConnection : r;
  }
  for (int64_t day : days) {
    known_days_.insert(day);
    known_days_.insert(day + 1);
  }
  return Result::kOk;
}

PostgresStore::Result PostgresStore::CopyIn(const char* table, const std::string& data) {
  std::string sql = std::string("COPY ") + table + " FROM STDIN";
  PGresult* res = PQexec(conn_, sql.c_str());
  if (PQresultStatus(res) != PGRES_COPY_IN) return Failed(sql.c_str(), res);
  PQclear(res);
  int ok = PQputCopyData(conn_, data.data(), static_cast<int>(data.size()));
  if (ok == 1) ok = PQputCopyEnd(conn_, nullptr);
  if (ok != 1) return Failed(sql.c_str(), nullptr);
  Result r = Result::kOk;
  while ((res = PQgetResult(conn_)) != nullptr) {
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
      if (r == Result::kOk) {
        r = Failed(sql.c_str(), res);
      } else {
        PQclear(res);
      }
      continue;
    }
    PQclear(res);
  }
  return r;
}

PostgresStore::Result PostgresStore::Write(std::string_view records, uint64_t* rows) {
  batch_.Clear();
  batch_.host = options_.host;
  batch_.boot_id = options_.boot_id;
  AddRecords(records, &batch_);
  *rows = batch_.rows();
  if (batch_.rows() == 0) return Result::kOk;
  Result r = EnsurePartitions(batch_.days);
  if (r != Result::kOk) return r;
  const std::string now = std::to_string(WallMs());
  auto run = [&]() -> Result {
    Result x;
    if ((x = Exec("BEGIN")) != Result::kOk) return x;
    if (batch_.event_rows > 0) {
      if ((x = CopyIn("stage_events", batch_.events)) != Result::kOk) return x;
      if ((x = Exec(kPgInsertEvents)) != Result::kOk) return x;
    }
    if (batch_.connection_rows > 0) {
      if ((x = CopyIn("stage_connections", batch_.connections)) != Result::kOk) return x;
      if ((x = Exec(kPgInsertConnections)) != Result::kOk) return x;
    }
    if (batch_.process_rows > 0) {
      if ((x = CopyIn("stage_processes", batch_.processes)) != Result::kOk) return x;
      if ((x = Exec(kPgMergeProcesses)) != Result::kOk) return x;
    }
    if (batch_.session_rows > 0) {
      if ((x = CopyIn("stage_sessions", batch_.sessions)) != Result::kOk) return x;
      if ((x = Exec(kPgMergeSessions)) != Result::kOk) return x;
    }
    if (batch_.container_rows > 0) {
      if ((x = CopyIn("stage_containers", batch_.containers)) != Result::kOk) return x;
      if ((x = Exec(kPgMergeContainers)) != Result::kOk) return x;
    }
    const char* params[] = {options_.host.c_str(), options_.machine_id.c_str(),
                            options_.boot_id.c_str(), now.c_str()};
    PGresult* res = PQexecParams(conn_, kPgUpsertHost, 4, nullptr, params, nullptr, nullptr, 0);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) return Failed("hosts", res);
    PQclear(res);
    return Exec("COMMIT");
  };
  r = run();
  if (r != Result::kOk) {
    if (PQstatus(conn_) == CONNECTION_OK) PQclear(PQexec(conn_, "ROLLBACK"));
    return r;
  }
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_.rows_written += batch_.rows();
  ++stats_.transactions;
  return Result::kOk;
}

PostgresStore::Result PostgresStore::WriteOrSplit(std::string_view records, uint64_t* rows) {
  Result r = Write(records, rows);
  if (r != Result::kData) return r;
  // One row (or more) the database refuses: each row alone, with the context in force.
  *rows = 0;
  size_t pos = 0;
  Row row;
  RecordView ctx;
  std::string host = options_.host, boot = options_.boot_id;
  while (pos < records.size()) {
    const size_t start = pos;
    if (!ReadRecord(records, &pos, &row, &ctx)) break;
    if (ctx.context) {
      host.assign(ctx.host);
      boot.assign(ctx.boot_id);
      ctx.context = false;
      continue;
    }
    one_.clear();
    AppendContextRecord(host, boot, &one_);
    one_.append(records.substr(start, pos - start));
    uint64_t n = 0;
    r = Write(one_, &n);
    if (r == Result::kConnection) return r;
    if (r == Result::kData) {
      std::lock_guard<std::mutex> lock(stats_mutex_);
      ++stats_.rejected;
    }
    *rows += n;
  }
  return Result::kOk;
}

bool PostgresStore::ReplayChunk() {
  std::string error;
  if (!spool_.Read(options_.replay_chunk_bytes, &chunk_, &error)) {
    NoteError(error);
    return false;
  }
  if (chunk_.empty()) return true;
  uint64_t rows = 0;
  if (WriteOrSplit(chunk_, &rows) != Result::kOk) {
    Disconnect("");
    return false;
  }
  // Committed: only now does the chunk leave the spool. The context record Read put first is not
  // part of the file.
  size_t prefix = 0;
  {
    Row row;
    RecordView ctx;
    ReadRecord(chunk_, &prefix, &row, &ctx);
  }
  if (!spool_.Advance(chunk_.size() - prefix, &error)) NoteError(error);
  std::lock_guard<std::mutex> lock(stats_mutex_);
  stats_.replayed_rows += rows;
  stats_.spool_rows = spool_.pending_rows();
  stats_.spool_bytes = spool_.file_bytes();
  return true;
}

void PostgresStore::Close() {
  if (thread_.joinable()) {
    stop_ = true;
    queue_->Wake();
    thread_.join();
  }
}

}  // namespace auditlens
