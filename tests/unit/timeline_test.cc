// query/timeline: sessions recorded on this machine (tests/data/sessions/) through the pipeline,
// the recorder and a real SQLite store, read back and rendered; and the pure pieces (quoting,
// durations, --since, folding and merging) on handmade rows.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <array>

#include <cstdlib>

#include "agent/filtering.h"
#include "config/config.h"
#include "query/store_reader.h"
#include "query/timeline.h"
#include "session_test_harness.h"

namespace auditlens {
namespace {

using testing::ReadSessionData;
using testing::SessionHarness;

class UtcZone : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tz = getenv("TZ");
    saved_ = tz ? tz : "";
    had_ = tz != nullptr;
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    if (had_) setenv("TZ", saved_.c_str(), 1);
    else unsetenv("TZ");
    tzset();
  }
  std::string saved_;
  bool had_ = false;
};

// The recorded log through the agent's stages into a store, then what `auditlens timeline` does.
Timeline TimelineOf(const std::string& log, const std::string& id, std::string* store_path = nullptr,
                    const TimelineOptions& options = {}) {
  SessionHarness h(/*with_store=*/true);
  EXPECT_TRUE(h.opened) << h.open_error;
  h.Feed(ReadSessionData(log));
  h.Finish();
  StoreReader reader;
  std::string error;
  EXPECT_TRUE(reader.Open(h.store_path, &error)) << error;
  TimelineData data;
  EXPECT_TRUE(reader.LoadTimeline(id, &data, &error)) << error;
  return BuildTimeline(data, options);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

// Each entry as one line: its depth, kind and text, repeats and failure.
std::vector<std::string> Shown(const Timeline& t) {
  std::vector<std::string> shown;
  for (const TimelineEntry& e : t.entries) {
    shown.push_back(std::string(e.depth * 2, ' ') + e.kind + ": " + e.text +
                    (e.count > 1 ? " x" + std::to_string(e.count) : "") + (e.failed ? " FAILED" : ""));
  }
  return shown;
}

// The timeline of ssh_interactive_sudo_su.log's session up to its `sudo su` (what follows depends
// on the test's filters).
const std::vector<std::string> kSudoSuSessionUpToSudoSu = {
    "login: alice5679 logged in via sshd from 127.0.0.1:57060 to 127.0.0.1:60151, terminal ssh",
    "login-scripts: login scripts ran: sh -c '/usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin run-parts --lsbsysinit /etc/upd... (4 programs, not shown)",
    "shell: -bash",
    "  login-scripts: shell startup files ran: id -u; dircolors -b (2 programs, not shown)",
    "  file: created /home/alice5679/watched/notes.txt (rule watched)",
    "  command: ls --color=auto -l  (in /home/alice5679/watched) x3",
    "  command: grep secret /etc/shadow FAILED",
    "  command: python3 -c 'import socket,time; s=socket.create_connection((\"127.0.0.1\", 39349)); time.sleep(0.5)'",
    "    network: connected to 127.0.0.1:39349",
    "  command: sudo ls /root",
    "    privilege: alice5679 became root via sudo to run: ls /root",
    "    command: ls /root",
    "  command: sudo -u bob5679 id",
    "    privilege: alice5679 became bob5679 via sudo to run: id",
    "    command: id",
    "  command: sudo su - bob5679 -c 'touch /tmp/by-bob-$$'",
    "    privilege: alice5679 became root via sudo to run: su - bob5679 -c touch /tmp/by-bob-$$",
};

using TimelineRecorded = UtcZone;

TEST_F(TimelineRecorded, SshCommandSession) {
  Timeline t = TimelineOf("ssh_command_failed_password.log", "0123abcd-25");
  std::vector<std::string> kinds;
  for (const TimelineEntry& e : t.entries) kinds.push_back(e.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"login", "login-scripts", "shell", "command", "file",
                                             "command", "command", "command", "network", "logout"}));
  const auto& e = t.entries;
  EXPECT_EQ(e[0].text,
            "alice6177 logged in via sshd from 127.0.0.1:44248 to 127.0.0.1:36139, terminal ssh");
  EXPECT_EQ(e[2].depth, 0);
  EXPECT_EQ(e[2].text.rfind("bash -c 'touch ~/watched/new.txt; ls / >/dev/null; cat /nonexistent;", 0), 0u);
  EXPECT_EQ(e[3].text, "touch /home/alice6177/watched/new.txt");
  EXPECT_EQ(e[3].depth, 1);
  EXPECT_EQ(e[4].text, "created /home/alice6177/watched/new.txt (rule watched)");
  EXPECT_EQ(e[4].depth, 2);
  EXPECT_EQ(e[5].text, "ls /");
  EXPECT_EQ(e[6].text, "cat /nonexistent");
  EXPECT_TRUE(e[6].failed);
  EXPECT_EQ(e[6].status, "exit 1");
  EXPECT_FALSE(e[5].failed);
  EXPECT_EQ(e[7].text.rfind("python3 -c 'import socket,time; s=socket.create_connection((\"127.0.0.1\", 41373)); time.sleep(0.5)'", 0), 0u);
  EXPECT_EQ(e[8].text, "connected to 127.0.0.1:41373");  // no network enricher in a replay
  EXPECT_EQ(e[8].depth, 2);
  EXPECT_EQ(e[9].text, "logged out; the session lasted 0.6 s");
  EXPECT_EQ(t.session.commands, 4);
  EXPECT_EQ(t.session.failed_commands, 1);
  EXPECT_EQ(t.session.failed, 1);
  EXPECT_GT(t.hidden, 5);  // motd's programs, PAM bookkeeping

  // Plain text: what a person reads.
  std::string text = RenderTimelineText(t, false);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  std::vector<std::string> lines = Lines(text);
  ASSERT_GE(lines.size(), 13u);
  EXPECT_EQ(lines[0], "Session 0123abcd-25: alice6177 via sshd from 127.0.0.1:44248");
  EXPECT_EQ(lines[1],
            "Started 2026-11-22 12:13:00 UTC, ended 12:13:00 after 0.6 s; 4 commands, 1 failure");
  EXPECT_EQ(lines[6], "12:13:00.135    $ touch /home/alice6177/watched/new.txt");
  EXPECT_EQ(lines[7], "12:13:00.135      file created /home/alice6177/watched/new.txt (rule watched)");
  EXPECT_EQ(lines[9], "12:13:00.143    $ cat /nonexistent  FAILED: exit 1");
  // Colour only when asked.
  std::string colour = RenderTimelineText(t, true);
  EXPECT_NE(colour.find("\x1b[1;31mFAILED: exit 1\x1b[0m"), std::string::npos);

  // JSON: one object, the entries with their details.
  JsonValue j;
  ASSERT_TRUE(JsonValue::Parse(RenderTimelineJson(t), &j));
  EXPECT_EQ(j["session"].Str("id"), "0123abcd-25");
  EXPECT_EQ(j["session"]["source"]["port"].text(), "44248");
  EXPECT_EQ(j["session"]["commands"].text(), "4");
  const auto& entries = j["entries"].items();
  ASSERT_EQ(entries.size(), t.entries.size());
  EXPECT_EQ(entries[6]["detail"]["exit_code"].text(), "1");
  EXPECT_EQ(entries[6]["detail"]["args"].items()[1].text(), "/nonexistent");
  EXPECT_EQ(entries[6]["detail"].Str("cwd"), "/home/alice6177");
  EXPECT_EQ(entries[8]["detail"]["remote"]["port"].text(), "41373");
  EXPECT_EQ(entries[4]["detail"].Str("op"), "created");
}

