// What was found about sockets, by socket inode: a socket's ends do not change once it is connected
// or listening, so repeated events on one socket (sendto/recvmsg storms, listen after bind) need
// not ask the kernel again, and a sock_diag dump that returned many sockets answers the events of
// all of them.
//
// Contract: fixed size (kSlots entries, allocated once), direct-mapped by inode: a newer entry
// replaces whichever it collides with. Socket inode numbers are unique while the socket lives
// (the kernel's get_next_ino, 32-bit); an entry of a closed socket is only ever found again if
// its number is reused after ~4 billion pseudo-inodes, by which time it has long been replaced.
#pragma once

#include <cstdint>
#include <memory>

#include "enrich/socket_lookup.h"

namespace auditlens {

class SocketCache {
 public:
  static constexpr size_t kSlots = 1024;

  SocketCache();
  // The entry for this inode, or null.
  const SocketInfo* Find(uint64_t inode) const;
  void Insert(const SocketInfo& info);  // info.inode must be set (0 is ignored)
  uint64_t hits() const { return hits_; }

 private:
  std::unique_ptr<SocketInfo[]> slots_;
  mutable uint64_t hits_ = 0;
};

}  // namespace auditlens
