// Renders the container, Kubernetes pod and systemd unit of an event's process (ProcessImage::cgroup,
// enrich/cgroup_identity.h) as ECS's top-level objects (docs/schema.md#container-and-service):
//
//   "container":{"id":"3f5c…","runtime":"docker"},
//   "orchestrator":{"type":"kubernetes","resource":{"type":"pod","id":"0f9e…"}},
//   "service":{"name":"sshd.service"}
//
// each only when the identity names it. Contract: writes nothing without a process or without its
// identity. Every event of a process repeats them and most processes share their parent's identity
// (one immutable object), so the last rendering is kept with the identity it was made from (held
// here, so its address cannot be reused for another).
#pragma once

#include <memory>
#include <string>

#include "enrich/event_facts.h"
#include "output/json_writer.h"

namespace auditlens {

class ContainerJson {
 public:
  void Write(const EventFacts& facts, JsonWriter& w);

 private:
  std::shared_ptr<const CgroupIdentity> rendered_for_;
  std::string json_;  // members of the event object; empty when the identity names nothing
};

}  // namespace auditlens
