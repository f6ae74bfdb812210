#include "enrich/process_table.h"

#include <dirent.h>
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "common/parse_int.h"
#include "common/proc_reader.h"
#include "common/time_format.h"
#include "decode/sockaddr.h"
#include "record/record_types.h"

namespace auditlens {
namespace {

// The fields of /proc/PID/stat the table reads. After "pid (comm) " (comm may hold spaces and
// ')': the last ')' ends it): state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
// cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime (clock ticks
// since boot).
struct ProcStat {
  long ppid = 0, pgrp = -1, session = -1;
  unsigned long long start_ticks = 0;
  bool start_read = false;  // starttime was there
};
// False without the ')'.
bool ParseProcStat(const std::string& stat, ProcStat* out) {
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(close + 2 <= stat.size() ? stat.substr(close + 2) : std::string());
  std::string state, skip;
  fields >> state >> out->ppid >> out->pgrp >> out->session;
  for (int i = 0; i < 15; ++i) fields >> skip;
  out->start_read = static_cast<bool>(fields >> out->start_ticks);
  if (!out->start_read) out->start_ticks = 0;
  return true;
}

// The table's ids: "-1" and "4294967295" are both unset (common/parse_int.h); /proc files end in
// a newline.
bool ParseU32(std::string_view s, uint32_t* v) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  return ParseId32(s, v);
}

uint64_t ParseHex(std::string_view s) {
  uint64_t v = 0;
  ParseHexU64(s, &v);
  return v;
}

}  // namespace

bool ProcessArgs::Add(std::string_view arg, size_t max_bytes) {
  // As JSON text without escapes: "[" + "\"arg\"" per argument, "," between, "]".
  if (count_ > 0 && text_size_ - 1 + arg.size() + 4 > max_bytes) {
    truncated_ = true;
    return false;
  }
  const uint32_t n = static_cast<uint32_t>(arg.size());
  data_.append(reinterpret_cast<const char*>(&n), sizeof(n));
  data_.append(arg.data(), arg.size());
  text_size_ += arg.size() + 2 + (count_ > 0 ? 1 : 0);
  ++count_;
  return true;
}

std::string_view ProcessOriginName(ProcessOrigin o) {
  switch (o) {
    case ProcessOrigin::kExec: return "exec";
    case ProcessOrigin::kFork: return "fork";
    case ProcessOrigin::kProc: return "proc";
    case ProcessOrigin::kSeen: return "seen";
  }
  return "seen";
}

std::string_view SessionRoleName(SessionRole r) {
  switch (r) {
    case SessionRole::kNone: return "";
    case SessionRole::kService: return "service";
    case SessionRole::kLoginScript: return "login-script";
    case SessionRole::kShell: return "shell";
    case SessionRole::kCommand: return "command";
  }
  return "";
}

ProcessTable::ProcessTable(ProcessTableOptions options) : options_(std::move(options)) {}

void ProcessTable::MakeEntityId(std::string_view boot_id, int32_t pid, uint64_t start_ms,
                                char out[17]) {
  // FNV-1a over the three parts, then a splitmix64 finish: stable, cheap, well spread.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const void* p, size_t n) {
    const unsigned char* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) {
      h ^= b[i];
      h *= 1099511628211ull;
    }
  };
  mix(boot_id.data(), boot_id.size());
  mix(&pid, sizeof(pid));
  mix(&start_ms, sizeof(start_ms));
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  static const char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out[i] = kHex[h & 15];
    h >>= 4;
  }
  out[16] = 0;
}

const tables::SyscallEntry* ProcessTable::SyscallOf(std::string_view arch_raw,
                                                    std::string_view syscall_raw) {
  SyscallContext ctx = decoder_.ContextOf(arch_raw, syscall_raw);
  return tables::LookupSyscall(ctx.machine, ctx.syscall);
}

void ProcessTable::ReadSubject(const ParsedEvent& e) {
  subject_ = EventSubject();
  const Event& ev = e.event();
  subject_.time_ms = ev.time_ms();
  subject_.serial = ev.serial();
  subject_.login_record = e.Find(rectype::kLogin);
  int r = e.subject_record();
  if (r < 0) return;
  // A storm repeats its subject record byte for byte (one process, one syscall): the last parse
  // is reused, its views moved onto this event's body.
  const std::string_view body = ev.record_body(r);
  const bool is_syscall = r == e.syscall_record();
  for (int t = 0, n = subject_recent_.tries(); t < n; ++t) {
    const size_t i = subject_recent_.slot[t];
    if (i == RecentSlots::kNone) continue;
    const SubjectMemo& memo = subject_memos_[i];
    if (!memo.valid || memo.is_syscall != is_syscall || body != memo.body) continue;
    const EventSubject header = subject_;
    subject_ = memo.subject;
    subject_.time_ms = header.time_ms;
    subject_.serial = header.serial;
    subject_.login_record = header.login_record;
    subject_.exe = memo.exe.In(body);
    subject_.comm = memo.comm.In(body);
    subject_.key = memo.key.In(body);
    subject_recent_.Use(i);
    subject_recent_.misses = 0;
    return;
  }
  ParseSubject(e, r);
  // A stream whose subject records never repeat (an exec storm: a new pid each time) would only pay
  // for the copy: after a few misses in a row, remember one record in 16.
  const uint32_t misses = ++subject_recent_.misses;
  if (misses <= 2 || misses % 16 == 0) RememberSubject(body, is_syscall);
}

