// Reading one container's name, image and pod out of what its runtime wrote: the pure parsing half
// of the container catalog (container_catalog.h does the file and socket I/O). Each function takes
// a whole file (or API answer) as text and fills the members it finds in *out, leaving the others
// as they were, so a second source can complete a first; it returns false when the text is not
// what it should be (not JSON, or not the container asked for) and then changes nothing.
//
// The formats, by runtime:
// - docker: /var/lib/docker/containers/<id>/config.v2.json, and the API's GET /containers/<id>/json
//   (podman answers the same on its docker-compatible socket): "Name" ("/web-1"), "Config.Image",
//   and "Config.Labels" with Kubernetes' io.kubernetes.* labels when the kubelet made it.
// - podman and CRI-O (containers/storage): <root>/<driver>-containers/containers.json, a list of
//   {"id", "names", "image" (an image id), "metadata" (a JSON string: "image-name", "name",
//   "pod-name", ...)}, and <root>/<driver>-images/images.json to name an image id.
// - CRI-O and containerd (OCI bundles): config.json's "annotations": io.kubernetes.container.name,
//   io.kubernetes.pod.{name,namespace,uid} and io.kubernetes.cri-o.ImageName (CRI-O);
//   io.kubernetes.cri.{container-name,sandbox-name,sandbox-namespace,sandbox-uid,image-name}
//   (containerd's CRI plugin).
//
// Contract: the text is untrusted (container names and labels are chosen by whoever creates the
// container): every value is cut to kMaxContainerText bytes, nesting is bounded by the JSON reader,
// and nothing here aborts on any input.
#pragma once

#include <string>
#include <string_view>

#include "enrich/container_details.h"

namespace auditlens {

// docker's config.v2.json or an inspect answer of the docker-compatible API.
bool ParseDockerInspect(std::string_view text, ContainerDetails* out);

// containers/storage's containers.json: the entry whose id is `id`; *listed says whether there is
// one. Its image id, when the metadata gives no image name, goes to *image_id (to be named by
// ParseStorageImages).
bool ParseStorageContainers(std::string_view text, std::string_view id, ContainerDetails* out,
                            bool* listed, std::string* image_id);

// containers/storage's images.json: the first name of image `image_id`, into out->image (nothing
// when it is not listed).
bool ParseStorageImages(std::string_view text, std::string_view image_id, ContainerDetails* out);

// An OCI bundle's config.json: the Kubernetes annotations of CRI-O and containerd (none is fine).
bool ParseOciAnnotations(std::string_view text, ContainerDetails* out);

}  // namespace auditlens
