// Containers in the store (issue 21, "Store and query"): the recorder's process, event and container
// rows for processes inside containers, in a login session or not; the containers table filled in
// when the runtime's details arrive late; the recorder's bounded memo; schema version 4 and the
// upgrade of a version 3 store; and what `auditlens containers`, `timeline --container`,
// `sessions --container` and a session's timeline make of it.
//
// The processes' containers come from cgroup files of a fake /proc (the process table's
// track_cgroups); the runtime's details (EventFacts::container) from a small enricher standing in
// for the container catalog, which can answer late and change its answer.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "agent/pipeline.h"
#include "enrich/enricher.h"
#include "enrich/process_table.h"
#include "enrich/session_tracker.h"
#include "output/output_file.h"
#include "query/store_reader.h"
#include "query/timeline.h"
#include "record/record.h"
#include "session_test_harness.h"
#include "store/recorder.h"
#include "store/rows.h"
#include "store/schema.h"
#include "store/sqlite_store.h"
#include "store_v5_schema.h"

namespace auditlens {
namespace {

using testing::VectorSink;

constexpr uint32_t kUnset = 4294967295u;

std::string Hex64(char c) { return std::string(64, c); }

// The cgroup file of a podman container's process (machine.slice, as podman names it), of a login
// session's process, of a daemon.
std::string PodmanCgroup(const std::string& id) {
  return "1:name=systemd:/machine.slice/libpod-" + id + ".scope\n0::/machine.slice/libpod-" + id +
         ".scope\n";
}
std::string SessionCgroup(int ses) {
  const std::string path = "/user.slice/user-1001.slice/session-" + std::to_string(ses) + ".scope";
  return "1:name=systemd:" + path + "\n0::" + path + "\n";
}
std::string ServiceCgroup(const std::string& unit) {
  return "1:name=systemd:/system.slice/" + unit + "\n0::/system.slice/" + unit + "\n";
}

std::string Head(uint64_t ms, uint32_t serial) {
  char head[96];
  snprintf(head, sizeof(head), "msg=audit(%llu.%03llu:%u): ",
           static_cast<unsigned long long>(ms / 1000), static_cast<unsigned long long>(ms % 1000),
           serial);
  return head;
}

// A session's processes run as its user; the others as root.
std::string Ids(uint32_t auid, uint32_t ses) {
  const std::string u = std::to_string(auid == kUnset ? 0 : auid);
  return " auid=" + std::to_string(auid) + " uid=" + u + " gid=" + u + " euid=" + u + " suid=" + u +
         " fsuid=" + u + " egid=" + u + " sgid=" + u + " fsgid=" + u + " tty=pts0 ses=" +
         std::to_string(ses);
}

// The last record of a syscall event in a log (which has no EOE): it completes the event.
std::string Proctitle(uint64_t ms, uint32_t serial) {
  return "type=PROCTITLE " + Head(ms, serial) + "proctitle=78\n";
}

// An open() by pid (running exe): an event of kind other (no detailed row).
std::string Open(uint64_t ms, uint32_t serial, int pid, uint32_t auid, uint32_t ses,
                 const std::string& exe = "/bin/sleep") {
  return "type=SYSCALL " + Head(ms, serial) +
         "arch=c000003e syscall=2 success=yes exit=3 a0=1 a1=0 a2=0 a3=0 items=1 ppid=1 pid=" +
         std::to_string(pid) + Ids(auid, ses) + " comm=\"x\" exe=\"" + exe + "\" key=(null)\n" +
         Proctitle(ms, serial);
}

// An execve of exe with args by pid (child of ppid), in session ses (kUnset: none).
std::string Exec(uint64_t ms, uint32_t serial, int pid, int ppid, uint32_t auid, uint32_t ses,
                 const std::string& exe, const std::vector<std::string>& args) {
  const std::string h = Head(ms, serial);
  std::string s = "type=SYSCALL " + h + "arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 " +
                  "a2=3 a3=0 items=1 ppid=" + std::to_string(ppid) + " pid=" + std::to_string(pid) +
                  Ids(auid, ses) + " comm=\"x\" exe=\"" + exe + "\" key=(null)\n";
  s += "type=EXECVE " + h + "argc=" + std::to_string(args.size());
  for (size_t i = 0; i < args.size(); ++i) s += " a" + std::to_string(i) + "=\"" + args[i] + "\"";
  s += "\ntype=CWD " + h + "cwd=\"/root\"\n";
  s += "type=PATH " + h + "item=0 name=\"" + exe +
       "\" inode=1 dev=fe:00 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 "
       "cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n";
  return s + Proctitle(ms, serial);
}

// exit_group(code) of pid.
std::string Exit(uint64_t ms, uint32_t serial, int pid, int ppid, uint32_t auid, uint32_t ses,
                 int code) {
  return "type=SYSCALL " + Head(ms, serial) + "arch=c000003e syscall=231 a0=" +
         std::to_string(code) + " a1=0 a2=0 a3=0 items=0 ppid=" + std::to_string(ppid) +
         " pid=" + std::to_string(pid) + Ids(auid, ses) + " comm=\"x\" exe=\"/bin/x\" key=(null)\n" +
         Proctitle(ms, serial);
}

// pam_loginuid's LOGIN, then sshd's USER_START: the session is open.
std::string Login(uint64_t ms, uint32_t serial, int pid, uint32_t auid, uint32_t ses) {
  return "type=LOGIN " + Head(ms, serial) + "pid=" + std::to_string(pid) +
         " uid=0 old-auid=4294967295 auid=" + std::to_string(auid) +
         " tty=(none) old-ses=4294967295 ses=" + std::to_string(ses) + " res=1\n" +
         "type=SYSCALL " + Head(ms, serial) + "arch=c000003e syscall=1 success=yes exit=4 a0=5 a1=1 "
         "a2=4 a3=0 items=0 ppid=1 pid=" + std::to_string(pid) + " auid=" + std::to_string(auid) +
         " uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=" +
         std::to_string(ses) + " comm=\"sshd\" exe=\"/usr/sbin/sshd\" key=(null)\n" +
         Proctitle(ms, serial) +
         "type=USER_START " + Head(ms + 10, serial + 1) + "pid=" + std::to_string(pid) +
         " uid=0 auid=" + std::to_string(auid) + " ses=" + std::to_string(ses) +
         " msg='op=PAM:session_open grantors=pam_unix acct=\"alice\" exe=\"/usr/sbin/sshd\" "
         "hostname=10.0.0.1 addr=10.0.0.1 terminal=ssh res=success'\n";
}

// What the container catalog would say: a details object per container id, replaceable.
class FakeCatalog : public Enricher {
 public:
  void Enrich(const ParsedEvent&, EventFacts* facts) override {
    const ProcessImage* p = facts->process;
    if (p == nullptr || !p->cgroup || p->cgroup->runtime == ContainerRuntime::kNone) return;
    auto it = details.find(p->cgroup->container_id);
    if (it != details.end()) facts->container = it->second;
  }
  void Set(const std::string& id, const std::string& name, const std::string& image) {
    auto d = std::make_shared<ContainerDetails>();
    d->id = id;
    d->name = name;
    d->image = image;
    d->source = "podman-state";
    details[id] = d;
  }
  std::map<std::string, std::shared_ptr<const ContainerDetails>> details;
};

// The agent's wiring (process table reading cgroups from a fake /proc, session tracker, the fake
// catalog, the recorder with its default options: sessions and containers only) into a vector or
// a real store.
class Rig {
 public:
  explicit Rig(bool with_store = false, ExeHasher* hasher = nullptr) {
    dir_ = std::filesystem::temp_directory_path() /
           ("auditlens-container-test-" + std::to_string(getpid()) + "-" + std::to_string(n_++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "proc");
    ProcessTableOptions topt;
    topt.boot_id = testing::kTestBoot;
    topt.proc_root = (dir_ / "proc").string();
    topt.track_cgroups = true;
    topt.max_cgroup_reads_per_s = 0;
    topt.hasher = hasher;
    table = std::make_unique<ProcessTable>(topt);
    SessionTrackerOptions sopt;
    sopt.boot_id = testing::kTestBoot;
    sessions = std::make_unique<SessionTracker>(sopt, table.get());
    RowSink* target = &sink;
    if (with_store) {
      store_path = (dir_ / "store.db").string();
      StoreOptions o;
      o.path = store_path;
      o.host = "testhost";
      o.boot_id = testing::kTestBoot;
      o.batch_ms = 10;
      store = std::make_unique<SqliteStore>();
      std::string error;
      EXPECT_TRUE(store->Open(o, &error)) << error;
      target = store->sink();
    }
    recorder = std::make_unique<Recorder>(table.get(), sessions.get(), target);
    PipelineOptions po;
    po.assembler.expect_eoe = false;
    po.hostname = "testhost";
    po.enrichers = {table.get(), sessions.get(), &catalog};
    po.observers = {recorder.get()};
    std::string error;
    EXPECT_TRUE(out_.Open((dir_ / "out.json").string(), &error)) << error;
    pipeline = std::make_unique<Pipeline>(po, &out_);
  }
  ~Rig() {
    pipeline.reset();
    if (store) store->Close();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  // The process's /proc/PID/cgroup.
  void Cgroup(int pid, const std::string& text) {
    std::filesystem::create_directories(dir_ / "proc" / std::to_string(pid));
    std::ofstream(dir_ / "proc" / std::to_string(pid) / "cgroup") << text;
  }
  // A process already running when the agent starts, as /proc shows it (SeedFromProc), in no
  // login session.
  void Running(int pid, int ppid, unsigned long long start_ticks, const std::string& exe) {
    const auto root = dir_ / "proc";
    std::ofstream(root / "stat") << "cpu  1 2 3\nbtime 1795340000\n";
    const auto d = root / std::to_string(pid);
    std::filesystem::create_directories(d);
    std::string stat = std::to_string(pid) + " (x) S " + std::to_string(ppid);
    for (int i = 0; i < 17; ++i) stat += " 0";
    std::ofstream(d / "stat") << stat << " " << start_ticks << " 0 0\n";
    std::ofstream(d / "cmdline") << exe << '\0';
    std::ofstream(d / "status") << "Name:\tx\nUid:\t0\t0\t0\t0\n";
    std::ofstream(d / "loginuid") << "4294967295";
    std::ofstream(d / "sessionid") << "4294967295";
    std::filesystem::create_symlink(exe, d / "exe");
    std::filesystem::create_symlink("/", d / "cwd");
  }
  std::string ProcRoot() const { return (dir_ / "proc").string(); }
  void Feed(const std::string& log) {
    std::istringstream in(log);
    std::string line;
    Record record;
    while (std::getline(in, line)) {
      if (line.empty() || ParseLogRecord(line, &record) != nullptr) continue;
      // A record of a later event completes the earlier ones (as stream time does live).
      if (record.time_ms() > last_ms_) pipeline->AdvanceTime(record.time_ms());
      last_ms_ = std::max(last_ms_, record.time_ms());
      pipeline->AddRecord(record);
    }
    // Completes the events fed so far (logs have no EOE).
    pipeline->Flush();
  }
  void Finish() {
    pipeline->Flush();
    if (store) store->Sync();
    if (getenv("DUMP_JSON")) {
      out_.Flush();
      std::ifstream in(dir_ / "out.json");
      std::cerr << in.rdbuf();
    }
  }

  std::unique_ptr<ProcessTable> table;
  std::unique_ptr<SessionTracker> sessions;
  FakeCatalog catalog;
  VectorSink sink;
  std::unique_ptr<SqliteStore> store;
  std::string store_path;
  std::unique_ptr<Recorder> recorder;
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  std::unique_ptr<Pipeline> pipeline;

 private:
  static inline int n_ = 0;
  std::filesystem::path dir_;
  OutputFile out_;
  uint64_t last_ms_ = 0;
};

std::string Query(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* st = nullptr;
  std::string v;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    v = sqlite3_column_type(st, 0) == SQLITE_NULL
            ? "NULL"
            : reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  } else {
    v = std::string("error: ") + sqlite3_errmsg(h);
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

const std::string kWeb = Hex64('a');
const std::string kDb = Hex64('b');

// The scene the store and query tests share: alice logs in (session 7), her shell runs `podman exec
// web-1 ls /` (ls runs inside container web-1 and keeps her auid and session); the container's own
// process (sleep) runs outside any session and makes a connection; cron, outside containers and
// sessions, runs a job.
std::string Scene(uint64_t t) {
  std::string log;
  log += Exec(t - 1000, 9, 300, 1, kUnset, kUnset, "/usr/sbin/sshd", {"sshd", "-D"});
  log += Login(t, 10, 300, 1001, 7);
  log += Exec(t + 100, 12, 301, 300, 1001, 7, "/usr/bin/bash", {"-bash"});
  log += Exec(t + 2000, 13, 302, 301, 1001, 7, "/usr/bin/podman", {"podman", "exec", "web-1", "ls", "/"});
  log += Exec(t + 2100, 14, 303, 302, 1001, 7, "/bin/ls", {"ls", "/"});
  log += Exit(t + 2150, 15, 303, 302, 1001, 7, 0);
  log += Exec(t + 3000, 16, 400, 1, kUnset, kUnset, "/bin/sleep", {"sleep", "60"});
  log += Exec(t + 3100, 17, 500, 1, kUnset, kUnset, "/usr/bin/run-parts", {"run-parts", "/etc/cron.hourly"});
  return log;
}
void SceneCgroups(Rig& rig) {
  rig.Cgroup(301, SessionCgroup(7));
  rig.Cgroup(302, SessionCgroup(7));
  rig.Cgroup(303, PodmanCgroup(kWeb));
  rig.Cgroup(400, PodmanCgroup(kWeb));
  rig.Cgroup(500, ServiceCgroup("cron.service"));
}

TEST(ContainerRecorder, ProcessesAndDetailedEventsOfContainersOutsideSessions) {
  Rig rig;
  SceneCgroups(rig);
  rig.Feed(Scene(1795349000000));
  rig.Finish();
  std::map<std::string, const Row*> process_of_exe;
  for (const Row* r : rig.sink.Of(RowType::kProcess)) process_of_exe[std::string(r->Str(col::kExe))] = r;
  // The container's own process, outside any session: recorded, with its container.
  ASSERT_TRUE(process_of_exe.count("/bin/sleep"));
  const Row* sleep = process_of_exe["/bin/sleep"];
  EXPECT_EQ(sleep->Str(col::kProcContainerId), kWeb);
  EXPECT_EQ(sleep->Str(col::kProcContainerRuntime), "podman");
  EXPECT_TRUE(sleep->Str(col::kProcSessionId).empty());
  // The command exec'd into it from the session: in both.
  ASSERT_TRUE(process_of_exe.count("/bin/ls"));
  EXPECT_EQ(process_of_exe["/bin/ls"]->Str(col::kProcContainerId), kWeb);
  EXPECT_FALSE(process_of_exe["/bin/ls"]->Str(col::kProcSessionId).empty());
  // The session's shell: its unit, no container.
  ASSERT_TRUE(process_of_exe.count("/usr/bin/bash"));
  EXPECT_EQ(process_of_exe["/usr/bin/bash"]->Str(col::kProcService), "session-7.scope");
  EXPECT_TRUE(process_of_exe["/usr/bin/bash"]->Str(col::kProcContainerId).empty());
  // cron's job: neither in a session nor in a container: no row (the recorder's default).
  EXPECT_FALSE(process_of_exe.count("/usr/bin/run-parts"));
  // Events: sleep's exec has its detailed row with no session; run-parts' exec none.
  bool sleep_exec = false, cron_exec = false;
  for (const Row* r : rig.sink.Of(RowType::kEvent)) {
    const std::string detail(r->Str(col::kDetail));
    if (detail.find("\"sleep\"") != std::string::npos) {
      sleep_exec = true;
      EXPECT_TRUE(r->Str(col::kSessionId).empty());
      EXPECT_EQ(r->num[col::kKind], static_cast<int64_t>(EventKind::kExec));
    }
    cron_exec |= r->num[col::kPid] == 500;
  }
  EXPECT_TRUE(sleep_exec);
  EXPECT_FALSE(cron_exec);
  // One container row: first seen with ls, no name (the catalog knows none).
  auto containers = rig.sink.Of(RowType::kContainer);
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(containers[0]->Str(col::kContId), kWeb);
  EXPECT_EQ(containers[0]->Str(col::kContRuntime), "podman");
  EXPECT_TRUE(containers[0]->Str(col::kContName).empty());
  EXPECT_EQ(containers[0]->num[col::kContFirstSeen], 1795349000000 + 2100);
  EXPECT_EQ(rig.recorder->containers_remembered(), 1u);
}

TEST(ContainerRecorder, LateDetailsUpdateTheContainerRowAlone) {
  Rig rig(/*with_store=*/true);
  const uint64_t t = 1795349000000;
  rig.Cgroup(400, PodmanCgroup(kWeb));
  rig.Feed(Exec(t, 1, 400, 1, kUnset, kUnset, "/bin/sleep", {"sleep", "60"}));
  rig.Finish();
  EXPECT_EQ(Query(rig.store_path, "SELECT count(*) FROM containers"), "1");
  EXPECT_EQ(Query(rig.store_path, "SELECT name FROM containers"), "NULL");
  const size_t process_rows = Query(rig.store_path, "SELECT count(*) FROM processes") == "1" ? 1 : 0;
  EXPECT_EQ(process_rows, 1u);
  const uint64_t rows_before = rig.recorder->rows();
  // The catalog answers: the next event of the container brings the name and image; only the
  // container's row is pushed again (and the event's own row).
  rig.catalog.Set(kWeb, "web-1", "localhost/busybox:1");
  std::string log = Open(t + 500, 2, 400, kUnset, kUnset);
  rig.Feed(log);
  rig.Finish();
  EXPECT_EQ(rig.recorder->rows() - rows_before, 1u) << "one container row; the open makes none";
  EXPECT_EQ(Query(rig.store_path, "SELECT name || ' ' || image FROM containers"),
            "web-1 localhost/busybox:1");
  EXPECT_EQ(Query(rig.store_path, "SELECT first_seen_ms FROM containers"), std::to_string(t));
  // The same details again: nothing; 10 s of activity later: its last sighting.
  log = Open(t + 900, 3, 400, kUnset, kUnset);
  rig.Feed(log);
  rig.Finish();
  EXPECT_EQ(rig.recorder->rows() - rows_before, 1u);
  log = Open(t + 11000, 4, 400, kUnset, kUnset);
  rig.Feed(log);
  rig.Finish();
  EXPECT_EQ(rig.recorder->rows() - rows_before, 2u);
  EXPECT_EQ(Query(rig.store_path, "SELECT last_seen_ms FROM containers"), std::to_string(t + 11000));
  // Details that change (the container renamed): a new row with the new name; the image stays.
  rig.catalog.Set(kWeb, "web-renamed", "");
  log = Open(t + 11500, 5, 400, kUnset, kUnset);
  rig.Feed(log);
  rig.Finish();
  EXPECT_EQ(rig.recorder->rows() - rows_before, 3u);
  EXPECT_EQ(Query(rig.store_path, "SELECT name || ' ' || image FROM containers"),
            "web-renamed localhost/busybox:1");
  EXPECT_EQ(Query(rig.store_path, "SELECT count(*) FROM containers"), "1");
  EXPECT_EQ(rig.store->stats().write_errors, 0u) << rig.store->stats().last_error;
}

TEST(ContainerRecorder, MemoOfContainersIsCapped) {
  Rig rig;
  const uint64_t t = 1795349000000;
  const size_t n = Recorder::kMaxContainers + 10;
  std::string log;
  for (size_t i = 0; i < n; ++i) {
    const int pid = 10000 + static_cast<int>(i);
    char id[65];
    snprintf(id, sizeof(id), "%064zx", i + 1);
    rig.Cgroup(pid, PodmanCgroup(id));
    log += Exec(t + i, static_cast<uint32_t>(i + 1), pid, 1, kUnset, kUnset, "/bin/true", {"true"});
  }
  rig.Feed(log);
  rig.Finish();
  EXPECT_EQ(rig.recorder->containers_remembered(), Recorder::kMaxContainers);
  EXPECT_EQ(rig.sink.Of(RowType::kContainer).size(), n);
  // The first container was evicted (the least recently active): seen again, it is pushed again.
  char first[65];
  snprintf(first, sizeof(first), "%064zx", size_t{1});
  rig.Cgroup(9000, PodmanCgroup(first));
  rig.Feed(Exec(t + n + 1, static_cast<uint32_t>(n + 1), 9000, 1, kUnset, kUnset, "/bin/true", {"true"}));
  rig.Finish();
  auto rows = rig.sink.Of(RowType::kContainer);
  ASSERT_EQ(rows.size(), n + 1);
  EXPECT_EQ(rows.back()->Str(col::kContId), first);
  EXPECT_EQ(rig.recorder->containers_remembered(), Recorder::kMaxContainers);
}

// The processes found in /proc at start (WriteAll): those in containers get their rows, and each of
// their containers one row, first seen when its earliest process started; the others none.
TEST(ContainerRecorder, ProcessesRunningAtStartAndTheirContainers) {
  Rig rig;
  rig.Running(700, 1, 5000, "/usr/bin/conmon");     // the runtime's monitor: outside
  rig.Running(701, 700, 6000, "/bin/sleep");        // the container's init
  rig.Running(702, 701, 7000, "/bin/sh");           // and a process in it
  rig.Running(800, 1, 8000, "/usr/sbin/cron");      // a daemon
  rig.Cgroup(700, ServiceCgroup("conmon.service"));
  rig.Cgroup(701, PodmanCgroup(kDb));
  rig.Cgroup(702, PodmanCgroup(kDb));
  rig.Cgroup(800, ServiceCgroup("cron.service"));
  ASSERT_EQ(rig.table->SeedFromProc(rig.ProcRoot()), 4u);
  rig.recorder->WriteAll();
  auto processes = rig.sink.Of(RowType::kProcess);
  ASSERT_EQ(processes.size(), 2u);
  int64_t earliest = INT64_MAX;
  for (const Row* r : processes) {
    EXPECT_EQ(r->Str(col::kProcContainerId), kDb);
    earliest = std::min(earliest, r->num[col::kStart]);
  }
  auto containers = rig.sink.Of(RowType::kContainer);
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(containers[0]->Str(col::kContId), kDb);
  EXPECT_EQ(containers[0]->Str(col::kContRuntime), "podman");
  EXPECT_EQ(containers[0]->num[col::kContFirstSeen], earliest);
  EXPECT_EQ(rig.recorder->containers_remembered(), 1u);
  // Its next event does not push the container again as new (it is remembered).
  rig.Feed(Open(static_cast<uint64_t>(earliest) + 1000, 1, 702, kUnset, kUnset, "/bin/sh"));
  rig.Finish();
  EXPECT_EQ(rig.sink.Of(RowType::kContainer).size(), 1u);
}

// A program's hash known only after its process's row was written: the row is written once more,
// with the hash, and not again.
TEST(ContainerRecorder, ProcessRowAgainWhenItsHashBecomesKnown) {
  ExeHasherOptions slow;
  slow.bytes_per_s = 1;  // the worker finishes long after the exec's event
  ExeHasher hasher(slow);
  Rig rig(/*with_store=*/false, &hasher);
  const std::string exe = rig.Path("prog");
  std::ofstream(exe, std::ios::binary) << "abc";
  struct stat st;
  ASSERT_EQ(stat(exe.c_str(), &st), 0);
  char dev[32];
  snprintf(dev, sizeof(dev), "%x:%02x", major(st.st_dev), minor(st.st_dev));
  std::string log = Exec(1795349000000, 1, 400, 1, kUnset, kUnset, exe, {"prog"});
  const std::string fake_path = "inode=1 dev=fe:00";
  log.replace(log.find(fake_path), fake_path.size(),
              "inode=" + std::to_string(st.st_ino) + " dev=" + dev);
  rig.Cgroup(400, PodmanCgroup(kWeb));
  rig.Feed(log);
  rig.Finish();
  auto rows = rig.sink.Of(RowType::kProcess);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0]->Str(col::kProcExeSha256).empty()) << "pending: NULL";
  hasher.Drain();
  rig.Feed(Open(1795349000100, 2, 400, kUnset, kUnset, exe));
  rig.Feed(Open(1795349000200, 3, 400, kUnset, kUnset, exe));
  rig.Finish();
  rows = rig.sink.Of(RowType::kProcess);
  ASSERT_EQ(rows.size(), 2u) << "once more, and only once";
  EXPECT_EQ(rows[1]->Str(col::kEntity), rows[0]->Str(col::kEntity)) << "the same process";
  EXPECT_EQ(rows[1]->Str(col::kProcExeSha256),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(rows[1]->Str(col::kProcContainerId), kWeb);
}

// A version 3 store (no container columns, no containers table) is upgraded in place: its rows
// kept, readers read it before and after.
TEST(ContainerStore, UpgradesVersion3StoreInPlace) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("auditlens-container-v3-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "v3.db").string();
  {
    std::string v3 = testing::kStoreSchemaV5;
    const std::string added =
        ",\n  container_id TEXT,\n  container_runtime TEXT,\n  service TEXT,\n  exe_sha256 TEXT\n";
    size_t at = v3.find(added);
    ASSERT_NE(at, std::string::npos);
    v3.replace(at, added.size(), "\n");
    at = v3.find("CREATE TABLE IF NOT EXISTS containers(");
    ASSERT_NE(at, std::string::npos);
    v3 = v3.substr(0, at);
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &h), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(h, v3.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(h,
                           "INSERT INTO meta VALUES('schema_version','3');"
                           "INSERT INTO sessions(id,start_ms,state,user) VALUES('old-1',100,'closed','bob');"
                           "INSERT INTO processes(entity_id,pid,start_ms,session_id,exe)"
                           " VALUES('p-old',5,100,'old-1','/bin/old')",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(h);
  }
  std::string error;
  {
    StoreReader reader;
    ASSERT_TRUE(reader.Open(path, &error)) << error;
    EXPECT_EQ(reader.schema_version(), 3);
    TimelineData data;
    ASSERT_TRUE(reader.LoadTimeline("old-1", &data, &error)) << error;
    ASSERT_EQ(data.processes.size(), 1u);
    EXPECT_TRUE(data.processes[0].container_id.empty());
    std::vector<StoredContainer> none;
    ASSERT_TRUE(reader.ListContainers({}, &none, &error)) << error;
    EXPECT_TRUE(none.empty());
    std::string id;
    EXPECT_FALSE(reader.ResolveContainer(kWeb, &id, &error));
    EXPECT_NE(error.find("schema version 3"), std::string::npos) << error;
  }
  SqliteStore store;
  StoreOptions o;
  o.path = path;
  o.batch_ms = 10;
  ASSERT_TRUE(store.Open(o, &error)) << error;
  Row* r = store.sink()->Begin();
  ASSERT_TRUE(r != nullptr);
  r->Reset(RowType::kProcess);
  r->num[col::kProcPid] = 6;
  r->num[col::kStart] = 200;
  r->num[col::kOrigin] = 0;
  for (int i = 0; i < col::kProcessStrs; ++i) {
    r->AddStr(i == col::kEntity             ? "p-new"
              : i == col::kProcContainerId  ? std::string_view(kWeb)
              : i == col::kProcContainerRuntime ? "podman"
              : i == col::kProcService      ? "nginx.service"
              : i == col::kProcExeSha256    ? std::string_view(Hex64('c'))
                                            : "");
  }
  store.sink()->Commit();
  r = store.sink()->Begin();
  ASSERT_TRUE(r != nullptr);
  r->Reset(RowType::kContainer);
  r->num[col::kContFirstSeen] = 200;
  r->num[col::kContLastSeen] = 300;
  for (int i = 0; i < col::kContainerStrs; ++i) {
    r->AddStr(i == col::kContId ? std::string_view(kWeb) : i == col::kContName ? "web-1" : "");
  }
  store.sink()->Commit();
  store.Sync();
  EXPECT_EQ(store.stats().write_errors, 0u) << store.stats().last_error;
  EXPECT_EQ(Query(path, "SELECT value FROM meta WHERE key='schema_version'"),
            std::to_string(kStoreSchemaVersion));
  EXPECT_EQ(Query(path, "SELECT exe FROM processes WHERE entity_id='p-old'"), "/bin/old");
  EXPECT_EQ(Query(path, "SELECT container_id FROM processes WHERE entity_id='p-old'"), "NULL");
  EXPECT_EQ(Query(path, "SELECT service FROM processes WHERE entity_id='p-new'"), "nginx.service");
  EXPECT_EQ(Query(path, "SELECT exe_sha256 FROM processes WHERE entity_id='p-new'"), Hex64('c'));
  EXPECT_EQ(Query(path, "SELECT name FROM containers WHERE id='" + kWeb + "'"), "web-1");
  EXPECT_EQ(Query(path, "SELECT count(*) FROM sqlite_master WHERE name='events_entity'"), "1");
  store.Close();
  StoreReader reader;
  ASSERT_TRUE(reader.Open(path, &error)) << error;
  std::vector<StoredContainer> containers;
  ASSERT_TRUE(reader.ListContainers({}, &containers, &error)) << error;
  ASSERT_EQ(containers.size(), 1u);
  EXPECT_EQ(containers[0].name, "web-1");
  EXPECT_EQ(containers[0].processes, 1);
  // Opened again: nothing left to upgrade.
  SqliteStore again;
  ASSERT_TRUE(again.Open(o, &error)) << error;
  again.Close();
  std::filesystem::remove_all(dir);
}

// The scene through a real store, then what the commands read and print.
class ContainerQuery : public ::testing::Test {
 protected:
  void SetUp() override {
    rig_ = std::make_unique<Rig>(/*with_store=*/true);
    SceneCgroups(*rig_);
    rig_->Cgroup(600, PodmanCgroup(kDb));
    rig_->catalog.Set(kWeb, "web-1", "localhost/busybox:1");
    std::string log = Scene(kT);
    // Another container, nameless (the catalog does not know it), outside sessions.
    log += Exec(kT + 4000, 18, 600, 1, kUnset, kUnset, "/usr/bin/postgres", {"postgres"});
    rig_->Feed(log);
    rig_->Finish();
    std::string error;
    ASSERT_TRUE(reader_.Open(rig_->store_path, &error)) << error;
  }
  static constexpr uint64_t kT = 1795349000000;
  std::unique_ptr<Rig> rig_;
  StoreReader reader_;
};

TEST_F(ContainerQuery, ContainersListsEachWithItsCounts) {
  std::vector<StoredContainer> containers;
  std::string error;
  ASSERT_TRUE(reader_.ListContainers({}, &containers, &error)) << error;
  ASSERT_EQ(containers.size(), 2u);  // oldest first
  EXPECT_EQ(containers[0].id, kWeb);
  EXPECT_EQ(containers[0].name, "web-1");
  EXPECT_EQ(containers[0].image, "localhost/busybox:1");
  EXPECT_EQ(containers[0].runtime, "podman");
  EXPECT_EQ(containers[0].processes, 2);  // ls (from the session) and sleep
  EXPECT_EQ(containers[0].sessions, 1);
  EXPECT_EQ(containers[1].id, kDb);
  EXPECT_EQ(containers[1].sessions, 0);
  EXPECT_EQ(containers[1].Label(), kDb.substr(0, 12));
  const std::string text = RenderContainersText(containers, false);
  EXPECT_NE(text.find("CONTAINER"), std::string::npos);
  EXPECT_NE(text.find(kWeb.substr(0, 12) + "  web-1"), std::string::npos) << text;
  EXPECT_EQ(text.find(kWeb), std::string::npos) << "short ids only";
  const std::string json = RenderContainersJson(containers);
  JsonValue first;
  ASSERT_TRUE(JsonValue::Parse(json.substr(0, json.find('\n')), &first)) << json;
  EXPECT_EQ(first.Str("id"), kWeb);
  EXPECT_EQ(first.Str("name"), "web-1");
  EXPECT_EQ(first["processes"].text(), "2");
  EXPECT_EQ(first["sessions"].text(), "1");
  // --since after the first container's last activity leaves the second.
  ContainerFilter since;
  since.since_ms = static_cast<int64_t>(kT + 3500);
  std::vector<StoredContainer> later;
  ASSERT_TRUE(reader_.ListContainers(since, &later, &error)) << error;
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].id, kDb);
}

TEST_F(ContainerQuery, ContainerIsNamedByIdPrefixOrName) {
  std::string id, error;
  ASSERT_TRUE(reader_.ResolveContainer(kWeb, &id, &error)) << error;
  EXPECT_EQ(id, kWeb);
  ASSERT_TRUE(reader_.ResolveContainer(kWeb.substr(0, 12), &id, &error)) << error;
  EXPECT_EQ(id, kWeb);
  ASSERT_TRUE(reader_.ResolveContainer("web-1", &id, &error)) << error;
  EXPECT_EQ(id, kWeb);
  ASSERT_TRUE(reader_.ResolveContainer(kDb.substr(0, 20), &id, &error)) << error;
  EXPECT_EQ(id, kDb);
  EXPECT_FALSE(reader_.ResolveContainer("aaaa", &id, &error));
  EXPECT_NE(error.find("at least 12"), std::string::npos) << error;
  EXPECT_FALSE(reader_.ResolveContainer("no-such", &id, &error));
  EXPECT_NE(error.find("no container no-such"), std::string::npos) << error;
  EXPECT_FALSE(reader_.ResolveContainer(Hex64('c').substr(0, 12), &id, &error));
}

TEST_F(ContainerQuery, ContainerTimelineHasEverythingThatRanInIt) {
  TimelineData data;
  std::string error;
  ASSERT_TRUE(reader_.LoadContainerTimeline(kWeb, &data, &error)) << error;
  Timeline t = BuildTimeline(data);
  std::vector<std::string> texts;
  const TimelineEntry* ls = nullptr;
  const TimelineEntry* sleep = nullptr;
  for (const TimelineEntry& e : t.entries) {
    texts.push_back(e.text);
    if (e.text == "ls /") ls = &e;
    if (e.text == "sleep 60") sleep = &e;
  }
  ASSERT_EQ(t.entries.size(), 2u) << ::testing::PrintToString(texts);
  ASSERT_TRUE(ls != nullptr && sleep != nullptr) << RenderTimelineText(t, false);
  EXPECT_LT(ls->time_ms, sleep->time_ms);  // in time order
  EXPECT_EQ(ls->session_id, "0123abcd-7") << "the session the command came from";
  EXPECT_TRUE(sleep->session_id.empty());
  EXPECT_EQ(t.session.commands, 2);
  const std::string text = RenderTimelineText(t, false);
  EXPECT_NE(text.find("Container " + kWeb.substr(0, 12) + ": web-1 (image localhost/busybox:1, podman)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ls /  [session 0123abcd-7]"), std::string::npos) << text;
  EXPECT_EQ(text.find("run-parts"), std::string::npos);
  EXPECT_EQ(text.find("podman exec"), std::string::npos) << "podman ran outside the container";
  JsonValue json;
  ASSERT_TRUE(JsonValue::Parse(RenderTimelineJson(t), &json));
  EXPECT_EQ(json["container"].Str("name"), "web-1");
  EXPECT_EQ(json["entries"].items().size(), 2u);
  EXPECT_EQ(json["entries"].items()[0].Str("session"), "0123abcd-7");
}

TEST_F(ContainerQuery, SessionTimelineMarksWhatRanInAContainer) {
  TimelineData data;
  std::string error;
  ASSERT_TRUE(reader_.LoadTimeline("0123abcd-7", &data, &error)) << error;
  Timeline t = BuildTimeline(data);
  EXPECT_EQ(t.unit, "session-7.scope");
  ASSERT_EQ(t.containers.size(), 1u);
  const TimelineEntry* ls = nullptr;
  const TimelineEntry* podman = nullptr;
  for (const TimelineEntry& e : t.entries) {
    if (e.text == "ls /") ls = &e;
    if (e.text.rfind("podman exec", 0) == 0) podman = &e;
  }
  ASSERT_TRUE(ls != nullptr && podman != nullptr) << RenderTimelineText(t, false);
  EXPECT_EQ(ls->container_id, kWeb);
  EXPECT_EQ(ls->container, "web-1 (localhost/busybox:1)");
  EXPECT_TRUE(podman->container.empty());
  EXPECT_TRUE(podman->service.empty()) << "the session's own unit is not repeated";
  const std::string text = RenderTimelineText(t, false);
  EXPECT_NE(text.find("ls /  [container web-1 (localhost/busybox:1)]"), std::string::npos) << text;
  EXPECT_NE(text.find("Unit session-7.scope"), std::string::npos) << text;
  EXPECT_NE(text.find("Ran commands in container web-1 (localhost/busybox:1)"), std::string::npos);
  JsonValue json;
  ASSERT_TRUE(JsonValue::Parse(RenderTimelineJson(t), &json));
  EXPECT_EQ(json.Str("unit"), "session-7.scope");
  bool marked = false;
  for (const JsonValue& e : json["entries"].items()) {
    if (e["container"].Str("id") == kWeb) marked = e["container"].Str("name") == "web-1";
  }
  EXPECT_TRUE(marked);
}

TEST_F(ContainerQuery, SessionsListAndFilterByContainer) {
  std::vector<StoredSession> sessions;
  std::string error;
  ASSERT_TRUE(reader_.ListSessions({}, &sessions, &error)) << error;
  ASSERT_TRUE(SummarizeSessions(reader_, &sessions, &error)) << error;
  ASSERT_EQ(sessions.size(), 1u);
  ASSERT_EQ(sessions[0].containers.size(), 1u);
  EXPECT_EQ(sessions[0].containers[0].name, "web-1");
  const std::string text = RenderSessionsText(sessions, 0, false);
  EXPECT_NE(text.find("CONTAINERS"), std::string::npos) << text;
  EXPECT_NE(text.find("web-1"), std::string::npos) << text;
  JsonValue json;
  ASSERT_TRUE(JsonValue::Parse(RenderSessionsJson(sessions, 0), &json));
  EXPECT_EQ(json["containers"].items().at(0).Str("image"), "localhost/busybox:1");
  SessionFilter in_web;
  in_web.container_id = kWeb;
  std::vector<StoredSession> ran;
  ASSERT_TRUE(reader_.ListSessions(in_web, &ran, &error)) << error;
  EXPECT_EQ(ran.size(), 1u);
  SessionFilter in_db;
  in_db.container_id = kDb;
  std::vector<StoredSession> none;
  ASSERT_TRUE(reader_.ListSessions(in_db, &none, &error)) << error;
  EXPECT_TRUE(none.empty());
}

// A session without containers keeps its listing as it was: no CONTAINERS column.
TEST(ContainerQueryText, NoContainersNoColumn) {
  StoredSession s;
  s.id = "b-1";
  s.user = "bob";
  s.state = "closed";
  EXPECT_EQ(RenderSessionsText({s}, 0, false).find("CONTAINERS"), std::string::npos);
  EXPECT_EQ(SessionJson(s, 0).find("containers"), std::string::npos);
}

// A container's name and image are the runtime's (whoever made the container chose them): shown
// on a terminal without control characters, kept exact in the JSON.
TEST(ContainerQueryText, HostileNamesAreShownWithoutControlCharacters) {
  StoredContainer c;
  c.id = kWeb;
  c.name = "web\x1b[31m\nX";
  c.image = "img\r:1";
  c.runtime = "docker";
  const std::string text = RenderContainersText({c}, false);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  EXPECT_NE(text.find("web?[31m?X"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << "a header and one line";
  EXPECT_EQ(ContainerText(c), "web?[31m?X (img?:1)");
  TimelineData data;
  data.container_view = true;
  data.container = c;
  const std::string title = RenderTimelineText(BuildTimeline(data), false);
  EXPECT_EQ(title.find('\x1b'), std::string::npos) << title;
  JsonValue json;
  ASSERT_TRUE(JsonValue::Parse(RenderContainersJson({c}), &json));
  EXPECT_EQ(json.Str("name"), c.name);
}

}  // namespace
}  // namespace auditlens
