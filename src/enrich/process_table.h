// The process tree: every process the audit stream (or /proc, at start) has shown, as a table
// pid → the process image running under that pid now (process_image.h), with its entity id,
// parent, executable, arguments, working directory, ids and start/exit time. As an enricher it
// gives every event its subject and image (EventFacts::subject, process) and the images leading its
// session and process group (EventFacts::session_leader, group_leader), which the output renders as
// process.entity_id, process.start, process.exit_code, process.parent.{entity_id,name,executable,
// args}, process.session_leader, process.group_leader and auditd.process.ancestry
// (output/process_json.h; see docs/sessions.md).
//
// Entity ids: an image is one execve (or, for a process never seen exec'ing, its first sighting,
// its fork, or its /proc start time). The id is a hash of (boot id, pid, start time in ms), 16 hex
// digits: the same pid reused later gets a new id. Exec always starts a new image: "env ls" is two
// images of one pid; the second records the first as `previous`.
//
// Kept from the events: execve/execveat (new image; parent = the image of ppid; arguments from
// EXECVE, cwd from CWD), exit_group (exit time and code), fork/vfork/clone without CLONE_THREAD
// (a child image copied from the parent; clone3 cannot be told from a thread and is ignored),
// setsid/setpgid (the session and process group: an image has its process's sid and pgid, read
// from /proc for the processes read there, kept across exec, inherited on fork, and from the
// parent when the fork was not seen),
// accept/accept4 (the peer, queued on the accepting process and handed to the next child it starts:
// how an sshd session learns its client's port; our end of it comes from the network enricher's
// facts for the same event), bind (the address a process listens on), and
// every other event with a pid (a process first seen there gets an image; ids and last-seen time
// are updated). Pid reuse without exit/fork events is detected when an event's ppid or session
// differs from the table's (a LOGIN record legitimately changes the session).
//
// Contract: single-threaded (the pipeline thread), after the network enricher (it reads the
// event's NetworkFacts); per event one pass over the subject record and one or two hash lookups.
// Memory is bounded: exited images are dropped a minute after their exit, images not seen for
// idle_check_ms are dropped when their pid is gone (on the live host; with no proc_root the
// records are another host's or another time's, and this host's pids say nothing of them: there,
// when they belong to no login session or to one that is over, set_session_over), and
// past max_entries the least recently seen
// are evicted; a sweep that dropped many gives the memory back to the system. Enrich() fills subject(); the session tracker and the store read it for the same
// event.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/endpoint.h"
#include "common/per_second_limit.h"
#include "common/recent_slots.h"
#include "decode/parsed_event.h"
#include "decode/value_decoder.h"
#include "enrich/enricher.h"
#include "enrich/process_image.h"
#include "enrich/process_labels.h"
#include "tables/syscall_facts.h"

