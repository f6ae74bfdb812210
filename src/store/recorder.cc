#include "store/recorder.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "common/parse_int.h"
#include "decode/sockaddr.h"
#include "decode/value_decoder.h"
#include "output/json_writer.h"
#include "record/record_types.h"

namespace auditlens {
namespace {

// A string value of the store's JSON (detail, args): a NUL byte, which only a hostile record's hex
// value can hold, becomes U+FFFD, as in every column of the store (PostgreSQL's text and jsonb hold
// no NUL), so the JSON never needs rewriting on its way to either store.
void StoreString(JsonWriter& w, std::string_view s) {
  if (s.find('\0') == std::string_view::npos) {
    w.String(s);
    return;
  }
  std::string fixed;
  fixed.reserve(s.size() + 8);
  for (char c : s) {
    if (c == '\0') {
      fixed.append("\xef\xbf\xbd");
    } else {
      fixed.push_back(c);
    }
  }
  w.String(fixed);
}

constexpr int kENOENT = 2;

std::string_view ErrnoName(int64_t exit) {
  if (exit >= 0 || exit < -4095) return {};
  const char* name = strerrorname_np(static_cast<int>(-exit));
  return name ? std::string_view(name) : std::string_view();
}

void AppendDecimal(std::string& out, int64_t v) {
  char buf[24];
  int n = snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(v));
  out.append(buf, n);
}

// The decoded value of a field, joined to cwd when it is a relative path.
void DecodedPath(std::string_view raw, std::string_view cwd, std::string* out) {
  out->clear();
  ValueDecoder::AppendEscaped(raw, out);
  if (!out->empty() && (*out)[0] != '/' && !cwd.empty()) {
    std::string joined(cwd);
    if (joined.back() != '/') joined.push_back('/');
    joined += *out;
    out->swap(joined);
  }
}

void WriteEnd(JsonWriter& w, std::string_view key, std::string_view ip, uint16_t port) {
  w.Key(key);
  w.BeginObject();
  w.Key("ip");
  StoreString(w, ip);
  if (port != 0) {
    w.Key("port");
    w.UInt(port);
  }
  w.EndObject();
}

}  // namespace

Recorder::Recorder(ProcessTable* table, SessionTracker* sessions, RowSink* sink,
                   RecorderOptions options)
    : table_(table), sessions_(sessions), sink_(sink), options_(options) {}

void Recorder::AppendSessionId(uint32_t ses, std::string& out) {
  if (ses == kUnsetId) return;
  if (const SessionInfo* s = sessions_->Find(ses)) {
    out.append(s->id);
    return;
  }
  out.append(sessions_->boot8());
  out.push_back('-');
  AppendDecimal(out, ses);
}

void Recorder::PushProcess(const ProcessImage& p) {
  Row* row = sink_->Begin();
  if (row == nullptr) return;
  row->Reset(RowType::kProcess);
  row->num[col::kPPid] = p.ppid > 0 ? p.ppid : col::kNull;
  row->num[col::kProcPid] = p.pid;
  row->num[col::kProcUid] = p.uid == kUnsetId ? col::kNull : p.uid;
  row->num[col::kEuid] = p.euid == kUnsetId ? col::kNull : p.euid;
  row->num[col::kAuid] = p.auid;
  row->num[col::kSes] = p.ses;
  row->num[col::kStart] = static_cast<int64_t>(p.start_ms);
  if (p.exited) {
    row->num[col::kExitTime] = static_cast<int64_t>(p.exit_ms);
    row->num[col::kExitCode] = p.exit_code;
  }
  row->num[col::kOrigin] = static_cast<int64_t>(p.origin);
  row->num[col::kArgsTruncated] = p.args && p.args->truncated() ? 1 : 0;
  row->num[col::kSeen] = static_cast<int64_t>(p.last_seen_ms);
  row->AddStr(p.entity_id.view());
  row->AddStr(p.parent_entity());
  row->AddStr(p.previous_entity.view());
  row->AddStr(p.exe);
  std::string& args = row->OpenStr();
  if (p.args && !p.args->empty()) {
    JsonWriter w(&args);
    w.BeginArray();
    p.args->ForEach([&](std::string_view arg) { StoreString(w, arg); });
    w.EndArray();
  }
  row->CloseStr();
  row->AddStr(p.cwd);
  AppendSessionId(p.ses, row->OpenStr());
  row->CloseStr();
  row->AddStr(SessionRoleName(p.role));
  const CgroupIdentity* cgroup = p.cgroup.get();
  const bool contained = cgroup != nullptr && cgroup->runtime != ContainerRuntime::kNone;
  row->AddStr(contained ? std::string_view(cgroup->container_id) : std::string_view());
  row->AddStr(contained ? ContainerRuntimeName(cgroup->runtime) : std::string_view());
  row->AddStr(cgroup != nullptr ? std::string_view(cgroup->service) : std::string_view());
  row->AddStr(p.exe_hash && p.exe_hash->state == HashState::kKnown
                  ? std::string_view(p.exe_hash->sha256)
                  : std::string_view());
  std::string& labels = row->OpenStr();
  if (p.labels != 0 && options_.label_names != nullptr) {
    const size_t start = labels.size();
    for (size_t bit = 0; bit < options_.label_names->size() && bit < 64; ++bit) {
      if ((p.labels & (uint64_t{1} << bit)) == 0) continue;
      if (labels.size() > start) labels.push_back(' ');
      labels.append((*options_.label_names)[bit]);
    }
  }
  row->CloseStr();
  sink_->Commit();
  ++rows_;
}

