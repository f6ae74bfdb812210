// Store schema version 5 (issue 22): listings read each session's stored summary through indexes
// (the same results as building every timeline, which is what version 4 did), and retention deletes
// whole sessions, oldest first, in short steps while rows keep coming.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include "query/store_reader.h"
#include "query/timeline.h"
#include "session_test_harness.h"
#include "store/schema.h"
#include "store/sqlite_store.h"
#include "store_v5_schema.h"

namespace auditlens {
namespace {

using testing::ReadSessionData;
using testing::QueryPlan;
using testing::RecordBothSessions;
using testing::SessionHarness;

// What `sessions --json` prints, for every listed session.
std::string Listing(StoreReader& reader, const SessionFilter& filter) {
  std::vector<StoredSession> sessions;
  std::string error;
  EXPECT_TRUE(reader.ListSessions(filter, &sessions, &error)) << error;
  EXPECT_TRUE(SummarizeSessions(reader, &sessions, &error)) << error;
  return RenderSessionsJson(sessions, 1'800'000'000'000) +
         RenderSessionsText(sessions, 1'800'000'000'000, false);
}

// The listing as version 4 made it: the old query (a store claiming version 4 is read with it; its
// rows as version 5 wrote them, without version 6's codes), every session's timeline built.
std::string OldListing(const std::string& path, const SessionFilter& filter) {
  const std::string copy = path + ".v4";
  std::filesystem::copy_file(path, copy, std::filesystem::copy_options::overwrite_existing);
  std::string downgrade_error;
  EXPECT_TRUE(testing::DowngradeStoreToV5(copy, &downgrade_error)) << downgrade_error;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(copy.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "UPDATE meta SET value = '4' WHERE key = 'schema_version'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  StoreReader reader;
  std::string error;
  EXPECT_TRUE(reader.Open(copy, &error)) << error;
  EXPECT_EQ(reader.schema_version(), 4);
  return Listing(reader, filter);
}

// The recorded sessions of this machine, recorded into one store and the store closed (its writer
// summarizes the ended sessions when it closes).
TEST(StoreListing, SummariesGiveTheSameListingAsTimelines) {
  SessionHarness h(/*with_store=*/true);
  const std::string path = RecordBothSessions(h);
  StoreReader reader;
  std::string error;
  ASSERT_TRUE(reader.Open(path, &error)) << error;
  ASSERT_EQ(reader.schema_version(), kStoreSchemaVersion);
  std::vector<StoredSession> sessions;
  ASSERT_TRUE(reader.ListSessions({}, &sessions, &error)) << error;
  ASSERT_GE(sessions.size(), 3u);
  // Every session that ended has its summary, and it is current.
  int summarized = 0;
  for (const StoredSession& s : sessions) {
    if (s.end_ms > 0 || s.state == "failed") {
      EXPECT_TRUE(s.summarized) << s.id;
    }
    summarized += s.summarized;
  }
  EXPECT_GE(summarized, 3);
  // The same listing, whichever filter, as version 4's query and timelines gave.
  std::vector<SessionFilter> filters(5);
  filters[1].user = sessions.back().user;
  filters[2].since_ms = sessions[1].start_ms;
  filters[3].limit = 2;
  filters[4].user = "nobody-such";
  for (const SessionFilter& f : filters) {
    const std::string now = Listing(reader, f);
    EXPECT_EQ(now, OldListing(path, f)) << "user '" << f.user << "' since " << f.since_ms;
  }
  EXPECT_NE(Listing(reader, {}).find("\"commands\":"), std::string::npos);
}

// A later event makes a stored summary stale: the reader then builds that session's timeline.
TEST(StoreListing, StaleSummaryIsNotUsed) {
  SessionHarness h(/*with_store=*/true);
  const std::string path = RecordBothSessions(h);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  // A made-up count, and an event after the summary: the count must not show.
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE sessions SET commands = 999 WHERE summarized = 1;"
                         "INSERT INTO events(time_ms, serial, session_id, kind) SELECT"
                         " summary_ms + 1, 1, key, 0 FROM sessions WHERE summarized = 1",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  StoreReader reader;
  std::string error;
  ASSERT_TRUE(reader.Open(path, &error)) << error;
  std::vector<StoredSession> sessions;
  ASSERT_TRUE(reader.ListSessions({}, &sessions, &error)) << error;
  for (const StoredSession& s : sessions) EXPECT_FALSE(s.summarized) << s.id;
  const std::string listing = Listing(reader, {});
  EXPECT_EQ(listing.find("999"), std::string::npos) << listing;
  EXPECT_EQ(listing, OldListing(path, {}));
}

// Every session's timeline (JSON and text), the process rows and raw events, and the listing: what a
// store shows.
std::string Everything(const std::string& path) {
  StoreReader reader;
  std::string error;
  EXPECT_TRUE(reader.Open(path, &error)) << error;
  std::string out = Listing(reader, {});
  std::vector<StoredSession> sessions;
  EXPECT_TRUE(reader.ListSessions({}, &sessions, &error)) << error;
  for (const StoredSession& s : sessions) {
    TimelineData data;
    EXPECT_TRUE(reader.LoadTimeline(s.id, &data, &error)) << error;
    for (const StoredEvent& e : data.events) {
      out += std::to_string(e.time_ms) + " " + std::to_string(e.serial) + " " + e.kind + " " +
             e.action + " " + e.outcome + " " + e.role + " " + e.entity_id + " " +
             e.session_id + " " + e.detail + "\n";
    }
    for (const StoredProcess& p : data.processes) {
      out += p.entity_id + " " + p.parent_entity + " " + p.previous_entity + " " + p.role + " " +
             p.origin + " " + p.session_id + " " + p.exe + " " + p.args + "\n";
    }
    const Timeline t = BuildTimeline(data);
    out += RenderTimelineJson(t) + RenderTimelineText(t, false);
    std::vector<StoredEvent> after;
    EXPECT_TRUE(reader.LoadEventsAfter(s.id, 0, 0, 100000, &after, &error)) << error;
    out += "events after: " + std::to_string(after.size()) + "\n";
  }
  return out;
}

// Schema version 6 (codes for repeated text): a version 5 store made from the same sessions shows
// the same, read as it is and once the writer has upgraded it in place; the upgraded store is
// smaller.
TEST(StoreListing, Version5StoreShowsTheSameReadAndUpgraded) {
  SessionHarness h(/*with_store=*/true);
  const std::string path = RecordBothSessions(h);
  const std::string expected = Everything(path);
  ASSERT_NE(expected.find("\"kind\":\"command\""), std::string::npos) << expected.substr(0, 2000);
  const std::string v5 = path + ".v5";
  std::filesystem::copy_file(path, v5, std::filesystem::copy_options::overwrite_existing);
  std::string error;
  ASSERT_TRUE(testing::DowngradeStoreToV5(v5, &error)) << error;
  {
    StoreReader reader;
    ASSERT_TRUE(reader.Open(v5, &error)) << error;
    EXPECT_EQ(reader.schema_version(), 5);
  }
  EXPECT_EQ(Everything(v5), expected);
  auto used_pages = [](const std::string& p) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(p.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, "VACUUM", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &st, nullptr);
    const int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
  };
  const int64_t v5_pages = used_pages(v5);
  {
    SqliteStore store;
    StoreOptions o;
    o.path = v5;
    o.host = "testhost";
    ASSERT_TRUE(store.Open(o, &error)) << error;
    store.Close();
  }
  {
    StoreReader reader;
    ASSERT_TRUE(reader.Open(v5, &error)) << error;
    EXPECT_EQ(reader.schema_version(), kStoreSchemaVersion);
  }
  EXPECT_EQ(Everything(v5), expected);
  EXPECT_LT(used_pages(v5), v5_pages);
}

// A version 4 store is upgraded in place; its ended sessions get their summaries from the writer.
TEST(StoreListing, Version4StoreGetsSummaries) {
  SessionHarness h(/*with_store=*/true);
  const std::string path = RecordBothSessions(h);
  const std::string expected = OldListing(path, {});
  {
    // Back to version 4: the rows as version 5 wrote them, the columns and indexes of version 5
    // dropped.
    std::string downgrade_error;
    ASSERT_TRUE(testing::DowngradeStoreToV5(path, &downgrade_error)) << downgrade_error;
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* message = nullptr;
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP INDEX sessions_active; DROP INDEX sessions_ses;"
                           "DROP INDEX sessions_pending;"
                           "ALTER TABLE sessions DROP COLUMN active_ms;"
                           "ALTER TABLE sessions DROP COLUMN summarized;"
                           "ALTER TABLE sessions DROP COLUMN summary_ms;"
                           "ALTER TABLE sessions DROP COLUMN summary_serial;"
                           "ALTER TABLE sessions DROP COLUMN commands;"
                           "ALTER TABLE sessions DROP COLUMN failed_commands;"
                           "ALTER TABLE sessions DROP COLUMN failed;"
                           "ALTER TABLE sessions DROP COLUMN containers;"
                           "UPDATE meta SET value = '4' WHERE key = 'schema_version'",
                           nullptr, nullptr, &message),
              SQLITE_OK)
        << (message ? message : "");
    sqlite3_close(db);
    StoreReader v4;
    std::string error;
    ASSERT_TRUE(v4.Open(path, &error)) << error;
    EXPECT_EQ(Listing(v4, {}), expected);
  }
  SqliteStore store;
  StoreOptions o;
  o.path = path;
  o.host = "testhost";
  std::string error;
  ASSERT_TRUE(store.Open(o, &error)) << error;
  store.Close();
  StoreReader reader;
  ASSERT_TRUE(reader.Open(path, &error)) << error;
  EXPECT_EQ(reader.schema_version(), kStoreSchemaVersion);  // 4 -> 5 -> 6
  std::vector<StoredSession> sessions;
  ASSERT_TRUE(reader.ListSessions({}, &sessions, &error)) << error;
  for (const StoredSession& s : sessions) {
    if (s.end_ms > 0 || s.state == "failed") EXPECT_TRUE(s.summarized) << s.id;
  }
  EXPECT_EQ(Listing(reader, {}), expected);
}

