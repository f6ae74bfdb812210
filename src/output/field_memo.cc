#include "output/field_memo.h"

#include <cstring>

namespace auditlens {

FieldMemo::FieldMemo(size_t slots, size_t max_value)
    : mask_(slots - 1), max_value_(max_value), slots_(slots) {}

uint64_t FieldMemo::Hash(const Key& key) {
  // FNV-1a over the key bytes, 8 bytes at a step where possible: it runs for every field.
  uint64_t h = 1469598103934665603ull ^ (static_cast<uint64_t>(key.record_type) << 32) ^
               (static_cast<uint64_t>(static_cast<uint16_t>(key.syscall)) << 16) ^
               static_cast<uint16_t>(key.machine);
  auto mix = [&h](std::string_view s) {
    const char* p = s.data();
    size_t n = s.size();
    while (n >= 8) {
      uint64_t v;
      std::memcpy(&v, p, 8);
      h = (h ^ v) * 1099511628211ull;
      h ^= h >> 29;
      p += 8;
      n -= 8;
    }
    uint64_t tail = 0;
    // An empty view may have a null data(), and memcpy from null is undefined even for 0 bytes.
    if (n != 0) std::memcpy(&tail, p, n);
    h = (h ^ tail ^ (static_cast<uint64_t>(n) << 56)) * 1099511628211ull;
    h ^= h >> 31;
  };
  mix(key.name);
  h ^= 0x9e3779b97f4a7c15ull;
  mix(key.value);
  return h;
}

bool FieldMemo::Matches(const Slot& s, const Key& key) const {
  return s.record_type == key.record_type && s.machine == key.machine &&
         s.syscall == key.syscall && s.name_size == key.name.size() &&
         s.key_bytes.size() == key.name.size() + key.value.size() &&
         (key.name.empty() || std::memcmp(s.key_bytes.data(), key.name.data(), key.name.size()) == 0) &&
         (key.value.empty() || std::memcmp(s.key_bytes.data() + key.name.size(), key.value.data(),
                                           key.value.size()) == 0) &&
         !s.rendered.empty();
}

std::string_view FieldMemo::Find(const Key& key, uint64_t hash) const {
  const Slot& s = slots_[hash & mask_];
  if (s.hash == hash && Matches(s, key)) {
    ++hits_;
    return s.rendered;
  }
  ++misses_;
  return {};
}

std::string_view FieldMemo::Find(const Key& key, Hint* hint, uint64_t* hash) const {
  *hash = 0;
  if (hint->slot < slots_.size() && Matches(slots_[hint->slot], key)) {
    ++hits_;
    return slots_[hint->slot].rendered;
  }
  *hash = Hash(key);
  std::string_view found = Find(key, *hash);
  if (!found.empty()) hint->slot = *hash & mask_;
  return found;
}

void FieldMemo::Store(const Key& key, uint64_t hash, std::string_view rendered, Hint* hint) {
  if (hash == 0) hash = Hash(key);
  Store(key, hash, rendered);
  hint->slot = hash & mask_;
}

void FieldMemo::Store(const Key& key, uint64_t hash, std::string_view rendered) {
  if (key.value.size() > max_value_ || key.name.size() > 0xffff) return;
  Slot& s = slots_[hash & mask_];
  s.hash = hash;
  s.record_type = key.record_type;
  s.machine = key.machine;
  s.syscall = key.syscall;
  s.name_size = static_cast<uint16_t>(key.name.size());
  s.key_bytes.assign(key.name.data(), key.name.size());
  s.key_bytes.append(key.value.data(), key.value.size());
  s.rendered.assign(rendered.data(), rendered.size());
}

void FieldMemo::Clear() {
  for (Slot& s : slots_) {
    s.hash = 0;
    s.rendered.clear();
  }
}

}  // namespace auditlens
