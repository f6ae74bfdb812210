// bench_floor: the floor consumer of the showdown. It registers as the audit daemon, receives every
// record and throws it away, counting records by kind. Whatever a real consumer spends above this is
// the price of what it does with the records; the floor is what receiving alone costs on this kernel.
//
//   bench_floor [--rcvbuf BYTES] [--batch N] [--work-ns NS]
//
// --work-ns NS spends NS of user CPU per record received, after each batch: a stand-in for a
// consumer that does something with its records, to measure what receiving costs a consumer that
// is slower than the stream (it reads a socket with a backlog) instead of one that keeps up.
//
// Runs until SIGTERM/SIGINT/SIGHUP, then drains what is queued, unregisters, and prints one line:
//   records=R syscall=S eoe=E user=U other=O datagrams=D batches=B enobufs=N
// (syscall: SYSCALL records, i.e. syscall events; user: user-space messages such as `auditctl -m`.)
// SIGUSR1 prints the same line, prefixed `snapshot `, without stopping: the harness counts a storm's
// events as the difference of two snapshots, and knows the floor has drained when the `auditctl -m`
// marker sent after the storm shows in `user`. Counting by snapshot keeps the hot loop free of any
// look at the payload.
//
// Two builds of the same program: by default a minimal netlink receive of its own (blocking
// recvmmsg with MSG_WAITFORONE, one syscall per batch: the cheapest receive there is); with
// BENCH_FLOOR_CORE it receives through auditlens's own AuditNetlink (poll + ReceiveBatch), so the
// floor and the agent share the receive code.
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#ifdef BENCH_FLOOR_CORE
#include "netlink/audit_netlink.h"
#endif

namespace {

volatile sig_atomic_t g_stop = 0;
volatile sig_atomic_t g_snapshot = 0;
long g_work_ns = 0;

// Busy for ns nanoseconds (CLOCK_MONOTONIC: read in user space, so the wait is user CPU).
void Work(long ns) {
  if (ns <= 0) return;
  timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  do {
    clock_gettime(CLOCK_MONOTONIC, &t);
  } while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < ns);
}
void OnSignal(int sig) {
  if (sig == SIGUSR1) {
    g_snapshot = 1;
  } else {
    g_stop = 1;
  }
}

struct Counts {
  uint64_t records = 0, syscall = 0, eoe = 0, user = 0, other = 0;
  uint64_t datagrams = 0, batches = 0, enobufs = 0;

  void Add(uint16_t type) {
    records++;
    if (type == AUDIT_SYSCALL) {
      syscall++;
    } else if (type == AUDIT_EOE) {
      eoe++;
    } else if (type == AUDIT_USER || (type >= AUDIT_FIRST_USER_MSG && type <= AUDIT_LAST_USER_MSG) ||
               (type >= AUDIT_FIRST_USER_MSG2 && type <= AUDIT_LAST_USER_MSG2)) {
      user++;
    } else {
      other++;
    }
  }
  void Print(const char* prefix = "") const {
    std::printf("%srecords=%llu syscall=%llu eoe=%llu user=%llu other=%llu datagrams=%llu batches=%llu "
                "enobufs=%llu\n",
                prefix, (unsigned long long)records, (unsigned long long)syscall, (unsigned long long)eoe,
                (unsigned long long)user, (unsigned long long)other, (unsigned long long)datagrams,
                (unsigned long long)batches, (unsigned long long)enobufs);
    std::fflush(stdout);
  }
};

#ifndef BENCH_FLOOR_CORE

// Room for the largest audit record (MAX_AUDIT_MESSAGE_LENGTH 8970) plus its netlink header.
constexpr size_t kDatagramBytes = 9216;

