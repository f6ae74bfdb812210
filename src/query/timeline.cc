#include "query/timeline.h"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "common/endpoint.h"
#include "common/parse_int.h"
#include "common/time_format.h"
#include "common/json_value.h"
#include "output/json_writer.h"

namespace auditlens {
namespace {

// What the timeline shows of a program that ran: one exec of the session.
struct Node {
  const StoredEvent* exec = nullptr;
  const StoredProcess* proc = nullptr;
  std::string role;
  std::vector<std::string> args;
  std::string exe, cwd;
  int parent = -1;
  std::vector<int> children;
  std::vector<const StoredEvent*> items;
  bool hidden = false;
  std::vector<TimelineEntry> extra;  // lines made here that go among the children (startup files)
};

// A thing to show at one level: a node, an event, or an entry made here (login, logout, ...).
struct Unit {
  int64_t time_ms = 0;
  int64_t serial = 0;
  int node = -1;
  const StoredEvent* event = nullptr;
  TimelineEntry made;
  bool is_made = false;
};

std::vector<std::string> StringsOf(const JsonValue& array) {
  std::vector<std::string> out;
  for (const JsonValue& v : array.items()) out.push_back(v.text());
  return out;
}

std::string JoinArgs(const std::vector<std::string>& args) {
  std::string out;
  for (const std::string& a : args) {
    if (!out.empty()) out.push_back(' ');
    out += ShellQuote(a);
  }
  return out;
}

std::string Abbreviate(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;  // UTF-8 boundary
  return s.substr(0, cut) + "...";
}

std::string EndpointText(const JsonValue& end) {
  if (!end.is_object()) return {};
  return JoinHostPort(end.Str("ip"), end["port"].text());
}

std::string SessionSource(const StoredSession& s) {
  if (s.source_ip.empty()) return {};
  return JoinHostPort(s.source_ip, s.source_port > 0 ? std::to_string(s.source_port) : std::string());
}

std::string JsonOf(const std::vector<std::pair<std::string, std::string>>& raw_members) {
  std::string out = "{";
  for (const auto& [k, v] : raw_members) {
    if (v.empty()) continue;
    if (out.size() > 1) out.push_back(',');
    JsonWriter::AppendQuoted(k, &out);
    out.push_back(':');
    out += v;
  }
  out.push_back('}');
  return out;
}

std::string Quoted(std::string_view s) {
  std::string out;
  JsonWriter::AppendQuoted(s, &out);
  return out;
}

std::string ArgsJson(const std::vector<std::string>& args) {
  std::string out = "[";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) out.push_back(',');
    JsonWriter::AppendQuoted(args[i], &out);
  }
  out.push_back(']');
  return out;
}

// A privilege, file, network or failed-exec event as an entry; false when it is bookkeeping that is
// folded away (PAM account checks and credentials of su/sudo).
bool EntryOfEvent(const StoredEvent& e, TimelineEntry* out) {
  JsonValue d;
  JsonValue::Parse(e.detail, &d);
  out->time_ms = e.time_ms;
  out->event_time_ms = e.time_ms;
  out->event_serial = e.serial;
  out->failed = e.outcome == "failure";
  out->json = e.detail.empty() ? "{}" : e.detail;
  if (e.kind == "network" || e.kind == "bind") {
    std::string remote = EndpointText(d["remote"]);
    std::string local = EndpointText(d["local"]);
    std::string transport = d.Str("transport");
    std::string error = d.Str("error");
    out->kind = e.kind;
    if (e.kind == "bind") {
      out->text = "bound a socket to " + remote;
    } else if (d.Str("op") == "accept") {
      out->text = "accepted a connection from " + remote + (local.empty() ? "" : " to " + local);
    } else {
      out->text = local.empty() ? "connected to " + remote : "connection " + local + " -> " + remote;
    }
    if (!transport.empty()) out->text += " (" + transport + ")";
    if (d.Has("community_id")) out->text += ", community id " + d.Str("community_id");
    if (error == "EINPROGRESS") {
      out->failed = false;
      out->status = "in progress";
    } else if (!error.empty()) {
      out->status = error;
    }
    return true;
  }
  if (e.kind == "file") {
    out->kind = "file";
    out->text = d.Str("op") + " " + d.Str("path");
    if (d.Has("to")) out->text += " -> " + d.Str("to");
    if (d.Has("rule")) out->text += " (rule " + d.Str("rule") + ")";
    out->status = d.Str("error");
    return true;
  }
  if (e.kind == "exec") {
    out->kind = "exec-failed";
    out->failed = true;
    out->text = "could not run " + (d.Has("path") ? d.Str("path") : std::string("a program"));
    out->status = d.Str("error");
    return true;
  }
  if (e.kind == "privilege") {
    out->kind = "privilege";
    const std::string via = d.Str("via");
    const std::string to = d.Str("to");
    const std::string op = d.Str("op");
    if (d.Has("syscall")) {
      out->text = via + " now runs as " + (to.empty() ? "uid " + d["euid"].text() : to) +
                  " (uid " + d["uid"].text() + ", euid " + d["euid"].text() + "; was " +
                  (d.Has("from") ? d.Str("from") : "uid " + d["from_euid"].text()) + ")";
      return true;
    }
    if (op == "command") {
      out->text = via + ": " + d.Str("command");
      if (d.Has("cwd")) out->text += " (in " + d.Str("cwd") + ")";
      return true;
    }
    if (out->failed) {
      out->text = via + ": " + (op == "authentication" ? "authentication" : op) +
                  (to.empty() ? "" : " as " + to) + " failed";
      return true;
    }
    if (op == "session-open") {
      out->text = "became " + (to.empty() ? std::string("another user") : to) + " via " + via +
                  (d.Has("from") ? " (was " + d.Str("from") + ")" : "");
      return true;
    }
    if (op == "session-close") {
      out->text = via + " session as " + (to.empty() ? std::string("another user") : to) + " ended";
      return true;
    }
    return false;
  }
  return false;
}

std::string LoginText(const StoredSession& s) {
  std::string text = s.user.empty() ? std::string("someone") : s.user;
  if (s.from_proc) text += "'s session was already open when the agent started";
  else text += " logged in";
  if (!s.service.empty()) text += " via " + s.service;
  std::string from = SessionSource(s);
  if (!from.empty()) text += " from " + from;
  if (!s.dest_ip.empty() && s.dest_port > 0) {
    text += " to " + s.dest_ip + ":" + std::to_string(s.dest_port);
  }
  if (!s.hostname.empty() && s.hostname != s.source_ip) text += " (" + s.hostname + ")";
  if (!s.terminal.empty()) text += ", terminal " + s.terminal;
  else if (!s.tty.empty()) text += ", tty " + s.tty;
  return text;
}

