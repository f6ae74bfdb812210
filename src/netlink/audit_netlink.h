// The kernel end of the pipeline: a NETLINK_AUDIT socket that receives audit records in batches,
// plus the control requests (status, daemon registration) that go over netlink.
//
// Contract:
// - Open(kUnicast) gives a socket that can register as the audit daemon; Open(kMulticast) binds the
//   AUDIT_NLGRP_READLOG group (needs CAP_AUDIT_READ) and never registers.
// - ReceiveBatch never blocks: it reads what is queued (recvmmsg, up to a batch of datagrams) and hands
//   each audit record to the handler as (type, payload) where payload views the socket's own receive
//   buffers and is valid only during the call. Control replies (NLMSG_ERROR/ACK, AUDIT_GET) are skipped.
// - ENOBUFS (the socket overflowed) is counted in enobufs() and never fatal. The kernel's
//   AUDIT_REPLACE liveness probe to the registered daemon is skipped like the control replies.
// - Only the kernel's records are taken. The socket is connected to the kernel's port, so the kernel
//   refuses any other process's datagram to it (ECONNREFUSED to the sender); were connect to fail,
//   each datagram's sender address is checked instead.
// - Status requests use a separate control socket so replies never interleave with records.
// - SetStatus refuses enabled=2 (immutable) and failure=2 (panic): this program never sets them.
// - Registration order: once registered, the kernel sends records (first its hold queue) to this
//   socket and blocks audited tasks when it is not read (backlog_wait_time), so register, install
//   settings and rules (milliseconds), then enter the receive loop at once; remove the rules, drain,
//   and unregister only after the loop stops (see rules/rule_loader.h). Records that arrive while
//   RegisterDaemon/UnregisterDaemon wait for the kernel's ACK are kept and handed over by the next
//   ReceiveBatch. The destructor unregisters (best effort) if this socket is still registered.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace auditlens {

struct KernelStatus {
  uint32_t mask = 0;
  uint32_t enabled = 0;
  uint32_t failure = 0;
  uint32_t pid = 0;
  uint32_t rate_limit = 0;
  uint32_t backlog_limit = 0;
  uint32_t lost = 0;
  uint32_t backlog = 0;
  uint32_t feature_bitmap = 0;
  uint32_t backlog_wait_time = 0;
  uint32_t backlog_wait_time_actual = 0;
};

class RecordHandler {
 public:
  virtual ~RecordHandler() = default;
  virtual void OnRecord(uint16_t type, std::string_view payload) = 0;
};

class AuditNetlink {
 public:
  enum class Mode { kUnicast, kMulticast };
  // Datagrams one recvmmsg call takes (ReceiveBatch makes up to 4 such calls). 256: a fast
  // stream's records are read in few calls, right after they arrive (receive_pacer.h).
  static constexpr size_t kDatagramsPerReceive = 256;

  // receive_buffer_bytes is forced with SO_RCVBUFFORCE (falls back to SO_RCVBUF).
  static std::unique_ptr<AuditNetlink> Open(Mode mode, uint32_t receive_buffer_bytes,
                                            std::string* error);
  ~AuditNetlink();

  int fd() const;
  Mode mode() const;

  // Registers this process as the audit daemon. When another live process is registered, fails
  // with an error naming it ("pid 1234 (/usr/sbin/auditd)").
  bool RegisterDaemon(std::string* error);
  // Clears the registration if this process holds it.
  bool UnregisterDaemon(std::string* error);

  // Reads the queued records, calling handler for each, up to 1024 datagrams (so a fast stream
  // still lets the caller do its housekeeping). Returns the number of records handed over, 0 when
  // nothing was queued, -1 on a fatal socket error (error set).
  int ReceiveBatch(RecordHandler& handler, std::string* error);
  // Whether the last ReceiveBatch emptied the socket (false: it stopped at its limit, more waits).
  bool drained() const;
  // The socket's receive buffer as the kernel enforces it (twice what was asked); 0 if unknown.
  uint64_t receive_buffer_bytes() const;

  uint64_t enobufs() const;
  uint64_t datagrams() const;
  // Datagrams longer than a receive buffer (MAX_AUDIT_MESSAGE_LENGTH): their records were cut.
  uint64_t truncated() const;
  bool registered() const;

 private:
  AuditNetlink() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Control requests on a short-lived socket of their own.
bool GetKernelStatus(KernelStatus* status, std::string* error);
// Sets the fields named in mask (AUDIT_STATUS_* bits). Refuses enabled=2 and failure=2.
bool SetKernelStatus(const KernelStatus& values, uint32_t mask, std::string* error);
// The executable of a pid, for messages ("?" when unknown).
std::string ExecutableOfPid(uint32_t pid);

}  // namespace auditlens
