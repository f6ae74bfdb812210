#include "agent/security.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>

#include "common/conninfo_mask.h"

namespace auditlens {
namespace {

bool IsNullDevice(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
}

// Checks one path (not following a final symlink: lstat) and returns false with *error.
bool CheckOne(const std::filesystem::path& p, const std::string& what, const std::string& shown,
              bool is_ancestor, std::string* error) {
  struct stat st;
  if (lstat(p.c_str(), &st) != 0) {
    *error = fmt::format("{} {}: cannot check {}: {}", what, shown, p.string(), strerror(errno));
    return false;
  }
  if (S_ISLNK(st.st_mode)) return true;  // the target is checked on its own
  if (IsNullDevice(st)) return true;
  const bool is_dir = S_ISDIR(st.st_mode);
  if (const char* why = JudgeMode(st.st_uid, st.st_gid, st.st_mode, geteuid(), is_dir)) {
    if (is_ancestor) {
      *error = fmt::format(
          "refusing {} {}: the directory {} above it {} (uid {}, gid {}, mode {:04o}); make it "
          "root's alone (chown root: / chmod go-w)",
          what, shown, p.string(), why, st.st_uid, st.st_gid, st.st_mode & 07777);
    } else {
      *error = fmt::format(
          "refusing {} {}: it {} (uid {}, gid {}, mode {:04o}); make it root's alone (chown root: "
          "/ chmod go-w)",
          what, shown, why, st.st_uid, st.st_gid, st.st_mode & 07777);
    }
    return false;
  }
  return true;
}

// The file itself and every directory above it, for the path as given and for where it leads.
bool CheckChain(const std::filesystem::path& path, const std::string& what,
                const std::string& shown, std::string* error) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  if (ec) abs = path;
  if (!CheckOne(abs, what, shown, false, error)) return false;
  for (std::filesystem::path dir = abs.parent_path(); ; dir = dir.parent_path()) {
    if (!CheckOne(dir, what, shown, true, error)) return false;
    if (dir == dir.root_path() || dir.empty()) break;
  }
  std::filesystem::path real = std::filesystem::canonical(abs, ec);
  if (!ec && real != abs) return CheckChain(real, what, shown, error);
  return true;
}

}  // namespace

const char* JudgeMode(uid_t owner, gid_t group, mode_t mode, uid_t euid, bool is_dir) {
  if (owner != 0 && owner != euid) return "is owned by another user";
  // In a sticky directory only a file's owner can rename or delete it.
  const bool sticky_dir = is_dir && (mode & S_ISVTX);
  if ((mode & S_IWOTH) && !sticky_dir) return "is writable by all users";
  if ((mode & S_IWGRP) && group != 0 && !sticky_dir) return "is writable by a group other than root";
  return nullptr;
}

bool CheckTrustedFile(const std::string& path, const std::string& what, std::string* error) {
  return CheckChain(path, what, path, error);
}

bool CheckTrustedRulesPath(const std::string& path, std::string* error) {
  if (!CheckTrustedFile(path, "rules path", error)) return false;
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return true;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
    if (entry.path().extension() != ".rules") continue;
    if (!CheckTrustedFile(entry.path().string(), "rules file", error)) return false;
  }
  if (ec) {
    *error = fmt::format("rules path {}: cannot list: {}", path, ec.message());
    return false;
  }
  return true;
}

bool JudgeSecretMode(mode_t mode, bool holds_password) {
  return holds_password && (mode & (S_IRGRP | S_IROTH)) != 0;
}

std::string SecretFileWarning(const std::string& path, const std::string& postgres_conninfo) {
  if (path.empty() || !HasPassword(postgres_conninfo)) return {};
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  if (!JudgeSecretMode(st.st_mode, true)) return {};
  return fmt::format(
      "warning: config file {} holds a PostgreSQL password ([store] postgres) and is mode {:04o}: "
      "readable by more than its owner; chmod 600 {} (or keep the password in a 0600 "
      "~/.pgpass or PGPASSFILE)",
      path, st.st_mode & 07777, path);
}

KernelModeCheck CheckKernelMode(const KernelStatus& status) {
  KernelModeCheck check;
  if (status.enabled == 2) {
    check.immutable = true;
    check.may_change = false;
    check.messages.push_back(
        "the kernel audit configuration is immutable (enabled 2) until reboot: auditlens changes "
        "nothing (no limits, no rules, no rule excluding its own activity, no governor) and only "
        "reads; rules that match what auditlens does will audit its own writes too");
  }
  if (status.failure == 2) {
    check.messages.push_back(
        "the kernel is set to panic when it loses audit records (failure 2), by someone else: "
        "auditlens never sets this and leaves it as it is; a storm or a stopped reader can bring "
        "the machine down");
  }
  return check;
}

}  // namespace auditlens
