// An audit event: every record that shares one (node, serial, timestamp), in arrival order. The event owns a
// copy of the record bodies (one buffer, reused from event to event) because records of one event
// may arrive in different receive batches.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "record/record.h"

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
    uint32_t offset;
    uint32_t length;
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
  std::string_view record_body(size_t i) const {
    return std::string_view(text_.data() + slots_[i].offset, slots_[i].length);
  }
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
};

}  // namespace auditlens