TEST_F(TimelineRecorded, FailedLogin) {
  Timeline t = TimelineOf("ssh_command_failed_password.log", "0123abcd-f6637172");
  ASSERT_EQ(t.entries.size(), 1u);  // sshd's USER_LOGIN summary folds into the USER_AUTH line
  EXPECT_EQ(t.entries[0].kind, "auth");
  EXPECT_TRUE(t.entries[0].failed);
  EXPECT_EQ(t.entries[0].text,
            "login failed: authentication (password or other PAM check) of 'alice6177' refused by "
            "/usr/sbin/sshd (from 127.0.0.1)");
  std::string text = RenderTimelineText(t, false);
  EXPECT_NE(text.find("Failed login at 2026-11-22 12:13:00 UTC; 1 attempt refused"), std::string::npos);
  EXPECT_EQ(t.session.failed, 1);
}

// With redaction on, the store's rows and so the timeline show the redacted command lines: the
// flag's value (ls --color=auto), an assignment (env -i PATH=...), sudo's -u user.
TEST_F(TimelineRecorded, RedactedCommandLines) {
  RedactOptions redact;
  redact.args = {"--color", "-u"};
  redact.env = {"PATH"};
  SessionHarness h(/*with_store=*/true, /*lookup_names=*/false, redact);
  StoreReader reader;
  ASSERT_NO_FATAL_FAILURE(RecordAndOpen(h, "ssh_interactive_sudo_su.log", &reader));
  std::string error;
  TimelineData data;
  ASSERT_TRUE(reader.LoadTimeline("0123abcd-24", &data, &error)) << error;
  const std::string text = RenderTimelineText(BuildTimeline(data), false);
  EXPECT_NE(text.find("$ ls '--color=[redacted]' -l"), std::string::npos) << text;
  EXPECT_EQ(text.find("--color=auto"), std::string::npos) << text;
  EXPECT_NE(text.find("$ sudo -u '[redacted]' id"), std::string::npos) << text;
  EXPECT_EQ(text.find("sudo -u bob5679 id"), std::string::npos) << text;
  EXPECT_NE(text.find("PATH=[redacted]"), std::string::npos) << text;
  EXPECT_EQ(text.find("PATH=/usr/local/sbin"), std::string::npos) << text;
  // The processes' rows themselves.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(h.store_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT count(*) FROM processes WHERE args LIKE '%--color=auto%' OR "
                               "args LIKE '%\"-u\",\"bob5679\"%' OR args LIKE '%PATH=/usr%'",
                               -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 0);
  sqlite3_finalize(st);
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM processes WHERE args LIKE '%[redacted]%'",
                               -1, &st, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_GE(sqlite3_column_int(st, 0), 5);  // 3 ls, sudo, the login scripts' env
  sqlite3_finalize(st);
  sqlite3_close(db);
}

