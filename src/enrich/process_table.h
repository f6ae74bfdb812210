// The process tree: every process the audit stream (or /proc, at start) has shown, as a table
// pid → the process image running under that pid now, with its entity id, parent, executable,
// arguments, working directory, ids and start/exit time. It is also the enricher that writes
// process.entity_id, process.start, process.ancestry, process.exit_code and
// process.parent.{entity_id,executable,args} into every event (see docs/sessions.md).
//
// Entity ids: an image is one execve (or, for a process never seen exec'ing, its first sighting,
// its fork, or its /proc start time). The id is a hash of (boot id, pid, start time in ms), 16 hex
// digits: the same pid reused later gets a new id. Exec always starts a new image: "env ls" is two
// images of one pid; the second records the first as `previous`.
//
// Kept from the events: execve/execveat (new image; parent = the image of ppid; arguments from
// EXECVE, cwd from CWD), exit_group (exit time and code), fork/vfork/clone without CLONE_THREAD
// (a child image copied from the parent; clone3 cannot be told from a thread and is ignored),
// accept/accept4 (the peer, queued on the accepting process and handed to the next child it starts:
// how an sshd session learns its client's port), bind (the address a process listens on), and
// every other event with a pid (a process first seen there gets an image; ids and last-seen time
// are updated). Pid reuse without exit/fork events is detected when an event's ppid or session
// differs from the table's (a LOGIN record legitimately changes the session).
//
// Contract: single-threaded (the pipeline thread); per event one pass over the subject record and
// one or two hash lookups; rendered JSON fragments are made once per image, not per event.
// Memory is bounded: exited images are dropped a minute after their exit, images not seen for
// idle_check_ms are dropped when their pid is gone, and past max_entries the least recently seen
// are evicted. Prepare() fills subject(); the session tracker and the store read it for the same
// event.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/endpoint.h"
#include "decode/parsed_event.h"
#include "decode/value_decoder.h"
#include "enrich/enricher.h"
#include "tables/syscall_facts.h"

namespace auditlens {

constexpr uint32_t kUnsetId = 4294967295u;  // auid / ses / uid "unset" (-1)

// SyscallClass: tables/syscall_facts.h (the class column of src/tables/syscalls.tsv).

// What an event's subject record says, read in one pass.
struct EventSubject {
  bool valid = false;  // a subject record with a pid
  uint64_t time_ms = 0;
  uint32_t serial = 0;
  int32_t pid = -1;
  int32_t ppid = -1;   // -1: not in the record (user-space messages)
  uint32_t uid = kUnsetId;
  uint32_t euid = kUnsetId;
  uint32_t auid = kUnsetId;
  uint32_t ses = kUnsetId;
  bool has_ids = false;    // uid/euid present (SYSCALL records have them)
  std::string_view exe;    // raw (quoted or hex)
  std::string_view comm;   // raw
  std::string_view key;    // raw
  SyscallClass sys = SyscallClass::kNone;
  std::string_view syscall_name;  // "execve", ... (empty without SYSCALL)
  const tables::SyscallFacts* facts = nullptr;  // its row of syscalls.tsv (with a SYSCALL)
  bool has_success = false;
  bool success = false;
  int64_t exit = 0;        // the syscall's return value (when has_success)
  uint64_t a0 = 0, a1 = 0, a2 = 0;  // parsed for exit, fork, open and socketcall only
  int login_record = -1;   // index of a LOGIN record in the event, or -1
  // The process's ids before this event, as the table knew them (kUnsetId for a new process).
  uint32_t before_uid = kUnsetId;
  uint32_t before_euid = kUnsetId;
};

enum class ProcessOrigin : uint8_t { kExec, kFork, kProc, kSeen };
// What a process is to its login session; set by the session tracker (session_tracker.h).
enum class SessionRole : uint8_t { kNone, kService, kLoginScript, kShell, kCommand };

std::string_view ProcessOriginName(ProcessOrigin o);
std::string_view SessionRoleName(SessionRole r);

struct ProcessImage {
  char entity_id[17] = {};
  int32_t pid = 0;
  int32_t ppid = -1;
  uint64_t start_ms = 0;
  uint64_t last_seen_ms = 0;
  uint64_t exit_ms = 0;  // 0 while running (or exit not seen)
  int32_t exit_code = 0;
  bool exited = false;
  ProcessOrigin origin = ProcessOrigin::kSeen;
  SessionRole role = SessionRole::kNone;
  SessionRole previous_role = SessionRole::kNone;  // of the image this one replaced (exec)
  uint32_t uid = kUnsetId, euid = kUnsetId, auid = kUnsetId, ses = kUnsetId;
  std::string exe;             // decoded
  std::string cwd;             // decoded; empty when unknown
  std::string args_json;       // JSON array text of the arguments (capped), "[]" when unknown
  bool args_truncated = false;
  std::string parent_entity;   // empty when the parent is unknown
  std::string previous_entity; // the image this one replaced (same pid, exec)
  std::string self_json;       // "entity_id":"…","start":"…"  (members, pre-rendered)
  std::string parent_json;     // "entity_id":"…","executable":"…","args":[…]
  std::string ancestry_json;   // ["parent id","grandparent id",…] (at most kMaxAncestry)
  // Network linkage (see the header comment).
  struct Accepted {
    Endpoint peer, local;
    uint64_t ms = 0;
  };
  std::vector<Accepted> accepted;        // not yet handed to a child, oldest first
  std::vector<int32_t> awaiting_peer;    // children started with none to hand (events out of order)
  Endpoint peer;    // the client of the connection this process was started for
  Endpoint local;   // and our end of it, when known
  Endpoint listen;  // the last inet address it bound
  // Inode of its network namespace (/proc/PID/ns/net) when ProcessTableOptions::track_netns; 0:
  // unknown. Read when the image is made by an exec, a first sighting or /proc; a fork takes its
  // parent's (as the kernel does), and so does a process already gone from /proc.
  uint64_t netns = 0;
};

struct ProcessTableOptions {
  std::string boot_id;          // common/boot_id.h ReadBootId(); part of every entity id
  size_t max_entries = 32768;
  uint64_t exited_keep_ms = 60000;
  uint64_t idle_check_ms = 600000;
  uint64_t sweep_every_ms = 30000;
  size_t max_args_bytes = 8192;  // of args_json; longer lists are cut (args_truncated)
  // Live agents: when a new image's parent is unknown (a fork that never exec'd, with no fork
  // rule), read it once from proc_root/PID (at most max_adoptions_per_s). Empty: never (logs).
  std::string proc_root;
  uint32_t max_adoptions_per_s = 100;
  // Remember each image's network namespace (ProcessImage::netns; one stat of proc_root/PID/ns/net
  // per new image). Off: nothing is read.
  bool track_netns = false;
};

class ProcessTable : public Enricher {
 public:
  static constexpr size_t kMaxAncestry = 8;