// Every filter of a listing, and a ses number and an id prefix, go through an index: no full scan
// of sessions (SQLite says "SCAN s" or "SCAN sessions" for one).
TEST(StoreListing, ListingsUseIndexes) {
  SessionHarness h(/*with_store=*/true);
  const std::string path = RecordBothSessions(h);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  // Statistics as a big store would have them would only help: the plans hold without.
  auto expect = [&](const std::string& sql, const std::string& index) {
    const std::string plan = QueryPlan(db, sql);
    EXPECT_NE(plan.find(index), std::string::npos) << sql << "\n" << plan;
    EXPECT_EQ(plan.find("SCAN s\n"), std::string::npos) << sql << "\n" << plan;
    EXPECT_EQ(plan.find("SCAN sessions\n"), std::string::npos) << sql << "\n" << plan;
    // The summary's check reads the session's newest event through its index.
    if (sql.find("summary_ms") != std::string::npos) {
      EXPECT_NE(plan.find("events_session"), std::string::npos) << plan;
      EXPECT_EQ(plan.find("SCAN e"), std::string::npos) << plan;
    }
  };
  SessionFilter last;
  last.limit = 200;
  expect(ListSessionsSql(last, 5), "sessions_start");
  SessionFilter since;
  since.since_ms = 1000;
  expect(ListSessionsSql(since, 5), "sessions_active (active_ms>?)");
  SessionFilter user;
  user.user = "alice";
  expect(ListSessionsSql(user, 5), "sessions_user (user=?)");
  user.since_ms = 1000;
  const std::string both = QueryPlan(db, ListSessionsSql(user, 5));
  EXPECT_TRUE(both.find("sessions_user") != std::string::npos ||
              both.find("sessions_active") != std::string::npos)
      << both;
  EXPECT_EQ(both.find("SCAN s\n"), std::string::npos) << both;
  expect(kSessionBySesSql, "sessions_ses (ses=?)");
  expect(kSessionPrefixSql, "PRIMARY KEY (id>? AND id<?)");
  // Version 4's query scanned them all.
  EXPECT_NE(QueryPlan(db, ListSessionsSql(since, 4)).find("SCAN sessions"), std::string::npos);
  sqlite3_close(db);

  // And they find what they should.
  StoreReader reader;
  std::string error, id;
  ASSERT_TRUE(reader.Open(path, &error)) << error;
  std::vector<StoredSession> sessions;
  ASSERT_TRUE(reader.ListSessions({}, &sessions, &error)) << error;
  const StoredSession& s = sessions.back();
  ASSERT_TRUE(reader.ResolveSession(s.id.substr(0, s.id.size() - 1), &id, &error) ||
              error.find("several") != std::string::npos)
      << error;
  ASSERT_TRUE(reader.ResolveSession(s.id, &id, &error)) << error;
  EXPECT_EQ(id, s.id);
  if (s.ses >= 0) {
    ASSERT_TRUE(reader.ResolveSession(std::to_string(s.ses), &id, &error)) << error;
    EXPECT_EQ(id, s.id);
  }
  EXPECT_FALSE(reader.ResolveSession("zzzz", &id, &error));
  EXPECT_EQ(error, "no session zzzz in the store");
}