void Recorder::PushContainer(const CgroupIdentity& cgroup, const ContainerDetails* details,
                             uint64_t first_ms, uint64_t last_ms) {
  Row* row = sink_->Begin();
  if (row == nullptr) return;
  row->Reset(RowType::kContainer);
  row->num[col::kContFirstSeen] = static_cast<int64_t>(first_ms);
  row->num[col::kContLastSeen] = static_cast<int64_t>(last_ms);
  row->AddStr(cgroup.container_id);
  row->AddStr(ContainerRuntimeName(cgroup.runtime));
  if (details != nullptr) {
    row->AddStr(details->name);
    row->AddStr(details->image);
    row->AddStr(details->pod_name);
    row->AddStr(details->pod_namespace);
    row->AddStr(details->pod_uid.empty() ? std::string_view(cgroup.pod_uid)
                                         : std::string_view(details->pod_uid));
  } else {
    for (int i = col::kContName; i < col::kContPodUid; ++i) row->AddStr({});
    row->AddStr(cgroup.pod_uid);
  }
  sink_->Commit();
  ++rows_;
}

void Recorder::NoteContainer(const CgroupIdentity& cgroup, uint64_t time_ms) {
  ContainerMemo* memo = last_memo_;
  bool fresh = false;
  if (memo == nullptr || last_cgroup_.get() != &cgroup) {
    auto it = containers_.find(cgroup.container_id);
    if (it == containers_.end()) {
      if (containers_.size() >= kMaxContainers) {
        // The least recently active goes (a scan, once per new container past the cap).
        auto oldest = containers_.begin();
        for (auto c = containers_.begin(); c != containers_.end(); ++c) {
          if (c->second.seen_ms < oldest->second.seen_ms) oldest = c;
        }
        containers_.erase(oldest);
      }
      it = containers_.emplace(cgroup.container_id, ContainerMemo()).first;
      it->second.first_ms = time_ms;
      fresh = true;
    }
    memo = &it->second;
    last_cgroup_ = facts_->process->cgroup;
    last_memo_ = memo;
  }
  memo->seen_ms = std::max(memo->seen_ms, time_ms);
  const std::shared_ptr<const ContainerDetails>& details = facts_->container;
  const bool new_details = details != nullptr && details != memo->details &&
                           (details->id.empty() || details->id == cgroup.container_id);
  if (new_details) memo->details = details;
  if (fresh || new_details || time_ms >= memo->pushed_ms + kContainerSeenEveryMs) {
    memo->pushed_ms = time_ms;
    PushContainer(cgroup, memo->details.get(), std::min(memo->first_ms, time_ms), time_ms);
  }
}

