// What a container runtime says about one container, beyond the id its cgroup path gives
// (enrich/cgroup_identity.h): its name, its image and, under Kubernetes, its pod. The container
// catalog (enrich/container_catalog.h) learns it on its own thread from the runtime's state on disk
// or its API socket and hands it out as one immutable object per container; an event whose
// container is not looked up yet has none (EventFacts::container is null) and carries the id alone.
//
// Contract: immutable once published; every member may be empty (the runtime did not say). All of
// it comes from files and sockets other users can write (a container's name and labels are chosen by
// whoever created it): treat it as untrusted text, bounded to kMaxContainerText bytes per member.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace auditlens {

constexpr size_t kMaxContainerText = 512;

struct ContainerDetails {
  std::string id;              // the cgroup's container id it was looked up for
  std::string name;            // "web-1" (docker's leading '/' removed)
  std::string image;           // as the runtime names it: "docker.io/library/nginx:1.25"
  std::string pod_name;        // Kubernetes: the pod's name, namespace and uid
  std::string pod_namespace;
  std::string pod_uid;
  std::string_view source;     // where it came from: "docker-api", "docker-state", "podman-state",
                               // "crio-state", "containerd-state"; static text

  // ECS container.image.name and container.image.tag: the image split at the tag's ':' (after the
  // last '/'); a digest ("@sha256:…") stays in the name and gives no tag.
  std::string_view image_name() const {
    size_t at = image.find('@');
    if (at != std::string::npos) return std::string_view(image).substr(0, at);
    size_t slash = image.rfind('/');
    size_t colon = image.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
      return std::string_view(image).substr(0, colon);
    }
    return image;
  }
  std::string_view image_tag() const {
    if (image.find('@') != std::string::npos) return {};
    size_t slash = image.rfind('/');
    size_t colon = image.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
      return std::string_view(image).substr(colon + 1);
    }
    return {};
  }
};

}  // namespace auditlens
