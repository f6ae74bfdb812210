// uid/gid → user/group names, looked up through NSS once and cached. Names found stay cached;
// ids with no name are looked up again after a while (an account may be created later).
//
// Not thread-safe: one instance per decoding thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace auditlens {

class IdNames {
 public:
  // The name, or empty when the id has no name.
  std::string_view User(uint32_t uid);
  std::string_view Group(uint32_t gid);

 private:
  struct Entry {
    std::string name;
    uint64_t checked_ms = 0;
    bool found = false;
  };
  static constexpr uint64_t kRetryUnknownMs = 30000;
  std::string_view Lookup(std::unordered_map<uint32_t, Entry>& cache, uint32_t id, bool group);

  std::unordered_map<uint32_t, Entry> users_;
  std::unordered_map<uint32_t, Entry> groups_;
};

}  // namespace auditlens
