#include "filter/event_match.h"

#include <libaudit.h>
#include <pwd.h>

#include <cerrno>
#include <cstring>

#include "common/lexical_path.h"
#include "common/parse_int.h"
#include "decode/value_decoder.h"
#include "record/record_types.h"
#include "tables/syscall_facts.h"

namespace auditlens {
namespace {

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return !s.empty();
}

// A user name or number as a uid. Names are this machine's, looked up once, at start.
bool UserId(const std::string& v, uint32_t* out, std::string* why) {
  if (ParseDecimal(std::string_view(v), out)) return true;
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[4096];
  if (getpwnam_r(v.c_str(), &pw, buf, sizeof(buf), &found) != 0 || found == nullptr) {
    *why = "no user named '" + v + "' on this machine (give the number)";
    return false;
  }
  *out = static_cast<uint32_t>(found->pw_uid);
  return true;
}

bool Any(const std::vector<Glob>& patterns, std::string_view text, std::string* scratch) {
  for (const Glob& p : patterns) {
    if (p.Match(text, scratch)) return true;
  }
  return false;
}

// The raw value of field name in a record's body, found without splitting the record (the
// formatter's record memo spares most events the split; a path condition must not undo that).
// Values never contain a space (the kernel hex-encodes those), so a value ends at one.
std::string_view BodyField(std::string_view body, std::string_view name) {
  for (size_t at = body.find(name); at != std::string_view::npos; at = body.find(name, at + 1)) {
    const size_t eq = at + name.size();
    if ((at == 0 || body[at - 1] == ' ') && eq < body.size() && body[eq] == '=') {
      const size_t end = body.find(' ', eq + 1);
      return body.substr(eq + 1, end == std::string_view::npos ? end : end - eq - 1);
    }
  }
  return {};
}

bool UnderPrefix(std::string_view path, const std::string& prefix) {
  if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || prefix.back() == '/' || path[prefix.size()] == '/';
}

}  // namespace

// --- EventView ---

void EventView::Reset(const EventFacts& facts) {
  facts_ = &facts;
  keys_done_ = exe_done_ = comm_done_ = syscall_done_ = paths_done_ = false;
  uid_state_ = auid_state_ = 0;
}

std::string_view EventView::Decoded(const char* field, std::string* storage,
                                    std::string_view* view, bool* done) {
  if (*done) return *view;
  *done = true;
  *view = {};
  std::string_view raw;
  // The process table read the subject record already: its views; else a lookup.
  const EventSubject* s = facts_->subject;
  if (s != nullptr && s->valid) {
    raw = field[0] == 'e' ? s->exe : field[0] == 'c' ? s->comm : s->key;
  } else if (const int r = facts_->parsed->subject_record(); r >= 0) {
    raw = facts_->parsed->Get(static_cast<size_t>(r), std::string_view(field));
  }
  if (raw.empty() || raw == "(null)" || raw == "(none)") return *view;
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
    *view = raw.substr(1, raw.size() - 2);  // quoted: the bytes between the quotes, no copy
  } else {
    storage->clear();
    ValueDecoder::AppendEscaped(raw, storage);  // hex
    *view = *storage;
  }
  return *view;
}

std::string_view EventView::keys() { return Decoded("key", &keys_, &keys_view_, &keys_done_); }
std::string_view EventView::exe() { return Decoded("exe", &exe_, &exe_view_, &exe_done_); }
std::string_view EventView::comm() { return Decoded("comm", &comm_, &comm_view_, &comm_done_); }

std::string_view EventView::syscall() {
  if (!syscall_done_) {
    syscall_done_ = true;
    syscall_ = {};
    if (facts_->subject != nullptr && facts_->subject->valid) {
      syscall_ = facts_->subject->syscall_name;  // the process table read it already
    } else if (const int r = facts_->parsed->syscall_record(); r >= 0) {
      const ParsedEvent& e = *facts_->parsed;
      uint64_t elf = 0;
      uint32_t number = 0;
      if (ParseHexU64(e.Get(static_cast<size_t>(r), "arch"), &elf) &&
          ParseDecimal(e.Get(static_cast<size_t>(r), "syscall"), &number)) {
        const int machine = audit_elf_to_machine(static_cast<unsigned>(elf));
        if (const tables::SyscallEntry* entry =
                tables::LookupSyscall(machine, static_cast<int>(number))) {
          syscall_ = entry->name;
        }
      }
    }
  }
  return syscall_;
}

bool EventView::Id(const char* field, uint32_t* out, int* state) {
  if (*state == 0 && facts_->subject != nullptr && facts_->subject->valid &&
      facts_->subject->has_ids) {
    // The process table parsed them already (a SYSCALL record's).
    const uint32_t id = field[0] == 'u' ? facts_->subject->uid : facts_->subject->auid;
    *out = id;
    *state = 1;
  }
  if (*state == 0) {
    const ParsedEvent& e = *facts_->parsed;
    const int r = e.subject_record();
    *state = r >= 0 && ParseDecimal(e.Get(static_cast<size_t>(r), std::string_view(field)), out)
                 ? 1
                 : 2;
  }
  return *state == 1;
}

