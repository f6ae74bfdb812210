// enrich/session_tracker: login sessions built from recorded record streams (tests/data/sessions/,
// Debian 12's sshd, PAM, pam_loginuid, sudo and su, recorded with auditd): the login and its
// details, failed logins, su/sudo inside a session, a session still open, records out of order.
#include <gtest/gtest.h>

#include <algorithm>

#include <arpa/inet.h>

#include "enrich/community_id.h"
#include "enrich/session_tracker.h"
#include "session_test_harness.h"

namespace auditlens {
namespace {

using testing::LastSessionRow;
using testing::ReadSessionData;
using testing::SessionHarness;
using testing::SplitEvents;

constexpr char kCommandLog[] = "ssh_command_failed_password.log";
constexpr char kInteractiveLog[] = "ssh_interactive_sudo_su.log";

struct SessionFacts {
  std::string user, service, source_ip, terminal, state;
  int64_t ses, auid, source_port, dest_port, login_pid, start, end, failures;
  bool operator==(const SessionFacts&) const = default;
};

SessionFacts FactsOf(const Row* r) {
  SessionFacts f;
  f.user = std::string(r->Str(col::kUser));
  f.service = std::string(r->Str(col::kService));
  f.source_ip = std::string(r->Str(col::kSourceIp));
  f.terminal = std::string(r->Str(col::kTerminal));
  f.state = std::string(r->Str(col::kState));
  f.ses = r->num[col::kSessionSes];
  f.auid = r->num[col::kSessionAuid];
  f.source_port = r->num[col::kSourcePort];
  f.dest_port = r->num[col::kDestPort];
  f.login_pid = r->num[col::kLoginPid];
  f.start = r->num[col::kSessionStart];
  f.end = r->num[col::kSessionEnd];
  f.failures = r->num[col::kFailures];
  return f;
}

std::vector<const Row*> EventRows(const SessionHarness& h, std::string_view session) {
  std::vector<const Row*> out;
  for (const Row& r : h.sink.rows) {
    if (r.type == RowType::kEvent && r.Str(col::kSessionId) == session) out.push_back(&r);
  }
  return out;
}

TEST(SessionTracker, SshCommandSessionFromRecordedRecords) {
  SessionHarness h;
  h.Feed(ReadSessionData(kCommandLog));
  h.Finish();
  const Row* s = LastSessionRow(h.sink, "0123abcd-25");
  ASSERT_TRUE(s != nullptr);
  SessionFacts f = FactsOf(s);
  EXPECT_EQ(f.ses, 25);
  EXPECT_EQ(f.auid, 1001);
  EXPECT_EQ(f.user, "alice6177");  // NSS off: PAM's acct
  EXPECT_EQ(f.service, "sshd");
  EXPECT_EQ(f.source_ip, "127.0.0.1");
  EXPECT_EQ(f.source_port, 44248);  // the connection sshd accepted for this login
  EXPECT_EQ(f.dest_port, 36139);
  EXPECT_EQ(f.terminal, "ssh");
  EXPECT_EQ(f.login_pid, 6369);
  // From sshd's first PAM record of the attempt (after the accept at 79.867) to USER_END.
  EXPECT_GE(f.start, 1795349579867);
  EXPECT_LE(f.start, 1795349580059);  // the LOGIN
  EXPECT_EQ(f.end, 1795349580699);
  EXPECT_EQ(f.state, "closed");
  EXPECT_EQ(f.failures, 0);

  // Every event of ses 25 carries the session; the commands run from the session's shell.
  std::vector<const Row*> events = EventRows(h, "0123abcd-25");
  int execs = 0;
  for (const Row* e : events) {
    if (e->num[col::kKind] == static_cast<int64_t>(EventKind::kExec) &&
        e->num[col::kOutcome] == static_cast<int64_t>(Outcome::kSuccess)) {
      ++execs;
    }
  }
  // pam_motd's sh -c, env, run-parts (exec'd by env), 10-uname, uname; then bash -c, touch, ls,
  // cat, python3.
  EXPECT_EQ(execs, 10);
  // The JSON line of touch's exec names the session.
  bool seen = false;
  for (const JsonValue& e : h.Events()) {
    if (e["event"].Str("action") != "exec" || e["process"].Str("name") != "touch") continue;
    const JsonValue& session = e["auditd"]["session"];
    EXPECT_EQ(session.Str("id"), "0123abcd-25");
    EXPECT_EQ(session.Str("ses"), "25");
    // ECS: the session's entry leader is its login process (the sshd that did the LOGIN),
    // entered over SSH from the client's address, on behalf of the session's user.
    const JsonValue& leader = e["process"]["entry_leader"];
    EXPECT_EQ(leader["pid"].text(), "6369");
    EXPECT_EQ(leader.Str("entity_id").size(), 16u);
    EXPECT_EQ(leader.Str("name"), "sshd");
    EXPECT_EQ(leader["entry_meta"].Str("type"), "sshd");
    EXPECT_EQ(leader["entry_meta"]["source"].Str("ip"), "127.0.0.1");
    EXPECT_EQ(leader["user"].Str("name"), "alice6177");
    EXPECT_FALSE(leader["same_as_process"].boolean());
    EXPECT_EQ(session["user"].Str("name"), "alice6177");
    EXPECT_EQ(session["user"].Str("id"), "1001");
    EXPECT_EQ(session.Str("service"), "sshd");
    EXPECT_EQ(session["source"]["port"].text(), "44248");
    EXPECT_EQ(session.Str("terminal"), "ssh");
    seen = true;
  }
  EXPECT_TRUE(seen);
}

// The Community ID of the login's TCP connection (client → sshd): what the fleet trace joins to
// the client host's connect. The same flow seen from the client (its connect) hashes the same.
TEST(SessionTracker, LoginConnectionCommunityId) {
  SessionHarness h;
  h.Feed(ReadSessionData(kCommandLog));
  h.Finish();
  const Row* s = LastSessionRow(h.sink, "0123abcd-25");
  ASSERT_TRUE(s != nullptr);
  Endpoint client, server;  // the client's connect: 127.0.0.1:44248 → 127.0.0.1:36139, TCP
  ASSERT_TRUE(EndpointFromText("127.0.0.1", 44248, &client));
  ASSERT_TRUE(EndpointFromText("127.0.0.1", 36139, &server));
  char id[kCommunityIdBufferSize];
  CommunityIdV1({client, server, 6}, id);
  EXPECT_EQ(s->Str(col::kSessionCommunityId), id);
  EXPECT_EQ(std::string_view(id).substr(0, 2), "1:");
  EXPECT_EQ(h.sessions->Find(25)->community_id, id);
  // Every session row has one exactly when both ends of its connection are fully known.
  for (const Row& r : h.sink.rows) {
    if (r.type != RowType::kSession) continue;
    const bool complete = !r.Str(col::kSourceIp).empty() && !r.Str(col::kDestIp).empty() &&
                          r.num[col::kSourcePort] > 0 && r.num[col::kDestPort] > 0;
    EXPECT_EQ(!r.Str(col::kSessionCommunityId).empty(), complete) << r.Str(col::kId);
  }
}

TEST(SessionTracker, RolesOfTheSessionsProcesses) {
  SessionHarness h;
  h.Feed(ReadSessionData(kCommandLog));
  h.Finish();
  std::map<int64_t, std::string> role_of;  // pid -> the last role written
  for (const Row* r : h.sink.Of(RowType::kProcess)) {
    role_of[r->num[col::kProcPid]] = std::string(r->Str(col::kProcRole));
  }
  EXPECT_EQ(role_of[6369], "service");       // sshd that did the login (LOGIN pid)
  EXPECT_EQ(role_of[6375], "service");       // its session process (a fork)
  EXPECT_EQ(role_of[6371], "login-script");  // sh -c run-parts /etc/update-motd.d (pam_motd)
  EXPECT_EQ(role_of[6374], "login-script");  // uname, under it
  EXPECT_EQ(role_of[6376], "shell");         // bash -c '...'
  EXPECT_EQ(role_of[6377], "command");       // touch
  EXPECT_EQ(role_of[6380], "command");       // python3
  EXPECT_EQ(role_of.count(6321), 0u);        // the listening sshd: no session, no row
}

TEST(SessionTracker, FailedPasswordLoginIsKept) {
  SessionHarness h;
  h.Feed(ReadSessionData(kCommandLog));
  h.Finish();
  const Row* f = LastSessionRow(h.sink, "0123abcd-f6637172");
  ASSERT_TRUE(f != nullptr);
  SessionFacts facts = FactsOf(f);
  EXPECT_EQ(facts.state, "failed");
  EXPECT_EQ(facts.user, "alice6177");
  EXPECT_EQ(facts.service, "sshd");
  EXPECT_EQ(facts.source_ip, "127.0.0.1");
  EXPECT_GT(facts.source_port, 0);
  EXPECT_NE(facts.source_port, 44248);  // the second connection's port
  EXPECT_EQ(facts.ses, col::kNull);
  EXPECT_EQ(facts.auid, col::kNull);
  EXPECT_EQ(facts.failures, 1);  // USER_AUTH failed + sshd's USER_LOGIN failed: one attempt
  EXPECT_EQ(facts.start, 1795349580899);
  EXPECT_EQ(facts.end, 1795349582551);
  // Its records are its events; the JSON says so.
  std::vector<const Row*> events = EventRows(h, "0123abcd-f6637172");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0]->Str(col::kAction), "USER_AUTH");
  EXPECT_EQ(events[0]->num[col::kOutcome], static_cast<int64_t>(Outcome::kFailure));
  int flagged = 0;
  for (const JsonValue& e : h.Events()) {
    if (e["auditd"]["session"].Str("id") == "0123abcd-f6637172") flagged += e["auditd"]["session"]["failed"].boolean();
  }
  EXPECT_EQ(flagged, 2);
}

