#include "netlink/audit_control.h"

#include <libaudit.h>
#include <poll.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>

namespace auditlens {
namespace {

// libaudit prints its own errors to stderr unless told otherwise; ours carry the context instead.
void QuietLibaudit() {
  static std::once_flag once;
  std::call_once(once, [] { set_aumessage_mode(MSG_QUIET, DBG_NO); });
}

}  // namespace

std::unique_ptr<AuditControl> AuditControl::Open(std::string* error) {
  QuietLibaudit();
  int fd = audit_open();
  if (fd < 0) {
    *error = std::string("cannot open the audit netlink socket: ") + std::strerror(errno) +
             (errno == EPROTONOSUPPORT ? " (kernel built without audit?)" : "");
    return nullptr;
  }
  return std::unique_ptr<AuditControl>(new AuditControl(fd));
}

AuditControl::~AuditControl() { audit_close(fd_); }

bool AuditControl::NextReply(audit_reply* reply, int timeout_ms, std::string* error) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int rc = audit_get_reply(fd_, reply, GET_REPLY_NONBLOCKING, 0);
    if (rc > 0) return true;
    if (rc < 0 && rc != -EAGAIN && rc != -EINTR) {
      *error = std::string("reading the audit netlink socket: ") + std::strerror(-rc);
      return false;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      *error = "no reply from the kernel audit subsystem";
      return false;
    }
    pollfd pfd{fd_, POLLIN, 0};
    poll(&pfd, 1, static_cast<int>(left.count()));
  }
}

}  // namespace auditlens
