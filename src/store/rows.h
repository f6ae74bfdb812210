// What the pipeline thread hands to the store: compact rows (numbers and a few strings packed in
// one buffer) through a bounded single-producer/single-consumer ring. By default the producer
// never waits: when the ring is full the row is dropped and counted (the agent reports the count
// as a loss event of cause "store-full"). That is the live agent's mode: the kernel must never
// wait for SQLite.
// When the input is a file (bench_replay, and importing logs), set_blocking(true): Begin() on a
// full ring wakes the consumer and waits until a quarter of the ring is free again, so the reader
// goes at the writer's pace and nothing is dropped. Never for the live agent.
//
// Contract: Begin() returns a slot (or null when full), the producer fills it (Reset first) and
// Commit()s it; only then may the consumer see it. Slots are reused with their buffers' capacity,
// so a steady stream allocates nothing. One producer thread, one consumer thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <limits>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace auditlens {

enum class RowType : uint8_t { kEvent, kProcess, kSession, kContainer };

// What an event is to the timeline (the events.kind column).
enum class EventKind : uint8_t {
  kOther,      // everything else: kept as a compact index row (time, serial, session, process)
  kExec,       // a program started (or failed to)
  kExit,       // a process ended (exit_group), with its status
  kNetwork,    // connect / accept of an IPv4/IPv6 socket
  kBind,       // a socket bound to an IPv4/IPv6 port
  kFile,       // a file created, deleted, renamed, written or its attributes changed
  kPrivilege,  // su / sudo / a process changing its user id
  kLogin,      // LOGIN, USER_START, USER_LOGIN
  kAuth,       // USER_AUTH, USER_ACCT, CRED_ACQ, CRED_REFR
  kLogout,     // USER_END, USER_LOGOUT, CRED_DISP
};
std::string_view EventKindName(EventKind k);
enum class Outcome : uint8_t { kUnknown, kSuccess, kFailure };
std::string_view OutcomeName(Outcome o);

// Numbers of each row type, by index. kNull is SQL NULL.
namespace col {
constexpr int64_t kNull = std::numeric_limits<int64_t>::min();
// kEvent
enum EventNum { kTime, kSerial, kPid, kUid, kKind, kOutcome, kLocalPort, kRemotePort, kEventNums };
enum EventStr {
  kSessionId, kEntityId, kAction, kRole, kDetail,
  // A connect or accept of an IPv4/IPv6 socket in a session (kind network) also has these, typed
  // (the fleet's connections table); other rows end at kDetail.
  kNetOp, kTransport, kLocalIp, kRemoteIp, kCommunityId, kNetError,
  kEventStrs
};
// kProcess
enum ProcessNum {
  kPPid = 0, kProcPid, kProcUid, kEuid, kAuid, kSes, kStart, kExitTime, kExitCode, kOrigin,
  kArgsTruncated, kSeen, kProcessNums
};
enum ProcessStr {
  kEntity = 0, kParentEntity, kPreviousEntity, kExe, kArgs, kCwd, kProcSessionId, kProcRole,
  // Schema version 4 (last: writers read a missing one as NULL): the container the process ran in
  // (its id and runtime, from its cgroup), its systemd unit, its program's SHA-256 when known.
  kProcContainerId, kProcContainerRuntime, kProcService, kProcExeSha256,
  // Schema version 7: the process's labels ([[labels]], enrich/process_labels.h), their names
  // separated by spaces; empty without. The SQLite store only (the fleet's COPY leaves it out).
  kProcLabels,
  kProcessStrs
};
// kSession
enum SessionNum {
  kSessionSes = 0, kSessionAuid, kSourcePort, kDestPort, kLoginPid, kSessionStart, kSessionEnd,
  kLastSeen, kFailures, kFromProc, kSessionNums
};
enum SessionStr {
  kId = 0, kUser, kService, kSourceIp, kDestIp, kHostname, kTerminal, kTty, kLeader, kState,
  kSessionCommunityId,  // of the login's TCP connection (last: writers read a missing one as NULL)
  kSessionStrs
};
// kContainer: a container the recorder saw a process in (its first sighting, its runtime's details
// when they arrive or change, and its last activity at most every kContainerSeenEveryMs).
enum ContainerNum { kContFirstSeen = 0, kContLastSeen, kContainerNums };
enum ContainerStr {
  kContId = 0, kContRuntime, kContName, kContImage, kContPodName, kContPodNamespace, kContPodUid,
  kContainerStrs
};
}  // namespace col

