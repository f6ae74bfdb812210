#include "output/session_json.h"

#include "common/time_format.h"

namespace auditlens {

std::string_view EntryTypeOf(std::string_view service, std::string_view tty) {
  if (service == "sshd") return "sshd";
  if (service == "login") {
    // A virtual console (tty1…) or the system console, else a serial line or a pseudo-terminal.
    const bool console = tty == "console" ||
                         (tty.size() > 3 && tty.substr(0, 3) == "tty" && tty[3] >= '0' && tty[3] <= '9');
    return console ? "console" : "terminal";
  }
  // Sessions a service of init opens for its jobs or its user managers.
  if (service == "cron" || service == "crond" || service == "atd" || service == "anacron" ||
      service == "systemd")
    return "init";
  return "unknown";
}

namespace {

void WriteSessionUser(const SessionInfo& s, JsonWriter& j) {
  if (s.auid == kUnsetId && s.user.empty()) return;
  j.Key("user");
  j.BeginObject();
  if (s.auid != kUnsetId) {
    j.Key("id");
    j.String(std::to_string(s.auid));
  }
  if (!s.user.empty()) {
    j.Key("name");
    j.String(s.user);
  }
  j.EndObject();
}

// {"ip":"…"} or {"ip":"…","port":N}; nothing when the source is not an IP end.
void WriteSource(const SessionInfo& s, bool with_port, JsonWriter& j) {
  if (!s.source.is_ip()) return;
  char ip[Endpoint::kIpTextSize];
  j.Key("source");
  j.BeginObject();
  j.Key("ip");
  j.String(std::string_view(ip, s.source.FormatIpAsGiven(ip)));
  if (with_port && s.source.port != 0) {
    j.Key("port");
    j.UInt(s.source.port);
  }
  j.EndObject();
}

// Members only: the braces of the object written into *out are cut.
void CutBraces(std::string* out) {
  out->erase(0, 1);
  out->pop_back();
}

}  // namespace

void LoginSessionJson::Render(const SessionInfo& s) {
  session_json_.clear();
  JsonWriter j(&session_json_);
  j.BeginObject();
  j.Key("id");
  j.String(s.id);
  if (s.ses != kUnsetId) {
    j.Key("ses");
    j.String(std::to_string(s.ses));
  }
  WriteSessionUser(s, j);
  if (!s.service.empty()) {
    j.Key("service");
    j.String(s.service);
  }
  WriteSource(s, true, j);
  if (!s.terminal.empty()) {
    j.Key("terminal");
    j.String(s.terminal);
  }
  j.Key("start");
  j.String(FormatIsoMs(static_cast<int64_t>(s.start_ms)));
  if (s.state == SessionState::kFailed) {
    j.Key("failed");
    j.Bool(true);
  }
  j.EndObject();
  CutBraces(&session_json_);

  leader_json_.clear();
  JsonWriter l(&leader_json_);
  l.BeginObject();
  if (!s.leader_entity.empty()) {
    l.Key("entity_id");
    l.String(s.leader_entity);
  }
  if (s.login_pid > 0) {
    l.Key("pid");
    l.Int(s.login_pid);
  }
  if (s.leader_start_ms != 0) {
    l.Key("start");
    l.String(FormatIsoMs(static_cast<int64_t>(s.leader_start_ms)));
  }
  if (!s.service.empty()) {
    l.Key("name");
    l.String(s.service);
  }
  if (!s.service_exe.empty()) {
    l.Key("executable");
    l.String(s.service_exe);
  }
  WriteSessionUser(s, l);
  l.Key("entry_meta");
  l.BeginObject();
  l.Key("type");
  l.String(EntryTypeOf(s.service, s.tty));
  WriteSource(s, false, l);
  l.EndObject();
  l.EndObject();
  CutBraces(&leader_json_);
  generation_ = s.generation;
}

void LoginSessionJson::WriteEntryLeader(const EventFacts& facts, JsonWriter& w) {
  const SessionInfo* s = facts.session;
  if (s == nullptr || s->state == SessionState::kFailed) return;
  if (s->generation == 0 || s->generation != generation_) Render(*s);
  w.Key("entry_leader");
  w.BeginObject();
  w.Raw(leader_json_);
  if (!s->leader_entity.empty() && facts.process != nullptr) {
    w.Key("same_as_process");
    w.Bool(facts.process->entity_id.view() == s->leader_entity);
  }
  w.EndObject();
}

void LoginSessionJson::WriteAuditd(const EventFacts& facts, std::string_view ses,
                                   JsonWriter& w) {
  const SessionInfo* s = facts.session;
  if (s == nullptr) {
    if (ses.empty() || ses == "unset") return;
    w.Key("session");
    w.BeginObject();
    w.Key("ses");
    w.String(ses);
    w.EndObject();
    return;
  }
  if (s->generation == 0 || s->generation != generation_) Render(*s);
  w.Key("session");
  w.BeginObject();
  w.Raw(session_json_);
  w.EndObject();
}

void LoginSessionJson::WriteAuditdBrief(const EventFacts& facts, std::string_view ses,
                                        JsonWriter& w) {
  const SessionInfo* s = facts.session;
  if (s == nullptr && ses.empty()) return;
  w.Key("session");
  w.BeginObject();
  if (s != nullptr) {
    w.Key("id");
    w.String(s->id);
  }
  if (!ses.empty()) {
    w.Key("ses");
    w.String(ses);
  }
  w.EndObject();
}

}  // namespace auditlens
