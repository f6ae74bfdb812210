// enrich/process_table: entity ids, images from exec/fork/exit, parents and ancestry in the event
// JSON, sshd's accepted client handed to the process it starts, pid reuse, bounded memory, and the
// /proc seed. Recorded streams are in tests/data/sessions/ (see session_test_harness.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <sys/stat.h>

#include "filter/netns_scope.h"
#include "enrich/exe_hasher.h"
#include "enrich/process_table.h"
#include "session_test_harness.h"

namespace auditlens {
namespace {

using testing::kTestBoot;
using testing::ReadSessionData;
using testing::SessionHarness;

std::string EntityId(std::string_view boot, int32_t pid, uint64_t start) {
  char id[17];
  ProcessTable::MakeEntityId(boot, pid, start, id);
  return id;
}

// One SYSCALL event (with EOE-less log completion at PROCTITLE) for handmade streams.
std::string Syscall(uint64_t ms, uint32_t serial, int syscall, int pid, int ppid, const std::string& more,
                    const std::string& extra_records = "") {
  char head[96];
  snprintf(head, sizeof(head), "msg=audit(%llu.%03llu:%u): ", static_cast<unsigned long long>(ms / 1000),
           static_cast<unsigned long long>(ms % 1000), serial);
  std::string s = std::string("type=SYSCALL ") + head + "arch=c000003e syscall=" + std::to_string(syscall) +
                  " " + more + " ppid=" + std::to_string(ppid) + " pid=" + std::to_string(pid) +
                  " auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000"
                  " tty=pts0 ses=7 comm=\"x\" exe=\"/usr/bin/x\" key=(null)\n";
  std::string records = extra_records;
  for (size_t at; (at = records.find("HEAD ")) != std::string::npos;) records.replace(at, 5, head);
  return s + records + "type=PROCTITLE " + head + "proctitle=78\n";
}

// Feeds a raw log through a pipeline whose only enricher is table, its JSON lines into path.
bool RunThrough(ProcessTable* table, const std::string& log, const std::string& path,
                std::string* error) {
  PipelineOptions po;
  po.assembler.expect_eoe = false;
  po.enrichers = {table};
  OutputFile out;
  if (!out.Open(path, error)) return false;
  {
    Pipeline p(po, &out);
    std::istringstream in(log);
    std::string line;
    Record rec;
    while (std::getline(in, line)) {
      if (ParseLogRecord(line, &rec) == nullptr) p.AddRecord(rec);
    }
    p.Flush();
  }
  return out.Flush();
}

TEST(ProcessTable, EntityIdIsStableAndTellsProcessesApart) {
  EXPECT_EQ(EntityId("boot-a", 100, 5000), EntityId("boot-a", 100, 5000));
  EXPECT_EQ(EntityId("boot-a", 100, 5000).size(), 16u);
  std::set<std::string> ids = {EntityId("boot-a", 100, 5000), EntityId("boot-a", 100, 5001),
                               EntityId("boot-a", 101, 5000), EntityId("boot-b", 100, 5000)};
  EXPECT_EQ(ids.size(), 4u);  // same pid later, another pid, another boot: other processes
}

TEST(ProcessTable, RecordedSshSessionTree) {
  SessionHarness h;
  h.Feed(ReadSessionData("ssh_command_failed_password.log"));
  h.Finish();
  // bash -c ... was forked by sshd's session process (6375) and exec'd in 6376; touch is its child.
  std::map<std::string, JsonValue> by_exe;
  const JsonValue* touch = nullptr;
  const JsonValue* touch_exit = nullptr;
  std::vector<JsonValue> events = h.Events();
  for (const JsonValue& e : events) {
    const JsonValue& p = e["process"];
    if (e["event"].Str("action") == "exec" && p["args"].items().size() > 0) {
      by_exe[p["args"].items()[0].text()] = p;
      if (p["args"].items()[0].text() == "touch") touch = &e;
    }
    if (e["event"].Str("action") == "end" && p.Str("name") == "touch") touch_exit = &e;
  }
  ASSERT_TRUE(touch != nullptr);
  ASSERT_TRUE(by_exe.count("bash"));
  const JsonValue& bash = by_exe["bash"];
  const JsonValue& tp = (*touch)["process"];
  EXPECT_EQ(tp.Str("entity_id"), EntityId(kTestBoot, 6377, 1795349580135));
  EXPECT_EQ(tp.Str("start"), "2026-11-22T12:13:00.135Z");
  EXPECT_EQ(tp["parent"]["pid"].text(), "6376");
  EXPECT_EQ(tp["parent"].Str("entity_id"), bash.Str("entity_id"));
  EXPECT_EQ(tp["parent"].Str("executable"), "/usr/bin/bash");
  ASSERT_EQ(tp["parent"]["args"].items().size(), 3u);
  EXPECT_EQ(tp["parent"]["args"].items()[1].text(), "-c");
  // Ancestry: bash; sshd's session process (6375, forked at .075); the sshd that did the login
  // (6369, exec'd at 79.875); the listener (6321, exec'd at 78.351).
  const auto& ancestry = (*touch)["auditd"]["process"]["ancestry"].items();
  ASSERT_GE(ancestry.size(), 4u);
  EXPECT_EQ(ancestry[0].text(), bash.Str("entity_id"));
  EXPECT_EQ(ancestry[1].text(), EntityId(kTestBoot, 6375, 1795349580075));
  EXPECT_EQ(ancestry[2].text(), EntityId(kTestBoot, 6369, 1795349579875));
  EXPECT_EQ(ancestry[3].text(), EntityId(kTestBoot, 6321, 1795349578351));
  // The exit of touch: same entity, with its status.
  ASSERT_TRUE(touch_exit != nullptr);
  EXPECT_EQ((*touch_exit)["process"].Str("entity_id"), tp.Str("entity_id"));
  EXPECT_EQ((*touch_exit)["process"]["exit_code"].text(), "0");
}

TEST(ProcessTable, AcceptedClientGoesToTheProcessSshdStarts) {
  SessionHarness h;
  h.Feed(ReadSessionData("ssh_command_failed_password.log"));
  h.Finish();
  // The listener (6321) accepted 127.0.0.1:44248 and then started 6369 (sshd -R), which did the
  // login; the second connection (the failed password) went to the next one.
  const Row* login_process = nullptr;
  for (const Row& r : h.sink.rows) {
    if (r.type == RowType::kSession && r.Str(col::kId) == "0123abcd-25") {
      EXPECT_EQ(r.num[col::kSourcePort], 44248);
      EXPECT_EQ(r.Str(col::kSourceIp), "127.0.0.1");
      EXPECT_EQ(r.num[col::kDestPort], 36139);  // the listener's bind
      EXPECT_EQ(r.num[col::kLoginPid], 6369);
    }
    if (r.type == RowType::kProcess && r.num[col::kProcPid] == 6369) login_process = &r;
  }
  ASSERT_TRUE(login_process != nullptr);
  EXPECT_EQ(login_process->Str(col::kExe), "/usr/sbin/sshd");
}

// The accept of a connection can come after the child the server started for it (events out of
// order): the child waits on its parent until then. A parent that accepts nothing (a shell forking
// commands) keeps its waiting children in the image, with no network block.
TEST(ProcessTable, AcceptAfterTheChildReachesTheWaitingChild) {
  const std::string sockaddr = "type=SOCKADDR HEAD saddr=0200ACD87F0000010000000000000000\n";
  std::string log;
  log += Syscall(1000, 10, 57, 100, 1, "success=yes exit=200 a0=0");            // sshd forks 200
  log += Syscall(999, 11, 43, 100, 1, "success=yes exit=5 a0=3", sockaddr);     // its accept, later
  for (int i = 0; i < 3; ++i) {
    log += Syscall(2000 + i, 20 + i, 57, 300, 1, "success=yes exit=" + std::to_string(301 + i));
  }
  ProcessTableOptions o;
  o.boot_id = "b";
  ProcessTable table(o);
  SessionHarness h;
  std::string error;
  ASSERT_TRUE(RunThrough(&table, log, h.TempPath("accept.json"), &error)) << error;
  ProcessImage* child = table.Find(200);
  ASSERT_TRUE(child != nullptr);
  ASSERT_TRUE(child->peer().is_ip());
  EXPECT_EQ(child->peer().port, 44248);
  ProcessImage* server = table.Find(100);
  ASSERT_TRUE(server != nullptr);
  EXPECT_TRUE(server->awaiting_peer.empty());  // handed over
  EXPECT_TRUE(server->network == nullptr || server->network->accepted.empty());
  ProcessImage* shell = table.Find(300);
  ASSERT_TRUE(shell != nullptr);
  EXPECT_EQ(shell->awaiting_peer.size(), 3u);
  EXPECT_TRUE(shell->network == nullptr);
}

// A storm repeats its SYSCALL record byte for byte; the table reuses the last parse of it. Each event
// must still get its own serial and time, views into its own records, and a changed record its own
// values.
class SubjectSink : public EventSink {
 public:
  SubjectSink() : table_(ProcessTableOptions{}) {}
  void OnEvent(const Event& event) override {
    parsed_.Parse(event);
    EventFacts facts;
    facts.Reset(parsed_);
    table_.Enrich(parsed_, &facts);
    const EventSubject& s = table_.subject();
    seen.push_back({s.serial, s.time_ms, s.pid, std::string(s.exe), std::string(s.comm),
                    s.has_success && s.success, s.exit});
    // The views must point into this event's records, not a remembered copy.
    const std::string_view body = event.record_body(static_cast<size_t>(parsed_.subject_record()));
    exe_in_body = exe_in_body && s.exe.data() >= body.data() &&
                  s.exe.data() + s.exe.size() <= body.data() + body.size();
  }
  struct Seen {
    uint32_t serial;
    uint64_t time_ms;
    int32_t pid;
    std::string exe, comm;
    bool success;
    int64_t exit;
  };
  std::vector<Seen> seen;
  bool exe_in_body = true;