namespace auditlens {

struct ProcessTableOptions {
  std::string boot_id;          // common/boot_id.h ReadBootId(); part of every entity id
  size_t max_entries = 32768;
  uint64_t exited_keep_ms = 60000;
  uint64_t idle_check_ms = 600000;
  uint64_t sweep_every_ms = 30000;
  size_t max_args_bytes = 8192;  // ProcessArgs::text_size(); longer lists are cut (truncated())
  // Live agents: when a new image's parent is unknown (a fork that never exec'd, with no fork
  // rule), read it once from proc_root/PID (at most max_adoptions_per_s). Empty: never (logs).
  std::string proc_root;
  uint32_t max_adoptions_per_s = 100;
  // Remember each image's network namespace (ProcessImage::netns; one stat of proc_root/PID/ns/net
  // per new image). Off: nothing is read.
  bool track_netns = false;
  // Remember each image's container and systemd unit (ProcessImage::cgroup) from
  // proc_root/PID/cgroup: read for an exec or a first sighting, at most max_cgroup_reads_per_s
  // times a second of event time (0: no limit); a fork, a process gone, or one past the budget has
  // its parent's. Processes read from proc_root (the seed, adoptions) are read unbudgeted.
  bool track_cgroups = false;
  uint32_t max_cgroup_reads_per_s = 200;
  // SHA-256 of the programs (ProcessImage::exe_hash): the file of proc_root/PID/exe (else of the
  // executable's path, when the process is gone) is stat'ed when its image is made and given to
  // the hasher, which reads it on its own thread; later events of the image ask again until the
  // answer is final. Null: no hashes.
  ExeHasher* hasher = nullptr;
  // Process labels (enrich/process_labels.h): given by its tables, kept across exec, inherited on
  // fork. Null: no labels, nothing looked at.
  const ProcessLabeler* labeler = nullptr;
};

// What the cgroup reads did (for `auditlens status`).
struct CgroupReadCounts {
  uint64_t reads = 0;        // files read and parsed
  uint64_t unreadable = 0;   // the process was gone (or the file was not a cgroup file)
  uint64_t over_budget = 0;  // not read: the second's budget was spent (the parent's was taken)
  uint64_t skipped_lines = 0;  // lines of read files that were not cgroup lines
};

class ProcessTable : public Enricher {
 public:
  static constexpr size_t kMaxAncestry = ParentSnapshot::kMaxAncestry;
  // The parent's arguments are shown in a child's events (process.parent.args) when they take at
  // most this (ProcessArgs::text_size()); longer ones are one lookup away, by the parent's entity.
  static constexpr size_t kMaxParentArgs = 512;
  // A sweep that drops at least this many images gives the freed memory back (malloc_trim).
  static constexpr size_t kTrimAfterDropped = 4096;

  explicit ProcessTable(ProcessTableOptions options);

  // Reads every process in proc_root ("/proc") as an image of origin kProc. Returns the count.
  size_t SeedFromProc(const std::string& proc_root = "/proc");

  void Enrich(const ParsedEvent& event, EventFacts* facts) override;

  // Of the event last given to Enrich().
  const EventSubject& subject() const { return subject_; }
  // The records are this host's, now (proc_root set): its pids can be asked whether they are gone.
  bool live_host() const { return !options_.proc_root.empty(); }
  // A log's records (not live_host): whether the login session of an audit session id is over (or
  // unknown), asked by the sweep of processes not seen for idle_check_ms whose exit was not
  // recorded. The session tracker sets it; unset, such processes stay until max_entries evicts them.
  void set_session_over(std::function<bool(uint32_t ses)> over) { session_over_ = std::move(over); }
  // The image the event's subject is (after the event: for execve the new image); null if none.
  ProcessImage* current() { return current_; }
  // Images created or ended by the event last given to Enrich() (for the store).
  const std::vector<ProcessImage*>& changed() const { return changed_; }
  ProcessImage* Find(int32_t pid);
  template <typename F> void ForEach(F f) {
    for (auto& [pid, image] : by_pid_) f(*image);
  }
  size_t size() const { return by_pid_.size(); }
  const std::string& boot_id() const { return options_.boot_id; }
  const CgroupReadCounts& cgroup_counts() const { return cgroup_counts_; }
  ValueDecoder& decoder() { return decoder_; }
  // An accept that came after the child it was for: hands it over (the child is "changed").
  bool GiveAcceptToWaitingChild(ProcessImage* parent, const Endpoint& peer, const Endpoint& local,
                                uint64_t ms);
  // Drops what is stale now (called by Enrich every sweep_every_ms of event time; public for tests).
  void Sweep(uint64_t now_ms);

  static void MakeEntityId(std::string_view boot_id, int32_t pid, uint64_t start_ms, char out[17]);