// PAM's addr= must be an IP address to be the client's: a host name there is not written as
// source.ip; the login's client then comes from the connection sshd accepted.
TEST(SessionTracker, AddrThatIsNotAnAddressIsNotTheSource) {
  std::string log = ReadSessionData(kCommandLog);
  size_t replaced = 0;
  for (size_t at = 0; (at = log.find("addr=127.0.0.1", at)) != std::string::npos; ++replaced) {
    log.replace(at, 14, "addr=host.example");
  }
  ASSERT_GT(replaced, 0u);
  SessionHarness h;
  h.Feed(log);
  h.Finish();
  const Row* s = LastSessionRow(h.sink, "0123abcd-25");
  ASSERT_TRUE(s != nullptr);
  SessionFacts f = FactsOf(s);
  EXPECT_EQ(f.source_ip, "127.0.0.1");
  EXPECT_EQ(f.source_port, 44248);
  const Row* failed = LastSessionRow(h.sink, "0123abcd-f6637172");
  ASSERT_TRUE(failed != nullptr);
  EXPECT_EQ(FactsOf(failed).source_ip, "");  // no address known for it
  for (const Row& r : h.sink.rows) {
    if (r.type == RowType::kSession) EXPECT_NE(r.Str(col::kSourceIp), "host.example");
  }
  for (const JsonValue& e : h.Events()) {
    if (e["auditd"]["session"].Str("id") == "0123abcd-25") {
      EXPECT_EQ(e["auditd"]["session"]["source"].Str("ip"), "127.0.0.1");
    }
  }
}

