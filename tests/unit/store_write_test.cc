// The store's write path (issue 22): the ring's blocking mode for file input (nothing dropped, the
// producer waits), the live mode's drops and their loss event, and the writer's grouping of event
// rows that other rows interleave. Counts only, no timings.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "agent/agent_store.h"
#include "agent/pipeline.h"
#include "config/config.h"
#include "output/output_file.h"
#include "record/record.h"
#include "session_test_harness.h"
#include "store/sqlite_store.h"

namespace auditlens {
namespace {

int64_t Count(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr);
  int64_t v = -1;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

struct TempDir {
  std::filesystem::path dir;
  TempDir() {
    static int n = 0;
    dir = std::filesystem::temp_directory_path() /
          ("auditlens-store-write-" + std::to_string(getpid()) + "-" + std::to_string(n++));
    std::filesystem::create_directories(dir);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string Path(const std::string& name) const { return (dir / name).string(); }
};

void PushEvent(RowSink* sink, int64_t serial, const std::string& session) {
  Row* r = sink->Begin();
  if (r == nullptr) return;
  r->Reset(RowType::kEvent);
  r->num[col::kTime] = 1000 + serial;
  r->num[col::kSerial] = serial;
  r->num[col::kPid] = 42;
  r->num[col::kKind] = static_cast<int64_t>(EventKind::kExec);
  r->num[col::kOutcome] = static_cast<int64_t>(Outcome::kSuccess);
  r->AddStr(session);
  r->AddStr("e" + std::to_string(serial));
  r->AddStr("execve");
  r->AddStr("");
  r->AddStr("");
  sink->Commit();
}

void PushProcess(RowSink* sink, const std::string& entity, int64_t pid, int64_t exit_code) {
  Row* r = sink->Begin();
  if (r == nullptr) return;
  r->Reset(RowType::kProcess);
  r->num[col::kProcPid] = pid;
  r->num[col::kStart] = 1000;
  r->num[col::kExitCode] = exit_code;
  r->num[col::kOrigin] = 0;
  r->AddStr(entity);
  sink->Commit();
}

// Blocking mode: a producer on a full ring waits (counted) until the consumer frees a quarter of
// it, and every row arrives, in order.
TEST(RowQueue, BlockingRingWaitsAndLosesNothing) {
  RowQueue q(64);
  q.set_blocking(true);
  constexpr int kRows = 20000;
  std::atomic<bool> done{false};
  std::thread producer([&] {
    for (int i = 0; i < kRows; ++i) {
      Row* r = q.Begin();
      if (r == nullptr) break;  // counted as dropped: the checks below fail
      r->Reset(RowType::kEvent);
      r->num[col::kSerial] = i;
      q.Commit();
    }
    done = true;
  });
  // The consumer starts only once the producer has found the ring full and waits (or, broken,
  // has given up).
  while (q.waits() == 0 && !done) std::this_thread::yield();
  EXPECT_EQ(q.Available(), 64u);
  int64_t expect = 0;
  while (!done || q.Available() > 0) {
    if (q.Available() == 0) {
      std::this_thread::yield();
      continue;
    }
    EXPECT_EQ(q.Front().num[col::kSerial], expect);
    ++expect;
    q.Pop();
  }
  producer.join();
  EXPECT_EQ(expect, kRows);
  EXPECT_EQ(q.dropped(), 0u);
  EXPECT_GE(q.waits(), 1u);
}

// The store with wait_when_full and a 64-row ring while another connection holds the write lock:
// the producer waits for the writer instead of dropping; once the lock goes, everything is stored.
TEST(SqliteStore, WaitWhenFullDropsNothing) {
  TempDir dir;
  const std::string path = dir.Path("w.db");
  SqliteStore store;
  StoreOptions o;
  o.path = path;
  o.queue_rows = 64;
  o.batch_ms = 5;
  o.wait_when_full = true;
  std::string error;
  ASSERT_TRUE(store.Open(o, &error)) << error;
  sqlite3* lock = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &lock), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(lock, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  constexpr int kRows = 3000;
  std::atomic<bool> finished{false};
  std::thread producer([&] {
    for (int i = 0; i < kRows; ++i) {
      if (i % 10 == 3) PushProcess(store.sink(), "p" + std::to_string(i / 10 % 50), i, i);
      PushEvent(store.sink(), i, i % 2 ? "s1" : "");
    }
    finished = true;
  });
  // The producer fills the ring and waits for the writer, which cannot write yet (a broken
  // producer that does not wait gets to its end).
  while (store.stats().producer_waits == 0 && !finished) std::this_thread::yield();
  sqlite3_exec(lock, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(lock);
  producer.join();
  store.Sync();
  EXPECT_EQ(store.stats().dropped, 0u);
  EXPECT_GE(store.stats().producer_waits, 1u);
  EXPECT_EQ(Count(path, "SELECT count(*) FROM events"), kRows);
  EXPECT_EQ(Count(path, "SELECT count(*) FROM events WHERE session_id = 's1'"), kRows / 2);
  // 50 processes, each with the exit code of its last row (p3: rows 33, 533, ..., 2533).
  EXPECT_EQ(Count(path, "SELECT count(*) FROM processes"), 50);
  EXPECT_EQ(Count(path, "SELECT exit_code FROM processes WHERE entity_id = 'p3'"), 2533);
  store.Close();
}

// Event rows interleaved with process rows (as a session's stream is: one process row per few
// events) are written in groups and still land whole, with a duplicate key ignored alone and the
// process rows applied in their order.
TEST(SqliteStore, InterleavedRowsAreWrittenAsInRingOrder) {
  TempDir dir;
  const std::string path = dir.Path("i.db");
  SqliteStore store;
  StoreOptions o;
  o.path = path;
  o.queue_rows = 4096;
  o.batch_ms = 1000;
  std::string error;
  ASSERT_TRUE(store.Open(o, &error)) << error;
  for (int i = 0; i < 1500; ++i) {
    PushEvent(store.sink(), i, "s");
    if (i % 3 == 0) PushProcess(store.sink(), "p", i, i);
    if (i == 700) PushEvent(store.sink(), 5, "other");  // the key of an earlier row
  }
  store.Sync();
  EXPECT_EQ(Count(path, "SELECT count(*) FROM events"), 1500);
  EXPECT_EQ(Count(path, "SELECT count(*) FROM events WHERE session_id = 'other'"), 0);
  EXPECT_EQ(Count(path, "SELECT exit_code FROM processes WHERE entity_id = 'p'"), 1497);
  EXPECT_EQ(store.stats().write_errors, 0u);
  EXPECT_EQ(store.stats().dropped, 0u);
}

// Checkpoints are off the insert path: commits leave the WAL to the checkpoint thread, which
// copies it into the database once it has grown by 1,000 pages (4 MiB of 4 KiB pages). Only a
// checkpoint that ran counts: one on a connection that had read nothing did nothing (a log of -1).
TEST(SqliteStore, TheCheckpointThreadCopiesTheWal) {
  TempDir dir;
  const std::string path = dir.Path("c.db");
  SqliteStore store;
  StoreOptions o;
  o.path = path;
  o.batch_ms = 5;
  o.wait_when_full = true;
  std::string error;
  ASSERT_TRUE(store.Open(o, &error)) << error;
  const std::string detail(200, 'd');
  for (int i = 0; i < 40000; ++i) {
    Row* r = store.sink()->Begin();
    ASSERT_NE(r, nullptr);
    r->Reset(RowType::kEvent);
    r->num[col::kTime] = 1000 + i;
    r->num[col::kSerial] = i;
    r->num[col::kKind] = static_cast<int64_t>(EventKind::kFile);
    r->num[col::kOutcome] = static_cast<int64_t>(Outcome::kSuccess);
    r->AddStr("s");
    r->AddStr("e");
    r->AddStr("open");
    r->AddStr("");
    r->AddStr(detail);
    store.sink()->Commit();
  }
  store.Sync();
  // The thread runs after the commit that asked for it: wait for it (at most 30 s).
  for (int i = 0; i < 3000 && store.stats().checkpoints == 0; ++i) usleep(10000);
  EXPECT_GE(store.stats().checkpoints, 1u);
  EXPECT_EQ(store.stats().write_errors, 0u);
  EXPECT_EQ(Count(path, "SELECT count(*) FROM events"), 40000);
  store.Close();
  EXPECT_EQ(Count(path, "SELECT count(*) FROM events"), 40000);
}

// A log's input (`auditlens import`) can keep an exited process for less than the live agent's
// minute (AgentStore::set_exited_keep_ms): 31 s of log time after its exit, the process table's
// sweep has dropped it with 10 s, and still holds it with the default.
TEST(AgentStore, LogInputExitedKeep) {
  TempDir dir;
  Config config = DefaultConfig();
  config.store.enabled = false;
  auto line = [](uint64_t ms, uint32_t serial, int syscall, int pid, const std::string& more) {
    const std::string head = "msg=audit(" + std::to_string(ms / 1000) + "." +
                             std::to_string(1000 + ms % 1000).substr(1) + ":" +
                             std::to_string(serial) + "): ";
    return "type=SYSCALL " + head + "arch=c000003e syscall=" + std::to_string(syscall) + " " +
           more + " ppid=1 pid=" + std::to_string(pid) +
           " auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000"
           " fsgid=1000 tty=pts0 ses=7 comm=\"x\" exe=\"/usr/bin/x\" key=(null)\n"
           "type=PROCTITLE " + head + "proctitle=78\n";
  };
  const uint64_t t0 = 1795000000000;
  const std::string log = line(t0, 10, 59, 500, "success=yes exit=0 a0=1") +
                          line(t0 + 500, 11, 231, 500, "a0=0") +
                          line(t0 + 31000, 12, 59, 600, "success=yes exit=0 a0=1");
  for (uint64_t keep : {uint64_t{0}, uint64_t{10000}}) {
    PipelineOptions options;
    options.assembler.expect_eoe = false;
    options.hostname = "loghost";
    AgentStore agent_store;
    agent_store.set_log_input("0123abcd-0000-0000-0000-000000000000");
    if (keep > 0) agent_store.set_exited_keep_ms(keep);
    agent_store.Attach(config, "loghost", &options, [](const std::string&) {});
    ASSERT_NE(agent_store.table(), nullptr);
    OutputFile output;
    std::string error;
    ASSERT_TRUE(output.Open(dir.Path("out.json"), &error)) << error;
    Pipeline pipeline(options, &output);
    std::istringstream in(log);
    std::string text;
    Record record;
    while (std::getline(in, text)) {
      if (ParseLogRecord(text, &record) == nullptr) pipeline.AddRecord(record);
    }
    pipeline.Flush();
    const ProcessImage* exited = agent_store.table()->Find(500);
    if (keep == 0) {
      ASSERT_NE(exited, nullptr) << "the default keeps it a minute";
      EXPECT_TRUE(exited->exited);
    } else {
      EXPECT_EQ(exited, nullptr) << "10 s: gone at the sweep 31 s later";
    }
    EXPECT_NE(agent_store.table()->Find(600), nullptr);
    agent_store.Stop();
  }
}

// The live agent never waits: with the writer unable to write (another connection holds the
// lock) its 64-row ring fills, further rows are dropped, and the next Tick turns the count into a
// loss event of cause "store-full".
TEST(AgentStore, LiveRingDropsAndReportsALossEvent) {
  TempDir dir;
  Config config = DefaultConfig();
  config.store.enabled = true;
  config.store.path = dir.Path("live.db");
  PipelineOptions options;
  options.assembler.expect_eoe = false;  // the recorded logs are auditd's: no EOE
  options.hostname = "testhost";
  AgentStore agent_store;
  agent_store.Attach(config, "testhost", &options, [](const std::string&) {});
  OutputFile output;
  std::string error;
  const std::string out_path = dir.Path("out.json");
  ASSERT_TRUE(output.Open(out_path, &error)) << error;
  Pipeline pipeline(options, &output);
  agent_store.set_queue_rows(64);
  agent_store.OpenStore(config);
  ASSERT_NE(agent_store.store(), nullptr);
  agent_store.store()->Sync();  // the processes found in /proc are written
  sqlite3* lock = nullptr;
  ASSERT_EQ(sqlite3_open(config.store.path.c_str(), &lock), SQLITE_OK);
  sqlite3_busy_timeout(lock, 5000);
  ASSERT_EQ(sqlite3_exec(lock, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  std::istringstream in(testing::ReadSessionData("ssh_command_failed_password.log"));
  std::string line;
  Record record;
  uint64_t last_ms = 0;
  while (std::getline(in, line)) {
    if (line.empty() || ParseLogRecord(line, &record) != nullptr) continue;
    pipeline.AddRecord(record);
    last_ms = record.time_ms();
  }
  pipeline.Flush();
  const uint64_t dropped = agent_store.store()->stats().dropped;
  EXPECT_GT(dropped, 0u);
  agent_store.Tick(&pipeline, last_ms);
  output.Flush();
  sqlite3_exec(lock, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(lock);
  agent_store.Stop();

  std::ifstream out(out_path);
  std::string loss;
  while (std::getline(out, line)) {
    if (line.find("\"cause\":\"store-full\"") != std::string::npos) loss = line;
  }
  ASSERT_FALSE(loss.empty());
  EXPECT_NE(loss.find("\"count\":" + std::to_string(dropped)), std::string::npos) << loss;
  EXPECT_EQ(pipeline.counters().loss_events, 1u);
}

}  // namespace
}  // namespace auditlens