  explicit ProcessTable(ProcessTableOptions options);

  // Reads every process in proc_root ("/proc") as an image of origin kProc. Returns the count.
  size_t SeedFromProc(const std::string& proc_root = "/proc");

  void Prepare(const ParsedEvent& event) override;
  void WriteProcess(const ParsedEvent& event, JsonWriter& w) override;
  void WriteProcessParent(const ParsedEvent& event, JsonWriter& w) override;

  // Of the event last given to Prepare().
  const EventSubject& subject() const { return subject_; }
  // The image the event's subject is (after the event: for execve the new image); null if none.
  ProcessImage* current() { return current_; }
  // Images created or ended by the event last given to Prepare() (for the store).
  const std::vector<ProcessImage*>& changed() const { return changed_; }
  ProcessImage* Find(int32_t pid);
  template <typename F> void ForEach(F f) {
    for (auto& [pid, image] : by_pid_) f(*image);
  }
  size_t size() const { return by_pid_.size(); }
  const std::string& boot_id() const { return options_.boot_id; }
  ValueDecoder& decoder() { return decoder_; }
  // Records our end of the connection the process accepted last (the network enricher knows it).
  void SetLastAcceptLocal(int32_t pid, const Endpoint& local);
  // An accept that came after the child it was for: hands it over (the child is "changed").
  bool GiveAcceptToWaitingChild(ProcessImage* parent, const Endpoint& peer, uint64_t ms);
  // Drops what is stale now (called by Prepare every sweep_every_ms of event time; public for tests).
  void Sweep(uint64_t now_ms);

  static void MakeEntityId(std::string_view boot_id, int32_t pid, uint64_t start_ms, char out[17]);

 private:
  void ReadSubject(const ParsedEvent& e);
  void ParseSubject(const ParsedEvent& e, int r);
  void RememberSubject(std::string_view body, bool is_syscall);
  // The syscall of a SYSCALL record's raw arch and syscall fields (null when it has no name).
  const tables::SyscallEntry* SyscallOf(std::string_view arch_raw, std::string_view syscall_raw);
  ProcessImage* NewImage(int32_t pid, int32_t ppid, uint64_t start_ms, ProcessOrigin origin);
  // Links to the parent image (ids, fragments, inherited connection) and renders self_json.
  void Finish(ProcessImage* image, bool take_accept);
  void FillFromSubject(ProcessImage* image, const ParsedEvent& e);
  void SetArgsFromExecve(ProcessImage* image, const ParsedEvent& e);
  void SetArgsFromProctitle(ProcessImage* image, const ParsedEvent& e);
  void SetCwd(ProcessImage* image, const ParsedEvent& e);
  bool SockAddrOf(const ParsedEvent& e, Endpoint* out);
  void Evict(size_t target);
  // Reads proc_root/PID into a new image (origin kProc), or null when it is gone.
  ProcessImage* ReadProcImage(const std::string& root, int32_t pid);
  ProcessImage* AdoptFromProc(int32_t pid, uint64_t child_start_ms);
  void ReadProcClock(const std::string& proc_root);
  void SetNetns(ProcessImage* image, const ProcessImage* parent);

  ProcessTableOptions options_;
  ValueDecoder decoder_;
  std::unordered_map<int32_t, std::unique_ptr<ProcessImage>> by_pid_;
  EventSubject subject_;
  // The last two subject records parsed and what they gave (views kept as offsets into the body):
  // a storm repeats one record, or two in turn (connect and accept).
  struct BodySpan {
    uint32_t offset = 0, length = 0;
    bool Of(std::string_view view, std::string_view body);  // false: view not inside body
    std::string_view In(std::string_view body) const { return body.substr(offset, length); }
  };
  static constexpr size_t kSubjectMemoMaxBody = 4096;
  struct SubjectMemo {
    bool valid = false;
    bool is_syscall = false;
    std::string body;
    EventSubject subject;
    BodySpan exe, comm, key;
  } subject_memos_[2];
  RecentSlots subject_recent_;  // which of the two to compare first; misses: records neither was
  ProcessImage* current_ = nullptr;
  std::vector<ProcessImage*> changed_;
  bool write_exit_ = false;
  uint64_t next_sweep_ms_ = 0;
  uint64_t proc_btime_ = 0;
  long proc_ticks_ = 100;
  uint64_t adoption_window_ms_ = 0;
  uint32_t adoptions_in_window_ = 0;
  int adopt_depth_ = 0;
  std::string scratch_;
};

}  // namespace auditlens
