#include "decode/log_names.h"

#include "common/parse_int.h"
#include "decode/field_kind.h"
#include "decode/value_decoder.h"

namespace auditlens {

void LogNames::SplitTail(std::string_view tail, std::vector<Entry>* out) {
  size_t i = 0;
  while (i < tail.size()) {
    while (i < tail.size() && (tail[i] == ' ' || tail[i] == '\t')) ++i;
    const size_t name_begin = i;
    while (i < tail.size() && tail[i] != '=' && tail[i] != ' ' && tail[i] != '\t') ++i;
    if (i >= tail.size() || tail[i] != '=') continue;  // a bare word: not an entry
    const std::string_view name = tail.substr(name_begin, i - name_begin);
    const size_t value_begin = ++i;
    if (i < tail.size() && (tail[i] == '"' || tail[i] == '{')) {
      // "quoted" (a name needs no quote inside: auditd writes such a name in hex) or { a group
      // with spaces } as auparse writes a sockaddr.
      const char close = tail[i] == '"' ? '"' : '}';
      const size_t end = tail.find(close, i + 1);
      i = end == std::string_view::npos ? tail.size() : end + 1;
    } else {
      while (i < tail.size() && tail[i] != ' ' && tail[i] != '\t') ++i;
    }
    if (!name.empty()) out->push_back({name, tail.substr(value_begin, i - value_begin)});
  }
}

bool LogNames::SelectNode(std::string_view node) {
  if (selected_once_ && node == selected_) return false;
  selected_once_ = true;
  selected_.assign(node.data(), node.size());
  Node* before = current_;
  current_ = nullptr;
  for (const auto& n : nodes_) {
    if (n->node == node) {
      current_ = n.get();
      break;
    }
  }
  return before != current_;
}

bool LogNames::Learn(const ParsedEvent& e) {
  if (!selected_once_) SelectNode(e.event().node());
  bool changed = false;
  for (size_t r = 0; r < e.record_count(); ++r) {
    if (!e.enriched(r).empty()) changed |= LearnRecord(e, r);
  }
  return changed;
}

bool LogNames::LearnRecord(const ParsedEvent& e, size_t r) {
  entries_.clear();
  SplitTail(e.enriched(r), &entries_);
  if (entries_.empty()) return false;
  bool changed = false;
  const auto fields = e.fields(r);
  const uint16_t type = e.record_type(r);
  for (size_t i = 0; i < fields.size(); ++i) {
    const Field& f = fields[i];
    const FieldKind kind = KindOfField(type, f.name, f.value);
    if (kind != FieldKind::kUid && kind != FieldKind::kGid) continue;
    int64_t id = 0;
    if (!ParseI64(f.value, &id) || id < -1 || id > UINT32_MAX) continue;
    // The n-th field of this name pairs with the n-th entry of its name in capitals.
    size_t nth = 0;
    for (size_t j = 0; j < i; ++j) nth += fields[j].name == f.name;
    upper_.assign(f.name.data(), f.name.size());
    for (char& c : upper_) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    const Entry* entry = nullptr;
    for (const Entry& en : entries_) {
      if (en.name == upper_ && nth-- == 0) {
        entry = &en;
        break;
      }
    }
    if (entry == nullptr || entry->value.empty()) continue;
    decoded_.clear();
    ValueDecoder::AppendEscaped(entry->value, &decoded_);
    if (decoded_.empty()) continue;
    if (current_ == nullptr) {
      nodes_.push_back(std::make_unique<Node>());
      current_ = nodes_.back().get();
      current_->node = selected_;
    }
    const uint64_t key = Key(kind == FieldKind::kGid, static_cast<uint32_t>(id));
    auto [it, inserted] = current_->names.try_emplace(key);
    if (!inserted && it->second == decoded_) continue;
    if (inserted && total_ >= kMaxNames) {
      // Full: forget everything and start again with this name.
      current_->names.erase(it);
      nodes_.clear();
      total_ = 0;
      nodes_.push_back(std::make_unique<Node>());
      current_ = nodes_.back().get();
      current_->node = selected_;
      it = current_->names.try_emplace(key).first;
    }
    total_ += inserted;
    it->second = decoded_;
    changed = true;
  }
  return changed;
}

}  // namespace auditlens