// A [[filters]] table drops su's events (its exec, its PAM lines), and another the forks (as the
// default rules, which audit no fork): the programs su started are kept, and stay where they ran,
// under the command su's parent was (sudo's, or the login shell), at their time. The store has no
// row of a dropped event, but what the event changed in the process tree (su's image, its exit)
// is recorded: without it su's children had no known parent and were listed at the top level,
// after the whole shell.
TEST_F(TimelineRecorded, ChildrenOfADroppedCommandStayInPlace) {
  Config config;
  std::string error;
  ASSERT_TRUE(ParseConfig("[[filters]]\nname = \"no-su\"\naction = \"drop\"\nexe = \"/usr/bin/su\"\n"
                          "[[filters]]\nname = \"no-forks\"\naction = \"drop\"\n"
                          "syscall = [\"clone\", \"clone3\", \"fork\", \"vfork\"]\n",
                          &config, &error))
      << error;
  Filtering filtering;
  ASSERT_TRUE(filtering.Build(config.filtering, &error)) << error;
  SessionHarness h(/*with_store=*/true, /*lookup_names=*/false, RedactOptions(), filtering.rules());
  StoreReader reader;
  ASSERT_NO_FATAL_FAILURE(RecordAndOpen(h, "ssh_interactive_sudo_su.log", &reader));
  EXPECT_GT(h.pipeline->counters().filtered, 50u);  // su's SYSCALL events and its PAM lines
  TimelineData data;
  ASSERT_TRUE(reader.LoadTimeline("0123abcd-24", &data, &error)) << error;
  Timeline t = BuildTimeline(data);
  std::vector<std::string> want = kSudoSuSessionUpToSudoSu;
  want.insert(want.end(), {
      "    command: -bash -c 'touch /tmp/by-bob-$$'  (in /home/bob5679)",
      "      command: id -u",
      "      command: touch /tmp/by-bob-6114",
      "  command: -bash -c id  (in /home/bob5679)",
      "    command: id -u",
      "    command: id",
      "logout: logged out; the session lasted 10 s",
  });
  EXPECT_EQ(Shown(t), want);
}

TEST_F(TimelineRecorded, InteractiveSessionWithSudoAndSu) {
  Timeline t = TimelineOf("ssh_interactive_sudo_su.log", "0123abcd-24");
  std::vector<std::string> want = kSudoSuSessionUpToSudoSu;
  want.insert(want.end(), {
      "    command: su - bob5679 -c 'touch /tmp/by-bob-$$'",
      "      privilege: alice5679 became bob5679 via su",
      "      command: -bash -c 'touch /tmp/by-bob-$$'  (in /home/bob5679)",
      "        command: id -u",
      "        command: touch /tmp/by-bob-6114",
      "  command: su - bob5679 -c id",
      "    privilege: alice5679 became bob5679 via su",
      "    command: -bash -c id  (in /home/bob5679)",
      "      command: id -u",
      "      command: id",
      "  command: su - bob5679 -c id",
      "    privilege: su: authentication as bob5679 failed FAILED",
      "logout: logged out; the session lasted 10 s",
  });
  EXPECT_EQ(Shown(t), want);
  EXPECT_EQ(t.session.failed, 2);  // grep, the su with a wrong password
}

