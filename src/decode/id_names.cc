#include "decode/id_names.h"

#include <grp.h>
#include <pwd.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "common/clock.h"
#include "common/parse_int.h"
#include "decode/log_names.h"

namespace auditlens {
namespace {

// name:password:id:... of a passwd or group file into *out (the first name of an id wins).
bool ReadIdFile(const std::string& path, std::unordered_map<uint32_t, std::string>* out,
                std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == '+' || line[0] == '-') continue;
    const size_t c1 = line.find(':');
    if (c1 == 0 || c1 == std::string::npos) continue;
    const size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string::npos) continue;
    size_t c3 = line.find(':', c2 + 1);
    if (c3 == std::string::npos) c3 = line.size();
    uint32_t id = 0;
    if (!ParseDecimal(std::string_view(line).substr(c2 + 1, c3 - c2 - 1), &id)) continue;
    out->try_emplace(id, line.substr(0, c1));
  }
  if (in.bad()) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

std::string_view IdNames::Logged(bool group, uint32_t id) const {
  if (log_names_ == nullptr || log_names_->empty()) return {};
  return log_names_->Find(group, id);
}

bool IdNames::LoadFiles(const std::string& passwd_path, const std::string& group_path,
                        std::string* error) {
  std::unordered_map<uint32_t, std::string> users, groups;
  if (!passwd_path.empty() && !ReadIdFile(passwd_path, &users, error)) return false;
  if (!group_path.empty() && !ReadIdFile(group_path, &groups, error)) return false;
  users_.clear();
  groups_.clear();
  for (auto& [id, name] : users) users_[id] = Entry{std::move(name), 0, true};
  for (auto& [id, name] : groups) groups_[id] = Entry{std::move(name), 0, true};
  source_ = Source::kFiles;
  return true;
}

std::string_view IdNames::Lookup(std::unordered_map<uint32_t, Entry>& cache, uint32_t id,
                                 bool group) {
  if (std::string_view logged = Logged(group, id); !logged.empty()) return logged;
  if (source_ == Source::kNone) return {};
  if (source_ == Source::kFiles) {
    auto it = cache.find(id);
    return it == cache.end() ? std::string_view() : std::string_view(it->second.name);
  }
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
