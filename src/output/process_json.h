// Renders what the process table knows of an event's process (EventFacts::process,
// enrich/process_image.h) as members of the event's "process" object (docs/sessions.md):
//
//   WriteParent, inside "process.parent" after its "pid":
//     "entity_id":"…","name":"…","executable":"…","args":[…]
//   WriteSelf, at the end of "process":
//     "entity_id":"…","start":"…","hash":{"sha256":"…"} (once the program is hashed), and for
//     exit_group "exit_code":N,"end":"…"
//   WriteLeaders, in "process": the leaders of its session and process group (ECS's session and
//     group leader; the entry leader is the login session's, output/session_json.h):
//     "session_leader":{"entity_id":"…","pid":N,"start":"…","name":"bash",
//                       "executable":"/usr/bin/bash","same_as_process":false},"group_leader":{…}
//   WriteParentId and WriteEntityId, the brief profile's: only "entity_id":"…" of the parent
//     (inside "process.parent", same conditions as WriteParent) and of the process
//   WriteAuditd, inside the event's "auditd" object (ECS has no field for it):
//     "process":{"ancestry":["…",…],   the parent's entity id, the grandparent's, …
//                "hash_status":"pending"}  why process.hash is not there (exe_hasher.h)
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
  void WriteParentId(const EventFacts& facts, JsonWriter& w);
  void WriteEntityId(const EventFacts& facts, JsonWriter& w);
  void WriteAuditd(const EventFacts& facts, JsonWriter& w);
  // "session_leader":{…},"group_leader":{…} inside "process", when the table knows them.
  void WriteLeaders(const EventFacts& facts, JsonWriter& w);

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
  // A leader's members (entity_id, pid, start, name, executable), kept for the last two leaders
  // of each kind under their generation.
  const std::string& Leader(const ProcessImage& leader, RenderedSelf (&kept)[2], size_t* latest);
  RenderedSelf session_leaders_[2];
  size_t latest_session_leader_ = 0;
  RenderedSelf group_leaders_[2];
  size_t latest_group_leader_ = 0;
  RenderedSelf selves_[2];
  size_t latest_self_ = 0;
  IsoSecondCache time_cache_;
  std::string scratch_;
};

}  // namespace auditlens
