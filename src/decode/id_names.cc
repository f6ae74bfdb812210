#include "decode/id_names.h"

#include <grp.h>
#include <pwd.h>
#include <time.h>

#include <vector>

#include "common/clock.h"

namespace auditlens {

std::string_view IdNames::Lookup(std::unordered_map<uint32_t, Entry>& cache, uint32_t id,
                                 bool group) {
  Entry& e = cache[id];
  if (e.found) return e.name;
  uint64_t now = MonotonicMsCoarse();
  if (e.checked_ms != 0 && now < e.checked_ms + kRetryUnknownMs) return {};
  e.checked_ms = now;
  std::vector<char> buf(16384);
  if (group) {
    struct group gr;
    struct group* result = nullptr;
    if (getgrgid_r(id, &gr, buf.data(), buf.size(), &result) == 0 && result != nullptr) {
      e.name = result->gr_name;
      e.found = true;
    }
  } else {
    passwd pw;
    passwd* result = nullptr;
    if (getpwuid_r(id, &pw, buf.data(), buf.size(), &result) == 0 && result != nullptr) {
      e.name = result->pw_name;
      e.found = true;
    }
  }
  return e.found ? std::string_view(e.name) : std::string_view();
}

std::string_view IdNames::User(uint32_t uid) { return Lookup(users_, uid, false); }

std::string_view IdNames::Group(uint32_t gid) { return Lookup(groups_, gid, true); }

}  // namespace auditlens
