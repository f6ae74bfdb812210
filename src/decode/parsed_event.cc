#include "decode/parsed_event.h"

#include <charconv>
#include <cstring>

#include "common/hash_bytes.h"
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
  indexed_ = false;
  syscall_body_hash_ = 0;
  sockaddr_raw_ = nullptr;
  // A field takes at least two bytes of body ("a="), so this many never reallocate: spans handed
  // out for one record stay valid while others are split later.
  fields_.reserve(event.bytes() / 2 + event.record_count() + 1);
  for (size_t r = 0; r < event.record_count(); ++r) {
    uint16_t type = event.record_type(r);
    records_.push_back({type, false, 0, 0});
    if (type == rectype::kSyscall && syscall_ < 0) syscall_ = static_cast<int>(r);
  }
}

bool ParsedEvent::DecodeSockAddrOnce(std::string_view raw, const SockAddr** out) const {
  *out = &sockaddr_;
  // The same view of the same event's body: the same bytes, already decoded.
  if (sockaddr_raw_ != nullptr && raw.data() == sockaddr_raw_ && raw.size() == sockaddr_raw_size_) {
    return sockaddr_ok_;
  }
  sockaddr_ok_ = DecodeSockAddr(raw, &sockaddr_);
  sockaddr_raw_ = raw.data();
  sockaddr_raw_size_ = raw.size();
  return sockaddr_ok_;
}

void ParsedEvent::SplitSyscall(size_t r) const {
  RecordFields& rec = records_[r];
  const std::string_view body = event_->record_body(r);
  if (body.size() > kSplitMemoMaxBody) {
    rec.begin = static_cast<uint32_t>(fields_.size());
    SplitFields(body, &fields_);
    rec.end = static_cast<uint32_t>(fields_.size());
    rec.split = true;
    return;
  }
  if (split_memo_.empty()) split_memo_.resize(kSplitMemoSlots);
  rec.begin = static_cast<uint32_t>(fields_.size());
  const uint64_t hash = HashBytes(body);
  syscall_body_hash_ = hash;
  SplitMemo& m = split_memo_[hash & (kSplitMemoSlots - 1)];
  if (m.valid && m.hash == hash && m.body == body) {
    const char* base = body.data();
    for (uint32_t i = 0; i < m.count; ++i) {
      const uint16_t* sp = m.spans + 4 * i;
      fields_.push_back({std::string_view(base + sp[0], sp[1]), std::string_view(base + sp[2], sp[3])});
    }
    rec.end = static_cast<uint32_t>(fields_.size());
    rec.split = true;
    std::memcpy(index_, m.index, sizeof(index_));
    indexed_ = true;
    return;
  }
  SplitFields(body, &fields_);
  rec.end = static_cast<uint32_t>(fields_.size());
  rec.split = true;
  BuildIndex();
  // Remembered only when every name and value lies in the body (SplitFields names a few fields
  // itself, e.g. "msg"; those records are split every time) and the index covers the record.
  m.valid = false;
  const uint32_t count = rec.end - rec.begin;
  if (count > kIndexSlots / 2) return;
  const char* lo = body.data();
  const char* hi = lo + body.size();
  for (uint32_t i = 0; i < count; ++i) {
    const Field& f = fields_[rec.begin + i];
    if (f.name.data() < lo || f.name.data() + f.name.size() > hi || f.value.data() < lo ||
        f.value.data() + f.value.size() > hi) {
      return;
    }
    uint16_t* sp = m.spans + 4 * i;
    sp[0] = static_cast<uint16_t>(f.name.data() - lo);
    sp[1] = static_cast<uint16_t>(f.name.size());
    sp[2] = static_cast<uint16_t>(f.value.data() - lo);
    sp[3] = static_cast<uint16_t>(f.value.size());
  }
  m.count = count;
  m.hash = hash;
  m.body.assign(body.data(), body.size());
  std::memcpy(m.index, index_, sizeof(index_));
  m.valid = true;
}

void ParsedEvent::Split(size_t r) const {
  if (static_cast<int>(r) == syscall_) {
    SplitSyscall(r);
    return;
  }
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

void ParsedEvent::BuildIndex() const {
  indexed_ = true;
  std::memset(index_, 0, sizeof(index_));
  auto fs = fields(static_cast<size_t>(syscall_));
  // Half full at most, so every probe ends at an empty slot; a record with more fields (never
  // from the kernel) is left to the scan.
  if (fs.size() > kIndexSlots / 2) return;
  for (size_t i = 0; i < fs.size(); ++i) {
    std::string_view n = fs[i].name;
    if (n.empty()) continue;
    unsigned slot = IndexSlot(n);
    bool seen = false;
    while (index_[slot] != 0) {
      if (fs[index_[slot] - 1].name == n) {
        seen = true;  // the first field of a name is the one Get returns
        break;
      }
      slot = (slot + 1) & (kIndexSlots - 1);
    }
    if (!seen) index_[slot] = static_cast<uint8_t>(i + 1);
  }
}

std::string_view ParsedEvent::Get(size_t r, std::string_view name) const {
  if (static_cast<int>(r) == syscall_ && !name.empty()) {
    fields(r);  // splitting the SYSCALL record builds its index too
    if (!indexed_) BuildIndex();
    if (Indexable(r)) return Probe(r, name);
  }
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
