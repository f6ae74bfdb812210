#include "output/process_json.h"

#include <cstring>

namespace auditlens {

void ProcessJson::WriteParent(const EventFacts& facts, JsonWriter& w) {
  const ProcessImage* image = facts.process;
  if (image == nullptr || !image->parent || !facts.parent_current) return;
  const ParentSnapshot* parent = image->parent.get();
  for (size_t t = 0; t < 2; ++t) {
    RenderedParent& r = parents_[(latest_ + t) & 1];
    if (r.snapshot.get() == parent) {
      latest_ = (latest_ + t) & 1;
      w.Raw(r.json);
      return;
    }
  }
  latest_ ^= 1;
  RenderedParent& r = parents_[latest_];
  r.snapshot = image->parent;
  r.json.clear();
  JsonWriter pw(&r.json);
  pw.BeginObject();  // members only are kept: the braces are cut below
  pw.Key("entity_id");
  pw.String(parent->entity_id.view());
  if (!parent->exe.empty()) {
    pw.Key("executable");
    pw.String(parent->exe);
  }
  if (parent->args) {
    pw.Key("args");
    pw.BeginArray();
    parent->args->ForEach([&](std::string_view arg) { pw.String(arg); });
    pw.EndArray();
  }
  pw.EndObject();
  r.json.erase(0, 1);
  r.json.pop_back();
  w.Raw(r.json);
}

void ProcessJson::AppendTime(uint64_t ms, JsonWriter& w) {
  scratch_.assign("\"");
  time_cache_.AppendMs(static_cast<int64_t>(ms), &scratch_);
  scratch_.push_back('"');
  w.Raw(scratch_);
}

void ProcessJson::WriteSelf(const EventFacts& facts, JsonWriter& w) {
  const ProcessImage* image = facts.process;
  if (image == nullptr) return;
  w.Key("entity_id");
  char id[18];
  id[0] = '"';
  std::memcpy(id + 1, image->entity_id.hex, 16);
  id[17] = '"';
  w.Raw(std::string_view(id, 18));
  w.Key("start");
  AppendTime(image->start_ms, w);
  if (const ParentSnapshot* parent = image->parent.get()) {
    // The parent, then the parent's ancestry.
    w.Key("ancestry");
    w.BeginArray();
    w.String(parent->entity_id.view());
    for (size_t i = 0; i < parent->ancestry_len; ++i) w.String(parent->ancestry[i].view());
    w.EndArray();
  }
  if (facts.process_exit && image->exited) {
    w.Key("exit_code");
    w.Int(image->exit_code);
    w.Key("end");
    AppendTime(image->exit_ms, w);
  }
}

}  // namespace auditlens