void Recorder::PushSession(const SessionInfo& s) {
  Row* row = sink_->Begin();
  if (row == nullptr) return;
  row->Reset(RowType::kSession);
  row->num[col::kSessionSes] = s.ses == kUnsetId ? col::kNull : s.ses;
  row->num[col::kSessionAuid] = s.auid == kUnsetId ? col::kNull : s.auid;
  row->num[col::kSourcePort] = s.source.port != 0 ? s.source.port : col::kNull;
  row->num[col::kDestPort] = s.destination.port != 0 ? s.destination.port : col::kNull;
  row->num[col::kLoginPid] = s.login_pid > 0 ? s.login_pid : col::kNull;
  row->num[col::kSessionStart] = static_cast<int64_t>(s.start_ms);
  row->num[col::kSessionEnd] = s.end_ms != 0 ? static_cast<int64_t>(s.end_ms) : col::kNull;
  row->num[col::kLastSeen] = static_cast<int64_t>(s.last_seen_ms);
  row->num[col::kFailures] = s.failures;
  row->num[col::kFromProc] = s.from_proc ? 1 : 0;
  row->AddStr(s.id);
  row->AddStr(s.user);
  row->AddStr(s.service);
  char ip[Endpoint::kIpTextSize];
  row->AddStr(std::string_view(ip, s.source.FormatIpAsGiven(ip)));
  row->AddStr(std::string_view(ip, s.destination.FormatIpAsGiven(ip)));
  row->AddStr(s.hostname);
  row->AddStr(s.terminal);
  row->AddStr(s.tty);
  row->AddStr(s.leader_entity);
  row->AddStr(SessionStateName(s.state));
  row->AddStr(s.community_id);
  sink_->Commit();
  ++rows_;
}

void Recorder::WriteAll() {
  if (sink_ == nullptr) return;
  // The containers of the processes known now (read from /proc): a row each, first seen when the
  // earliest of its processes started.
  std::unordered_map<std::string, std::pair<const CgroupIdentity*, ContainerMemo>> seeded;
  table_->ForEach([&](ProcessImage& p) {
    if (!Recorded(p) || !InScope(p)) return;
    PushProcess(p);
    const CgroupIdentity* cgroup = p.cgroup.get();
    if (cgroup == nullptr || cgroup->runtime == ContainerRuntime::kNone ||
        containers_.count(cgroup->container_id) > 0) {
      return;
    }
    auto [it, fresh] = seeded.try_emplace(cgroup->container_id, cgroup, ContainerMemo());
    ContainerMemo& m = it->second.second;
    if (fresh || p.start_ms < m.first_ms) m.first_ms = p.start_ms;
    m.seen_ms = std::max(m.seen_ms, p.last_seen_ms);
  });
  for (auto& [id, seen] : seeded) {
    if (containers_.size() >= kMaxContainers) break;
    ContainerMemo& m = seen.second;
    m.pushed_ms = m.seen_ms;
    PushContainer(*seen.first, nullptr, m.first_ms, std::max(m.first_ms, m.seen_ms));
    containers_.emplace(id, std::move(m));
  }
  sessions_->ForEach([this](SessionInfo& s) {
    if (options_.netns != 0) {
      const ProcessImage* login = s.login_pid > 0 ? table_->Find(s.login_pid) : nullptr;
      if (login == nullptr || !InScope(*login)) return;
    }
    PushSession(s);
  });
}

