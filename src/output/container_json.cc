#include "output/container_json.h"

namespace auditlens {

void ContainerJson::Write(const EventFacts& facts, JsonWriter& w) {
  if (facts.process == nullptr || !facts.process->cgroup) return;
  const std::shared_ptr<const CgroupIdentity>& identity = facts.process->cgroup;
  if (identity != rendered_for_) {
    json_.clear();
    JsonWriter j(&json_);
    j.BeginObject();  // members only are kept: the braces are cut below
    if (identity->runtime != ContainerRuntime::kNone) {
      j.Key("container");
      j.BeginObject();
      j.Key("id");
      j.String(identity->container_id);
      j.Key("runtime");
      j.String(ContainerRuntimeName(identity->runtime));
      j.EndObject();
    }
    if (!identity->pod_uid.empty()) {
      j.Key("orchestrator");
      j.BeginObject();
      j.Key("type");
      j.String("kubernetes");
      j.Key("resource");
      j.BeginObject();
      j.Key("type");
      j.String("pod");
      j.Key("id");
      j.String(identity->pod_uid);
      j.EndObject();
      j.EndObject();
    }
    if (!identity->service.empty()) {
      j.Key("service");
      j.BeginObject();
      j.Key("name");
      j.String(identity->service);
      j.EndObject();
    }
    j.EndObject();
    json_.erase(0, 1);
    json_.pop_back();
    rendered_for_ = identity;
  }
  if (!json_.empty()) w.Raw(json_);
}

}  // namespace auditlens
