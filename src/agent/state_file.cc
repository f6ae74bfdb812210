#include "agent/state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <string_view>

#include "common/parse_int.h"

namespace auditlens {
namespace {

constexpr std::string_view kHeader = "# auditlens agent state: written by the agent, do not edit";

}  // namespace

std::string FormatState(const AgentState& s) {
  return fmt::format(
      "{}\nboot_id={}\ndelivered_through={}\nkernel_lost={}\nclean={}\npid={}\nwritten_ms={}\n",
      kHeader, s.boot_id, s.delivered_through, s.kernel_lost, s.clean ? 1 : 0, s.pid,
      s.written_ms);
}

const char* ParseState(const std::string& text, AgentState* out) {
  AgentState s;
  enum : unsigned { kBoot = 1, kDelivered = 2, kLost = 4, kClean = 8, kPid = 16, kWritten = 32 };
  unsigned seen = 0;
  std::string_view rest(text);
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return "last line is incomplete";
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return "a line without '='";
    std::string_view key = line.substr(0, eq);
    std::string_view value = line.substr(eq + 1);
    unsigned bit;
    bool ok;
    if (key == "boot_id") {
      bit = kBoot;
      s.boot_id.assign(value);
      ok = !value.empty() && value.size() <= 64;
    } else if (key == "delivered_through") {
      bit = kDelivered;
      ok = ParseDecimal(value, &s.delivered_through);
    } else if (key == "kernel_lost") {
      bit = kLost;
      ok = ParseDecimal(value, &s.kernel_lost);
    } else if (key == "clean") {
      bit = kClean;
      ok = value == "0" || value == "1";
      s.clean = value == "1";
    } else if (key == "pid") {
      bit = kPid;
      ok = ParseDecimal(value, &s.pid);
    } else if (key == "written_ms") {
      bit = kWritten;
      ok = ParseDecimal(value, &s.written_ms);
    } else {
      return "unknown key";
    }
    if (!ok) return "bad value";
    if (seen & bit) return "a key given twice";
    seen |= bit;
  }
  if (seen != (kBoot | kDelivered | kLost | kClean | kPid | kWritten)) return "a key is missing";
  *out = std::move(s);
  return nullptr;
}

bool ReadStateFile(const std::string& path, AgentState* state, bool* missing,
                   std::string* error) {
  *missing = false;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    *missing = errno == ENOENT;
    *error = fmt::format("cannot read {}: {}", path, strerror(errno));
    return false;
  }
  std::string text;
  char buf[1024];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > 4096) break;  // far larger than any state: not ours
  }
  close(fd);
  if (const char* why = ParseState(text, state)) {
    *error = fmt::format("{} is not a valid state file ({})", path, why);
    return false;
  }
  return true;
}

bool WriteStateFile(const std::string& path, const AgentState& state, std::string* error) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(parent, ec)) {
      std::filesystem::create_directories(parent, ec);
      if (!ec) chmod(parent.c_str(), 0700);
    }
  }
  const std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    *error = fmt::format("cannot write {}: {}", tmp, strerror(errno));
    return false;
  }
  const std::string text = FormatState(state);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = fmt::format("cannot write {}: {}", tmp, n < 0 ? strerror(errno) : "short write");
      close(fd);
      unlink(tmp.c_str());
      return false;
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    *error = fmt::format("cannot rename {} to {}: {}", tmp, path, strerror(errno));
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

ResumePlan PlanResume(const AgentState* saved, const std::string& boot_id) {
  ResumePlan plan;
  if (saved == nullptr) {
    plan.reason = "no saved state: serial tracking starts with the first event";
    return plan;
  }
  if (boot_id.empty()) {
    plan.reason = "the boot id cannot be read: not resuming from the saved state";
    return plan;
  }
  if (saved->boot_id != boot_id) {
    plan.reason = "the saved state is from another boot (serials restarted): not resuming";
    return plan;
  }
  plan.resume = true;
  plan.reason = fmt::format(
      "resuming after serial {} ({} shutdown of pid {}): every later serial that does not arrive "
      "is reported lost",
      saved->delivered_through, saved->clean ? "clean" : "unclean", saved->pid);
  return plan;
}

}  // namespace auditlens