void ProcessTable::RememberSubject(std::string_view body, bool is_syscall) {
  // The older of the two gives way.
  const size_t i = subject_recent_.Older();
  subject_recent_.Use(i);
  SubjectMemo& memo = subject_memos_[i];
  memo.valid = false;
  if (body.size() > kSubjectMemoMaxBody) return;
  // Only views that lie in the body can be moved onto the next one.
  if (!memo.exe.Of(subject_.exe, body) || !memo.comm.Of(subject_.comm, body) ||
      !memo.key.Of(subject_.key, body)) {
    return;
  }
  memo.body.assign(body.data(), body.size());
  memo.subject = subject_;
  memo.subject.exe = memo.subject.comm = memo.subject.key = {};
  memo.is_syscall = is_syscall;
  memo.valid = true;
}

bool ProcessTable::BodySpan::Of(std::string_view view, std::string_view body) {
  if (view.empty()) {
    offset = length = 0;
    return true;
  }
  if (view.data() < body.data() || view.data() + view.size() > body.data() + body.size()) return false;
  offset = static_cast<uint32_t>(view.data() - body.data());
  length = static_cast<uint32_t>(view.size());
  return true;
}

void ProcessTable::ParseSubject(const ParsedEvent& e, int r) {
  std::string_view arch, syscall, success, exit, a0, a1, a2;
  bool have_pid = false, have_ppid = false, have_uid = false, have_euid = false,
       have_auid = false, have_ses = false;
  auto take = [&](std::string_view n, std::string_view value) {
    switch (n.size()) {
      case 2:
        if (n[0] == 'a') {
          if (n[1] == '0') a0 = value;
          else if (n[1] == '1') a1 = value;
          else if (n[1] == '2') a2 = value;
        }
        break;
      case 3:
        if (n == "pid" && !have_pid) {
          int64_t v;
          if (ParseI64(value, &v)) {
            subject_.pid = static_cast<int32_t>(v);
            have_pid = true;
          }
        } else if (n == "uid" && !have_uid) {
          have_uid = ParseU32(value, &subject_.uid);
        } else if (n == "ses" && !have_ses) {
          have_ses = ParseU32(value, &subject_.ses);
        } else if (n == "exe" && subject_.exe.empty()) {
          subject_.exe = value;
        } else if (n == "key" && subject_.key.empty()) {
          subject_.key = value;
        }
        break;
      case 4:
        if (n == "ppid" && !have_ppid) {
          int64_t v;
          if (ParseI64(value, &v)) {
            subject_.ppid = static_cast<int32_t>(v);
            have_ppid = true;
          }
        } else if (n == "euid" && !have_euid) {
          have_euid = ParseU32(value, &subject_.euid);
        } else if (n == "auid" && !have_auid) {
          have_auid = ParseU32(value, &subject_.auid);
        } else if (n == "comm" && subject_.comm.empty()) {
          subject_.comm = value;
        } else if (n == "arch" && arch.empty()) {
          arch = value;
        } else if (n == "exit" && exit.empty()) {
          exit = value;
        }
        break;
      case 7:
        if (n == "syscall" && syscall.empty()) syscall = value;
        else if (n == "success" && success.empty()) success = value;
        break;
      default:
        break;
    }
  };
  // The formatter has split the subject record already (the event section reads success= of
  // SYSCALL, the summary the ids): walking its fields costs a name comparison each.
  for (const Field& f : e.fields(r)) take(f.name, f.value);
  subject_.valid = have_pid;
  subject_.has_ids = have_uid && have_euid;
  if (!have_euid) subject_.euid = subject_.uid;
  if (r == e.syscall_record() && !syscall.empty()) {
    const tables::SyscallEntry* entry = SyscallOf(arch, syscall);
    subject_.facts = &tables::FactsOf(entry);
    subject_.syscall_name = entry ? entry->name : std::string_view();
    subject_.sys = subject_.facts->cls;
    const bool socketcall = subject_.facts->net == NetOp::kSocketcall;
    // The arguments matter to a few kinds only (exit status, clone flags, socketcall, open flags).
    if (subject_.sys == SyscallClass::kExit || subject_.sys == SyscallClass::kFork ||
        subject_.sys == SyscallClass::kOpen || subject_.sys == SyscallClass::kSetSession ||
        socketcall) {
      subject_.a0 = ParseHex(a0);
      subject_.a1 = ParseHex(a1);
      subject_.a2 = ParseHex(a2);
    }
    if (socketcall) {
      // 32-bit x86: the socket call is a0; its class is that of the call's name (bind, connect,
      // accept, accept4; the others keep socketcall's).
      const tables::SyscallFacts* call = tables::SocketcallFacts(subject_.a0);
      if (call != nullptr && call->cls != SyscallClass::kOther) subject_.sys = call->cls;
    }
    if (!success.empty()) {
      subject_.has_success = true;
      subject_.success = success == "yes";
      ParseI64(exit, &subject_.exit);
    }
  }
}

ProcessImage* ProcessTable::Find(int32_t pid) {
  auto it = by_pid_.find(pid);
  return it == by_pid_.end() ? nullptr : it->second.get();
}

ProcessImage* ProcessTable::NewImage(int32_t pid, int32_t ppid, uint64_t start_ms,
                                     ProcessOrigin origin) {
  auto image = std::make_unique<ProcessImage>();
  image->pid = pid;
  image->ppid = ppid;
  image->start_ms = start_ms;
  image->last_seen_ms = start_ms;
  image->origin = origin;
  ProcessImage* raw = image.get();
  by_pid_[pid] = std::move(image);  // the image this pid ran before is dropped here
  return raw;
}

void ProcessTable::FillFromSubject(ProcessImage* image, const ParsedEvent& e) {
  const EventSubject& s = subject_;
  if (s.has_ids) {
    image->uid = s.uid;
    image->euid = s.euid;
  } else if (s.uid != kUnsetId) {
    image->uid = s.uid;
  }
  image->auid = s.auid;
  image->ses = s.ses;
  if (!s.exe.empty()) {
    scratch_.clear();
    ValueDecoder::AppendEscaped(s.exe, &scratch_);
    if (scratch_ != image->exe) {
      image->exe = scratch_;
      image->as_parent.reset();  // its children from now on show the new executable
    }
  }
  image->last_seen_ms = std::max(image->last_seen_ms, s.time_ms);
}

