// An event with its records split into fields, and the records and fields that the summary
// (ECS) part of the output needs, found once. Views point into the Event.
//
// EXECVE arguments are gathered here: "a1" and the pieces "a1[0]", "a1[1]", ... of a long argument
// (possibly spread over several EXECVE records) become one argument of raw pieces, in order.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "assemble/event.h"
#include "decode/sockaddr.h"
#include "record/fields.h"

namespace auditlens {

// Records are split into fields lazily, on first access: an event whose records are memoized by the
// formatter never pays for splitting them. The SYSCALL record (split in every syscall event: the
// summary reads its ids) is remembered by its body: a body seen before, byte for byte (a process
// repeating a syscall), gets its fields and index from the memo instead of being split again. Spans returned by fields() stay valid for the whole
// event (the field storage is reserved up front, so later splits never move it).
class ParsedEvent {
 public:
  // Reuses all capacity from the previous event.
  void Parse(const Event& event);

  const Event& event() const { return *event_; }
  size_t record_count() const { return records_.size(); }
  uint16_t record_type(size_t r) const { return records_[r].type; }
  // Event::record_type_name: libaudit's name, UNKNOWN[n], or the name a log wrote (type 0).
  std::string_view record_type_name(size_t r) const { return event_->record_type_name(r); }
  // Event::record_enriched: an ENRICHED log line's tail; empty otherwise.
  std::string_view enriched(size_t r) const { return event_->record_enriched(r); }
  std::span<const Field> fields(size_t r) const {
    if (!records_[r].split) Split(r);
    return {fields_.data() + records_[r].begin, records_[r].end - records_[r].begin};
  }
  // The raw value of the first field with this name in record r; empty view when absent.
  // On the SYSCALL record (a dozen lookups per event among ~27 fields) a small hash index built
  // on the first lookup answers instead of a scan.
  std::string_view Get(size_t r, std::string_view name) const;
  // The same for a name written as a literal (nearly every caller): on the SYSCALL record once it
  // is indexed, its slot and comparison are folded when compiled, and the probe is inline.
  template <size_t N>
  [[gnu::always_inline]] std::string_view Get(size_t r, const char (&name)[N]) const {
    constexpr size_t n = N - 1;
    static_assert(n > 0, "a field name is never empty");
    if (static_cast<int>(r) == syscall_ && indexed_ && records_[r].split && Indexable(r)) {
      return Probe(r, std::string_view(name, n));
    }
    return Get(r, std::string_view(name, n));
  }
  bool Has(size_t r, std::string_view name) const;
  // Index of the first record of this type, or -1.
  int Find(uint16_t type) const;

  // DecodeSockAddr of a value of this event (the SOCKADDR record's saddr), decoded once: the
  // network enricher, the process table, the record's rendering and the store all read it. *out
  // stays valid for the event (until another value is decoded); the result is DecodeSockAddr's.
  bool DecodeSockAddrOnce(std::string_view raw, const SockAddr** out) const;

  int syscall_record() const { return syscall_; }
  // HashBytes (common/hash_bytes.h) of the SYSCALL record's body once it was split (its split memo
  // hashes it): the formatter's record memo needs the same hash. 0 when not known.
  uint64_t syscall_body_hash() const { return syscall_body_hash_; }
  // The record that describes the process (SYSCALL, else the first with a pid), or -1.
  int subject_record() const {
    if (subject_ == kNotYet) FindSubject();
    return subject_;
  }

  // EXECVE arguments: count, and the raw pieces of argument i (each escaped independently).
  size_t arg_count() const {
    if (!args_gathered_) GatherArgs();
    return arg_count_;
  }
  std::span<const std::string_view> arg_pieces(size_t i) const {
    if (!args_gathered_) GatherArgs();
    return {args_[i].data(), args_[i].size()};
  }

 private:
  struct RecordFields {
    uint16_t type;
    bool split;
    uint32_t begin;
    uint32_t end;
  };
  static constexpr int kNotYet = -2;
  void Split(size_t r) const;
  void FindSubject() const;
  void GatherArgs() const;
  void AddExecveField(const Field& f) const;
  void BuildIndex() const;
  // The SYSCALL record r is covered by its index (half full at most: every probe ends).
  bool Indexable(size_t r) const { return records_[r].end - records_[r].begin <= kIndexSlots / 2; }
  // The first field named name, found through the index of the split SYSCALL record r.
  [[gnu::always_inline]] std::string_view Probe(size_t r, std::string_view name) const {
    const Field* fs = fields_.data() + records_[r].begin;
    for (unsigned slot = IndexSlot(name); index_[slot] != 0; slot = (slot + 1) & (kIndexSlots - 1)) {
      const Field& f = fs[index_[slot] - 1];
      if (f.name.size() == name.size() && std::memcmp(f.name.data(), name.data(), name.size()) == 0) {
        return f.value;
      }
    }
    return {};
  }
  void SplitSyscall(size_t r) const;
  static unsigned IndexSlot(std::string_view name) {
    return (static_cast<unsigned>(name.size()) * 31u + static_cast<unsigned char>(name[0]) * 7u +
            static_cast<unsigned char>(name.back())) & (kIndexSlots - 1);
  }

  const Event* event_ = nullptr;
  mutable std::vector<RecordFields> records_;
  mutable std::vector<Field> fields_;
  int syscall_ = -1;
  mutable int subject_ = kNotYet;
  mutable bool args_gathered_ = false;
  mutable size_t arg_count_ = 0;
  mutable std::vector<std::vector<std::string_view>> args_;  // inner vectors keep their capacity
  // Index of the SYSCALL record's fields: slot → field number + 1 (0: empty), open addressing.
  static constexpr unsigned kIndexSlots = 64;
  mutable bool indexed_ = false;
  mutable uint64_t syscall_body_hash_ = 0;
  mutable uint8_t index_[kIndexSlots] = {};
  // Recently split SYSCALL bodies: direct-mapped by a hash of the body, verified byte for byte.
  struct SplitMemo {
    uint64_t hash = 0;
    bool valid = false;
    std::string body;
    uint32_t count = 0;
    uint16_t spans[4 * (kIndexSlots / 2)];  // per field: name offset and size, value offset and size
    uint8_t index[kIndexSlots] = {};
  };
  static constexpr size_t kSplitMemoSlots = 16;
  static constexpr size_t kSplitMemoMaxBody = 4096;
  mutable std::vector<SplitMemo> split_memo_;
  // DecodeSockAddrOnce's: the value last decoded in this event (its raw view) and the result.
  mutable const char* sockaddr_raw_ = nullptr;
  mutable size_t sockaddr_raw_size_ = 0;
  mutable bool sockaddr_ok_ = false;
  mutable SockAddr sockaddr_;
};

}  // namespace auditlens
