#include "enrich/container_state.h"

#include "common/json_value.h"

namespace auditlens {

namespace {

// Sets *field to value (cut to kMaxContainerText) unless value is empty.
void Take(const std::string& value, std::string* field) {
  if (value.empty()) return;
  *field = value.substr(0, kMaxContainerText);
}

// The first non-empty text among an object's members named in keys.
const std::string& FirstOf(const JsonValue& object, std::initializer_list<std::string_view> keys) {
  static const std::string kEmpty;
  if (!object.is_object()) return kEmpty;
  for (std::string_view key : keys) {
    const JsonValue& v = object[key];
    if (v.is_string() && !v.text().empty()) return v.text();
  }
  return kEmpty;
}

// Kubernetes' labels or annotations, as docker, CRI-O and containerd write them.
void TakeKubernetes(const JsonValue& labels, ContainerDetails* out) {
  Take(FirstOf(labels, {"io.kubernetes.container.name", "io.kubernetes.cri.container-name"}),
       &out->name);
  Take(FirstOf(labels, {"io.kubernetes.pod.name", "io.kubernetes.cri.sandbox-name"}),
       &out->pod_name);
  Take(FirstOf(labels, {"io.kubernetes.pod.namespace", "io.kubernetes.cri.sandbox-namespace"}),
       &out->pod_namespace);
  Take(FirstOf(labels, {"io.kubernetes.pod.uid", "io.kubernetes.cri.sandbox-uid"}),
       &out->pod_uid);
  Take(FirstOf(labels, {"io.kubernetes.cri-o.ImageName", "io.kubernetes.cri.image-name"}),
       &out->image);
}

}  // namespace

bool ParseDockerInspect(std::string_view text, ContainerDetails* out) {
  JsonValue root;
  if (!JsonValue::Parse(text, &root) || !root.is_object()) return false;
  const JsonValue& config = root["Config"];
  if (!root["Name"].is_string() && !config.is_object()) return false;
  std::string name = root.Str("Name");
  if (!name.empty() && name[0] == '/') name.erase(0, 1);
  Take(name, &out->name);
  Take(config.Str("Image"), &out->image);
  // A kubelet-made container: its Kubernetes name beats docker's k8s_<container>_<pod>_... name.
  TakeKubernetes(config["Labels"], out);
  return true;
}

bool ParseStorageContainers(std::string_view text, std::string_view id, ContainerDetails* out,
                            bool* listed, std::string* image_id) {
  *listed = false;
  JsonValue root;
  if (!JsonValue::Parse(text, &root) || !root.is_array()) return false;
  for (const JsonValue& c : root.items()) {
    if (!c.is_object() || c.Str("id") != id) continue;
    const JsonValue& names = c["names"];
    if (names.is_array() && !names.items().empty() && names.items()[0].is_string()) {
      Take(names.items()[0].text(), &out->name);
    }
    // podman: {"image-name","image-id","name",...}; CRI-O: also "pod-name", "pod-id".
    JsonValue metadata;
    if (c["metadata"].is_string() && JsonValue::Parse(c.Str("metadata"), &metadata) &&
        metadata.is_object()) {
      Take(metadata.Str("image-name"), &out->image);
      Take(metadata.Str("pod-name"), &out->pod_name);
    }
    if (out->image.empty() && image_id != nullptr) *image_id = c.Str("image");
    *listed = true;
    return true;
  }
  return true;
}

bool ParseStorageImages(std::string_view text, std::string_view image_id, ContainerDetails* out) {
  JsonValue root;
  if (!JsonValue::Parse(text, &root) || !root.is_array()) return false;
  for (const JsonValue& image : root.items()) {
    if (!image.is_object() || image.Str("id") != image_id) continue;
    const JsonValue& names = image["names"];
    if (names.is_array() && !names.items().empty() && names.items()[0].is_string()) {
      Take(names.items()[0].text(), &out->image);
    }
    return true;
  }
  return true;
}

bool ParseOciAnnotations(std::string_view text, ContainerDetails* out) {
  JsonValue root;
  if (!JsonValue::Parse(text, &root) || !root.is_object()) return false;
  TakeKubernetes(root["annotations"], out);
  return true;
}

}  // namespace auditlens
