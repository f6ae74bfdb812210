#include "output/event_json.h"

#include <charconv>
#include <cstring>
#include <type_traits>

#include <libaudit.h>
#include <sys/stat.h>

#include "common/parse_int.h"
#include "decode/field_kind.h"
#include "decode/sockaddr.h"
#include "record/record_types.h"
#include "tables/syscall_facts.h"

namespace auditlens {
namespace {

// The ECS version the summary follows (docs/schema.md: every path outside auditd.* is an ECS field
// of that version), and the host's OS family, which Elastic's Linux rules test first.
constexpr std::string_view kEcsObject = R"({"version":"9.1.0"})";
constexpr std::string_view kHostOsObject = R"({"type":"linux"})";
// ECS event.dataset of every event auditlens writes (event.module is "auditd").
constexpr std::string_view kDataset = "auditd.events";

struct Category {
  Category() = default;
  Category(std::string_view c, std::string_view t, std::string_view a = {})
      : category(c), type(t), also(a) {}
  std::string_view category;
  std::string_view type;
  std::string_view also;  // a second category with the same type, or empty
};

// ECS event.category / event.type of the record types a rule set usually watches (those of
// syscalls are columns of src/tables/syscalls.tsv). Each type is one ECS expects for its category
// (../shared/ecs/fields.tsv); event.action stays the record type's name ("user_login").
Category CategoryOfType(uint16_t type) {
  switch (type) {
    // PAM's steps: checking a password or key, the account, the credentials.
    case AUDIT_USER_AUTH: case AUDIT_USER_ACCT: case AUDIT_GRP_AUTH:
    case AUDIT_CRED_ACQ: case AUDIT_CRED_DISP: case AUDIT_CRED_REFR:
      return {"authentication", "info"};
    // A login program's own account of a login and a logout.
    case AUDIT_USER_LOGIN:
      return {"authentication", "start", "session"};
    case AUDIT_USER_LOGOUT:
      return {"authentication", "end", "session"};
    // PAM opening and closing the session; the kernel giving a process its login session.
    case AUDIT_USER_START: case AUDIT_LOGIN:
      return {"session", "start"};
    case AUDIT_USER_END:
      return {"session", "end"};
    // Accounts: created, deleted, changed (a password, an id, a group's members).
    case AUDIT_ADD_USER: case AUDIT_ADD_GROUP:
      return {"iam", "creation"};
    case AUDIT_DEL_USER: case AUDIT_DEL_GROUP:
      return {"iam", "deletion"};
    case AUDIT_USER_CHAUTHTOK: case AUDIT_CHUSER_ID: case AUDIT_CHGRP_ID:
      return {"iam", "change"};
    case AUDIT_USER_CMD:
      return {"process", "start"};
    case AUDIT_CONFIG_CHANGE:
      return {"configuration", "change"};
    default:
      return {};
  }
}

// The device numbers of a terminal the kernel names in tty= (drivers/tty): "pts3" is Unix98 pty
// 3 (major 136 + N / 256, minor N % 256), "tty2" virtual console 2 (major 4), "ttyS0" serial port
// 0 (major 4, minor 64 + N). False for any other name (the kernel's names of other drivers vary).
bool TtyDevice(std::string_view tty, int* major, int* minor) {
  auto number = [](std::string_view digits, int* out) {
    if (digits.empty() || digits.size() > 6) return false;
    int v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    *out = v;
    return true;
  };
  int n = 0;
  if (tty.substr(0, 3) == "pts" && number(tty.substr(3), &n) && n < (1 << 20)) {
    *major = 136 + n / 256;
    *minor = n % 256;
    return *major <= 143;
  }
  if (tty.substr(0, 4) == "ttyS" && number(tty.substr(4), &n) && n < 192) {
    *major = 4;
    *minor = 64 + n;
    return true;
  }
  if (tty.substr(0, 3) == "tty" && number(tty.substr(3), &n) && n < 64) {
    *major = 4;
    *minor = n;
    return true;
  }
  return false;
}

// Whether a SYSCALL field is one of SyscallContext::context_fields.
bool IsContextField(std::string_view name, uint8_t bits) {
  if (name == "syscall") return (bits & 1) != 0;
  if (name.size() == 2 && name[0] == 'a' && name[1] >= '0' && name[1] <= '3') {
    return (bits & (2u << (name[1] - '0'))) != 0;
  }
  return false;
}

std::string_view FileTypeOfMode(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return "file";
    case S_IFDIR: return "dir";
    case S_IFLNK: return "symlink";
    case S_IFCHR: return "char";
    case S_IFBLK: return "block";
    case S_IFIFO: return "fifo";
    case S_IFSOCK: return "socket";
    default: return {};
  }
}

// The bit of a SYSCALL field name the brief summary may hold (WriteTrimmedRecords), or -1: success 0,
// pid 1, ppid 2, comm 3, exe 4, key 5, tty 6, ses 7, uid 8, gid 9, auid 10, euid 11, suid 12,
// fsuid 13, egid 14, sgid 15, fsgid 16. By length, then fixed-size compares (every field of every
// SYSCALL record not memoized is asked).
int SyscallSummaryBit(std::string_view n) {
  auto is = [&n](const char* lit) { return std::memcmp(n.data(), lit, n.size()) == 0; };
  switch (n.size()) {
    case 3:
      if (is("pid")) return 1;
      if (is("exe")) return 4;
      if (is("key")) return 5;
      if (is("tty")) return 6;
      if (is("ses")) return 7;
      if (is("uid")) return 8;
      if (is("gid")) return 9;
      return -1;
    case 4:
      if (is("ppid")) return 2;
      if (is("comm")) return 3;
      if (is("auid")) return 10;
      if (is("euid")) return 11;
      if (is("suid")) return 12;
      if (is("egid")) return 14;
      if (is("sgid")) return 15;
      return -1;
    case 5:
      if (is("fsuid")) return 13;
      if (is("fsgid")) return 16;
      return -1;
    case 7:
      return is("success") ? 0 : -1;
    default:
      return -1;
  }
}

// A value without its double quotes, if it has them (success="yes" of some user-space records).
std::string_view Unquoted(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

// A decimal already in its shortest form, as the kernel writes a pid: copied to the output as it
// is, the same bytes that parsing and formatting it again would give.
bool IsShortestDecimal(std::string_view raw) {
  const size_t sign = !raw.empty() && raw[0] == '-' ? 1 : 0;
  const size_t digits = raw.size() - sign;
  if (digits < 1 || digits > 18 || (raw[sign] == '0' && (digits > 1 || sign == 1))) return false;
  bool plain = true;
  for (size_t i = sign; i < raw.size(); ++i) plain &= raw[i] >= '0' && raw[i] <= '9';
  return plain;
}

// A field's raw value as a JSON number: ok when it is a decimal; written as the record has it
// when already the shortest form, else parsed and written shortest.
struct JsonInteger {
  explicit JsonInteger(std::string_view raw)
      : raw(raw), shortest(IsShortestDecimal(raw)), ok(shortest || ParseI64(raw, &value)) {}
  void WriteTo(JsonWriter& w) const {
    if (shortest) {
      w.Raw(raw);
    } else {
      w.Int(value);
    }
  }
  std::string_view raw;
  int64_t value = 0;
  bool shortest;
  bool ok;
};

}  // namespace

EventJsonFormatter::EventJsonFormatter(std::string hostname) : hostname_(std::move(hostname)) {}

std::string_view EventJsonFormatter::Decoded(FieldKind kind, std::string_view raw) {
  scratch_.clear();
  decoder_.Decode(kind, raw, ctx_, &scratch_);
  return scratch_;
}

void EventJsonFormatter::WriteString(JsonWriter& w, std::string_view bytes, std::string_view path,
                                     std::string_view subpath, int index) {
  if (w.String(bytes)) {
    std::string& p = NoteEncoded(path);
    if (!subpath.empty()) {
      p.push_back('.');
      p.append(subpath.data(), subpath.size());
    }
    if (index >= 0) {
      char buf[16];
      int n = snprintf(buf, sizeof(buf), "[%d]", index);
      p.append(buf, n);
    }
  }
}

std::string& EventJsonFormatter::NoteEncoded(std::string_view path) {
  if (encoded_count_ == encoded_.size()) encoded_.emplace_back();
  std::string& p = encoded_[encoded_count_++];
  p.assign(path.data(), path.size());
  return p;
}

void EventJsonFormatter::FindAccount(const ParsedEvent& e) {
  for (size_t r = 0; r < e.record_count(); ++r) {
    std::string_view acct = e.Get(r, "acct");
    account_text_.clear();
    if (!acct.empty()) {
      ValueDecoder::AppendEscaped(acct, &account_text_);
    } else if (e.record_type(r) == AUDIT_USER_LOGIN || e.record_type(r) == AUDIT_USER_LOGOUT) {
      // A login program's successful login names the user by uid (id=1000), not acct=.
      std::string_view id = e.Get(r, "id");
      if (id.empty()) continue;
      account_text_.assign(Decoded(FieldKind::kUid, id));
      if (account_text_ == "unset" || account_text_.rfind("unknown(", 0) == 0) account_text_ = id;
    } else {
      continue;
    }
    if (account_text_ != "?" && account_text_ != "(unknown)" && !account_text_.empty())
      account_ = account_text_;
    std::string_view addr = e.Get(r, "addr");
    if (!addr.empty() && addr != "?") EndpointFromText(addr, 0, &client_);
    return;
  }
}

void EventJsonFormatter::WriteTimestamp(uint64_t sec, uint32_t msec, JsonWriter& w) {
  size_t len;
  const char* text = time_cache_.Get(static_cast<int64_t>(sec), &len);
  char buf[kIsoSecondsMax + 8];
  buf[0] = '"';
  std::memcpy(buf + 1, text, len);
  msec %= 1000;
  char* p = buf + 1 + len;
  *p++ = '.';
  *p++ = static_cast<char>('0' + msec / 100);
  *p++ = static_cast<char>('0' + msec / 10 % 10);
  *p++ = static_cast<char>('0' + msec % 10);
  *p++ = 'Z';
  *p++ = '"';
  w.Raw(std::string_view(buf, p - buf));
}

void EventJsonFormatter::WriteId(JsonWriter& w, std::string_view raw, bool group,
                                 std::string_view path) {
  w.BeginObject();
  w.Key("id");
  w.String(raw);
  std::string_view name = Decoded(group ? FieldKind::kGid : FieldKind::kUid, raw);
  if (name != raw) {
    w.Key("name");
    WriteString(w, name, path, "name");
  }
  w.EndObject();
}

template <typename Render>
void EventJsonFormatter::Memoized(JsonWriter& w, MemoSite site, std::string_view tag,
                                  std::string_view raw, Render&& render) {
  const FieldMemo::Key key{0, 0, 0, tag, raw};
  FieldMemo::Hint* hint = &site_hints_[static_cast<size_t>(site)];
  uint64_t hash;
  std::string_view hit = memo_.Find(key, hint, &hash);
  if (!hit.empty()) {
    w.Raw(hit);
    return;
  }
  const size_t encoded_before = encoded_count_;
  const size_t start = w.size();
  render();
  if (encoded_count_ == encoded_before) {
    std::string_view members = w.Since(start);
    if (!members.empty() && members[0] == ',') members.remove_prefix(1);
    memo_.Store(key, hash, members, hint);
  }
}

void EventJsonFormatter::SelectAndLearn(const ParsedEvent& e) {
  const Event& ev = e.event();
  LogNames& names = decoder_.log_names();
  bool changed = names.SelectNode(ev.node());
  if (ev.enriched_records() > 0) changed |= names.Learn(e);
  if (changed) {
    // What was rendered from ids under other names (memoized members and records) is dropped.
    memo_.Clear();
    record_memo_.Clear();
  }
}

void EventJsonFormatter::Format(const ParsedEvent& e, std::string* out) {
  LearnNames(e);
  EventFacts facts;
  facts.Reset(e);
  Format(e, facts, out);
}

void EventJsonFormatter::Format(const ParsedEvent& e, const EventFacts& facts, std::string* out) {
  // ~100 appends per event: written into a scratch buffer through a pointer (json_writer.h), then
  // appended to *out in one copy.
  JsonWriter w(&event_json_, JsonWriter::kScratch);
  encoded_count_ = 0;
  ctx_ = SyscallContext();
  int sys = e.syscall_record();
  if (sys >= 0) {
    // Read through the record's index: the subject's ids below split the record in every event
    // anyway (a scan of its first words, to spare the split, cost connect 2.5% more).
    lead_[kArch] = e.Get(sys, "arch");
    lead_[kSyscall] = e.Get(sys, "syscall");
    lead_[kSuccess] = Unquoted(e.Get(sys, "success"));
    lead_[kExit] = e.Get(sys, "exit");
    lead_[kA0] = e.Get(sys, "a0");
    lead_[kA1] = e.Get(sys, "a1");
    lead_[kA2] = e.Get(sys, "a2");
    ctx_ = decoder_.ContextOf(lead_[kArch], lead_[kSyscall], lead_[kA0], lead_[kA1]);
  }
  event_ctx_ = ctx_;

  const Event& ev = e.event();
  // User names can change (an account created later): memoized members go stale after 30 s.
  if (ev.sec() >= memo_epoch_sec_ + 30 || ev.sec() < memo_epoch_sec_) {
    memo_.Clear();
    record_memo_.Clear();
    brief_record_memo_.Clear();
    memo_epoch_sec_ = ev.sec();
  }
  w.BeginObject();
  w.Key("@timestamp");
  WriteTimestamp(ev.sec(), ev.msec(), w);
  const bool brief = profile_ == OutputProfile::kBrief;
  if (!brief) {
    w.Key("ecs");
    w.Raw(kEcsObject);
  }
  // node= of the records, else the host given (the agent's own; parse's --host); without either
  // (a log from who knows where) no name at all.
  const bool host_named = !ev.node().empty() || !hostname_.empty();
  if (host_named || !brief) {
    w.Key("host");
    w.BeginObject();
    if (host_named) {
      w.Key("name");
      WriteString(w, ev.node().empty() ? std::string_view(hostname_) : std::string_view(ev.node()),
                  "host.name");
    }
    if (!brief) {
      w.Key("os");
      w.Raw(kHostOsObject);
    }
    w.EndObject();
  }
  w.Key("event");
  w.BeginObject();
  w.Key("sequence");  // the kernel's serial of the event
  w.UInt(ev.serial());
  WriteEventSection(e, w);
  w.EndObject();
  if (e.syscall_record() >= 0) WriteError(w);
  // A user-space message of PAM or a login program names the account it is about (acct=) and the
  // client (addr=): ECS user.name and source.ip.
  account_ = {};
  client_ = Endpoint();
  ids_ = SubjectIds();
  ids_key_.clear();
  if (int r = e.subject_record(); r >= 0) {
    ids_.uid = e.Get(r, "uid");
    ids_.euid = e.Get(r, "euid");
    ids_.suid = e.Get(r, "suid");
    ids_.gid = e.Get(r, "gid");
    ids_.auid = e.Get(r, "auid");
    // "uid|euid|suid|gid|auid|": the part of the memo keys of the sections written from them.
    for (std::string_view id : {ids_.uid, ids_.euid, ids_.suid, ids_.gid, ids_.auid}) {
      ids_key_.append(id.data(), id.size());
      ids_key_.push_back('|');
    }
  }
  if (e.syscall_record() < 0) FindAccount(e);
  WriteProcess(e, facts, w);
  WriteUser(e, w);
  file_record_ = FileRecord(e);
  WriteFile(e, w);
  WriteTags(e, w);
  if (label_names_ != nullptr && facts.process != nullptr && facts.process->labels != 0) {
    WriteLabels(facts.process->labels, w);
  }
  if (brief) {
    container_json_.WriteId(facts, w);
  } else {
    container_json_.Write(facts, w);
  }
  const int encoded = network_json_.Write(facts.network, w);
  if (encoded & NetworkJson::kSourceEncoded) NoteEncoded("source.address");
  if (encoded & NetworkJson::kDestinationEncoded) NoteEncoded("destination.address");
  if (!facts.network.present && client_.is_ip()) {
    char ip[Endpoint::kIpTextSize];
    w.Key("source");
    w.BeginObject();
    w.Key("ip");
    w.String(std::string_view(ip, client_.FormatIp(ip)));
    w.EndObject();
  }
  if (!brief) WriteRelated(facts, w);
  WriteRecords(e, facts, w);
  w.EndObject();
  const std::string_view json = w.Since(0);
  out->append(json.data(), json.size());
  out->push_back('\n');
}

EventJsonFormatter::EventRefinement EventJsonFormatter::RefinementOf(
    const ParsedEvent& e, const tables::SyscallFacts& facts) const {
  EventRefinement r;
  switch (facts.cls) {
    case SyscallClass::kOpen:
      // The kernel says which name an open created: its PATH item has nametype=CREATE (O_CREAT
      // alone does not say it: `>>` opens an existing file with O_CREAT). A value cannot hold
      // " nametype=": the kernel writes any name with a space in hex.
      for (size_t i = 0; i < e.record_count() && !r.creates; ++i) {
        if (e.record_type(i) != rectype::kPath) continue;
        const std::string_view body = e.event().record_body(i);
        static constexpr std::string_view kCreate = " nametype=CREATE";
        const size_t at = body.find(kCreate);
        r.creates = at != std::string_view::npos &&
                    (at + kCreate.size() == body.size() || body[at + kCreate.size()] == ' ');
      }
      break;
    case SyscallClass::kFork: {
      uint64_t flags = 0;
      r.thread = facts.name == "clone" && ParseHexU64(lead_[kA0], &flags) && (flags & 0x10000) != 0;
      break;
    }
    case SyscallClass::kConnect:
      r.in_progress = lead_[kExit] == "-115";  // EINPROGRESS, on every arch auditlens knows
      break;
    default:
      break;
  }
  return r;
}

void EventJsonFormatter::WriteError(JsonWriter& w) {
  // A failed syscall's errno, by its name (ECS error.code): exit=-13 is EACCES. lead_ is this
  // event's (the caller checked it has a SYSCALL record).
  if (lead_[kSuccess] != "no") return;
  int64_t exit = 0;
  if (!ParseI64(lead_[kExit], &exit) || exit >= 0 || exit < -4095) return;
  const char* name = strerrorname_np(static_cast<int>(-exit));
  if (name == nullptr) return;
  w.Key("error");
  w.BeginObject();
  w.Key("code");
  w.String(name);
  w.EndObject();
}

void EventJsonFormatter::WriteEventSection(const ParsedEvent& e, JsonWriter& w) {
  int sys = e.syscall_record();
  const tables::SyscallFacts& facts =
      tables::FactsOf(sys >= 0 ? tables::LookupSyscall(ctx_.machine, ctx_.syscall) : nullptr);
  if (sys < 0) {
    WriteEventMembers(e, facts, w);
    return;
  }
  // A function of the SYSCALL record's arch, syscall, a0 (socketcall, ipc) and success, and of what
  // the arguments refine (RefinementOf): one memo entry per syscall, outcome and refinement.
  const EventRefinement r = RefinementOf(e, facts);
  memo_key_.clear();
  for (int i : {kArch, kSyscall, kA0, kSuccess}) {
    memo_key_.append(lead_[i].data(), lead_[i].size());
    memo_key_.push_back('|');
  }
  memo_key_.push_back(static_cast<char>('0' + r.creates + 2 * r.thread + 4 * r.in_progress));
  Memoized(w, MemoSite::kEvent, "event", memo_key_, [&] { WriteEventMembers(e, facts, w); });
}

void EventJsonFormatter::WriteEventMembers(const ParsedEvent& e, const tables::SyscallFacts& facts,
                                           JsonWriter& w) {
  int sys = e.syscall_record();
  w.Key("kind");
  w.String("event");
  if (profile_ != OutputProfile::kBrief) {
    w.Key("module");
    w.String("auditd");
    w.Key("dataset");
    w.String(kDataset);
  }
  Category cat;
  EventRefinement refined;
  w.Key("action");
  if (sys >= 0) {
    refined = RefinementOf(e, facts);
    if (!facts.ecs_action.empty() && !refined.thread) {
      w.String(facts.ecs_action);
    } else {
      // The syscall as auparse names it: "openat", "socketcall(connect)", "unknown-syscall(999)".
      WriteString(w, Decoded(FieldKind::kSyscall, lead_[kSyscall]), "event.action");
    }
    if (!refined.thread) cat = {facts.ecs_category, refined.creates ? "creation" : facts.ecs_type};
  } else if (e.record_count() > 0) {
    std::string_view type = e.record_type_name(0);
    scratch_.assign(type.data(), type.size());
    for (char& c : scratch_) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    w.String(scratch_);
    cat = CategoryOfType(e.record_type(0));
  } else {
    w.String("unknown");
  }
  if (!cat.category.empty()) {
    w.Key("category");
    w.BeginArray();
    w.String(cat.category);
    if (!cat.also.empty()) w.String(cat.also);
    w.EndArray();
    w.Key("type");
    w.BeginArray();
    w.String(cat.type);
    w.EndArray();
  }
  // Outcome: the syscall's success, else the res= of a user-space message. A non-blocking connect
  // still in progress has none yet.
  std::string_view outcome = "unknown";
  if (sys >= 0) {
    std::string_view s = lead_[kSuccess];
    if (s == "yes") outcome = "success";
    if (s == "no" && !refined.in_progress) outcome = "failure";
  } else {
    // res= (PAM and most user-space messages), else success= (some write that, quoted or not).
    for (size_t r = 0; r < e.record_count() && outcome == "unknown"; ++r) {
      std::string_view res = Unquoted(e.Get(r, "res"));
      if (res.empty()) res = Unquoted(e.Get(r, "success"));
      if (res == "success" || res == "yes" || res == "1") outcome = "success";
      if (res == "failed" || res == "no" || res == "0") outcome = "failure";
    }
  }
  w.Key("outcome");
  w.String(outcome);
}

void EventJsonFormatter::WriteProcess(const ParsedEvent& e, const EventFacts& facts,
                                      JsonWriter& w) {
  const bool brief = profile_ == OutputProfile::kBrief;
  int r = e.subject_record();
  int cwd_record = e.Find(rectype::kCwd);
  int title_record = e.Find(rectype::kProctitle);
  // An event cut from its SYSCALL record (a filtered or truncated log) may still have EXECVE.
  if (r < 0 && title_record < 0 && e.Find(rectype::kExecve) < 0) return;
  w.Key("process");
  w.BeginObject();
  if (r >= 0) {
    if (const JsonInteger pid(e.Get(r, "pid")); pid.ok) {
      w.Key("pid");
      pid.WriteTo(w);
    }
    if (const JsonInteger ppid(e.Get(r, "ppid")); ppid.ok) {
      w.Key("parent");
      w.BeginObject();
      w.Key("pid");
      ppid.WriteTo(w);
      if (brief) {
        process_json_.WriteParentId(facts, w);
      } else {
        process_json_.WriteParent(facts, w);
      }
      w.EndObject();
    }
    std::string_view comm = e.Get(r, "comm");
    if (!comm.empty()) {
      Memoized(w, MemoSite::kProcessName, "process.name", comm, [&] {
        w.Key("name");
        WriteString(w, Decoded(FieldKind::kEscaped, comm), "process.name");
      });
    }
    std::string_view exe = e.Get(r, "exe");
    if (!exe.empty()) {
      Memoized(w, MemoSite::kProcessExecutable, "process.executable", exe, [&] {
        w.Key("executable");
        WriteString(w, Decoded(FieldKind::kEscaped, exe), "process.executable");
      });
    }
    std::string_view tty = e.Get(r, "tty");
    if (!tty.empty()) {
      // ECS: whether the process has a terminal, and the terminal's device numbers where its name
      // says them. The name itself stays in the SYSCALL record (auditd.records).
      const bool interactive = tty != "(none)";
      w.Key("interactive");
      w.Bool(interactive);
      int major = 0, minor = 0;
      if (interactive && TtyDevice(tty, &major, &minor)) {
        w.Key("tty");
        w.BeginObject();
        w.Key("char_device");
        w.BeginObject();
        w.Key("major");
        w.Int(major);
        w.Key("minor");
        w.Int(minor);
        w.EndObject();
        w.EndObject();
      }
    }
  }
  if (cwd_record >= 0) {
    // Keyed by the record's body: on a hit the record is never split into fields.
    Memoized(w, MemoSite::kWorkingDirectory, "process.working_directory", e.event().record_body(cwd_record), [&] {
      w.Key("working_directory");
      WriteString(w, Decoded(FieldKind::kEscaped, e.Get(cwd_record, "cwd")),
                  "process.working_directory");
    });
  }
  // Arguments: EXECVE has them whole; PROCTITLE (cut at 128 bytes) is the fallback.
  if (e.arg_count() > 0) {
    w.Key("args");
    w.BeginArray();
    for (size_t i = 0; i < e.arg_count(); ++i) {
      scratch_.clear();
      for (std::string_view piece : e.arg_pieces(i)) ValueDecoder::AppendEscaped(piece, &scratch_);
      WriteString(w, scratch_, "process.args", {}, static_cast<int>(i));
    }
    w.EndArray();
    if (!brief) {
      w.Key("args_count");
      w.UInt(e.arg_count());
    }
  }
  // brief: the arguments from PROCTITLE when EXECVE has none, no command_line (they are the
  // arguments joined by spaces); with EXECVE's arguments nothing (the record says whether it is
  // their copy: WriteBriefRecords).
  if (title_record >= 0 && !(brief && e.arg_count() > 0)) {
    const bool with_args = e.arg_count() == 0;
    Memoized(w, MemoSite::kCommandLine,
             with_args ? "process.args+command_line" : "process.command_line",
             e.event().record_body(title_record), [&] {
      std::string_view proctitle = e.Get(title_record, "proctitle");
      scratch2_.clear();
      ends_.clear();
      ValueDecoder::SplitEscaped(proctitle, '\0', &scratch2_, &ends_);
      if (with_args) {
        w.Key("args");
        w.BeginArray();
        uint32_t begin = 0;
        int index = 0;
        for (uint32_t end : ends_) {
          WriteString(w, std::string_view(scratch2_).substr(begin, end - begin), "process.args", {},
                      index++);
          begin = end + 1;
        }
        w.EndArray();
      }
      if (brief) return;
      for (size_t i = 0; i + 1 < ends_.size(); ++i) scratch2_[ends_[i]] = ' ';
      // ECS process.command_line: the arguments joined by spaces, as PROCTITLE has them.
      w.Key("command_line");
      WriteString(w, scratch2_, "process.command_line");
    });
  }
  if (brief) {
    // The process's own id; its users are the record's ids (user, group; the others in the
    // record when they differ), its leaders known by their own events.
    process_json_.WriteEntityId(facts, w);
    w.EndObject();
    return;
  }
  if (r >= 0) WriteProcessUsers(w);
  process_json_.WriteSelf(facts, w);
  process_json_.WriteLeaders(facts, w);
  session_json_.WriteEntryLeader(facts, w);
  w.EndObject();
}

void EventJsonFormatter::WriteUser(const ParsedEvent& e, JsonWriter& w) {
  int r = e.subject_record();
  if (r < 0) return;
  const std::string_view uid = ids_.uid, euid = ids_.euid, gid = ids_.gid;
  if (!account_.empty()) {
    // The account a login program's message is about (who ran the program: process.user).
    w.Key("user");
    w.BeginObject();
    w.Key("name");
    WriteString(w, account_, "user.name");
    w.EndObject();
    return;
  }
  if (profile_ == OutputProfile::kBrief) {
    // The record's ids as they are (no names looked up; the other ids stay in the record when
    // they differ from these).
    if (!uid.empty()) {
      w.Key("user");
      w.BeginObject();
      w.Key("id");
      w.String(uid);
      w.EndObject();
    }
    if (!gid.empty()) {
      w.Key("group");
      w.BeginObject();
      w.Key("id");
      w.String(gid);
      w.EndObject();
    }
    return;
  }
  // The ids of a process rarely change from event to event: one memo entry for all of them.
  Memoized(w, MemoSite::kUserGroup, "user+group", ids_key_, [&] {
    if (!uid.empty()) {
      w.Key("user");
      w.BeginObject();
      if (!uid.empty()) {
        w.Key("id");
        w.String(uid);
        std::string_view name = Decoded(FieldKind::kUid, uid);
        if (name != uid) {
          w.Key("name");
          WriteString(w, name, "user.name");
        }
      }
      if (!euid.empty() && euid != uid) {
        w.Key("effective");
        WriteId(w, euid, false, "user.effective");
      }
      w.EndObject();
    }
    if (!gid.empty()) {
      w.Key("group");
      WriteId(w, gid, true, "group");
    }
  });
}

void EventJsonFormatter::WriteProcessUsers(JsonWriter& w) {
  // ECS process.user is the effective user, real_user and saved_user the others (a user-space
  // message has only uid=, the user of the program that sent it).
  const std::string_view uid = ids_.uid, euid = ids_.euid, suid = ids_.suid;
  if (uid.empty() && euid.empty()) return;
  Memoized(w, MemoSite::kProcessUsers, "process.user", ids_key_, [&] {
    w.Key("user");
    WriteId(w, euid.empty() ? uid : euid, false, "process.user");
    if (!euid.empty() && !uid.empty()) {
      w.Key("real_user");
      WriteId(w, uid, false, "process.real_user");
    }
    if (!suid.empty()) {
      w.Key("saved_user");
      WriteId(w, suid, false, "process.saved_user");
    }
  });
}

void EventJsonFormatter::WriteRelated(const EventFacts& facts, JsonWriter& w) {
  // ECS related.user: every user the event names (the ids' names; an id without one as it is; the
  // account of a login program's message); related.ip: the addresses it names.
  std::string_view ids[4] = {ids_.uid, ids_.euid, ids_.suid, ids_.auid};
  bool any_user = !account_.empty();
  for (std::string_view& id : ids) {
    if (id == "4294967295" || id == "-1") id = {};
    any_user |= !id.empty();
  }
  // The addresses as the event wrote them (source, destination; a login message's client), once.
  std::string_view ips[2];
  size_t n_ips = 0;
  char client[Endpoint::kIpTextSize];
  if (facts.network.present) {
    for (size_t i = 0; i < network_json_.ip_count(); ++i) {
      if (n_ips == 0 || network_json_.ip(i) != ips[0]) ips[n_ips++] = network_json_.ip(i);
    }
  } else if (client_.is_ip()) {
    ips[n_ips] = std::string_view(client, client_.FormatIp(client));
    n_ips += !ips[n_ips].empty();
  }
  if (!any_user && n_ips == 0) return;
  w.Key("related");
  w.BeginObject();
  if (any_user) {
    std::string_view key = ids_key_;
    if (!account_.empty()) {
      memo_key_.assign(ids_key_);
      memo_key_.append(account_.data(), account_.size());
      key = memo_key_;
    }
    Memoized(w, MemoSite::kRelatedUser, "related.user", key, [&] {
      related_names_.clear();
      auto add = [&](std::string_view name) {
        if (name.empty()) return;
        for (const std::string& known : related_names_) {
          if (known == name) return;
        }
        related_names_.emplace_back(name);
      };
      for (std::string_view id : ids) {
        if (id.empty()) continue;
        std::string_view name = Decoded(FieldKind::kUid, id);
        add(name.substr(0, 8) == "unknown(" || name == "unset" ? id : name);
      }
      add(account_);
      w.Key("user");
      w.BeginArray();
      for (size_t i = 0; i < related_names_.size(); ++i)
        WriteString(w, related_names_[i], "related.user", {}, static_cast<int>(i));
      w.EndArray();
    });
  }
  if (n_ips > 0) {
    // "ip":["…","…"] in one piece: an address's text never needs escaping.
    char buf[2 * Endpoint::kIpTextSize + 16];
    char* p = buf;
    std::memcpy(p, "\"ip\":[", 6);
    p += 6;
    for (size_t i = 0; i < n_ips; ++i) {
      if (i > 0) *p++ = ',';
      *p++ = '"';
      std::memcpy(p, ips[i].data(), ips[i].size());
      p += ips[i].size();
      *p++ = '"';
    }
    *p++ = ']';
    w.Raw(std::string_view(buf, static_cast<size_t>(p - buf)));
  }
  w.EndObject();
}

int EventJsonFormatter::FileRecord(const ParsedEvent& e) {
  // execve: PATH item 0 is the program (item 1 is the ELF interpreter, ld.so).
  bool exec = e.syscall_record() >= 0 &&
              tables::FactsOf(tables::LookupSyscall(event_ctx_.machine, event_ctx_.syscall)).cls ==
                  SyscallClass::kExec;
  int chosen = -1;
  int paths = 0;
  for (size_t r = 0; r < e.record_count(); ++r) paths += e.record_type(r) == rectype::kPath;
  if (paths <= 1) {  // nothing to choose between: no need to split the record
    for (size_t r = 0; r < e.record_count(); ++r) {
      if (e.record_type(r) == rectype::kPath) return static_cast<int>(r);
    }
    return -1;
  }
  for (size_t r = 0; r < e.record_count(); ++r) {
    if (e.record_type(r) != rectype::kPath) continue;
    if (exec) {
      // The kernel writes item= first: "item=0 ..." is item 0 without splitting the record.
      const std::string_view body = e.event().record_body(r);
      const bool item0 = body.size() >= 7 && body.substr(0, 7) == "item=0 "
                             ? true
                             : e.Get(r, "item") == "0";
      if (item0) return static_cast<int>(r);
      if (chosen < 0) chosen = static_cast<int>(r);
      continue;
    }
    // Otherwise the object of the syscall: the last PATH item that is not a parent directory.
    if (chosen < 0 || e.Get(r, "nametype") != "PARENT") chosen = static_cast<int>(r);
  }
  return chosen;
}

void EventJsonFormatter::WriteFile(const ParsedEvent& e, JsonWriter& w) {
  const int chosen = file_record_;
  if (chosen < 0) return;
  // The file section is a function of the PATH record and the cwd (for relative names).
  memo_key_.assign(e.event().record_body(chosen));
  int cwd_record = e.Find(rectype::kCwd);
  if (cwd_record >= 0) {
    memo_key_.push_back('\0');
    memo_key_.append(e.event().record_body(cwd_record));
  }
  Memoized(w, MemoSite::kFile, "file", memo_key_, [&] {
    std::string_view name = e.Get(chosen, "name");
    if (name.empty() || name == "(null)") return;
    w.Key("file");
    w.BeginObject();
    scratch_.clear();
    ValueDecoder::AppendEscaped(name, &scratch_);
    if (!scratch_.empty() && scratch_[0] != '/') {
      int cwd_record = e.Find(rectype::kCwd);
      if (cwd_record >= 0) {
        scratch2_.clear();
        ValueDecoder::AppendEscaped(e.Get(cwd_record, "cwd"), &scratch2_);
        if (scratch2_.empty() || scratch2_.back() != '/') scratch2_.push_back('/');
        scratch2_.append(scratch_);
        scratch_.swap(scratch2_);
      }
    }
    w.Key("path");
    WriteString(w, scratch_, "file.path");
    std::string_view inode = e.Get(chosen, "inode");
    int64_t v;
    if (ParseI64(inode, &v)) {
      w.Key("inode");
      w.String(inode);
    }
    std::string_view mode = e.Get(chosen, "mode");
    unsigned m = 0;
    auto [p, ec] = std::from_chars(mode.data(), mode.data() + mode.size(), m, 8);
    if (ec == std::errc() && !mode.empty()) {
      char buf[8];
      snprintf(buf, sizeof(buf), "%04o", m & 07777);
      w.Key("mode");
      w.String(buf);
      std::string_view type = FileTypeOfMode(m);
      if (!type.empty()) {
        w.Key("type");
        w.String(type);
      }
    }
    std::string_view ouid = e.Get(chosen, "ouid");
    if (!ouid.empty()) {
      w.Key("uid");
      w.String(ouid);
      std::string_view owner =
          profile_ == OutputProfile::kBrief ? ouid : Decoded(FieldKind::kUid, ouid);
      if (owner != ouid) {
        w.Key("owner");
        WriteString(w, owner, "file.owner");
      }
    }
    std::string_view ogid = e.Get(chosen, "ogid");
    if (!ogid.empty()) {
      w.Key("gid");
      w.String(ogid);
      std::string_view group =
          profile_ == OutputProfile::kBrief ? ogid : Decoded(FieldKind::kGid, ogid);
      if (group != ogid) {
        w.Key("group");
        WriteString(w, group, "file.group");
      }
    }
    w.EndObject();
  });
}

void EventJsonFormatter::WriteTags(const ParsedEvent& e, JsonWriter& w) {
  // A syscall event's rule key is on its SYSCALL record; other events are searched.
  size_t first = e.syscall_record() >= 0 ? static_cast<size_t>(e.syscall_record()) : 0;
  size_t last = e.syscall_record() >= 0 ? first + 1 : e.record_count();
  for (size_t r = first; r < last; ++r) {
    std::string_view key = e.Get(r, "key");
    if (key.empty() || key == "(null)") continue;
    // One record's keys: the rule that matched. A function of the raw key alone.
    Memoized(w, MemoSite::kTags, "tags", key, [&] { WriteTagMembers(key, w); });
    return;
  }
}

void EventJsonFormatter::WriteTagMembers(std::string_view key, JsonWriter& w) {
  scratch2_.clear();
  ends_.clear();
  ValueDecoder::SplitEscaped(key, '\x01', &scratch2_, &ends_, true);
  w.Key("tags");
  w.BeginArray();
  uint32_t begin = 0;
  int index = 0;
  for (uint32_t end : ends_) {
    WriteString(w, std::string_view(scratch2_).substr(begin, end - begin), "tags", {}, index++);
    begin = end + 1;
  }
  w.EndArray();
}

void EventJsonFormatter::WriteLabels(uint64_t labels, JsonWriter& w) {
  // ECS labels: an object of keyword values; a label is there ("true") or absent.
  w.Key("labels");
  w.BeginObject();
  for (size_t bit = 0; bit < label_names_->size() && bit < 64; ++bit) {
    if ((labels & (uint64_t{1} << bit)) == 0) continue;
    w.Key((*label_names_)[bit]);
    w.String("true");
  }
  w.EndObject();
}

void EventJsonFormatter::WriteRecords(const ParsedEvent& e, const EventFacts& facts,
                                      JsonWriter& w) {
  w.Key("auditd");
  w.BeginObject();
  // What ECS has no field for: the login session, the audit user, the network's local end, the
  // process's ancestry.
  int r = e.subject_record();
  std::string_view ses = r >= 0 ? e.Get(r, "ses") : std::string_view();
  const bool brief = profile_ == OutputProfile::kBrief;
  if (brief) {
    session_json_.WriteAuditdBrief(facts, ses.empty() ? ses : Decoded(FieldKind::kSession, ses), w);
    if (std::string_view auid = ids_.auid; !auid.empty()) {
      w.Key("user");
      w.BeginObject();
      w.Key("audit");
      w.BeginObject();
      w.Key("id");
      w.String(auid);
      w.EndObject();
      w.EndObject();
    }
  } else {
    session_json_.WriteAuditd(facts, ses.empty() ? ses : Decoded(FieldKind::kSession, ses), w);
  }
  if (std::string_view auid = ids_.auid; !brief && !auid.empty()) {
    Memoized(w, MemoSite::kAuditUser, "auditd.user", auid, [&] {
      w.Key("user");
      w.BeginObject();
      w.Key("audit");
      WriteId(w, auid, false, "auditd.user.audit");
      w.EndObject();
    });
  }
  network_json_.WriteAuditd(facts.network, w);
  if (!brief) process_json_.WriteAuditd(facts, w);
  switch (e.event().completion()) {
    case Completion::kTimeout: w.Key("completion"); w.String("timeout"); break;
    case Completion::kEvicted: w.Key("completion"); w.String("evicted"); break;
    case Completion::kFlush: w.Key("completion"); w.String("flushed"); break;
    default: break;
  }
  w.Key("records");
  w.BeginArray();
  if ((brief || profile_ == OutputProfile::kLean) && e.syscall_record() >= 0) {
    WriteTrimmedRecords(e, facts, w);
  } else {
    for (size_t i = 0; i < e.record_count(); ++i) WriteRecord(e, i, w, i);
  }
  w.EndArray();
  // Last: every value of the event has been written, so the list is complete.
  if (encoded_count_ > 0) {
    w.Key("encoded");
    w.BeginArray();
    for (size_t i = 0; i < encoded_count_; ++i) w.String(encoded_[i]);
    w.EndArray();
  }
  w.EndObject();
}

bool EventJsonFormatter::SockaddrHeld(const ParsedEvent& e, const EventFacts& facts,
                                      size_t r) const {
  const NetworkFacts& n = facts.network;
  if (!n.present || !n.flow() || !n.remote.is_ip() || e.event().enriched_records() != 0) {
    return false;
  }
  const auto fields = e.fields(r);
  if (fields.size() != 1 || fields[0].name != "saddr") return false;
  const SockAddr* sa;
  if (!e.DecodeSockAddrOnce(fields[0].value, &sa) || !sa->error.empty()) return false;
  if (sa->family != SockAddr::Family::kInet && sa->family != SockAddr::Family::kInet6) return false;
  // A v4-mapped IPv6 address is written as IPv4 (network.type ipv4): its family is not given back.
  if ((sa->family == SockAddr::Family::kInet6) != n.remote.ipv6) return false;
  if (sa->address.port != n.remote.port) return false;
  char given[Endpoint::kIpTextSize], written[Endpoint::kIpTextSize];
  return std::string_view(given, sa->address.FormatIpAsGiven(given)) ==
         std::string_view(written, n.remote.FormatIp(written));
}

bool EventJsonFormatter::ProctitleIsArgs(const ParsedEvent& e, size_t r) {
  scratch2_.clear();
  ends_.clear();
  ValueDecoder::SplitEscaped(e.Get(r, "proctitle"), '\0', &scratch2_, &ends_);
  scratch_.clear();
  for (size_t i = 0; i < e.arg_count(); ++i) {
    if (i > 0) scratch_.push_back('\0');
    for (std::string_view piece : e.arg_pieces(i)) ValueDecoder::AppendEscaped(piece, &scratch_);
  }
  constexpr size_t kKernelProctitleBytes = 128;  // MAX_PROCTITLE_AUDIT_LEN
  if (scratch_.size() > kKernelProctitleBytes) scratch_.resize(kKernelProctitleBytes);
  return scratch2_ == scratch_;
}

void EventJsonFormatter::WriteTrimmedRecords(const ParsedEvent& e, const EventFacts& facts,
                                             JsonWriter& w) {
  const int sys = e.syscall_record();
  // The ids' fields are left out only when the summary holds all they say: an ENRICHED log's
  // records also name them (UID="alice"), which the brief summary does not write.
  const bool ids_held = e.subject_record() == sys && e.event().enriched_records() == 0;
  const int cwd_record = e.Find(rectype::kCwd);
  const int title_record = e.Find(rectype::kProctitle);
  const int file_record = file_record_;
  // EXECVE's values are all in process.args when its argc is their count and it has nothing but
  // argc and whole arguments (a long argument's aN_len and pieces keep every EXECVE record).
  bool args_held = false;
  if (e.arg_count() > 0) {
    int execve = e.Find(rectype::kExecve);
    uint64_t argc = 0;
    args_held = execve >= 0 && ParseU64(e.Get(execve, "argc"), &argc) && argc == e.arg_count();
    for (size_t r = 0; args_held && r < e.record_count(); ++r) {
      if (e.record_type(r) != rectype::kExecve) continue;
      for (const Field& f : e.fields(r)) {
        const std::string_view n = f.name;
        const bool whole_arg = n.size() >= 2 && n[0] == 'a' &&
                               n.find_first_not_of("0123456789", 1) == std::string_view::npos;
        if (n != "argc" && !whole_arg) args_held = false;
      }
    }
  }
  // event.outcome said success or failure (WriteEventMembers): SYSCALL success= is that.
  const tables::SyscallFacts& sc_facts =
      tables::FactsOf(tables::LookupSyscall(ctx_.machine, ctx_.syscall));
  const bool outcome_held =
      lead_[kSuccess] == "yes" || (lead_[kSuccess] == "no" && !RefinementOf(e, sc_facts).in_progress);
  // auditd.session.ses: brief writes the record's own; full's summary (lean) the tracked session's
  // number, or the record's when no session is tracked and it is set (LoginSessionJson).
  bool ses_held = true;
  if (profile_ != OutputProfile::kBrief) {
    const std::string_view raw = e.Get(sys, "ses");
    const std::string_view ses = raw.empty() ? raw : Decoded(FieldKind::kSession, raw);
    ses_held = facts.session == nullptr
                   ? !ses.empty() && ses != "unset"
                   : facts.session->ses != kUnsetId && ses == std::to_string(facts.session->ses);
  }
  size_t out_index = 0;
  for (size_t r = 0; r < e.record_count(); ++r) {
    const uint16_t type = e.record_type(r);
    const int ri = static_cast<int>(r);
    if (type == rectype::kExecve && args_held) continue;
    if (ri == cwd_record) continue;  // process.working_directory
    if (ri == title_record && (e.arg_count() == 0 || ProctitleIsArgs(e, r))) continue;
    if (type == rectype::kSockaddr && SockaddrHeld(e, facts, r)) continue;  // source/destination
    // A SYSCALL or PATH record rendered before with the same body and the same facts beyond it:
    // copied (a storm repeats its PATH records, often its SYSCALL). Not for an ENRICHED log's
    // events, whose names come from the log, nor for the SYSCALL record of an exec, a fork or an
    // exit, whose body never repeats (a new process's pid, a new child's, a process's one end).
    std::string_view memo_flags;
    if (ri == sys && sc_facts.cls != SyscallClass::kExec &&
        sc_facts.cls != SyscallClass::kFork && sc_facts.cls != SyscallClass::kExit) {
      static constexpr std::string_view kSyscallFlags[8] = {"s---", "s--o", "s-i-", "s-io",
                                                            "ss--", "ss-o", "ssi-", "ssio"};
      memo_flags = kSyscallFlags[4 * ses_held + 2 * ids_held + outcome_held];
    } else if (type == rectype::kPath) {
      memo_flags = ri == file_record ? std::string_view("pf") : std::string_view("p-");
    }
    const bool memo_ok = !memo_flags.empty() && e.event().enriched_records() == 0;
    const FieldMemo::Key memo_key{type, static_cast<int16_t>(event_ctx_.machine),
                                  static_cast<int16_t>(event_ctx_.syscall), memo_flags,
                                  e.event().record_body(r)};
    uint64_t memo_hash = 0;
    if (memo_ok) {
      const uint64_t body_hash = ri == sys ? e.syscall_body_hash() : 0;
      memo_hash = body_hash != 0 ? FieldMemo::HashWithValueHash(memo_key, body_hash)
                                 : FieldMemo::Hash(memo_key);
      if (std::string_view found = brief_record_memo_.Find(memo_key, memo_hash); !found.empty()) {
        w.Raw(found);
        ++out_index;
        continue;
      }
    }
    uint64_t skip = 0;
    auto fields = e.fields(r);
    if (ri == sys) {
      const std::string_view uid = ids_.uid, gid = ids_.gid;
      // Each name the summary may hold has a bit: the summary read the first field of a name, so a
      // record that repeats one keeps the later ones.
      uint32_t seen = 0;
      for (size_t i = 0; i < fields.size() && i < 64; ++i) {
        const std::string_view v = fields[i].value;
        const int bit = SyscallSummaryBit(fields[i].name);
        if (bit < 0) continue;
        bool held;
        switch (bit) {
          case 0: held = outcome_held; break;                 // success: event.outcome
          case 1: case 2: held = JsonInteger(v).ok; break;    // process.pid, process.parent.pid
          case 3: case 4: held = !v.empty(); break;           // process.name, process.executable
          case 5: held = !v.empty() && v != "(null)"; break;  // key: tags
          case 6: held = v == "(none)"; break;                // tty: process.interactive false
          case 7: held = ses_held && !v.empty(); break;       // auditd.session.ses
          case 8: case 9: case 10:                            // user.id, group.id, audit id
            held = ids_held && !v.empty();
            break;
          case 11: case 12: case 13:                          // euid, suid, fsuid: user.id's
            held = ids_held && !uid.empty() && v == uid;
            break;
          default:                                            // egid, sgid, fsgid: group.id's
            held = ids_held && !gid.empty() && v == gid;
            break;
        }
        if ((seen >> bit & 1) == 0 && held) skip |= uint64_t{1} << i;
        seen |= 1u << bit;
      }
    } else if (type == rectype::kPath) {
      // File capabilities of none are left out of every PATH record.
      const std::string_view name = e.Get(r, "name");
      const bool file = ri == file_record && !name.empty() && name != "(null)";
      bool absolute = false;
      if (file) {
        scratch_.clear();
        ValueDecoder::AppendEscaped(name, &scratch_);
        absolute = !scratch_.empty() && scratch_[0] == '/';
      }
      static constexpr std::string_view kPathNames[] = {"cap_fp", "cap_fi",  "cap_fe", "cap_fver",
                                                        "cap_frootid", "name", "inode", "mode",
                                                        "ouid", "ogid"};
      uint32_t seen = 0;
      for (size_t i = 0; i < fields.size() && i < 64; ++i) {
        const std::string_view fname = fields[i].name, v = fields[i].value;
        int bit = -1;
        for (size_t b = 0; b < std::size(kPathNames); ++b) {
          if (fname == kPathNames[b]) {
            bit = static_cast<int>(b);
            break;
          }
        }
        if (bit < 0) continue;
        bool held = false;
        if (bit <= 4) {
          held = v == "0";  // cap_fp, cap_fi, cap_fe, cap_fver, cap_frootid: none
        } else if (file) {
          if (fname == "name") {
            held = absolute;  // file.path
          } else if (fname == "inode") {
            int64_t n;
            held = ParseI64(v, &n);  // file.inode
          } else if (fname == "mode") {
            unsigned m = 0;
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), m, 8);
            // file.mode and file.type give it back when it is a mode and nothing more.
            held = ec == std::errc() && p == v.data() + v.size() && !v.empty() &&
                   (m & ~0177777u) == 0 && !FileTypeOfMode(m).empty();
          } else {
            held = !v.empty() && e.event().enriched_records() == 0;  // file.uid, file.gid
          }
        }
        if ((seen >> bit & 1) == 0 && held) skip |= uint64_t{1} << i;
        seen |= 1u << bit;
      }
    }
    if (skip == 0 && !memo_ok) {
      WriteRecord(e, r, w, out_index++);
      continue;
    }
    const size_t encoded_before = encoded_count_;
    const size_t record_start = w.size();
    WriteRecordFields(e, r, w, out_index++, skip);
    if (memo_ok && encoded_count_ == encoded_before) {
      std::string_view rendered = w.Since(record_start);
      if (!rendered.empty() && rendered[0] == ',') rendered.remove_prefix(1);
      brief_record_memo_.Store(memo_key, memo_hash, rendered);
    }
  }
}

