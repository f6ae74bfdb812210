#include "netlink/audit_netlink.h"

#include <libaudit.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>
#include <vector>

#include "netlink/netlink_datagram.h"

namespace auditlens {
namespace {

constexpr size_t kBatch = AuditNetlink::kDatagramsPerReceive;  // datagrams per recvmmsg call
constexpr size_t kMaxDatagramsPerBatch = 1024;  // per ReceiveBatch (the header's contract)
constexpr int kMaxRounds = kMaxDatagramsPerBatch / kBatch;  // recvmmsg calls per ReceiveBatch
static_assert(kMaxDatagramsPerBatch % kBatch == 0);
constexpr size_t kBufferBytes = NLMSG_HDRLEN + MAX_AUDIT_MESSAGE_LENGTH;
constexpr int kAckTimeoutMs = 2000;
constexpr size_t kMaxPending = 65536;         // records kept while waiting for an ACK

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

struct AuditNetlink::Impl {
  int fd = -1;
  Mode mode = Mode::kUnicast;
  bool registered = false;
  uint32_t seq = 0;
  uint64_t enobufs = 0;
  uint64_t datagrams = 0;
  uint64_t truncated = 0;
  bool drained = false;  // the last ReceiveBatch emptied the socket
  bool kernel_only = false;  // connected to the kernel's port: no one else can send to it
  uint64_t receive_buffer = 0;  // SO_RCVBUF as the kernel reports it (doubled)

  // Allocated once: kBatch buffers, one iovec, sender address and mmsghdr each. The buffers are
  // not zeroed: a page becomes resident only when a datagram that long first lands in it (records
  // are mostly under 1 KB: ~1 MB of the 2.3 MB).
  std::unique_ptr<char[]> buffers;
  std::vector<iovec> iovecs;
  std::vector<sockaddr_nl> senders;
  std::vector<mmsghdr> msgs;

  // Records that arrived while RegisterDaemon/UnregisterDaemon waited for the kernel's ACK; the
  // next ReceiveBatch hands them over first so none is lost.
  std::vector<std::pair<uint16_t, std::string>> pending;

  // Sends AUDIT_SET (mask AUDIT_STATUS_PID) on this socket and waits for its ACK. Returns the
  // kernel's error (0 = accepted, negative errno) or sets *error for a local failure.
  bool SetPid(uint32_t pid, int* kernel_error, std::string* error);
  // Hands the records of one datagram to handler (or to pending when handler is null).
  int Dispatch(const char* data, size_t size, RecordHandler* handler);
};

std::unique_ptr<AuditNetlink> AuditNetlink::Open(Mode mode, uint32_t receive_buffer_bytes,
                                                 std::string* error) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) {
    *error = Errno("socket(AF_NETLINK, NETLINK_AUDIT)");
    return nullptr;
  }
  if (receive_buffer_bytes > 0) {
    int size = static_cast<int>(std::min<uint32_t>(receive_buffer_bytes, INT32_MAX));
    // SO_RCVBUFFORCE passes rmem_max (needs CAP_NET_ADMIN); SO_RCVBUF is capped by it.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0 &&
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) != 0) {
      *error = Errno("setsockopt(SO_RCVBUF)");
      close(fd);
      return nullptr;
    }
  }
  int effective = 0;
  socklen_t effective_len = sizeof(effective);
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &effective, &effective_len) != 0) effective = 0;
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_pid = 0;  // the kernel picks the port
  addr.nl_groups = mode == Mode::kMulticast ? (1u << (AUDIT_NLGRP_READLOG - 1)) : 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    *error = mode == Mode::kMulticast
                 ? Errno("joining the audit multicast group (needs CAP_AUDIT_READ)")
                 : Errno("bind(NETLINK_AUDIT)");
    close(fd);
    return nullptr;
  }
  // A connected netlink socket takes unicasts from its peer only, so no sender address has to be
  // read back (and checked) per datagram: that copy is a measurable part of a receive.
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  const bool kernel_only = connect(fd, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) == 0;

  std::unique_ptr<AuditNetlink> self(new AuditNetlink());
  self->impl_ = std::make_unique<Impl>();
  Impl& s = *self->impl_;
  s.fd = fd;
  s.receive_buffer = effective > 0 ? static_cast<uint64_t>(effective) : 0;
  s.mode = mode;
  s.kernel_only = kernel_only;
  s.buffers.reset(new char[kBatch * kBufferBytes]);
  s.iovecs.resize(kBatch);
  s.senders.resize(kBatch);
  s.msgs.resize(kBatch);
  for (size_t i = 0; i < kBatch; ++i) {
    s.iovecs[i].iov_base = s.buffers.get() + i * kBufferBytes;
    s.iovecs[i].iov_len = kBufferBytes;
    // Set up once: recvmmsg writes back only msg_len, msg_flags and (with a name) msg_namelen.
    msghdr& h = s.msgs[i].msg_hdr;
    h = msghdr{};
    if (!kernel_only) h.msg_name = &s.senders[i];
    h.msg_iov = &s.iovecs[i];
    h.msg_iovlen = 1;
  }
  return self;
}

AuditNetlink::~AuditNetlink() {
  if (!impl_) return;
  if (impl_->registered) {
    std::string ignored;
    UnregisterDaemon(&ignored);  // best effort: the kernel would notice the closed port anyway
  }
  close(impl_->fd);
}

int AuditNetlink::fd() const { return impl_->fd; }
AuditNetlink::Mode AuditNetlink::mode() const { return impl_->mode; }
uint64_t AuditNetlink::enobufs() const { return impl_->enobufs; }
bool AuditNetlink::drained() const { return impl_->drained; }
uint64_t AuditNetlink::receive_buffer_bytes() const { return impl_->receive_buffer; }
uint64_t AuditNetlink::datagrams() const { return impl_->datagrams; }
uint64_t AuditNetlink::truncated() const { return impl_->truncated; }
bool AuditNetlink::registered() const { return impl_->registered; }