void ProcessTable::SetArgsFromExecve(ProcessImage* image, const ParsedEvent& e) {
  auto args = std::make_shared<ProcessArgs>();
  for (size_t i = 0; i < e.arg_count(); ++i) {
    scratch_.clear();
    for (std::string_view piece : e.arg_pieces(i)) ValueDecoder::AppendEscaped(piece, &scratch_);
    if (!args->Add(scratch_, options_.max_args_bytes)) break;
  }
  image->args = std::move(args);
  image->as_parent.reset();
}

void ProcessTable::SetArgsFromProctitle(ProcessImage* image, const ParsedEvent& e) {
  int t = e.Find(rectype::kProctitle);
  if (t < 0) return;
  std::string storage;
  std::vector<uint32_t> ends;
  ValueDecoder::SplitEscaped(e.Get(t, "proctitle"), '\0', &storage, &ends);
  auto args = std::make_shared<ProcessArgs>();
  uint32_t begin = 0;
  for (size_t i = 0; i < ends.size(); ++i) {
    // A proctitle is at most 128 bytes: never cut.
    args->Add(std::string_view(storage).substr(begin, ends[i] - begin), SIZE_MAX);
    begin = ends[i] + 1;
  }
  image->args = std::move(args);
  image->as_parent.reset();
}

void ProcessTable::SetCwd(ProcessImage* image, const ParsedEvent& e) {
  int c = e.Find(rectype::kCwd);
  if (c < 0) return;
  image->cwd.clear();
  ValueDecoder::AppendEscaped(e.Get(c, "cwd"), &image->cwd);
}

bool ProcessTable::SockAddrOf(const ParsedEvent& e, Endpoint* out) {
  int r = e.Find(rectype::kSockaddr);
  if (r < 0) return false;
  const SockAddr* decoded;
  if (!e.DecodeSockAddrOnce(e.Get(r, "saddr"), &decoded) || !decoded->error.empty() ||
      !decoded->address.is_ip()) {
    return false;
  }
  *out = decoded->address;
  return true;
}

std::shared_ptr<const ParentSnapshot> ProcessTable::SnapshotOf(ProcessImage* parent) {
  if (!parent->as_parent || !(parent->as_parent->entity_id == parent->entity_id)) {
    auto snapshot = std::make_shared<ParentSnapshot>();
    snapshot->entity_id = parent->entity_id;
    snapshot->exe = parent->exe;
    // The parent's arguments in full are one lookup away (its entity); shown only when short.
    if (parent->args && !parent->args->empty() && parent->args->text_size() <= kMaxParentArgs) {
      snapshot->args = parent->args;
    }
    // The parent's ancestry: its own parent, then that one's ancestry.
    if (const ParentSnapshot* up = parent->parent.get()) {
      size_t n = 0;
      snapshot->ancestry[n++] = up->entity_id;
      for (size_t i = 0; i < up->ancestry_len && n < snapshot->ancestry.size(); ++i) {
        snapshot->ancestry[n++] = up->ancestry[i];
      }
      snapshot->ancestry_len = static_cast<uint8_t>(n);
    }
    parent->as_parent = std::move(snapshot);
  }
  return parent->as_parent;
}

void ProcessTable::Finish(ProcessImage* image, bool take_accept) {
  MakeEntityId(options_.boot_id, image->pid, image->start_ms, image->entity_id.hex);
  Touch(image);
  image->parent.reset();
  image->as_parent.reset();  // its children from now on see its new parent and ancestry
  ProcessImage* parent = image->ppid > 0 && image->ppid != image->pid ? Find(image->ppid) : nullptr;
  if (parent == nullptr && image->ppid > 1 && image->ppid != image->pid) {
    parent = AdoptFromProc(image->ppid, image->start_ms);
  }
  if (options_.track_netns && image->netns == 0) SetNetns(image, parent);
  if (options_.track_cgroups && !image->cgroup) SetCgroup(image, parent);
  if (options_.hasher != nullptr && !image->exe_hash) SetExeHash(image, parent);
  if (options_.labeler != nullptr) {
    if (parent != nullptr) image->labels |= parent->labels & ~LabelsGainedAfterStart(*parent, *image);
    if (image->origin != ProcessOrigin::kFork) {
      const uint64_t gained = options_.labeler->OfImage(*image) & ~image->labels;
      image->labels |= gained;
      // An exec's own time is known: its children from before it keep what they had.
      if (gained != 0 && image->origin == ProcessOrigin::kExec) {
        image->gained_labels.push_back({gained, image->start_ms});
      }
    }
  }
  if (parent == nullptr) return;
  // Not known otherwise (a fork that was not audited): the parent's, as the kernel gives a child.
  if (image->sid < 0) image->sid = parent->sid;
  if (image->pgid < 0) image->pgid = parent->pgid;
  image->parent = SnapshotOf(parent);
  if (take_accept) {
    // The oldest connection accepted before this child started (and not long before) is the one
    // it was started for. None yet: the accept may come later (events out of order).
    if (parent->network) {
      std::vector<ProcessImage::Accepted>& accepted = parent->network->accepted;
      for (auto it = accepted.begin(); it != accepted.end(); ++it) {
        if (it->ms > image->start_ms || image->start_ms > it->ms + 10000) continue;
        ProcessImage::Network& net = image->net();
        net.peer = it->peer;
        net.local = it->local.is_ip() ? it->local : parent->listen();
        accepted.erase(it);
        return;
      }
    }
    // The accept may come later (events out of order).
    std::vector<int32_t>& awaiting = parent->awaiting_peer;
    if (awaiting.size() >= 8) awaiting.erase(awaiting.begin());
    awaiting.push_back(image->pid);
  }
}