 private:
  ProcessTable table_;
  ParsedEvent parsed_;
};

TEST(ProcessTable, RepeatedSubjectRecordKeepsEachEventsOwnStamp) {
  std::string log;
  log += Syscall(1000, 10, 257, 70, 1, "success=yes exit=3 a0=ffffff9c");
  log += Syscall(1001, 11, 257, 70, 1, "success=yes exit=3 a0=ffffff9c");
  log += Syscall(1002, 12, 257, 71, 1, "success=yes exit=3 a0=ffffff9c");
  log += Syscall(1003, 13, 257, 70, 1, "success=yes exit=3 a0=ffffff9c");
  log += Syscall(1004, 14, 257, 70, 1, "success=no exit=-2 a0=ffffff9c");
  SubjectSink sink;
  AssemblerOptions options;
  options.expect_eoe = false;
  Assembler assembler(options, &sink);
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    Record r;
    if (ParseLogRecord(line, &r) == nullptr) assembler.Add(r);
  }
  assembler.Flush();
  ASSERT_EQ(sink.seen.size(), 5u);
  const int32_t pids[] = {70, 70, 71, 70, 70};
  for (size_t i = 0; i < 5; ++i) {
    const SubjectSink::Seen& s = sink.seen[i];
    EXPECT_EQ(s.serial, 10 + i);
    EXPECT_EQ(s.time_ms, 1000 + i);
    EXPECT_EQ(s.pid, pids[i]) << i;
    EXPECT_EQ(s.exe, "\"/usr/bin/x\"") << i;
    EXPECT_EQ(s.comm, "\"x\"") << i;
    EXPECT_EQ(s.success, i != 4) << i;
    EXPECT_EQ(s.exit, i == 4 ? -2 : 3) << i;
  }
  EXPECT_TRUE(sink.exe_in_body);
}

TEST(ProcessTable, ExecForkExitAndPidReuse) {
  SessionHarness h;
  std::string log;
  // pid 50 (parent 1) execs prog; forks 51; 51 execs child; 51 exits 3; later pid 51 is reused by a
  // process of another parent (60) without any exit or fork seen for it.
  log += Syscall(1000, 1, 59, 50, 1, "success=yes exit=0 a0=1",
                 "type=EXECVE HEAD argc=2 a0=\"prog\" a1=\"one two\"\ntype=CWD HEAD cwd=\"/srv\"\n");
  log += Syscall(1100, 2, 56, 50, 1, "success=yes exit=51 a0=1200011");
  log += Syscall(1200, 3, 59, 51, 50, "success=yes exit=0 a0=1",
                 "type=EXECVE HEAD argc=1 a0=\"child\"\n");
  log += Syscall(1300, 4, 231, 51, 50, "a0=3");
  log += Syscall(20000, 5, 42, 51, 60, "success=yes exit=0 a0=3");
  // pid 52: seen with parent 50, later with parent 61 and no exit in between: reused too.
  log += Syscall(21000, 6, 42, 52, 50, "success=yes exit=0 a0=3");
  log += Syscall(22000, 7, 42, 52, 61, "success=yes exit=0 a0=3");
  h.Feed(log);
  h.Finish();
  std::vector<const Row*> procs = h.sink.Of(RowType::kProcess);
  auto find = [&](int pid, std::string_view origin_exe) -> const Row* {
    const Row* found = nullptr;
    for (const Row* r : procs) {
      if (r->num[col::kProcPid] == pid && r->Str(col::kExe) == origin_exe) found = r;
    }
    return found;
  };
  const Row* prog = find(50, "/usr/bin/x");
  ASSERT_TRUE(prog != nullptr);
  EXPECT_EQ(prog->Str(col::kArgs), "[\"prog\",\"one two\"]");
  EXPECT_EQ(prog->Str(col::kCwd), "/srv");
  EXPECT_EQ(prog->Str(col::kEntity), EntityId(kTestBoot, 50, 1000));
  // The fork (1100) and the exec in it (1200): the exec's image replaced the fork's.
  const Row* fork = nullptr;
  const Row* exec = nullptr;
  for (const Row* r : procs) {
    if (r->num[col::kProcPid] != 51) continue;
    if (r->num[col::kOrigin] == static_cast<int64_t>(ProcessOrigin::kFork)) fork = r;
    if (r->num[col::kOrigin] == static_cast<int64_t>(ProcessOrigin::kExec)) exec = r;
  }
  ASSERT_TRUE(fork != nullptr && exec != nullptr);
  EXPECT_EQ(fork->num[col::kStart], 1100);
  EXPECT_EQ(fork->Str(col::kParentEntity), prog->Str(col::kEntity));
  EXPECT_EQ(exec->Str(col::kPreviousEntity), fork->Str(col::kEntity));
  EXPECT_EQ(exec->Str(col::kParentEntity), prog->Str(col::kEntity));
  // Its exit: the same entity with time and status.
  const Row* exited = nullptr;
  for (const Row* r : procs) {
    if (r->Str(col::kEntity) == exec->Str(col::kEntity) && r->num[col::kExitTime] != col::kNull) exited = r;
  }
  ASSERT_TRUE(exited != nullptr);
  EXPECT_EQ(exited->num[col::kExitTime], 1300);
  EXPECT_EQ(exited->num[col::kExitCode], 3);
  // pid 51 again after its exit: a new entity.
  const Row* reused = nullptr;
  for (const Row* r : procs) {
    if (r->num[col::kProcPid] == 51 && r->num[col::kStart] == 20000) reused = r;
  }
  ASSERT_TRUE(reused != nullptr);
  EXPECT_NE(reused->Str(col::kEntity), exec->Str(col::kEntity));
  EXPECT_EQ(reused->num[col::kPPid], 60);
  std::set<std::string> of52;
  for (const Row* r : procs) {
    if (r->num[col::kProcPid] == 52) of52.insert(std::string(r->Str(col::kEntity)));
  }
  EXPECT_EQ(of52.size(), 2u);
}

// setsid makes the caller the leader of a session and a group; setpgid(pid, pgid) moves a process
// into a group (a shell with job control, for the job it forked); fork and exec keep them.
TEST(ProcessTable, SessionAndGroupLeadersFromSetsidAndSetpgid) {
  SessionHarness h;
  std::string log;
  log += Syscall(1000, 1, 59, 50, 1, "success=yes exit=0 a0=1", "type=EXECVE HEAD argc=1 a0=\"sh\"\n");
  log += Syscall(1010, 2, 112, 50, 1, "success=yes exit=50 a0=0");     // setsid
  log += Syscall(1100, 3, 56, 50, 1, "success=yes exit=51 a0=1200011");  // fork: 51
  log += Syscall(1110, 4, 109, 50, 1, "success=yes exit=0 a0=33 a1=33");  // setpgid(51, 51)
  log += Syscall(1200, 5, 59, 51, 50, "success=yes exit=0 a0=1", "type=EXECVE HEAD argc=1 a0=\"job\"\n");
  log += Syscall(1300, 6, 56, 51, 50, "success=yes exit=52 a0=1200011");  // fork: 52, in 51's group
  log += Syscall(1310, 7, 109, 52, 51, "success=yes exit=0 a0=0 a1=0");   // setpgid(0, 0): its own
  log += Syscall(1400, 8, 42, 52, 51, "success=yes exit=0 a0=3");
  h.Feed(log);
  h.Finish();
  std::map<uint64_t, JsonValue> by_serial;
  for (const JsonValue& e : h.Events()) by_serial[std::stoull(e["event"]["sequence"].text())] = e;
  ASSERT_EQ(by_serial.size(), 8u);
  // Before setsid the session is unknown (pid 1 is not in the table): no leader.
  EXPECT_FALSE(by_serial[1]["process"].Has("session_leader"));
  const JsonValue& sh = by_serial[2]["process"];
  EXPECT_EQ(sh["session_leader"]["pid"].text(), "50");
  EXPECT_TRUE(sh["session_leader"]["same_as_process"].boolean());
  EXPECT_EQ(sh["group_leader"]["pid"].text(), "50");
  const JsonValue& job = by_serial[5]["process"];
  EXPECT_EQ(job["session_leader"]["pid"].text(), "50");
  EXPECT_EQ(job["session_leader"].Str("entity_id"), EntityId(kTestBoot, 50, 1000));
  EXPECT_EQ(job["session_leader"].Str("name"), "x");
  EXPECT_FALSE(job["session_leader"]["same_as_process"].boolean());
  EXPECT_EQ(job["group_leader"]["pid"].text(), "51");
  EXPECT_TRUE(job["group_leader"]["same_as_process"].boolean());
  const JsonValue& child = by_serial[8]["process"];
  EXPECT_EQ(child["session_leader"]["pid"].text(), "50");
  EXPECT_EQ(child["group_leader"]["pid"].text(), "52");
}

// A fork whose result is the forking pid itself (no kernel sends it; a corrupt or forged log does):
// ignored, and the subject's image stays what it was. Once, the child's image replaced the parent's
// and the rest of the event read the freed parent (fuzz_pipeline, fuzz/regressions/fuzz_pipeline/).
TEST(ProcessTable, ForkThatReturnsItsOwnPidIsIgnored) {
  SessionHarness h;
  std::string log;
  log += Syscall(1000, 1, 59, 70, 1, "success=yes exit=0 a0=1", "type=EXECVE HEAD argc=1 a0=\"prog\"\n");
  log += Syscall(1100, 2, 56, 70, 1, "success=yes exit=70 a0=1200011");
  log += Syscall(1200, 3, 42, 70, 1, "success=yes exit=0 a0=3");
  h.Feed(log);
  h.Finish();
  int images = 0;
  for (const Row* r : h.sink.Of(RowType::kProcess)) {
    if (r->num[col::kProcPid] != 70) continue;
    ++images;
    EXPECT_EQ(r->Str(col::kEntity), EntityId(kTestBoot, 70, 1000));
    EXPECT_NE(r->num[col::kOrigin], static_cast<int64_t>(ProcessOrigin::kFork));
  }
  EXPECT_GE(images, 1);
}

TEST(ProcessTable, BoundedExitedDropAndEviction) {
  ProcessTableOptions o;
  o.boot_id = "b";
  o.max_entries = 64;
  o.exited_keep_ms = 1000;
  ProcessTable table(o);
  // 200 processes seen once each, then a sweep far later: exited ones go after exited_keep_ms and
  // the table never holds more than max_entries.
  std::string log;
  for (int i = 0; i < 200; ++i) {
    log += Syscall(1000 + i, 10 + i, 59, 1000 + i, 1, "success=yes exit=0 a0=1",
                   "type=EXECVE HEAD argc=1 a0=\"p\"\n");
    if (i % 2 == 0) log += Syscall(1000 + i, 1000 + i, 231, 1000 + i, 1, "a0=0");
  }
  SessionHarness h;
  h.Feed(log);
  h.Finish();
  EXPECT_EQ(h.table->size(), 200u);  // the harness's table has the default limits
  // A table with small limits stays bounded while events come, and evicts the exited first.
  ProcessTable small(o);
  std::string error;
  ASSERT_TRUE(RunThrough(&small, log, h.TempPath("small.json"), &error)) << error;
  EXPECT_LE(small.size(), 64u + 1);
  small.Sweep(1300);
  EXPECT_LE(small.size(), 64u);
  int exited = 0;
  small.ForEach([&](ProcessImage& img) { exited += img.exited; });
  EXPECT_EQ(exited, 0);  // the 100 exited ones went first
  small.Sweep(1300 + 5000);
  EXPECT_LE(small.size(), 64u);
}

class FakeProc {
 public:
  explicit FakeProc(const std::string& root) : root_(root) {
    std::filesystem::create_directories(root_);
    Write("stat", "cpu  1 2 3\nbtime 1795340000\n");
  }
  void Add(int pid, int ppid, unsigned long long start_ticks, const std::string& exe,
           const std::vector<std::string>& args, unsigned uid, const std::string& loginuid,
           const std::string& ses) {
    std::string d = std::to_string(pid);
    std::filesystem::create_directories(root_ + "/" + d);
    std::string stat = d + " (" + std::filesystem::path(exe).filename().string() + ") S " +
                       std::to_string(ppid);
    for (int i = 0; i < 17; ++i) stat += " 0";
    stat += " " + std::to_string(start_ticks) + " 0 0\n";
    Write(d + "/stat", stat);
    std::string cmdline;
    for (const std::string& a : args) cmdline += a + std::string(1, '\0');
    Write(d + "/cmdline", cmdline);
    Write(d + "/status", "Name:\tx\nUid:\t" + std::to_string(uid) + "\t" + std::to_string(uid) +
                             "\t0\t0\n");
    Write(d + "/loginuid", loginuid);
    Write(d + "/sessionid", ses);
    std::filesystem::create_symlink(exe, root_ + "/" + d + "/exe");
    std::filesystem::create_symlink("/home/u", root_ + "/" + d + "/cwd");
  }

