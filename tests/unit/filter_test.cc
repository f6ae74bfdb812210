// filter/: CIDR networks, each [[filters]] matcher (key, syscall, exe/comm, uid/auid/user, path
// prefix, peer and port, container and service, label), first-match order and the counters, the
// config's errors with their lines; enrich/process_labels: labels kept across exec and inherited on
// fork, and written as ECS labels. Events are handmade RAW log lines run through a Pipeline, as
// `auditlens parse` runs them.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "agent/filtering.h"
#include "agent/pipeline.h"
#include "common/json_value.h"
#include "config/config.h"
#include "enrich/network_enricher.h"
#include "enrich/process_table.h"
#include "filter/cidr.h"
#include "record/record.h"

namespace auditlens {
namespace {

Endpoint Ip(const char* text, uint16_t port = 0) {
  Endpoint e;
  e.kind = Endpoint::Kind::kIp;
  e.port = port;
  if (std::string(text).find(':') != std::string::npos) {
    e.family = AF_INET6;
    e.ipv6 = true;
    EXPECT_EQ(inet_pton(AF_INET6, text, e.ip), 1);
  } else {
    e.family = AF_INET;
    EXPECT_EQ(inet_pton(AF_INET, text, e.ip), 1);
  }
  return e;
}

TEST(Cidr, Ipv4AndIpv6Networks) {
  Cidr c;
  std::string why;
  ASSERT_TRUE(ParseCidr("10.0.0.0/8", &c, &why)) << why;
  EXPECT_TRUE(c.Contains(Ip("10.255.1.2")));
  EXPECT_FALSE(c.Contains(Ip("11.0.0.1")));
  EXPECT_FALSE(c.Contains(Ip("::1")));
  ASSERT_TRUE(ParseCidr("192.168.1.0/25", &c, &why)) << why;
  EXPECT_TRUE(c.Contains(Ip("192.168.1.127")));
  EXPECT_FALSE(c.Contains(Ip("192.168.1.128")));
  ASSERT_TRUE(ParseCidr("203.0.113.7", &c, &why)) << why;  // one address: /32
  EXPECT_TRUE(c.Contains(Ip("203.0.113.7")));
  EXPECT_FALSE(c.Contains(Ip("203.0.113.8")));
  ASSERT_TRUE(ParseCidr("0.0.0.0/0", &c, &why)) << why;
  EXPECT_TRUE(c.Contains(Ip("8.8.8.8")));
  EXPECT_FALSE(c.Contains(Ip("2001:db8::1")));  // IPv4 networks hold IPv4 ends only
  ASSERT_TRUE(ParseCidr("2001:db8::/32", &c, &why)) << why;
  EXPECT_TRUE(c.Contains(Ip("2001:db8:ffff::1")));
  EXPECT_FALSE(c.Contains(Ip("2001:db9::1")));
  EXPECT_FALSE(c.Contains(Ip("10.0.0.1")));
  ASSERT_TRUE(ParseCidr("fe80::/10", &c, &why)) << why;
  EXPECT_TRUE(c.Contains(Ip("febf::1")));
  EXPECT_FALSE(c.Contains(Ip("fec0::1")));
  // A v4-mapped peer is kept as IPv4 (common/endpoint.h): IPv4 networks match it.
  Endpoint mapped = Ip("10.1.2.3");
  mapped.family = AF_INET6;
  ASSERT_TRUE(ParseCidr("10.1.0.0/16", &c, &why));
  EXPECT_TRUE(c.Contains(mapped));
  Endpoint unix_end;
  unix_end.kind = Endpoint::Kind::kUnix;
  EXPECT_FALSE(c.Contains(unix_end));

  for (const char* bad : {"10.0.0.0/33", "10.1.0.0/8", "::1/129", "10.0.0", "host.example",
                          "10.0.0.0/", "10.0.0.0/x", ""}) {
    EXPECT_FALSE(ParseCidr(bad, &c, &why)) << bad;
    EXPECT_FALSE(why.empty());
  }
}

// --- Handmade events ---

std::string Head(uint64_t ms, uint32_t serial) {
  char head[96];
  snprintf(head, sizeof(head), "msg=audit(%llu.%03llu:%u): ",
           static_cast<unsigned long long>(ms / 1000), static_cast<unsigned long long>(ms % 1000),
           serial);
  return head;
}

// One syscall event of pid (parent ppid); "HEAD " in extra is this event's stamp.
std::string Syscall(uint32_t serial, int syscall, int pid, int ppid, const std::string& more,
                    const std::string& ids = "auid=1000 uid=1000", const std::string& exe = "/usr/bin/x",
                    const std::string& key = "(null)", const std::string& extra = "") {
  const uint64_t ms = 1000 + serial * 10;
  const std::string head = Head(ms, serial);
  std::string s = "type=SYSCALL " + head + "arch=c000003e syscall=" + std::to_string(syscall) + " " +
                  more + " ppid=" + std::to_string(ppid) + " pid=" + std::to_string(pid) + " " + ids +
                  " gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 "
                  "ses=7 comm=\"" + std::filesystem::path(exe).filename().string() + "\" exe=\"" + exe +
                  "\" key=" + key + "\n";
  std::string records = extra;
  for (size_t at; (at = records.find("HEAD ")) != std::string::npos;) records.replace(at, 5, head);
  return s + records + "type=PROCTITLE " + head + "proctitle=78\n";
}

struct Outcome {
  std::vector<uint32_t> kept;     // event.sequence of the written events
  std::vector<uint32_t> dropped;  // of the events written to the dropped file
  std::map<std::string, uint64_t> matched;
  std::vector<JsonValue> events;
  PipelineCounters counters;
  std::string error;
};

// Runs log through a pipeline with the filters and labels of toml (and a process table reading
// cgroups from proc_root when given), as `auditlens parse --config` does.
Outcome RunLog(const std::string& toml, const std::string& log, const std::string& proc_root = "") {
  Outcome out;
  Config config;
  if (!ParseConfig(toml, &config, &out.error)) return out;
  Filtering filtering;
  if (!filtering.Build(config.filtering, &out.error)) return out;
  PipelineOptions po;
  po.assembler.expect_eoe = false;
  NetworkEnricher network(nullptr);
  po.enrichers.push_back(&network);
  ProcessTableOptions to;
  to.boot_id = "b";
  to.labeler = filtering.labels();
  to.proc_root = proc_root;
  to.track_cgroups = !proc_root.empty();
  to.max_cgroup_reads_per_s = 0;
  ProcessTable table(to);
  po.enrichers.push_back(&table);
  if (filtering.labels()) po.label_names = &filtering.labels()->names();
  po.rules = filtering.rules();
  const std::string dir = ::testing::TempDir() + "filter_test." + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  OutputFile kept_file, dropped_file;
  EXPECT_TRUE(kept_file.Open(dir + "/kept.json", &out.error)) << out.error;
  EXPECT_TRUE(dropped_file.Open(dir + "/dropped.json", &out.error)) << out.error;
  po.dropped_file = &dropped_file;
  {
    Pipeline p(po, &kept_file);
    std::istringstream in(log);
    std::string line;
    Record rec;
    while (std::getline(in, line)) {
      const char* why = ParseLogRecord(line, &rec);
      EXPECT_EQ(why, nullptr) << line;
      if (why == nullptr) p.AddRecord(rec);
    }
    p.Flush();
    out.counters = p.counters();
  }
  EXPECT_TRUE(kept_file.Flush());
  EXPECT_TRUE(dropped_file.Flush());
  auto read = [&](const std::string& path, std::vector<uint32_t>* serials, bool keep_json) {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      JsonValue v;
      EXPECT_TRUE(JsonValue::Parse(line, &v)) << line;
      serials->push_back(static_cast<uint32_t>(v["event"]["sequence"].number()));
      if (keep_json) out.events.push_back(v);
    }
  };
  read(dir + "/kept.json", &out.kept, true);
  read(dir + "/dropped.json", &out.dropped, false);
  std::filesystem::remove_all(dir);
  if (filtering.rules()) {
    for (const auto& c : filtering.rules()->counters()) out.matched[c.name] = c.matched;
  }
  return out;
}

using Serials = std::vector<uint32_t>;

// A filter drops exactly what it names: the kept and dropped events partition the input, the
// dropped ones are those expected, and the counters say how many each table decided.
void ExpectDrops(const std::string& toml, const std::string& log, const Serials& all,
                 const Serials& dropped, const std::string& proc_root = "") {
  Outcome o = RunLog(toml, log, proc_root);
  ASSERT_TRUE(o.error.empty()) << o.error;
  EXPECT_EQ(o.dropped, dropped) << toml;
  Serials kept;
  for (uint32_t s : all) {
    if (std::find(dropped.begin(), dropped.end(), s) == dropped.end()) kept.push_back(s);
  }
  EXPECT_EQ(o.kept, kept) << toml;
  EXPECT_EQ(o.counters.filtered, dropped.size());
  EXPECT_EQ(o.counters.events, kept.size());
  EXPECT_EQ(o.matched["f"], dropped.size());
}

TEST(Filters, Key) {
  std::string log;
  log += Syscall(1, 2, 10, 1, "success=yes exit=3", "auid=1000 uid=1000", "/usr/bin/x", "\"noisy\"");
  // Two keys of one rule: hex with 0x01 between them.
  log += Syscall(2, 2, 10, 1, "success=yes exit=3", "auid=1000 uid=1000", "/usr/bin/x",
                 "6F74686572016E6F697379");
  log += Syscall(3, 2, 10, 1, "success=yes exit=3", "auid=1000 uid=1000", "/usr/bin/x", "\"noisy2\"");
  log += Syscall(4, 2, 10, 1, "success=yes exit=3");
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\nkey = \"noisy\"\n", log, {1, 2, 3, 4},
              {1, 2});
}