class Builder {
 public:
  Builder(const TimelineData& data, const TimelineOptions& options) : data_(data), options_(options) {}

  Timeline Build() {
    Timeline t;
    t.session = data_.session;
    t.container_view = data_.container_view;
    t.container = data_.container;
    t.label = data_.label;
    if (!data_.label.empty()) {
      std::set<std::string> sessions;
      for (const StoredProcess& p : data_.processes) {
        if (!p.session_id.empty()) sessions.insert(p.session_id);
      }
      t.label_processes = data_.processes.size();
      t.label_sessions = sessions.size();
    }
    t.containers = data_.containers;
    for (const StoredProcess& p : data_.processes) procs_[p.entity_id] = &p;
    for (const StoredContainer& c : data_.containers) containers_[c.id] = &c;
    if (!data_.container_view) unit_ = t.unit = SessionUnit();
    std::vector<const StoredEvent*> others;
    for (const StoredEvent& e : data_.events) {
      // In a container's timeline a program outside sessions has no role: every one is a command.
      if (e.kind == "exec" && e.outcome == "success" &&
          (!e.role.empty() || data_.container_view) &&
          node_of_.find(e.entity_id) == node_of_.end()) {
        AddNode(e);
      } else {
        others.push_back(&e);
      }
    }
    for (size_t i = 0; i < nodes_.size(); ++i) {
      int parent = Nearest(nodes_[i].exec->entity_id, false);
      if (parent == static_cast<int>(i)) parent = -1;
      nodes_[i].parent = parent;
      if (parent >= 0) nodes_[parent].children.push_back(static_cast<int>(i));
    }
    // Login scripts, and everything below them, fold into one line.
    int first_script = -1;
    int scripts = 0;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (options_.show_login_scripts) break;
      bool hide = nodes_[i].role == "login-script";
      for (int p = nodes_[i].parent; !hide && p >= 0; p = nodes_[p].parent) hide = nodes_[p].hidden;
      if (!hide) continue;
      nodes_[i].hidden = true;
      ++scripts;  // the folded line's count; every hidden node is folded once, below
      if (first_script < 0) first_script = static_cast<int>(i);
    }

    FoldShellStartup();
    // Programs under a folded one are folded too (nodes are in exec order: parents first).
    for (Node& n : nodes_) {
      if (!n.hidden && n.parent >= 0 && nodes_[n.parent].hidden) n.hidden = true;
    }
    for (const Node& n : nodes_) {
      if (n.hidden) Fold(n.exec);
    }
    for (const StoredEvent* e : others) {
      if (e->kind != "privilege") continue;
      JsonValue d;
      if (JsonValue::Parse(e->detail, &d) && d.Has("type")) {
        pam_privilege_.insert(e->entity_id);
        pam_vias_.insert(d.Str("via"));
      }
    }