  // PID/cgroup (the directory is made when the pid has none yet).
  void Cgroup(int pid, const std::string& text) {
    std::filesystem::create_directories(root_ + "/" + std::to_string(pid));
    Write(std::to_string(pid) + "/cgroup", text);
  }
  // Any file under the fake /proc (its directory must exist).
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(root_ + "/" + name, std::ios::binary) << text;
  }

 private:
  std::string root_;
};

TEST(ProcessTable, SeedFromProc) {
  SessionHarness h;
  std::string root = h.TempPath("proc");
  FakeProc proc(root);
  proc.Add(1, 0, 10, "/sbin/init", {"/sbin/init"}, 0, "4294967295", "4294967295");
  proc.Add(300, 1, 500, "/usr/sbin/sshd", {"sshd: alice [priv]"}, 0, "1000", "9");
  proc.Add(301, 300, 600, "/usr/bin/bash", {"-bash"}, 1000, "1000", "9");
  ProcessTableOptions o;
  o.boot_id = "b";
  ProcessTable table(o);
  EXPECT_EQ(table.SeedFromProc(root), 3u);
  ProcessImage* bash = table.Find(301);
  ProcessImage* sshd = table.Find(300);
  ASSERT_TRUE(bash != nullptr && sshd != nullptr);
  EXPECT_EQ(bash->origin, ProcessOrigin::kProc);
  EXPECT_EQ(bash->start_ms, 1795340000ull * 1000 + 600 * 1000 / static_cast<uint64_t>(sysconf(_SC_CLK_TCK)));
  EXPECT_EQ(bash->parent_entity(), sshd->entity_id.view());
  ASSERT_TRUE(bash->args != nullptr);
  ASSERT_EQ(bash->args->count(), 1u);
  bash->args->ForEach([](std::string_view arg) { EXPECT_EQ(arg, "-bash"); });
  EXPECT_EQ(bash->cwd, "/home/u");
  EXPECT_EQ(bash->auid, 1000u);
  EXPECT_EQ(bash->ses, 9u);
  EXPECT_EQ(bash->uid, 1000u);
  // The session of those processes, from the same seed.
  SessionTrackerOptions so;
  so.boot_id = "b";
  so.lookup_names = false;
  SessionTracker sessions(so, &table);
  EXPECT_EQ(sessions.SeedFromTable(root), 1u);
  const SessionInfo* s = sessions.Find(9);
  ASSERT_TRUE(s != nullptr);
  EXPECT_TRUE(s->from_proc);
  EXPECT_EQ(s->login_pid, 300);  // the oldest of the session whose parent is outside it
  EXPECT_EQ(s->service, "sshd");
  EXPECT_EQ(bash->role, SessionRole::kShell);
}

