#include "filter/netns_scope.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace auditlens {

bool NetnsInode(const std::string& path, uint64_t* inode, std::string* error) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    *error = "netns " + path + ": " + strerror(errno);
    return false;
  }
  // A namespace file lives on nsfs (a bind mount of it under /run/netns too): the device of our own
  // namespace file tells it apart from an ordinary file that was given by mistake.
  struct stat own;
  if (stat("/proc/self/ns/net", &own) == 0 && own.st_dev != st.st_dev) {
    *error = "netns " + path + " is not a network namespace (ip netns add makes /run/netns/NAME)";
    return false;
  }
  *inode = static_cast<uint64_t>(st.st_ino);
  return true;
}

bool NetnsScope::Keep(const EventFacts& facts) {
  const ProcessImage* image = facts.process;
  return image != nullptr && image->netns == inode_;
}

}  // namespace auditlens