TEST(SessionTracker, SudoAndSuInsideASession) {
  SessionHarness h;
  h.Feed(ReadSessionData(kInteractiveLog));
  h.Finish();
  const Row* s = LastSessionRow(h.sink, "0123abcd-24");
  ASSERT_TRUE(s != nullptr);
  SessionFacts f = FactsOf(s);
  EXPECT_EQ(f.user, "alice5679");
  EXPECT_EQ(f.login_pid, 6002);
  // sudo's and su's USER_START/USER_END do not start or end the login session.
  EXPECT_EQ(f.end, 1795349574447);
  EXPECT_EQ(f.state, "closed");
  EXPECT_EQ(f.failures, 1);  // su with a wrong password
  // Their PAM records are privilege events of the session, with who became whom.
  std::vector<const Row*> events = EventRows(h, "0123abcd-24");
  int privilege = 0, failed_privilege = 0, logins = 0, logouts = 0;
  bool sudo_root = false, su_bob = false, sudo_cmd = false;
  for (const Row* e : events) {
    auto kind = static_cast<EventKind>(e->num[col::kKind]);
    logins += kind == EventKind::kLogin;
    logouts += kind == EventKind::kLogout;
    if (kind != EventKind::kPrivilege) continue;
    ++privilege;
    JsonValue d;
    ASSERT_TRUE(JsonValue::Parse(e->Str(col::kDetail), &d)) << e->Str(col::kDetail);
    if (e->num[col::kOutcome] == static_cast<int64_t>(Outcome::kFailure)) {
      ++failed_privilege;
      EXPECT_EQ(d.Str("via"), "su");
      EXPECT_EQ(d.Str("to"), "bob5679");
      EXPECT_EQ(d.Str("op"), "authentication");
    }
    if (d.Str("via") == "sudo" && d.Str("op") == "session-open" && d.Str("to") == "root") sudo_root = true;
    if (d.Str("via") == "su" && d.Str("op") == "session-open" && d.Str("to") == "bob5679") su_bob = true;
    if (d.Str("op") == "command" && d.Str("command") == "ls /root") sudo_cmd = true;
    if (d.Has("type")) EXPECT_EQ(d.Str("from"), "alice5679");  // PAM's: the session's user
  }
  EXPECT_TRUE(sudo_root);
  EXPECT_TRUE(su_bob);
  EXPECT_TRUE(sudo_cmd);  // USER_CMD's hex-encoded cmd, decoded
  EXPECT_EQ(failed_privilege, 1);
  EXPECT_GE(privilege, 10);
  EXPECT_EQ(logins, 3);   // LOGIN, USER_START and USER_LOGIN of sshd's login process
  EXPECT_EQ(logouts, 2);  // USER_END, CRED_DISP
  // What ran under sudo and su is in the session, as commands, as the user it became.
  bool ls_root = false, touch_as_bob = false;
  for (const Row* e : events) {
    if (e->num[col::kKind] != static_cast<int64_t>(EventKind::kExec)) continue;
    JsonValue d;
    ASSERT_TRUE(JsonValue::Parse(e->Str(col::kDetail), &d));
    const auto& args = d["args"].items();
    if (args.size() == 2 && args[0].text() == "ls" && args[1].text() == "/root") {
      ls_root = true;
      EXPECT_EQ(e->num[col::kUid], 0);
      EXPECT_EQ(e->Str(col::kRole), "command");
    }
    if (args.size() == 2 && args[0].text() == "touch") {
      touch_as_bob = true;
      EXPECT_EQ(e->num[col::kUid], 1002);
      EXPECT_EQ(e->Str(col::kRole), "command");
    }
  }
  EXPECT_TRUE(ls_root);
  EXPECT_TRUE(touch_as_bob);
}