// Containers and units from PID/cgroup: read for an exec (within the budget), shared with the
// parent when the same, inherited by a fork and by a process already gone; past the budget the
// parent's, counted.
TEST(ProcessTable, CgroupIdentityReadInheritedAndBudgeted) {
  SessionHarness h;
  std::string root = h.TempPath("proc-cgroup");
  FakeProc proc(root);
  const std::string id(64, 'a');
  const std::string docker = "12:pids:/docker/" + id + "\n1:name=systemd:/docker/" + id + "\n0::/\n";
  proc.Add(300, 1, 500, "/usr/bin/containerd-shim", {"shim"}, 0, "4294967295", "4294967295");
  proc.Cgroup(300, docker);
  proc.Cgroup(301, docker);  // 301 runs in the same container
  proc.Cgroup(310, "1:name=systemd:/system.slice/cron.service\n0::/system.slice/cron.service\n");
  ProcessTableOptions o;
  o.boot_id = "b";
  o.proc_root = root;
  o.track_cgroups = true;
  o.max_cgroup_reads_per_s = 2;
  ProcessTable table(o);
  ASSERT_EQ(table.SeedFromProc(root), 1u);
  ASSERT_TRUE(table.Find(300) != nullptr && table.Find(300)->cgroup);
  EXPECT_EQ(table.Find(300)->cgroup->runtime, ContainerRuntime::kDocker);
  EXPECT_EQ(table.Find(300)->cgroup->container_id, id);

  std::string log;
  log += Syscall(2000, 1, 59, 301, 300, "success=yes exit=0 a0=1", "type=EXECVE HEAD argc=1 a0=\"sh\"\n");
  log += Syscall(2010, 2, 56, 301, 300, "success=yes exit=302 a0=1200011");  // fork: no read
  log += Syscall(2020, 3, 59, 303, 301, "success=yes exit=0 a0=1", "type=EXECVE HEAD argc=1 a0=\"ls\"\n");
  log += Syscall(2030, 4, 59, 310, 1, "success=yes exit=0 a0=1", "type=EXECVE HEAD argc=1 a0=\"cron\"\n");
  std::string error;
  ASSERT_TRUE(RunThrough(&table, log, h.TempPath("cgroup.json"), &error)) << error;
  const ProcessImage* sh = table.Find(301);
  const ProcessImage* child = table.Find(302);
  const ProcessImage* gone = table.Find(303);
  const ProcessImage* cron = table.Find(310);
  ASSERT_TRUE(sh && child && gone && cron);
  // Read, the same as the parent's: shared.
  EXPECT_EQ(sh->cgroup, table.Find(300)->cgroup);
  EXPECT_EQ(child->cgroup, sh->cgroup);  // the fork's is its parent's
  EXPECT_EQ(gone->cgroup, sh->cgroup);   // no /proc/303: its parent's
  // Two reads allowed in that second (301, 303's attempt): 310 is past the budget and takes its
  // parent's (pid 1 is unknown here: none).
  EXPECT_EQ(table.cgroup_counts().reads, 2u);  // the seed's 300 and 301
  EXPECT_EQ(table.cgroup_counts().unreadable, 1u);  // 303 is gone
  EXPECT_EQ(table.cgroup_counts().over_budget, 1u);
  EXPECT_FALSE(cron->cgroup);
  // The output names the container of every event of 301's tree.
  std::ifstream json(h.TempPath("cgroup.json"));
  std::string line;
  int with_container = 0;
  while (std::getline(json, line)) {
    with_container += line.find(R"("container":{"id":")" + id + R"(","runtime":"docker"})") != std::string::npos;
  }
  EXPECT_EQ(with_container, 3);
}

