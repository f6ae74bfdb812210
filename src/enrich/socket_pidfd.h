// The pidfd method of socket lookup (see socket_lookup.h): pidfd_getfd duplicates the process's
// descriptor, the socket answers getsockname/getpeername/getsockopt, the duplicate is closed.
//
// Per lookup: pidfd_getfd, getsockname, getsockopt(SO_PROTOCOL or SO_TYPE), getpeername, for a
// connection-oriented inet socket getsockopt(SO_LINGER), close — 6 syscalls; with a cached answer
// (may_use_cache) pidfd_getfd, fstat, [SO_LINGER,] close. pidfds are kept per process (64, least
// recently used replaced): a pidfd names one process for good, so a reused pid is never confused
// with the process that made the syscall.
//
// Closing the duplicate may release the socket (when the process closed its own descriptor in
// between): that close runs the socket's release as the process's own close would have; if the
// socket lingers with a timeout (SO_LINGER), that release may wait for the peer, so such a
// duplicate is handed to a helper thread that closes it.
#pragma once

#include <sys/types.h>

#include <array>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "enrich/socket_cache.h"
#include "enrich/socket_lookup.h"

namespace auditlens {

// Closes descriptors on its own thread (started on first use); Close never blocks the caller
// (when its queue of 256 is full, which would take 256 lingering sockets in flight, it closes
// inline).
class DeferredCloser {
 public:
  DeferredCloser() = default;
  ~DeferredCloser();
  void Close(int fd);
  uint64_t deferred() const { return deferred_; }

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int> queue_;
  bool stop_ = false;
  std::thread thread_;
  uint64_t deferred_ = 0;
};

class PidfdSocketLookup : public SocketLookup {
 public:
  explicit PidfdSocketLookup(SocketCache* cache);
  ~PidfdSocketLookup() override;
  LookupStatus Lookup(const LookupRequest& request, SocketInfo* out) override;
  std::string_view method() const override { return "pidfd"; }

 private:
  struct PidSlot {
    int32_t pid = 0;
    int pidfd = -1;
    uint64_t used = 0;
  };
  // The cached pidfd of pid, or a new one (*fresh); -1 with errno set when the kernel refuses.
  int PidfdOf(int32_t pid, bool* fresh);
  void Forget(int32_t pid);
  LookupStatus Inspect(int fd, const LookupRequest& request, SocketInfo* out);
  void CloseDuplicate(int fd, const SocketInfo& info);

  SocketCache* cache_;
  std::array<PidSlot, 64> pids_{};
  size_t last_slot_ = 0;
  uint64_t clock_ = 0;
  DeferredCloser closer_;
};

}  // namespace auditlens