class Receiver {
 public:
  bool Open(int rcvbuf, int batch) {
    fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
    if (fd_ < 0) return Fail("socket");
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0 &&
        setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0)
      return Fail("SO_RCVBUF");
    // Wake up now and then when idle so a stop request is seen even if its signal raced the
    // blocking receive; costs nothing while records flow.
    timeval tv{0, 100 * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) < 0) return Fail("bind");
    buffers_.resize(static_cast<size_t>(batch) * kDatagramBytes);
    iov_.resize(batch);
    msgs_.resize(batch);
    for (int i = 0; i < batch; i++) {
      iov_[i] = {buffers_.data() + static_cast<size_t>(i) * kDatagramBytes, kDatagramBytes};
      msgs_[i] = {};
      msgs_[i].msg_hdr.msg_iov = &iov_[i];
      msgs_[i].msg_hdr.msg_iovlen = 1;
    }
    return true;
  }

  // AUDIT_SET of the daemon pid; pid 0 unregisters.
  bool SetPid(uint32_t pid, Counts& counts) {
    struct {
      nlmsghdr nlh;
      audit_status status;
    } req{};
    req.nlh.nlmsg_len = sizeof req;
    req.nlh.nlmsg_type = AUDIT_SET;
    req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    req.nlh.nlmsg_seq = ++seq_;
    req.status.mask = AUDIT_STATUS_PID;
    req.status.pid = pid;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (sendto(fd_, &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
      return Fail("send AUDIT_SET");
    // Records may arrive before the ack once registered: count them, wait for our ack (2 s cap).
    for (int idle = 0; idle < 20;) {
      ssize_t n = recv(fd_, buffers_.data(), kDatagramBytes, 0);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          idle++;
          continue;
        }
        if (errno == EINTR || errno == ENOBUFS) continue;
        return Fail("recv ack");
      }
      auto* nlh = reinterpret_cast<nlmsghdr*>(buffers_.data());
      if (n >= static_cast<ssize_t>(sizeof(nlmsghdr)) && nlh->nlmsg_type == NLMSG_ERROR &&
          nlh->nlmsg_seq == seq_) {
        int err = -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(nlh))->error;
        if (err != 0) {
          errno = err;
          return Fail(pid ? "register (another audit daemon is running?)" : "unregister");
        }
        return true;
      }
      if (n >= static_cast<ssize_t>(sizeof(nlmsghdr)) && nlh->nlmsg_type != NLMSG_ERROR &&
          nlh->nlmsg_type != NLMSG_DONE) {
        counts.datagrams++;
        counts.Add(nlh->nlmsg_type);
      }
    }
    errno = ETIMEDOUT;
    return Fail("no ack to AUDIT_SET");
  }

  // One batch: blocks until at least one datagram (or the receive timeout), then takes whatever else
  // is queued up to the batch size. Returns false on a fatal error.
  bool Receive(Counts& counts, bool block) {
    int n = recvmmsg(fd_, msgs_.data(), msgs_.size(), block ? MSG_WAITFORONE : MSG_DONTWAIT, nullptr);
    if (n < 0) {
      if (errno == ENOBUFS) {
        counts.enobufs++;
        return true;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        drained_ = true;
        return true;
      }
      return Fail("recvmmsg");
    }
    drained_ = n < static_cast<int>(msgs_.size()) && !block;
    counts.batches++;
    for (int i = 0; i < n; i++) {
      counts.datagrams++;
      // The kernel sends one record per datagram. Only the type is read: in unicast messages
      // nlmsg_len is the payload length, so walking with NLMSG_NEXT would be wrong anyway.
      if (msgs_[i].msg_len >= sizeof(nlmsghdr)) {
        auto* nlh = static_cast<nlmsghdr*>(iov_[i].iov_base);
        if (nlh->nlmsg_type != NLMSG_ERROR && nlh->nlmsg_type != NLMSG_DONE) counts.Add(nlh->nlmsg_type);
      }
    }
    Work(g_work_ns * n);
    return true;
  }
  bool drained() const { return drained_; }

 private:
  bool Fail(const char* what) {
    std::fprintf(stderr, "bench_floor: %s: %s\n", what, std::strerror(errno));
    return false;
  }
  int fd_ = -1;
  uint32_t seq_ = 0;
  bool drained_ = false;
  std::vector<char> buffers_;
  std::vector<iovec> iov_;
  std::vector<mmsghdr> msgs_;
};

