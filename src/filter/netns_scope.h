// Host scoping: an agent that reports one network namespace only (a test host or a container on a
// shared kernel; config `[agent] netns = "/run/netns/NAME"`, docs/configuration.md). The kernel's
// audit stream is one for the whole machine, and audit netlink multicast reaches only the initial
// network namespace, so every agent runs there and keeps the events of its namespace's processes.
//
// A process is in scope when the inode of its /proc/PID/ns/net is the configured namespace's
// inode. The process table reads that once per exec'd or newly seen image (ProcessImage::netns,
// with ProcessTableOptions::track_netns: one stat, 10-20 us on a busy machine); a fork, or a
// process already gone, takes its parent's; so per event this is one comparison. The one case that
// gets wrong: a program that entered another namespace itself (setns, then exec: `ip netns exec`,
// nsenter) and is gone from /proc before its exec event is read is placed in its parent's. Daemons
// started that way (an sshd) live long enough to be read. Events without a known process (no pid, or one the table could not
// place) are out of scope too: only what provably ran in the namespace is reported.
//
// Contract: Keep() runs on the pipeline thread after the enrichers (EventFacts::process is the
// event's image); it allocates nothing. Out-of-scope events go to neither the output nor the
// store; the pipeline counts them (PipelineCounters::out_of_scope, the status file's
// "out_of_scope_events").
#pragma once

#include <cstdint>
#include <string>

#include "enrich/enricher.h"
#include "enrich/process_table.h"

namespace auditlens {

// The inode of a network namespace file (/run/netns/NAME, /proc/PID/ns/net). False with a reason
// when it cannot be read or is not a namespace.
bool NetnsInode(const std::string& path, uint64_t* inode, std::string* error);

class NetnsScope : public EventFilter {
 public:
  explicit NetnsScope(uint64_t inode) : inode_(inode) {}

  bool Keep(const EventFacts& facts) override;
  bool Contains(const ProcessImage& image) const { return image.netns == inode_; }
  uint64_t inode() const { return inode_; }

 private:
  uint64_t inode_;
};

}  // namespace auditlens