    std::vector<Unit> top;
    std::vector<const StoredEvent*> session_events;
    for (const StoredEvent* e : others) {
      if (e->kind == "exit") continue;
      if (e->kind == "login" || e->kind == "auth" || e->kind == "logout") {
        if (data_.container_view) {
          Fold(e);  // the session's own bookkeeping: its timeline shows it
        } else {
          session_events.push_back(e);
        }
        continue;
      }
      if (e->kind == "exec" && e->role.empty() && (!data_.container_view || PathSearch(*e))) {
        continue;  // execvp's PATH search
      }
      int node = Nearest(e->entity_id, true);
      if (node >= 0 && nodes_[node].hidden) {
        Fold(e);
        continue;
      }
      if (node >= 0) {
        nodes_[node].items.push_back(e);
      } else {
        Unit u;
        u.time_ms = e->time_ms;
        u.serial = e->serial;
        u.event = e;
        top.push_back(std::move(u));
      }
    }
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].parent >= 0 || nodes_[i].hidden) continue;
      Unit u;
      u.time_ms = nodes_[i].exec->time_ms;
      u.serial = nodes_[i].exec->serial;
      u.node = static_cast<int>(i);
      top.push_back(std::move(u));
    }
    if (!data_.container_view) AddSessionUnits(session_events, &top);
    if (first_script >= 0) {
      Unit u;
      u.time_ms = nodes_[first_script].exec->time_ms;
      u.serial = nodes_[first_script].exec->serial;
      u.is_made = true;
      u.made.kind = "login-scripts";
      u.made.time_ms = u.time_ms;
      u.made.text = "login scripts ran: " + Abbreviate(JoinArgs(nodes_[first_script].args), 120) +
                    " (" + std::to_string(scripts) + (scripts == 1 ? " program" : " programs") +
                    ", not shown)";
      u.made.json = "{\"programs\":" + std::to_string(scripts) +
                    ",\"first\":" + ArgsJson(nodes_[first_script].args) + "}";
      top.push_back(std::move(u));
    }
    Emit(top, 0, "", &t.entries);
    t.hidden = hidden_;
    if (options_.keep_folded) {
      std::sort(folded_.begin(), folded_.end(), [](const StoredEvent* a, const StoredEvent* b) {
        return a->time_ms != b->time_ms ? a->time_ms < b->time_ms : a->serial < b->serial;
      });
      for (const StoredEvent* e : folded_) t.folded.push_back(*e);
    }
    return t;
  }

 private:
  // A failed execve of execvp's PATH search (ENOENT): the recorder gives a session's no role; a
  // container's, outside sessions, have none anyway and are told by their error.
  static bool PathSearch(const StoredEvent& e) {
    if (e.outcome == "success") return false;
    JsonValue d;
    return JsonValue::Parse(e.detail, &d) && d.Str("error") == "ENOENT";
  }

  // The session's systemd unit: its login process's, else that of its first process with one
  // outside containers.
  std::string SessionUnit() const {
    auto leader = procs_.find(data_.session.leader_entity);
    if (leader != procs_.end() && !leader->second->service.empty()) return leader->second->service;
    for (const StoredProcess& p : data_.processes) {
      if (!p.service.empty() && p.container_id.empty()) return p.service;
    }
    return {};
  }

  // The marks of an entry made from the process (null: none). parent_session: the session of the
  // entry it is nested under (a container's timeline names a session where it changes).
  void Mark(const StoredProcess* p, const std::string& parent_session, TimelineEntry* e) const {
    if (p == nullptr) return;
    if (data_.container_view) {
      if (!p->session_id.empty() && p->session_id != parent_session) e->session_id = p->session_id;
      return;
    }
    if (!p->container_id.empty()) {
      e->container_id = p->container_id;
      auto c = containers_.find(p->container_id);
      if (c != containers_.end()) {
        e->container = ContainerText(*c->second);
      } else {
        StoredContainer bare;
        bare.id = p->container_id;
        e->container = ContainerText(bare);
      }
    }
    if (!p->service.empty() && p->service != unit_ && p->container_id.empty()) {
      e->service = p->service;
    }
  }
  const StoredProcess* ProcOf(const std::string& entity) const {
    auto p = procs_.find(entity);
    return p == procs_.end() ? nullptr : p->second;
  }
  // The session of a node's process (for the marks of what is nested under it).
  std::string SessionOfNode(int node) const {
    if (node < 0 || nodes_[node].proc == nullptr) return {};
    return nodes_[node].proc->session_id;
  }

  void AddNode(const StoredEvent& e) {
    Node n;
    n.exec = &e;
    n.role = e.role;
    auto p = procs_.find(e.entity_id);
    if (p != procs_.end()) n.proc = p->second;
    JsonValue d;
    if (JsonValue::Parse(e.detail, &d)) {
      n.args = StringsOf(d["args"]);
      n.exe = d.Str("exe");
      n.cwd = d.Str("cwd");
    }
    if (n.args.empty() && n.proc != nullptr) {
      JsonValue a;
      if (JsonValue::Parse(n.proc->args, &a)) n.args = StringsOf(a);
    }
    if (n.args.empty() && !n.exe.empty()) n.args.push_back(n.exe);
    node_of_[e.entity_id] = static_cast<int>(nodes_.size());
    nodes_.push_back(std::move(n));
  }

  // An interactive login shell ("-bash") runs its startup files (/etc/profile, ~/.bashrc: id -u,
  // dircolors, ...) before the first prompt: the burst of programs it starts right away, each
  // within 400 ms of the one before, is one line. A person needs longer than that to type.
  void FoldShellStartup() {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      Node& shell = nodes_[i];
      if (shell.hidden || shell.args.size() != 1 || shell.args[0].empty() || shell.args[0][0] != '-') {
        continue;
      }
      std::vector<int> kids = shell.children;
      std::sort(kids.begin(), kids.end(), [this](int a, int b) {
        return nodes_[a].exec->time_ms < nodes_[b].exec->time_ms;
      });
      int64_t last = shell.exec->time_ms;
      std::vector<std::string> names;
      for (int k : kids) {
        if (nodes_[k].exec->time_ms > last + 400) break;
        last = nodes_[k].exec->time_ms;
        nodes_[k].hidden = true;
        names.push_back(JoinArgs(nodes_[k].args));
      }
      if (names.empty()) continue;
      TimelineEntry e;
      e.kind = "login-scripts";
      e.time_ms = nodes_[kids[0]].exec->time_ms;
      std::string list;
      for (const std::string& n : names) list += (list.empty() ? "" : "; ") + n;
      e.text = "shell startup files ran: " + Abbreviate(list, 100) + " (" +
               std::to_string(names.size()) + (names.size() == 1 ? " program" : " programs") +
               ", not shown)";
      e.json = "{\"programs\":" + std::to_string(names.size()) + "}";
      shell.extra.push_back(std::move(e));
    }
  }

  // su, sudo: several PAM records per use (authentication, account, credentials, session open and
  // close, sudo's USER_CMD) become one line per process: who became whom, to run what. Failures
  // stay lines of their own. Their own set*id calls fold into that line.
  struct Privilege {
    std::string via, from, to, command, cwd;
  };
  static std::string PrivilegeText(const Privilege& p) {
    std::string who = p.from.empty() ? std::string("the user") : p.from;
    std::string text = who + " became " + (p.to.empty() ? std::string("another user") : p.to) +
                       " via " + p.via;
    if (!p.command.empty()) text += " to run: " + p.command;
    return text;
  }
  // True when the event was folded into an earlier line (or is bookkeeping).
  bool FoldPrivilege(const StoredEvent& e, std::vector<TimelineEntry>* out) {
    JsonValue d;
    if (!JsonValue::Parse(e.detail, &d)) return false;
    // su's and sudo's own set*id calls (in them or their forks) are what their line says already.
    if (d.Has("syscall")) {
      return pam_privilege_.count(e.entity_id) > 0 || pam_vias_.count(d.Str("via")) > 0;
    }
    if (!d.Has("type") || e.outcome == "failure") return false;
    const std::string op = d.Str("op");
    if (op != "session-open" && op != "command") return true;  // credentials, account, close
    auto it = privilege_line_.find(e.pid);
    size_t index;
    if (it == privilege_line_.end() || it->second >= out->size()) {
      TimelineEntry entry;
      entry.kind = "privilege";
      entry.time_ms = e.time_ms;
      entry.event_time_ms = e.time_ms;
      entry.event_serial = e.serial;
      entry.json = e.detail;
      out->push_back(std::move(entry));
      index = out->size() - 1;
      privilege_line_[e.pid] = index;
      privilege_[e.pid] = Privilege();
    } else {
      index = it->second;
    }
    Privilege& p = privilege_[e.pid];
    if (p.via.empty()) p.via = d.Str("via");
    if (p.from.empty()) p.from = d.Str("from");
    if (op == "session-open" && p.to.empty()) p.to = d.Str("to");
    if (op == "command") {
      p.command = d.Str("command");
      p.cwd = d.Str("cwd");
    }
    TimelineEntry& entry = (*out)[index];
    entry.text = PrivilegeText(p);
    std::vector<std::pair<std::string, std::string>> m = {
        {"via", Quoted(p.via)}, {"from", p.from.empty() ? "" : Quoted(p.from)},
        {"to", p.to.empty() ? "" : Quoted(p.to)},
        {"command", p.command.empty() ? "" : Quoted(p.command)},
        {"cwd", p.cwd.empty() ? "" : Quoted(p.cwd)}, {"pid", std::to_string(e.pid)}};
    entry.json = JsonOf(m);
    return true;
  }

  // The node of the program the entity is, or ran under: the entity itself (include_self), the
  // image it replaced (same process, earlier exec), then up through its parents.
  int Nearest(const std::string& entity, bool include_self) {
    std::string cur = entity;
    bool first = true;
    for (int guard = 0; guard < 64 && !cur.empty(); ++guard) {
      if (!first || include_self) {
        auto n = node_of_.find(cur);
        if (n != node_of_.end()) return n->second;
      }
      first = false;
      auto p = procs_.find(cur);
      if (p == procs_.end()) return -1;
      // (A store may hold an image that names itself as previous: a fork and its exec in the
      // same millisecond share the entity id.)
      if (!p->second->previous_entity.empty() && p->second->previous_entity != cur) {
        auto n = node_of_.find(p->second->previous_entity);
        if (n != node_of_.end()) return n->second;
      }
      cur = p->second->parent_entity;
    }
    return -1;
  }

  void AddSessionUnits(const std::vector<const StoredEvent*>& events, std::vector<Unit>* top) {
    const StoredSession& s = data_.session;
    const bool failed_login = s.state == "failed";
    bool have_login = false;
    int64_t login_time = s.start_ms;
    int64_t login_serial = 0;
    int64_t login_event_time = 0;
    int64_t logout_time = 0;
    int64_t logout_serial = -1;
    int64_t last_auth_failure = 0;
    for (const StoredEvent* e : events) {
      JsonValue d;
      JsonValue::Parse(e->detail, &d);
      const std::string type = d.Str("type");
      if (e->outcome == "failure" && type == "USER_LOGIN" && last_auth_failure != 0 &&
          e->time_ms <= last_auth_failure + 10000) {
        Fold(e);  // sshd's summary of the failed authentication just shown
        continue;
      }
      if (e->outcome == "failure") {
        if (type == "USER_AUTH") last_auth_failure = e->time_ms;
        Unit u;
        u.time_ms = e->time_ms;
        u.serial = e->serial;
        u.is_made = true;
        u.made.kind = "auth";
        u.made.time_ms = e->time_ms;
        u.made.failed = true;
        u.made.event_time_ms = e->time_ms;
        u.made.event_serial = e->serial;
        std::string what = type == "USER_AUTH"   ? "authentication (password or other PAM check)"
                           : type == "USER_ACCT" ? "account check (expired, locked or not allowed)"
                           : type == "USER_LOGIN" ? "login"
                                                  : d.Str("op");
        u.made.text = (failed_login ? "login failed: " : "") + what + " of " +
                      (d.Has("acct") ? "'" + d.Str("acct") + "'" : std::string("the user")) +
                      " refused" + (d.Has("exe") ? " by " + d.Str("exe") : "") +
                      (d.Has("addr") && d.Str("addr") != "?" ? " (from " + d.Str("addr") + ")" : "");
        u.made.json = e->detail;
        top->push_back(std::move(u));
        continue;
      }
      if (e->kind == "logout") {
        if (logout_time == 0) {
          logout_time = e->time_ms;
          logout_serial = e->serial;
        }
        Fold(e);
        continue;
      }
      if (!have_login && !failed_login) {
        // The login line stands for this event; the session's other PAM records fold into it.
        have_login = true;
        login_time = std::min(login_time, e->time_ms);
        login_serial = e->serial;
        login_event_time = e->time_ms;
        continue;
      }
      Fold(e);
    }
    if (!failed_login) {
      Unit u;
      u.time_ms = have_login ? login_time : s.start_ms;
      u.serial = login_serial;
      u.is_made = true;
      u.made.kind = "login";
      u.made.time_ms = u.time_ms;
      u.made.text = LoginText(s);
      if (have_login) {
        u.made.event_time_ms = login_event_time;
        u.made.event_serial = login_serial;
      }
      std::vector<std::pair<std::string, std::string>> m = {
          {"user", s.user.empty() ? "" : Quoted(s.user)},
          {"service", s.service.empty() ? "" : Quoted(s.service)},
          {"source_ip", s.source_ip.empty() ? "" : Quoted(s.source_ip)},
          {"source_port", s.source_port > 0 ? std::to_string(s.source_port) : ""},
          {"terminal", s.terminal.empty() ? "" : Quoted(s.terminal)}};
      u.made.json = JsonOf(m);
      top->push_back(std::move(u));
    }
    if (s.end_ms > 0 && !failed_login) {
      Unit u;
      u.time_ms = logout_time > 0 ? logout_time : s.end_ms;
      u.serial = INT64_MAX;
      u.is_made = true;
      u.made.kind = "logout";
      u.made.time_ms = u.time_ms;
      if (logout_serial >= 0) {
        u.made.event_time_ms = logout_time;
        u.made.event_serial = logout_serial;
      }
      u.made.text = "logged out; the session lasted " + FormatDuration(s.end_ms - s.start_ms);
      u.made.json = "{\"duration_ms\":" + std::to_string(s.end_ms - s.start_ms) + "}";
      top->push_back(std::move(u));
    }
  }

  // shown_cwd: the directory the reader was last told at this level; a command names its own only
  // when it differs (after a cd), and that becomes the one shown.
  TimelineEntry EntryOfNode(int i, std::string* shown_cwd) {
    const Node& n = nodes_[i];
    TimelineEntry e;
    e.kind = n.role == "shell" ? "shell" : "command";
    e.time_ms = n.exec->time_ms;
    e.event_time_ms = n.exec->time_ms;
    e.event_serial = n.exec->serial;
    e.text = JoinArgs(n.args);
    if (!n.cwd.empty() && !shown_cwd->empty() && n.cwd != *shown_cwd) e.text += "  (in " + n.cwd + ")";
    if (!n.cwd.empty()) *shown_cwd = n.cwd;
    std::vector<std::pair<std::string, std::string>> m = {
        {"command", Quoted(JoinArgs(n.args))},
        {"args", ArgsJson(n.args)},
        {"exe", n.exe.empty() ? "" : Quoted(n.exe)},
        {"cwd", n.cwd.empty() ? "" : Quoted(n.cwd)},
        {"pid", std::to_string(n.exec->pid)},
        {"entity_id", Quoted(n.exec->entity_id)}};
    if (n.proc != nullptr && n.proc->exited) {
      m.emplace_back("exit_code", std::to_string(n.proc->exit_code));
      if (n.proc->exit_code != 0) {
        e.failed = true;
        e.status = "exit " + std::to_string(n.proc->exit_code);
      }
    }
    if (n.proc != nullptr && !n.proc->exe_sha256.empty()) {
      m.emplace_back("sha256", Quoted(n.proc->exe_sha256));
    }
    e.json = JsonOf(m);
    Mark(n.proc, SessionOfNode(n.parent), &e);
    return e;
  }

  void Emit(std::vector<Unit>& units, int depth, const std::string& parent_cwd,
            std::vector<TimelineEntry>* out) {
    std::stable_sort(units.begin(), units.end(), [](const Unit& a, const Unit& b) {
      return a.time_ms != b.time_ms ? a.time_ms < b.time_ms : a.serial < b.serial;
    });
    int last_leaf = -1;  // index in *out of the previous leaf command at this level
    std::string last_leaf_key;
    std::string shown_cwd = parent_cwd;
    for (Unit& u : units) {
      if (u.is_made) {
        u.made.depth = depth;
        out->push_back(std::move(u.made));
        last_leaf = -1;
        continue;
      }
      if (u.event != nullptr) {
        if (u.event->kind == "privilege") {
          const size_t before = out->size();
          if (FoldPrivilege(*u.event, out)) {
            if (out->size() > before) {
              out->back().depth = depth;
            } else if (before == out->size()) {
              Fold(u.event);
            }
            last_leaf = -1;
            continue;
          }
        }
        TimelineEntry e;
        if (!EntryOfEvent(*u.event, &e)) {
          Fold(u.event);
          continue;
        }
        {
          const StoredProcess* p = ProcOf(u.event->entity_id);
          const int node = p != nullptr ? Nearest(u.event->entity_id, true) : -1;
          // Under its own command, the session is that command's (already named there).
          Mark(p, node >= 0 ? SessionOfNode(node) : std::string(), &e);
        }
        e.depth = depth;
        out->push_back(std::move(e));
        last_leaf = -1;
        continue;
      }
      const Node& n = nodes_[u.node];
      TimelineEntry e = EntryOfNode(u.node, &shown_cwd);
      // Repeats: the same command line, in the same directory, with the same result.
      std::string key = JoinArgs(n.args) + '\0' + n.cwd + '\0' + e.status + '\0' + e.kind + '\0' +
                        e.container_id + '\0' + e.session_id + '\0' + e.service;
      e.depth = depth;
      bool leaf = std::none_of(n.children.begin(), n.children.end(),
                               [this](int c) { return !nodes_[c].hidden; }) &&
                  n.items.empty() && n.extra.empty();
      if (leaf && last_leaf >= 0 && key == last_leaf_key) {
        ++(*out)[last_leaf].count;
        continue;
      }
      out->push_back(std::move(e));
      if (!leaf) {
        std::vector<Unit> below;
        for (int c : n.children) {
          if (nodes_[c].hidden) continue;
          Unit cu;
          cu.time_ms = nodes_[c].exec->time_ms;
          cu.serial = nodes_[c].exec->serial;
          cu.node = c;
          below.push_back(std::move(cu));
        }
        for (const TimelineEntry& made : n.extra) {
          Unit mu;
          mu.time_ms = made.time_ms;
          mu.is_made = true;
          mu.made = made;
          below.push_back(std::move(mu));
        }
        for (const StoredEvent* ev : n.items) {
          Unit iu;
          iu.time_ms = ev->time_ms;
          iu.serial = ev->serial;
          iu.event = ev;
          below.push_back(std::move(iu));
        }
        Emit(below, depth + 1, n.cwd.empty() ? parent_cwd : n.cwd, out);
        last_leaf = -1;
      } else {
        last_leaf = static_cast<int>(out->size()) - 1;
        last_leaf_key = std::move(key);
      }
    }
  }

  const TimelineData& data_;
  const TimelineOptions& options_;
  std::unordered_map<std::string, const StoredProcess*> procs_;
  std::unordered_map<std::string, const StoredContainer*> containers_;
  std::string unit_;
  std::vector<Node> nodes_;
  std::unordered_map<std::string, int> node_of_;
  std::unordered_set<std::string> pam_privilege_;  // entities with su/sudo PAM records
  std::unordered_set<std::string> pam_vias_;       // the programs of those records ("su")
  std::unordered_map<int64_t, size_t> privilege_line_;  // pid -> its line in the output
  std::unordered_map<int64_t, Privilege> privilege_;
  // An event with no line of its own: counted, and kept for the JSON when asked.
  void Fold(const StoredEvent* e) {
    ++hidden_;
    if (options_.keep_folded) folded_.push_back(e);
  }

  int hidden_ = 0;
  std::vector<const StoredEvent*> folded_;
};

