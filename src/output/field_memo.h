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

  // The slots one call site found or stored its keys in the last two times, the latest first. A
  // storm repeats the same key at the same place event after event, or two keys in turn (connect
  // and accept): comparing the bytes in those slots costs less than hashing them (measured:
  // hashing was a tenth of an open event's instructions).
  // A call site whose keys are new each time (a pid, a pointer, a port) would pay for nothing: a
  // second comparison, the hash, the lookup, and storing a key that never comes back. So after a
  // few finds in a row that nothing answered, the second slot is tried only on one in 16, and
  // after 8 the memo is skipped altogether (no hash, no lookup, no Store) but on one in 16, enough
  // to notice when keys start to repeat.
  struct Hint {
    size_t slot[2] = {static_cast<size_t>(-1), static_cast<size_t>(-1)};
    uint32_t misses = 0;   // finds in a row that neither the slots nor the memo answered
    bool skipped = false;  // the last find skipped the memo: Store keeps nothing
    bool TrySecond() const { return misses < 4 || misses % 16 == 0; }
    bool Skip() const { return misses >= 8 && misses % 16 != 0; }
    void Use(size_t s) {
      if (slot[0] != s) {
        slot[1] = slot[0];
        slot[0] = s;
      }
    }
  };
  // Find that tries the hinted slots first; hashes only when both miss (*hash is then set, else
  // left 0 — Store needs it: pass it on, and Store hashes if it is 0; it stores nothing when the
  // find skipped the memo).
  std::string_view Find(const Key& key, Hint* hint, uint64_t* hash) const;
  void Store(const Key& key, uint64_t hash, std::string_view rendered, Hint* hint);
  void Clear();

  static uint64_t Hash(const Key& key);

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