// A process that has exited but is not reaped yet: the kernel shows its cgroup file at the v1
// roots ("/"). That is not where it ran: it takes its parent's, and the read counts as unreadable.
TEST(ProcessTable, CgroupOfAZombieIsNotARead) {
  SessionHarness h;
  std::string root = h.TempPath("proc-zombie");
  FakeProc proc(root);
  const std::string unit = "1:name=systemd:/system.slice/cron.service\n0::/system.slice/cron.service\n";
  proc.Add(400, 1, 500, "/usr/sbin/cron", {"cron"}, 0, "4294967295", "4294967295");
  proc.Cgroup(400, unit);
  // 401 is a zombie: state Z, and its cgroup file at the roots.
  proc.Cgroup(401, "1:name=systemd:/\n0::/system.slice/cron.service\n");
  proc.Write("401/stat", "401 (job) Z 400 0 0 0 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 600 0 0\n");
  // 402 really left the unit (its stat says running): its own reading stands.
  proc.Cgroup(402, "1:name=systemd:/system.slice/other.service\n0::/system.slice/other.service\n");
  proc.Write("402/stat", "402 (moved) S 400 0 0 0 -1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 600 0 0\n");
  ProcessTableOptions o;
  o.boot_id = "b";
  o.proc_root = root;
  o.track_cgroups = true;
  ProcessTable table(o);
  ASSERT_EQ(table.SeedFromProc(root), 1u);
  std::string log;
  log += Syscall(2000, 1, 59, 401, 400, "success=yes exit=0 a0=1", "type=EXECVE HEAD argc=1 a0=\"job\"\n");
  log += Syscall(2010, 2, 59, 402, 400, "success=yes exit=0 a0=1", "type=EXECVE HEAD argc=1 a0=\"mv\"\n");
  std::string error;
  ASSERT_TRUE(RunThrough(&table, log, h.TempPath("zombie.json"), &error)) << error;
  ASSERT_TRUE(table.Find(401) && table.Find(401)->cgroup);
  EXPECT_EQ(table.Find(401)->cgroup, table.Find(400)->cgroup);
  EXPECT_EQ(table.Find(401)->cgroup->service, "cron.service");
  ASSERT_TRUE(table.Find(402) && table.Find(402)->cgroup);
  EXPECT_EQ(table.Find(402)->cgroup->service, "other.service");
  EXPECT_EQ(table.cgroup_counts().unreadable, 1u);
}