TEST(SessionTracker, SessionStillOpen) {
  // The stream stops before sshd's USER_END: the session is open, with no end.
  std::string log = ReadSessionData(kInteractiveLog);
  size_t cut = log.find("type=USER_END msg=audit(1795349574.447");
  ASSERT_NE(cut, std::string::npos);
  SessionHarness h;
  h.Feed(log.substr(0, cut));
  h.Finish();
  const Row* s = LastSessionRow(h.sink, "0123abcd-24");
  ASSERT_TRUE(s != nullptr);
  EXPECT_EQ(s->Str(col::kState), "open");
  EXPECT_EQ(s->num[col::kSessionEnd], col::kNull);
  EXPECT_EQ(s->Str(col::kUser), "alice5679");
  const SessionInfo* live = h.sessions->Find(24);
  ASSERT_TRUE(live != nullptr);
  EXPECT_EQ(live->state, SessionState::kOpen);
  EXPECT_GT(live->last_seen_ms, live->start_ms);
}

// Whole events reordered (every run of 7 reversed, so later events come first: a LOGIN after
// events of its session, USER_END before the session's last events, exits before execs): the
// sessions come out the same.
TEST(SessionTracker, RecordsOutOfOrder) {
  for (const char* name : {kCommandLog, kInteractiveLog}) {
    SCOPED_TRACE(name);
    std::string log = ReadSessionData(name);
    SessionHarness in_order;
    in_order.Feed(log);
    in_order.Finish();
    std::vector<std::string> events = SplitEvents(log);
    for (size_t i = 0; i + 7 <= events.size(); i += 7) {
      std::reverse(events.begin() + static_cast<long>(i), events.begin() + static_cast<long>(i) + 7);
    }
    std::string shuffled;
    for (const std::string& e : events) shuffled += e;
    ASSERT_NE(shuffled, log);
    SessionHarness reordered;
    reordered.Feed(shuffled);
    reordered.Finish();
    for (const char* id : {"0123abcd-25", "0123abcd-24", "0123abcd-f6637172"}) {
      const Row* a = LastSessionRow(in_order.sink, id);
      const Row* b = LastSessionRow(reordered.sink, id);
      ASSERT_EQ(a == nullptr, b == nullptr) << id;
      if (a == nullptr) continue;
      SessionFacts fa = FactsOf(a), fb = FactsOf(b);
      EXPECT_EQ(fa.user, fb.user) << id;
      EXPECT_EQ(fa.service, fb.service) << id;
      EXPECT_EQ(fa.source_ip, fb.source_ip) << id;
      EXPECT_EQ(fa.source_port, fb.source_port) << id;
      EXPECT_EQ(fa.login_pid, fb.login_pid) << id;
      EXPECT_EQ(fa.end, fb.end) << id;
      EXPECT_EQ(fa.state, fb.state) << id;
      EXPECT_EQ(fa.failures, fb.failures) << id;
      EXPECT_LE(fb.start, fa.start) << id;  // never later than in order (earliest seen wins)
      EXPECT_EQ(EventRows(in_order, id).size(), EventRows(reordered, id).size()) << id;
    }
  }
}

