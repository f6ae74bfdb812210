#include "record/record_types.h"

#include <libaudit.h>

#include <array>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/parse_int.h"

namespace auditlens {
namespace {

// Built once from libaudit: an array indexed by type for names and a small open-addressing hash
// for the reverse direction. Types above kMaxType are always UNKNOWN[n].
constexpr uint32_t kMaxType = 3000;
constexpr uint32_t kHashSize = 4096;  // power of two, > 2x the ~400 known names

struct Tables {
  std::vector<std::string> names;                 // index: type
  std::array<uint16_t, kHashSize> hash_slots{};   // 0 = empty
  std::string unknown_storage[kMaxType];

  static uint32_t Hash(std::string_view s) {
    uint32_t h = 2166136261u;
    for (unsigned char c : s) h = (h ^ c) * 16777619u;
    return h;
  }

  Tables() : names(kMaxType) {
    for (uint32_t t = 0; t < kMaxType; ++t) {
      const char* n = audit_msg_type_to_name(static_cast<int>(t));
      if (n == nullptr) {
        unknown_storage[t] = "UNKNOWN[" + std::to_string(t) + "]";
        continue;
      }
      names[t] = n;
      uint32_t slot = Hash(names[t]) & (kHashSize - 1);
      while (hash_slots[slot] != 0) slot = (slot + 1) & (kHashSize - 1);
      hash_slots[slot] = static_cast<uint16_t>(t);
    }
  }
};

const Tables& GetTables() {
  static const Tables tables;
  return tables;
}

}  // namespace

std::string_view RecordTypeName(uint16_t type) {
  const Tables& t = GetTables();
  if (type < kMaxType) {
    if (!t.names[type].empty()) return t.names[type];
    return t.unknown_storage[type];
  }
  // Rare: built once per type and kept (a std::map never moves its nodes).
  static std::mutex mu;
  static std::map<uint16_t, std::string> high;
  std::lock_guard<std::mutex> lock(mu);
  auto [it, inserted] = high.try_emplace(type);
  if (inserted) it->second = "UNKNOWN[" + std::to_string(type) + "]";
  return it->second;
}

bool IsKnownRecordType(uint16_t type) {
  return type < kMaxType && !GetTables().names[type].empty();
}

uint16_t RecordTypeFromName(std::string_view name) {
  const Tables& t = GetTables();
  uint32_t slot = Tables::Hash(name) & (kHashSize - 1);
  while (t.hash_slots[slot] != 0) {
    uint16_t type = t.hash_slots[slot];
    if (t.names[type] == name) return type;
    slot = (slot + 1) & (kHashSize - 1);
  }
  constexpr std::string_view kUnknown = "UNKNOWN[";
  if (name.size() > kUnknown.size() + 1 && name.substr(0, kUnknown.size()) == kUnknown &&
      name.back() == ']') {
    unsigned value = 0;
    if (ParseDecimal(name.substr(kUnknown.size(), name.size() - kUnknown.size() - 1), &value) &&
        value > 0 && value <= 65535) {
      return static_cast<uint16_t>(value);
    }
  }
  return 0;
}

}  // namespace auditlens
