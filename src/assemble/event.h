// An audit event: every record that shares one (node, serial, timestamp), in arrival order. The event owns a
// copy of the record bodies (one buffer, reused from event to event) because records of one event
// may arrive in different receive batches. With each body it keeps what a log line had besides:
// the type's name when this build has no number for it, and an ENRICHED line's tail.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "record/record.h"
#include "record/record_types.h"

namespace auditlens {

// Why the assembler declared the event complete.
enum class Completion : uint8_t {
  kEndOfEvent,   // EOE record (kernel syscall events), or PROCTITLE in logs that have no EOE
  kStandalone,   // a record type that is an event on its own (user-space messages)
  kTimeout,      // no record for the event within the timeout
  kEvicted,      // too many events in flight: the oldest is let go
  kFlush,        // end of input or shutdown
};

class Event {
 public:
  struct Slot {
    uint16_t type;
    uint16_t name_length;      // the written type name, just before the body (type 0 only)
    uint32_t offset;           // of the body
    uint32_t length;
    uint32_t enriched_length;  // the ENRICHED tail, just after the body
  };

  void Reset(const Record& first);
  void Append(const Record& record);

  const std::string& node() const { return node_; }
  uint64_t sec() const { return sec_; }
  uint32_t msec() const { return msec_; }
  uint64_t time_ms() const { return sec_ * 1000 + msec_; }
  uint32_t serial() const { return serial_; }
  size_t record_count() const { return slots_.size(); }
  uint16_t record_type(size_t i) const { return slots_[i].type; }
  // The type's name: libaudit's, UNKNOWN[n] for a number it has no name for, or the name a log
  // wrote for a type this build has no number for (type 0).
  std::string_view record_type_name(size_t i) const {
    const Slot& s = slots_[i];
    if (s.name_length == 0) return RecordTypeName(s.type);
    return std::string_view(text_.data() + s.offset - s.name_length, s.name_length);
  }
  std::string_view record_body(size_t i) const {
    return std::string_view(text_.data() + slots_[i].offset, slots_[i].length);
  }
  // An ENRICHED log line's tail (Record::enriched); empty for RAW lines and netlink records.
  std::string_view record_enriched(size_t i) const {
    const Slot& s = slots_[i];
    return std::string_view(text_.data() + s.offset + s.length, s.enriched_length);
  }
  // How many records have an ENRICHED tail.
  size_t enriched_records() const { return enriched_records_; }
  Completion completion() const { return completion_; }
  void set_completion(Completion c) { completion_ = c; }
  uint64_t last_arrival_ms() const { return last_arrival_ms_; }
  void set_last_arrival_ms(uint64_t ms) { last_arrival_ms_ = ms; }
  size_t bytes() const { return text_.size(); }

 private:
  std::string node_;
  uint64_t sec_ = 0;
  uint32_t msec_ = 0;
  uint32_t serial_ = 0;
  Completion completion_ = Completion::kEndOfEvent;
  uint64_t last_arrival_ms_ = 0;
  std::vector<Slot> slots_;
  std::string text_;
  size_t enriched_records_ = 0;
};

}  // namespace auditlens
