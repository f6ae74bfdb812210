#include "common/proc_reader.h"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>

namespace auditlens {

std::string ReadSmallFile(const std::string& path) {
  std::string text;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      text.append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  close(fd);
  return text;
}

std::string ReadExeLink(const std::string& path) {
  std::string exe = ReadLinkTarget(path);
  static constexpr std::string_view kDeleted = " (deleted)";
  if (exe.size() > kDeleted.size() &&
      std::string_view(exe).substr(exe.size() - kDeleted.size()) == kDeleted) {
    exe.resize(exe.size() - kDeleted.size());
  }
  return exe;
}

std::string ReadLinkTarget(const std::string& path) {
  char buf[PATH_MAX];
  const ssize_t n = readlink(path.c_str(), buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string ProcPidPath(pid_t pid, std::string_view entry) {
  std::string p = "/proc/" + std::to_string(pid);
  if (!entry.empty()) {
    p.push_back('/');
    p.append(entry);
  }
  return p;
}

}  // namespace auditlens