TEST(Filters, SyscallExeAndComm) {
  std::string log;
  log += Syscall(1, 257, 10, 1, "success=yes exit=3", "auid=1000 uid=1000", "/usr/sbin/cron");  // openat
  log += Syscall(2, 2, 10, 1, "success=yes exit=3", "auid=1000 uid=1000", "/usr/sbin/cron");    // open
  log += Syscall(3, 257, 11, 1, "success=yes exit=3", "auid=1000 uid=1000", "/usr/bin/crontab");
  log += Syscall(4, 257, 12, 1, "success=yes exit=3", "auid=1000 uid=1000", "/opt/cron");
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\nsyscall = \"openat\"\n"
              "exe = \"/usr/sbin/cron\"\n",
              log, {1, 2, 3, 4}, {1});
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\nexe = [\"/usr/*/cron*\"]\n", log,
              {1, 2, 3, 4}, {1, 2, 3});
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\ncomm = [\"cron\"]\n", log, {1, 2, 3, 4},
              {1, 2, 4});
  // A prefix glob (compared, not given to fnmatch) and a glob with '?'.
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\nexe = \"/usr/sbin/cro*\"\n", log,
              {1, 2, 3, 4}, {1, 2});
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\ncomm = \"cro?\"\n", log,
              {1, 2, 3, 4}, {1, 2, 4});
}

