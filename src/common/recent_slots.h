// The two slots that one call site used last, the latest first, and how many times in a row
// neither answered: the lookup hint of the process table's subject memos and of the rendered
// network object (output/network_json.h).
//
// Why: a storm repeats one key at the same place event after event, or two in turn (a connect
// and an accept): comparing what these two slots hold costs less than hashing the key. Where the
// keys are new each time (a pid, a pointer, a port) the second comparison would be paid for
// nothing, so after 4 misses in a row it is made on one miss in 16 only — enough to notice when
// two keys start to take turns.
//
// Contract: slot values are the caller's (an index into its table; kNone for none yet). The
// caller tries slot[0], then slot[1] if tries() is 2, counts a miss or resets misses itself (it
// decides what a miss is: its hint alone, or the hash lookup too), and calls Use() with the slot
// that answered or was filled.
#pragma once

#include <cstddef>
#include <cstdint>

namespace auditlens {

struct RecentSlots {
  static constexpr size_t kNone = static_cast<size_t>(-1);

  size_t slot[2] = {kNone, kNone};
  uint32_t misses = 0;  // lookups in a row that neither slot answered

  // Whether slot[1] is worth trying after slot[0] missed; how many of slot[] to try, in order.
  bool try_second() const { return misses < 4 || misses % 16 == 0; }
  int tries() const { return try_second() ? 2 : 1; }
  // s becomes the latest; the one before it the older.
  void Use(size_t s) {
    if (slot[0] != s) {
      slot[1] = slot[0];
      slot[0] = s;
    }
  }
  // For a pair of entries the caller owns (slot values 0 and 1): the one a new entry replaces.
  size_t Older() const { return slot[0] == 0 ? 1 : 0; }
};

}  // namespace auditlens
