// GetKernelStatus / SetKernelStatus / ExecutableOfPid from audit_netlink.h: control requests on a
// short-lived socket of their own, through libaudit.
#include <libaudit.h>
#include <linux/audit.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "common/proc_reader.h"
#include "netlink/audit_control.h"
#include "netlink/audit_netlink.h"

namespace auditlens {
namespace {

constexpr int kReplyTimeoutMs = 2000;

struct StatusField {
  uint32_t bit;
  const char* name;
  uint32_t KernelStatus::*member;
};

// The fields SetKernelStatus may change, in the order they are sent. Enabling comes last so the
// limits are in place before records start to flow.
constexpr StatusField kSettable[] = {
    {AUDIT_STATUS_FAILURE, "failure", &KernelStatus::failure},
    {AUDIT_STATUS_RATE_LIMIT, "rate_limit", &KernelStatus::rate_limit},
    {AUDIT_STATUS_BACKLOG_LIMIT, "backlog_limit", &KernelStatus::backlog_limit},
    {AUDIT_STATUS_BACKLOG_WAIT_TIME, "backlog_wait_time", &KernelStatus::backlog_wait_time},
    {AUDIT_STATUS_ENABLED, "enabled", &KernelStatus::enabled},
};

// The hard guard: checked before any socket is opened, so it holds whatever the kernel state is.
bool CheckSettable(const KernelStatus& values, uint32_t mask, std::string* error) {
  if (mask & AUDIT_STATUS_PID) {
    *error = "the daemon pid is set by registering the receiving socket, not by SetKernelStatus";
    return false;
  }
  if ((mask & AUDIT_STATUS_ENABLED) && values.enabled == 2) {
    *error = "refusing to set enabled=2: immutable mode locks the audit configuration until reboot "
             "and auditlens never sets it";
    return false;
  }
  if ((mask & AUDIT_STATUS_ENABLED) && values.enabled > 2) {
    *error = "enabled must be 0 or 1, not " + std::to_string(values.enabled);
    return false;
  }
  if ((mask & AUDIT_STATUS_FAILURE) && values.failure == 2) {
    *error = "refusing to set failure=2: it panics the kernel when records are lost and auditlens "
             "never sets it";
    return false;
  }
  if ((mask & AUDIT_STATUS_FAILURE) && values.failure > 2) {
    *error = "failure must be 0 or 1, not " + std::to_string(values.failure);
    return false;
  }
  uint32_t known = 0;
  for (const auto& f : kSettable) known |= f.bit;
  if (mask & ~known) {
    *error = "unsupported status mask bits " + std::to_string(mask & ~known);
    return false;
  }
  return true;
}

}  // namespace

bool GetKernelStatus(KernelStatus* status, std::string* error) {
  auto control = AuditControl::Open(error);
  if (!control) return false;
  int rc = audit_request_status(control->fd());
  if (rc < 0) {
    *error = std::string("requesting the audit status: ") + std::strerror(-rc);
    return false;
  }
  audit_reply reply;
  for (;;) {
    if (!control->NextReply(&reply, kReplyTimeoutMs, error)) return false;
    if (reply.type == NLMSG_ERROR) {
      if (reply.error->error == 0) continue;  // the ACK
      *error = std::string("audit status request refused: ") + std::strerror(-reply.error->error);
      return false;
    }
    if (reply.type != AUDIT_GET) continue;
    // Older kernels send a shorter struct: copy what came, the rest stays 0.
    audit_status raw;
    std::memset(&raw, 0, sizeof(raw));
    size_t payload = reply.nlh->nlmsg_len > NLMSG_HDRLEN ? reply.nlh->nlmsg_len - NLMSG_HDRLEN : 0;
    std::memcpy(&raw, reply.status, std::min(payload, sizeof(raw)));
    status->mask = raw.mask;
    status->enabled = raw.enabled;
    status->failure = raw.failure;
    status->pid = raw.pid;
    status->rate_limit = raw.rate_limit;
    status->backlog_limit = raw.backlog_limit;
    status->lost = raw.lost;
    status->backlog = raw.backlog;
    status->feature_bitmap = raw.feature_bitmap;
    status->backlog_wait_time = raw.backlog_wait_time;
    status->backlog_wait_time_actual = raw.backlog_wait_time_actual;
    return true;
  }
}

bool SetKernelStatus(const KernelStatus& values, uint32_t mask, std::string* error) {
  if (!CheckSettable(values, mask, error)) return false;
  if (mask == 0) return true;
  auto control = AuditControl::Open(error);
  if (!control) return false;
  // One field per request, so an error names the field and earlier fields are known to be set.
  for (const auto& f : kSettable) {
    if (!(mask & f.bit)) continue;
    const uint32_t value = values.*(f.member);
    const int fd = control->fd();
    int rc = 0;
    switch (f.bit) {
      case AUDIT_STATUS_ENABLED: rc = audit_set_enabled(fd, value); break;
      case AUDIT_STATUS_FAILURE: rc = audit_set_failure(fd, value); break;
      case AUDIT_STATUS_RATE_LIMIT: rc = audit_set_rate_limit(fd, value); break;
      case AUDIT_STATUS_BACKLOG_LIMIT: rc = audit_set_backlog_limit(fd, value); break;
      case AUDIT_STATUS_BACKLOG_WAIT_TIME: rc = audit_set_backlog_wait_time(fd, value); break;
    }
    if (rc < 0) {
      *error = std::string("setting ") + f.name + "=" + std::to_string(value) + ": " +
               std::strerror(-rc);
      return false;
    }
  }
  return true;
}

std::string ExecutableOfPid(uint32_t pid) {
  if (pid == 0) return "?";
  std::string exe = ReadLinkTarget(ProcPidPath(static_cast<pid_t>(pid), "exe"));
  return exe.empty() ? "?" : exe;
}

}  // namespace auditlens
