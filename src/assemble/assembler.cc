#include "assemble/assembler.h"

#include "record/record_types.h"

namespace auditlens {

Assembler::Assembler(const AssemblerOptions& options, EventSink* sink)
    : options_(options), sink_(sink) {
  if (options_.max_in_flight == 0) options_.max_in_flight = 1;
}

Assembler::~Assembler() = default;

uint64_t Assembler::RecentKey(std::string_view node, uint64_t time_ms, uint32_t serial) {
  uint32_t h = 2166136261u;  // FNV-1a; node names are short
  for (unsigned char c : node) h = (h ^ c) * 16777619u;
  for (int i = 0; i < 8; ++i) h = (h ^ static_cast<uint8_t>(time_ms >> (8 * i))) * 16777619u;
  return (static_cast<uint64_t>(h | 1u) << 32) | serial;
}

Event* Assembler::Find(const Record& record) {
  // Newest first: records of one event arrive together, so the match is almost always the last.
  for (size_t i = open_.size(); i-- > 0;) {
    Event* e = open_[i];
    if (e->serial() == record.serial && e->time_ms() == record.time_ms() &&
        e->node() == record.node) {
      return e;
    }
  }
  return nullptr;
}

Event* Assembler::Open(const Record& record) {
  if (open_.size() >= options_.max_in_flight) {
    ++evicted_;
    Complete(0, Completion::kEvicted);
  }
  Event* e;
  if (!free_.empty()) {
    e = free_.back();
    free_.pop_back();
  } else {
    pool_storage_.push_back(std::make_unique<Event>());
    e = pool_storage_.back().get();
  }
  e->Reset(record);
  open_.push_back(e);
  const uint64_t key = RecentKey(record.node, record.time_ms(), record.serial);
  for (uint64_t k : recent_) {
    if (k == key) {
      ++late_records_;
      break;
    }
  }
  return e;
}

bool Assembler::OldestOpenLocalSerial(uint32_t ref, uint32_t* serial) const {
  bool found = false;
  int32_t oldest = 0;
  for (const Event* e : open_) {
    if (!e->node().empty()) continue;
    int32_t d = static_cast<int32_t>(e->serial() - ref);
    if (!found || d < oldest) oldest = d;
    found = true;
  }
  if (found) *serial = ref + static_cast<uint32_t>(oldest);
  return found;
}

void Assembler::Add(const Record& record, uint64_t arrival_ms) {
  ++records_;
  uint64_t t = record.time_ms();
  if (t > newest_ms_) newest_ms_ = t;

  Event* e = Find(record);
  if (e == nullptr) {
    if (record.type == rectype::kEoe) {
      // An EOE whose event already completed (by timeout) or never came: nothing to add.
      ++late_records_;
      return;
    }
    e = Open(record);
  } else if (record.type != rectype::kEoe) {
    e->Append(record);
  }
  e->set_last_arrival_ms(arrival_ms != 0 ? arrival_ms : t);

  bool complete = record.type == rectype::kEoe ||
                  (!options_.expect_eoe && record.type == rectype::kProctitle);
  Completion how = Completion::kEndOfEvent;
  if (!complete && e->bytes() >= options_.max_event_bytes) {
    ++evicted_;
    complete = true;
    how = Completion::kEvicted;
  }
  if (!complete && IsStandaloneType(record.type) && e->record_count() == 1) {
    complete = true;
    how = Completion::kStandalone;
  }
  if (complete) {
    for (size_t i = open_.size(); i-- > 0;) {
      if (open_[i] == e) {
        Complete(i, how);
        break;
      }
    }
  }
}

void Assembler::Complete(size_t index, Completion how) {
  Event* e = open_[index];
  open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(index));
  e->set_completion(how);
  ++events_;
  recent_[recent_next_] = RecentKey(e->node(), e->time_ms(), e->serial());
  recent_next_ = (recent_next_ + 1) % kRecentSize;
  sink_->OnEvent(*e);
  free_.push_back(e);
}

void Assembler::AdvanceTime(uint64_t now_ms) {
  for (size_t i = 0; i < open_.size();) {
    if (open_[i]->last_arrival_ms() + options_.timeout_ms <= now_ms) {
      ++timed_out_;
      Complete(i, Completion::kTimeout);
    } else {
      ++i;
    }
  }
}

void Assembler::Flush() {
  while (!open_.empty()) Complete(0, Completion::kFlush);
}

}  // namespace auditlens
