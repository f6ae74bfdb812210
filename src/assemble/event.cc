#include "assemble/event.h"

namespace auditlens {

void Event::Reset(const Record& first) {
  node_.assign(first.node.data(), first.node.size());
  sec_ = first.sec;
  msec_ = first.msec;
  serial_ = first.serial;
  completion_ = Completion::kEndOfEvent;
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
