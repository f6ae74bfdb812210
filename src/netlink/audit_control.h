// A short-lived NETLINK_AUDIT socket for control requests made through libaudit (status, rules).
//
// Contract: the socket is never registered as the audit daemon, so only replies to this socket's
// own requests arrive on it. libaudit's diagnostics to stderr are silenced: every failure comes
// back as an error string instead. Not for concurrent use from several threads.
#pragma once

#include <memory>
#include <string>

struct audit_reply;

namespace auditlens {

class AuditControl {
 public:
  static std::unique_ptr<AuditControl> Open(std::string* error);
  ~AuditControl();
  AuditControl(const AuditControl&) = delete;
  AuditControl& operator=(const AuditControl&) = delete;

  int fd() const { return fd_; }

  // Waits up to timeout_ms for the next message on the socket. Returns false on timeout or
  // socket error (error set).
  bool NextReply(audit_reply* reply, int timeout_ms, std::string* error);

 private:
  explicit AuditControl(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace auditlens