// A program's SHA-256: the exec's event says it is pending (the hasher reads on its own thread);
// a later event of the process carries process.hash.sha256; a fork has its parent's.
TEST(ProcessTable, ProgramHashPendingThenKnown) {
  SessionHarness h;
  const std::string exe = h.TempPath("prog");
  std::ofstream(exe, std::ios::binary) << "abc";
  // One byte a second: the worker finishes this file a second after it read it, long after the
  // exec's event is written.
  ExeHasherOptions slow;
  slow.bytes_per_s = 1;
  ExeHasher hasher(slow);
  ProcessTableOptions o;
  o.boot_id = "b";
  o.hasher = &hasher;  // no proc_root: the file at the executable's path
  ProcessTable table(o);
  const std::string more = "tty=pts0 ses=7 comm=\"x\" exe=\"" + exe + "\" key=(null)";
  auto syscall = [&](uint64_t ms, uint32_t serial, int nr, int pid, int ppid, const std::string& args,
                     const std::string& extra = "") {
    std::string line = Syscall(ms, serial, nr, pid, ppid, args, extra);
    const size_t at = line.find("tty=pts0");
    line.replace(at, line.find('\n') - at, more);
    return line;
  };
  std::string error;
  ASSERT_TRUE(RunThrough(&table, syscall(1000, 1, 59, 500, 1, "success=yes exit=0 a0=1",
                                         "type=EXECVE HEAD argc=1 a0=\"prog\"\n"),
                         h.TempPath("h1.json"), &error)) << error;
  hasher.Drain();
  ASSERT_TRUE(RunThrough(&table, syscall(1100, 2, 42, 500, 1, "success=yes exit=0 a0=3") +
                                     syscall(1200, 3, 56, 500, 1, "success=yes exit=501 a0=1200011") +
                                     syscall(1300, 4, 42, 501, 500, "success=yes exit=0 a0=3"),
                         h.TempPath("h2.json"), &error)) << error;
  auto lines = [](const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  };
  const std::vector<std::string> first = lines(h.TempPath("h1.json"));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_NE(first[0].find(R"("hash_status":"pending")"), std::string::npos) << first[0];
  EXPECT_EQ(first[0].find(R"("sha256")"), std::string::npos) << first[0];
  const std::vector<std::string> later = lines(h.TempPath("h2.json"));
  ASSERT_EQ(later.size(), 3u);
  const std::string sha = R"("hash":{"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"})";
  for (const std::string& line : later) {
    EXPECT_NE(line.find(sha), std::string::npos) << line;
    EXPECT_EQ(line.find("hash_status"), std::string::npos) << line;
  }
  EXPECT_EQ(hasher.counts().hashed, 1u);
}

