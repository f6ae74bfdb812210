// Renders what the process table knows of an event's process (EventFacts::process,
// enrich/process_image.h) as members of the event's "process" object (docs/sessions.md):
//
//   WriteParent, inside "process.parent" after its "pid":
//     "entity_id":"…","name":"…","executable":"…","args":[…]
//   WriteSelf, at the end of "process":
//     "entity_id":"…","start":"…", and for exit_group "exit_code":N,"end":"…"
//   WriteAuditd, inside the event's "auditd" object (ECS has no field for it):
//     "process":{"ancestry":["…",…]}   the parent's entity id, the grandparent's, …
//
// Contract: writes nothing without a process (or, for the parent, without a known parent, or when
// the record's ppid is no longer the image's parent). Every event of a process repeats these
// members, so they are kept rendered: the parent's for the last two parents (a ParentSnapshot is
// immutable and held here while kept, so its address cannot be reused for another), the image's
// own for the last two images, under their generation (ProcessImage::generation, never reused).
#pragma once

#include <memory>
#include <string>

#include "common/time_format.h"
#include "enrich/event_facts.h"
#include "output/json_writer.h"

namespace auditlens {

class ProcessJson {
 public:
  void WriteParent(const EventFacts& facts, JsonWriter& w);
  void WriteSelf(const EventFacts& facts, JsonWriter& w);
  void WriteAuditd(const EventFacts& facts, JsonWriter& w);

 private:
  void AppendTime(uint64_t ms, JsonWriter& w);

  struct RenderedParent {
    std::shared_ptr<const ParentSnapshot> snapshot;
    std::string json;
  };
  RenderedParent parents_[2];
  size_t latest_ = 0;
  struct RenderedSelf {
    uint64_t generation = 0;  // 0: none
    std::string json;         // members of "process"
    std::string ancestry;     // the array, or empty
  };
  void RenderSelf(const ProcessImage& image, RenderedSelf* out);
  const RenderedSelf* Self(const ProcessImage& image);
  RenderedSelf selves_[2];
  size_t latest_self_ = 0;
  IsoSecondCache time_cache_;
  std::string scratch_;
};

}  // namespace auditlens