void ProcessTable::SetNetns(ProcessImage* image, const ProcessImage* parent) {
  // A fork is where its parent is (a clone into a new namespace execs before it matters, and an
  // exec is read again): no /proc lookup, which costs 10-20 us on a busy machine.
  if (image->origin == ProcessOrigin::kFork && parent != nullptr && parent->netns != 0) {
    image->netns = parent->netns;
    return;
  }
  if (!options_.proc_root.empty()) {
    char path[64];
    snprintf(path, sizeof(path), "/%d/ns/net", image->pid);
    scratch_.assign(options_.proc_root);
    scratch_.append(path);
    struct stat st;
    if (stat(scratch_.c_str(), &st) == 0) {
      image->netns = static_cast<uint64_t>(st.st_ino);
      return;
    }
  }
  // Gone already (a short command): it was where its parent was.
  if (parent != nullptr) image->netns = parent->netns;
}

std::shared_ptr<const CgroupIdentity> ProcessTable::ReadCgroup(int32_t pid,
                                                               const ProcessImage* parent) {
  char path[64];
  snprintf(path, sizeof(path), "/%d/cgroup", pid);
  scratch_.assign(options_.proc_root);
  scratch_.append(path);
  const std::string text = ReadSmallFile(scratch_);
  auto identity = std::make_shared<CgroupIdentity>();
  if (text.empty() || !ParseCgroupFile(text, identity.get())) {
    ++cgroup_counts_.unreadable;
    return nullptr;
  }
  ++cgroup_counts_.reads;
  cgroup_counts_.skipped_lines += identity->skipped_lines;
  // Most processes are where their parent is: they share the parent's.
  if (parent != nullptr && parent->cgroup && parent->cgroup->runtime == identity->runtime &&
      parent->cgroup->container_id == identity->container_id &&
      parent->cgroup->pod_uid == identity->pod_uid && parent->cgroup->service == identity->service) {
    return parent->cgroup;
  }
  // Elsewhere than its parent: a container or unit it entered, or a process that has exited and
  // not been reaped yet, whose file the kernel then shows at the v1 hierarchies' roots. Only the
  // first is a reading (one more small read, for the few processes not where their parent is).
  snprintf(path, sizeof(path), "/%d/stat", pid);
  scratch_.assign(options_.proc_root);
  scratch_.append(path);
  const std::string stat = ReadSmallFile(scratch_);
  const size_t close = stat.rfind(')');
  if (close != std::string::npos && close + 2 < stat.size() &&
      (stat[close + 2] == 'Z' || stat[close + 2] == 'X')) {
    --cgroup_counts_.reads;
    cgroup_counts_.skipped_lines -= identity->skipped_lines;
    ++cgroup_counts_.unreadable;
    return nullptr;
  }
  return identity;
}

void ProcessTable::SetCgroup(ProcessImage* image, const ProcessImage* parent) {
  // A fork is where its parent is (a child moved elsewhere execs before it matters, and an exec
  // is read again): no read.
  if (image->origin == ProcessOrigin::kFork && parent != nullptr && parent->cgroup) {
    image->cgroup = parent->cgroup;
    return;
  }
  if (!options_.proc_root.empty()) {
    bool allowed = true;
    if (image->origin != ProcessOrigin::kProc && options_.max_cgroup_reads_per_s != 0) {
      allowed = cgroup_reads_.Take(image->start_ms, options_.max_cgroup_reads_per_s);
      if (!allowed) ++cgroup_counts_.over_budget;
    }
    if (allowed) {
      image->cgroup = ReadCgroup(image->pid, parent);
      if (image->cgroup) return;
    }
  }
  // Gone already (a short command), or past the budget. An exec never leaves its cgroup: a process
  // known to be in a container before this exec still is (its parent may be a runtime's shim, or
  // the `runc exec` that started it, outside). Otherwise it was where its parent was.
  if (exec_previous_cgroup_ && exec_previous_cgroup_->runtime != ContainerRuntime::kNone) {
    image->cgroup = exec_previous_cgroup_;
    return;
  }
  if (parent != nullptr) image->cgroup = parent->cgroup;
}

void ProcessTable::SetExeHash(ProcessImage* image, const ProcessImage* parent) {
  // A fork runs its parent's program: the same file (a copy: each image is asked, and its
  // rendering renewed, on its own).
  if (image->origin == ProcessOrigin::kFork && parent != nullptr && parent->exe_hash) {
    image->exe_hash = std::make_unique<ProcessImage::ExeHash>(*parent->exe_hash);
    return;
  }
  if (image->exe.empty()) return;
  auto hash = std::make_unique<ProcessImage::ExeHash>();
  char path[64];
  snprintf(path, sizeof(path), "/%d/exe", image->pid);
  scratch_.assign(options_.proc_root);
  scratch_.append(path);
  bool have_key = false, ran = true;
  // The path the key came from, for the hasher to read: the executable's path names it in the
  // process's own mount namespace (a container's), which may not be the agent's; /proc/PID/exe is
  // the file itself while the process lives.
  const std::string* read_from = &image->exe;
  if (image->origin == ProcessOrigin::kExec && exec_files_count_ > 0) {
    // An exec's PATH records name the files the kernel ran (the program, or a script and its
    // interpreter). The file at the executable's path is one of them unless the program was
    // replaced since; then the one the process runs (proc_root/PID/exe), unless it has exec'd
    // another program since. Neither: it cannot be told any more.
    auto ran_it = [&](const FileKey& key) {
      for (size_t i = 0; i < exec_files_count_; ++i) {
        if (exec_files_[i].dev == key.dev && exec_files_[i].ino == key.ino) return true;
      }
      return false;
    };
    bool stat_ok = FileKeyOf(image->exe, &hash->key);
    have_key = stat_ok && ran_it(hash->key);
    if (!have_key && !options_.proc_root.empty() && FileKeyOf(scratch_, &hash->key)) {
      stat_ok = true;
      have_key = ran_it(hash->key);
      read_from = &scratch_;
    }
    ran = have_key || !stat_ok;
    have_key = have_key || stat_ok;
  } else {
    if (!options_.proc_root.empty()) {
      // The file the process runs, even when its path now names another one; but only while it
      // still runs this program (events are read after the fact: it may have exec'd another).
      if (ReadExeLink(scratch_) == image->exe) {
        have_key = FileKeyOf(scratch_, &hash->key);
        read_from = &scratch_;
      }
    }
    // Gone already: the file at its path.
    if (!have_key) {
      have_key = FileKeyOf(image->exe, &hash->key);
      read_from = &image->exe;
    }
  }
  if (!have_key) {
    hash->state = HashState::kUnreadable;
  } else if (!ran) {
    hash->state = HashState::kChanged;
  } else if (image->origin == ProcessOrigin::kProc) {
    // The processes found at start: hashed when they first show up in an event, not all at once.
    hash->state = HashState::kDeferred;
  } else {
    hash->state = options_.hasher->Lookup(hash->key, *read_from, &hash->sha256);
  }
  image->exe_hash = std::move(hash);
}