int AuditNetlink::Impl::Dispatch(const char* data, size_t size, RecordHandler* handler) {
  DatagramReader reader(data, size, mode == Mode::kUnicast);
  uint16_t type;
  std::string_view payload;
  int count = 0;
  while (reader.Next(&type, &payload)) {
    if (IsAuditControlReply(type)) continue;
    if (handler) {
      handler->OnRecord(type, payload);
    } else if (pending.size() < kMaxPending) {
      pending.emplace_back(type, std::string(payload));
    }
    ++count;
  }
  return count;
}

bool AuditNetlink::Impl::SetPid(uint32_t pid, int* kernel_error, std::string* error) {
  struct {
    nlmsghdr header;
    audit_status status;
  } request;
  std::memset(&request, 0, sizeof(request));
  request.header.nlmsg_len = NLMSG_LENGTH(sizeof(audit_status));
  request.header.nlmsg_type = AUDIT_SET;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  request.header.nlmsg_seq = ++seq;
  request.status.mask = AUDIT_STATUS_PID;
  request.status.pid = pid;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = sendto(fd, &request, request.header.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
                  sizeof(kernel));
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    *error = Errno("sending AUDIT_SET");
    return false;
  }

  // Wait for the ACK. Once registered, the kernel may flush its hold queue to this socket before
  // (or while) the ACK arrives, so records read here are kept for the next ReceiveBatch.
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(kAckTimeoutMs);
  char* buffer = buffers.get();
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      *error = "no ACK from the kernel for AUDIT_SET";
      return false;
    }
    pollfd pfd{fd, POLLIN, 0};
    int ready = poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) {
      *error = Errno("poll");
      return false;
    }
    if (ready <= 0) continue;
    sockaddr_nl from{};
    socklen_t from_len = sizeof(from);
    ssize_t n = recvfrom(fd, buffer, kBufferBytes, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from),
                         &from_len);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      if (errno == ENOBUFS) {
        ++enobufs;
        continue;
      }
      *error = Errno("recvfrom");
      return false;
    }
    if (from.nl_pid != 0) continue;  // not from the kernel
    ++datagrams;
    nlmsghdr header;
    if (static_cast<size_t>(n) >= NLMSG_HDRLEN) {
      std::memcpy(&header, buffer, sizeof(header));
      if (header.nlmsg_type == NLMSG_ERROR && header.nlmsg_seq == seq &&
          static_cast<size_t>(n) >= NLMSG_HDRLEN + sizeof(int)) {
        int code;
        std::memcpy(&code, buffer + NLMSG_HDRLEN, sizeof(code));
        *kernel_error = code;
        return true;
      }
    }
    Dispatch(buffer, static_cast<size_t>(n), nullptr);
  }
}

bool AuditNetlink::RegisterDaemon(std::string* error) {
  if (impl_->mode != Mode::kUnicast) {
    *error = "a multicast socket cannot register as the audit daemon";
    return false;
  }
  int kernel_error = 0;
  if (!impl_->SetPid(static_cast<uint32_t>(getpid()), &kernel_error, error)) return false;
  if (kernel_error == 0) {
    impl_->registered = true;
    return true;
  }
  if (kernel_error == -EEXIST) {
    KernelStatus status;
    std::string ignored;
    if (GetKernelStatus(&status, &ignored) && status.pid != 0) {
      *error = "another audit daemon is registered: pid " + std::to_string(status.pid) + " (" +
               ExecutableOfPid(status.pid) + ")";
    } else {
      *error = "another audit daemon is registered";
    }
    return false;
  }
  *error = std::string("registering as the audit daemon: ") + std::strerror(-kernel_error);
  return false;
}

bool AuditNetlink::UnregisterDaemon(std::string* error) {
  if (!impl_->registered) return true;
  int kernel_error = 0;
  if (!impl_->SetPid(0, &kernel_error, error)) return false;
  if (kernel_error != 0) {
    *error = std::string("unregistering the audit daemon: ") + std::strerror(-kernel_error);
    return false;
  }
  impl_->registered = false;
  return true;
}

int AuditNetlink::ReceiveBatch(RecordHandler& handler, std::string* error) {
  Impl& s = *impl_;
  int count = 0;
  s.drained = false;
  if (!s.pending.empty()) {
    for (const auto& [type, payload] : s.pending) handler.OnRecord(type, payload);
    count += static_cast<int>(s.pending.size());
    s.pending.clear();
  }
  for (int round = 0; round < kMaxRounds; ++round) {
    if (!s.kernel_only) {
      for (size_t i = 0; i < kBatch; ++i) s.msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_nl);
    }
    int n = recvmmsg(s.fd, s.msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        s.drained = true;
        break;
      }
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {  // the socket overflowed: records were dropped, the socket is fine
        ++s.enobufs;
        continue;
      }
      *error = Errno("recvmmsg(NETLINK_AUDIT)");
      return -1;
    }
    for (int i = 0; i < n; ++i) {
      ++s.datagrams;
      if (!s.kernel_only && s.senders[i].nl_pid != 0) continue;  // only the kernel's records
      if (s.msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ++s.truncated;
      count += s.Dispatch(static_cast<const char*>(s.iovecs[i].iov_base), s.msgs[i].msg_len,
                          &handler);
    }
    if (static_cast<size_t>(n) < kBatch) {
      s.drained = true;
      break;
    }
  }
  return count;
}

}  // namespace auditlens
