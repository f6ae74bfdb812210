#include "decode/parsed_event.h"

#include <charconv>

#include "record/record_types.h"

namespace auditlens {

void ParsedEvent::Parse(const Event& event) {
  event_ = &event;
  records_.clear();
  fields_.clear();
  syscall_ = -1;
  subject_ = kNotYet;
  for (size_t i = 0; i < arg_count_ && i < args_.size(); ++i) args_[i].clear();
  arg_count_ = 0;
  args_gathered_ = false;
  // A field takes at least two bytes of body ("a="), so this many never reallocate: spans handed
  // out for one record stay valid while others are split later.
  fields_.reserve(event.bytes() / 2 + event.record_count() + 1);
  for (size_t r = 0; r < event.record_count(); ++r) {
    uint16_t type = event.record_type(r);
    records_.push_back({type, false, 0, 0});
    if (type == rectype::kSyscall && syscall_ < 0) syscall_ = static_cast<int>(r);
  }
}

void ParsedEvent::Split(size_t r) const {
  RecordFields& rec = records_[r];
  rec.begin = static_cast<uint32_t>(fields_.size());
  SplitFields(event_->record_body(r), &fields_);
  rec.end = static_cast<uint32_t>(fields_.size());
  rec.split = true;
}

void ParsedEvent::FindSubject() const {
  subject_ = syscall_;
  if (subject_ >= 0) return;
  for (size_t r = 0; r < records_.size(); ++r) {
    if (Has(r, "pid")) {
      subject_ = static_cast<int>(r);
      return;
    }
  }
}

void ParsedEvent::GatherArgs() const {
  args_gathered_ = true;
  for (size_t r = 0; r < records_.size(); ++r) {
    if (records_[r].type != rectype::kExecve) continue;
    for (const Field& f : fields(r)) AddExecveField(f);
  }
}

void ParsedEvent::AddExecveField(const Field& f) const {
  std::string_view n = f.name;
  if (n.size() < 2 || n[0] != 'a' || n[1] < '0' || n[1] > '9') return;
  size_t index = 0;
  auto [p, ec] = std::from_chars(n.data() + 1, n.data() + n.size(), index);
  if (ec != std::errc()) return;
  std::string_view rest(p, n.data() + n.size() - p);
  if (!rest.empty() && rest[0] == '_') return;  // a1_len: only a length
  if (!rest.empty() && rest[0] != '[') return;
  if (index > 1u << 20) return;  // a hostile index must not make us allocate gigabytes
  if (index >= args_.size()) args_.resize(index + 1);
  if (index >= arg_count_) {
    for (size_t i = arg_count_; i <= index; ++i) args_[i].clear();
    arg_count_ = index + 1;
  }
  args_[index].push_back(f.value);
}

std::string_view ParsedEvent::Get(size_t r, std::string_view name) const {
  // Called a dozen times per event for the summary: test size and first byte before comparing.
  for (const Field& f : fields(r)) {
    if (f.name.size() == name.size() && !name.empty() && f.name[0] == name[0] && f.name == name) {
      return f.value;
    }
  }
  return {};
}

bool ParsedEvent::Has(size_t r, std::string_view name) const {
  for (const Field& f : fields(r)) {
    if (f.name == name) return true;
  }
  return false;
}

int ParsedEvent::Find(uint16_t type) const {
  for (size_t r = 0; r < records_.size(); ++r) {
    if (records_[r].type == type) return static_cast<int>(r);
  }
  return -1;
}

}  // namespace auditlens