void EventJsonFormatter::WriteSockAddr(const ParsedEvent& e, std::string_view raw, JsonWriter& w,
                                       std::string_view path) {
  const SockAddr* decoded;
  const bool ok = e.DecodeSockAddrOnce(raw, &decoded);
  const SockAddr& sa = *decoded;
  if (!ok) {
    WriteString(w, raw, path, "saddr");
    return;
  }
  w.BeginObject();
  w.Key("family");
  if (sa.family_name.empty()) {
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "unknown-family(%u)", sa.family_number);
    w.String(std::string_view(buf, n));
    w.Key("raw");
    w.String(raw);
    w.EndObject();
    return;
  }
  w.String(sa.family_name);
  if (!sa.error.empty()) {
    // Too short for its family, or a family not decoded: the words auparse uses, and the bytes.
    w.Key("error");
    w.String(sa.error);
    w.Key("raw");
    w.String(raw);
    w.EndObject();
    return;
  }
  switch (sa.family) {
    case SockAddr::Family::kInet:
    case SockAddr::Family::kInet6: {
      char ip[Endpoint::kIpTextSize];
      w.Key("address");
      w.String(std::string_view(ip, sa.address.FormatIpAsGiven(ip)));
      w.Key("port");
      w.UInt(sa.address.port);
      break;
    }
    case SockAddr::Family::kUnix: {
      char name[Endpoint::kUnixTextSize];
      w.Key("path");
      WriteString(w, std::string_view(name, sa.path_text(name)), path, "saddr.path");
      if (sa.abstract_name()) {
        w.Key("abstract");
        w.Bool(true);
      }
      break;
    }
    case SockAddr::Family::kNetlink:
      w.Key("pid");
      w.UInt(sa.netlink_pid);
      w.Key("groups");
      w.UInt(sa.netlink_groups);
      break;
    default:
      w.Key("raw");
      w.String(raw);
      break;
  }
  w.EndObject();
}

