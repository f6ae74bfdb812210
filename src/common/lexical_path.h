// An absolute path with "." and ".." resolved and doubled slashes folded, by its text alone:
// "/var/lib/apt/lists/../../../../etc/shadow" is "/etc/shadow", as the kernel resolves it when no
// component is a symbolic link. For matching a PATH record's name against configured prefixes
// (filter/event_match.h), where a name spelled with ".." must not pass for the directory it
// leaves.
//
// Contract: in place, no allocation. A path that does not begin with '/' is left as it is. ".."
// at the root stays at the root. A trailing '/' is kept when keep_trailing_slash (a configured
// prefix "/tmp/"), else removed ("/" stays "/").
#pragma once

#include <cstring>
#include <string>

namespace auditlens {

inline void NormalizeAbsolutePath(std::string* path, bool keep_trailing_slash = false) {
  std::string& p = *path;
  if (p.empty() || p[0] != '/') return;
  const bool trailing = p.size() > 1 && p.back() == '/';
  size_t out = 0;  // p[0, out) is the normalized path so far: "" or "/a/b"
  size_t at = 0;
  while (at < p.size()) {
    while (at < p.size() && p[at] == '/') ++at;
    const size_t begin = at;
    while (at < p.size() && p[at] != '/') ++at;
    const size_t len = at - begin;
    if (len == 0 || (len == 1 && p[begin] == '.')) continue;
    if (len == 2 && p[begin] == '.' && p[begin + 1] == '.') {
      while (out > 0 && p[out - 1] != '/') --out;
      if (out > 0) --out;  // the '/' before the component removed
      continue;
    }
    p[out++] = '/';
    std::memmove(&p[out], &p[begin], len);  // out <= begin: moves left or stays
    out += len;
  }
  if (out == 0) p[out++] = '/';
  if (keep_trailing_slash && trailing && out > 1) p[out++] = '/';
  p.resize(out);
}

}  // namespace auditlens
