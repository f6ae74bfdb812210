// The conditions of one [[filters]] table (docs/filters.md), compiled, and the event as they read
// it. A table matches an event when every condition it gives matches (AND); a condition given a
// list matches when any item does (OR):
//   key        one of the event's rule keys, exactly
//   syscall    the SYSCALL record's syscall by name ("openat"); arch-aware
//   exe, comm  the subject's executable path and command name: exact, or a glob with * ? [...]
//   uid, auid  the subject's uid or login uid: numbers, or user names (looked up at start)
//   user       a user (name or number) who is the subject's uid or auid
//   path       a PATH record's name (a relative one joined to the CWD record's directory) under
//              a prefix: the prefix itself or below it at a '/' ("/var/lib" holds "/var/lib/x",
//              not "/var/library"; "/tmp/" holds everything starting "/tmp/")
//   peer       the remote end of a network event in a network (filter/cidr.h)
//   port       the remote end's port: a number or a range "8000-8099"
//   container  the process's container: its id (64 hex, or a prefix of at least 12), or its
//              name (lxc, nspawn; or the runtime's name when the container details know it)
//   service    the process's systemd unit ("cron.service"), exact or glob
//   label      a label the process has (enrich/process_labels.h)
// An event lacking what a condition reads (no network, no process known, no PATH) does not
// match it. container, service need enrich.containers; label needs [[labels]].
//
// Contract: Compile is given a table's entries (except name and action, which filter_set.h reads)
// and fails with "FILE:LINE: reason" for an unknown key or a value that does not parse. EventView
// decodes what a condition needs once per event, whichever tables read it; matching allocates
// nothing once its buffers are warm.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "enrich/event_facts.h"
#include "enrich/process_labels.h"
#include "filter/cidr.h"

namespace auditlens {

// One event as the conditions read it: each value decoded on first use.
class EventView {
 public:
  void Reset(const EventFacts& facts);
  const EventFacts& facts() const { return *facts_; }
  // Decoded rule keys, 0x01 between several; empty when none.
  std::string_view keys();
  std::string_view exe();
  std::string_view comm();
  std::string_view syscall();  // empty without a SYSCALL record or a name for it
  bool uid(uint32_t* out);
  bool auid(uint32_t* out);
  // Each PATH record's name, made absolute when the CWD record allows, in record order: the first
  // path_count() entries (the vector keeps earlier events' strings past them, for reuse).
  const std::vector<std::string>& paths();
  size_t path_count() const { return paths_count_; }

 private:
  std::string_view Decoded(const char* field, std::string* storage, std::string_view* view,
                           bool* done);
  bool Id(const char* field, uint32_t* out, int* state);

  const EventFacts* facts_ = nullptr;
  std::string keys_, exe_, comm_;
  std::string_view keys_view_, exe_view_, comm_view_;
  bool keys_done_ = false, exe_done_ = false, comm_done_ = false;
  std::string_view syscall_;
  bool syscall_done_ = false;
  std::vector<std::string> paths_;  // entries reused; paths_count_ of them are this event's
  size_t paths_count_ = 0;
  bool paths_done_ = false;
  std::string cwd_, name_;
  uint32_t uid_ = 0, auid_ = 0;
  int uid_state_ = 0, auid_state_ = 0;  // 0 not read yet, 1 read, 2 absent
};

class EventMatch {
 public:
  // label_bits: the labeler's names (null: no [[labels]], so a label condition is an error).
  bool Compile(const ConfigTable& table, const ProcessLabeler* labeler, std::string* error);
  bool Matches(EventView& event);
  // It reads the process's cgroup (container, service): needs enrich.containers.
  bool reads_cgroup() const { return !containers_.empty() || !services_.empty(); }

 private:
  struct PortRange {
    uint16_t first = 0, last = 0;
  };
  bool CompileEntry(const ConfigTable::Entry& e, const ProcessLabeler* labeler, std::string* why);

  std::vector<std::string> keys_, syscalls_, paths_, containers_;
  std::vector<Glob> exes_, comms_, services_;
  std::vector<uint32_t> uids_, auids_, users_;
  std::vector<Cidr> peers_;
  std::vector<PortRange> ports_;
  uint64_t labels_ = 0;  // any of these bits
  bool has_labels_ = false;
  std::string scratch_;
};

}  // namespace auditlens