TEST(Filters, UidAuidAndUser) {
  std::string log;
  log += Syscall(1, 2, 10, 1, "success=yes exit=3", "auid=1000 uid=0");
  log += Syscall(2, 2, 11, 1, "success=yes exit=3", "auid=0 uid=1000");
  log += Syscall(3, 2, 12, 1, "success=yes exit=3", "auid=1000 uid=1000");
  log += Syscall(4, 2, 13, 1, "success=yes exit=3", "auid=4294967295 uid=33");
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\nuid = \"root\"\n", log, {1, 2, 3, 4}, {1});
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\nauid = 0\n", log, {1, 2, 3, 4}, {2});
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\nuser = [\"root\", 33]\n", log,
              {1, 2, 3, 4}, {1, 2, 4});
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\nuid = 1000\nauid = 1000\n", log,
              {1, 2, 3, 4}, {3});
}

// An openat by uid 1000 in cwd of name (a CWD and a PATH record).
std::string OpenOf(uint32_t serial, const std::string& cwd, const std::string& name) {
  return Syscall(serial, 257, 10, 1, "success=yes exit=3", "auid=1000 uid=1000", "/usr/bin/x",
                 "(null)",
                 "type=CWD HEAD cwd=\"" + cwd + "\"\ntype=PATH HEAD item=0 name=\"" + name +
                     "\" inode=1 dev=08:01 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n");
}