void EventJsonFormatter::WriteRecord(const ParsedEvent& e, size_t r, JsonWriter& w,
                                     size_t out_index) {
  uint16_t type = e.record_type(r);
  // A record seen before, byte for byte (a storm's CWD, PATH, PROCTITLE; often its SYSCALL): copy
  // its rendering. EXECVE is left out: its arguments are joined across records.
  // An ENRICHED tail is part of the key (the names it gives are in the rendering); a type known
  // only by the name a log wrote (type 0) is not memoized: the name is not in the key.
  const FieldMemo::Key memo_key{
      type, static_cast<int16_t>(event_ctx_.machine), static_cast<int16_t>(event_ctx_.syscall),
      e.event().enriched_records() == 0 ? std::string_view() : e.enriched(r),
      e.event().record_body(r)};
  const bool memo_ok = type != rectype::kExecve && type != 0;
  uint64_t memo_hash = 0;
  if (memo_ok) {
    // The SYSCALL body's hash is known when its fields were split (ParsedEvent's split memo).
    const uint64_t body_hash = static_cast<int>(r) == e.syscall_record() ? e.syscall_body_hash() : 0;
    memo_hash = body_hash != 0 ? FieldMemo::HashWithValueHash(memo_key, body_hash)
                               : FieldMemo::Hash(memo_key);
    std::string_view memoized = record_memo_.Find(memo_key, memo_hash);
    if (!memoized.empty()) {
      w.Raw(memoized);
      return;
    }
  }
  const size_t encoded_before = encoded_count_;
  const size_t record_start = w.size();
  WriteRecordFields(e, r, w, out_index);
  if (memo_ok && encoded_count_ == encoded_before) {
    std::string_view rendered = w.Since(record_start);
    if (!rendered.empty() && rendered[0] == ',') rendered.remove_prefix(1);
    record_memo_.Store(memo_key, memo_hash, rendered);
  }
}

