#include "enrich/socket_cache.h"

namespace auditlens {
namespace {

size_t SlotOf(uint64_t inode) {
  // Inodes of one process's sockets are near-consecutive: spread them with a multiplicative hash.
  return static_cast<size_t>((inode * 0x9E3779B97F4A7C15ull) >> 54) & (SocketCache::kSlots - 1);
}

}  // namespace

SocketCache::SocketCache() : slots_(new SocketInfo[kSlots]) {}

const SocketInfo* SocketCache::Find(uint64_t inode) const {
  if (inode == 0) return nullptr;
  const SocketInfo& s = slots_[SlotOf(inode)];
  if (s.inode != inode) return nullptr;
  ++hits_;
  return &s;
}

void SocketCache::Insert(const SocketInfo& info) {
  if (info.inode == 0) return;
  slots_[SlotOf(info.inode)] = info;
}

}  // namespace auditlens
