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
  Append(first);
}

void Event::Append(const Record& record) {
  slots_.push_back({record.type, static_cast<uint32_t>(text_.size()),
                    static_cast<uint32_t>(record.body.size())});
  text_.append(record.body.data(), record.body.size());
}

}  // namespace auditlens