TEST(ProcessTable, UnknownParentReadFromProcOnce) {
  SessionHarness h;
  std::string root = h.TempPath("proc2");
  FakeProc proc(root);
  // 700 is a fork that never exec'd (sudo's monitor): not in the stream, alive in /proc.
  proc.Add(700, 1, 100, "/usr/bin/sudo", {"sudo", "ls"}, 0, "1000", "7");
  ProcessTableOptions o;
  o.boot_id = "b";
  o.proc_root = root;
  ProcessTable table(o);
  std::string log = Syscall(1795340005000, 1, 59, 701, 700, "success=yes exit=0 a0=1",
                            "type=EXECVE HEAD argc=2 a0=\"ls\" a1=\"/root\"\n");
  std::string error;
  ASSERT_TRUE(RunThrough(&table, log, h.TempPath("adopt.json"), &error)) << error;
  ProcessImage* ls = table.Find(701);
  ProcessImage* monitor = table.Find(700);
  ASSERT_TRUE(ls != nullptr && monitor != nullptr);
  EXPECT_EQ(monitor->origin, ProcessOrigin::kProc);
  EXPECT_EQ(monitor->exe, "/usr/bin/sudo");
  EXPECT_EQ(ls->parent_entity(), monitor->entity_id.view());
  // Without a proc root (a log from elsewhere) the parent stays unknown.
  ProcessTableOptions offline;
  offline.boot_id = "b";
  ProcessTable table2(offline);
  ASSERT_TRUE(RunThrough(&table2, log, h.TempPath("adopt2.json"), &error)) << error;
  ASSERT_TRUE(table2.Find(701) != nullptr);
  EXPECT_TRUE(table2.Find(701)->parent_entity().empty());
  EXPECT_EQ(table2.Find(700), nullptr);
}

