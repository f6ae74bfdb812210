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

void ProcessJson::RenderSelf(const ProcessImage& image, std::string* out) {
  out->clear();
  JsonWriter w(out);
  w.BeginObject();  // members only are kept: the braces are cut below
  w.Key("entity_id");
  w.String(image.entity_id.view());
  w.Key("start");
  AppendTime(image.start_ms, w);
  if (const ParentSnapshot* parent = image.parent.get()) {
    // The parent, then the parent's ancestry.
    w.Key("ancestry");
    w.BeginArray();
    w.String(parent->entity_id.view());
    for (size_t i = 0; i < parent->ancestry_len; ++i) w.String(parent->ancestry[i].view());
    w.EndArray();
  }
  w.EndObject();
  out->erase(0, 1);
  out->pop_back();
}

void ProcessJson::WriteSelf(const EventFacts& facts, JsonWriter& w) {
  const ProcessImage* image = facts.process;
  if (image == nullptr) return;
  RenderedSelf* kept = nullptr;
  for (size_t t = 0; t < 2; ++t) {
    RenderedSelf& r = selves_[(latest_self_ + t) & 1];
    if (r.generation != 0 && r.generation == image->generation) {
      latest_self_ = (latest_self_ + t) & 1;
      kept = &r;
      break;
    }
  }
  if (kept == nullptr) {
    latest_self_ ^= 1;
    kept = &selves_[latest_self_];
    RenderSelf(*image, &kept->json);
    kept->generation = image->generation;
  }
  w.Raw(kept->json);
  if (facts.process_exit && image->exited) {
    w.Key("exit_code");
    w.Int(image->exit_code);
    w.Key("end");
    AppendTime(image->exit_ms, w);
  }
}

}  // namespace auditlens