void ProcessTable::NoteExecFiles(const ParsedEvent& e) {
  exec_files_count_ = 0;
  // Read from the record's text, not split into fields (the formatter rarely needs them split).
  // A value cannot hold " inode=" or " dev=": the kernel writes any name with a space in hex.
  auto value = [](std::string_view body, std::string_view key) {
    const size_t at = body.find(key);
    if (at == std::string_view::npos) return std::string_view();
    std::string_view v = body.substr(at + key.size());
    return v.substr(0, v.find(' '));
  };
  for (size_t r = 0; r < e.record_count() && exec_files_count_ < exec_files_.size(); ++r) {
    if (e.record_type(r) != rectype::kPath) continue;
    const std::string_view body = e.event().record_body(r);
    // dev=fe:01 (major:minor, hex), inode= decimal.
    const std::string_view dev = value(body, " dev=");
    const size_t colon = dev.find(':');
    uint64_t major = 0, minor = 0, ino = 0;
    if (colon == std::string_view::npos || !ParseHexU64(dev.substr(0, colon), &major) ||
        !ParseHexU64(dev.substr(colon + 1), &minor) || !ParseU64(value(body, " inode="), &ino)) {
      continue;
    }
    exec_files_[exec_files_count_++] = {static_cast<uint64_t>(makedev(major, minor)), ino};
  }
}

void ProcessTable::RefreshExeHash(ProcessImage* image) {
  ProcessImage::ExeHash* hash = image->exe_hash.get();
  if (hash == nullptr || HashStateFinal(hash->state) || hash->state == HashState::kNone) return;
  // Not queued yet (deferred, or the queue was full): the file is read from the process's own link
  // while it is still that file (the path may be another mount namespace's), else from its path.
  const std::string* read_from = &image->exe;
  if (hash->state != HashState::kPending && !options_.proc_root.empty()) {
    char path[64];
    snprintf(path, sizeof(path), "/%d/exe", image->pid);
    scratch_.assign(options_.proc_root);
    scratch_.append(path);
    FileKey key;
    if (FileKeyOf(scratch_, &key) && key == hash->key) read_from = &scratch_;
  }
  const HashState now = options_.hasher->Lookup(hash->key, *read_from, &hash->sha256);
  if (now == hash->state) return;
  hash->state = now;
  Touch(image);
  // Final now: the image changed for the store too (its row gets the hash).
  if (HashStateFinal(now) && std::find(changed_.begin(), changed_.end(), image) == changed_.end()) {
    changed_.push_back(image);
  }
}

bool ProcessTable::GiveAcceptToWaitingChild(ProcessImage* parent, const Endpoint& peer,
                                            const Endpoint& local, uint64_t ms) {
  std::vector<int32_t>& awaiting = parent->awaiting_peer;
  if (awaiting.empty()) return false;
  ProcessImage* best = nullptr;
  size_t best_index = 0;
  for (size_t i = 0; i < awaiting.size(); ++i) {
    ProcessImage* child = Find(awaiting[i]);
    if (child == nullptr || child->ppid != parent->pid || child->peer().is_ip()) continue;
    if (child->start_ms < ms || child->start_ms > ms + 10000) continue;
    if (best == nullptr || child->start_ms < best->start_ms) {
      best = child;
      best_index = i;
    }
  }
  if (best == nullptr) return false;
  ProcessImage::Network& net = best->net();
  net.peer = peer;
  if (local.is_ip()) net.local = local;
  awaiting.erase(awaiting.begin() + static_cast<long>(best_index));
  if (std::find(changed_.begin(), changed_.end(), best) == changed_.end()) changed_.push_back(best);
  return true;
}

Endpoint ProcessTable::AcceptedLocal(const NetworkFacts& n, const ProcessImage& image) {
  if (n.present && n.op == NetOp::kAccept && n.local.is_ip() && n.local_ip_known()) {
    return n.local.Unmapped();
  }
  return image.listen();
}