struct Style {
  bool on;
  std::string operator()(const char* code, const std::string& text) const {
    if (!on || text.empty()) return text;
    return std::string("\x1b[") + code + "m" + text + "\x1b[0m";
  }
};

const char* LabelOf(const TimelineEntry& e) {
  if (e.kind == "login") return "login";
  if (e.kind == "logout") return "logout";
  if (e.kind == "shell") return "shell";
  if (e.kind == "command") return "$";
  if (e.kind == "exec-failed") return "$";
  if (e.kind == "network") return "net";
  if (e.kind == "bind") return "net";
  if (e.kind == "file") return "file";
  if (e.kind == "privilege") return "priv";
  if (e.kind == "auth") return "auth";
  if (e.kind == "login-scripts") return "...";
  return "";
}

const char* ColourOf(const TimelineEntry& e) {
  if (e.failed) return "1;31";
  if (e.kind == "login" || e.kind == "logout") return "32";
  if (e.kind == "shell") return "1";
  if (e.kind == "command") return "1";
  if (e.kind == "network" || e.kind == "bind") return "34";
  if (e.kind == "file") return "33";
  if (e.kind == "privilege") return "35";
  if (e.kind == "login-scripts") return "2";
  return "0";
}

}  // namespace

std::string ZoneName(int64_t ms) { return FormatLocal(ms, "%Z"); }