TEST(Filters, PathPrefix) {
  std::string log;
  log += OpenOf(1, "/", "/var/lib/apt/lists/x");
  log += OpenOf(2, "/", "/var/library");
  log += OpenOf(3, "/var/lib", "dpkg/status");  // relative: joined to the CWD
  log += OpenOf(4, "/", "/var/lib");
  log += OpenOf(5, "/", "/tmp/y");
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\npath = \"/var/lib\"\n", log,
              {1, 2, 3, 4, 5}, {1, 3, 4});
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\npath = [\"/tmp/\", \"/var/lib/apt\"]\n",
              log, {1, 2, 3, 4, 5}, {1, 5});
}

// A name spelled with ".." or "." is the file it names, not the directory it passes through: a drop
// filter on /var/lib/apt/lists cannot be used, with no privilege, to hide the reading of
// /etc/shadow. The configured prefixes are normalized the same way.
TEST(Filters, PathPrefixOfTheNormalizedName) {
  std::string log;
  log += OpenOf(1, "/", "/var/lib/apt/lists/../../../../etc/shadow");
  log += OpenOf(2, "/var/lib/apt/lists", "../../../../etc/shadow");  // relative, from inside
  log += OpenOf(3, "/", "/var/lib/apt/lists/./partial//x");
  log += OpenOf(4, "/", "/etc/../var/lib/apt/lists/y");
  log += OpenOf(5, "/var/lib/apt/lists", "z");
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\npath = \"/var/lib/apt/lists\"\n", log,
              {1, 2, 3, 4, 5}, {3, 4, 5});
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\npath = \"/var/lib/./apt/x/../lists/\"\n",
              log, {1, 2, 3, 4, 5}, {3, 4, 5});
}

TEST(Filters, PeerAndPort) {
  auto connect = [](uint32_t serial, const std::string& saddr) {
    return Syscall(serial, 42, 10, 1, "success=yes exit=0 a0=3", "auid=1000 uid=1000",
                   "/usr/bin/curl", "(null)", "type=SOCKADDR HEAD saddr=" + saddr + "\n");
  };
  std::string log;
  log += connect(1, "020001BB0A0102030000000000000000");  // 10.1.2.3:443
  log += connect(2, "020000350A0000010000000000000000");  // 10.0.0.1:53
  log += connect(3, "020001BBC0A801010000000000000000");  // 192.168.1.1:443
  // [2001:db8::1]:8080
  log += connect(4, "0A001F90000000002001" "0DB8000000000000000000000001" "00000000");
  // [::ffff:10.9.9.9]:443, a v4-mapped peer
  log += connect(5, "0A0001BB00000000" "00000000000000000000FFFF0A090909" "00000000");
  log += Syscall(6, 2, 10, 1, "success=yes exit=3");  // no network
  const Serials all = {1, 2, 3, 4, 5, 6};
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\npeer = \"10.0.0.0/8\"\n", log, all,
              {1, 2, 5});
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\npeer = \"2001:db8::/32\"\n", log, all,
              {4});
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\nport = [53, \"8000-8099\"]\n", log, all,
              {2, 4});
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\npeer = \"10.0.0.0/8\"\nport = 443\n",
              log, all, {1, 5});
}

TEST(Filters, ContainerAndService) {
  const std::string root = ::testing::TempDir() + "filter_proc." + std::to_string(getpid());
  const std::string id(64, 'c');
  auto cgroup = [&](int pid, const std::string& text) {
    std::filesystem::create_directories(root + "/" + std::to_string(pid));
    std::ofstream(root + "/" + std::to_string(pid) + "/cgroup") << text;
  };
  cgroup(20, "1:name=systemd:/docker/" + id + "\n0::/\n");
  cgroup(21, "1:name=systemd:/system.slice/cron.service\n0::/system.slice/cron.service\n");
  cgroup(22, "1:name=systemd:/system.slice/ssh.service\n0::/system.slice/ssh.service\n");
  auto exec = [](uint32_t serial, int pid) {
    return Syscall(serial, 59, pid, 1, "success=yes exit=0 a0=1", "auid=1000 uid=1000",
                   "/usr/bin/x", "(null)", "type=EXECVE HEAD argc=1 a0=\"x\"\n");
  };
  std::string log = exec(1, 20) + exec(2, 21) + exec(3, 22) + exec(4, 23);  // 23: no cgroup file
  const Serials all = {1, 2, 3, 4};
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\ncontainer = \"" + id.substr(0, 12) +
                  "\"\n",
              log, all, {1}, root);
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\ncontainer = \"" + id + "\"\n", log, all,
              {1}, root);
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\nservice = \"cron.service\"\n", log, all,
              {2}, root);
  ExpectDrops("[[filters]]\nname = \"f\"\naction = \"drop\"\nservice = \"*.service\"\n", log, all,
              {2, 3}, root);
  std::filesystem::remove_all(root);
}