void EventJsonFormatter::WriteRecordFields(const ParsedEvent& e, size_t r, JsonWriter& w,
                                           size_t out_index, uint64_t skip) {
  uint16_t type = e.record_type(r);
  w.BeginObject();
  w.Key("type");
  const bool known_type = IsKnownRecordType(type);
  w.String(known_type ? RecordTypeName(type) : e.record_type_name(r));
  if (!known_type && type != 0) {
    // A number libaudit has no name for (a newer kernel's type): the name is UNKNOWN[n], and the
    // number is given as a number too.
    w.Key("type_number");
    w.UInt(type);
  }
  auto fields = e.fields(r);
  // Records that carry their own arch and syscall (SECCOMP) are decoded in their own context.
  ctx_ = event_ctx_;
  if (static_cast<int>(r) != e.syscall_record()) {
    std::string_view arch = e.Get(r, "arch");
    std::string_view sc = e.Get(r, "syscall");
    if (!arch.empty() && !sc.empty()) ctx_ = decoder_.ContextOf(arch, sc);
  }
  // Flattened user-space messages may repeat a name (uid outside and inside msg='...'): the
  // second is written as name_2, the third name_3, ...
  bool may_repeat = IsStandaloneType(type) || !known_type;
  // The JSON path of this record, for the "encoded" list (formatted by hand: this runs per record).
  char path_buf[48] = "auditd.records[";
  char* path_end = std::to_chars(path_buf + 15, path_buf + 40, out_index).ptr;
  *path_end++ = ']';
  const std::string_view path(path_buf, path_end - path_buf);
  char key_buf[96];
  std::string long_key;  // a repeated name too long for key_buf (allocates only then)
  // SYSCALL fields decoded with other arguments (socketcall's syscall, open's a2, ...) are not
  // memoized by their raw value.
  const uint8_t context_fields = type == rectype::kSyscall ? ctx_.context_fields : 0;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i < 64 && (skip >> i & 1) != 0) continue;
    const Field& f = fields[i];
    // EXECVE arguments are joined across records: decided here, before the memo.
    FieldKind kind = type == rectype::kExecve ? KindOfField(type, f.name, f.value) : FieldKind::kPlain;
    std::string_view key = f.name;
    if (kind == FieldKind::kExecveArg) {
      size_t bracket = f.name.find('[');
      if (bracket != std::string_view::npos) {
        // Pieces of a long argument: written once, joined, under the argument's own name.
        if (f.name.substr(bracket) != "[0]") continue;
        std::string_view arg_name = f.name.substr(0, bracket);
        size_t index = 0;
        std::from_chars(arg_name.data() + 1, arg_name.data() + arg_name.size(), index);
        w.Key(arg_name);
        scratch_.clear();
        if (index < e.arg_count()) {
          for (std::string_view piece : e.arg_pieces(index)) {
            ValueDecoder::AppendEscaped(piece, &scratch_);
          }
        }
        WriteString(w, scratch_, path, arg_name);
        continue;
      }
    }
    if (may_repeat) {
      int seen = 0;
      for (size_t j = 0; j < i; ++j) seen += fields[j].name == f.name;
      if (seen > 0) {
        int n = snprintf(key_buf, sizeof(key_buf), "%.*s_%d", static_cast<int>(f.name.size()),
                         f.name.data(), seen + 1);
        if (n >= 0 && static_cast<size_t>(n) < sizeof(key_buf)) {
          key = std::string_view(key_buf, n);
        } else {
          // snprintf returns the length it wanted, not what fit: a name this long (only hostile
          // input has one) is built on the heap instead of read past the buffer.
          long_key.assign(f.name).append("_").append(std::to_string(seen + 1));
          key = long_key;
        }
      }
    }
    // Most values were seen before (same uid, exe, cwd, path...): copy the member rendered then.
    const FieldMemo::Key memo_key{type, static_cast<int16_t>(ctx_.machine),
                                  static_cast<int16_t>(ctx_.syscall), key, f.value};
    // The same field at the same place as in the last event (uid, arch, exe...): its hinted slot.
    FieldMemo::Hint* hint =
        &field_hints_[(r < kHintRecords ? r : kHintRecords - 1) * kFieldHints +
                      (i < kFieldHints ? i : kFieldHints - 1)];
    const bool memo_ok = context_fields == 0 || !IsContextField(f.name, context_fields);
    uint64_t memo_hash = 0;
    std::string_view memoized = memo_ok ? memo_.Find(memo_key, hint, &memo_hash)
                                        : std::string_view();
    if (!memoized.empty()) {
      w.Raw(memoized);
      continue;
    }
    if (type != rectype::kExecve) kind = KindOfField(type, f.name, f.value);
    const size_t encoded_before = encoded_count_;
    const size_t member_start = w.size();
    w.Key(key);
    switch (kind) {
      case FieldKind::kSockaddr:
        WriteSockAddr(e, f.value, w, path);
        break;
      case FieldKind::kProctitle:
      case FieldKind::kKey: {
        scratch_.clear();
        ends_.clear();
        bool is_key = kind == FieldKind::kKey;
        ValueDecoder::SplitEscaped(f.value, is_key ? '\x01' : '\0', &scratch_, &ends_, is_key);
        if (is_key && ends_.size() <= 1) {
          WriteString(w, scratch_, path, key);
          break;
        }
        w.BeginArray();
        uint32_t begin = 0;
        int index = 0;
        for (uint32_t end : ends_) {
          WriteString(w, std::string_view(scratch_).substr(begin, end - begin), path, key,
                      index++);
          begin = end + 1;
        }
        w.EndArray();
        break;
      }
      case FieldKind::kCapBitmap:
        if (profile_ != OutputProfile::kFull) {
          scratch_.clear();
          ValueDecoder::AppendCapSetCompact(f.value, &scratch_);
          WriteString(w, scratch_, path, key);
          break;
        }
        WriteString(w, Decoded(kind, f.value), path, key);
        break;
      default:
        WriteString(w, Decoded(kind, f.value), path, key);
        break;
    }
    // A percent-encoded value also lists its path (which names this record): not memoized.
    if (memo_ok && encoded_count_ == encoded_before) {
      std::string_view member = w.Since(member_start);
      if (!member.empty() && member[0] == ',') member.remove_prefix(1);
      memo_.Store(memo_key, memo_hash, member, hint);
    }
  }
  w.EndObject();
}