TEST(Timeline, ShellQuote) {
  EXPECT_EQ(ShellQuote("ls"), "ls");
  EXPECT_EQ(ShellQuote("/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(ShellQuote("--color=auto"), "--color=auto");
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote("$HOME"), "'$HOME'");
  EXPECT_EQ(ShellQuote("caf\xc3\xa9"), "caf\xc3\xa9");
}

TEST(Timeline, FormatDuration) {
  EXPECT_EQ(FormatDuration(150), "0.1 s");
  EXPECT_EQ(FormatDuration(9999), "10.0 s");
  EXPECT_EQ(FormatDuration(45000), "45 s");
  EXPECT_EQ(FormatDuration(192000), "3 min 12 s");
  EXPECT_EQ(FormatDuration(7500000), "2 h 5 min");
  EXPECT_EQ(FormatDuration(3 * 86400000LL + 4 * 3600000LL), "3 d 4 h");
}

TEST_F(TimelineRecorded, ParseSince) {
  const int64_t now = 1795349580000;
  int64_t ms = 0;
  ASSERT_TRUE(ParseSince("30m", now, &ms));
  EXPECT_EQ(ms, now - 1800000);
  ASSERT_TRUE(ParseSince("7d", now, &ms));
  EXPECT_EQ(ms, now - 7 * 86400000LL);
  ASSERT_TRUE(ParseSince("2026-11-22", now, &ms));
  EXPECT_EQ(ms, 1795305600000);  // midnight UTC
  ASSERT_TRUE(ParseSince("2026-11-22 12:13", now, &ms));
  EXPECT_EQ(ms, 1795349580000);
  ASSERT_TRUE(ParseSince("2026-11-22T12:13:00", now, &ms));
  EXPECT_EQ(ms, 1795349580000);
  EXPECT_FALSE(ParseSince("yesterday", now, &ms));
  EXPECT_FALSE(ParseSince("12x", now, &ms));
}

// Handmade rows: repeats only merge when command, directory and result are the same; execvp's
// PATH search (ENOENT) is not shown but another failed exec is; an event whose process is not in
// the session's tree stays at the top; an open session says so.
TEST_F(TimelineRecorded, FoldingRulesOnHandmadeRows) {
  TimelineData d;
  d.session.id = "b-9";
  d.session.user = "carol";
  d.session.service = "sshd";
  d.session.state = "open";
  d.session.start_ms = 1000;
  d.session.last_seen_ms = 9000;
  auto exec = [&](int64_t t, const std::string& entity, const std::string& role,
                  const std::string& args, const std::string& cwd) {
    StoredEvent e;
    e.time_ms = t;
    e.serial = t;
    e.kind = "exec";
    e.outcome = "success";
    e.role = role;
    e.entity_id = entity;
    e.detail = "{\"exe\":\"/bin/x\",\"args\":" + args + ",\"cwd\":\"" + cwd + "\"}";
    d.events.push_back(e);
    StoredProcess p;
    p.entity_id = entity;
    p.parent_entity = entity == "sh" ? "" : "sh";
    p.start_ms = t;
    d.processes.push_back(p);
  };
  exec(1100, "sh", "shell", "[\"bash\"]", "/home/carol");
  exec(1200, "a1", "command", "[\"ls\"]", "/home/carol");
  exec(1300, "a2", "command", "[\"ls\"]", "/home/carol");
  exec(1400, "a3", "command", "[\"ls\"]", "/tmp");  // another directory: not a repeat
  exec(1500, "a4", "command", "[\"ls\"]", "/tmp");
  d.processes.back().exited = true;
  d.processes.back().exit_code = 2;  // another result: not a repeat
  StoredEvent enoent;
  enoent.time_ms = 1600;
  enoent.kind = "exec";
  enoent.outcome = "failure";
  enoent.entity_id = "sh";
  enoent.detail = "{\"path\":\"/usr/local/bin/nope\",\"error\":\"ENOENT\"}";  // role empty: PATH search
  d.events.push_back(enoent);
  StoredEvent eacces = enoent;
  eacces.time_ms = 1700;
  eacces.role = "command";
  eacces.detail = "{\"path\":\"/home/carol/script.sh\",\"error\":\"EACCES\"}";
  d.events.push_back(eacces);
  StoredEvent orphan;
  orphan.time_ms = 1800;
  orphan.kind = "network";
  orphan.outcome = "failure";
  orphan.entity_id = "unknown";
  orphan.detail = "{\"op\":\"connect\",\"family\":\"inet\",\"remote\":{\"ip\":\"10.1.2.3\",\"port\":22},\"error\":\"ECONNREFUSED\"}";
  d.events.push_back(orphan);
  Timeline t = BuildTimeline(d);
  std::vector<std::string> shown;
  for (const TimelineEntry& e : t.entries) {
    shown.push_back(std::to_string(e.depth) + " " + e.kind + ": " + e.text + " x" +
                    std::to_string(e.count) + (e.failed ? " FAILED " + e.status : ""));
  }
  EXPECT_EQ(shown, (std::vector<std::string>{
                       "0 login: carol logged in via sshd x1",
                       "0 shell: bash x1",
                       "1 command: ls x2",
                       "1 command: ls  (in /tmp) x1",
                       "1 command: ls x1 FAILED exit 2",
                       "1 exec-failed: could not run /home/carol/script.sh x1 FAILED EACCES",
                       "0 network: connected to 10.1.2.3:22 x1 FAILED ECONNREFUSED",
                   }));
  EXPECT_EQ(t.session.commands, 4);
  EXPECT_EQ(t.session.failed, 3);
  std::string text = RenderTimelineText(t, false);
  EXPECT_NE(text.find("still open (last activity 00:00:09)"), std::string::npos);
}

// A fork and its exec in the same millisecond share the entity id: a store may hold a process that
// names itself as previous (the fleet store filled it in). Its command stays under its shell.
TEST_F(TimelineRecorded, ProcessNamingItselfPreviousStaysNested) {
  TimelineData d;
  d.session.id = "b-4";
  d.session.state = "closed";
  d.session.start_ms = 1000;
  d.session.end_ms = 2000;
  for (const auto& [entity, parent, role, args] :
       std::vector<std::array<std::string, 4>>{{"sh", "", "shell", "[\"bash\",\"-c\",\"id\"]"},
                                               {"id", "sh", "command", "[\"id\"]"}}) {
    StoredEvent e;
    e.time_ms = entity == "sh" ? 1100 : 1200;
    e.kind = "exec";
    e.outcome = "success";
    e.role = role;
    e.entity_id = entity;
    e.detail = "{\"exe\":\"/bin/x\",\"args\":" + args + "}";
    d.events.push_back(e);
    StoredProcess p;
    p.entity_id = entity;
    p.parent_entity = parent;
    p.previous_entity = entity;
    p.start_ms = e.time_ms;
    d.processes.push_back(p);
  }
  Timeline t = BuildTimeline(d);
  std::vector<std::string> shown;
  for (const TimelineEntry& e : t.entries) shown.push_back(std::to_string(e.depth) + " " + e.kind);
  EXPECT_EQ(shown, (std::vector<std::string>{"0 login", "0 shell", "1 command", "0 logout"}));
}

// `auditlens timeline --json` lists the events folded away (the text's last line promises it):
// each one once, as many as counted, in time order, with its stored detail.
TEST_F(TimelineRecorded, JsonListsTheFoldedEvents) {
  TimelineOptions keep;
  keep.keep_folded = true;
  Timeline t = TimelineOf("ssh_command_failed_password.log", "0123abcd-25", nullptr, keep);
  ASSERT_GT(t.hidden, 5);
  ASSERT_EQ(t.folded.size(), static_cast<size_t>(t.hidden));
  EXPECT_NE(RenderTimelineText(t, false).find("folded away: login scripts, PAM bookkeeping; --json lists them"),
            std::string::npos);
  JsonValue j;
  ASSERT_TRUE(JsonValue::Parse(RenderTimelineJson(t), &j));
  EXPECT_EQ(j["hidden"].text(), std::to_string(t.hidden));
  const auto& folded = j["folded"].items();
  ASSERT_EQ(folded.size(), t.folded.size());
  int64_t last = 0;
  bool saw_exec = false, saw_pam = false;
  for (const JsonValue& f : folded) {
    const int64_t ms = std::stoll(f["time_ms"].text());
    EXPECT_GE(ms, last);
    last = ms;
    EXPECT_FALSE(f.Str("kind").empty());
    EXPECT_FALSE(f.Str("time").empty());
    if (f.Str("kind") == "exec") saw_exec = true;  // the login scripts' programs
    if (f.Str("kind") == "login" || f.Str("kind") == "auth") saw_pam = true;  // PAM bookkeeping
  }
  EXPECT_TRUE(saw_exec);
  EXPECT_TRUE(saw_pam);
  // Without keep_folded (the text view, `sessions`): counted, not copied.
  Timeline plain = TimelineOf("ssh_command_failed_password.log", "0123abcd-25");
  EXPECT_EQ(plain.hidden, t.hidden);
  EXPECT_TRUE(plain.folded.empty());
}

// A limit beyond what SQLite's LIMIT takes (a negative --last once became one) lists everything.
TEST_F(TimelineRecorded, HugeLimitListsAll) {
  SessionHarness h(/*with_store=*/true);
  StoreReader reader;
  ASSERT_NO_FATAL_FAILURE(RecordAndOpen(h, "ssh_command_failed_password.log", &reader));
  std::string error;
  SessionFilter filter;
  filter.limit = static_cast<size_t>(-3);
  std::vector<StoredSession> sessions;
  ASSERT_TRUE(reader.ListSessions(filter, &sessions, &error)) << error;
  EXPECT_EQ(sessions.size(), 2u);
  filter.limit = 1;
  sessions.clear();
  ASSERT_TRUE(reader.ListSessions(filter, &sessions, &error)) << error;
  EXPECT_EQ(sessions.size(), 1u);
}

TEST(StoreReaderOpen, MissingStoreIsNamedAsMissing) {
  StoreReader reader;
  std::string error;
  EXPECT_FALSE(reader.Open("/nonexistent-auditlens-dir/auditlens.db", &error));
  EXPECT_EQ(error.rfind("no store at /nonexistent-auditlens-dir/auditlens.db", 0), 0u) << error;
}

TEST_F(TimelineRecorded, SessionsListing) {
  SessionHarness h(/*with_store=*/true);
  StoreReader reader;
  ASSERT_NO_FATAL_FAILURE(RecordAndOpen(h, "ssh_command_failed_password.log", &reader));
  std::string error;
  std::vector<StoredSession> sessions;
  ASSERT_TRUE(reader.ListSessions({}, &sessions, &error)) << error;
  ASSERT_TRUE(SummarizeSessions(reader, &sessions, &error)) << error;
  std::vector<std::string> lines = Lines(RenderSessionsText(sessions, 1795349590000, false));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].rfind("SESSION  ", 0), 0u);
  EXPECT_EQ(lines[1],
            "0123abcd-25        alice6177  sshd  127.0.0.1:44248  2026-11-22 12:13:00  0.6 s     4         1         closed");
  EXPECT_EQ(lines[2].substr(0, 19), "0123abcd-f6637172  ");
  EXPECT_NE(lines[2].find("failed"), std::string::npos);
  std::vector<std::string> json = Lines(RenderSessionsJson(sessions, 1795349590000));
  ASSERT_EQ(json.size(), 2u);
  JsonValue first;
  ASSERT_TRUE(JsonValue::Parse(json[0], &first));
  EXPECT_EQ(first.Str("user"), "alice6177");
  EXPECT_EQ(first["source"].Str("ip"), "127.0.0.1");
  EXPECT_EQ(first["source"]["port"].text(), "44248");
  EXPECT_EQ(first["destination"]["port"].text(), "36139");
  // Of 127.0.0.1:44248 → 127.0.0.1:36139 over TCP (session_tracker_test.cc has the derivation).
  EXPECT_EQ(first.Str("community_id").substr(0, 2), "1:");
  EXPECT_EQ(first.Str("community_id").size(), 30u);
  EXPECT_EQ(first.Str("community_id"), sessions[0].community_id);
  EXPECT_EQ(first["commands"].text(), "4");
  EXPECT_EQ(first["failures"].text(), "1");
  EXPECT_EQ(first.Str("state"), "closed");
}

}  // namespace
}  // namespace auditlens
