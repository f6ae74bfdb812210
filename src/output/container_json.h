// Renders the container, Kubernetes pod and systemd unit of an event's process (ProcessImage::cgroup,
// enrich/cgroup_identity.h) and what its runtime says of the container (EventFacts::container,
// enrich/container_details.h) as ECS's top-level objects (docs/schema.md#container-and-service):
//
//   "container":{"id":"3f5c…","runtime":"docker","name":"web-1",
//                "image":{"name":"docker.io/library/nginx","tag":["1.25"]}},
//   "orchestrator":{"type":"kubernetes","namespace":"shop",
//                   "resource":{"type":"pod","id":"0f9e…","name":"web-7d9f"}},
//   "service":{"name":"sshd.service"}
//
// each only when it is known: the id and runtime from the cgroup at once, the name, image and pod
// once the catalog has the runtime's answer (events before it carry the id alone). An lxc or
// systemd-nspawn container's id is its name. Contract: writes nothing without a process or without
// its identity. Every event of a process repeats them and most processes share their parent's
// identity (one immutable object), so the last rendering is kept with the identity and details it
// was made from (held here, so their addresses cannot be reused for others).
//
// WriteId, the brief profile's: the container's id and runtime alone, "container":{"id":"3f5c…",
// "runtime":"docker"} (no unit, pod or catalog answer).
#pragma once

#include <memory>
#include <string>

#include "enrich/event_facts.h"
#include "output/json_writer.h"

namespace auditlens {

class ContainerJson {
 public:
  void Write(const EventFacts& facts, JsonWriter& w);
  void WriteId(const EventFacts& facts, JsonWriter& w);

 private:
  std::shared_ptr<const CgroupIdentity> rendered_for_;
  std::shared_ptr<const ContainerDetails> rendered_details_;
  std::string json_;  // members of the event object; empty when the identity names nothing
};

}  // namespace auditlens
