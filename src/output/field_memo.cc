#include "output/field_memo.h"

#include <cstring>

#include "common/hash_bytes.h"

namespace auditlens {

FieldMemo::FieldMemo(size_t slots, size_t max_value)
    : mask_(slots - 1), max_value_(max_value), slots_(slots) {}

uint64_t FieldMemo::Hash(const Key& key) { return HashWithValueHash(key, HashBytes(key.value)); }

uint64_t FieldMemo::HashWithValueHash(const Key& key, uint64_t value_hash) {
  uint64_t h = value_hash ^ (static_cast<uint64_t>(key.record_type) << 48) ^
               (static_cast<uint64_t>(static_cast<uint16_t>(key.syscall)) << 32) ^
               (static_cast<uint64_t>(static_cast<uint16_t>(key.machine)) << 16);
  // The name with a seed of its own, so that (name a, value b) and (name b, value a) differ.
  if (!key.name.empty()) h ^= HashBytes(key.name, 0x5bd1e9955bd1e995ull);
  h *= 0x9fb21c651e98df25ull;
  return h ^ (h >> 28);
}

namespace {

// Equal bytes, for the short names and values most keys are made of: one or two loads per side
// instead of a call to memcmp (a memo hit compares a name and a value for every field it copies).
[[gnu::always_inline]] inline bool SameBytes(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    if (n > 16) return std::memcmp(a, b, n) == 0;
    uint64_t a0, b0, a1, b1;  // the first and the last 8 bytes (overlapping when n < 16)
    std::memcpy(&a0, a, 8);
    std::memcpy(&b0, b, 8);
    std::memcpy(&a1, a + n - 8, 8);
    std::memcpy(&b1, b + n - 8, 8);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  if (n >= 4) {
    uint32_t a0, b0, a1, b1;
    std::memcpy(&a0, a, 4);
    std::memcpy(&b0, b, 4);
    std::memcpy(&a1, a + n - 4, 4);
    std::memcpy(&b1, b + n - 4, 4);
    return ((a0 ^ b0) | (a1 ^ b1)) == 0;
  }
  if (n == 0) return true;  // (and an empty view may have a null data())
  return a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1];
}

}  // namespace

[[gnu::always_inline]] inline bool FieldMemo::Matches(const Slot& s, const Key& key) const {
  return s.record_type == key.record_type && s.machine == key.machine &&
         s.syscall == key.syscall && s.name_size == key.name.size() &&
         s.key_bytes.size() == key.name.size() + key.value.size() &&
         SameBytes(s.key_bytes.data(), key.name.data(), key.name.size()) &&
         SameBytes(s.key_bytes.data() + key.name.size(), key.value.data(), key.value.size()) &&
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
  const size_t at = hint->slot;
  if (at < slots_.size() && Matches(slots_[at], key)) {
    ++hits_;
    return slots_[at].rendered;
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