EventKind Recorder::Classify(const ParsedEvent& e, bool in_session, Outcome* outcome,
                             bool* with_detail) {
  const EventSubject& s = Subject();
  const SessionEventInfo& info = SessionEvent();
  const ProcessImage* image = facts_->process;
  *outcome = !s.has_success ? Outcome::kUnknown : s.success ? Outcome::kSuccess : Outcome::kFailure;
  *with_detail = true;
  if (info.op != SessionOp::kNone) {
    *outcome = info.failed ? Outcome::kFailure : Outcome::kSuccess;
    if (info.privilege || info.op == SessionOp::kCommand) return EventKind::kPrivilege;
    switch (info.op) {
      case SessionOp::kLogin:
      case SessionOp::kOpen: return EventKind::kLogin;
      case SessionOp::kClose:
      case SessionOp::kCredDispose: return EventKind::kLogout;
      default: return EventKind::kAuth;
    }
  }
  switch (s.sys) {
    case SyscallClass::kExec:
      return EventKind::kExec;
    case SyscallClass::kExit:
      *outcome = image != nullptr && image->exit_code == 0 ? Outcome::kSuccess : Outcome::kFailure;
      return EventKind::kExit;
    case SyscallClass::kConnect:
    case SyscallClass::kAccept:
    case SyscallClass::kBind: {
      int r = e.Find(rectype::kSockaddr);
      if (r < 0) break;
      if (!in_session) {
        // Only the kind: the family is the first 16 bits of saddr, little-endian (AF_INET 2,
        // AF_INET6 10); the SOCKADDR record holds nothing else, so it is never split.
        std::string_view body = e.event().record_body(static_cast<size_t>(r));
        if (body.substr(0, 6) != "saddr=") break;
        std::string_view family = body.substr(6, 4);
        if (family != "0200" && family != "0A00" && family != "0a00") break;
        if (s.sys != SyscallClass::kBind) return EventKind::kNetwork;
        if (s.success) return EventKind::kBind;
        break;
      }
      if (!e.DecodeSockAddrOnce(e.Get(r, "saddr"), &sa_) || !sa_->error.empty() ||
          !sa_->address.is_ip()) {
        break;
      }
      if (s.sys != SyscallClass::kBind) return EventKind::kNetwork;
      if (s.success && sa_->address.port != 0) return EventKind::kBind;
      break;
    }
    case SyscallClass::kSetId:
      if (s.has_success && s.success && image != nullptr && image->role != SessionRole::kService &&
          s.before_uid != kUnsetId &&
          (image->uid != s.before_uid || image->euid != s.before_euid)) {
        return EventKind::kPrivilege;
      }
      break;
    case SyscallClass::kOpen: {
      if (e.Find(rectype::kPath) < 0) break;
      // O_WRONLY|O_RDWR, O_CREAT, O_TRUNC in the argument the syscall table says holds the open
      // flags (open a1, openat a2); openat2 passes a struct: a created file only.
      const uint64_t args[3] = {s.a0, s.a1, s.a2};
      bool write = false;
      for (int i = 0; i < 3 && s.facts != nullptr; ++i) {
        if (s.facts->args[i] != ArgKind::kOpenFlags) continue;
        write = (args[i] & 3) != 0 || (args[i] & 01100) != 0;
        break;
      }
      // (A created file without O_CREAT in the flags is openat2's; outside sessions only the kind
      // is kept, so the PATH records are not split for it.)
      for (size_t r = 0; !write && in_session && r < e.record_count(); ++r) {
        write = e.record_type(r) == rectype::kPath && e.Get(r, "nametype") == "CREATE";
      }
      if (write) return EventKind::kFile;
      break;
    }
    case SyscallClass::kFileChange:
      if (e.Find(rectype::kPath) >= 0) return EventKind::kFile;
      break;
    default:
      break;
  }
  *with_detail = false;
  return EventKind::kOther;
}

void Recorder::WriteExecDetail(const ParsedEvent& e, std::string& out) {
  const EventSubject& s = Subject();
  const ProcessImage* image = facts_->process;
  JsonWriter w(&out);
  w.BeginObject();
  if (s.success && image != nullptr && image->origin == ProcessOrigin::kExec &&
      image->start_ms == s.time_ms) {
    w.Key("exe");
    StoreString(w, image->exe);
    w.Key("args");
    w.BeginArray();
    if (image->args) image->args->ForEach([&](std::string_view arg) { StoreString(w, arg); });
    w.EndArray();
    if (image->args && image->args->truncated()) {
      w.Key("args_truncated");
      w.Bool(true);
    }
    if (!image->cwd.empty()) {
      w.Key("cwd");
      StoreString(w, image->cwd);
    }
  } else {
    int cwd_record = e.Find(rectype::kCwd);
    scratch2_.clear();
    if (cwd_record >= 0) ValueDecoder::AppendEscaped(e.Get(cwd_record, "cwd"), &scratch2_);
    for (size_t r = 0; r < e.record_count(); ++r) {
      if (e.record_type(r) != rectype::kPath) continue;
      DecodedPath(e.Get(r, "name"), scratch2_, &scratch_);
      w.Key("path");
      StoreString(w, scratch_);
      break;
    }
    if (!scratch2_.empty()) {
      w.Key("cwd");
      StoreString(w, scratch2_);
    }
    std::string_view err = ErrnoName(s.exit);
    if (!err.empty()) {
      w.Key("error");
      StoreString(w, err);
    }
  }
  w.EndObject();
}