TEST(Filters, FirstMatchDecidesAndEveryTableCounts) {
  std::string log;
  for (uint32_t s = 1; s <= 6; ++s) {
    log += Syscall(s, 2, 10, 1, "success=yes exit=3", s <= 3 ? "auid=1000 uid=0" : "auid=1000 uid=1000",
                   s % 2 ? "/usr/bin/keepme" : "/usr/bin/other");
  }
  Outcome o = RunLog(
      "[[filters]]\nname = \"exception\"\naction = \"keep\"\nexe = \"/usr/bin/keepme\"\n"
      "[[filters]]\nname = \"root\"\naction = \"drop\"\nuid = 0\n"
      "[[filters]]\nname = \"all-other\"\naction = \"drop\"\nexe = \"/usr/bin/other\"\n",
      log);
  ASSERT_TRUE(o.error.empty()) << o.error;
  EXPECT_EQ(o.kept, (Serials{1, 3, 5}));
  EXPECT_EQ(o.dropped, (Serials{2, 4, 6}));
  EXPECT_EQ(o.matched["exception"], 3u);
  EXPECT_EQ(o.matched["root"], 1u);       // 2 (1 and 3 were kept by the exception first)
  EXPECT_EQ(o.matched["all-other"], 2u);  // 4 and 6
  EXPECT_EQ(o.counters.filtered, 3u);
}

