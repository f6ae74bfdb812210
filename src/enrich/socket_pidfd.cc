#include "enrich/socket_pidfd.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace auditlens {
namespace {

int PidfdOpen(int32_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

int PidfdGetfd(int pidfd, int fd) {
  return static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, fd, 0));
}

// A pidfd polls readable once its process has exited.
bool Exited(int pidfd) {
  pollfd p{pidfd, POLLIN, 0};
  return poll(&p, 1, 0) == 1;
}

}  // namespace

DeferredCloser::~DeferredCloser() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  for (int fd : queue_) close(fd);
}

void DeferredCloser::Close(int fd) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) {
      queue_.reserve(256);
      thread_ = std::thread([this] { Run(); });
    }
    if (queue_.size() < 256) {
      queue_.push_back(fd);
      fd = -1;
      ++deferred_;
    }
  }
  if (fd >= 0) {
    close(fd);
    return;
  }
  cv_.notify_one();
}

void DeferredCloser::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty() && stop_) return;
    int fd = queue_.back();
    queue_.pop_back();
    lock.unlock();
    close(fd);  // may wait for the socket's linger time: that is why it is here
    lock.lock();
  }
}

PidfdSocketLookup::PidfdSocketLookup(SocketCache* cache) : cache_(cache) {}

PidfdSocketLookup::~PidfdSocketLookup() {
  for (PidSlot& s : pids_) {
    if (s.pidfd >= 0) close(s.pidfd);
  }
}

int PidfdSocketLookup::PidfdOf(int32_t pid, bool* fresh) {
  ++clock_;
  *fresh = false;
  if (pids_[last_slot_].pid == pid && pids_[last_slot_].pidfd >= 0) {
    pids_[last_slot_].used = clock_;
    return pids_[last_slot_].pidfd;
  }
  size_t victim = 0;
  for (size_t i = 0; i < pids_.size(); ++i) {
    if (pids_[i].pid == pid && pids_[i].pidfd >= 0) {
      pids_[i].used = clock_;
      last_slot_ = i;
      return pids_[i].pidfd;
    }
    if (pids_[i].used < pids_[victim].used) victim = i;
  }
  int pidfd = PidfdOpen(pid);
  if (pidfd < 0) return -1;
  *fresh = true;
  PidSlot& s = pids_[victim];
  if (s.pidfd >= 0) close(s.pidfd);
  s = {pid, pidfd, clock_};
  last_slot_ = victim;
  return pidfd;
}

void PidfdSocketLookup::Forget(int32_t pid) {
  for (PidSlot& s : pids_) {
    if (s.pid == pid && s.pidfd >= 0) {
      close(s.pidfd);
      s = PidSlot();
    }
  }
}

LookupStatus PidfdSocketLookup::Lookup(const LookupRequest& request, SocketInfo* out) {
  *out = SocketInfo();
  if (request.fd < 0 || request.pid <= 0) return LookupStatus::kFdClosed;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = false;
    int pidfd = PidfdOf(request.pid, &fresh);
    if (pidfd < 0) {
      return errno == ESRCH ? LookupStatus::kProcessExited : LookupStatus::kRefused;
    }
    int fd = PidfdGetfd(pidfd, request.fd);
    if (fd >= 0) return Inspect(fd, request, out);
    int err = errno;
    // EBADF: no such descriptor, or the process has exited (its table is gone); ESRCH: exited.
    bool exited = err == ESRCH || (err == EBADF && Exited(pidfd));
    if (!exited) {
      return err == EBADF ? LookupStatus::kFdClosed : LookupStatus::kRefused;
    }
    Forget(request.pid);
    // A cached pidfd may name an earlier process that had this pid: ask once with a new one.
    if (fresh) return LookupStatus::kProcessExited;
  }
  return LookupStatus::kProcessExited;
}

LookupStatus PidfdSocketLookup::Inspect(int fd, const LookupRequest& request, SocketInfo* out) {
  if (request.may_use_cache) {
    struct stat st;
    if (fstat(fd, &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) {
        close(fd);
        return LookupStatus::kNotSocket;
      }
      if (const SocketInfo* hit = cache_->Find(st.st_ino)) {
        *out = *hit;
        CloseDuplicate(fd, *out);
        return LookupStatus::kFound;
      }
      out->inode = st.st_ino;
    }
  }
  sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) {
    int err = errno;
    close(fd);  // not a socket: nothing lingers
    return err == ENOTSOCK ? LookupStatus::kNotSocket : LookupStatus::kRefused;
  }
  out->family = ss.ss_family;
  EndpointFromSockaddr(&ss, len, &out->local);
  int value = 0;
  socklen_t vlen = sizeof(value);
  if (out->family == AF_UNIX) {
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &vlen) == 0) out->type = value;
  } else if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &value, &vlen) == 0) {
    out->protocol = value;
    out->type = value == IPPROTO_UDP || value == IPPROTO_UDPLITE ? SOCK_DGRAM : SOCK_STREAM;
  }
  len = sizeof(ss);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    EndpointFromSockaddr(&ss, len, &out->peer);
  }
  if (out->family == AF_UNIX && out->type != SOCK_DGRAM) {
    ucred cred{};
    socklen_t clen = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0 && cred.pid > 0) {
      out->has_peer_cred = true;
      out->peer_pid = cred.pid;
      out->peer_uid = cred.uid;
      out->peer_gid = cred.gid;
    }
  }
  if (out->inode != 0) cache_->Insert(*out);
  CloseDuplicate(fd, *out);
  return LookupStatus::kFound;
}

void PidfdSocketLookup::CloseDuplicate(int fd, const SocketInfo& info) {
  // Only connection-oriented inet sockets (TCP, SCTP, MPTCP) wait in their release.
  bool may_linger = (info.family == AF_INET || info.family == AF_INET6) &&
                    info.protocol != IPPROTO_UDP && info.protocol != IPPROTO_UDPLITE;
  if (may_linger) {
    linger l{};
    socklen_t llen = sizeof(l);
    if (getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &llen) != 0 || (l.l_onoff && l.l_linger > 0)) {
      closer_.Close(fd);
      return;
    }
  }
  close(fd);
}

}  // namespace auditlens