void Recorder::WriteNetworkDetail(Row* row) {
  const EventSubject& s = Subject();
  // Decoded by Classify: the remote end (or the bound address), as the record gives it.
  const Endpoint& remote = sa_->address;
  const NetworkFacts& n = facts_->network;
  const bool accept = s.sys == SyscallClass::kAccept;
  // Our end: from the network enricher (the live socket), as the network facts write it, else for
  // an accept the address the process listens on.
  Endpoint local;
  if (n.present && n.local.is_ip() && n.local_ip_known()) {
    local = n.local.Unmapped();
    // A bind's only end is the address of its record, which is the remote one here.
    if (local.SameIpAsGiven(remote) && local.port == remote.port) local = {};
  }
  if (!local.is_ip() && accept) {
    if (const ProcessImage* image = facts_->process; image && image->listen().is_ip()) {
      local = image->listen();
    }
  }
  char remote_ip[Endpoint::kIpTextSize], local_ip[Endpoint::kIpTextSize];
  const std::string_view remote_text(remote_ip, remote.FormatIpAsGiven(remote_ip));
  const std::string_view local_text(local_ip, local.FormatIpAsGiven(local_ip));
  const std::string_view op = accept ? "accept" : s.sys == SyscallClass::kBind ? "bind" : "connect";
  const std::string_view transport = n.present ? TransportOf(n.protocol).name : std::string_view();
  const std::string_view error = s.success ? std::string_view() : ErrnoName(s.exit);
  std::string& out = row->OpenStr();
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("op");
  StoreString(w, op);
  w.Key("family");
  StoreString(w, sa_->family_name);
  WriteEnd(w, "remote", remote_text, remote.port);
  if (local.is_ip()) WriteEnd(w, "local", local_text, local.port);
  if (!n.community_id.empty()) {
    w.Key("community_id");
    StoreString(w, n.community_id);
  }
  if (!transport.empty()) {
    w.Key("transport");
    StoreString(w, transport);
  }
  if (!error.empty()) {
    w.Key("error");
    StoreString(w, error);
  }
  w.EndObject();
  row->CloseStr();
  if (s.sys == SyscallClass::kBind) return;
  // The same, typed, for the fleet's connections table (pg_copy.h).
  row->num[col::kRemotePort] = remote.port != 0 ? remote.port : col::kNull;
  row->num[col::kLocalPort] = local.is_ip() && local.port != 0 ? local.port : col::kNull;
  row->AddStr(op);
  row->AddStr(transport);
  row->AddStr(local_text);
  row->AddStr(remote_text);
  row->AddStr(n.community_id);
  row->AddStr(error);
}

void Recorder::WriteFileDetail(const ParsedEvent& e, std::string& out) {
  const EventSubject& s = Subject();
  int cwd_record = e.Find(rectype::kCwd);
  std::string cwd;
  if (cwd_record >= 0) ValueDecoder::AppendEscaped(e.Get(cwd_record, "cwd"), &cwd);
  std::string created, deleted, other;
  for (size_t r = 0; r < e.record_count(); ++r) {
    if (e.record_type(r) != rectype::kPath) continue;
    std::string_view type = e.Get(r, "nametype");
    std::string_view name = e.Get(r, "name");
    if (name.empty() || name == "(null)") continue;
    DecodedPath(name, cwd, &scratch_);
    if (type == "CREATE" && created.empty()) created = scratch_;
    else if (type == "DELETE" && deleted.empty()) deleted = scratch_;
    else if (type != "PARENT") other = scratch_;
  }
  std::string_view sc = s.syscall_name;
  std::string_view op;
  std::string_view path, to;
  if (sc.substr(0, 6) == "rename" && !deleted.empty() && !created.empty()) {
    op = "renamed";
    path = deleted;
    to = created;
  } else if (!created.empty()) {
    op = "created";
    path = created;
  } else if (!deleted.empty()) {
    op = "deleted";
    path = deleted;
  } else {
    path = other;
    bool attrs = sc.find("chmod") != std::string_view::npos ||
                 sc.find("chown") != std::string_view::npos ||
                 sc.find("xattr") != std::string_view::npos ||
                 sc.find("utime") != std::string_view::npos;
    op = attrs ? "changed attributes of" : "wrote";
  }
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("op");
  StoreString(w, op);
  w.Key("path");
  StoreString(w, path);
  if (!to.empty()) {
    w.Key("to");
    StoreString(w, to);
  }
  if (!s.key.empty() && s.key != "(null)") {
    scratch_.clear();
    std::vector<uint32_t> ends;
    ValueDecoder::SplitEscaped(s.key, '\x01', &scratch_, &ends, true);
    if (!ends.empty()) {
      w.Key("rule");
      StoreString(w, std::string_view(scratch_).substr(0, ends[0]));
    }
  }
  std::string_view err = s.has_success && !s.success ? ErrnoName(s.exit) : std::string_view();
  if (!err.empty()) {
    w.Key("error");
    StoreString(w, err);
  }
  w.EndObject();
}