struct Row {
  static constexpr int kMaxNums = 12;
  static constexpr int kMaxStrs = 13;

  RowType type = RowType::kEvent;
  int64_t num[kMaxNums];
  uint32_t str_end[kMaxStrs];
  uint8_t str_count = 0;
  std::string blob;

  void Reset(RowType t) {
    type = t;
    for (int64_t& n : num) n = col::kNull;
    str_count = 0;
    blob.clear();
  }
  // Strings are added in index order; an empty string is SQL NULL.
  void AddStr(std::string_view s) {
    blob.append(s.data(), s.size());
    str_end[str_count++] = static_cast<uint32_t>(blob.size());
  }
  // To write the next string in place: append to the returned buffer, then CloseStr().
  std::string& OpenStr() { return blob; }
  void CloseStr() { str_end[str_count++] = static_cast<uint32_t>(blob.size()); }
  static_assert(col::kSessionStrs <= kMaxStrs && col::kProcessStrs <= kMaxStrs &&
                col::kEventStrs <= kMaxStrs && col::kContainerStrs <= kMaxStrs &&
                col::kEventNums <= kMaxNums && col::kContainerNums <= kMaxNums);
  std::string_view Str(int i) const {
    if (i >= str_count) return {};
    uint32_t begin = i == 0 ? 0 : str_end[i - 1];
    return std::string_view(blob.data() + begin, str_end[i] - begin);
  }
};

class RowSink {
 public:
  virtual ~RowSink() = default;
  // A slot to fill, or null when there is no room (the row is then counted as dropped).
  virtual Row* Begin() = 0;
  virtual void Commit() = 0;
};

class RowQueue : public RowSink {
 public:
  explicit RowQueue(size_t capacity);  // rounded up to a power of two

  // File input only (see the top): a full ring makes Begin() wait instead of dropping. Set before
  // the producer starts.
  void set_blocking(bool blocking) { blocking_ = blocking; }
  bool blocking() const { return blocking_; }

  // Producer.
  Row* Begin() override;
  void Commit() override;
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  uint64_t committed() const { return tail_.load(std::memory_order_relaxed); }
  // Times a blocking Begin() found the ring full and waited.
  uint64_t waits() const { return waits_.load(std::memory_order_relaxed); }

  // Consumer.
  size_t Available() const {
    return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_relaxed);
  }
  Row& Front() { return slots_[head_.load(std::memory_order_relaxed) & mask_]; }
  // The i-th available row after Front() (i < Available()).
  Row& At(size_t i) { return slots_[(head_.load(std::memory_order_relaxed) + i) & mask_]; }
  void Pop();
  // Waits up to timeout_ms, or until the ring is half full, or Wake().
  void Wait(uint32_t timeout_ms);
  void Wake();
  size_t capacity() const { return slots_.size(); }

 private:
  void WaitForRoom(uint64_t tail);

  std::vector<Row> slots_;
  size_t mask_;
  bool blocking_ = false;
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> waits_{0};
  std::mutex mutex_;
  std::condition_variable cv_;
  bool woken_ = false;
  // Blocking mode: the producer waiting for room (set under room_mutex_, read by Pop).
  alignas(64) std::atomic<bool> producer_waiting_{false};
  std::mutex room_mutex_;
  std::condition_variable room_cv_;
};

}  // namespace auditlens