int Run(int rcvbuf, int batch) {
  Counts counts;
  Receiver rx;
  if (!rx.Open(rcvbuf, batch) || !rx.SetPid(getpid(), counts)) return 1;
  std::fprintf(stderr, "bench_floor: registered as audit daemon, pid %d\n", getpid());
  while (!g_stop) {
    if (!rx.Receive(counts, true)) return 1;
    if (g_snapshot) {
      g_snapshot = 0;
      counts.Print("snapshot ");
    }
  }
  // Take what is already queued, then unregister (records racing the unregistration are counted
  // while waiting for its ack).
  do {
    if (!rx.Receive(counts, false)) return 1;
  } while (!rx.drained());
  bool ok = rx.SetPid(0, counts);
  counts.Print();
  return ok ? 0 : 1;
}

#else  // BENCH_FLOOR_CORE

class CountingHandler : public auditlens::RecordHandler {
 public:
  explicit CountingHandler(Counts& counts) : counts_(counts) {}
  void OnRecord(uint16_t type, std::string_view) override { counts_.Add(type); }

 private:
  Counts& counts_;
};

int Run(int rcvbuf, int batch) {
  (void)batch;  // AuditNetlink chooses its own batch size
  Counts counts;
  CountingHandler handler(counts);
  std::string error;
  auto nl = auditlens::AuditNetlink::Open(auditlens::AuditNetlink::Mode::kUnicast,
                                          static_cast<uint32_t>(rcvbuf), &error);
  if (!nl || !nl->RegisterDaemon(&error)) {
    std::fprintf(stderr, "bench_floor: %s\n", error.c_str());
    return 1;
  }
  std::fprintf(stderr, "bench_floor: registered as audit daemon (AuditNetlink), pid %d\n", getpid());
  pollfd pfd{nl->fd(), POLLIN, 0};
  int rc = 0;
  while (!g_stop) {
    // 100 ms timeout: a stop signal racing the poll is seen soon anyway.
    if (poll(&pfd, 1, 100) < 0 && errno != EINTR) break;
    // ReceiveBatch reads until the socket is drained (a short recvmmsg): once per wake-up.
    int n = nl->ReceiveBatch(handler, &error);
    if (n > 0) {
      counts.batches++;
      Work(g_work_ns * n);
    }
    if (g_snapshot) {
      g_snapshot = 0;
      counts.datagrams = nl->datagrams();
      counts.enobufs = nl->enobufs();
      counts.Print("snapshot ");
    }
    if (n < 0) {
      std::fprintf(stderr, "bench_floor: %s\n", error.c_str());
      rc = 1;
      break;
    }
  }
  while (nl->ReceiveBatch(handler, &error) > 0) counts.batches++;
  if (!nl->UnregisterDaemon(&error)) {
    std::fprintf(stderr, "bench_floor: %s\n", error.c_str());
    rc = 1;
  }
  counts.datagrams = nl->datagrams();
  counts.enobufs = nl->enobufs();
  counts.Print();
  return rc;
}

#endif  // BENCH_FLOOR_CORE

}  // namespace

int main(int argc, char** argv) {
  int rcvbuf = 16 << 20;
  int batch = 64;
  for (int i = 1; i < argc; i++) {
    std::string arg = argv[i];
    if (arg == "--rcvbuf" && i + 1 < argc) {
      rcvbuf = std::atoi(argv[++i]);
    } else if (arg == "--batch" && i + 1 < argc) {
      batch = std::atoi(argv[++i]);
    } else if (arg == "--work-ns" && i + 1 < argc) {
      g_work_ns = std::atol(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: bench_floor [--rcvbuf BYTES] [--batch N] [--work-ns NS]\n");
      return 2;
    }
  }
  if (rcvbuf <= 0 || batch <= 0 || batch > 1024) {
    std::fprintf(stderr, "bench_floor: bad --rcvbuf or --batch\n");
    return 2;
  }
  // No SA_RESTART: a signal interrupts the blocking receive (EINTR) so the loop sees g_stop at once.
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaction(sig, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return Run(rcvbuf, batch);
}