 private:
  std::function<bool(uint32_t)> session_over_;
  void ReadSubject(const ParsedEvent& e);
  void ParseSubject(const ParsedEvent& e, int r);
  void RememberSubject(std::string_view body, bool is_syscall);
  // The syscall of a SYSCALL record's raw arch and syscall fields (null when it has no name).
  const tables::SyscallEntry* SyscallOf(std::string_view arch_raw, std::string_view syscall_raw);
  ProcessImage* NewImage(int32_t pid, int32_t ppid, uint64_t start_ms, ProcessOrigin origin);
  // Gives the image its entity id and links it to its parent (snapshot, ancestry, inherited
  // connection).
  void Finish(ProcessImage* image, bool take_accept);
  // The image changed in a way the output shows: a new generation.
  void Touch(ProcessImage* image) { image->generation = ++generation_; }
  // The parent's program as its children show it (shared; made once per program).
  std::shared_ptr<const ParentSnapshot> SnapshotOf(ProcessImage* parent);
  // The local end of the connection an accept event made (the network enricher's facts), else
  // the address the process listens on.
  static Endpoint AcceptedLocal(const NetworkFacts& n, const ProcessImage& image);
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
  // When a live process started, in ms since the epoch, from proc_root/PID/stat (to the kernel's
  // 10 ms clock tick); false when it is gone or there is no proc_root.
  bool ProcStartMs(int32_t pid, uint64_t* start_ms);
  // Adds the labels the [[labels]] tables with a key give the image for an event with that key at
  // ms, noting the new ones in ProcessImage::gained_labels.
  void AddKeyLabels(ProcessImage* image, std::string_view key, uint64_t ms);
  // The labels the parent gained (by an exec or a key) after the child had started, which it does
  // not inherit: only for a child whose fork was not seen (its start read from /proc, within
  // kMaxStartReadsPerS); 0 when not known.
  uint64_t LabelsGainedAfterStart(const ProcessImage& parent, const ProcessImage& child);
  void SetNetns(ProcessImage* image, const ProcessImage* parent);
  // ProcessImage::cgroup of a new image (budgeted read; else, for an exec, the container the
  // process was in before it (exec_previous_cgroup_); else the parent's).
  void SetCgroup(ProcessImage* image, const ProcessImage* parent);
  // ProcessImage::exe_hash of a new image, and its state asked again while not final.
  void SetExeHash(ProcessImage* image, const ProcessImage* parent);
  void RefreshExeHash(ProcessImage* image);
  // The (device, inode) of the files an exec event's PATH records name, for SetExeHash.
  void NoteExecFiles(const ParsedEvent& e);
  // Reads proc_root/PID/cgroup; the parent's identity when it is the same (shared). Null when the
  // file cannot be read or is not a cgroup file.
  std::shared_ptr<const CgroupIdentity> ReadCgroup(int32_t pid, const ProcessImage* parent);
  // setsid, setpgid (SyscallClass::kSetSession) by image, which succeeded.
  void SetSession(ProcessImage* image, const EventSubject& s);
  // EventFacts::session_leader and group_leader of the event's image.
  void SetLeaders(const ProcessImage& image, EventFacts* facts);

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
  uint64_t generation_ = 0;
  uint64_t next_sweep_ms_ = 0;
  uint64_t proc_btime_ = 0;
  long proc_ticks_ = 100;
  PerSecondLimit adoptions_;
  // Reads of a child's start time (LabelsGainedAfterStart): at most kMaxStartReadsPerS a second
  // of event time, a few µs each; past it a child inherits what its parent has.
  static constexpr uint32_t kMaxStartReadsPerS = 1000;
  PerSecondLimit start_reads_;
  int adopt_depth_ = 0;
  CgroupReadCounts cgroup_counts_;
  struct ExecFile {
    uint64_t dev = 0, ino = 0;
  };
  std::array<ExecFile, 4> exec_files_;
  size_t exec_files_count_ = 0;  // of the exec being enriched
  // The exec being enriched: the cgroup identity of the program the process ran before.
  std::shared_ptr<const CgroupIdentity> exec_previous_cgroup_;
  PerSecondLimit cgroup_reads_;
  std::string scratch_;
};

}  // namespace auditlens
