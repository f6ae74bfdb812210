// The store's observer on the pipeline thread: turns each event's typed facts (enrich/event_facts.h:
// the records, the process table's image, the session, the network ends) into rows for the store
// (rows.h): one event row per
// event (compact: time, serial, session, process, kind, outcome; in a login session also a small
// JSON `detail` for the kinds a timeline shows), a process row for every image of a session process
// created or ended, a session row for every session created or changed. Outside sessions (daemons)
// only the compact row: timelines never read more of them. An event the [[filters]] dropped
// (OnDropped) gets no row, but its process and session rows are written as for any event: a kept
// program stays under the command its dropped parent ran under, and a session a dropped login
// event opened is still there.
//
// Containers are browsed like sessions (`auditlens containers`, `timeline --container`): a process
// inside a container (its cgroup names one: ProcessImage::cgroup, runtime not kNone) gets its
// process rows, and its exec, exit, network, bind, file and privilege events their detailed rows,
// in a login session or not. A container row (RowType::kContainer) is pushed when the recorder
// first sees a container id, when the runtime's details (EventFacts::container) arrive or change,
// and with the container's last activity at most every kContainerSeenEveryMs of event time. The
// memo of containers is capped at kMaxContainers, the least recently active evicted first (an
// evicted container seen again is pushed again: the store merges it). An event outside containers
// costs the recorder one more pointer test. A process row is pushed again when its program's hash
// becomes final after the row was written (the process table reports it as changed).
//
// What makes an event kind (docs/store.md): execve → exec (args, cwd; a failed execve only when the
// error is not ENOENT, which is the PATH search of execvp); exit_group → exit (status); connect or
// accept on an IPv4/IPv6 socket → network (remote end from SOCKADDR; local end, transport and
// Community ID from the network facts when known; typed columns for the fleet too); bind → bind;
// file-changing syscalls and opens for writing → file; su/sudo PAM records inside a session, USER_CMD,
// and a set*id call that changed the ids of a process other than the login service → privilege;
// LOGIN/USER_START/USER_LOGIN → login; USER_AUTH/USER_ACCT/CRED_ACQ → auth; USER_END/USER_LOGOUT/
// CRED_DISP → logout; the rest → other (no detail).
//
// Contract: never blocks (a full ring drops the row; the ring counts it); per event a few lookups
// and one row; allocation-free once warm except for rare kinds (privilege names) and a container
// seen for the first time (its memo entry). WriteAll also writes the rows of the containers of the
// processes known then.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "decode/sockaddr.h"
#include "enrich/process_table.h"
#include "enrich/session_tracker.h"
#include "output/event_observer.h"
#include "store/rows.h"

namespace auditlens {

struct RecorderOptions {
  // Also index events outside any login session (daemons: compact rows without detail, which no
  // command reads). Off (the default): only the rows of login sessions.
  bool index_all_events = false;
  // Host scoping (filter/netns_scope.h): WriteAll writes only the processes of this network
  // namespace and the sessions whose login process is in it; 0: all. (Events out of scope never
  // reach the recorder: the pipeline's filter refuses them.)
  uint64_t netns = 0;
  // The names of ProcessImage::labels' bits (enrich/process_labels.h ProcessLabeler::names()): a
  // labelled process is recorded with its labels and its events, as a container's are, in a login
  // session or not. Null: no labels. Not owned.
  const std::vector<std::string>* label_names = nullptr;
};

class Recorder : public EventObserver {
 public:
  static constexpr size_t kMaxContainers = 4096;
  static constexpr uint64_t kContainerSeenEveryMs = 10000;

  Recorder(ProcessTable* table, SessionTracker* sessions, RowSink* sink,
           RecorderOptions options = {});

  // Without a sink (null) the recorder does nothing.
  void set_sink(RowSink* sink) { sink_ = sink; }
  void OnEvent(const EventFacts& facts, std::string_view json_line) override;
  void OnDropped(const EventFacts& facts) override;
  // Rows for every process image and session known now (after seeding from /proc).
  void WriteAll();
  uint64_t rows() const { return rows_; }
  size_t containers_remembered() const { return containers_.size(); }

 private:
  // The rows of the process images and sessions the event created, ended or changed.
  void PushChanged();
  EventKind Classify(const ParsedEvent& e, bool in_session, Outcome* outcome, bool* with_detail);
  bool InScope(const ProcessImage& p) const { return options_.netns == 0 || p.netns == options_.netns; }
  void PushProcess(const ProcessImage& p);
  void PushSession(const SessionInfo& s);
  // The container row of the event's process when it is new, its details changed, or its last
  // push is kContainerSeenEveryMs old.
  void NoteContainer(const CgroupIdentity& cgroup, uint64_t time_ms);
  void PushContainer(const CgroupIdentity& cgroup, const ContainerDetails* details,
                     uint64_t first_ms, uint64_t last_ms);
  // Its process rows are written: in a login session, in a container, or labelled.
  static bool Recorded(const ProcessImage& p) {
    return p.ses != kUnsetId || (p.cgroup && p.cgroup->runtime != ContainerRuntime::kNone) ||
           p.labels != 0;
  }
  void AppendSessionId(uint32_t ses, std::string& out);
  void WriteDetail(EventKind kind, const ParsedEvent& e, std::string& out);
  void WriteExecDetail(const ParsedEvent& e, std::string& out);
  // The detail of a network or bind event, then (network) its typed connection columns.
  void WriteNetworkDetail(Row* row);
  void WriteFileDetail(const ParsedEvent& e, std::string& out);
  void WritePrivilegeDetail(const ParsedEvent& e, std::string& out);
  void WriteUserMessageDetail(const ParsedEvent& e, std::string& out);

  // The event being recorded (OnEvent).
  const EventSubject& Subject() const {
    static const EventSubject kNone;
    return facts_->subject != nullptr ? *facts_->subject : kNone;
  }
  const SessionEventInfo& SessionEvent() const {
    static const SessionEventInfo kNone;
    return facts_->session_event != nullptr ? *facts_->session_event : kNone;
  }

  ProcessTable* table_;
  SessionTracker* sessions_;
  const EventFacts* facts_ = nullptr;
  RowSink* sink_;
  RecorderOptions options_;
  uint64_t rows_ = 0;
  std::string scratch_, scratch2_;
  // The event's SOCKADDR (ParsedEvent::DecodeSockAddrOnce), when Classify decoded it.
  const SockAddr* sa_ = nullptr;
  // The containers seen (by id), at most kMaxContainers.
  struct ContainerMemo {
    uint64_t first_ms = 0;
    uint64_t pushed_ms = 0;  // event time of the last row pushed
    uint64_t seen_ms = 0;    // event time of its last event (for eviction)
    // The details last pushed (kept, so that the address names them alone).
    std::shared_ptr<const ContainerDetails> details;
  };
  std::unordered_map<std::string, ContainerMemo> containers_;
  // The cgroup of the last container event and its memo (kept alive, so that the pointer names it):
  // a busy container's events find it without hashing its id.
  std::shared_ptr<const CgroupIdentity> last_cgroup_;
  ContainerMemo* last_memo_ = nullptr;
};

}  // namespace auditlens