void ProcessTable::Enrich(const ParsedEvent& e, EventFacts* facts) {
  changed_.clear();
  current_ = nullptr;
  ReadSubject(e);
  facts->subject = &subject_;
  const EventSubject& s = subject_;
  if (s.time_ms >= next_sweep_ms_) {
    if (next_sweep_ms_ != 0) Sweep(s.time_ms);
    next_sweep_ms_ = s.time_ms + options_.sweep_every_ms;
  }
  // Bounded between sweeps too (a fork storm): one eviction pass brings it to 7/8.
  if (by_pid_.size() > options_.max_entries) Evict(options_.max_entries * 7 / 8);
  if (!s.valid || s.pid <= 0) return;

  ProcessImage* image = Find(s.pid);
  bool same_process = image != nullptr;
  if (image != nullptr) {
    subject_.before_uid = image->uid;
    subject_.before_euid = image->euid;
    // The pid may be a new process already: its exit was seen, or its parent or session is not
    // the one the table knows (a LOGIN record changes the session legitimately).
    if (image->exited && s.time_ms > image->exit_ms) same_process = false;
    if (s.ppid > 1 && image->ppid > 1 && s.ppid != image->ppid) same_process = false;
    if (s.login_record < 0 && s.ses != kUnsetId && image->ses != kUnsetId && s.ses != image->ses) {
      same_process = false;
    }
    if (!same_process) subject_.before_uid = subject_.before_euid = kUnsetId;
  }

  if (s.sys == SyscallClass::kExec && s.has_success && s.success) {
    EntityId previous;
    std::unique_ptr<ProcessImage::Network> network;
    SessionRole previous_role = SessionRole::kNone;
    int32_t sid = -1, pgid = -1;  // an exec keeps the process's session and process group
    uint64_t labels = 0;          // and its labels
    std::vector<ProcessImage::GainedLabel> gained_labels;
    // Events out of order: this image's exit arrived first (it made an image of its own).
    const bool exit_came_first = image != nullptr && image->exited && image->exit_ms >= s.time_ms &&
                                 image->origin == ProcessOrigin::kSeen;
    const uint64_t early_exit_ms = exit_came_first ? image->exit_ms : 0;
    const int32_t early_exit_code = exit_came_first ? image->exit_code : 0;
    if (same_process) {
      previous = image->entity_id;
      // The connection it was started for stays with the program it runs now (not the address
      // the old program bound).
      if (image->network && (image->network->peer.is_ip() || image->network->local.is_ip())) {
        network = std::move(image->network);
        network->listen = Endpoint();
        network->accepted.clear();
      }
      previous_role = image->role;
      labels = image->labels;
      gained_labels = std::move(image->gained_labels);
      sid = image->sid;
      pgid = image->pgid;
    }
    if (options_.hasher != nullptr) NoteExecFiles(e);
    if (same_process) exec_previous_cgroup_ = image->cgroup;
    image = NewImage(s.pid, s.ppid, s.time_ms, ProcessOrigin::kExec);
    image->sid = sid;
    image->pgid = pgid;
    image->labels = labels;
    image->gained_labels = std::move(gained_labels);
    FillFromSubject(image, e);
    SetArgsFromExecve(image, e);
    SetCwd(image, e);
    image->previous_entity = previous;
    image->previous_role = previous_role;
    if (exit_came_first) {
      image->exited = true;
      image->exit_ms = early_exit_ms;
      image->exit_code = early_exit_code;
    }
    image->network = std::move(network);
    Finish(image, !same_process);
    exec_previous_cgroup_.reset();
    // A fork and its exec in the same millisecond have the same entity id: the image replaced
    // itself, which a reader walking `previous` would take for a loop.
    if (image->previous_entity == image->entity_id) image->previous_entity.Clear();
    changed_.push_back(image);
    current_ = image;
    facts->process = image;
    facts->parent_current = s.ppid <= 0 || s.ppid == image->ppid;
    if (options_.labeler != nullptr) AddKeyLabels(image, s.key, s.time_ms);
    SetLeaders(*image, facts);
    if (options_.hasher != nullptr) RefreshExeHash(image);
    return;
  }

  if (!same_process) {
    image = NewImage(s.pid, s.ppid, s.time_ms, ProcessOrigin::kSeen);
    FillFromSubject(image, e);
    SetArgsFromProctitle(image, e);
    SetCwd(image, e);
    Finish(image, true);
    changed_.push_back(image);
  } else {
    FillFromSubject(image, e);
    if (image->ppid <= 0 && s.ppid > 0) {
      image->ppid = s.ppid;  // first seen in a user-space message, which has no ppid
      Finish(image, true);
      changed_.push_back(image);
    }
    if (image->cwd.empty()) SetCwd(image, e);
  }
  current_ = image;
  facts->process = image;
  facts->parent_current = s.ppid <= 0 || s.ppid == image->ppid;
  if (options_.labeler != nullptr) AddKeyLabels(image, s.key, s.time_ms);

  switch (s.sys) {
    case SyscallClass::kExit:
      if (!image->exited) {
        image->exited = true;
        image->exit_ms = s.time_ms;
        image->exit_code = static_cast<int32_t>(s.a0 & 0xff);
        Touch(image);
        if (std::find(changed_.begin(), changed_.end(), image) == changed_.end()) {
          changed_.push_back(image);
        }
      }
      facts->process_exit = true;
      break;
    case SyscallClass::kFork: {
      // clone with CLONE_THREAD makes a thread, not a process.
      if (!s.has_success || !s.success || s.exit <= 0) break;
      if (s.syscall_name == "clone" && (s.a0 & 0x10000) != 0) break;
      int32_t child_pid = static_cast<int32_t>(s.exit);
      // A process is not its own child: a record that says so (corrupt or forged) would replace,
      // and free, the subject's image while this event still uses it.
      if (child_pid == s.pid) break;
      ProcessImage* known = Find(child_pid);
      if (known != nullptr && known->ppid == s.pid && !known->exited) break;  // seen already
      // Images live behind pointers: the parent's stays where it is while the child is added.
      ProcessImage* child = NewImage(child_pid, s.pid, s.time_ms, ProcessOrigin::kFork);
      child->uid = image->uid;
      child->euid = image->euid;
      child->auid = image->auid;
      child->ses = image->ses;
      child->exe = image->exe;
      child->cwd = image->cwd;
      child->args = image->args;
      child->role = image->role;
      child->sid = image->sid;
      child->pgid = image->pgid;
      child->labels = image->labels;
      Finish(child, true);
      changed_.push_back(child);
      break;
    }
    case SyscallClass::kAccept: {
      Endpoint peer;
      if (!s.has_success || !s.success || !SockAddrOf(e, &peer)) break;
      const Endpoint local = AcceptedLocal(facts->network, *image);
      if (!GiveAcceptToWaitingChild(image, peer, local, s.time_ms)) {
        std::vector<ProcessImage::Accepted>& accepted = image->net().accepted;
        if (accepted.size() >= 8) accepted.erase(accepted.begin());
        ProcessImage::Accepted a;
        a.peer = peer;
        a.local = local;
        a.ms = s.time_ms;
        accepted.push_back(a);
      }
      break;
    }
    case SyscallClass::kSetSession:
      if (s.has_success && s.success) SetSession(image, s);
      break;
    case SyscallClass::kBind: {
      Endpoint local;
      if (s.has_success && s.success && SockAddrOf(e, &local) && local.port != 0) {
        image->net().listen = local;
      }
      break;
    }
    default:
      break;
  }
  SetLeaders(*image, facts);
  if (options_.hasher != nullptr) RefreshExeHash(image);
}

