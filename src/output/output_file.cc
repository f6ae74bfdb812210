#include "output/output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <vector>

namespace auditlens {

OutputFile::~OutputFile() {
  Flush();
  reservation_.Release(fd_, file_end_);
  if (owns_fd_ && fd_ >= 0) close(fd_);
}

bool OutputFile::Open(const std::string& path, std::string* error) {
  path_ = path;
  buffer_.reserve(flush_threshold_ * 2);
  if (path == "-") {
    fd_ = STDOUT_FILENO;
    owns_fd_ = false;
    return true;
  }
  return Reopen(error);
}

bool LookUpOutputGroup(const std::string& name, gid_t* gid, std::string* error) {
  std::vector<char> buf(16384);
  struct group g{};
  struct group* found = nullptr;
  int rc;
  while ((rc = getgrnam_r(name.c_str(), &g, buf.data(), buf.size(), &found)) == ERANGE &&
         buf.size() < (1u << 22)) {
    buf.resize(buf.size() * 2);
  }
  if (rc != 0 || found == nullptr) {
    *error = "output.group: no group '" + name + "' on this host" +
             (rc != 0 ? std::string(" (") + strerror(rc) + ")" : std::string());
    return false;
  }
  *gid = found->gr_gid;
  return true;
}

bool OutputFile::SetGroup(const std::string& name, std::string* error) {
  has_group_ = false;
  group_name_ = name;
  if (name.empty()) return true;
  if (!LookUpOutputGroup(name, &group_, error)) return false;
  has_group_ = true;
  return true;
}

// The file: the group and 0640, set on the open descriptor (a umask such as systemd's UMask=0077
// would have taken the group bits off at creation). Its directory: the group and g+rx added, only
// when it is the output's own: owned by the agent's user, not writable by others, and holding
// nothing but the output file and its rotations (names that begin with the file's name). Another
// directory (/root, /var/log) would open its other files' names and contents to the group.
bool OutputFile::ApplyGroup(int fd, std::string* error) {
  return GiveOutputToGroup(fd, path_, group_, group_name_, &group_note_, error);
}

bool GiveOutputToGroup(int fd, const std::string& path, gid_t group,
                       const std::string& groupname, std::string* note, std::string* error) {
  note->clear();
  if (fchown(fd, static_cast<uid_t>(-1), group) != 0 || fchmod(fd, 0640) != 0) {
    *error = "cannot give " + path + " to group " + groupname + ": " + strerror(errno);
    return false;
  }
  const std::filesystem::path file(path);
  std::string dir = file.parent_path().string();
  if (dir.empty()) dir = ".";
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return true;
  if (st.st_gid == group && (st.st_mode & 0050) == 0050) return true;  // already open to it
  const std::string own = file.filename().string();
  bool only_output = st.st_uid == geteuid() && (st.st_mode & S_IWOTH) == 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; only_output && !ec && it != end;
       it.increment(ec)) {
    only_output = it->path().filename().string().rfind(own, 0) == 0 && it->is_regular_file(ec);
  }
  if (!only_output || ec) {
    *note = "output.group: " + dir + " is left as it is (it is not the output's own " +
            "directory): give it group " + groupname + " and g+rx by hand if the " +
            "group's readers need to reach " + path;
    return true;
  }
  if ((st.st_gid != group && chown(dir.c_str(), static_cast<uid_t>(-1), group) != 0) ||
      ((st.st_mode & 0050) != 0050 && chmod(dir.c_str(), (st.st_mode & 07777) | 0050) != 0)) {
    *error = "cannot give " + dir + " to group " + groupname + ": " + strerror(errno);
    return false;
  }
  return true;
}

bool OutputFile::Reopen(std::string* error) {
  if (path_ == "-") return true;
  Flush();
  if (head_continues_line_) {
    // Its beginning is in the old file: in the new one it would be a broken line.
    size_t nl = buffer_.find('\n');
    buffer_.erase(0, nl == std::string::npos ? buffer_.size() : nl + 1);
    head_continues_line_ = false;
    ++dropped_lines_;
  }
  std::error_code ec;
  std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  if (create_parent_dirs_ && !parent.empty()) std::filesystem::create_directories(parent, ec);
  // 0600: audit events name files and commands of every user on the host.
  int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    *error = "cannot open " + path_ + ": " + strerror(errno);
    return false;
  }
  if (has_group_ && !ApplyGroup(fd, error)) {
    close(fd);
    return false;
  }
  reservation_.Release(fd_, file_end_);
  if (owns_fd_ && fd_ >= 0) close(fd_);
  fd_ = fd;
  owns_fd_ = true;
  reservation_.Reset();  // what the file is, its first flush finds out
  file_end_ = 0;
  return true;
}

bool OutputFile::Flush() {
  if (!buffer_.empty() && reserve_bytes_ > 0) {
    file_end_ = reservation_.Reserve(fd_, file_end_, buffer_.size(), reserve_bytes_);
  }
  size_t done = 0;
  while (done < buffer_.size()) {
    ssize_t n = write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      ++write_errors_;
      failing_ = true;
      last_error_ = std::string("write to ") + path_ + ": " + strerror(errno);
      if (done > 0) head_continues_line_ = buffer_[done - 1] != '\n';
      buffer_.erase(0, done);
      bytes_written_ += done;
      file_end_ += done;
      if (buffer_.size() > max_buffer_bytes_) DropOldestLines();
      return false;
    }
    done += static_cast<size_t>(n);
  }
  bytes_written_ += done;
  file_end_ += done;
  buffer_.clear();
  head_continues_line_ = false;
  failing_ = false;
  return true;
}

void OutputFile::DropOldestLines() {
  // The rest of a half-written line stays: its beginning is already in the file.
  size_t keep = 0;
  if (head_continues_line_) {
    size_t nl = buffer_.find('\n');
    if (nl == std::string::npos) return;
    keep = nl + 1;
  }
  size_t cut = keep;
  while (buffer_.size() - (cut - keep) > max_buffer_bytes_ / 2) {
    size_t nl = buffer_.find('\n', cut);
    if (nl == std::string::npos) break;
    cut = nl + 1;
    ++dropped_lines_;
  }
  buffer_.erase(keep, cut - keep);
}

}  // namespace auditlens
