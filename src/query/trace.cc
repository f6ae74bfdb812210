#include "query/trace.h"

#include <algorithm>
#include <deque>
#include <set>
#include <utility>

#include "common/endpoint.h"
#include "common/time_format.h"
#include "common/json_value.h"
#include "output/json_writer.h"

namespace auditlens {
namespace {

using Key = std::pair<std::string, std::string>;  // host, session id

Key KeyOf(const FleetSessionKey& k) { return {k.host, k.id}; }

std::string EndpointText(const std::string& ip, int64_t port) {
  if (ip.empty()) return "?";
  return JoinHostPort(ip, port > 0 ? std::to_string(port) : std::string());
}

std::string Quoted(std::string_view s) {
  std::string out;
  JsonWriter::AppendQuoted(s, &out);
  return out;
}

std::string EndpointJson(const std::string& ip, int64_t port) {
  if (ip.empty()) return "null";
  std::string out = "{\"ip\":" + Quoted(ip);
  if (port > 0) out += ",\"port\":" + std::to_string(port);
  return out + "}";
}

std::string ConnectionJson(const FleetConnection& c) {
  std::string out = "{\"time\":" + Quoted(FormatIsoMs(c.time_ms)) +
                    ",\"time_ms\":" + std::to_string(c.time_ms) + ",\"host\":" + Quoted(c.host);
  if (!c.session_id.empty()) out += ",\"session_id\":" + Quoted(c.session_id);
  if (c.pid > 0) out += ",\"pid\":" + std::to_string(c.pid);
  if (!c.entity_id.empty()) out += ",\"entity_id\":" + Quoted(c.entity_id);
  out += ",\"source\":" + EndpointJson(c.local_ip, c.local_port);
  out += ",\"destination\":" + EndpointJson(c.remote_ip, c.remote_port);
  if (!c.transport.empty()) out += ",\"transport\":" + Quoted(c.transport);
  out += ",\"community_id\":" + Quoted(c.community_id) + "}";
  return out;
}

class Walker {
 public:
  Walker(FleetReader& reader, const TraceOptions& options, Trace* trace)
      : reader_(reader), options_(options), trace_(trace) {}

  bool Run(const FleetSessionKey& focus, std::string* error) {
    // Upward: the chain of logins that led to the focus, nearest first.
    struct Up {
      FleetSessionKey key;
      TimelineData data;
      FleetConnection via;  // the connect that led to the hop after this one
    };
    std::deque<Up> chain;
    Up first;
    first.key = focus;
    if (!reader_.LoadSession(focus, &first.data, error)) return false;
    seen_.insert(KeyOf(focus));
    chain.push_front(std::move(first));
    while (chain.size() < options_.max_hops) {
      const StoredSession& s = chain.front().data.session;
      const std::string name = s.host + ":" + s.id;
      if (s.community_id.empty()) {
        if (!s.source_ip.empty()) {
          trace_->notes.push_back(name + ": the login from " + EndpointText(s.source_ip, s.source_port) +
                                  " has no Community ID (its connection's ports are not all known)");
        }
        break;
      }
      FleetConnection c;
      if (!reader_.ConnectOver(s.community_id, s.host, s.start_ms, options_.window_ms, &c, error)) {
        if (!error->empty()) return false;
        trace_->notes.push_back(name + ": no agent in the database recorded the connect from " +
                                EndpointText(s.source_ip, s.source_port) +
                                " (the chain starts outside the fleet)");
        break;
      }
      if (c.session_id.empty()) {
        trace_->notes.push_back(name + ": the connection came from " + c.host + " (pid " +
                                std::to_string(c.pid) + "), outside any login session there");
        break;
      }
      FleetSessionKey up{c.host, c.session_id};
      if (!seen_.insert(KeyOf(up)).second) {
        trace_->notes.push_back(name + ": came from " + up.host + ":" + up.id +
                                ", already in the trace (a loop; not followed again)");
        break;
      }
      Up hop;
      hop.key = up;
      hop.via = c;
      if (!reader_.LoadSession(up, &hop.data, error)) return false;
      chain.push_front(std::move(hop));
    }
    // The chain becomes the first hops: each one linked to the next by its connect.
    for (size_t i = 0; i < chain.size(); ++i) {
      TraceHop hop;
      hop.key = chain[i].key;
      hop.timeline = BuildTimeline(chain[i].data);
      hop.depth = static_cast<int>(i);
      if (i > 0) {
        hop.parent = static_cast<int>(i) - 1;
        hop.via = chain[i - 1].via;
        trace_->hops[i - 1].links.push_back({hop.via, static_cast<int>(i)});
      }
      trace_->hops.push_back(std::move(hop));
    }
    trace_->focus = static_cast<int>(chain.size()) - 1;
    trace_->hops[trace_->focus].focus = true;
    return Down(trace_->focus, error);
  }