void Recorder::WritePrivilegeDetail(const ParsedEvent& e, std::string& out) {
  const EventSubject& s = Subject();
  const SessionEventInfo& info = SessionEvent();
  const ProcessImage* image = facts_->process;
  IdNames& names = table_->decoder().ids();
  JsonWriter w(&out);
  w.BeginObject();
  if (info.op != SessionOp::kNone) {
    w.Key("via");
    StoreString(w, ServiceOfExe(info.exe));
    w.Key("type");
    StoreString(w, e.record_type_name(0));
    w.Key("op");
    StoreString(w, SessionOpName(info.op));
    if (!info.acct.empty()) {
      w.Key("to");
      StoreString(w, info.acct);
    }
    if (const SessionInfo* session = facts_->session; session && !session->user.empty()) {
      w.Key("from");
      StoreString(w, session->user);
    }
    if (info.op == SessionOp::kCommand) {
      for (std::string_view field : {"cmd", "cwd"}) {
        std::string_view raw = e.Get(0, field);
        if (raw.empty()) continue;
        scratch_.clear();
        ValueDecoder::AppendEscaped(raw, &scratch_);
        w.Key(field == "cmd" ? "command" : "cwd");
        StoreString(w, scratch_);
      }
    }
  } else if (image != nullptr) {
    w.Key("via");
    StoreString(w, ServiceOfExe(image->exe));
    w.Key("syscall");
    StoreString(w, s.syscall_name);
    w.Key("uid");
    w.UInt(image->uid);
    w.Key("euid");
    w.UInt(image->euid);
    std::string_view user = names.User(image->euid);
    if (!user.empty()) {
      w.Key("to");
      StoreString(w, user);
    }
    w.Key("from_uid");
    w.UInt(s.before_uid);
    w.Key("from_euid");
    w.UInt(s.before_euid);
    std::string_view from = names.User(s.before_euid);
    if (!from.empty()) {
      w.Key("from");
      StoreString(w, from);
    }
  }
  w.EndObject();
}

void Recorder::WriteUserMessageDetail(const ParsedEvent& e, std::string& out) {
  const EventSubject& s = Subject();
  JsonWriter w(&out);
  w.BeginObject();
  if (s.login_record >= 0) {
    int r = s.login_record;
    w.Key("type");
    StoreString(w, "LOGIN");
    for (std::string_view f : {"old-auid", "auid", "old-ses", "ses", "tty", "res"}) {
      std::string_view v = e.Get(r, f);
      if (v.empty()) continue;
      w.Key(f);
      StoreString(w, v);
    }
    uint32_t auid = kUnsetId;
    std::string_view a = e.Get(r, "auid");
    ParseId32(a, &auid);
    std::string_view user = auid != kUnsetId ? table_->decoder().ids().User(auid) : std::string_view();
    if (!user.empty()) {
      w.Key("user");
      StoreString(w, user);
    }
  } else {
    w.Key("type");
    StoreString(w, e.record_type_name(0));
    for (std::string_view f : {"op", "acct", "exe", "hostname", "addr", "terminal", "res"}) {
      std::string_view v = e.Get(0, f);
      if (v.empty()) continue;
      scratch_.clear();
      ValueDecoder::AppendEscaped(v, &scratch_);
      w.Key(f);
      StoreString(w, scratch_);
    }
  }
  w.EndObject();
}

void Recorder::WriteDetail(EventKind kind, const ParsedEvent& e, std::string& out) {
  switch (kind) {
    case EventKind::kExec: WriteExecDetail(e, out); break;
    case EventKind::kExit: {
      const ProcessImage* image = facts_->process;
      out.append("{\"code\":");
      AppendDecimal(out, image != nullptr ? image->exit_code : 0);
      out.push_back('}');
      break;
    }
    case EventKind::kNetwork:
    case EventKind::kBind: break;  // WriteNetworkDetail, with the typed columns
    case EventKind::kFile: WriteFileDetail(e, out); break;
    case EventKind::kPrivilege: WritePrivilegeDetail(e, out); break;
    case EventKind::kLogin:
    case EventKind::kAuth:
    case EventKind::kLogout: WriteUserMessageDetail(e, out); break;
    case EventKind::kOther: break;
  }
}

