// bench_retention: size retention on a copy of a real store, timed. Opens STORE with the agent's
// store writer and max_bytes MAX (no rows written meanwhile), lets retention bring the database
// down to the limit, and prints what it deleted, in how many steps (transactions), the longest
// step (the longest the writer would have waited), the wall time, and the database's size after;
// then checks that every session left is whole: closed or failed, and no row of a deleted session
// is left. Exit status 1 when that check fails.
//
//   bench_retention STORE MAX_BYTES        (STORE is changed: give it a copy)
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "query/session_summaries.h"
#include "store/sqlite_store.h"

namespace {

int64_t Query(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace auditlens;
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_retention STORE MAX_BYTES   (STORE is changed: give it a copy)\n");
    return 2;
  }
  InstallTimelineSummaries();
  const std::string path = argv[1];
  const uint64_t max_bytes = std::strtoull(argv[2], nullptr, 10);
  const int64_t sessions_before = Query(path, "SELECT count(*) FROM sessions");
  const int64_t bytes_before = Query(path, "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size");
  SqliteStore store;
  StoreOptions o;
  o.path = path;
  o.retention_days = 0;
  o.max_bytes = max_bytes;
  std::string error;
  if (!store.Open(o, &error)) {
    std::fprintf(stderr, "bench_retention: %s\n", error.c_str());
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  store.RequestRetention();
  // Done when the database is within the limit and retention has stopped stepping.
  uint64_t last_steps = 0;
  int still = 0;
  while (still < 20) {
    usleep(50000);
    const StoreStats s = store.stats();
    still = s.retention_steps == last_steps ? still + 1 : 0;
    last_steps = s.retention_steps;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() - 1.0;
  const StoreStats s = store.stats();
  store.Close();
  const int64_t bytes_after = Query(path, "SELECT page_count * page_size FROM pragma_page_count, pragma_page_size");
  const int64_t open = Query(path, "SELECT count(*) FROM sessions WHERE end_ms IS NULL AND state != 'failed'");
  const int64_t orphans =
      Query(path, "SELECT count(*) FROM events WHERE session_id IS NOT NULL AND session_id NOT IN (SELECT key FROM sessions WHERE key IS NOT NULL)") +
      Query(path, "SELECT count(*) FROM processes WHERE session_id IS NOT NULL AND session_id NOT IN (SELECT key FROM sessions WHERE key IS NOT NULL)");
  std::printf("sessions %lld -> %lld (%llu deleted), events deleted %llu, database %lld -> %lld bytes "
              "(max_bytes %llu), %llu steps, longest %.1f ms (deleting: longest %.1f ms; COMMIT: longest %.1f ms), %.1f s; sessions left open %lld, rows of "
              "deleted sessions left %lld, write errors %llu\n",
              static_cast<long long>(sessions_before), static_cast<long long>(Query(path, "SELECT count(*) FROM sessions")),
              static_cast<unsigned long long>(s.deleted_sessions),
              static_cast<unsigned long long>(s.deleted_events), static_cast<long long>(bytes_before),
              static_cast<long long>(bytes_after), static_cast<unsigned long long>(max_bytes),
              static_cast<unsigned long long>(s.retention_steps), s.retention_max_pause_us / 1000.0,
              s.retention_max_delete_us / 1000.0, s.retention_max_commit_us / 1000.0,
              seconds, static_cast<long long>(open), static_cast<long long>(orphans),
              static_cast<unsigned long long>(s.write_errors));
  return orphans == 0 && s.write_errors == 0 ? 0 : 1;
}