 private:
  // Every connect of hop i that a login on another host came over, depth first.
  bool Down(int i, std::string* error) {
    std::vector<FleetConnection> connects;
    if (!reader_.ConnectsOf(trace_->hops[i].key, &connects, error)) return false;
    for (const FleetConnection& c : connects) {
      std::vector<FleetSessionRef> sessions;
      if (!reader_.SessionsOver(c.community_id, c.host, c.time_ms, options_.window_ms, &sessions,
                                error)) {
        return false;
      }
      for (const FleetSessionRef& s : sessions) {
        if (!seen_.insert(KeyOf(s.key)).second) {
          trace_->notes.push_back(trace_->hops[i].key.host + ":" + trace_->hops[i].key.id +
                                  ": led to " + s.key.host + ":" + s.key.id +
                                  ", already in the trace (a loop; not followed again)");
          continue;
        }
        if (trace_->hops.size() >= options_.max_hops) {
          trace_->notes.push_back("stopped after " + std::to_string(options_.max_hops) + " hops");
          return true;
        }
        TimelineData data;
        if (!reader_.LoadSession(s.key, &data, error)) return false;
        TraceHop hop;
        hop.key = s.key;
        hop.timeline = BuildTimeline(data);
        hop.parent = i;
        hop.via = c;
        hop.depth = trace_->hops[i].depth + 1;
        const int to = static_cast<int>(trace_->hops.size());
        trace_->hops.push_back(std::move(hop));
        trace_->hops[i].links.push_back({c, to});
        if (!Down(to, error)) return false;
      }
    }
    return true;
  }

