#include "web/api.h"

#include "common/clock.h"
#include "common/conninfo_mask.h"
#include "common/json_value.h"
#include "common/parse_int.h"
#include "common/time_format.h"
#include "output/json_writer.h"
#include "query/fleet_reader.h"
#include "query/process_tree.h"
#include "query/session_page.h"
#include "query/store_reader.h"
#include "query/timeline.h"
#include "query/trace.h"

namespace auditlens {
namespace {

constexpr int64_t kLinkWindowMs = 120000;  // as `auditlens trace`'s default --window
constexpr size_t kLiveBatch = 500;

std::string Quoted(std::string_view s) {
  std::string out;
  JsonWriter::AppendQuoted(s, &out);
  return out;
}

ApiReply Error(int status, const std::string& message) { return {status, ErrorJson(message)}; }

std::string Param(const ApiParams& p, const char* name) {
  auto it = p.find(name);
  return it == p.end() ? std::string() : it->second;
}

// A time parameter: milliseconds since the epoch, or what `sessions --since` takes.
bool TimeParam(const ApiParams& p, const char* name, int64_t* out, ApiReply* bad) {
  const std::string v = Param(p, name);
  *out = 0;
  if (v.empty()) return true;
  if (ParseI64(v, out) && *out >= 0) return true;
  if (ParseSince(v, static_cast<int64_t>(WallMs()), out)) return true;
  *bad = Error(400, std::string("'") + name +
                        "' must be milliseconds since the epoch, a date (2026-11-22 11:00) or an "
                        "age (30m, 12h, 7d)");
  return false;
}

bool IntParam(const ApiParams& p, const char* name, int64_t min, int64_t max, int64_t* out,
              ApiReply* bad) {
  const std::string v = Param(p, name);
  if (ParseI64(v, out) && *out >= min && *out <= max) return true;
  *bad = Error(400, std::string("'") + name + "' must be an integer from " + std::to_string(min) +
                        " to " + std::to_string(max));
  return false;
}

// A message about the store as the page may show it: "no session X" is the caller's 404.
bool IsMissing(const std::string& error) {
  return error.rfind("no session ", 0) == 0 || error.find("names several") != std::string::npos;
}

std::string EventJson(const StoredEvent& e, const std::string& host, const std::string& process) {
  std::string out = "{\"time\":" + Quoted(FormatIsoMs(e.time_ms)) +
                    ",\"time_ms\":" + std::to_string(e.time_ms) +
                    ",\"serial\":" + std::to_string(e.serial);
  if (!host.empty()) out += ",\"host\":" + Quoted(host);
  if (!e.session_id.empty()) out += ",\"session_id\":" + Quoted(e.session_id);
  out += ",\"kind\":" + Quoted(e.kind);
  if (!e.action.empty()) out += ",\"action\":" + Quoted(e.action);
  if (!e.outcome.empty()) out += ",\"outcome\":" + Quoted(e.outcome);
  if (!e.role.empty()) out += ",\"role\":" + Quoted(e.role);
  if (e.pid > 0) out += ",\"pid\":" + std::to_string(e.pid);
  if (e.uid >= 0) out += ",\"uid\":" + std::to_string(e.uid);
  if (!e.entity_id.empty()) out += ",\"entity_id\":" + Quoted(e.entity_id);
  // The stored detail is JSON the store wrote; anything that does not parse is shown as text.
  JsonValue parsed;
  if (e.detail.empty()) {
    out += ",\"detail\":null";
  } else if (JsonValue::Parse(e.detail, &parsed)) {
    out += ",\"detail\":" + e.detail;
  } else {
    out += ",\"detail\":" + Quoted(e.detail);
  }
  out += ",\"process\":" + (process.empty() ? std::string("null") : process);
  return out + "}";
}

// Where the session's connects led, and where its login came from, as far as the fleet database
// knows: {"links":[{"entry":I,"host","id"}],"from":{"host","id","time_ms"}|null}. An unreachable
// database gives none and says why in "fleet_error".
std::string FleetLinks(const std::string& url, const Timeline& t) {
  FleetReader fleet;
  std::string error;
  if (!fleet.Open(url, &error)) {
    return "\"links\":[],\"from\":null,\"fleet_error\":" + Quoted(MaskConnInfoIn(error, url));
  }
  const std::string& host = t.session.host;
  std::string links;
  for (size_t i = 0; i < t.entries.size(); ++i) {
    const TimelineEntry& e = t.entries[i];
    if (e.kind != "network") continue;
    JsonValue d;
    if (!JsonValue::Parse(e.json, &d) || d.Str("op") != "connect" || !d.Has("community_id")) {
      continue;
    }
    std::vector<FleetSessionRef> over;
    if (!fleet.SessionsOver(d.Str("community_id"), host, e.time_ms, kLinkWindowMs, &over,
                            &error) ||
        over.empty()) {
      continue;
    }
    links += (links.empty() ? "{" : ",{") + std::string("\"entry\":") + std::to_string(i) +
             ",\"host\":" + Quoted(over[0].key.host) + ",\"id\":" + Quoted(over[0].key.id) + "}";
  }
  std::string from = "null";
  if (!t.session.community_id.empty()) {
    FleetConnection c;
    if (fleet.ConnectOver(t.session.community_id, host, t.session.start_ms, kLinkWindowMs, &c,
                          &error) &&
        !c.session_id.empty()) {
      from = "{\"host\":" + Quoted(c.host) + ",\"id\":" + Quoted(c.session_id) +
             ",\"time_ms\":" + std::to_string(c.time_ms) + "}";
    }
  }
  return "\"links\":[" + links + "],\"from\":" + from;
}

}  // namespace

std::string ErrorJson(const std::string& message) { return "{\"error\":" + Quoted(message) + "}"; }

ApiReply WebApi::Handle(const std::string& path, const ApiParams& params) const {
  if (path == "/api/info") return Info();
  if (path == "/api/sessions") return Sessions(params);
  if (path == "/api/timeline") return Timeline(params);
  if (path == "/api/event") return Event(params);
  if (path == "/api/tree") return Tree(params);
  if (path == "/api/events") return Events(params);
  if (path == "/api/trace") return Trace(params);
  return Error(404, "no such API route: " + path + " (docs/web.md lists them)");
}

ApiReply WebApi::Info() const {
  std::string host;
  if (!store_.empty()) {
    StoreReader reader;
    std::string error;
    SessionQuery q;
    q.limit = 1;
    std::vector<StoredSession> one;
    if (reader.Open(store_, &error) && reader.ListSessionRows(q, &one, &error) && !one.empty()) {
      host = one[0].host;
    }
  }
  return {200, "{\"version\":\"0.1.0\",\"store\":" + (store_.empty() ? "null" : Quoted(store_)) +
                   ",\"host\":" + (host.empty() ? "null" : Quoted(host)) +
                   ",\"fleet\":" + (pg_.empty() ? "false" : "true") +
                   ",\"now_ms\":" + std::to_string(static_cast<int64_t>(WallMs())) + "}"};
}

ApiReply WebApi::Sessions(const ApiParams& p) const {
  if (store_.empty()) return Error(404, "no store: give --db FILE or a config with [store] path");
  SessionQuery q;
  ApiReply bad;
  q.user = Param(p, "user");
  q.host = Param(p, "host");
  q.source_ip = Param(p, "source");
  if (!TimeParam(p, "since", &q.since_ms, &bad) || !TimeParam(p, "until", &q.until_ms, &bad)) {
    return bad;
  }
  const std::string failed = Param(p, "failed");
  if (!failed.empty() && failed != "0" && failed != "1" && failed != "true" && failed != "false") {
    return Error(400, "'failed' must be 1 or 0");
  }
  q.failures_only = failed == "1" || failed == "true";
  int64_t limit = 50;
  if (p.count("limit") && !IntParam(p, "limit", 1, 1000, &limit, &bad)) return bad;
  q.limit = static_cast<size_t>(limit);
  const std::string cursor = Param(p, "cursor");
  if (!cursor.empty() && !ParseSessionCursor(cursor, &q)) {
    return Error(400, "'cursor' must be the 'next' of a previous page");
  }
  StoreReader reader;
  std::string error;
  SessionPage page;
  if (!reader.Open(store_, &error) || !ListSessionPage(reader, q, &page, &error)) {
    return Error(500, error);
  }
  const int64_t now = static_cast<int64_t>(WallMs());
  std::string out = "{\"sessions\":[";
  for (size_t i = 0; i < page.sessions.size(); ++i) {
    out += (i ? "," : "") + SessionJson(page.sessions[i], now);
  }
  out += "],\"next\":" + (page.next.empty() ? std::string("null") : Quoted(page.next)) + "}";
  return {200, out};
}

namespace {

// The session's rows, from the store or (host given) the fleet database. 0 when loaded, else the
// status of *reply.
int LoadSessionData(const std::string& store, const std::string& pg, const ApiParams& p,
                    TimelineData* data, ApiReply* reply) {
  const std::string id = Param(p, "id");
  const std::string host = Param(p, "host");
  if (id.empty()) {
    *reply = Error(400, "'id' (a session id) is required");
    return 400;
  }
  std::string error;
  if (!host.empty()) {
    if (pg.empty()) {
      *reply = Error(404, "no fleet database: give --postgres URL or a config with [store] postgres");
      return 404;
    }
    FleetReader fleet;
    if (!fleet.Open(pg, &error)) {
      *reply = Error(500, MaskConnInfoIn(error, pg));
      return 500;
    }
    if (!fleet.LoadSession({host, id}, data, &error)) {
      const int status = IsMissing(error) ? 404 : 500;
      *reply = Error(status, MaskConnInfoIn(error, pg));
      return status;
    }
    return 0;
  }
  if (store.empty()) {
    *reply = Error(404, "no store: give --db FILE or a config with [store] path");
    return 404;
  }
  StoreReader reader;
  if (!reader.Open(store, &error)) {
    *reply = Error(500, error);
    return 500;
  }
  if (!reader.LoadTimeline(id, data, &error)) {
    const int status = IsMissing(error) ? 404 : 500;
    *reply = Error(status, error);
    return status;
  }
  return 0;
}

}  // namespace

ApiReply WebApi::Timeline(const ApiParams& p) const {
  TimelineData data;
  ApiReply reply;
  if (LoadSessionData(store_, pg_, p, &data, &reply) != 0) return reply;
  TimelineOptions options;
  options.keep_folded = true;
  auditlens::Timeline t = BuildTimeline(data, options);
  std::string out = RenderTimelineJson(t);
  // "...]}\n": the members of the web's own go before the closing brace.
  while (!out.empty() && out.back() == '\n') out.pop_back();
  out.pop_back();
  out += ",\"source\":" + std::string(Param(p, "host").empty() ? "\"store\"" : "\"fleet\"");
  if (!pg_.empty()) out += "," + FleetLinks(pg_, t);
  out += "}";
  return {200, out};
}

ApiReply WebApi::Event(const ApiParams& p) const {
  ApiReply bad;
  int64_t time_ms = 0, serial = 0;
  if (!IntParam(p, "time_ms", 0, INT64_MAX, &time_ms, &bad) ||
      !IntParam(p, "serial", 0, INT64_MAX, &serial, &bad)) {
    return bad;
  }
  const std::string key = std::to_string(time_ms) + ":" + std::to_string(serial);
  if (!Param(p, "host").empty()) {
    // The fleet database's events are read with their session (host and id).
    TimelineData data;
    if (LoadSessionData(store_, pg_, p, &data, &bad) != 0) return bad;
    for (const StoredEvent& e : data.events) {
      if (e.time_ms != time_ms || e.serial != serial) continue;
      StoredEvent with = e;
      with.session_id = data.session.id;
      std::string process;
      for (const StoredProcess& proc : data.processes) {
        if (proc.entity_id == e.entity_id) process = StoredProcessJson(proc);
      }
      return {200, EventJson(with, data.session.host, process)};
    }
    return Error(404, "no event " + key + " in session " + Param(p, "host") + ":" + Param(p, "id"));
  }
  if (store_.empty()) return Error(404, "no store: give --db FILE or a config with [store] path");
  StoreReader reader;
  std::string error;
  if (!reader.Open(store_, &error)) return Error(500, error);
  StoredEvent e;
  if (!reader.LoadEvent(time_ms, serial, &e, &error)) {
    return error.empty() ? Error(404, "no event " + key + " in the store") : Error(500, error);
  }
  std::string process;
  StoredProcess proc;
  if (!e.entity_id.empty()) {
    if (reader.LoadProcess(e.entity_id, &proc, &error)) {
      process = StoredProcessJson(proc);
    } else if (!error.empty()) {
      return Error(500, error);
    }
  }
  return {200, EventJson(e, std::string(), process)};
}

ApiReply WebApi::Tree(const ApiParams& p) const {
  TimelineData data;
  ApiReply reply;
  if (LoadSessionData(store_, pg_, p, &data, &reply) != 0) return reply;
  return {200, ProcessTreeJson(data)};
}

ApiReply WebApi::Events(const ApiParams& p) const {
  const std::string id = Param(p, "id");
  if (id.empty()) return Error(400, "'id' (a session id) is required");
  if (store_.empty()) return Error(404, "no store: give --db FILE or a config with [store] path");
  int64_t after_ms = 0, after_serial = -1;
  const std::string after = Param(p, "after");
  if (!after.empty()) {
    const size_t colon = after.find(':');
    if (colon == std::string::npos || !ParseI64(after.substr(0, colon), &after_ms) ||
        !ParseI64(after.substr(colon + 1), &after_serial)) {
      return Error(400, "'after' must be TIME_MS:SERIAL (the 'next' of the previous answer)");
    }
  }
  StoreReader reader;
  std::string error;
  if (!reader.Open(store_, &error)) return Error(500, error);
  StoredSession session;
  if (!reader.LoadSessionRow(id, &session, &error)) {
    return error.empty() ? Error(404, "no session " + id + " in the store") : Error(500, error);
  }
  std::vector<StoredEvent> events;
  if (!reader.LoadEventsAfter(id, after_ms, after_serial, kLiveBatch, &events, &error)) {
    return Error(500, error);
  }
  std::string out = "{\"session\":" + Quoted(id) + ",\"state\":" + Quoted(session.state) +
                    ",\"end_ms\":" + (session.end_ms > 0 ? std::to_string(session.end_ms) : "null") +
                    ",\"last_seen_ms\":" + std::to_string(session.last_seen_ms) + ",\"events\":[";
  for (size_t i = 0; i < events.size(); ++i) {
    out += (i ? "," : "") + EventJson(events[i], std::string(), std::string());
  }
  const int64_t next_ms = events.empty() ? after_ms : events.back().time_ms;
  const int64_t next_serial = events.empty() ? after_serial : events.back().serial;
  out += "],\"next\":" + Quoted(std::to_string(next_ms) + ":" + std::to_string(next_serial)) +
         ",\"more\":" + (events.size() == kLiveBatch ? "true" : "false") + "}";
  return {200, out};
}

ApiReply WebApi::Trace(const ApiParams& p) const {
  if (pg_.empty()) {
    return Error(404, "no fleet database: give --postgres URL or a config with [store] postgres");
  }
  const std::string id = Param(p, "id");
  const std::string host = Param(p, "host");
  if (id.empty()) return Error(400, "'id' (a session id) is required");
  TraceOptions options;
  if (p.count("window")) {
    int64_t window = 0;
    ApiReply bad;
    if (!IntParam(p, "window", 1, 86400, &window, &bad)) return bad;
    options.window_ms = window * 1000;
  }
  FleetReader fleet;
  std::string error;
  if (!fleet.Open(pg_, &error)) return Error(500, MaskConnInfoIn(error, pg_));
  FleetSessionKey key;
  if (!fleet.ResolveSession(host.empty() ? id : host + ":" + id, &key, &error)) {
    return Error(IsMissing(error) ? 404 : 500, MaskConnInfoIn(error, pg_));
  }
  auditlens::Trace trace;
  if (!BuildTrace(fleet, key, options, &trace, &error)) {
    return Error(500, MaskConnInfoIn(error, pg_));
  }
  std::string out = RenderTraceJson(trace);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return {200, out};
}

}  // namespace auditlens
