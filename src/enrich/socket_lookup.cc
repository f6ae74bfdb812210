#include "enrich/socket_lookup.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>

#include "common/proc_reader.h"
#include "enrich/socket_cache.h"
#include "enrich/socket_diag.h"
#include "enrich/socket_pidfd.h"

namespace auditlens {
namespace {

// pidfd first; a lookup the kernel refuses (LSM, no permission, no such syscall) is asked again
// with sock_diag, and after three refusals sock_diag answers all. Both share one cache.
class AutoSocketLookup : public SocketLookup {
 public:
  explicit AutoSocketLookup(bool pidfd_allowed) {
    if (pidfd_allowed) pidfd_ = std::make_unique<PidfdSocketLookup>(&cache_);
  }
  LookupStatus Lookup(const LookupRequest& request, SocketInfo* out) override {
    if (pidfd_) {
      LookupStatus s = pidfd_->Lookup(request, out);
      if (s != LookupStatus::kRefused) {
        method_ = pidfd_->method();
        return s;
      }
      // This one is asked again with sock_diag; refused three times: stop asking.
      if (++pidfd_refusals_ >= 3) pidfd_.reset();
    }
    if (!diag_) diag_ = std::make_unique<DiagSocketLookup>(&cache_);
    method_ = diag_->method();
    return diag_->Lookup(request, out);
  }
  std::string_view method() const override { return method_; }

 private:
  SocketCache cache_;
  std::unique_ptr<PidfdSocketLookup> pidfd_;
  std::unique_ptr<DiagSocketLookup> diag_;
  int pidfd_refusals_ = 0;
  std::string_view method_ = "pidfd";
};

template <typename T>
class OwningLookup : public SocketLookup {
 public:
  OwningLookup() : impl_(&cache_) {}
  LookupStatus Lookup(const LookupRequest& request, SocketInfo* out) override {
    return impl_.Lookup(request, out);
  }
  std::string_view method() const override { return impl_.method(); }

 private:
  SocketCache cache_;
  T impl_;
};

}  // namespace

std::string_view LookupStatusReason(LookupStatus status) {
  switch (status) {
    case LookupStatus::kFound: return {};
    case LookupStatus::kProcessExited: return "process_exited";
    case LookupStatus::kFdClosed: return "socket_closed";
    case LookupStatus::kNotSocket: return "fd_reused";
    case LookupStatus::kRefused: return "lookup_refused";
    case LookupStatus::kBudget: return "lookup_budget";
    case LookupStatus::kNotFound: return "not_found";
    case LookupStatus::kUnsupported: return "unsupported_protocol";
  }
  return "unknown";
}

bool PidfdLookupIsSideEffectFree(std::string_view proc_cgroups, std::string* why) {
  // Lines: "subsys_name hierarchy num_cgroups enabled"; hierarchy 0 = not mounted as cgroup v1.
  size_t pos = 0;
  while (pos < proc_cgroups.size()) {
    size_t end = proc_cgroups.find('\n', pos);
    if (end == std::string_view::npos) end = proc_cgroups.size();
    std::string_view line = proc_cgroups.substr(pos, end - pos);
    pos = end + 1;
    size_t tab = line.find_first_of(" \t");
    if (tab == std::string_view::npos) continue;
    std::string_view name = line.substr(0, tab);
    if (name != "net_cls" && name != "net_prio") continue;
    std::string_view rest = line.substr(tab);
    size_t d = rest.find_first_not_of(" \t");
    if (d == std::string_view::npos) continue;
    unsigned hierarchy = 0;
    std::from_chars(rest.data() + d, rest.data() + rest.size(), hierarchy);
    if (hierarchy != 0) {
      *why = std::string(name) +
             " is mounted as a cgroup-v1 controller: pidfd_getfd would set observed sockets' " +
             (name == "net_cls" ? "classid" : "priority index") +
             " to auditlens's own; sockets are looked up with sock_diag instead";
      return false;
    }
  }
  return true;
}

std::unique_ptr<SocketLookup> MakeSocketLookup(LookupMode mode, std::string* note) {
  note->clear();
  switch (mode) {
    case LookupMode::kPidfd:
      return std::make_unique<OwningLookup<PidfdSocketLookup>>();
    case LookupMode::kSockDiag:
      return std::make_unique<OwningLookup<DiagSocketLookup>>();
    case LookupMode::kAuto:
      break;
  }
  std::string why;
  bool allowed = PidfdLookupIsSideEffectFree(ReadSmallFile("/proc/cgroups"), &why);
  if (!allowed) *note = why;
  return std::make_unique<AutoSocketLookup>(allowed);
}

}  // namespace auditlens
