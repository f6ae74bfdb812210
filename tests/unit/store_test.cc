// store/: the ring the pipeline thread hands rows to, the SQLite writer (0600 file, WAL so readers
// work while it writes, batched transactions, upserts, retention by age and size), the recorder's
// rows of a recorded session read back with query/store_reader, and the [store] config keys.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "config/config.h"
#include "config/default_config.h"
#include "query/store_reader.h"
#include "session_test_harness.h"
#include "store/schema.h"
#include "store/sqlite_store.h"
#include "store/store_codes.h"
#include "store_v5_schema.h"

namespace auditlens {
namespace {

using testing::ReadSessionData;
using testing::SessionHarness;

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("auditlens-store-test-" + std::to_string(getpid()) + "-" + std::to_string(n_++));
    std::filesystem::remove_all(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Path(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int n_ = 0;
  std::filesystem::path path_;
};

void PushEvent(RowSink* sink, int64_t time, int64_t serial, std::string_view session,
               EventKind kind = EventKind::kOther, std::string_view detail = {}) {
  Row* r = sink->Begin();
  ASSERT_TRUE(r != nullptr);
  r->Reset(RowType::kEvent);
  r->num[col::kTime] = time;
  r->num[col::kSerial] = serial;
  r->num[col::kPid] = 42;
  r->num[col::kKind] = static_cast<int64_t>(kind);
  r->num[col::kOutcome] = static_cast<int64_t>(Outcome::kSuccess);
  r->AddStr(session);
  r->AddStr("e1");
  r->AddStr("execve");
  r->AddStr(kind == EventKind::kExec ? "command" : "");
  r->AddStr(detail);
  sink->Commit();
}

void PushSession(RowSink* sink, std::string_view id, int64_t start, int64_t end,
                 std::string_view source_ip, std::string_view state) {
  Row* r = sink->Begin();
  ASSERT_TRUE(r != nullptr);
  r->Reset(RowType::kSession);
  r->num[col::kSessionSes] = 3;
  r->num[col::kSessionAuid] = 1000;
  r->num[col::kSessionStart] = start;
  r->num[col::kSessionEnd] = end;
  r->num[col::kLastSeen] = end == col::kNull ? start : end;
  r->num[col::kFailures] = 0;
  r->num[col::kFromProc] = 0;
  for (std::string_view s : {id, std::string_view("alice"), std::string_view("sshd"), source_ip,
                             std::string_view(), std::string_view(), std::string_view("ssh"),
                             std::string_view(), std::string_view(), state}) {
    r->AddStr(s);
  }
  sink->Commit();
}

int64_t Count(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
  int64_t v = -1;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

std::string Text(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr);
  std::string v;
  if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
    v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

TEST(RowQueue, FullRingDropsAndCounts) {
  RowQueue q(64);
  EXPECT_EQ(q.capacity(), 64u);
  for (int i = 0; i < 64; ++i) {
    Row* r = q.Begin();
    ASSERT_TRUE(r != nullptr) << i;
    r->Reset(RowType::kEvent);
    r->num[col::kSerial] = i;
    q.Commit();
  }
  EXPECT_EQ(q.Begin(), nullptr);
  EXPECT_EQ(q.Begin(), nullptr);
  EXPECT_EQ(q.dropped(), 2u);
  ASSERT_EQ(q.Available(), 64u);
  EXPECT_EQ(q.Front().num[col::kSerial], 0);
  q.Pop();
  EXPECT_NE(q.Begin(), nullptr);  // room again
}

TEST(RowQueue, OneProducerOneConsumerLoseNothing) {
  RowQueue q(256);
  std::atomic<bool> done{false};
  uint64_t sum = 0, seen = 0;
  std::thread consumer([&] {
    while (!done || q.Available() > 0) {
      if (q.Available() == 0) {
        q.Wait(1);
        continue;
      }
      sum += static_cast<uint64_t>(q.Front().num[col::kSerial]);
      EXPECT_EQ(q.Front().Str(0), "x" + std::to_string(q.Front().num[col::kSerial] % 10));
      ++seen;
      q.Pop();
    }
  });
  uint64_t pushed = 0, expect = 0;
  for (int i = 0; i < 200000; ++i) {
    Row* r = q.Begin();
    if (r == nullptr) continue;
    r->Reset(RowType::kEvent);
    r->num[col::kSerial] = i;
    r->AddStr("x" + std::to_string(i % 10));
    q.Commit();
    ++pushed;
    expect += static_cast<uint64_t>(i);
  }
  done = true;
  q.Wake();
  consumer.join();
  EXPECT_EQ(seen, pushed);
  EXPECT_EQ(sum, expect);
  EXPECT_EQ(pushed + q.dropped(), 200000u);
}

TEST(SqliteStore, CreatesPrivateFileInWalMode) {
  TempDir dir;
  std::string path = dir.Path("d/e/auditlens.db");
  SqliteStore store;
  StoreOptions o;
  o.path = path;
  o.host = "h1";
  std::string error;
  ASSERT_TRUE(store.Open(o, &error)) << error;
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(dir.Path("d/e").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(Text(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(Text(path, "PRAGMA auto_vacuum"), "2");  // incremental: retention can shrink the file
  EXPECT_EQ(Text(path, "SELECT value FROM meta WHERE key='schema_version'"),
            std::to_string(kStoreSchemaVersion));
  EXPECT_EQ(Text(path, "SELECT value FROM meta WHERE key='host'"), "h1");
  store.Close();
  // Not a store: refused with a reason.
  std::string other = dir.Path("other.db");
  {
    sqlite3* h = nullptr;
    sqlite3_open(other.c_str(), &h);
    sqlite3_exec(h, "CREATE TABLE events(x)", nullptr, nullptr, nullptr);
    sqlite3_close(h);
  }
  SqliteStore bad;
  o.path = other;
  EXPECT_FALSE(bad.Open(o, &error));
  EXPECT_FALSE(error.empty());
}

TEST(SqliteStore, UpsertsFillInAndNeverErase) {
  TempDir dir;
  std::string path = dir.Path("s.db");
  SqliteStore store;
  StoreOptions o;
  o.path = path;
  o.batch_ms = 10;
  std::string error;
  ASSERT_TRUE(store.Open(o, &error)) << error;
  // A session first seen without its source, then with it, then a row that knows neither (a late
  // event) and claims it is open: the source stays, the end stays, closed stays closed.
  PushSession(store.sink(), "b-3", 1000, col::kNull, "", "open");
  PushSession(store.sink(), "b-3", 900, 2000, "10.0.0.7", "closed");
  PushSession(store.sink(), "b-3", 950, col::kNull, "", "open");
  // A process created, then its exit.
  for (int pass = 0; pass < 2; ++pass) {
    Row* r = store.sink()->Begin();
    ASSERT_TRUE(r);
    r->Reset(RowType::kProcess);
    r->num[col::kProcPid] = 77;
    r->num[col::kStart] = 1000;
    r->num[col::kOrigin] = static_cast<int64_t>(ProcessOrigin::kExec);
    if (pass == 1) {
      r->num[col::kExitTime] = 1500;
      r->num[col::kExitCode] = 2;
    }
    r->AddStr("ent77");
    r->AddStr("");
    r->AddStr("");
    r->AddStr(pass == 0 ? "/usr/bin/ls" : "");
    r->AddStr(pass == 0 ? "[\"ls\",\"-l\"]" : "");
    r->AddStr("");
    r->AddStr("b-3");
    r->AddStr(pass == 0 ? "" : "command");
    store.sink()->Commit();
  }
  store.Sync();
  EXPECT_EQ(Text(path, "SELECT source_ip FROM sessions WHERE id='b-3'"), "10.0.0.7");
  EXPECT_EQ(Count(path, "SELECT start_ms FROM sessions WHERE id='b-3'"), 900);
  EXPECT_EQ(Count(path, "SELECT end_ms FROM sessions WHERE id='b-3'"), 2000);
  EXPECT_EQ(Text(path, "SELECT state FROM sessions WHERE id='b-3'"), "closed");
  EXPECT_EQ(Text(path, "SELECT args FROM processes WHERE entity_id='ent77'"), "[\"ls\",\"-l\"]");
  // Schema version 6: the role's code (store_codes.h).
  EXPECT_EQ(Text(path, "SELECT role FROM processes WHERE entity_id='ent77'"),
            std::to_string(RoleCode("command")));
  EXPECT_EQ(Count(path, "SELECT exit_code FROM processes WHERE entity_id='ent77'"), 2);
  EXPECT_EQ(store.stats().write_errors, 0u);
}

// Version 6: a reader that stays open while the agent writes (`auditlens web`) reads the codes added
// after it opened: a new action name, and the session keys of a boot the store had not seen.
TEST(SqliteStore, ReaderDecodesCodesAddedAfterItOpened) {
  TempDir dir;
  const std::string path = dir.Path("codes.db");
  auto write = [&](const std::string& boot_id, const std::string& session, const char* action,
                   int64_t time) {
    SqliteStore store;
    StoreOptions o;
    o.path = path;
    o.boot_id = boot_id;
    o.batch_ms = 10;
    std::string error;
    ASSERT_TRUE(store.Open(o, &error)) << error;
    PushSession(store.sink(), session, time, time + 100, "10.0.0.7", "closed");
    Row* r = store.sink()->Begin();
    ASSERT_TRUE(r != nullptr);
    r->Reset(RowType::kEvent);
    r->num[col::kTime] = time + 10;
    r->num[col::kSerial] = time;
    r->num[col::kPid] = 42;
    r->num[col::kKind] = static_cast<int64_t>(EventKind::kPrivilege);
    r->num[col::kOutcome] = static_cast<int64_t>(Outcome::kSuccess);
    r->AddStr(session);
    r->AddStr("0123456789abcdef");
    r->AddStr(action);
    r->AddStr("command");
    r->AddStr(std::string(R"({"via":"sudo","syscall":")") + action + R"(","uid":0,"euid":0})");
    store.sink()->Commit();
    store.Sync();
    EXPECT_EQ(store.stats().write_errors, 0u) << store.stats().last_error;
    store.Close();
  };
  write("aaaaaaaa-1111-2222-3333-444455556666", "aaaaaaaa-3", "setresuid", 1000);
  StoreReader reader;
  std::string error;
  ASSERT_TRUE(reader.Open(path, &error)) << error;
  TimelineData first;
  ASSERT_TRUE(reader.LoadTimeline("aaaaaaaa-3", &first, &error)) << error;
  ASSERT_EQ(first.events.size(), 1u);
  EXPECT_EQ(first.events[0].action, "setresuid");
  EXPECT_EQ(first.events[0].detail, R"({"via":"sudo","syscall":"setresuid","uid":0,"euid":0})");
  // The agent again, after a reboot, with a syscall name the store has not had.
  write("bbbbbbbb-1111-2222-3333-444455556666", "bbbbbbbb-4", "setfsuid", 5000);
  EXPECT_EQ(Text(path, "SELECT typeof(session_id) || ' ' || typeof(action) || ' ' || typeof(detail)"
                       " FROM events WHERE serial = 5000"),
            "integer integer blob");
  TimelineData second;
  ASSERT_TRUE(reader.LoadTimeline("bbbbbbbb-4", &second, &error)) << error;
  ASSERT_EQ(second.events.size(), 1u);
  EXPECT_EQ(second.events[0].action, "setfsuid");
  EXPECT_EQ(second.events[0].session_id, "bbbbbbbb-4");
  EXPECT_EQ(second.events[0].entity_id, "0123456789abcdef");
  EXPECT_EQ(second.events[0].role, "command");
  EXPECT_EQ(second.events[0].kind, "privilege");
  EXPECT_EQ(second.events[0].detail, R"({"via":"sudo","syscall":"setfsuid","uid":0,"euid":0})");
}

// Schema version 3 (sessions.community_id): a version 2 store is upgraded in place, its rows kept;
// readers read both versions (a version 2 store's sessions have no Community ID).
TEST(SqliteStore, UpgradesVersion2StoreInPlace) {
  TempDir dir;
  std::string path = dir.Path("v2.db");
  {
    // What an agent of schema version 2 made: the sessions table without community_id.
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    // (Version 2's sessions end with updated_ms: what version 3 and 5 added is cut.)
    std::string v2 = testing::kStoreSchemaV5;
    const std::string from = ",\n  community_id TEXT,";
    const std::string to = "\n) WITHOUT ROWID;\nCREATE INDEX IF NOT EXISTS sessions_start";
    size_t at = v2.find(from);
    size_t end = v2.find(to);
    ASSERT_NE(at, std::string::npos);
    ASSERT_NE(end, std::string::npos);
    v2.replace(at, end - at, "");
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &h), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(h, v2.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(h,
                           "INSERT INTO meta VALUES('schema_version','2');"
                           "INSERT INTO sessions(id,start_ms,state,user) VALUES('old-1',100,'closed','bob')",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(h);
  }
  {
    StoreReader reader;
    std::string error;
    ASSERT_TRUE(reader.Open(path, &error)) << error;
    std::vector<StoredSession> sessions;
    ASSERT_TRUE(reader.ListSessions({}, &sessions, &error)) << error;
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_TRUE(sessions[0].community_id.empty());
  }
  SqliteStore store;
  StoreOptions o;
  o.path = path;
  o.batch_ms = 10;
  std::string error;
  ASSERT_TRUE(store.Open(o, &error)) << error;
  Row* r = store.sink()->Begin();
  ASSERT_TRUE(r != nullptr);
  r->Reset(RowType::kSession);
  r->num[col::kSessionStart] = 200;
  for (int i = 0; i < col::kSessionStrs; ++i) {
    r->AddStr(i == col::kId ? "new-2" : i == col::kState ? "open"
              : i == col::kSessionCommunityId ? "1:abcdefghijklmnopqrstuvwxyz0=" : "");
  }
  store.sink()->Commit();
  store.Sync();
  EXPECT_EQ(store.stats().write_errors, 0u) << store.stats().last_error;
  EXPECT_EQ(Text(path, "SELECT value FROM meta WHERE key='schema_version'"),
            std::to_string(kStoreSchemaVersion));  // 2 -> ... -> 6
  // Version 5's columns: active_ms computed for the old row too.
  EXPECT_EQ(Count(path, "SELECT active_ms FROM sessions WHERE id='old-1'"), 100);
  EXPECT_EQ(Text(path, "SELECT user FROM sessions WHERE id='old-1'"), "bob");
  EXPECT_EQ(Text(path, "SELECT community_id FROM sessions WHERE id='new-2'"),
            "1:abcdefghijklmnopqrstuvwxyz0=");
  StoreReader reader;
  ASSERT_TRUE(reader.Open(path, &error)) << error;
  TimelineData data;
  ASSERT_TRUE(reader.LoadTimeline("new-2", &data, &error)) << error;
  EXPECT_EQ(data.session.community_id, "1:abcdefghijklmnopqrstuvwxyz0=");
  // A second open finds the column there already.
  store.Close();
  SqliteStore again;
  ASSERT_TRUE(again.Open(o, &error)) << error;
  again.Close();
}

TEST(SqliteStore, ReadersWorkWhileTheWriterWrites) {
  TempDir dir;
  std::string path = dir.Path("w.db");
  SqliteStore store;
  StoreOptions o;
  o.path = path;
  o.batch_ms = 5;
  o.batch_rows = 500;
  std::string error;
  ASSERT_TRUE(store.Open(o, &error)) << error;
  PushSession(store.sink(), "b-3", 1000, col::kNull, "10.0.0.7", "open");
  store.Sync();
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 20000 && !stop; ++i) {
      Row* r = store.sink()->Begin();
      if (r == nullptr) {
        std::this_thread::yield();
        --i;
        continue;
      }
      r->Reset(RowType::kEvent);
      r->num[col::kTime] = 1000 + i;
      r->num[col::kSerial] = i;
      r->num[col::kKind] = 0;
      r->num[col::kOutcome] = 0;
      r->AddStr("b-3");
      store.sink()->Commit();
    }
  });
  // Meanwhile a reader (what `auditlens sessions` does) gets consistent snapshots.
  int64_t last = 0;
  for (int i = 0; i < 50; ++i) {
    StoreReader reader;
    std::string read_error;
    EXPECT_TRUE(reader.Open(path, &read_error)) << read_error;
    std::vector<StoredSession> sessions;
    EXPECT_TRUE(reader.ListSessions({}, &sessions, &read_error)) << read_error;
    EXPECT_EQ(sessions.size(), 1u);
    int64_t n = Count(path, "SELECT count(*) FROM events");
    EXPECT_GE(n, last);
    last = n;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  writer.join();
  store.Sync();
  EXPECT_EQ(Count(path, "SELECT count(*) FROM events"), 20000);
  StoreStats stats = store.stats();
  EXPECT_EQ(stats.rows_written, 20001u);
  EXPECT_GE(stats.transactions, 2u);  // batched, not one per row and not one in all
  EXPECT_LT(stats.transactions, 2000u);
}

// Runs of event rows are written 16 to a statement: every row lands whole, whatever the mix with
// other rows, and a duplicate inside a run is ignored alone.
TEST(SqliteStore, RunsOfEventRowsAreWrittenWhole) {
  TempDir dir;
  std::string path = dir.Path("g.db");
  SqliteStore store;
  StoreOptions o;
  o.path = path;
  o.batch_ms = 200;
  std::string error;
  ASSERT_TRUE(store.Open(o, &error)) << error;
  int64_t serial = 0;
  for (int i = 0; i < 40; ++i, ++serial) PushEvent(store.sink(), 1000 + serial, serial, "");
  PushSession(store.sink(), "s1", 1000, col::kNull, "10.0.0.1", "open");
  for (int i = 0; i < 37; ++i, ++serial) {
    PushEvent(store.sink(), 1000 + serial, serial, i % 2 ? "s1" : "", EventKind::kExec, "{\"a\":1}");
  }
  PushEvent(store.sink(), 1000 + 45, 45, "");  // the same key again
  for (int i = 0; i < 20; ++i, ++serial) PushEvent(store.sink(), 1000 + serial, serial, "");
  store.Sync();
  EXPECT_EQ(Count(path, "SELECT count(*) FROM events"), serial);
  EXPECT_EQ(Count(path, "SELECT count(DISTINCT serial) FROM events"), serial);
  EXPECT_EQ(Count(path, "SELECT max(serial) FROM events"), serial - 1);
  EXPECT_EQ(Count(path, "SELECT count(*) FROM sessions"), 1);
  EXPECT_EQ(Count(path, "SELECT count(*) FROM events WHERE session_id = 's1'"), 18);
  // Schema version 6: kind, outcome and action as codes (store_codes.h); entity ids that are not
  // 16 hex digits, and details that would not get shorter, kept as text.
  EXPECT_EQ(Count(path, "SELECT count(*) FROM events WHERE kind = 1 AND detail = '{\"a\":1}'"), 37);
  EXPECT_EQ(Count(path, "SELECT count(*) FROM events WHERE pid = 42 AND outcome = 1 AND "
                        "entity_id = 'e1' AND action = (SELECT code FROM names WHERE name = 'execve')"),
            serial);
  EXPECT_EQ(Count(path, "SELECT count(*) FROM events WHERE time_ms != 1000 + serial"), 0);
  EXPECT_EQ(store.stats().write_errors, 0u);
}

TEST(SqliteStore, RetentionByAge) {
  TempDir dir;
  std::string path = dir.Path("r.db");
  SqliteStore store;
  StoreOptions o;
  o.path = path;
  o.retention_days = 1;
  o.batch_ms = 5;
  std::string error;
  ASSERT_TRUE(store.Open(o, &error)) << error;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t old = now - 3 * 86400000LL;
  PushSession(store.sink(), "b-old", old, old + 1000, "10.0.0.1", "closed");
  PushSession(store.sink(), "b-new", now - 1000, col::kNull, "10.0.0.2", "open");
  PushEvent(store.sink(), old, 1, "b-old");
  PushEvent(store.sink(), now - 500, 2, "b-new");
  store.Sync();
  ASSERT_EQ(Count(path, "SELECT count(*) FROM events"), 2);
  store.RequestRetention();
  for (int i = 0; i < 500 && Count(path, "SELECT count(*) FROM events") != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Count(path, "SELECT count(*) FROM events"), 1);
  EXPECT_EQ(Count(path, "SELECT serial FROM events"), 2);
  EXPECT_EQ(Count(path, "SELECT count(*) FROM sessions"), 1);
  EXPECT_EQ(Text(path, "SELECT id FROM sessions"), "b-new");
}

TEST(SqliteStore, RetentionBySizeKeepsTheNewestAndGivesSpaceBack) {
  TempDir dir;
  std::string path = dir.Path("z.db");
  SqliteStore store;
  StoreOptions o;
  o.path = path;
  o.retention_days = 0;
  o.max_bytes = 2 << 20;
  o.batch_ms = 5;
  o.queue_rows = 16384;
  std::string error;
  ASSERT_TRUE(store.Open(o, &error)) << error;
  const std::string detail(400, 'x');
  for (int i = 0; i < 40000; ++i) {
    while (store.sink()->Begin() == nullptr) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    PushEvent(store.sink(), 1000 + i, i, "b-1", EventKind::kExec, "{\"pad\":\"" + detail + "\"}");
  }
  store.Sync();
  // Retention runs while the rows come (checked after each write batch); asked, it runs now too.
  const int64_t before = 40000;
  store.RequestRetention();
  // Retention works in steps between writes: wait until the file is back within the limit.
  auto db_bytes = [&] {
    return Count(path, "PRAGMA page_count") * Count(path, "PRAGMA page_size");
  };
  for (int i = 0; i < 1000 && db_bytes() > static_cast<int64_t>(o.max_bytes); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  store.Sync();
  const int64_t after = Count(path, "SELECT count(*) FROM events");
  EXPECT_LT(after, before);
  EXPECT_GT(after, 0);
  // What is left is the newest (the events belong to no stored session: they go by time).
  EXPECT_EQ(Count(path, "SELECT max(serial) FROM events"), 39999);
  EXPECT_EQ(Count(path, "SELECT min(serial) FROM events"), before - after);
  EXPECT_LE(db_bytes(), static_cast<int64_t>(o.max_bytes));
  StoreStats stats = store.stats();
  EXPECT_EQ(static_cast<int64_t>(stats.deleted_events), before - after);
  EXPECT_GT(stats.retention_steps, 1u);  // in steps, not one long transaction
  // A lower limit: rows go, and the free pages go back to the disk.
  store.Close();
  o.max_bytes = 3 << 19;  // 1.5 MiB: rows go 2,000 at a time, about 0.9 MiB here
  SqliteStore smaller;
  ASSERT_TRUE(smaller.Open(o, &error)) << error;
  smaller.RequestRetention();
  for (int i = 0; i < 1000 && db_bytes() > static_cast<int64_t>(o.max_bytes); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_LE(db_bytes(), static_cast<int64_t>(o.max_bytes));
  EXPECT_LE(Count(path, "SELECT count(*) FROM events"), after);
  EXPECT_GT(Count(path, "SELECT count(*) FROM events"), 0);
  EXPECT_EQ(Count(path, "SELECT max(serial) FROM events"), 39999);
  smaller.Close();
}

TEST(Recorder, RecordedSessionReadBack) {
  SessionHarness h(/*with_store=*/true);
  StoreReader reader;
  ASSERT_NO_FATAL_FAILURE(RecordAndOpen(h, "ssh_command_failed_password.log", &reader));
  std::string error;
  std::vector<StoredSession> sessions;
  ASSERT_TRUE(reader.ListSessions({}, &sessions, &error)) << error;
  ASSERT_EQ(sessions.size(), 2u);  // oldest first
  EXPECT_EQ(sessions[0].id, "0123abcd-25");
  EXPECT_EQ(sessions[0].user, "alice6177");
  EXPECT_EQ(sessions[0].source_port, 44248);
  EXPECT_EQ(sessions[0].state, "closed");
  EXPECT_EQ(sessions[0].host, "testhost");
  EXPECT_EQ(sessions[1].state, "failed");
  // Filters: user, and since.
  std::vector<StoredSession> none;
  SessionFilter by_user;
  by_user.user = "mallory";
  ASSERT_TRUE(reader.ListSessions(by_user, &none, &error));
  EXPECT_TRUE(none.empty());
  SessionFilter since;
  since.since_ms = 1795349580800;  // after the first session ended
  std::vector<StoredSession> later;
  ASSERT_TRUE(reader.ListSessions(since, &later, &error));
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].state, "failed");
  // The session's timeline data: its events with detail, in order, and its processes.
  TimelineData data;
  ASSERT_TRUE(reader.LoadTimeline("0123abcd-25", &data, &error)) << error;
  ASSERT_FALSE(data.events.empty());
  for (size_t i = 1; i < data.events.size(); ++i) {
    EXPECT_LE(data.events[i - 1].time_ms, data.events[i].time_ms);
  }
  int files = 0, networks = 0;
  for (const StoredEvent& e : data.events) {
    files += e.kind == "file";
    networks += e.kind == "network";
  }
  EXPECT_EQ(files, 1);
  EXPECT_EQ(networks, 1);
  bool cat_exit = false;
  for (const StoredProcess& p : data.processes) {
    if (p.args == "[\"cat\",\"/nonexistent\"]") cat_exit = p.exited && p.exit_code == 1;
  }
  EXPECT_TRUE(cat_exit);
  // The id can be given as the bare audit session number, or a unique prefix.
  std::string id;
  ASSERT_TRUE(reader.ResolveSession("25", &id, &error)) << error;
  EXPECT_EQ(id, "0123abcd-25");
  ASSERT_TRUE(reader.ResolveSession("0123abcd-f", &id, &error)) << error;
  EXPECT_EQ(id, "0123abcd-f6637172");
  EXPECT_FALSE(reader.ResolveSession("0123abcd", &id, &error));  // two of them
  EXPECT_NE(error.find("several"), std::string::npos);
  EXPECT_FALSE(reader.ResolveSession("99", &id, &error));
}

TEST(Recorder, CompactRowsForEverythingDetailForTimelineKinds) {
  SessionHarness h;
  h.Feed(ReadSessionData("ssh_command_failed_password.log"));
  h.Finish();
  size_t events = 0, detailed = 0, outside = 0, outside_execs = 0;
  for (const Row* r : h.sink.Of(RowType::kEvent)) {
    ++events;
    detailed += !r->Str(col::kDetail).empty();
    auto kind = static_cast<EventKind>(r->num[col::kKind]);
    if (r->Str(col::kSessionId).empty()) {
      // Outside sessions (the listening sshd, auditd's own records): compact rows, kind kept.
      ++outside;
      outside_execs += kind == EventKind::kExec;
      EXPECT_TRUE(r->Str(col::kDetail).empty()) << r->Str(col::kAction);
      continue;
    }
    EXPECT_EQ(kind == EventKind::kOther, r->Str(col::kDetail).empty()) << r->Str(col::kAction);
  }
  EXPECT_GE(outside_execs, 2u);  // sshd's re-exec for each connection before its login
  for (const Row* r : h.sink.Of(RowType::kProcess)) {
    EXPECT_NE(r->num[col::kSes], static_cast<int64_t>(kUnsetId));  // session processes only
  }
  EXPECT_EQ(events, h.pipeline->counters().events);  // one row per event
  EXPECT_GT(detailed, 20u);
  EXPECT_LT(detailed, events);
  EXPECT_GT(outside, 0u);  // the listening sshd, DAEMON and CONFIG records
  // With index_all_events off, events outside any session get no row.
  SessionHarness h2;
  Recorder only_sessions(h2.table.get(), h2.sessions.get(), &h2.sink, RecorderOptions{false});
  PipelineOptions po;
  po.assembler.expect_eoe = false;
  po.enrichers = {h2.table.get(), h2.sessions.get()};
  po.observers = {&only_sessions};
  OutputFile out;
  std::string error;
  ASSERT_TRUE(out.Open(h2.TempPath("o.json"), &error));
  Pipeline p(po, &out);
  std::istringstream in(ReadSessionData("ssh_command_failed_password.log"));
  std::string line;
  Record rec;
  while (std::getline(in, line)) {
    if (ParseLogRecord(line, &rec) == nullptr) p.AddRecord(rec);
  }
  p.Flush();
  size_t kept = 0;
  for (const Row* r : h2.sink.Of(RowType::kEvent)) {
    ++kept;
    EXPECT_FALSE(r->Str(col::kSessionId).empty());
  }
  EXPECT_EQ(kept, events - outside);
}

// A hostile record's hex value can hold a NUL byte; the store's JSON (detail, args) writes it as
// U+FFFD, never as \u0000 (which PostgreSQL's jsonb refuses), so no sink has to rewrite the JSON.
TEST(Recorder, NulBytesInValuesBecomeReplacementCharacters) {
  SessionHarness h;
  h.Feed(
      "type=LOGIN msg=audit(1795349564.100:10): pid=300 uid=0 old-auid=4294967295 auid=1001 "
      "tty=(none) old-ses=4294967295 ses=7 res=1\n"
      "type=SYSCALL msg=audit(1795349564.200:11): arch=c000003e syscall=59 success=yes exit=0 "
      "a0=1 a1=2 a2=3 a3=0 items=1 ppid=300 pid=301 auid=1001 uid=1001 gid=1001 euid=1001 "
      "suid=1001 fsuid=1001 egid=1001 sgid=1001 fsgid=1001 tty=pts0 ses=7 comm=\"x\" "
      "exe=\"/usr/bin/x\" key=(null)\n"
      "type=EXECVE msg=audit(1795349564.200:11): argc=2 a0=\"x\" a1=610062\n"
      "type=CWD msg=audit(1795349564.200:11): cwd=2F746D700041\n"
      "type=PATH msg=audit(1795349564.200:11): item=0 name=\"/usr/bin/x\" inode=1 dev=fe:00 "
      "mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 "
      "cap_fver=0 cap_frootid=0\n");
  h.Finish();
  const std::string replacement = "\xef\xbf\xbd";
  bool exec_row = false, process_row = false;
  for (const Row& r : h.sink.rows) {
    if (r.type == RowType::kEvent && r.num[col::kKind] == static_cast<int64_t>(EventKind::kExec)) {
      exec_row = true;
      const std::string detail(r.Str(col::kDetail));
      EXPECT_EQ(detail.find("\\u0000"), std::string::npos) << detail;
      EXPECT_NE(detail.find("a" + replacement + "b"), std::string::npos) << detail;
      EXPECT_NE(detail.find("/tmp" + replacement + "A"), std::string::npos) << detail;
    }
    if (r.type == RowType::kProcess && r.Str(col::kExe) == "/usr/bin/x") {
      process_row = true;
      const std::string args(r.Str(col::kArgs));
      EXPECT_EQ(args, "[\"x\",\"a" + replacement + "b\"]");
    }
  }
  EXPECT_TRUE(exec_row);
  EXPECT_TRUE(process_row);
}

TEST(Recorder, FullSinkDropsRowsAndCountsThem) {
  SessionHarness h;
  h.sink = testing::VectorSink(10);
  h.Feed(ReadSessionData("ssh_command_failed_password.log"));
  h.Finish();
  EXPECT_EQ(h.sink.rows.size(), 10u);
  EXPECT_GT(h.sink.dropped, 100u);
  EXPECT_FALSE(h.lines.empty());  // the JSON output has every event regardless
}

TEST(StoreConfig, KeysAndDefaults) {
  Config c;
  std::string error;
  ASSERT_TRUE(ParseConfig(kDefaultConfig, &c, &error)) << error;
  EXPECT_TRUE(c.store.enabled);
  EXPECT_EQ(c.store.path, "/var/lib/auditlens/auditlens.db");
  EXPECT_EQ(c.store.retention_days, 30u);
  EXPECT_EQ(c.store.max_bytes, 1ull << 30);
  ASSERT_TRUE(ParseConfig("[store]\nretention_days = 7\n", &c, &error));
  EXPECT_EQ(c.store.path, "/var/lib/auditlens/auditlens.db");  // the rest of [store] as embedded
  EXPECT_TRUE(c.store.enabled);
  EXPECT_EQ(c.store.retention_days, 7u);
  ASSERT_TRUE(ParseConfig("[store]\npath = \"\"\n", &c, &error));
  EXPECT_TRUE(c.store.path.empty());  // no store only when asked for
  ASSERT_TRUE(ParseConfig("[store]\nenabled = false\npath = \"/x/y.db\"\nretention_days = 0\n"
                          "max_bytes = 10000000000\n",
                          &c, &error))
      << error;
  EXPECT_FALSE(c.store.enabled);
  EXPECT_EQ(c.store.path, "/x/y.db");
  EXPECT_EQ(c.store.retention_days, 0u);
  EXPECT_EQ(c.store.max_bytes, 10000000000ull);
  EXPECT_FALSE(ParseConfig("[store]\nmax_bytes = -1\n", &c, &error));
  EXPECT_NE(error.find("store.max_bytes"), std::string::npos);
  EXPECT_FALSE(ParseConfig("[store]\nretention = 3\n", &c, &error));
  EXPECT_NE(error.find("store.retention"), std::string::npos);
  // Where the CLI reads: --db, else the config's store.
  std::string path;
  EXPECT_TRUE(ResolveStorePath("", "/tmp/a.db", &path, &error));
  EXPECT_EQ(path, "/tmp/a.db");
  EXPECT_TRUE(ResolveStorePath("", "", &path, &error));
  EXPECT_EQ(path, "/var/lib/auditlens/auditlens.db");
}

}  // namespace
}  // namespace auditlens