// Host scoping ([agent] netns): each image remembers its network namespace (read from
// PROC/PID/ns/net when made, else the parent's), and the scope lets through only the events of
// processes in the configured one; the others reach neither the output nor the counters of events.
TEST(NetnsScope, OnlyTheNamespacesProcessesAreReported) {
  SessionHarness h;
  std::string root = h.TempPath("proc-ns");
  FakeProc proc(root);
  proc.Add(300, 1, 100, "/usr/sbin/sshd", {"sshd"}, 0, "4294967295", "4294967295");
  proc.Add(400, 1, 100, "/usr/sbin/sshd", {"sshd"}, 0, "4294967295", "4294967295");
  // Two namespaces: two files; a process's ns/net is a link to its namespace's file.
  for (const char* ns : {"ns-a", "ns-b"}) std::ofstream(root + "/" + ns) << ns;
  std::filesystem::create_directories(root + "/300/ns");
  std::filesystem::create_directories(root + "/400/ns");
  std::filesystem::create_symlink("../../ns-a", root + "/300/ns/net");
  std::filesystem::create_symlink("../../ns-b", root + "/400/ns/net");
  std::filesystem::create_directories(root + "/302/ns");
  std::filesystem::create_symlink("../../ns-b", root + "/302/ns/net");
  struct stat a, b;
  ASSERT_EQ(stat((root + "/ns-a").c_str(), &a), 0);
  ASSERT_EQ(stat((root + "/ns-b").c_str(), &b), 0);

  ProcessTableOptions o;
  o.boot_id = "b";
  o.proc_root = root;
  o.track_netns = true;
  ProcessTable table(o);
  NetnsScope scope(a.st_ino);
  PipelineOptions po;
  po.assembler.expect_eoe = false;
  po.enrichers = {&table};
  po.filter = &scope;
  OutputFile out;
  std::string error;
  const std::string out_path = h.TempPath("scoped.json");
  ASSERT_TRUE(out.Open(out_path, &error)) << error;
  Pipeline p(po, &out);
  // 301 and 401 are gone from /proc by the time their exec is read (short commands): each takes
  // its parent's namespace (the parents come from /proc). 500 has no parent anyone knows.
  std::string log =
      Syscall(1795340005000, 1, 59, 301, 300, "success=yes exit=0 a0=1",
              "type=EXECVE HEAD argc=1 a0=\"id\"\n") +
      Syscall(1795340005001, 2, 59, 401, 400, "success=yes exit=0 a0=1",
              "type=EXECVE HEAD argc=1 a0=\"whoami\"\n") +
      Syscall(1795340005002, 3, 59, 500, 77, "success=yes exit=0 a0=1",
              "type=EXECVE HEAD argc=1 a0=\"ls\"\n") +
      Syscall(1795340005003, 4, 42, 300, 1, "success=yes exit=0 a0=1") +
      // 300 forks 302: the child is where its parent is, /proc is not read for it (its entry,
      // made to say otherwise, is not looked at).
      Syscall(1795340005004, 5, 57, 300, 1, "success=yes exit=302 a0=0");
  std::istringstream in(log);
  std::string line;
  Record rec;
  while (std::getline(in, line)) {
    if (ParseLogRecord(line, &rec) == nullptr) p.AddRecord(rec);
  }
  p.Flush();
  out.Flush();
  ASSERT_TRUE(table.Find(301) && table.Find(401) && table.Find(300) && table.Find(500));
  EXPECT_EQ(table.Find(300)->netns, static_cast<uint64_t>(a.st_ino));
  EXPECT_EQ(table.Find(301)->netns, static_cast<uint64_t>(a.st_ino));
  EXPECT_EQ(table.Find(401)->netns, static_cast<uint64_t>(b.st_ino));
  EXPECT_EQ(table.Find(500)->netns, 0u);
  ASSERT_TRUE(table.Find(302) != nullptr);
  EXPECT_EQ(table.Find(302)->origin, ProcessOrigin::kFork);
  EXPECT_EQ(table.Find(302)->netns, static_cast<uint64_t>(a.st_ino));
  std::ifstream lines_in(out_path);
  std::vector<std::string> lines;
  while (std::getline(lines_in, line)) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("\"pid\":301"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"pid\":300"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("\"pid\":300"), std::string::npos) << lines[2];
  EXPECT_EQ(p.counters().events, 3u);
  EXPECT_EQ(p.counters().out_of_scope, 2u);
  // Serials of refused events were delivered all the same: no loss is reported for them.
  EXPECT_EQ(p.counters().loss_events, 0u);

  // Without track_netns nothing is read.
  ProcessTableOptions off = o;
  off.track_netns = false;
  ProcessTable table2(off);
  EXPECT_EQ(table2.SeedFromProc(root), 2u);  // 302 has no stat: not a process
  EXPECT_EQ(table2.Find(300)->netns, 0u);
}

TEST(NetnsScope, NamespaceFileIsChecked) {
  uint64_t inode = 0;
  std::string error;
  ASSERT_TRUE(NetnsInode("/proc/self/ns/net", &inode, &error)) << error;
  struct stat st;
  ASSERT_EQ(stat("/proc/self/ns/net", &st), 0);
  EXPECT_EQ(inode, static_cast<uint64_t>(st.st_ino));
  EXPECT_FALSE(NetnsInode("/nonexistent/netns", &inode, &error));
  EXPECT_NE(error.find("/nonexistent/netns"), std::string::npos) << error;
  EXPECT_FALSE(NetnsInode("/proc/self/status", &inode, &error));
  EXPECT_NE(error.find("not a network namespace"), std::string::npos) << error;
}

}  // namespace
}  // namespace auditlens