void Recorder::PushChanged() {
  for (ProcessImage* p : table_->changed()) {
    // An in-scope event may bring its parent from /proc: outside the namespace, not ours to write.
    if (Recorded(*p) && InScope(*p)) PushProcess(*p);
  }
  for (SessionInfo* s : sessions_->changed()) {
    PushSession(*s);
    // Its login process has just become the session's service.
    if (s->login_pid > 0) {
      if (ProcessImage* leader = table_->Find(s->login_pid);
          leader != nullptr && leader->entity_id.view() == s->leader_entity &&
          leader->ses != kUnsetId) {
        PushProcess(*leader);
      }
    }
  }
}

void Recorder::OnDropped(const EventFacts& facts) {
  if (sink_ == nullptr) return;
  facts_ = &facts;
  PushChanged();
}

void Recorder::OnEvent(const EventFacts& facts, std::string_view) {
  if (sink_ == nullptr) return;
  facts_ = &facts;
  const ParsedEvent& e = *facts.parsed;
  // Processes and details are what timelines read: written for sessions and containers only.
  // Outside them (daemons) an event gets a compact index row only with index_all_events.
  PushChanged();
  const EventSubject& s = Subject();
  const SessionInfo* session = facts.session;
  // Outside containers this is the one test added per event: a process with no cgroup, or one
  // whose cgroup names no container.
  const CgroupIdentity* cgroup = facts.process != nullptr ? facts.process->cgroup.get() : nullptr;
  const bool contained = cgroup != nullptr && cgroup->runtime != ContainerRuntime::kNone;
  if (contained) NoteContainer(*cgroup, e.event().time_ms());
  // A labelled process's events are kept as a container's: `timeline --label` shows them.
  const bool labelled = facts.process != nullptr && facts.process->labels != 0;
  const bool grouped = contained || labelled;
  if (session == nullptr && !grouped && !options_.index_all_events) return;
  Outcome outcome;
  bool with_detail;
  EventKind kind = Classify(e, session != nullptr || grouped, &outcome, &with_detail);
  with_detail = with_detail && (session != nullptr || grouped);
  // A container's or a labelled process's events outside sessions: the ones its timeline shows.
  if (session == nullptr && !with_detail && !options_.index_all_events) return;
  const ProcessImage* image = s.valid ? facts.process : nullptr;
  // A failed execve shows in timelines unless it is the PATH search of execvp (ENOENT).
  std::string_view role = image != nullptr ? SessionRoleName(image->role) : std::string_view();
  if (kind == EventKind::kExec && !(s.has_success && s.success)) {
    if (s.exit == -kENOENT) {
      role = {};
    } else if (role == "shell") {
      role = "command";
    }
  }

  Row* row = sink_->Begin();
  if (row == nullptr) return;
  row->Reset(RowType::kEvent);
  row->num[col::kTime] = static_cast<int64_t>(e.event().time_ms());
  row->num[col::kSerial] = e.event().serial();
  if (s.valid) row->num[col::kPid] = s.pid;
  if (s.uid != kUnsetId) row->num[col::kUid] = s.uid;
  row->num[col::kKind] = static_cast<int64_t>(kind);
  row->num[col::kOutcome] = static_cast<int64_t>(outcome);
  row->AddStr(session != nullptr ? std::string_view(session->id) : std::string_view());
  row->AddStr(image != nullptr ? image->entity_id.view() : std::string_view());
  if (!s.syscall_name.empty()) {
    row->AddStr(s.syscall_name);
  } else {
    row->AddStr(e.record_count() > 0 ? e.record_type_name(0) : std::string_view());
  }
  row->AddStr(role);
  if (with_detail && (kind == EventKind::kNetwork || kind == EventKind::kBind)) {
    WriteNetworkDetail(row);
  } else {
    if (with_detail) WriteDetail(kind, e, row->OpenStr());
    row->CloseStr();
  }
  sink_->Commit();
  ++rows_;
}

}  // namespace auditlens