// Loss events never reach the filters, whatever they say.
TEST(Filters, LossEventsAreNeverFiltered) {
  Config config;
  std::string error;
  ASSERT_TRUE(ParseConfig("[[filters]]\nname = \"all\"\naction = \"drop\"\nuid = 0\n"
                          "[[filters]]\nname = \"rest\"\naction = \"drop\"\nuid = 1000\n",
                          &config, &error));
  Filtering filtering;
  ASSERT_TRUE(filtering.Build(config.filtering, &error)) << error;
  PipelineOptions po;
  po.rules = filtering.rules();
  const std::string path = ::testing::TempDir() + "filter_loss." + std::to_string(getpid());
  OutputFile out;
  ASSERT_TRUE(out.Open(path, &error));
  {
    Pipeline p(po, &out);
    LossInfo loss;
    loss.cause = "kernel-lost";
    loss.count = 5;
    loss.detail = "test";
    p.ReportLoss(loss);
    EXPECT_EQ(p.counters().loss_events, 1u);
    EXPECT_EQ(p.counters().filtered, 0u);
  }
  ASSERT_TRUE(out.Flush());
  std::ifstream in(path);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_NE(line.find("kernel-lost"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(Filters, StatusJsonListsEveryTable) {
  Config config;
  std::string error;
  ASSERT_TRUE(ParseConfig("[[filters]]\nname = \"a \\\"b\\\"\"\naction = \"keep\"\nkey = \"k\"\n",
                          &config, &error));
  Filtering filtering;
  ASSERT_TRUE(filtering.Build(config.filtering, &error)) << error;
  JsonValue v;
  ASSERT_TRUE(JsonValue::Parse("{\"x\":1" + filtering.rules()->StatusJson() + "}", &v));
  EXPECT_EQ(v["filtered_events"].number(), 0);
  ASSERT_EQ(v["filters"].items().size(), 1u);
  EXPECT_EQ(v["filters"].items()[0].Str("name"), "a \"b\"");
  EXPECT_EQ(v["filters"].items()[0].Str("action"), "keep");
}

// Every bad table is refused with its file line and the reason.
TEST(Filters, ConfigErrorsNameTheLine) {
  struct Case {
    std::string toml;
    std::string error;  // expected in the message
  };
  const std::vector<Case> cases = {
      {"[[filters]]\nname = \"a\"\naction = \"drop\"\npeer = \"10.1.0.0/8\"\n",
       "<config>:4: filters.peer: '10.1.0.0/8' has bits set past its prefix"},
      {"[[filters]]\nname = \"a\"\naction = \"drop\"\nport = \"99-1\"\n",
       "<config>:4: filters.port: '99-1' is not a port"},
      {"[[filters]]\nname = \"a\"\naction = \"drop\"\nport = 70000\n", "<config>:4: filters.port"},
      {"[[filters]]\nname = \"a\"\naction = \"drop\"\nsyscall = \"opne\"\n",
       "<config>:4: filters.syscall: 'opne' is not a syscall name"},
      {"[[filters]]\nname = \"a\"\naction = \"drop\"\nuser = \"no-such-user-here\"\n",
       "<config>:4: filters.user: no user named 'no-such-user-here'"},
      {"[[filters]]\nname = \"a\"\naction = \"drop\"\npath = \"var/lib\"\n",
       "<config>:4: filters.path: 'var/lib' is not an absolute path"},
      {"[[filters]]\nname = \"a\"\naction = \"drop\"\ncontainer = \"abc\"\n",
       "<config>:4: filters.container: 'abc' is too short"},
      {"[[filters]]\nname = \"a\"\naction = \"drop\"\nlabel = \"deploy\"\n",
       "<config>:4: filters.label: no [[labels]] table gives the label 'deploy'"},
      {"[[filters]]\nname = \"a\"\naction = \"drop\"\nexecutable = \"/x\"\n",
       "<config>:4: filters.executable: unknown key"},
      {"\n[[filters]]\nname = \"a\"\naction = \"remove\"\nuid = 0\n",
       "<config>:4: filters.action must be \"keep\" or \"drop\""},
      {"\n\n[[filters]]\naction = \"drop\"\nuid = 0\n", "<config>:3: a [[filters]] table needs a name"},
      {"[[filters]]\nname = \"a\"\nuid = 0\n", "<config>:1: [[filters]] 'a' needs an action"},
      {"[[filters]]\nname = \"a\"\naction = \"drop\"\n", "<config>:1: [[filters]] 'a' has no condition"},
      {"[[filters]]\nname = \"a\"\naction = \"drop\"\nuid = 0\n[[filters]]\nname = \"a\"\n"
       "action = \"drop\"\nuid = 1\n",
       "<config>:5: two [[filters]] tables are named 'a'"},
      {"[[filters]]\nname = \"a\"\naction = \"drop\"\nuid = true\n",
       "<config>:4: 'filters.uid' must be a string, an integer, or an array of them"},
      {"[[filters]]\nname = \"a\"\naction = \"drop\"\nuid = []\n", "<config>:4: 'filters.uid' is an empty list"},
      {"[filters]\nname = \"a\"\n", "<config>:1: 'filters' must be an array of tables"},
      {"[[labels]]\nexe = \"/x\"\n", "<config>:1: a [[labels]] table needs a name"},
      {"[[labels]]\nname = \"a b\"\nexe = \"/x\"\n", "<config>:2: labels.name must be one name"},
      {"[[labels]]\nname = \"a\"\n", "<config>:1: [[labels]] 'a' needs exe, argv or key"},
      {"[[labels]]\nname = \"a\"\npath = \"/x\"\n", "<config>:3: unknown key 'labels.path'"},
  };
  for (const Case& c : cases) {
    Config config;
    std::string error;
    Filtering filtering;
    const bool ok = ParseConfig(c.toml, &config, &error) && filtering.Build(config.filtering, &error);
    EXPECT_FALSE(ok) << c.toml;
    EXPECT_NE(error.find(c.error), std::string::npos) << "got: " << error << "\nwant: " << c.error;
  }
  // An empty list builds nothing: no filter set, no labeler, nothing looked at.
  Config config;
  std::string error;
  ASSERT_TRUE(ParseConfig("", &config, &error));
  Filtering filtering;
  ASSERT_TRUE(filtering.Build(config.filtering, &error));
  EXPECT_EQ(filtering.rules(), nullptr);
  EXPECT_EQ(filtering.labels(), nullptr);
}

// --- Labels ---

std::set<std::string> LabelsOf(const JsonValue& event) {
  std::set<std::string> out;
  for (const auto& [name, value] : event["labels"].members()) {
    EXPECT_EQ(value.text(), "true");
    out.insert(name);
  }
  return out;
}

// A deploy tool (labelled by its executable) forks a shell that execs a program that forks and
// execs again: every one of them, and nothing else, has the label; a label given by an event's key
// is the process's from that event on; argv patterns label by command line.
TEST(Labels, InheritedAcrossForkAndExecAndUsableByFilters) {
  const std::string toml =
      "[[labels]]\nname = \"deploy\"\nexe = \"/usr/bin/deploy*\"\n"
      "[[labels]]\nname = \"secret\"\nkey = \"shadow\"\n"
      "[[labels]]\nname = \"backup\"\nargv = \"tar -c*\"\n"
      "[[filters]]\nname = \"f\"\naction = \"drop\"\nlabel = \"secret\"\n";
  auto exec = [](uint32_t serial, int pid, int ppid, const std::string& exe, const std::string& argv) {
    return Syscall(serial, 59, pid, ppid, "success=yes exit=0 a0=1", "auid=1000 uid=1000", exe,
                   "(null)", "type=EXECVE HEAD argc=2 " + argv + "\n");
  };
  auto fork = [](uint32_t serial, int pid, int ppid, int child, const std::string& exe) {
    return Syscall(serial, 57, pid, ppid, "success=yes exit=" + std::to_string(child) + " a0=0",
                   "auid=1000 uid=1000", exe);
  };
  std::string log;
  log += exec(1, 100, 1, "/usr/bin/deploy-tool", "a0=\"deploy-tool\" a1=\"web\"");
  log += fork(2, 100, 1, 101, "/usr/bin/deploy-tool");
  log += exec(3, 101, 100, "/bin/sh", "a0=\"sh\" a1=\"-c\"");
  log += fork(4, 101, 100, 102, "/bin/sh");
  log += exec(5, 102, 101, "/usr/bin/rsync", "a0=\"rsync\" a1=\"-a\"");
  // Unrelated process: no label.
  log += exec(6, 200, 1, "/usr/bin/ls", "a0=\"ls\" a1=\"-l\"");
  // 200 opens /etc/shadow under a key: labelled "secret" from this event on (and it is dropped).
  log += Syscall(7, 257, 200, 1, "success=yes exit=3", "auid=1000 uid=1000", "/usr/bin/ls",
                 "\"shadow\"");
  log += fork(8, 200, 1, 201, "/usr/bin/ls");
  log += exec(9, 201, 200, "/usr/bin/cat", "a0=\"cat\" a1=\"x\"");
  log += exec(10, 300, 1, "/usr/bin/tar", "a0=\"tar\" a1=\"-czf\"");
  log += exec(11, 301, 1, "/usr/bin/tar", "a0=\"tar\" a1=\"-x\"");
  // The deploy tool's process execs something else: it keeps its label.
  log += exec(12, 100, 1, "/usr/bin/true", "a0=\"true\" a1=\"x\"");
  Outcome o = RunLog(toml, log);
  ASSERT_TRUE(o.error.empty()) << o.error;
  std::map<uint32_t, std::set<std::string>> labels;
  for (const JsonValue& e : o.events) {
    labels[static_cast<uint32_t>(e["event"]["sequence"].number())] = LabelsOf(e);
  }
  using L = std::set<std::string>;
  EXPECT_EQ(labels[1], L{"deploy"});
  EXPECT_EQ(labels[2], L{"deploy"});
  EXPECT_EQ(labels[3], L{"deploy"});  // the forked child's exec
  EXPECT_EQ(labels[4], L{"deploy"});
  EXPECT_EQ(labels[5], L{"deploy"});  // the grandchild's exec
  EXPECT_EQ(labels[6], L{});
  EXPECT_EQ(labels.count(7), 0u);     // dropped by the label filter
  EXPECT_EQ(labels.count(8), 0u);     // 200 keeps "secret": dropped too
  EXPECT_EQ(labels.count(9), 0u);     // its child inherits it
  EXPECT_EQ(labels[10], L{"backup"});
  EXPECT_EQ(labels[11], L{});
  EXPECT_EQ(labels[12], L{"deploy"});
  EXPECT_EQ(o.dropped, (Serials{7, 8, 9}));
  EXPECT_EQ(o.matched["f"], 3u);
  // An event without a label has no labels member at all.
  for (const JsonValue& e : o.events) {
    if (e["event"]["sequence"].number() == 6) EXPECT_FALSE(e["labels"].is_object());
  }
}

}  // namespace
}  // namespace auditlens