void ProcessTable::SetSession(ProcessImage* image, const EventSubject& s) {
  if (s.syscall_name == "setsid") {
    // The caller leads a new session and a new process group (the return value is the new sid).
    image->sid = image->pgid = image->pid;
    Touch(image);
    return;
  }
  // setpgid(pid, pgid): pid 0 is the caller, pgid 0 is the target's own pid. A shell puts each
  // job in its own group, calling it in the parent and the child alike.
  const int32_t target_pid = s.a0 == 0 ? image->pid : static_cast<int32_t>(s.a0);
  ProcessImage* target = target_pid == image->pid ? image : Find(target_pid);
  if (target == nullptr || target->exited) return;
  const int32_t pgid = s.a1 == 0 ? target_pid : static_cast<int32_t>(s.a1);
  if (target->pgid == pgid) return;
  target->pgid = pgid;
  Touch(target);
  if (target != image && std::find(changed_.begin(), changed_.end(), target) == changed_.end()) {
    changed_.push_back(target);
  }
}

void ProcessTable::SetLeaders(const ProcessImage& image, EventFacts* facts) {
  // The image of the pid that leads the session (group), while it still does: a pid reused by a
  // process that leads nothing is not the leader.
  if (image.sid > 0) {
    const ProcessImage* leader = image.sid == image.pid ? &image : Find(image.sid);
    if (leader != nullptr && leader->sid == image.sid) facts->session_leader = leader;
  }
  if (image.pgid > 0) {
    const ProcessImage* leader = image.pgid == image.pid ? &image : Find(image.pgid);
    if (leader != nullptr && leader->pgid == image.pgid) facts->group_leader = leader;
  }
}

void ProcessTable::Sweep(uint64_t now_ms) {
  const size_t before = by_pid_.size();
  for (auto it = by_pid_.begin(); it != by_pid_.end();) {
    ProcessImage& p = *it->second;
    bool drop = false;
    if (p.exited) {
      drop = now_ms > p.exit_ms + options_.exited_keep_ms;
    } else if (now_ms > p.last_seen_ms + options_.idle_check_ms) {
      // Its exit was not audited: drop it when the pid is gone. A log's processes are not this
      // host's: one silent that long goes when it belongs to no login or to one that is over (a
      // daemon's child, a session's process killed by a signal); an idle shell of an open login
      // stays.
      if (live_host()) {
        drop = kill(p.pid, 0) != 0 && errno == ESRCH;
      } else if (session_over_) {
        drop = p.ses == kUnsetId || session_over_(p.ses);
      }
    }
    it = drop ? by_pid_.erase(it) : std::next(it);
  }
  if (by_pid_.size() > options_.max_entries) Evict(options_.max_entries * 7 / 8);
  // Many images gone at once (the end of a burst of short-lived processes): glibc keeps freed
  // memory for reuse, so without this the agent would stay at its peak size while idle.
  if (before >= by_pid_.size() + kTrimAfterDropped) malloc_trim(0);
}

void ProcessTable::Evict(size_t target) {
  if (by_pid_.size() <= target) return;
  std::vector<std::pair<uint64_t, int32_t>> order;
  order.reserve(by_pid_.size());
  for (auto& [pid, image] : by_pid_) {
    // Exited first, then the least recently seen.
    order.emplace_back(image->exited ? image->exit_ms / 2 : image->last_seen_ms, pid);
  }
  size_t n = by_pid_.size() - target;
  std::nth_element(order.begin(), order.begin() + n, order.end());
  for (size_t i = 0; i < n; ++i) by_pid_.erase(order[i].second);
}

ProcessImage* ProcessTable::ReadProcImage(const std::string& root, int32_t pid) {
  std::string base = root + "/" + std::to_string(pid);
  ProcStat st;
  if (!ParseProcStat(ReadSmallFile(base + "/stat"), &st)) return nullptr;
  std::string exe = ReadExeLink(base + "/exe");
  if (exe.empty()) return nullptr;  // kernel threads, or gone
  uint64_t start_ms = proc_btime_ * 1000 + st.start_ticks * 1000 / static_cast<uint64_t>(proc_ticks_);
  ProcessImage* image = NewImage(pid, static_cast<int32_t>(st.ppid), start_ms, ProcessOrigin::kProc);
  image->sid = static_cast<int32_t>(st.session);
  image->pgid = static_cast<int32_t>(st.pgrp);
  image->exe = exe;
  image->cwd = ReadLinkTarget(base + "/cwd");
  std::string cmdline = ReadSmallFile(base + "/cmdline");
  auto args = std::make_shared<ProcessArgs>();
  size_t begin = 0;
  while (begin < cmdline.size()) {
    size_t nul = cmdline.find('\0', begin);
    if (nul == std::string::npos) nul = cmdline.size();
    if (!args->Add(std::string_view(cmdline).substr(begin, nul - begin), options_.max_args_bytes)) {
      break;
    }
    begin = nul + 1;
  }
  image->args = std::move(args);
  std::string status = ReadSmallFile(base + "/status");
  size_t u = status.find("\nUid:");
  if (u != std::string::npos) {
    std::istringstream ids(status.substr(u + 5));
    ids >> image->uid >> image->euid;
  }
  ParseU32(ReadSmallFile(base + "/loginuid"), &image->auid);
  ParseU32(ReadSmallFile(base + "/sessionid"), &image->ses);
  image->last_seen_ms = start_ms;
  return image;
}