// A log's records are not this host's (no proc_root: an import, a test): a session silent for
// minutes stays open whether or not its login pid exists here; so does its shell's process.
TEST(SessionTracker, LogInputNeverAsksThisHostsPids) {
  std::string log = ReadSessionData(kInteractiveLog);
  size_t cut = log.find("type=USER_END msg=audit(1795349574.447");
  ASSERT_NE(cut, std::string::npos);
  SessionHarness h;
  h.Feed(log.substr(0, cut));
  h.Finish();
  ASSERT_FALSE(h.table->live_host());
  const SessionInfo* live = h.sessions->Find(24);
  ASSERT_TRUE(live != nullptr);
  ASSERT_GT(live->login_pid, 0);
  const int32_t login_pid = live->login_pid;
  const uint64_t silent_until = live->last_seen_ms + 20 * 60 * 1000;  // 20 minutes later
  h.sessions->Sweep(silent_until);
  h.table->Sweep(silent_until);
  live = h.sessions->Find(24);
  ASSERT_TRUE(live != nullptr);
  EXPECT_EQ(live->state, SessionState::kOpen);
  EXPECT_EQ(live->end_ms, 0u);
  EXPECT_TRUE(h.table->Find(login_pid) != nullptr);
}

// A log's processes whose exit was not recorded: once their login is over and they have been
// silent for idle_check_ms (10 minutes of log time), they leave the table; an open login's stay
// (above).
TEST(SessionTracker, LogInputDropsSilentProcessesOfEndedLogins) {
  SessionHarness h;
  h.Feed(ReadSessionData(kInteractiveLog));
  h.Finish();
  const SessionInfo* s = h.sessions->Find(24);
  ASSERT_TRUE(s != nullptr);
  ASSERT_NE(s->end_ms, 0u);
  size_t of_session = 0;
  h.table->ForEach([&](const ProcessImage& p) { of_session += p.ses == 24 && !p.exited; });
  ASSERT_GT(of_session, 0u);  // processes whose exit the log does not have
  const uint64_t later = s->end_ms + 20 * 60 * 1000;
  h.table->Sweep(later);
  size_t left = 0;
  h.table->ForEach([&](const ProcessImage& p) { left += p.ses == 24 && !p.exited; });
  EXPECT_EQ(left, 0u);
}

TEST(SessionTracker, EndedSessionsLeaveMemory) {
  SessionHarness h;
  h.Feed(ReadSessionData(kCommandLog));
  h.Finish();
  ASSERT_TRUE(h.sessions->Find(25) != nullptr);
  h.sessions->Sweep(1795349580699 + 299000);
  EXPECT_TRUE(h.sessions->Find(25) != nullptr);  // ended, kept five minutes for late events
  h.sessions->Sweep(1795349580699 + 301000);
  EXPECT_TRUE(h.sessions->Find(25) == nullptr);
}

}  // namespace
}  // namespace auditlens