void EventJsonFormatter::FormatLoss(const LossInfo& loss, std::string* out) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("@timestamp");
  WriteTimestamp(loss.time_ms / 1000, static_cast<uint32_t>(loss.time_ms % 1000), w);
  w.Key("ecs");
  w.Raw(kEcsObject);
  w.Key("host");
  w.BeginObject();
  if (!hostname_.empty()) {
    w.Key("name");
    w.String(hostname_);
  }
  w.Key("os");
  w.Raw(kHostOsObject);
  w.EndObject();
  w.Key("event");
  w.BeginObject();
  // ECS: an error of the pipeline that carries the events (they were lost before the output).
  w.Key("kind");
  w.String("pipeline_error");
  w.Key("type");
  w.BeginArray();
  w.String("error");
  w.EndArray();
  w.Key("module");
  w.String("auditd");
  w.Key("dataset");
  w.String(kDataset);
  w.Key("action");
  w.String("events-lost");
  w.Key("outcome");
  w.String("failure");
  if (!loss.detail.empty()) {
    w.Key("reason");
    w.String(loss.detail);
  }
  w.EndObject();
  w.Key("auditd");
  w.BeginObject();
  w.Key("loss");
  w.BeginObject();
  w.Key("cause");
  w.String(loss.cause);
  w.Key("count");
  w.UInt(loss.count);
  if (loss.has_range) {
    w.Key("first_serial");
    w.UInt(loss.first_serial);
    w.Key("last_serial");
    w.UInt(loss.last_serial);
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  out->push_back('\n');
}

}  // namespace auditlens