void ProcessTable::ReadProcClock(const std::string& proc_root) {
  std::string stat_text = ReadSmallFile(proc_root + "/stat");
  size_t at = stat_text.find("\nbtime ");
  if (at != std::string::npos) {
    std::string_view rest = std::string_view(stat_text).substr(at + 7);
    ParseU64(rest.substr(0, rest.find('\n')), &proc_btime_);
  }
  proc_ticks_ = sysconf(_SC_CLK_TCK);
  if (proc_ticks_ <= 0) proc_ticks_ = 100;
}

bool ProcessTable::ProcStartMs(int32_t pid, uint64_t* start_ms) {
  if (options_.proc_root.empty()) return false;
  ProcStat st;
  if (!ParseProcStat(ReadSmallFile(options_.proc_root + "/" + std::to_string(pid) + "/stat"), &st) ||
      !st.start_read) {
    return false;
  }
  if (proc_btime_ == 0) ReadProcClock(options_.proc_root);
  // Boot time to the millisecond (btime is to the second): now on the wall clock, less the time
  // since boot. From a proc_root that is not the host's (tests), btime.
  int64_t boot_ms = static_cast<int64_t>(proc_btime_) * 1000;
  timespec real{}, boot{};
  if (options_.proc_root == "/proc" && clock_gettime(CLOCK_REALTIME, &real) == 0 &&
      clock_gettime(CLOCK_BOOTTIME, &boot) == 0) {
    boot_ms = (static_cast<int64_t>(real.tv_sec) - boot.tv_sec) * 1000 +
              (static_cast<int64_t>(real.tv_nsec) - boot.tv_nsec) / 1000000;
  }
  *start_ms = static_cast<uint64_t>(boot_ms) + st.start_ticks * 1000 / static_cast<uint64_t>(proc_ticks_);
  return true;
}

void ProcessTable::AddKeyLabels(ProcessImage* image, std::string_view key, uint64_t ms) {
  const uint64_t gained = options_.labeler->OfKey(*image, key) & ~image->labels;
  if (gained == 0) return;
  image->labels |= gained;
  image->gained_labels.push_back({gained, ms});
}

uint64_t ProcessTable::LabelsGainedAfterStart(const ProcessImage& parent,
                                              const ProcessImage& child) {
  // A child whose fork was seen was made then, before any later event labelled its parent.
  if (parent.gained_labels.empty() || child.origin == ProcessOrigin::kFork) return 0;
  if (!start_reads_.Take(child.start_ms, kMaxStartReadsPerS)) return 0;
  uint64_t start_ms = 0;
  if (!ProcStartMs(child.pid, &start_ms)) return 0;  // gone: it inherits them (not known)
  // The start is read to the clock tick (10 ms, rounded down) and an event's time to the
  // kernel's coarse clock: only a child that started clearly before the event is left out.
  constexpr uint64_t kTickMs = 10;
  uint64_t after = 0;
  for (const ProcessImage::GainedLabel& k : parent.gained_labels) {
    if (start_ms + kTickMs <= k.ms) after |= k.bits;
  }
  return after;
}

ProcessImage* ProcessTable::AdoptFromProc(int32_t pid, uint64_t child_start_ms) {
  if (options_.proc_root.empty() || adopt_depth_ >= 3) return nullptr;
  if (!adoptions_.Take(child_start_ms, options_.max_adoptions_per_s)) return nullptr;
  if (proc_btime_ == 0) ReadProcClock(options_.proc_root);
  ProcessImage* parent = ReadProcImage(options_.proc_root, pid);
  if (parent == nullptr) return nullptr;
  if (parent->start_ms > child_start_ms + 1000) {
    // A newer process has that pid already: not the parent.
    by_pid_.erase(pid);
    return nullptr;
  }
  ++adopt_depth_;
  Finish(parent, false);
  --adopt_depth_;
  changed_.push_back(parent);
  return parent;
}

size_t ProcessTable::SeedFromProc(const std::string& proc_root) {
  ReadProcClock(proc_root);
  DIR* dir = opendir(proc_root.c_str());
  if (dir == nullptr) return 0;
  std::vector<ProcessImage*> seeded;
  while (dirent* d = readdir(dir)) {
    int32_t pid = 0;
    if (!ParseDecimal(std::string_view(d->d_name), &pid) || pid <= 0) continue;
    if (ProcessImage* image = ReadProcImage(proc_root, static_cast<int32_t>(pid))) {
      seeded.push_back(image);
    }
  }
  closedir(dir);
  // Parents before children, so each finds its parent's fragments.
  std::sort(seeded.begin(), seeded.end(), [](const ProcessImage* a, const ProcessImage* b) {
    return a->start_ms != b->start_ms ? a->start_ms < b->start_ms : a->pid < b->pid;
  });
  for (ProcessImage* image : seeded) Finish(image, false);
  return seeded.size();
}

}  // namespace auditlens
