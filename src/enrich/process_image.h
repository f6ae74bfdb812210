// The typed facts the process table (process_table.h) keeps and hands to the rest of the pipeline:
// what an event's subject record says (EventSubject) and the process image running under a pid
// (ProcessImage). Plain data: the output stage renders it (output/process_json.h), the store builds
// its rows from it (store/recorder.h); nothing here is JSON.
//
// Memory: an image is about 300 bytes plus its strings. What an exec started (the executable's
// arguments) is one immutable ProcessArgs shared by the image, the children it forks and the
// snapshot its children keep of their parent (ParentSnapshot), so a shell that starts 100,000
// commands holds its arguments once, not 100,000 times.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/endpoint.h"
#include "enrich/cgroup_identity.h"
#include "enrich/exe_hasher.h"
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

// An entity id: 16 lowercase hex digits (process_table.h MakeEntityId), or empty.
struct EntityId {
  char hex[17] = {};
  bool empty() const { return hex[0] == 0; }
  std::string_view view() const { return empty() ? std::string_view() : std::string_view(hex, 16); }
  void Set(std::string_view id) {
    const size_t n = id.size() < 16 ? id.size() : 16;
    std::memcpy(hex, id.data(), n);
    hex[n] = 0;
  }
  void Clear() { hex[0] = 0; }
  bool operator==(const EntityId& o) const { return std::strcmp(hex, o.hex) == 0; }
};

// A process's arguments, decoded (bytes, not JSON), in order. Immutable once made: shared.
class ProcessArgs {
 public:
  // Appends one argument. Past the first, false (nothing added, truncated() set) when the list
  // would take more than max_bytes as a JSON array of plain strings (text_size()).
  bool Add(std::string_view arg, size_t max_bytes);
  size_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  bool truncated() const { return truncated_; }
  void set_truncated() { truncated_ = true; }
  // f(std::string_view arg) for each argument in order.
  template <typename F>
  void ForEach(F f) const {
    size_t at = 0;
    while (at < data_.size()) {
      uint32_t n;
      std::memcpy(&n, data_.data() + at, sizeof(n));
      f(std::string_view(data_.data() + at + sizeof(n), n));
      at += sizeof(n) + n;
    }
  }
  // The size of the list as a JSON array of its arguments with no escapes: ["a","b"] is 9. What
  // the caps compare (max_args_bytes, the 512 bytes a child copies of its parent's arguments).
  size_t text_size() const { return text_size_; }

 private:
  std::string data_;  // per argument: its length (4 bytes, host order), then its bytes
  size_t count_ = 0;
  size_t text_size_ = 2;
  bool truncated_ = false;
};

// What a child shows of its parent (process.parent.executable and .args, process.ancestry): the
// parent's program and ancestry when the child started. Shared by all the children started while
// the parent ran that program.
struct ParentSnapshot {
  static constexpr size_t kMaxAncestry = 8;  // process.ancestry's length at most
  EntityId entity_id;
  std::string exe;                           // decoded; empty when unknown
  std::shared_ptr<const ProcessArgs> args;   // null when not shown (none, or too long to copy)
  // The parent's own ancestry (its parent, grandparent, ...): a child's ancestry is the parent's
  // entity id followed by these.
  std::array<EntityId, kMaxAncestry - 1> ancestry;
  uint8_t ancestry_len = 0;
};

struct ProcessImage {
  EntityId entity_id;
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
  // The process's session id and process group (the pids of their leaders); -1: unknown.
  int32_t sid = -1, pgid = -1;
  std::string exe;             // decoded
  std::string cwd;             // decoded; empty when unknown
  std::shared_ptr<const ProcessArgs> args;  // null when unknown
  EntityId previous_entity;    // the image this one replaced (same pid, exec)
  // The parent as this image saw it when it started (and, through it, the ancestry); null when the
  // parent is unknown.
  std::shared_ptr<const ParentSnapshot> parent;
  // Changes whenever a member the output renders from this image changes (a table-wide counter,
  // so it never repeats for another image): a renderer may keep what it rendered under it.
  uint64_t generation = 0;
  // Network linkage (see process_table.h): the connections it accepted and not yet handed to a
  // child, the client it was started for and our end of it, the address it listens on. Few
  // processes have any (a server, the processes started for a connection): allocated by net()
  // when first needed, so an exec storm's images carry one pointer.
  struct Accepted {
    Endpoint peer, local;
    uint64_t ms = 0;
  };
  struct Network {
    std::vector<Accepted> accepted;      // oldest first
    // IP ends (kind kIp, or kNone when unknown), as given: the accept's and bind's SOCKADDR records
    // say them as the process got or passed them (a v4-mapped address stays IPv6 there); our end
    // of an accepted connection from the live socket as the network facts say it (Unmapped).
    Endpoint peer;    // the client of the connection this process was started for
    Endpoint local;   // and our end of it, when known
    Endpoint listen;  // the last inet address it bound
  };
  std::unique_ptr<Network> network;
  // The children it started with no accepted connection to hand them (the accept may come later:
  // events out of order), at most 8, oldest first. Every parent of a child has some, so they are
  // kept here, not in Network (456 bytes, which a shell forking commands would otherwise carry).
  std::vector<int32_t> awaiting_peer;
  Network& net() {
    if (!network) network = std::make_unique<Network>();
    return *network;
  }
  const Endpoint& peer() const { return network ? network->peer : kNoEnd; }
  const Endpoint& local() const { return network ? network->local : kNoEnd; }
  const Endpoint& listen() const { return network ? network->listen : kNoEnd; }
  static constexpr Endpoint kNoEnd{};
  // Inode of its network namespace (/proc/PID/ns/net) when ProcessTableOptions::track_netns; 0:
  // unknown. Read when the image is made by an exec, a first sighting or /proc; a fork takes its
  // parent's (as the kernel does), and so does a process already gone from /proc.
  uint64_t netns = 0;
  // Its container, pod and systemd unit (ProcessTableOptions::track_cgroups), shared by every
  // image in the same cgroup as its parent (immutable); null: unknown or not tracked.
  std::shared_ptr<const CgroupIdentity> cgroup;
  // Its program's file and SHA-256 (ProcessTableOptions::hasher): made for an exec, a first
  // sighting or /proc, copied to the forks that run the same program; null when not hashed.
  struct ExeHash {
    FileKey key;
    HashState state = HashState::kNone;
    std::string sha256;  // hex, when kKnown
  };
  std::unique_ptr<ExeHash> exe_hash;
  // Its labels (enrich/process_labels.h): bit i is the labeler's names()[i]. Kept across exec,
  // inherited by the processes it starts; 0 without labels.
  uint64_t labels = 0;
  // Of those, the ones this process gained itself after it started (by an exec, or an event with
  // a rule key), each with the time of the event that gave it: a child that had already started
  // then does not inherit it (ProcessTable). Empty, and nothing allocated, unless a [[labels]]
  // table matched this process at one of its execs or events.
  struct GainedLabel {
    uint64_t bits = 0;
    uint64_t ms = 0;
  };
  std::vector<GainedLabel> gained_labels;

  std::string_view parent_entity() const {
    return parent ? parent->entity_id.view() : std::string_view();
  }
  // The snapshot its children keep (made on the first child, remade when the program changes).
  std::shared_ptr<const ParentSnapshot> as_parent;
};

}  // namespace auditlens
