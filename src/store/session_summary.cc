#include "store/session_summary.h"

#include <sqlite3.h>

#include <chrono>
#include <vector>


namespace auditlens {
namespace {

SessionSummarySourceFactory g_factory = nullptr;

uint64_t NowUs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

// The oldest ended sessions without a current summary (the partial index sessions_pending), that
// ended (or, failed logins, were last seen) at or before ?1.
constexpr char kPending[] =
    "SELECT id FROM sessions WHERE summarized IS NULL AND (end_ms IS NOT NULL OR state = 'failed')"
    " AND coalesce(end_ms, last_seen_ms, start_ms) <= ?1 ORDER BY start_ms LIMIT 32";

constexpr char kUpdate[] =
    "UPDATE sessions SET summarized = 1, summary_ms = ?2, summary_serial = ?3, commands = ?4,"
    " failed_commands = ?5, failed = ?6, containers = ?7 WHERE id = ?1";

}  // namespace

void InstallSessionSummaries(SessionSummarySourceFactory factory) { g_factory = factory; }
SessionSummarySourceFactory InstalledSessionSummaries() { return g_factory; }

SessionSummarizer::~SessionSummarizer() {
  sqlite3_finalize(pending_);
  sqlite3_finalize(update_);
}

bool SessionSummarizer::Prepare(std::string* error) {
  if (open_) return true;
  if (g_factory == nullptr) {
    *error = "no summaries installed";
    return false;
  }
  source_ = g_factory(path_, error);
  if (source_ == nullptr) return false;
  if (sqlite3_prepare_v3(db_, kPending, -1, SQLITE_PREPARE_PERSISTENT, &pending_, nullptr) !=
          SQLITE_OK ||
      sqlite3_prepare_v3(db_, kUpdate, -1, SQLITE_PREPARE_PERSISTENT, &update_, nullptr) !=
          SQLITE_OK) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  open_ = true;
  return true;
}

int SessionSummarizer::Step(uint64_t budget_us, int64_t settle_ms, std::string* error) {
  if (g_factory == nullptr) return 0;  // nothing installed: listings build the timelines
  if (!Prepare(error)) return -1;
  const uint64_t start = NowUs();
  int64_t cutoff = INT64_MAX;
  if (settle_ms > 0) {
    // The newest event stored (the last entry of the events table's key).
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT max(time_ms) FROM events", -1, &st, nullptr) != SQLITE_OK) {
      *error = sqlite3_errmsg(db_);
      return -1;
    }
    cutoff = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL
                 ? sqlite3_column_int64(st, 0) - settle_ms
                 : INT64_MIN;
    sqlite3_finalize(st);
  }
  int done = 0;
  while (NowUs() - start < budget_us) {
    std::vector<std::string> ids;
    sqlite3_bind_int64(pending_, 1, cutoff);
    int rc;
    while ((rc = sqlite3_step(pending_)) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(pending_, 0);
      ids.emplace_back(t ? reinterpret_cast<const char*>(t) : "",
                       static_cast<size_t>(sqlite3_column_bytes(pending_, 0)));
    }
    sqlite3_reset(pending_);
    if (rc != SQLITE_DONE) {
      *error = sqlite3_errmsg(db_);
      return -1;
    }
    if (ids.empty()) break;
    for (const std::string& id : ids) {
      if (!Summarize(id, error)) return -1;
      ++done;
      if (NowUs() - start >= budget_us) break;
    }
  }
  summarized_ += static_cast<uint64_t>(done);
  return done;
}

bool SessionSummarizer::Summarize(const std::string& id, std::string* error) {
  // The writer is this thread: nothing is written between these reads and the UPDATE.
  SessionSummary sum;
  if (!source_->Summarize(id, &sum, error)) return false;
  const int64_t newest_ms = sum.newest_ms, newest_serial = sum.newest_serial;
  const std::string& containers = sum.containers;
  sqlite3_bind_text(update_, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
  if (newest_ms == 0 && newest_serial == 0) {
    sqlite3_bind_null(update_, 2);
    sqlite3_bind_null(update_, 3);
  } else {
    sqlite3_bind_int64(update_, 2, newest_ms);
    sqlite3_bind_int64(update_, 3, newest_serial);
  }
  sqlite3_bind_int64(update_, 4, sum.commands);
  sqlite3_bind_int64(update_, 5, sum.failed_commands);
  sqlite3_bind_int64(update_, 6, sum.failed);
  if (containers.empty()) {
    sqlite3_bind_null(update_, 7);
  } else {
    sqlite3_bind_text(update_, 7, containers.data(), static_cast<int>(containers.size()),
                      SQLITE_STATIC);
  }
  const int rc = sqlite3_step(update_);
  sqlite3_reset(update_);
  sqlite3_clear_bindings(update_);
  if (rc != SQLITE_DONE) {
    *error = sqlite3_errmsg(db_);
    return false;
  }
  return true;
}

}  // namespace auditlens