// An id prefix is a key range: prefixes ending in any byte, and one that names several.
TEST(StoreListing, IdPrefixRanges) {
  const std::string dir = std::filesystem::temp_directory_path() /
                          ("auditlens-listing-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const std::string path = dir + "/p.db";
  {
    SqliteStore store;
    StoreOptions o;
    o.path = path;
    std::string error;
    ASSERT_TRUE(store.Open(o, &error)) << error;
    store.Close();
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "INSERT INTO sessions(id, start_ms, state) VALUES"
                         "('ab-1', 1, 'closed'), ('ab-2', 2, 'closed'), ('ac-1', 3, 'closed'),"
                         "('b\xc3\xbf-1', 4, 'closed'), ('b\xc3\xbf', 5, 'closed')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  StoreReader reader;
  std::string error, id;
  ASSERT_TRUE(reader.Open(path, &error)) << error;
  EXPECT_TRUE(reader.ResolveSession("ac", &id, &error)) << error;
  EXPECT_EQ(id, "ac-1");
  EXPECT_FALSE(reader.ResolveSession("ab", &id, &error));
  EXPECT_NE(error.find("names several sessions (ab-1, ab-2"), std::string::npos) << error;
  EXPECT_TRUE(reader.ResolveSession("ab-2", &id, &error)) << error;
  EXPECT_EQ(id, "ab-2");
  EXPECT_TRUE(reader.ResolveSession("b\xc3\xbf-", &id, &error)) << error;
  EXPECT_EQ(id, "b\xc3\xbf-1");
  EXPECT_FALSE(reader.ResolveSession("b", &id, &error));
  EXPECT_FALSE(reader.ResolveSession("c", &id, &error));
  EXPECT_EQ(error, "no session c in the store");
  std::filesystem::remove_all(dir);
}

// Retention under continuous writes: sessions keep coming (each a session row, then its events and
// processes, then its closing row) into a store far smaller than what is written. Whatever
// retention deleted, every session still stored is whole (all its events and processes, its row
// closed but for the one still open), the stored ones are the newest, a session whose end was lost
// went whole, and the database stays within max_bytes plus a margin.
TEST(StoreRetention, KeepsEverySessionWholeUnderContinuousWrites) {
  const std::string dir = std::filesystem::temp_directory_path() /
                          ("auditlens-retention-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  const std::string path = dir + "/r.db";
  SqliteStore store;
  StoreOptions o;
  o.path = path;
  o.retention_days = 0;
  o.max_bytes = 3 << 20;
  o.batch_ms = 5;
  o.batch_rows = 500;
  o.queue_rows = 16384;
  std::string error;
  ASSERT_TRUE(store.Open(o, &error)) << error;
  constexpr int kSessions = 600;
  std::map<std::string, int> events_of, processes_of;
  const std::string pad(200, 'p');
  uint32_t serial = 0;
  int64_t t = 1'700'000'000'000;
  auto push = [&](auto&& fill) {
    Row* r;
    while ((r = store.sink()->Begin()) == nullptr) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    fill(r);
    store.sink()->Commit();
  };
  auto session_row = [&](const std::string& id, int64_t start, int64_t end) {
    push([&](Row* r) {
      r->Reset(RowType::kSession);
      r->num[col::kSessionSes] = 7;
      r->num[col::kSessionStart] = start;
      r->num[col::kSessionEnd] = end;
      r->num[col::kLastSeen] = end == col::kNull ? start : end;
      for (int i = 0; i < col::kSessionStrs; ++i) {
        r->AddStr(i == col::kId ? std::string_view(id)
                  : i == col::kState ? (end == col::kNull ? "open" : "closed")
                  : i == col::kUser ? "alice" : "");
      }
    });
  };
  int64_t peak_db = 0;
  auto db_bytes = [&] {
    sqlite3* h = nullptr;
    sqlite3_open_v2(path.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
    int64_t v[2] = {0, 0};
    const char* sql[2] = {"PRAGMA page_count", "PRAGMA page_size"};
    for (int i = 0; i < 2; ++i) {
      sqlite3_stmt* st = nullptr;
      sqlite3_prepare_v2(h, sql[i], -1, &st, nullptr);
      if (sqlite3_step(st) == SQLITE_ROW) v[i] = sqlite3_column_int64(st, 0);
      sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return v[0] * v[1];
  };
  // A session whose end was lost (its closing row dropped): open, silent from the start on. Size
  // retention deletes it, whole, once every ended session kept started after its last event.
  session_row("s-lost", t, col::kNull);
  for (int k = 0; k < 5; ++k) {
    push([&](Row* r) {
      r->Reset(RowType::kEvent);
      r->num[col::kTime] = t++;
      r->num[col::kSerial] = ++serial;
      r->num[col::kKind] = static_cast<int64_t>(EventKind::kOther);
      r->num[col::kOutcome] = static_cast<int64_t>(Outcome::kSuccess);
      r->AddStr("s-lost");
      for (int s = 0; s < 4; ++s) r->AddStr("");
    });
  }
  // Two sessions overlap at any time (their events interleave), as logins do.
  for (int i = 0; i < kSessions; ++i) {
    const std::string id = "s-" + std::to_string(100000 + i);
    const int64_t start = t;
    session_row(id, start, col::kNull);
    const int n = 20 + (i * 37) % 60;
    for (int k = 0; k < n; ++k) {
      push([&](Row* r) {
        r->Reset(RowType::kEvent);
        r->num[col::kTime] = t++;
        r->num[col::kSerial] = ++serial;
        r->num[col::kKind] = static_cast<int64_t>(EventKind::kExec);
        r->num[col::kOutcome] = static_cast<int64_t>(Outcome::kSuccess);
        r->AddStr(id);
        r->AddStr(id + "-e" + std::to_string(k));
        r->AddStr("execve");
        r->AddStr("command");
        r->AddStr("{\"args\":[\"" + pad + "\"]}");
      });
      if (k % 4 == 0) {
        push([&](Row* r) {
          r->Reset(RowType::kProcess);
          r->num[col::kProcPid] = 1000 + k;
          r->num[col::kStart] = t;
          r->num[col::kOrigin] = static_cast<int64_t>(ProcessOrigin::kExec);
          for (int s = 0; s < col::kProcessStrs; ++s) {
            r->AddStr(s == col::kEntity ? std::string_view(id + "-e" + std::to_string(k))
                      : s == col::kProcSessionId ? std::string_view(id)
                      : s == col::kProcRole ? "command" : "");
          }
        });
        ++processes_of[id];
      }
      // A daemon's event outside sessions now and then.
      if (k % 10 == 0) {
        push([&](Row* r) {
          r->Reset(RowType::kEvent);
          r->num[col::kTime] = t++;
          r->num[col::kSerial] = ++serial;
          r->num[col::kKind] = static_cast<int64_t>(EventKind::kOther);
          r->num[col::kOutcome] = static_cast<int64_t>(Outcome::kSuccess);
          for (int s = 0; s < 5; ++s) r->AddStr("");
        });
      }
    }
    events_of[id] = n;
    // The last one is still open at the end: kept, whatever its age.
    if (i + 1 < kSessions) session_row(id, start, t++);
    if (i % 50 == 0) peak_db = std::max(peak_db, db_bytes());
  }
  store.Sync();
  // Retention settles (it runs in steps between writes).
  for (int i = 0; i < 500 && db_bytes() > static_cast<int64_t>(o.max_bytes); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  store.Sync();
  const StoreStats stats = store.stats();
  EXPECT_EQ(stats.write_errors, 0u) << stats.last_error;
  EXPECT_GT(stats.deleted_sessions, 50u);  // far more was written than fits
  EXPECT_GT(stats.retention_steps, 5u);
  std::cout << "retention: " << stats.deleted_sessions << " sessions deleted in "
            << stats.retention_steps << " steps, longest " << stats.retention_max_pause_us
            << " us; database at most " << peak_db << " bytes while writing (max_bytes "
            << o.max_bytes << ")\n";
  peak_db = std::max(peak_db, db_bytes());
  // The margin: what is written between two checks (a few write batches; 1 MiB is generous here).
  EXPECT_LE(peak_db, static_cast<int64_t>(o.max_bytes) + (1 << 20));

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  auto count = [&](const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  };
  std::vector<std::string> kept;
  {
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT id, state, end_ms IS NULL FROM sessions ORDER BY id",
                                 -1, &st, nullptr),
              SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
      kept.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
      const bool last = kept.back() == "s-" + std::to_string(100000 + kSessions - 1);
      EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)), last ? "open" : "closed")
          << kept.back();
      EXPECT_EQ(sqlite3_column_int(st, 2), last ? 1 : 0);
    }
    sqlite3_finalize(st);
  }
  ASSERT_GT(kept.size(), 10u);
  ASSERT_LT(kept.size(), static_cast<size_t>(kSessions));
  // The newest ones, without a gap.
  EXPECT_EQ(kept.back(), "s-" + std::to_string(100000 + kSessions - 1));
  EXPECT_EQ(kept.front(), "s-" + std::to_string(100000 + kSessions - kept.size()));
  for (const std::string& id : kept) {
    EXPECT_EQ(count("SELECT count(*) FROM events WHERE session_id = '" + id + "'"), events_of[id])
        << id;
    EXPECT_EQ(count("SELECT count(*) FROM processes WHERE session_id = '" + id + "'"),
              processes_of[id])
        << id;
  }
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE session_id = 's-lost'"), 0);
  // Nothing of a deleted session is left, and no event outside sessions older than the oldest one.
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE session_id IS NOT NULL AND session_id NOT IN"
                  " (SELECT id FROM sessions)"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM processes WHERE session_id NOT IN (SELECT id FROM sessions)"),
            0);
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE session_id IS NULL AND time_ms <"
                  " (SELECT min(start_ms) FROM sessions)"),
            0);
  sqlite3_close(db);
  store.Close();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace auditlens
