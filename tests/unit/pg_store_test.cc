// The fleet store's pieces that need no database: row records and the spool file (round trips,
// torn tails, the size limit, replay offsets), COPY text from hostile strings, connections rows
// from network details, the tee that feeds two stores. The writer against a real PostgreSQL is
// tested end to end by tests/kernel/test_fleet_store.sh.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "store/pg_copy.h"
#include "store/pg_schema.h"
#include "store/pg_spool.h"
#include "store/postgres_store.h"
#include "store/rows.h"
#include "store/tee_sink.h"

namespace auditlens {
namespace {

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("auditlens-pg-test-" + std::to_string(getpid()) + "-" + std::to_string(n_++));
    std::filesystem::remove_all(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Path(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int n_ = 0;
  std::filesystem::path path_;
};

Row EventRow(int64_t time, int64_t serial, std::string_view action, std::string_view detail = {},
             EventKind kind = EventKind::kFile, std::string_view session = "s-1") {
  Row r;
  r.Reset(RowType::kEvent);
  r.num[col::kTime] = time;
  r.num[col::kSerial] = serial;
  r.num[col::kPid] = 42;
  r.num[col::kKind] = static_cast<int64_t>(kind);
  r.num[col::kOutcome] = static_cast<int64_t>(Outcome::kSuccess);
  r.AddStr(session);
  r.AddStr("e-42");
  r.AddStr(action);
  r.AddStr("");
  r.AddStr(detail);
  return r;
}

// A network row as the recorder writes it: its detail, then the typed connection columns.
Row ConnectionRow(int64_t time, std::string_view op, std::string_view local_ip, int64_t local_port,
                  std::string_view remote_ip, int64_t remote_port, std::string_view community_id,
                  std::string_view error) {
  Row r = EventRow(time, 9, op, R"({"op":"x"})", EventKind::kNetwork);
  r.num[col::kLocalPort] = local_port;
  r.num[col::kRemotePort] = remote_port;
  r.AddStr(op);
  r.AddStr("tcp");
  r.AddStr(local_ip);
  r.AddStr(remote_ip);
  r.AddStr(community_id);
  r.AddStr(error);
  return r;
}

void ExpectSameRow(const Row& a, const Row& b) {
  EXPECT_EQ(a.type, b.type);
  for (int i = 0; i < Row::kMaxNums; ++i) EXPECT_EQ(a.num[i], b.num[i]) << "num " << i;
  ASSERT_EQ(a.str_count, b.str_count);
  for (int i = 0; i < a.str_count; ++i) EXPECT_EQ(a.Str(i), b.Str(i)) << "str " << i;
}

std::vector<std::string> Fields(std::string_view line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    out.emplace_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    EXPECT_NE(nl, std::string::npos) << "every COPY line ends with a newline";
    if (nl == std::string::npos) break;
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

std::string Copy(std::string_view s) {
  std::string out;
  AppendCopyText(s, &out);
  return out;
}

TEST(PgRecord, RowRoundTripKeepsEveryByte) {
  const std::string hostile("a\tb\nc\\d\0e\xff\xc3\xa9", 11);
  Row r = EventRow(1700000000123, 77, hostile, R"({"path":"x"})");
  r.num[col::kUid] = col::kNull;
  std::string buf;
  AppendContextRecord("host-a", "boot-1", &buf);
  AppendRowRecord(r, &buf);
  Row empty;
  empty.Reset(RowType::kSession);
  AppendRowRecord(empty, &buf);

  size_t pos = 0;
  Row got;
  RecordView ctx;
  ASSERT_TRUE(ReadRecord(buf, &pos, &got, &ctx));
  EXPECT_TRUE(ctx.context);
  EXPECT_EQ(ctx.host, "host-a");
  EXPECT_EQ(ctx.boot_id, "boot-1");
  ctx.context = false;
  ASSERT_TRUE(ReadRecord(buf, &pos, &got, &ctx));
  EXPECT_FALSE(ctx.context);
  ExpectSameRow(r, got);
  ASSERT_TRUE(ReadRecord(buf, &pos, &got, &ctx));
  ExpectSameRow(empty, got);
  EXPECT_EQ(pos, buf.size());
  EXPECT_FALSE(ReadRecord(buf, &pos, &got, &ctx));
  EXPECT_EQ(CountRows(buf), 2u);
}

TEST(PgRecord, GarbledOrTornRecordsAreRefused) {
  std::string buf;
  AppendRowRecord(EventRow(1, 2, "openat"), &buf);
  Row got;
  RecordView ctx;
  for (size_t cut = 0; cut < buf.size(); ++cut) {
    size_t pos = 0;
    EXPECT_FALSE(ReadRecord(std::string_view(buf).substr(0, cut), &pos, &got, &ctx)) << cut;
    EXPECT_EQ(pos, 0u);
  }
  for (size_t i = 0; i < buf.size(); ++i) {
    std::string bad = buf;
    bad[i] ^= 0x20;
    size_t pos = 0;
    EXPECT_FALSE(ReadRecord(bad, &pos, &got, &ctx)) << "flipped byte " << i;
  }
}

TEST(PgSpool, AppendReopenReplayAndTruncate) {
  TempDir dir;
  const std::string path = dir.Path("sub/spool");
  std::string error;
  std::string records;
  AppendContextRecord("h", "boot-old", &records);
  for (int i = 0; i < 10; ++i) AppendRowRecord(EventRow(1000 + i, i, "openat"), &records);
  {
    PgSpool spool;
    ASSERT_TRUE(spool.Open(path, 1 << 20, &error)) << error;
    struct stat st;
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    uint64_t written, dropped;
    ASSERT_TRUE(spool.Append(records, &written, &dropped, &error)) << error;
    EXPECT_EQ(written, 10u);
    EXPECT_EQ(dropped, 0u);
    EXPECT_EQ(spool.pending_rows(), 10u);
  }
  // The agent restarts: the rows are still there; a replay of part of them, committed, then
  // another restart: the rest, with the context they were spooled under.
  PgSpool spool;
  ASSERT_TRUE(spool.Open(path, 1 << 20, &error)) << error;
  EXPECT_EQ(spool.pending_rows(), 10u);
  std::string chunk;
  ASSERT_TRUE(spool.Read(200, &chunk, &error));
  CopyBatch batch;
  AddRecords(chunk, &batch);
  const uint64_t first = batch.event_rows;
  ASSERT_GE(first, 1u);
  ASSERT_LT(first, 10u);
  EXPECT_EQ(batch.host, "h");
  EXPECT_EQ(batch.boot_id, "boot-old");
  size_t prefix = 0;
  Row row;
  RecordView ctx;
  ASSERT_TRUE(ReadRecord(chunk, &prefix, &row, &ctx));
  ASSERT_TRUE(spool.Advance(chunk.size() - prefix, &error));
  EXPECT_EQ(spool.pending_rows(), 10u - first);

  PgSpool again;
  ASSERT_TRUE(again.Open(path, 1 << 20, &error)) << error;
  EXPECT_EQ(again.pending_rows(), 10u - first);
  ASSERT_TRUE(again.Read(1 << 20, &chunk, &error));
  batch.Clear();
  AddRecords(chunk, &batch);
  EXPECT_EQ(batch.event_rows, 10u - first);
  EXPECT_EQ(batch.boot_id, "boot-old") << "the context in force at the replay offset";
  EXPECT_NE(batch.events.find("\t1009\t9\t"), std::string::npos) << batch.events;
  prefix = 0;
  ASSERT_TRUE(ReadRecord(chunk, &prefix, &row, &ctx));
  ASSERT_TRUE(again.Advance(chunk.size() - prefix, &error));
  EXPECT_EQ(again.pending_rows(), 0u);
  EXPECT_EQ(again.pending_bytes(), 0u);
  EXPECT_EQ(std::filesystem::file_size(path), 16u) << "emptied back to its header";
}

// Larger than the window Open reads through (4 MiB): records across its edges, an offset far in.
TEST(PgSpool, ReopensASpoolLargerThanItsReadWindow) {
  TempDir dir;
  const std::string path = dir.Path("spool");
  std::string error, records;
  AppendContextRecord("h", "boot-big", &records);
  const std::string detail(200, 'x');
  for (int i = 0; i < 30000; ++i) AppendRowRecord(EventRow(1000 + i, i, "openat", detail), &records);
  ASSERT_GT(records.size(), 9u << 20);
  size_t replayed = 0;
  {
    PgSpool spool;
    ASSERT_TRUE(spool.Open(path, 0, &error)) << error;
    uint64_t w, d;
    ASSERT_TRUE(spool.Append(records, &w, &d, &error));
    ASSERT_EQ(w, 30000u);
    std::string chunk;
    ASSERT_TRUE(spool.Read(5u << 20, &chunk, &error));
    size_t prefix = 0;
    Row row;
    RecordView ctx;
    ASSERT_TRUE(ReadRecord(chunk, &prefix, &row, &ctx));
    replayed = CountRows(std::string_view(chunk).substr(prefix));
    ASSERT_TRUE(spool.Advance(chunk.size() - prefix, &error));
  }
  PgSpool spool;
  ASSERT_TRUE(spool.Open(path, 0, &error)) << error;
  EXPECT_EQ(spool.pending_rows(), 30000u - replayed);
  std::string chunk;
  ASSERT_TRUE(spool.Read(1 << 20, &chunk, &error));
  CopyBatch batch;
  AddRecords(chunk, &batch);
  EXPECT_EQ(batch.boot_id, "boot-big");
  EXPECT_NE(batch.events.find("\t" + std::to_string(1000 + replayed) + "\t" + std::to_string(replayed) + "\t"),
            std::string::npos);
}

TEST(PgSpool, TornTailIsCutAtTheLastWholeRecord) {
  TempDir dir;
  const std::string path = dir.Path("spool");
  std::string error, records;
  AppendContextRecord("h", "b", &records);
  for (int i = 0; i < 3; ++i) AppendRowRecord(EventRow(1000 + i, i, "openat"), &records);
  {
    PgSpool spool;
    ASSERT_TRUE(spool.Open(path, 0, &error)) << error;
    uint64_t w, d;
    ASSERT_TRUE(spool.Append(records, &w, &d, &error));
  }
  const uint64_t whole = std::filesystem::file_size(path);
  {
    // A crash in the middle of the next append: half a record.
    std::string more;
    AppendRowRecord(EventRow(2000, 9, "openat"), &more);
    std::ofstream out(path, std::ios::app | std::ios::binary);
    out.write(more.data(), static_cast<std::streamsize>(more.size() / 2));
  }
  PgSpool spool;
  ASSERT_TRUE(spool.Open(path, 0, &error)) << error;
  EXPECT_EQ(spool.pending_rows(), 3u);
  EXPECT_EQ(std::filesystem::file_size(path), whole);
}

TEST(PgSpool, FullSpoolDropsAndCountsRows) {
  TempDir dir;
  std::string error, records;
  AppendContextRecord("h", "b", &records);
  for (int i = 0; i < 100; ++i) AppendRowRecord(EventRow(1000 + i, i, "openat"), &records);
  PgSpool spool;
  ASSERT_TRUE(spool.Open(dir.Path("spool"), records.size() / 2, &error)) << error;
  uint64_t written, dropped;
  ASSERT_TRUE(spool.Append(records, &written, &dropped, &error));
  EXPECT_GT(written, 0u);
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ(written + dropped, 100u);
  EXPECT_LE(spool.file_bytes(), records.size() / 2);
  ASSERT_TRUE(spool.Append(records, &written, &dropped, &error));
  EXPECT_EQ(written, 0u);
  EXPECT_EQ(dropped, 100u);
}

TEST(PgSpool, RefusesAFileThatIsNotASpool) {
  TempDir dir;
  const std::string path = dir.Path("not-a-spool");
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << "this is somebody's file, not a spool\n";
  PgSpool spool;
  std::string error;
  EXPECT_FALSE(spool.Open(path, 0, &error));
  EXPECT_NE(error.find("not an auditlens spool"), std::string::npos) << error;
}

TEST(PgCopy, TextIsEscapedAndMadeValidUtf8) {
  EXPECT_EQ(Copy(""), "\\N");
  EXPECT_EQ(Copy("plain /tmp/x"), "plain /tmp/x");
  EXPECT_EQ(Copy("a\tb\nc\\d\re"), "a\\tb\\nc\\\\d\\re");
  EXPECT_EQ(Copy(std::string_view("nul\0byte", 8)), "nul\xef\xbf\xbd" "byte");
  EXPECT_EQ(Copy("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(Copy("bad\xff"), "bad\xef\xbf\xbd");
  EXPECT_EQ(Copy("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd") << "overlong";
  EXPECT_EQ(Copy("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") << "surrogate";
  EXPECT_EQ(Copy("cut\xe2\x82"), "cut\xef\xbf\xbd\xef\xbf\xbd") << "sequence cut short";
  EXPECT_EQ(Copy("\x01\x1b[31m"), "\x01\x1b[31m") << "other control characters are valid text";
}

TEST(PgCopy, JsonIsWrittenAsText) {
  std::string out;
  AppendCopyJson(R"({"path":"a\tb","n":"x"})", &out);
  EXPECT_EQ(out, R"({"path":"a\\tb","n":"x"})");
  out.clear();
  AppendCopyJson("", &out);
  EXPECT_EQ(out, "\\N");
}

TEST(PgCopy, Numbers) {
  std::string out;
  AppendCopyNum(col::kNull, &out);
  out.push_back(' ');
  AppendCopyNum(0, &out);
  out.push_back(' ');
  AppendCopyNum(-42, &out);
  out.push_back(' ');
  AppendCopyNum(1700000000123, &out);
  out.push_back(' ');
  AppendCopyNum(col::kNull + 1, &out);
  EXPECT_EQ(out, "\\N 0 -42 1700000000123 -9223372036854775807");
}

TEST(PgCopy, TypedNetworkColumnsGiveAConnectionRow) {
  CopyBatch b;
  AddRow(ConnectionRow(1700000000123, "connect", "10.0.0.1", 40512, "10.0.0.2", 22, "1:abc+/=", ""),
         &b);
  AddRow(ConnectionRow(1700000000124, "accept", "", col::kNull, "::1", 5555, "", "EAGAIN"), &b);
  // A bind has a detail but no connection; a row from before the typed columns has none either.
  AddRow(ConnectionRow(1700000000125, "bind", "", col::kNull, "0.0.0.0", 80, "", ""), &b);
  AddRow(EventRow(1700000000126, 10, "connect", R"({"op":"connect"})", EventKind::kNetwork), &b);
  EXPECT_EQ(b.event_rows, 4u);
  ASSERT_EQ(b.connection_rows, 2u);
  auto conns = Lines(b.connections);
  ASSERT_EQ(conns.size(), 2u);
  auto c = Fields(conns[0]);
  ASSERT_EQ(c.size(), 16u);
  EXPECT_EQ(c[7], "connect");
  EXPECT_EQ(c[8], "outbound");
  EXPECT_EQ(c[9], "tcp");
  EXPECT_EQ(c[10], "10.0.0.1");
  EXPECT_EQ(c[11], "40512");
  EXPECT_EQ(c[12], "10.0.0.2");
  EXPECT_EQ(c[13], "22");
  EXPECT_EQ(c[14], "1:abc+/=");
  EXPECT_EQ(c[15], "\\N");
  auto a = Fields(conns[1]);
  EXPECT_EQ(a[7], "accept");
  EXPECT_EQ(a[8], "inbound");
  EXPECT_EQ(a[10], "\\N");
  EXPECT_EQ(a[11], "\\N");
  EXPECT_EQ(a[12], "::1");
  EXPECT_EQ(a[15], "EAGAIN");
}

TEST(PgCopy, RowsBecomeLinesWithTheirColumnCounts) {
  CopyBatch b;
  b.host = "host\twith tab";
  b.boot_id = "boot";
  const std::string hostile("/tmp/w/a\tb\nc\\d\xff", 15);
  AddRow(EventRow(1700000000123, 5, hostile, R"({"path":"\ufffd"})"), &b);
  AddRow(ConnectionRow(1700000000124, "connect", "", col::kNull, "127.0.0.1", 8080, "1:x", ""), &b);
  AddRow(EventRow(1700000000125, 7, "connect", "", EventKind::kNetwork, ""), &b);  // outside sessions
  Row p;
  p.Reset(RowType::kProcess);
  p.num[col::kProcPid] = 10;
  p.num[col::kStart] = 1;
  p.num[col::kOrigin] = 0;
  for (std::string_view s : {std::string_view("ent-10"), std::string_view(), std::string_view(),
                             std::string_view(hostile), std::string_view(R"(["a","b"])"),
                             std::string_view("/"), std::string_view("s-1"),
                             std::string_view("shell")}) {
    p.AddStr(s);
  }
  AddRow(p, &b);
  Row s;
  s.Reset(RowType::kSession);
  s.num[col::kSessionStart] = 5;
  s.AddStr("s-1");
  AddRow(s, &b);  // strings past the first missing: NULL (a writer without community_id)
  Row no_key;
  no_key.Reset(RowType::kProcess);
  AddRow(no_key, &b);
  Row c;  // a container row (store schema version 4; fleet migration 3)
  c.Reset(RowType::kContainer);
  c.num[col::kContFirstSeen] = 10;
  c.num[col::kContLastSeen] = 20;
  for (std::string_view v : {std::string_view("c0ffee"), std::string_view("podman"),
                             std::string_view("web\t1"), std::string_view()}) {
    c.AddStr(v);
  }
  AddRow(c, &b);
  Row c_no_key;
  c_no_key.Reset(RowType::kContainer);
  AddRow(c_no_key, &b);

  EXPECT_EQ(b.event_rows, 3u);
  EXPECT_EQ(b.connection_rows, 1u);
  EXPECT_EQ(b.process_rows, 1u);
  EXPECT_EQ(b.session_rows, 1u);
  EXPECT_EQ(b.container_rows, 1u);
  EXPECT_EQ(b.skipped, 2u);
  EXPECT_EQ(b.days, std::vector<int64_t>{1700000000123 / 86400000});
  auto events = Lines(b.events);
  ASSERT_EQ(events.size(), 3u);
  for (const auto& l : events) EXPECT_EQ(Fields(l).size(), 13u) << l;
  EXPECT_EQ(Fields(events[0])[0], "host\\twith tab");
  EXPECT_EQ(Fields(events[0])[9], "/tmp/w/a\\tb\\nc\\\\d\xef\xbf\xbd");
  EXPECT_EQ(Fields(events[0])[12], R"({"path":"\\ufffd"})");
  auto conns = Lines(b.connections);
  ASSERT_EQ(conns.size(), 1u);
  auto cf = Fields(conns[0]);
  ASSERT_EQ(cf.size(), 16u);
  EXPECT_EQ(cf[2], "1700000000124");
  EXPECT_EQ(cf[7], "connect");
  EXPECT_EQ(cf[8], "outbound");
  EXPECT_EQ(cf[10], "\\N") << "no local end";
  EXPECT_EQ(cf[12], "127.0.0.1");
  EXPECT_EQ(cf[13], "8080");
  EXPECT_EQ(cf[14], "1:x");
  auto procs = Lines(b.processes);
  ASSERT_EQ(procs.size(), 1u);
  // 23 columns, then version 4's container id, runtime, unit and hash: NULL in a row without them.
  ASSERT_EQ(Fields(procs[0]).size(), 27u);
  EXPECT_EQ(Fields(procs[0])[18], "exec");
  EXPECT_EQ(Fields(procs[0])[23], "\\N");
  EXPECT_EQ(Fields(procs[0])[26], "\\N");
  auto containers = Lines(b.containers);
  ASSERT_EQ(containers.size(), 1u);
  auto kf = Fields(containers[0]);
  ASSERT_EQ(kf.size(), 11u);  // seq, host, id, runtime, name, image, pod name/namespace/uid, seen
  EXPECT_EQ(kf[1], "host\\twith tab");
  EXPECT_EQ(kf[2], "c0ffee");
  EXPECT_EQ(kf[4], "web\\t1");
  EXPECT_EQ(kf[5], "\\N");
  EXPECT_EQ(kf[9], "10");
  EXPECT_EQ(kf[10], "20");
  auto sessions = Lines(b.sessions);
  ASSERT_EQ(sessions.size(), 1u);
  auto sf = Fields(sessions[0]);
  ASSERT_EQ(sf.size(), 24u);
  EXPECT_EQ(sf[3], "s-1");
  EXPECT_EQ(sf[23], "\\N");
  EXPECT_NE(Fields(procs[0])[0], sf[0]) << "process and session rows are ordered in one sequence";
}

TEST(TeeSink, BothSinksGetEveryRowAndCountTheirOwnDrops) {
  RowQueue small(64), big(256);
  TeeSink tee(&small, &big);
  for (int i = 0; i < 100; ++i) {
    Row* r = tee.Begin();
    ASSERT_NE(r, nullptr);
    r->Reset(RowType::kEvent);
    r->num[col::kTime] = i;
    r->AddStr("session-" + std::to_string(i));
    tee.Commit();
  }
  EXPECT_EQ(small.Available(), 64u);
  EXPECT_EQ(small.dropped(), 36u);
  EXPECT_EQ(big.Available(), 100u);
  EXPECT_EQ(big.dropped(), 0u);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(big.Front().num[col::kTime], i);
    EXPECT_EQ(big.Front().Str(0), "session-" + std::to_string(i));
    big.Pop();
  }
  EXPECT_EQ(small.Front().Str(0), "session-0");
}

TEST(PostgresStore, RefusesAConnectionStringLibpqCannotParse) {
  TempDir dir;
  PostgresOptions options;
  options.conninfo = "host=127.0.0.1 port";  // a keyword without its value
  options.spool_path = dir.Path("spool");
  PostgresStore store;
  std::string error;
  EXPECT_FALSE(store.Open(options, &error));
  EXPECT_NE(error.find("not a valid connection string"), std::string::npos) << error;
  EXPECT_FALSE(std::filesystem::exists(options.spool_path));
}

// No database listens: rows go to the spool at once, the producer never waits, the reason is in
// the stats, and the spool keeps the rows for the next start.
TEST(PostgresStore, UnreachableDatabaseSpoolsEveryRow) {
  TempDir dir;
  PostgresOptions options;
  options.conninfo = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2";
  options.host = "h";
  options.boot_id = "b";
  options.spool_path = dir.Path("spool");
  options.batch_ms = 20;
  options.close_wait_ms = 100;
  PostgresStore store;
  std::string error;
  ASSERT_TRUE(store.Open(options, &error)) << error;
  for (int i = 0; i < 1000; ++i) {
    Row* r = store.sink()->Begin();
    ASSERT_NE(r, nullptr) << "the ring never fills: the writer spools";
    *r = EventRow(1700000000000 + i, i, "openat");
    store.sink()->Commit();
    if (i % 100 == 99) usleep(20000);
  }
  for (int i = 0; i < 200 && store.stats().spooled_rows < 1000; ++i) usleep(10000);
  PostgresStats s = store.stats();
  EXPECT_FALSE(s.connected);
  EXPECT_EQ(s.spooled_rows, 1000u);
  EXPECT_EQ(s.spool_rows, 1000u);
  EXPECT_EQ(s.queue_dropped + s.spool_dropped, 0u);
  EXPECT_GE(s.connect_failures, 1u);
  EXPECT_NE(s.last_error.find("127.0.0.1"), std::string::npos) << s.last_error;
  store.Close();
  PgSpool spool;
  ASSERT_TRUE(spool.Open(options.spool_path, 0, &error)) << error;
  EXPECT_EQ(spool.pending_rows(), 1000u);
}

// Migration 2's SQL takes the partition lock by its decimal value: the same as the C++ constant.
TEST(PgSchema, PartitionLockIsTheSameInSql) {
  EXPECT_NE(std::string(kPgMigrations[1]).find("pg_advisory_xact_lock(" +
                                                std::to_string(kPgPartitionLock) + ")"),
            std::string::npos);
}

// The writer against a live database as a host's own role (migration 2: row-level security).
// Run by tests/pg/test_fleet_roles.sh, which sets AUDITLENS_TEST_PG_URL (the host role's
// connection string), AUDITLENS_TEST_PG_HOST (its host) and checks the rows in the database;
// skipped without them.
Row ProcessRow(std::string_view entity, int64_t start, int64_t exit_time, std::string_view args) {
  Row p;
  p.Reset(RowType::kProcess);
  p.num[col::kProcPid] = 10;
  p.num[col::kStart] = start;
  p.num[col::kSeen] = exit_time == col::kNull ? start : exit_time;
  p.num[col::kExitTime] = exit_time;
  p.num[col::kExitCode] = exit_time == col::kNull ? col::kNull : 3;
  p.num[col::kOrigin] = 0;
  for (std::string_view v : {entity, std::string_view(), std::string_view(),
                             std::string_view("/usr/bin/ssh"), args, std::string_view("/"),
                             std::string_view("s-1"), std::string_view("shell")}) {
    p.AddStr(v);
  }
  return p;
}

Row SessionRow(int64_t start, int64_t end, std::string_view state) {
  Row s;
  s.Reset(RowType::kSession);
  s.num[col::kSessionStart] = start;
  s.num[col::kSessionEnd] = end;
  s.num[col::kLastSeen] = end == col::kNull ? start : end;
  for (std::string_view v : {std::string_view("s-1"), std::string_view("alice"),
                             std::string_view("sshd"), std::string_view(), std::string_view(),
                             std::string_view(), std::string_view(), std::string_view(),
                             std::string_view(), state}) {
    s.AddStr(v);
  }
  return s;
}

bool WaitFor(PostgresStore& store, uint64_t rows) {
  for (int i = 0; i < 1000; ++i) {
    if (store.stats().rows_written >= rows) return true;
    usleep(10000);
  }
  return false;
}

// The live tests' options: the database and host name tests/pg/test_fleet_roles.sh gives, the spool
// in dir, short batches.
PostgresOptions LiveOptions(const char* url, const char* host, const TempDir& dir) {
  PostgresOptions options;
  options.conninfo = url;
  options.host = host;
  options.spool_path = dir.Path("spool");
  options.batch_ms = 20;
  return options;
}

// Queues one row in the store.
void Put(PostgresStore& store, const Row& r) {
  Row* slot = store.sink()->Begin();
  ASSERT_NE(slot, nullptr);
  *slot = r;
  store.sink()->Commit();
}

TEST(PostgresStoreLive, WritesAsItsHostRole) {
  const char* url = getenv("AUDITLENS_TEST_PG_URL");
  const char* host = getenv("AUDITLENS_TEST_PG_HOST");
  if (url == nullptr || host == nullptr) GTEST_SKIP() << "run by tests/pg/test_fleet_roles.sh";
  TempDir dir;
  PostgresOptions options = LiveOptions(url, host, dir);
  options.boot_id = "boot-live";
  options.machine_id = "machine-live";
  PostgresStore store;
  std::string error;
  ASSERT_TRUE(store.Open(options, &error)) << error;
  // Batch 1: two days (two partitions each), a connection, a process and its session begun.
  const int64_t t0 = 1795400000000;
  Put(store, EventRow(t0, 1, "execve", R"({"args":["ssh","b"]})", EventKind::kExec));
  Put(store, ConnectionRow(t0 + 1, "connect", "10.0.0.1", 40000, "10.0.0.2", 22, "1:live", ""));
  Put(store, EventRow(t0 + 86400000, 3, "openat"));
  Put(store, ProcessRow("ent-live", t0, col::kNull, R"(["ssh","b"])"));
  Put(store, SessionRow(t0 - 5, col::kNull, "active"));
  ASSERT_TRUE(WaitFor(store, 5)) << store.stats().last_error;
  // A container, first without its name (fleet migration 3).
  auto container = [](int64_t first, int64_t last, std::string_view name) {
    Row r;
    r.Reset(RowType::kContainer);
    r.num[col::kContFirstSeen] = first;
    r.num[col::kContLastSeen] = last;
    for (std::string_view v : {std::string_view("c0ffee-live"), std::string_view("podman"), name,
                               name.empty() ? std::string_view() : std::string_view("localhost/busybox:1")}) {
      r.AddStr(v);
    }
    return r;
  };
  Put(store, container(t0, t0, ""));
  ASSERT_TRUE(WaitFor(store, 6)) << store.stats().last_error;
  // Batch 2: the same process, session and container again: the merges update the stored rows.
  Put(store, ProcessRow("ent-live", t0, t0 + 500, R"(["ssh","b"])"));
  Put(store, SessionRow(t0 - 5, t0 + 900, "closed"));
  Put(store, container(t0 + 100, t0 + 10000, "web-live"));
  ASSERT_TRUE(WaitFor(store, 9)) << store.stats().last_error;
  store.Close();
  const PostgresStats s = store.stats();
  EXPECT_EQ(s.rows_written, 9u);
  EXPECT_EQ(s.rejected, 0u);
  EXPECT_EQ(s.spool_rows, 0u);
  EXPECT_EQ(s.queue_dropped + s.spool_dropped, 0u);
  EXPECT_EQ(s.connect_failures, 0u) << s.last_error;
  EXPECT_GE(s.schema_version, 3u);
}

// A host's role used by an agent of another host name: refused at connect, with what to do.
TEST(PostgresStoreLive, RefusesAHostItsRoleIsNotMappedTo) {
  const char* url = getenv("AUDITLENS_TEST_PG_URL");
  const char* host = getenv("AUDITLENS_TEST_PG_OTHER_HOST");
  if (url == nullptr || host == nullptr) GTEST_SKIP() << "run by tests/pg/test_fleet_roles.sh";
  TempDir dir;
  PostgresOptions options = LiveOptions(url, host, dir);
  options.close_wait_ms = 100;
  PostgresStore store;
  std::string error;
  ASSERT_TRUE(store.Open(options, &error)) << error;
  ASSERT_NO_FATAL_FAILURE(Put(store, EventRow(1795400000000, 9, "openat")));
  for (int i = 0; i < 500 && store.stats().connect_failures == 0; ++i) usleep(10000);
  store.Close();
  const PostgresStats s = store.stats();
  EXPECT_GE(s.connect_failures, 1u);
  EXPECT_EQ(s.rows_written, 0u);
  EXPECT_EQ(s.spool_rows, 1u);
  EXPECT_NE(s.last_error.find("maps role"), std::string::npos) << s.last_error;
  EXPECT_NE(s.last_error.find(std::string("this agent is host ") + host), std::string::npos)
      << s.last_error;
}

}  // namespace
}  // namespace auditlens
