#include "assemble/event.h"

namespace auditlens {

void Event::Reset(const Record& first) {
  node_.assign(first.node.data(), first.node.size());
  sec_ = first.sec;
  msec_ = first.msec;
  serial_ = first.serial;
  completion_ = Completion::kEndOfEvent;
  // Keep the buffers for the next event, unless an unusually large one grew them: a pool of
  // thousands of events must not each hold on to megabytes.
  constexpr size_t kKeepTextBytes = 1 << 20;
  constexpr size_t kKeepSlots = 1 << 12;
  if (text_.capacity() > kKeepTextBytes) std::string().swap(text_);
  if (slots_.capacity() > kKeepSlots) std::vector<Slot>().swap(slots_);
  slots_.clear();
  text_.clear();
  enriched_records_ = 0;
  Append(first);
}

void Event::Append(const Record& record) {
  if (__builtin_expect((record.type_name.size() | record.enriched.size()) == 0, 1)) {
    slots_.push_back({record.type, 0, static_cast<uint32_t>(text_.size()),
                      static_cast<uint32_t>(record.body.size()), 0});
    text_.append(record.body.data(), record.body.size());
    return;
  }
  // A log's own type name (ParseLogRecord keeps it to 64 bytes) goes before the body, an ENRICHED
  // tail after it.
  const std::string_view name =
      record.type == 0 ? record.type_name.substr(0, UINT16_MAX) : std::string_view();
  text_.append(name.data(), name.size());
  slots_.push_back({record.type, static_cast<uint16_t>(name.size()),
                    static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(record.body.size()),
                    static_cast<uint32_t>(record.enriched.size())});
  text_.append(record.body.data(), record.body.size());
  text_.append(record.enriched.data(), record.enriched.size());
  enriched_records_ += !record.enriched.empty();
}

}  // namespace auditlens