bool EventView::uid(uint32_t* out) {
  const bool ok = Id("uid", &uid_, &uid_state_);
  *out = uid_;
  return ok;
}
bool EventView::auid(uint32_t* out) {
  const bool ok = Id("auid", &auid_, &auid_state_);
  *out = auid_;
  return ok;
}

const std::vector<std::string>& EventView::paths() {
  if (paths_done_) return paths_;
  paths_done_ = true;
  paths_count_ = 0;
  const ParsedEvent& e = *facts_->parsed;
  cwd_.clear();
  if (int c = e.Find(rectype::kCwd); c >= 0) {
    std::string_view raw = BodyField(e.event().record_body(static_cast<size_t>(c)), "cwd");
    if (!raw.empty() && raw != "(null)") ValueDecoder::AppendEscaped(raw, &cwd_);
  }
  for (size_t r = 0; r < e.record_count(); ++r) {
    if (e.record_type(r) != rectype::kPath) continue;
    std::string_view raw = BodyField(e.event().record_body(r), "name");
    if (raw.empty() || raw == "(null)") continue;
    // The strings are reused from event to event: no allocation once they are long enough.
    if (paths_count_ == paths_.size()) paths_.emplace_back();
    std::string& path = paths_[paths_count_++];
    path.clear();
    name_.clear();
    ValueDecoder::AppendEscaped(raw, &name_);
    if (!name_.empty() && name_[0] != '/' && !cwd_.empty()) {
      path = cwd_;
      if (path.back() != '/') path += '/';
    }
    path += name_;
    // "/var/lib/apt/lists/../../../../etc/shadow" is "/etc/shadow": a name spelled with ".." must
    // not pass for the directory it leaves (a way around a drop filter, with no privilege).
    NormalizeAbsolutePath(&path);
  }
  return paths_;
}

// --- EventMatch ---

bool EventMatch::Compile(const ConfigTable& table, const ProcessLabeler* labeler,
                         std::string* error) {
  for (const ConfigTable::Entry& e : table.entries) {
    if (e.key == "name" || e.key == "action") continue;
    std::string why;
    if (!CompileEntry(e, labeler, &why)) {
      *error = e.where + ": filters." + e.key + ": " + why;
      return false;
    }
  }
  return true;
}

bool EventMatch::CompileEntry(const ConfigTable::Entry& e, const ProcessLabeler* labeler,
                              std::string* why) {
  for (const std::string& v : e.values) {
    if (v.empty()) {
      *why = "an empty value";
      return false;
    }
  }
  auto strings = [&e](std::vector<std::string>* to) {
    to->insert(to->end(), e.values.begin(), e.values.end());
    return true;
  };
  if (e.key == "key") return strings(&keys_);
  if (e.key == "exe" || e.key == "comm" || e.key == "service") {
    std::vector<Glob>* to = e.key == "exe" ? &exes_ : e.key == "comm" ? &comms_ : &services_;
    for (Glob& g : Globs(e.values)) to->push_back(std::move(g));
    return true;
  }
  if (e.key == "syscall") {
    for (const std::string& v : e.values) {
      if (tables::FactsOfName(v).name != v) {
        // Not in syscalls.tsv: it may still be a real syscall the table has no facts for.
        bool known = false;
        for (int machine : {MACH_86_64, MACH_X86, MACH_AARCH64, MACH_ARM, MACH_PPC64, MACH_S390X}) {
          if (audit_name_to_syscall(v.c_str(), machine) >= 0) known = true;
        }
        if (!known) {
          *why = "'" + v + "' is not a syscall name";
          return false;
        }
      }
    }
    return strings(&syscalls_);
  }
  if (e.key == "path") {
    for (const std::string& v : e.values) {
      if (v[0] != '/') {
        *why = "'" + v + "' is not an absolute path";
        return false;
      }
      // Compared with names normalized the same way ("/var/lib/../lib/x" is "/var/lib/x").
      paths_.push_back(v);
      NormalizeAbsolutePath(&paths_.back(), /*keep_trailing_slash=*/true);
    }
    return true;
  }
  if (e.key == "container") {
    for (const std::string& v : e.values) {
      if (IsHex(v) && v.size() < 12) {
        *why = "'" + v + "' is too short a container id prefix (at least 12 hex digits)";
        return false;
      }
    }
    return strings(&containers_);
  }
  if (e.key == "uid" || e.key == "auid" || e.key == "user") {
    std::vector<uint32_t>* to = e.key == "uid" ? &uids_ : e.key == "auid" ? &auids_ : &users_;
    for (const std::string& v : e.values) {
      uint32_t id;
      if (!UserId(v, &id, why)) return false;
      to->push_back(id);
    }
    return true;
  }
  if (e.key == "peer") {
    for (const std::string& v : e.values) {
      Cidr c;
      if (!ParseCidr(v, &c, why)) return false;
      peers_.push_back(c);
    }
    return true;
  }
  if (e.key == "port") {
    for (const std::string& v : e.values) {
      PortRange range;
      uint32_t first = 0, last = 0;
      const size_t dash = v.find('-');
      std::string_view a = std::string_view(v).substr(0, dash);
      std::string_view b = dash == std::string::npos ? a : std::string_view(v).substr(dash + 1);
      if (!ParseDecimal(a, &first) || !ParseDecimal(b, &last) || first > 65535 || last > 65535 ||
          first > last) {
        *why = "'" + v + "' is not a port (0..65535) or a range of them (\"8000-8099\")";
        return false;
      }
      range.first = static_cast<uint16_t>(first);
      range.last = static_cast<uint16_t>(last);
      ports_.push_back(range);
    }
    return true;
  }
  if (e.key == "label") {
    for (const std::string& v : e.values) {
      int bit = labeler != nullptr ? labeler->IndexOf(v) : -1;
      if (bit < 0) {
        *why = "no [[labels]] table gives the label '" + v + "'";
        return false;
      }
      labels_ |= uint64_t{1} << bit;
    }
    has_labels_ = true;
    return true;
  }
  *why = "unknown key (a [[filters]] table has name, action, key, syscall, exe, comm, uid, auid, "
         "user, path, peer, port, container, service, label)";
  return false;
}

