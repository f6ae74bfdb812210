#include "output/container_json.h"

namespace auditlens {

namespace {

void Member(JsonWriter& j, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  j.Key(key);
  j.String(value);
}

}  // namespace

void ContainerJson::Write(const EventFacts& facts, JsonWriter& w) {
  if (facts.process == nullptr || !facts.process->cgroup) return;
  const std::shared_ptr<const CgroupIdentity>& identity = facts.process->cgroup;
  const std::shared_ptr<const ContainerDetails>& details = facts.container;
  if (identity != rendered_for_ || details != rendered_details_) {
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
      if (details) {
        Member(j, "name", details->name);
        if (!details->image.empty()) {
          j.Key("image");
          j.BeginObject();
          Member(j, "name", details->image_name());
          if (std::string_view tag = details->image_tag(); !tag.empty()) {
            j.Key("tag");
            j.BeginArray();
            j.String(tag);
            j.EndArray();
          }
          j.EndObject();
        }
      } else if (identity->runtime == ContainerRuntime::kLxc ||
                 identity->runtime == ContainerRuntime::kNspawn) {
        Member(j, "name", identity->container_id);
      }
      j.EndObject();
    }
    std::string_view pod_uid = identity->pod_uid;
    if (pod_uid.empty() && details) pod_uid = details->pod_uid;
    if (!pod_uid.empty() || (details && !details->pod_name.empty())) {
      j.Key("orchestrator");
      j.BeginObject();
      j.Key("type");
      j.String("kubernetes");
      if (details) Member(j, "namespace", details->pod_namespace);
      j.Key("resource");
      j.BeginObject();
      j.Key("type");
      j.String("pod");
      Member(j, "id", pod_uid);
      if (details) Member(j, "name", details->pod_name);
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
    rendered_details_ = details;
  }
  if (!json_.empty()) w.Raw(json_);
}

void ContainerJson::WriteId(const EventFacts& facts, JsonWriter& w) {
  if (facts.process == nullptr || !facts.process->cgroup) return;
  const CgroupIdentity& identity = *facts.process->cgroup;
  if (identity.runtime == ContainerRuntime::kNone) return;
  w.Key("container");
  w.BeginObject();
  w.Key("id");
  w.String(identity.container_id);
  w.Key("runtime");
  w.String(ContainerRuntimeName(identity.runtime));
  w.EndObject();
}

}  // namespace auditlens