  FleetReader& reader_;
  const TraceOptions& options_;
  Trace* trace_;
  std::set<Key> seen_;
};

struct Style {
  bool on;
  std::string operator()(const char* code, const std::string& text) const {
    return on ? "\033[" + std::string(code) + "m" + text + "\033[0m" : text;
  }
};

std::string WhoOf(const StoredSession& s) { return s.user.empty() ? "unknown user" : s.user; }

}  // namespace

bool BuildTrace(FleetReader& reader, const FleetSessionKey& focus, const TraceOptions& options,
                Trace* out, std::string* error) {
  out->window_ms = options.window_ms;
  return Walker(reader, options, out).Run(focus, error);
}

std::string RenderTraceText(const Trace& t, bool colour) {
  Style st{colour};
  std::string out;
  if (t.hops.empty()) return out;
  const TraceHop& focus = t.hops[static_cast<size_t>(t.focus)];
  // The chain through the traced session: its first hop down to it, then its first descendants.
  std::string path;
  size_t on_path = 0;
  for (int i = 0; i >= 0; ++on_path) {
    const TraceHop& h = t.hops[static_cast<size_t>(i)];
    if (!path.empty()) path += " → ";
    path += h.key.host + " (" + WhoOf(h.timeline.session) + ")";
    i = h.links.empty() ? -1 : h.links.front().to;
  }
  if (on_path < t.hops.size()) path += "; other branches below";
  out += st("1", "Trace of " + focus.key.host + ":" + focus.key.id + " (" +
                     WhoOf(focus.timeline.session) + "): " + std::to_string(t.hops.size()) +
                     (t.hops.size() == 1 ? " session" : " sessions")) +
         "\n";
  out += path + "\n";
  out += st("2", "(a hop: a connect on one host and a login on another with the same Community ID, "
                 "within " + FormatDuration(t.window_ms) + ")") +
         "\n";
  for (size_t i = 0; i < t.hops.size(); ++i) {
    const TraceHop& h = t.hops[i];
    const StoredSession& s = h.timeline.session;
    const std::string pad(static_cast<size_t>(h.depth) * 2, ' ');
    out += "\n";
    std::string title = "[" + std::to_string(i + 1) + "] " + h.key.host + "  " + WhoOf(s);
    if (!s.service.empty()) title += " via " + s.service;
    title += ", session " + s.id;
    out += pad + st("1", title);
    if (h.focus) out += "  " + st("1;33", "<- traced session");
    out += "\n";
    std::string from = "    logged in from " + EndpointText(s.source_ip, s.source_port);
    if (!s.dest_ip.empty()) from += " → " + EndpointText(s.dest_ip, s.dest_port);
    if (!s.community_id.empty()) from += "  (Community ID " + s.community_id + ")";
    if (h.parent >= 0) from += ", over hop [" + std::to_string(h.parent + 1) + "]'s connect";
    if (s.source_ip.empty()) from = "    logged in locally (no network source)";
    out += pad + from + "\n";
    std::string when = "    started " + FormatLocalTime(s.start_ms, true) + " " + ZoneName(s.start_ms);
    if (s.end_ms > 0) {
      when += ", ended " + FormatLocalTime(s.end_ms, false).substr(0, 8) + " after " +
              FormatDuration(s.end_ms - s.start_ms);
    } else {
      when += ", still open";
    }
    when += "; " + std::to_string(s.commands) + (s.commands == 1 ? " command" : " commands") +
            ", " + std::to_string(s.failed) + (s.failed == 1 ? " failure" : " failures");
    out += pad + when + "\n";
    // The entries one by one, so that the connect that led to the next hop is marked where it is.
    std::vector<bool> shown(h.links.size(), false);
    for (const TimelineEntry& e : h.timeline.entries) {
      Timeline one;
      one.entries.push_back(e);
      out += RenderTimelineEntriesText(one, colour, static_cast<int>(pad.size()) + 4);
      if (e.kind != "network") continue;
      for (size_t k = 0; k < h.links.size(); ++k) {
        const FleetConnection& c = h.links[k].connection;
        if (shown[k] || c.time_ms != e.time_ms) continue;
        shown[k] = true;
        out += pad + std::string(20 + static_cast<size_t>(e.depth) * 2, ' ') +
               st("1;36", "=> hop [" + std::to_string(h.links[k].to + 1) + "] " +
                              t.hops[h.links[k].to].key.host) +
               " (" + EndpointText(c.local_ip, c.local_port) + " → " +
               EndpointText(c.remote_ip, c.remote_port) + ", Community ID " + c.community_id + ")\n";
      }
    }
    for (size_t k = 0; k < h.links.size(); ++k) {
      if (shown[k]) continue;
      const FleetConnection& c = h.links[k].connection;
      out += pad + "    " + st("2", FormatLocalTime(c.time_ms, false)) + "  " +
             st("1;36", "=> hop [" + std::to_string(h.links[k].to + 1) + "] " +
                            t.hops[h.links[k].to].key.host) +
             " (connect " + EndpointText(c.local_ip, c.local_port) + " → " +
             EndpointText(c.remote_ip, c.remote_port) + ", pid " + std::to_string(c.pid) +
             ", Community ID " + c.community_id + ")\n";
    }
    if (h.timeline.hidden > 0) {
      out += pad + "    " +
             st("2", "(" + std::to_string(h.timeline.hidden) +
                         (h.timeline.hidden == 1 ? " event" : " events") + " folded away)") +
             "\n";
    }
  }
  if (!t.notes.empty()) {
    out += "\n";
    for (const std::string& n : t.notes) out += st("2", "note: " + n) + "\n";
  }
  return out;
}

std::string RenderTraceJson(const Trace& t) {
  std::string out = "{";
  if (!t.hops.empty()) {
    const TraceHop& f = t.hops[static_cast<size_t>(t.focus)];
    out += "\"session\":{\"host\":" + Quoted(f.key.host) + ",\"id\":" + Quoted(f.key.id) + "},";
  }
  out += "\"window_ms\":" + std::to_string(t.window_ms) + ",\"hops\":[";
  for (size_t i = 0; i < t.hops.size(); ++i) {
    const TraceHop& h = t.hops[i];
    if (i > 0) out.push_back(',');
    out += "{\"hop\":" + std::to_string(i + 1) + ",\"host\":" + Quoted(h.key.host) +
           ",\"depth\":" + std::to_string(h.depth) + ",\"focus\":" + (h.focus ? "true" : "false");
    out += ",\"from_hop\":" + (h.parent >= 0 ? std::to_string(h.parent + 1) : std::string("null"));
    out += ",\"via\":" + (h.parent >= 0 ? ConnectionJson(h.via) : std::string("null"));
    out += ",\"session\":" + SessionJson(h.timeline.session, h.timeline.session.last_seen_ms);
    out += ",\"entries\":" + TimelineEntriesJson(h.timeline);
    out += ",\"hidden\":" + std::to_string(h.timeline.hidden);
    out += ",\"links\":[";
    for (size_t k = 0; k < h.links.size(); ++k) {
      if (k > 0) out.push_back(',');
      out += "{\"to_hop\":" + std::to_string(h.links[k].to + 1) +
             ",\"connection\":" + ConnectionJson(h.links[k].connection) + "}";
    }
    out += "]}";
  }
  out += "],\"notes\":[";
  for (size_t i = 0; i < t.notes.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += Quoted(t.notes[i]);
  }
  out += "]}\n";
  return out;
}

}  // namespace auditlens
