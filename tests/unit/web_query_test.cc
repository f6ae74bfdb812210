// The queries of `auditlens web` (issue 24): keyset pages of sessions through the order's index,
// pages that together are the CLI's listing, one event and one process by key, events after a
// cursor, the process tree, the web's token helpers.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <functional>
#include <set>

#include "common/json_value.h"
#include "query/process_tree.h"
#include "query/session_page.h"
#include "query/store_reader.h"
#include "query/timeline.h"
#include "session_test_harness.h"
#include "web/auth.h"
#include "web/web.h"

namespace auditlens {
namespace {

using testing::ReadSessionData;
using testing::QueryPlan;
using testing::RecordBothSessions;
using testing::SessionHarness;

// A page starts at the cursor in the order's index and needs no sort: it stops after limit rows.
TEST(WebQuery, SessionPagesWalkTheOrdersIndex) {
  SessionHarness h(/*with_store=*/true);
  const std::string path = RecordBothSessions(h);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  SessionQuery q;
  q.after_cursor = true;
  std::string plan = QueryPlan(db, SessionPageSql(q, 5));
  EXPECT_NE(plan.find("sessions_start (start_ms<?)"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  q.user = "alice";
  plan = QueryPlan(db, SessionPageSql(q, 5));
  EXPECT_NE(plan.find("sessions_user (user=? AND start_ms<?)"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  q.user.clear();
  q.host = "h";
  q.source_ip = "10.0.0.1";
  q.failures_only = true;
  q.since_ms = 5;
  q.until_ms = 9;
  plan = QueryPlan(db, SessionPageSql(q, 5));
  EXPECT_NE(plan.find("sessions_start"), std::string::npos) << plan;
  EXPECT_EQ(plan.find("SCAN s\n"), std::string::npos) << plan;
  sqlite3_close(db);
}

TEST(WebQuery, PagesTogetherAreTheListing) {
  SessionHarness h(/*with_store=*/true);
  const std::string path = RecordBothSessions(h);
  StoreReader reader;
  std::string error;
  ASSERT_TRUE(reader.Open(path, &error)) << error;
  std::vector<StoredSession> all;
  ASSERT_TRUE(reader.ListSessions({}, &all, &error)) << error;
  ASSERT_TRUE(SummarizeSessions(reader, &all, &error)) << error;
  ASSERT_GE(all.size(), 3u);
  for (bool failures : {false, true}) {
    std::vector<std::string> want;
    for (auto it = all.rbegin(); it != all.rend(); ++it) {
      if (!failures || it->state == "failed" || it->failures > 0 || it->failed > 0) want.push_back(it->id);
    }
    std::vector<std::string> got;
    SessionQuery q;
    q.limit = 1;
    q.failures_only = failures;
    for (int pages = 0; pages < 20; ++pages) {
      SessionPage page;
      ASSERT_TRUE(ListSessionPage(reader, q, &page, &error)) << error;
      for (const StoredSession& s : page.sessions) got.push_back(s.id);
      if (page.next.empty()) break;
      ASSERT_TRUE(ParseSessionCursor(page.next, &q)) << page.next;
    }
    EXPECT_EQ(got, want) << "failures only: " << failures;
  }
  SessionQuery bad;
  EXPECT_FALSE(ParseSessionCursor("x", &bad));
  EXPECT_FALSE(ParseSessionCursor(":id", &bad));
  EXPECT_FALSE(ParseSessionCursor("12:", &bad));
  EXPECT_TRUE(ParseSessionCursor("12:a:b", &bad));
  EXPECT_EQ(bad.cursor_id, "a:b");
}

TEST(WebQuery, EventsByKeyAfterACursorAndTheTree) {
  SessionHarness h(/*with_store=*/true);
  const std::string path = RecordBothSessions(h);
  StoreReader reader;
  std::string error;
  ASSERT_TRUE(reader.Open(path, &error)) << error;
  std::vector<StoredSession> all;
  ASSERT_TRUE(reader.ListSessions({}, &all, &error)) << error;
  const StoredSession* big = nullptr;
  TimelineData data;
  for (const StoredSession& s : all) {
    TimelineData d;
    ASSERT_TRUE(reader.LoadTimeline(s.id, &d, &error)) << error;
    if (big == nullptr || d.processes.size() > data.processes.size()) {
      big = &s;
      data = std::move(d);
    }
  }
  ASSERT_NE(big, nullptr);
  // Every entry's event key finds its event, which belongs to the session.
  Timeline t = BuildTimeline(data);
  int keyed = 0;
  for (const TimelineEntry& e : t.entries) {
    if (e.event_serial < 0) continue;
    ++keyed;
    StoredEvent ev;
    ASSERT_TRUE(reader.LoadEvent(e.event_time_ms, e.event_serial, &ev, &error)) << e.text << error;
    EXPECT_EQ(ev.session_id, big->id);
  }
  EXPECT_GT(keyed, 5);
  StoredEvent none;
  EXPECT_FALSE(reader.LoadEvent(1, 1, &none, &error));
  EXPECT_EQ(error, "");
  // After a cursor: exactly the events after it, in order.
  std::vector<StoredEvent> first, rest;
  ASSERT_TRUE(reader.LoadEventsAfter(big->id, 0, -1, 100000, &first, &error)) << error;
  ASSERT_GT(first.size(), 10u);
  ASSERT_TRUE(reader.LoadEventsAfter(big->id, first[4].time_ms, first[4].serial, 100000, &rest, &error));
  ASSERT_EQ(rest.size(), first.size() - 5);
  EXPECT_EQ(rest.front().serial, first[5].serial);
  StoredSession row;
  ASSERT_TRUE(reader.LoadSessionRow(big->id, &row, &error)) << error;
  EXPECT_EQ(row.start_ms, big->start_ms);
  EXPECT_FALSE(reader.LoadSessionRow("nope", &row, &error));
  // The tree holds every process once, also with a loop of links.
  JsonValue tree;
  ASSERT_TRUE(JsonValue::Parse(ProcessTreeJson(data), &tree));
  std::multiset<std::string> seen;
  std::function<void(const JsonValue&)> walk = [&](const JsonValue& n) {
    seen.insert(n.Str("entity_id"));
    for (const JsonValue& c : n["children"].items()) walk(c);
  };
  for (const JsonValue& r : tree["roots"].items()) walk(r);
  EXPECT_EQ(seen.size(), data.processes.size());
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), data.processes.size());
  TimelineData loop;
  loop.processes.resize(2);
  loop.processes[0].entity_id = "a";
  loop.processes[0].parent_entity = "b";
  loop.processes[1].entity_id = "b";
  loop.processes[1].parent_entity = "a";
  ASSERT_TRUE(JsonValue::Parse(ProcessTreeJson(loop), &tree));
  ASSERT_EQ(tree["roots"].items().size(), 1u);
  EXPECT_EQ(tree["roots"].items()[0]["children"].items().size(), 1u);
}

TEST(WebAuth, TokensAndListenAddresses) {
  EXPECT_TRUE(TokenEquals("abcdefabcdefabcdef", "abcdefabcdefabcdef"));
  EXPECT_FALSE(TokenEquals("abcdefabcdefabcdef", "abcdefabcdefabcdeg"));
  EXPECT_FALSE(TokenEquals("", ""));
  EXPECT_FALSE(TokenEquals("abc", "abcd"));
  EXPECT_EQ(BearerToken("Bearer  tok "), "tok");
  EXPECT_EQ(BearerToken("Basic tok"), "");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(CookieToken("a=1; auditlens_token=xyz; b=2"), "xyz");
  EXPECT_EQ(CookieToken("auditlens_tokenx=1"), "");
  EXPECT_EQ(CookieToken(""), "");
  std::string host, error;
  int port = 0;
  ASSERT_TRUE(ParseListen("[::1]:8080", &host, &port, &error));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 8080);
  EXPECT_FALSE(ParseListen("::1:8080", &host, &port, &error));
  EXPECT_FALSE(ParseListen("127.0.0.1", &host, &port, &error));
  EXPECT_FALSE(ParseListen("127.0.0.1:70000", &host, &port, &error));
  EXPECT_TRUE(IsLoopback("127.3.4.5"));
  EXPECT_TRUE(IsLoopback("::1"));
  EXPECT_TRUE(IsLoopback("localhost"));
  EXPECT_FALSE(IsLoopback("0.0.0.0"));
  EXPECT_FALSE(IsLoopback("::"));
  EXPECT_FALSE(IsLoopback("10.0.0.1"));
  EXPECT_FALSE(IsLoopback("example.org"));
}

}  // namespace
}  // namespace auditlens
