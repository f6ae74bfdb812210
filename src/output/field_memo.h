// A memo of rendered JSON members: (record type, field name, raw value, syscall context) →
// `"name":"decoded value"`, so a value seen before is copied instead of decoded and escaped again.
//
// Why: an audit stream repeats itself — the same uid, exe, cwd, arch, comm, key and paths come back
// in event after event — and decoding plus escaping is most of the cost of an event.
//
// Contract: direct-mapped, fixed number of slots (bounded memory; a collision just replaces the
// slot). Lookup verifies the stored key bytes, so a hit is always the exact member. Entries whose
// decoding depends on state that may change (user names) are made stale by Clear(), which the
// formatter calls every 30 s of event time. Values longer than max_value are not memoized.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace auditlens {

class FieldMemo {
 public:
  // slots: a power of two; max_value: longer values are not memoized (bounds the memory).
  explicit FieldMemo(size_t slots = 4096, size_t max_value = 256);

  struct Key {
    uint16_t record_type;
    int16_t machine;
    int16_t syscall;
    std::string_view name;
    std::string_view value;
  };

  // The rendered member, or an empty view.
  std::string_view Find(const Key& key, uint64_t hash) const;
  void Store(const Key& key, uint64_t hash, std::string_view rendered);

  // Where one call site found or stored its key the last time: a storm repeats one key at the same
  // place event after event, and comparing what that slot holds costs less than hashing the key.
  struct Hint {
    static constexpr size_t kNone = static_cast<size_t>(-1);
    size_t slot = kNone;
  };
  // Find that tries the hinted slot first; hashes only when it misses (*hash is then set, else
  // left 0 — Store needs it: pass it on, and Store hashes if it is 0).
  std::string_view Find(const Key& key, Hint* hint, uint64_t* hash) const;
  void Store(const Key& key, uint64_t hash, std::string_view rendered, Hint* hint);
  void Clear();

  static uint64_t Hash(const Key& key);
  // The same, given HashBytes(key.value) (common/hash_bytes.h), when it is known already.
  static uint64_t HashWithValueHash(const Key& key, uint64_t value_hash);

  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint16_t record_type = 0;
    int16_t machine = 0;
    int16_t syscall = 0;
    uint16_t name_size = 0;
    std::string key_bytes;  // name then value
    std::string rendered;
  };
  bool Matches(const Slot& s, const Key& key) const;

  size_t mask_;
  size_t max_value_;
  std::vector<Slot> slots_;
  mutable uint64_t hits_ = 0;
  mutable uint64_t misses_ = 0;
};

}  // namespace auditlens
