#include "enrich/session_tracker.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "common/file_name.h"
#include "common/parse_int.h"
#include "common/proc_reader.h"
#include "common/time_format.h"
#include "decode/value_decoder.h"
#include "enrich/community_id.h"
#include "record/record_types.h"

namespace auditlens {
namespace {

constexpr uint16_t kUserAuth = AUDIT_USER_AUTH;
constexpr uint16_t kUserAcct = AUDIT_USER_ACCT;
constexpr uint16_t kCredAcq = AUDIT_CRED_ACQ;
constexpr uint16_t kCredDisp = AUDIT_CRED_DISP;
constexpr uint16_t kUserStart = AUDIT_USER_START;
constexpr uint16_t kUserEnd = AUDIT_USER_END;
constexpr uint16_t kCredRefr = AUDIT_CRED_REFR;
constexpr uint16_t kUserLogin = AUDIT_USER_LOGIN;
constexpr uint16_t kUserLogout = AUDIT_USER_LOGOUT;
constexpr uint16_t kUserCmd = AUDIT_USER_CMD;

bool Failed(std::string_view res) {
  return res == "failed" || res == "no" || res == "0" || res == "fail";
}

// PAM writes addr=? or hostname=? when it has none.
bool Known(std::string_view v) { return !v.empty() && v != "?" && v != "(none)"; }

// The Community ID of the TCP flow client → server, or "" when an end is not fully known.
std::string LoginCommunityId(const Endpoint& client, const Endpoint& server) {
  if (!client.is_ip() || !server.is_ip() || client.port == 0 || server.port == 0 ||
      client.ipv6 != server.ipv6) {
    return {};
  }
  char id[kCommunityIdBufferSize];
  // Logins come over TCP (sshd, telnet, rlogin).
  return std::string(id, CommunityIdV1({client, server, 6}, id));
}

// PAM's addr= text for an end: its address, the port kept. Text that is not an IP address (a host
// name) leaves the end as it was.
void SetIpFromText(Endpoint* end, std::string_view text) {
  Endpoint parsed;
  if (EndpointFromText(text, end->port, &parsed)) *end = parsed;
}

// Whether an end's address, as given, is the text PAM wrote (PAM writes inet_ntop's text).
bool IpIsText(const Endpoint& end, std::string_view text) {
  char ip[Endpoint::kIpTextSize];
  return end.is_ip() && std::string_view(ip, end.FormatIpAsGiven(ip)) == text;
}

}  // namespace

std::string_view SessionStateName(SessionState s) {
  switch (s) {
    case SessionState::kOpen: return "open";
    case SessionState::kClosed: return "closed";
    case SessionState::kFailed: return "failed";
  }
  return "open";
}

std::string_view SessionOpName(SessionOp op) {
  switch (op) {
    case SessionOp::kNone: return "";
    case SessionOp::kLogin: return "login";
    case SessionOp::kAuth: return "authentication";
    case SessionOp::kAccount: return "account";
    case SessionOp::kCredAcquire: return "credentials";
    case SessionOp::kCredDispose: return "credentials-dropped";
    case SessionOp::kOpen: return "session-open";
    case SessionOp::kClose: return "session-close";
    case SessionOp::kCommand: return "command";
  }
  return "";
}

std::string_view ServiceOfExe(std::string_view exe) { return FileNameOf(exe); }

SessionTracker::SessionTracker(SessionTrackerOptions options, ProcessTable* table)
    : options_(std::move(options)), table_(table) {
  boot8_ = options_.boot_id.substr(0, 8);
  if (boot8_.empty()) boot8_ = "boot";
  if (table_ != nullptr && !table_->live_host()) {
    table_->set_session_over([this](uint32_t ses) {
      const SessionInfo* s = Find(ses);
      return s == nullptr || s->end_ms != 0;
    });
  }
}

SessionTracker::~SessionTracker() {
  if (table_ != nullptr && !table_->live_host()) table_->set_session_over(nullptr);
}

std::string_view SessionTracker::Decode(std::string_view raw, std::string* out) {
  out->clear();
  ValueDecoder::AppendEscaped(raw, out);
  return *out;
}

std::string SessionTracker::NameOf(uint32_t auid) {
  if (!options_.lookup_names || auid == kUnsetId) return {};
  return std::string(names_.User(auid));
}

const SessionInfo* SessionTracker::Find(uint32_t ses) const {
  auto it = sessions_.find(ses);
  return it == sessions_.end() ? nullptr : it->second.get();
}

void SessionTracker::Changed(SessionInfo* s) {
  Refresh(s);
  if (std::find(changed_.begin(), changed_.end(), s) == changed_.end()) changed_.push_back(s);
}

void SessionTracker::Refresh(SessionInfo* s) {
  s->community_id = LoginCommunityId(s->source, s->destination);
  s->generation = ++generation_;
}

SessionInfo* SessionTracker::GetOrCreate(uint32_t ses, uint32_t auid, uint64_t time_ms) {
  auto it = sessions_.find(ses);
  if (it != sessions_.end()) {
    SessionInfo* s = it->second.get();
    if (time_ms < s->start_ms) {
      s->start_ms = time_ms;  // an earlier event arrived late
      Changed(s);
    }
    if (s->auid == kUnsetId && auid != kUnsetId) {
      s->auid = auid;
      s->user = NameOf(auid);
      Changed(s);
    }
    return s;
  }
  if (sessions_.size() >= options_.max_sessions) {
    // Drop the session seen least recently (the store has it).
    auto oldest = sessions_.begin();
    for (auto i = sessions_.begin(); i != sessions_.end(); ++i) {
      if (i->second->last_seen_ms < oldest->second->last_seen_ms) oldest = i;
    }
    sessions_.erase(oldest);
  }
  auto s = std::make_unique<SessionInfo>();
  s->id = boot8_ + "-" + std::to_string(ses);
  s->ses = ses;
  s->auid = auid;
  if (auid != kUnsetId) s->user = NameOf(auid);
  s->start_ms = time_ms;
  s->last_seen_ms = time_ms;
  SessionInfo* raw = s.get();
  sessions_.emplace(ses, std::move(s));
  Changed(raw);
  return raw;
}

void SessionTracker::SetLoginProcess(SessionInfo* s, int32_t pid) {
  s->login_pid = pid;
  if (s->ses != kUnsetId) ses_of_login_pid_[pid] = s->ses;
  ProcessImage* image = table_->Find(pid);
  if (image == nullptr) return;
  image->role = SessionRole::kService;
  s->leader_entity = image->entity_id.view();
  s->leader_start_ms = image->start_ms;
  if (!image->exe.empty()) {
    s->service_exe = image->exe;
    s->service = std::string(ServiceOfExe(image->exe));
  }
  // The connection the login process was started for (sshd: the accepted client).
  if (image->peer().is_ip() && (!s->source.is_ip() || s->source.SameIpAsGiven(image->peer()))) {
    s->source = image->peer();
    if (image->local().is_ip()) s->destination = image->local();
  }
}

void SessionTracker::HandleLogin(const ParsedEvent& e, int r) {
  uint32_t auid = kUnsetId, ses = kUnsetId;
  int32_t pid = -1;
  ParseDecimal(e.Get(r, "pid"), &pid);
  ParseId32(e.Get(r, "auid"), &auid);
  ParseId32(e.Get(r, "ses"), &ses);
  info_.op = SessionOp::kLogin;
  std::string_view res = e.Get(r, "res");
  info_.failed = Failed(res);
  if (ses == kUnsetId || info_.failed) return;
  uint64_t time = e.event().time_ms();
  SessionInfo* s = GetOrCreate(ses, auid, time);
  if (s->auid != auid && auid != kUnsetId) {
    s->auid = auid;
    s->user = NameOf(auid);
  }
  std::string_view tty = e.Get(r, "tty");
  if (Known(tty)) s->tty = std::string(tty);
  if (pid > 0) SetLoginProcess(s, pid);
  auto a = attempts_.find(pid);
  if (a != attempts_.end()) {
    Attempt& at = a->second;
    if (Known(at.addr)) SetIpFromText(&s->source, at.addr);
    if (pid > 0) SetLoginProcess(s, pid);  // the port, now that the address is known
    if (Known(at.hostname)) s->hostname = at.hostname;
    if (Known(at.terminal)) s->terminal = at.terminal;
    s->failures += at.failures;
    if (s->user.empty() && !at.acct.empty()) s->user = at.acct;
    if (at.first_ms != 0 && at.first_ms < s->start_ms) s->start_ms = at.first_ms;
    if (s->service.empty() && !at.exe.empty()) {
      s->service_exe = at.exe;
      s->service = std::string(ServiceOfExe(at.exe));
    }
    attempts_.erase(a);
  }
  Changed(s);
}

void SessionTracker::HandleUserMessage(const ParsedEvent& e, uint16_t type) {
  switch (type) {
    case kUserAuth: info_.op = SessionOp::kAuth; break;
    case kUserAcct: info_.op = SessionOp::kAccount; break;
    case kCredAcq: case kCredRefr: info_.op = SessionOp::kCredAcquire; break;
    case kCredDisp: info_.op = SessionOp::kCredDispose; break;
    case kUserStart: case kUserLogin: info_.op = SessionOp::kOpen; break;
    case kUserEnd: case kUserLogout: info_.op = SessionOp::kClose; break;
    case kUserCmd: info_.op = SessionOp::kCommand; break;
    default: return;
  }
  const EventSubject& subj = table_->subject();
  const size_t r = 0;
  info_.failed = Failed(e.Get(r, "res"));
  std::string_view acct_raw = e.Get(r, "acct");
  if (acct_raw.empty() && type == kUserLogin) {
    // login(1) writes id=UID instead of acct= when it knows the user.
    uint32_t id;
    if (ParseId32(e.Get(r, "id"), &id) && id != kUnsetId) acct_ = NameOf(id);
    else acct_.clear();
    info_.acct = acct_;
  } else {
    info_.acct = Decode(acct_raw, &acct_);
  }
  info_.exe = Decode(e.Get(r, "exe"), &exe_);
  std::string_view addr = e.Get(r, "addr");
  std::string_view hostname = e.Get(r, "hostname");
  std::string_view terminal = e.Get(r, "terminal");
  const uint64_t time = e.event().time_ms();

  if (subj.ses == kUnsetId) {
    // Before the LOGIN: a login attempt of this process.
    if (!subj.valid || subj.pid <= 0) return;
    // ... unless its LOGIN came first (events out of order): then it belongs to that session.
    if (auto l = ses_of_login_pid_.find(subj.pid); l != ses_of_login_pid_.end() && !info_.failed) {
      auto it = sessions_.find(l->second);
      if (it != sessions_.end() && it->second->login_pid == subj.pid && time <= it->second->start_ms) {
        SessionInfo* s = it->second.get();
        s->start_ms = time;
        if (Known(addr) && !s->source.is_ip()) {
          SetIpFromText(&s->source, addr);
          SetLoginProcess(s, subj.pid);
        }
        if (Known(hostname) && s->hostname.empty()) s->hostname = std::string(hostname);
        if (Known(terminal) && s->terminal.empty()) s->terminal = std::string(terminal);
        if (s->user.empty() && !info_.acct.empty()) s->user = std::string(info_.acct);
        Changed(s);
        current_ = s;
        return;
      }
    }
    if (attempts_.size() >= options_.max_attempts && attempts_.find(subj.pid) == attempts_.end()) {
      auto oldest = attempts_.begin();
      for (auto i = attempts_.begin(); i != attempts_.end(); ++i) {
        if (i->second.last_ms < oldest->second.last_ms) oldest = i;
      }
      attempts_.erase(oldest);
    }
    // Another client on a pid that had an attempt (the pid was reused): a new attempt.
    if (auto old = attempts_.find(subj.pid);
        old != attempts_.end() && Known(addr) && !old->second.addr.empty() && old->second.addr != addr) {
      attempts_.erase(old);
    }
    Attempt& at = attempts_[subj.pid];
    if (at.first_ms == 0 || time < at.first_ms) at.first_ms = time;  // out of order: the earliest
    at.last_ms = std::max(at.last_ms, time);
    // The first record of an attempt says it best (sshd's closing USER_LOGIN has terminal=sshd).
    if (!info_.acct.empty() && at.acct.empty()) at.acct = std::string(info_.acct);
    if (Known(addr) && at.addr.empty()) at.addr = std::string(addr);
    if (Known(hostname) && at.hostname.empty()) at.hostname = std::string(hostname);
    if (Known(terminal) && at.terminal.empty()) at.terminal = std::string(terminal);
    if (!info_.exe.empty() && at.exe.empty()) at.exe = std::string(info_.exe);
    bool failure = info_.failed && (info_.op == SessionOp::kAuth || info_.op == SessionOp::kAccount ||
                                    info_.op == SessionOp::kOpen);
    // sshd follows a failed PAM authentication with a failed USER_LOGIN for the same password
    // attempt: one failure, not two.
    bool summary = failure && info_.op == SessionOp::kOpen && at.last_auth_failure_ms != 0 &&
                   time <= at.last_auth_failure_ms + 10000;
    if (failure && info_.op == SessionOp::kAuth) at.last_auth_failure_ms = time;
    if (failure && !summary) ++at.failures;
    if (failure || at.failed) {
      if (!at.failed) {
        at.failed = std::make_unique<SessionInfo>();
        at.failed->id = boot8_ + "-f" + std::to_string(e.event().serial());
        at.failed->state = SessionState::kFailed;
        at.failed->start_ms = at.first_ms;
      }
      SessionInfo* f = at.failed.get();
      f->user = at.acct;
      f->service_exe = at.exe;
      f->service = std::string(ServiceOfExe(at.exe));
      if (Known(at.addr)) SetIpFromText(&f->source, at.addr);
      if (ProcessImage* image = table_->Find(subj.pid)) {
        if (IpIsText(image->peer(), at.addr)) {
          f->source = image->peer();
          f->destination = image->local();
        }
        f->leader_entity = image->entity_id.view();
        f->leader_start_ms = image->start_ms;
      }
      f->login_pid = subj.pid;
      f->hostname = at.hostname;
      f->terminal = at.terminal;
      f->failures = at.failures;
      f->end_ms = time;
      f->last_seen_ms = time;
      Changed(f);
      current_ = f;
    }
    return;
  }

  SessionInfo* s = GetOrCreate(subj.ses, subj.auid, time);
  current_ = s;
  const bool from_login = subj.pid == s->login_pid ||
                          (!s->service_exe.empty() && info_.exe == s->service_exe) ||
                          (s->login_pid < 0 && info_.op == SessionOp::kOpen && !info_.failed &&
                           info_.acct == s->user);
  if (!from_login) {
    // su, sudo, runuser, ... inside the session.
    info_.privilege = true;
    if (info_.failed) {
      ++s->failures;
      Changed(s);
    }
    return;
  }
  bool changed = false;
  if (Known(addr) && !s->source.is_ip()) {
    SetIpFromText(&s->source, addr);
    if (s->login_pid > 0) SetLoginProcess(s, s->login_pid);
    changed = true;
  }
  if (Known(hostname) && s->hostname.empty()) {
    s->hostname = std::string(hostname);
    changed = true;
  }
  if (Known(terminal) && s->terminal.empty()) {
    s->terminal = std::string(terminal);
    changed = true;
  }
  if (s->service.empty() && !info_.exe.empty()) {
    s->service_exe = std::string(info_.exe);
    s->service = std::string(ServiceOfExe(info_.exe));
    changed = true;
  }
  if (s->user.empty() && !info_.acct.empty() && !info_.failed) {
    s->user = std::string(info_.acct);
    changed = true;
  }
  if (info_.failed) {
    ++s->failures;
    changed = true;
  }
  if (info_.op == SessionOp::kOpen && !info_.failed && s->opened_ms == 0) s->opened_ms = time;
  if ((info_.op == SessionOp::kClose || info_.op == SessionOp::kCredDispose) && s->end_ms == 0) {
    s->end_ms = time;
    s->state = SessionState::kClosed;
    changed = true;
  }
  if (changed) Changed(s);
}

void SessionTracker::AssignRole(ProcessImage* image) {
  if (image->ses == kUnsetId) {
    image->role = SessionRole::kNone;
    return;
  }
  auto it = sessions_.find(image->ses);
  SessionInfo* s = it == sessions_.end() ? nullptr : it->second.get();
  ProcessImage* parent = image->ppid > 0 ? table_->Find(image->ppid) : nullptr;
  SessionRole prole = parent != nullptr && parent->ses == image->ses ? parent->role
                                                                      : SessionRole::kNone;
  if (s != nullptr && image->pid == s->login_pid) {
    image->role = SessionRole::kService;
    return;
  }
  // A fork (or a process first seen, or one read from /proc that runs its parent's program: a fork
  // that never exec'd) is what its parent is.
  const bool program_of_its_own =
      image->origin == ProcessOrigin::kExec ||
      (image->origin == ProcessOrigin::kProc && (parent == nullptr || parent->exe != image->exe));
  if (!program_of_its_own) {
    image->role = prole == SessionRole::kNone && parent != nullptr && s != nullptr &&
                          parent->pid == s->login_pid
                      ? SessionRole::kService
                      : prole;
    return;
  }
  // An exec replacing a shell or command (bash -c 'ls' execs ls in its own process) is a command;
  // one replacing a login script is still one.
  if (image->previous_role == SessionRole::kShell || image->previous_role == SessionRole::kCommand) {
    image->role = SessionRole::kCommand;
    return;
  }
  if (image->previous_role == SessionRole::kLoginScript) {
    image->role = SessionRole::kLoginScript;
    return;
  }
  switch (prole) {
    case SessionRole::kShell:
    case SessionRole::kCommand:
      image->role = SessionRole::kCommand;
      return;
    case SessionRole::kLoginScript:
      image->role = SessionRole::kLoginScript;
      return;
    default:
      break;
  }
  // Started by the service side. What the login process starts while PAM opens the session
  // (before USER_START: pam_motd's scripts) or as another user is a login script; the user's shell
  // comes after, from the login process (login) or one of its forks (sshd's session process).
  if (s != nullptr && parent != nullptr && parent->pid == s->login_pid) {
    // (A session known from /proc has no USER_START: its shell is the user's.)
    bool shell = image->uid == s->auid &&
                 (s->from_proc || (s->opened_ms != 0 && image->start_ms >= s->opened_ms));
    image->role = shell ? SessionRole::kShell : SessionRole::kLoginScript;
  } else if (s != nullptr && s->login_pid < 0 && image->uid != s->auid) {
    image->role = SessionRole::kLoginScript;
  } else {
    image->role = SessionRole::kShell;
  }
}

void SessionTracker::Enrich(const ParsedEvent& e, EventFacts* facts) {
  Track(e);
  facts->session = current_;
  facts->session_event = &info_;
}

void SessionTracker::Track(const ParsedEvent& e) {
  changed_.clear();
  current_ = nullptr;
  info_ = SessionEventInfo();
  const EventSubject& subj = table_->subject();
  const uint64_t time = e.event().time_ms();
  if (time >= next_sweep_ms_) {
    if (next_sweep_ms_ != 0) Sweep(time);
    next_sweep_ms_ = time + options_.sweep_every_ms;
  }
  if (subj.login_record >= 0) HandleLogin(e, subj.login_record);
  if (e.record_count() > 0 && IsStandaloneType(e.record_type(0))) {
    HandleUserMessage(e, e.record_type(0));
  }
  if (current_ == nullptr && subj.valid && subj.ses != kUnsetId) {
    current_ = GetOrCreate(subj.ses, subj.auid, time);
  }
  if (current_ != nullptr && current_->state != SessionState::kFailed) {
    SessionInfo* s = current_;
    s->last_seen_ms = std::max(s->last_seen_ms, time);
    // The login process's exit ends the session when USER_END was not seen.
    if (subj.sys == SyscallClass::kExit && subj.pid == s->login_pid && s->end_ms == 0) {
      s->end_ms = time;
      s->state = SessionState::kClosed;
      Changed(s);
    }
  }
  for (ProcessImage* image : table_->changed()) {
    AssignRole(image);
    if (!image->peer().is_ip()) continue;
    // A client port that arrived late (the accept after the login's records).
    if (auto l = ses_of_login_pid_.find(image->pid); l != ses_of_login_pid_.end()) {
      auto it = sessions_.find(l->second);
      if (it != sessions_.end() && it->second->login_pid == image->pid &&
          it->second->source.port == 0) {
        SetLoginProcess(it->second.get(), image->pid);
        Changed(it->second.get());
      }
    }
    if (auto a = attempts_.find(image->pid); a != attempts_.end() && a->second.failed &&
                                              a->second.failed->source.port == 0 &&
                                              IpIsText(image->peer(), a->second.addr)) {
      a->second.failed->source = image->peer();
      a->second.failed->destination = image->local();
      Changed(a->second.failed.get());
    }
  }
}

void SessionTracker::Sweep(uint64_t now_ms) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    SessionInfo& s = *it->second;
    if (s.end_ms != 0 && now_ms > s.end_ms + options_.ended_keep_ms) {
      ses_of_login_pid_.erase(s.login_pid);
      it = sessions_.erase(it);
      continue;
    }
    if (s.end_ms == 0 && s.login_pid > 0 && table_->live_host() &&
        now_ms > s.last_seen_ms + 60000 && kill(s.login_pid, 0) != 0 && errno == ESRCH) {
      // The login process is gone and its end was not audited: the session ended by then.
      s.end_ms = s.last_seen_ms;
      s.state = SessionState::kClosed;
      Changed(&s);
    }
    ++it;
  }
  for (auto it = attempts_.begin(); it != attempts_.end();) {
    bool drop = now_ms > it->second.last_ms + options_.attempt_keep_ms;
    it = drop ? attempts_.erase(it) : std::next(it);
  }
}

