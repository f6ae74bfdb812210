// The last component of a path: "sshd" of "/usr/sbin/sshd" (ECS's process.name-style names of
// executables, a login service's name).
//
// Contract: a view into path; the whole path when it has no '/'; empty for a path ending in '/'.
#pragma once

#include <string_view>

namespace auditlens {

inline std::string_view FileNameOf(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace auditlens