std::string ShellQuote(std::string_view arg) {
  if (arg.empty()) return "''";
  bool plain = std::all_of(arg.begin(), arg.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || strchr("@%+=:,./-_", c) != nullptr ||
           static_cast<unsigned char>(c) >= 0x80;
  });
  if (plain) return std::string(arg);
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') out += "'\\''";
    else out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

std::string FormatDuration(int64_t ms) {
  if (ms < 0) ms = 0;
  char buf[48];
  if (ms < 10000) {
    snprintf(buf, sizeof(buf), "%.1f s", static_cast<double>(ms) / 1000.0);
  } else if (ms < 60000) {
    snprintf(buf, sizeof(buf), "%lld s", static_cast<long long>(ms / 1000));
  } else if (ms < 3600000) {
    snprintf(buf, sizeof(buf), "%lld min %lld s", static_cast<long long>(ms / 60000),
             static_cast<long long>(ms / 1000 % 60));
  } else if (ms < 86400000) {
    snprintf(buf, sizeof(buf), "%lld h %lld min", static_cast<long long>(ms / 3600000),
             static_cast<long long>(ms / 60000 % 60));
  } else {
    snprintf(buf, sizeof(buf), "%lld d %lld h", static_cast<long long>(ms / 86400000),
             static_cast<long long>(ms / 3600000 % 24));
  }
  return buf;
}

std::string FormatLocalTime(int64_t ms, bool with_date) {
  if (with_date) return FormatLocal(ms, "%Y-%m-%d %H:%M:%S");
  char millis[8];
  snprintf(millis, sizeof(millis), ".%03u", MillisOf(ms));
  return FormatLocal(ms, "%H:%M:%S") + millis;
}