size_t SessionTracker::SeedFromTable(const std::string& proc_root) {
  std::vector<ProcessImage*> images;
  table_->ForEach([&](ProcessImage& p) {
    if (p.ses != kUnsetId) images.push_back(&p);
  });
  std::sort(images.begin(), images.end(), [](const ProcessImage* a, const ProcessImage* b) {
    return a->start_ms != b->start_ms ? a->start_ms < b->start_ms : a->pid < b->pid;
  });
  size_t created = 0;
  for (ProcessImage* p : images) {
    bool is_new = sessions_.find(p->ses) == sessions_.end();
    SessionInfo* s = GetOrCreate(p->ses, p->auid, p->start_ms);
    if (is_new) {
      ++created;
      s->from_proc = true;
    }
    ProcessImage* parent = p->ppid > 0 ? table_->Find(p->ppid) : nullptr;
    if (s->login_pid < 0 && (parent == nullptr || parent->ses != p->ses)) {
      // The oldest process of the session whose parent is outside it: its login process.
      SetLoginProcess(s, p->pid);
    }
    if (!s->source.is_ip()) {
      // sshd puts the connection into its sessions' environment: "client port server port".
      std::istringstream env(ReadSmallFile(proc_root + "/" + std::to_string(p->pid) + "/environ"));
      std::string var;
      while (std::getline(env, var, '\0')) {
        if (var.rfind("SSH_CONNECTION=", 0) != 0) continue;
        std::istringstream parts(var.substr(15));
        std::string cip, sip;
        unsigned cport = 0, sport = 0;
        if (parts >> cip >> cport >> sip >> sport) {
          EndpointFromText(cip, static_cast<uint16_t>(cport), &s->source);
          EndpointFromText(sip, static_cast<uint16_t>(sport), &s->destination);
        }
        break;
      }
    }
    AssignRole(p);
    s->last_seen_ms = std::max(s->last_seen_ms, p->start_ms);
    Refresh(s);
  }
  return created;
}

}  // namespace auditlens
