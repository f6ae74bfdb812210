#include "output/process_json.h"

#include <cstring>

#include "common/file_name.h"

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
    // ECS process.parent.name: the program's file name (the child's own name is its comm=).
    pw.Key("name");
    pw.String(FileNameOf(parent->exe));
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

void ProcessJson::WriteParentId(const EventFacts& facts, JsonWriter& w) {
  const ProcessImage* image = facts.process;
  if (image == nullptr || !image->parent || !facts.parent_current) return;
  w.Key("entity_id");
  w.String(image->parent->entity_id.view());
}

void ProcessJson::WriteEntityId(const EventFacts& facts, JsonWriter& w) {
  if (facts.process == nullptr) return;
  w.Key("entity_id");
  w.String(facts.process->entity_id.view());
}

void ProcessJson::AppendTime(uint64_t ms, JsonWriter& w) {
  scratch_.assign("\"");
  time_cache_.AppendMs(static_cast<int64_t>(ms), &scratch_);
  scratch_.push_back('"');
  w.Raw(scratch_);
}

void ProcessJson::RenderSelf(const ProcessImage& image, RenderedSelf* out) {
  out->json.clear();
  JsonWriter w(&out->json);
  w.BeginObject();  // members only are kept: the braces are cut below
  w.Key("entity_id");
  w.String(image.entity_id.view());
  w.Key("start");
  AppendTime(image.start_ms, w);
  if (image.exe_hash && image.exe_hash->state == HashState::kKnown) {
    w.Key("hash");
    w.BeginObject();
    w.Key("sha256");
    w.String(image.exe_hash->sha256);
    w.EndObject();
  }
  w.EndObject();
  out->json.erase(0, 1);
  out->json.pop_back();
  out->ancestry.clear();
  if (const ParentSnapshot* parent = image.parent.get()) {
    // The parent, then the parent's ancestry.
    JsonWriter a(&out->ancestry);
    a.BeginArray();
    a.String(parent->entity_id.view());
    for (size_t i = 0; i < parent->ancestry_len; ++i) a.String(parent->ancestry[i].view());
    a.EndArray();
  }
}

const ProcessJson::RenderedSelf* ProcessJson::Self(const ProcessImage& image) {
  for (size_t t = 0; t < 2; ++t) {
    RenderedSelf& r = selves_[(latest_self_ + t) & 1];
    if (r.generation != 0 && r.generation == image.generation) {
      latest_self_ = (latest_self_ + t) & 1;
      return &r;
    }
  }
  latest_self_ ^= 1;
  RenderedSelf* r = &selves_[latest_self_];
  RenderSelf(image, r);
  r->generation = image.generation;
  return r;
}

void ProcessJson::WriteSelf(const EventFacts& facts, JsonWriter& w) {
  const ProcessImage* image = facts.process;
  if (image == nullptr) return;
  w.Raw(Self(*image)->json);
  if (facts.process_exit && image->exited) {
    w.Key("exit_code");
    w.Int(image->exit_code);
    w.Key("end");
    AppendTime(image->exit_ms, w);
  }
}

const std::string& ProcessJson::Leader(const ProcessImage& leader, RenderedSelf (&kept)[2],
                                       size_t* latest) {
  for (size_t t = 0; t < 2; ++t) {
    RenderedSelf& r = kept[(*latest + t) & 1];
    if (r.generation != 0 && r.generation == leader.generation) {
      *latest = (*latest + t) & 1;
      return r.json;
    }
  }
  *latest ^= 1;
  RenderedSelf& r = kept[*latest];
  r.json.clear();
  JsonWriter w(&r.json);
  w.BeginObject();  // members only are kept: the braces are cut below
  w.Key("entity_id");
  w.String(leader.entity_id.view());
  w.Key("pid");
  w.Int(leader.pid);
  w.Key("start");
  AppendTime(leader.start_ms, w);
  if (!leader.exe.empty()) {
    w.Key("name");
    w.String(FileNameOf(leader.exe));
    w.Key("executable");
    w.String(leader.exe);
  }
  w.EndObject();
  r.json.erase(0, 1);
  r.json.pop_back();
  r.generation = leader.generation;
  return r.json;
}

void ProcessJson::WriteLeaders(const EventFacts& facts, JsonWriter& w) {
  if (facts.process == nullptr) return;
  auto write = [&](std::string_view key, const ProcessImage* leader, RenderedSelf (&kept)[2],
                   size_t* latest) {
    if (leader == nullptr) return;
    w.Key(key);
    w.BeginObject();
    w.Raw(Leader(*leader, kept, latest));
    w.Key("same_as_process");
    w.Bool(leader == facts.process);
    w.EndObject();
  };
  write("session_leader", facts.session_leader, session_leaders_, &latest_session_leader_);
  write("group_leader", facts.group_leader, group_leaders_, &latest_group_leader_);
}

void ProcessJson::WriteAuditd(const EventFacts& facts, JsonWriter& w) {
  const ProcessImage* image = facts.process;
  if (image == nullptr) return;
  // Why process.hash is missing: not hashed yet, too large, unreadable, ...
  const bool hash_status = image->exe_hash && image->exe_hash->state != HashState::kKnown &&
                           image->exe_hash->state != HashState::kNone;
  if (!image->parent && !hash_status) return;
  w.Key("process");
  w.BeginObject();
  if (image->parent) {
    w.Key("ancestry");
    w.Raw(Self(*image)->ancestry);
  }
  if (hash_status) {
    w.Key("hash_status");
    w.String(HashStateName(image->exe_hash->state));
  }
  w.EndObject();
}

}  // namespace auditlens