bool EventMatch::Matches(EventView& event) {
  const EventFacts& facts = event.facts();
  if (!keys_.empty()) {
    std::string_view keys = event.keys();
    bool hit = false;
    while (!hit && !keys.empty()) {
      size_t sep = keys.find('\x01');
      std::string_view one = keys.substr(0, sep);
      for (const std::string& want : keys_) hit = hit || one == want;
      if (sep == std::string_view::npos) break;
      keys.remove_prefix(sep + 1);
    }
    if (!hit) return false;
  }
  if (!syscalls_.empty()) {
    std::string_view name = event.syscall();
    bool hit = false;
    for (const std::string& want : syscalls_) hit = hit || name == want;
    if (!hit) return false;
  }
  if (!exes_.empty() && !Any(exes_, event.exe(), &scratch_)) return false;
  if (!comms_.empty() && !Any(comms_, event.comm(), &scratch_)) return false;
  if (!uids_.empty() || !users_.empty() || !auids_.empty()) {
    uint32_t uid = 0, auid = 0;
    const bool has_uid = event.uid(&uid);
    const bool has_auid = event.auid(&auid);
    auto in = [](const std::vector<uint32_t>& ids, bool has, uint32_t id) {
      if (!has) return false;
      for (uint32_t want : ids) {
        if (want == id) return true;
      }
      return false;
    };
    if (!uids_.empty() && !in(uids_, has_uid, uid)) return false;
    if (!auids_.empty() && !in(auids_, has_auid, auid)) return false;
    if (!users_.empty() && !in(users_, has_uid, uid) && !in(users_, has_auid, auid)) return false;
  }
  if (!paths_.empty()) {
    bool hit = false;
    const std::vector<std::string>& paths = event.paths();
    for (size_t i = 0; i < event.path_count(); ++i) {
      const std::string& path = paths[i];
      for (const std::string& prefix : paths_) hit = hit || UnderPrefix(path, prefix);
      if (hit) break;
    }
    if (!hit) return false;
  }
  if (!peers_.empty() || !ports_.empty()) {
    if (!facts.network.present || !facts.network.remote.is_ip()) return false;
    const Endpoint& remote = facts.network.remote;
    if (!peers_.empty()) {
      bool hit = false;
      for (const Cidr& c : peers_) hit = hit || c.Contains(remote);
      if (!hit) return false;
    }
    if (!ports_.empty()) {
      bool hit = false;
      for (const PortRange& p : ports_) hit = hit || (remote.port >= p.first && remote.port <= p.last);
      if (!hit) return false;
    }
  }
  if (!containers_.empty() || !services_.empty()) {
    const CgroupIdentity* cgroup =
        facts.process != nullptr ? facts.process->cgroup.get() : nullptr;
    if (cgroup == nullptr) return false;
    if (!containers_.empty()) {
      bool hit = false;
      for (const std::string& want : containers_) {
        if (cgroup->container_id.empty()) break;
        const bool id_prefix = want.size() >= 12 && IsHex(want) &&
                               cgroup->container_id.compare(0, want.size(), want) == 0;
        hit = hit || id_prefix || cgroup->container_id == want ||
              (facts.container && facts.container->name == want);
      }
      if (!hit) return false;
    }
    if (!services_.empty() && (cgroup->service.empty() || !Any(services_, cgroup->service, &scratch_))) {
      return false;
    }
  }
  if (has_labels_ && (facts.process == nullptr || (facts.process->labels & labels_) == 0)) {
    return false;
  }
  return true;
}

}  // namespace auditlens