bool ParseSince(std::string_view text, int64_t now_ms, int64_t* out_ms) {
  if (text.empty()) return false;
  char unit = text.back();
  std::string number(text.substr(0, text.size() - 1));
  if (std::strchr("smhdw", unit) != nullptr && !number.empty() &&
      std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t n = 0;
    if (!ParseI64(number, &n)) return false;
    int64_t scale = unit == 's' ? 1000 : unit == 'm' ? 60000 : unit == 'h' ? 3600000
                  : unit == 'd' ? 86400000 : 7 * 86400000LL;
    *out_ms = now_ms - n * scale;
    return true;
  }
  std::string s(text);
  for (const char* format : {"%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                             "%Y-%m-%dT%H:%M", "%Y-%m-%d"}) {
    struct tm tm {};
    const char* end = strptime(s.c_str(), format, &tm);
    if (end == nullptr || *end != 0) continue;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    if (t == static_cast<time_t>(-1)) return false;
    *out_ms = static_cast<int64_t>(t) * 1000;
    return true;
  }
  return false;
}

Timeline BuildTimeline(const TimelineData& data, const TimelineOptions& options) {
  Timeline t = Builder(data, options).Build();
  t.session.commands = 0;
  t.session.failed_commands = 0;
  t.session.failed = 0;
  for (const TimelineEntry& e : t.entries) {
    if (e.kind == "command") t.session.commands += e.count;
    if (e.kind == "command" && e.failed) t.session.failed_commands += e.count;
    if (e.failed) t.session.failed += e.count;
  }
  return t;
}

bool SummarizeSessions(StoreReader& reader, std::vector<StoredSession>* sessions,
                       std::string* error) {
  for (StoredSession& s : *sessions) {
    if (s.summarized) {
      // Its row's summary is current (a version 5 store): only its containers are read.
      if (!reader.ContainersOf(s.summary_containers, &s.containers, error)) return false;
      continue;
    }
    TimelineData data;
    if (!reader.LoadTimeline(s.id, &data, error)) return false;
    Timeline t = BuildTimeline(data);
    s.commands = t.session.commands;
    s.failed_commands = t.session.failed_commands;
    s.failed = t.session.failed;
    s.containers = std::move(data.containers);
  }
  return true;
}

namespace {

// A container's name, image or pod as text for a terminal: they come from the runtime (whoever
// created the container chose them), so control characters (an escape sequence, a line break)
// are shown as '?'. The JSON has them exact, escaped.
std::string Printable(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

std::string ContainerTitle(const StoredContainer& c) {
  std::string text = "Container " + Printable(c.ShortId());
  if (!c.name.empty() && c.name != c.ShortId()) text += ": " + Printable(c.name);
  std::vector<std::string> parts;
  if (!c.image.empty()) parts.push_back("image " + Printable(c.image));
  if (!c.runtime.empty()) parts.push_back(c.runtime);
  if (!c.pod_name.empty()) {
    parts.push_back("pod " + Printable((c.pod_namespace.empty() ? "" : c.pod_namespace + "/") +
                                       c.pod_name));
  }
  for (size_t i = 0; i < parts.size(); ++i) text += (i == 0 ? " (" : ", ") + parts[i];
  if (!parts.empty()) text += ")";
  return text;
}

std::string RenderLabelTimelineText(const Timeline& t, bool colour) {
  Style st{colour};
  std::string out = st("1", "Label " + Printable(t.label)) + "\n";
  out += std::to_string(t.label_processes) + (t.label_processes == 1 ? " process" : " processes") +
         ", " + std::to_string(t.label_sessions) +
         (t.label_sessions == 1 ? " login session" : " login sessions") + "; " +
         std::to_string(t.session.commands) +
         (t.session.commands == 1 ? " command" : " commands") + ", " +
         std::to_string(t.session.failed) + (t.session.failed == 1 ? " failure" : " failures") +
         "\n\n";
  out += RenderTimelineEntriesText(t, colour, 0);
  return out;
}

std::string RenderContainerTimelineText(const Timeline& t, bool colour) {
  Style st{colour};
  const StoredContainer& c = t.container;
  std::string out = st("1", ContainerTitle(c)) + "\n";
  if (c.id != c.ShortId()) out += "Id " + Printable(c.id) + "\n";
  std::string when = "First seen " + FormatLocalTime(c.first_seen_ms, true) + " " +
                     ZoneName(c.first_seen_ms) + ", last seen " +
                     FormatLocalTime(c.last_seen_ms, true);
  when += "; " + std::to_string(c.processes) + (c.processes == 1 ? " process" : " processes") +
          ", " + std::to_string(c.sessions) + (c.sessions == 1 ? " login session" : " login sessions") +
          "; " + std::to_string(t.session.commands) +
          (t.session.commands == 1 ? " command" : " commands") + ", " +
          std::to_string(t.session.failed) + (t.session.failed == 1 ? " failure" : " failures");
  out += when + "\n\n";
  out += RenderTimelineEntriesText(t, colour, 0);
  return out;
}

}  // namespace

std::string ContainerText(const StoredContainer& c) {
  if (c.name.empty()) return Printable(c.ShortId());
  return Printable(c.image.empty() ? c.name : c.name + " (" + c.image + ")");
}

std::string RenderTimelineText(const Timeline& t, bool colour) {
  if (!t.label.empty()) return RenderLabelTimelineText(t, colour);
  if (t.container_view) return RenderContainerTimelineText(t, colour);
  Style st{colour};
  const StoredSession& s = t.session;
  std::string out;
  std::string who = s.user.empty() ? std::string("unknown user") : s.user;
  std::string title = "Session " + s.id + ": " + who;
  if (!s.service.empty()) title += " via " + s.service;
  std::string from = SessionSource(s);
  if (!from.empty()) title += " from " + from;
  out += st("1", title) + "\n";
  std::string when;
  if (s.state == "failed") {
    when = "Failed login at " + FormatLocalTime(s.start_ms, true) + " " + ZoneName(s.start_ms) +
           "; " + std::to_string(s.failures) + (s.failures == 1 ? " attempt" : " attempts") +
           " refused";
  } else {
    when = "Started " + FormatLocalTime(s.start_ms, true) + " " + ZoneName(s.start_ms);
    if (s.end_ms > 0) {
      when += ", ended " + FormatLocalTime(s.end_ms, false).substr(0, 8) + " after " +
              FormatDuration(s.end_ms - s.start_ms);
    } else {
      when += ", still open (last activity " + FormatLocalTime(s.last_seen_ms, false).substr(0, 8) +
              ")";
    }
    when += "; " + std::to_string(s.commands) + (s.commands == 1 ? " command" : " commands") +
            ", " + std::to_string(s.failed) + (s.failed == 1 ? " failure" : " failures");
  }
  out += when + "\n";
  if (!t.unit.empty()) out += "Unit " + t.unit + "\n";
  if (!t.containers.empty()) {
    std::string list;
    for (const StoredContainer& c : t.containers) list += (list.empty() ? "" : ", ") + ContainerText(c);
    out += "Ran commands in " + std::string(t.containers.size() == 1 ? "container " : "containers ") +
           list + "\n";
  }
  out += "\n";
  out += RenderTimelineEntriesText(t, colour, 0);
  return out;
}

std::string RenderTimelineEntriesText(const Timeline& t, bool colour, int indent) {
  Style st{colour};
  std::string out;
  for (const TimelineEntry& e : t.entries) {
    std::string line(static_cast<size_t>(indent), ' ');
    line += st("2", FormatLocalTime(e.time_ms, false)) + "  ";
    line.append(static_cast<size_t>(e.depth) * 2, ' ');
    line += st(ColourOf(e), LabelOf(e)) + " ";
    line += e.kind == "command" || e.kind == "shell" ? st(e.failed ? "31" : "0", e.text) : e.text;
    if (e.count > 1) line += "  (x" + std::to_string(e.count) + ")";
    if (!e.container.empty()) line += "  " + st("36", "[container " + e.container + "]");
    if (!e.session_id.empty()) line += "  " + st("36", "[session " + e.session_id + "]");
    if (!e.service.empty()) line += "  " + st("2", "[unit " + e.service + "]");
    if (e.failed) {
      line += "  " + st("1;31", "FAILED" + (e.status.empty() ? std::string() : ": " + e.status));
    } else if (!e.status.empty()) {
      line += "  (" + e.status + ")";
    }
    out += line + "\n";
  }
  if (t.hidden > 0) {
    out.append(static_cast<size_t>(indent), ' ');
    out += st("2", "(" + std::to_string(t.hidden) +
                       (t.hidden == 1 ? " event" : " events") + std::string(" folded away: login scripts, PAM bookkeeping; --json lists them)")) +
           "\n";
  }
  return out;
}

namespace {
// A container as {id, name, image, runtime}, as far as the store knows them.
std::string ContainerBrief(const StoredContainer& c) {
  std::vector<std::pair<std::string, std::string>> m = {
      {"id", Quoted(c.id)},
      {"name", c.name.empty() ? "" : Quoted(c.name)},
      {"image", c.image.empty() ? "" : Quoted(c.image)},
      {"runtime", c.runtime.empty() ? "" : Quoted(c.runtime)}};
  return JsonOf(m);
}
// Those as a JSON array; empty when there are none.
std::string ContainersArray(const std::vector<StoredContainer>& containers) {
  if (containers.empty()) return {};
  std::string out = "[";
  for (size_t i = 0; i < containers.size(); ++i) out += (i ? "," : "") + ContainerBrief(containers[i]);
  return out + "]";
}
}  // namespace

std::string StoredContainerJson(const StoredContainer& c) {
  std::vector<std::pair<std::string, std::string>> m = {
      {"id", Quoted(c.id)},
      {"short_id", Quoted(c.ShortId())},
      {"name", c.name.empty() ? "" : Quoted(c.name)},
      {"image", c.image.empty() ? "" : Quoted(c.image)},
      {"runtime", c.runtime.empty() ? "" : Quoted(c.runtime)},
      {"pod_name", c.pod_name.empty() ? "" : Quoted(c.pod_name)},
      {"pod_namespace", c.pod_namespace.empty() ? "" : Quoted(c.pod_namespace)},
      {"pod_uid", c.pod_uid.empty() ? "" : Quoted(c.pod_uid)},
      {"first_seen", Quoted(FormatIsoMs(c.first_seen_ms))},
      {"first_seen_ms", std::to_string(c.first_seen_ms)},
      {"last_seen", Quoted(FormatIsoMs(c.last_seen_ms))},
      {"last_seen_ms", std::to_string(c.last_seen_ms)},
      {"processes", std::to_string(c.processes)},
      {"sessions", std::to_string(c.sessions)}};
  return JsonOf(m);
}

namespace {

// The rows of a table as lines, each column padded to its widest cell plus two spaces (the last
// column unpadded).
std::vector<std::string> AlignedLines(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(rows.empty() ? 0 : rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t c = 0; c < r.size() && c < width.size(); ++c) width[c] = std::max(width[c], r[c].size());
  }
  std::vector<std::string> lines;
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line.append(width[c] - r[c].size() + 2, ' ');
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace

std::string RenderContainersText(const std::vector<StoredContainer>& containers, bool colour) {
  Style st{colour};
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"CONTAINER", "NAME", "IMAGE", "RUNTIME", "POD", "FIRST SEEN", "LAST SEEN",
                  "PROCESSES", "SESSIONS"});
  for (const StoredContainer& c : containers) {
    std::string pod = c.pod_name.empty() ? "-"
                      : c.pod_namespace.empty() ? c.pod_name
                                                : c.pod_namespace + "/" + c.pod_name;
    rows.push_back({Printable(c.ShortId()), c.name.empty() ? "-" : Printable(c.name),
                    c.image.empty() ? "-" : Printable(c.image),
                    c.runtime.empty() ? "-" : c.runtime, Printable(pod),
                    FormatLocalTime(c.first_seen_ms, true),
                    FormatLocalTime(c.last_seen_ms, true), std::to_string(c.processes),
                    std::to_string(c.sessions)});
  }
  const std::vector<std::string> lines = AlignedLines(rows);
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += (i == 0 ? st("1", lines[i]) : lines[i]) + "\n";
  return out;
}

std::string RenderContainersJson(const std::vector<StoredContainer>& containers) {
  std::string out;
  for (const StoredContainer& c : containers) out += StoredContainerJson(c) + "\n";
  return out;
}

std::string SessionJson(const StoredSession& s, int64_t now_ms) {
  std::vector<std::pair<std::string, std::string>> m = {
      {"id", Quoted(s.id)},
      {"user", s.user.empty() ? "" : Quoted(s.user)},
      {"auid", s.auid >= 0 ? std::to_string(s.auid) : ""},
      {"ses", s.ses >= 0 ? std::to_string(s.ses) : ""},
      {"service", s.service.empty() ? "" : Quoted(s.service)},
      {"source", s.source_ip.empty() ? ""
                 : "{\"ip\":" + Quoted(s.source_ip) +
                       (s.source_port > 0 ? ",\"port\":" + std::to_string(s.source_port) : "") + "}"},
      {"destination", s.dest_ip.empty() ? ""
                      : "{\"ip\":" + Quoted(s.dest_ip) +
                            (s.dest_port > 0 ? ",\"port\":" + std::to_string(s.dest_port) : "") + "}"},
      {"community_id", s.community_id.empty() ? "" : Quoted(s.community_id)},
      {"hostname", s.hostname.empty() ? "" : Quoted(s.hostname)},
      {"terminal", s.terminal.empty() ? "" : Quoted(s.terminal)},
      {"host", s.host.empty() ? "" : Quoted(s.host)},
      {"start", Quoted(FormatIsoMs(s.start_ms))},
      {"start_ms", std::to_string(s.start_ms)},
      {"end", s.end_ms > 0 ? Quoted(FormatIsoMs(s.end_ms)) : "null"},
      {"duration_ms", std::to_string((s.end_ms > 0 ? s.end_ms : std::max(now_ms, s.start_ms)) - s.start_ms)},
      {"state", Quoted(s.state)},
      {"commands", std::to_string(s.commands)},
      {"failed_commands", std::to_string(s.failed_commands)},
      {"auth_failures", std::to_string(s.failures)},
      {"failures", std::to_string(s.failed)},
      {"known_from_proc", s.from_proc ? "true" : ""},
      {"containers", ContainersArray(s.containers)}};
  return JsonOf(m);
}

std::string RenderTimelineJson(const Timeline& t) {
  std::string out =
      !t.label.empty()
          ? "{\"label\":" + Quoted(t.label) + ",\"processes\":" +
                std::to_string(t.label_processes) + ",\"sessions\":" +
                std::to_string(t.label_sessions) + ",\"commands\":" +
                std::to_string(t.session.commands) + ",\"failures\":" +
                std::to_string(t.session.failed)
      : t.container_view
          ? "{\"container\":" + StoredContainerJson(t.container) + ",\"commands\":" +
                std::to_string(t.session.commands) + ",\"failures\":" +
                std::to_string(t.session.failed)
          : "{\"session\":" + SessionJson(t.session, t.session.last_seen_ms) +
                (t.unit.empty() ? "" : ",\"unit\":" + Quoted(t.unit)) +
                (t.containers.empty() ? "" : ",\"containers\":" + ContainersArray(t.containers));
  out += ",\"entries\":";
  out += TimelineEntriesJson(t);
  out += ",\"hidden\":" + std::to_string(t.hidden) + ",\"folded\":[";
  for (size_t i = 0; i < t.folded.size(); ++i) {
    const StoredEvent& e = t.folded[i];
    std::vector<std::pair<std::string, std::string>> m = {
        {"time", Quoted(FormatIsoMs(e.time_ms))},
        {"time_ms", std::to_string(e.time_ms)},
        {"serial", std::to_string(e.serial)},
        {"kind", Quoted(e.kind)},
        {"action", e.action.empty() ? "" : Quoted(e.action)},
        {"outcome", e.outcome.empty() ? "" : Quoted(e.outcome)},
        {"role", e.role.empty() ? "" : Quoted(e.role)},
        {"pid", e.pid > 0 ? std::to_string(e.pid) : ""},
        {"uid", e.uid >= 0 ? std::to_string(e.uid) : ""},
        {"entity_id", e.entity_id.empty() ? "" : Quoted(e.entity_id)},
        {"detail", e.detail.empty() ? "" : e.detail}};
    out += (i ? "," : "") + JsonOf(m);
  }
  out += "]}\n";
  return out;
}

namespace {
// An entry's container: {id, name, image, runtime} as far as the store knows them.
std::string ContainerMember(const Timeline& t, const std::string& id) {
  for (const StoredContainer& c : t.containers) {
    if (c.id == id) return ContainerBrief(c);
  }
  StoredContainer bare;
  bare.id = id;
  return ContainerBrief(bare);
}
}  // namespace

std::string TimelineEntriesJson(const Timeline& t) {
  std::string out = "[";
  for (size_t i = 0; i < t.entries.size(); ++i) {
    const TimelineEntry& e = t.entries[i];
    if (i > 0) out.push_back(',');
    std::vector<std::pair<std::string, std::string>> m = {
        {"time", Quoted(FormatIsoMs(e.time_ms))},
        {"kind", Quoted(e.kind)},
        {"depth", std::to_string(e.depth)},
        {"text", Quoted(e.text)},
        {"failed", e.failed ? "true" : "false"},
        {"status", e.status.empty() ? "" : Quoted(e.status)},
        {"count", std::to_string(e.count)},
        {"detail", e.json.empty() ? "{}" : e.json},
        {"container", e.container_id.empty() ? "" : ContainerMember(t, e.container_id)},
        {"session", e.session_id.empty() ? "" : Quoted(e.session_id)},
        {"unit", e.service.empty() ? "" : Quoted(e.service)},
        {"event", e.event_serial < 0 ? ""
                  : "{\"time_ms\":" + std::to_string(e.event_time_ms) +
                        ",\"serial\":" + std::to_string(e.event_serial) + "}"}};
    out += JsonOf(m);
  }
  out += "]";
  return out;
}

std::string RenderSessionsText(const std::vector<StoredSession>& sessions, int64_t now_ms,
                               bool colour) {
  Style st{colour};
  std::vector<std::vector<std::string>> rows;
  const bool with_containers = std::any_of(sessions.begin(), sessions.end(), [](const StoredSession& s) {
    return !s.containers.empty();
  });
  rows.push_back({"SESSION", "USER", "VIA", "FROM", "START", "DURATION", "COMMANDS", "FAILURES",
                  "STATE"});
  if (with_containers) rows[0].push_back("CONTAINERS");
  for (const StoredSession& s : sessions) {
    int64_t end = s.end_ms > 0 ? s.end_ms : std::max(now_ms, s.last_seen_ms);
    std::string duration = s.state == "failed" ? "-" : FormatDuration(end - s.start_ms);
    if (s.end_ms == 0 && s.state != "failed") duration += "+";
    rows.push_back({s.id, s.user.empty() ? "?" : s.user, s.service.empty() ? "?" : s.service,
                    SessionSource(s).empty() ? "-" : SessionSource(s),
                    FormatLocalTime(s.start_ms, true), duration, std::to_string(s.commands),
                    std::to_string(s.failed), s.state});
    if (with_containers) {
      std::string list;
      for (const StoredContainer& c : s.containers) {
        list += (list.empty() ? "" : ",") + Printable(c.Label());
      }
      rows.back().push_back(list.empty() ? "-" : list);
    }
  }
  const std::vector<std::string> lines = AlignedLines(rows);
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string line = lines[i];
    if (i == 0) line = st("1", line);
    else if (rows[i][8] == "failed" || rows[i][7] != "0") line = st("31", line);
    out += line + "\n";
  }
  return out;
}

std::string RenderSessionsJson(const std::vector<StoredSession>& sessions, int64_t now_ms) {
  std::string out;
  for (const StoredSession& s : sessions) out += SessionJson(s, now_ms) + "\n";
  return out;
}

}  // namespace auditlens
