#!/usr/bin/env bash
# Captures the on-disk and API state shapes of real container runtimes into this directory (see
# README.md): one podman container and one docker container, made by tests/kernel/lib_containers.sh
# on state of their own (nothing of the machine's runtimes is read or touched), each file copied
# byte for byte as the runtime wrote or sent it. Run as root, after scripts/install-deps.sh test.
# A runtime that cannot work here is said and left out (its old files are kept); exit 1 then.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../kernel/lib_containers.sh
source "$HERE/../../kernel/lib_containers.sh"
[[ $(id -u) == 0 ]] || { echo "capture: run as root" >&2; exit 1; }

kc_init "$(mktemp -d /tmp/auditlens-capture.XXXXXX)"
trap kc_cleanup EXIT
missing=0
K8S_LABELS=(--label io.kubernetes.pod.name=web-0 --label io.kubernetes.pod.namespace=shop
  --label io.kubernetes.pod.uid=3f1c2a8e-5b7d-4e0a-9c61-2d8f4b7a9e10
  --label io.kubernetes.container.name=web --label io.kubernetes.docker.type=container)

# podman: a created container (containers.json), then initialised (`podman init`: the OCI runtime
# creates it, nothing runs yet), which writes userdata/config.json, the OCI spec. Its limits are
# those lib_containers.sh runs containers with (podman's defaults cannot be set without
# CAP_SYS_RESOURCE: then init fails).
if id=$(kc_podman_create auditlens-capture-podman "${KC_RUN_LIMITS[@]}" -- sleep 3600); then
  cp "$KC_PODMAN_ROOT/overlay-containers/containers.json" "$HERE/podman-containers.json"
  if kc_podman init auditlens-capture-podman >/dev/null; then
    cp "$KC_PODMAN_ROOT/overlay-containers/$id/userdata/config.json" "$HERE/podman-userdata-config.json"
  else
    echo "capture: podman init failed: userdata/config.json not captured" >&2
    missing=1
  fi
  podman --version >"$HERE/podman.version"
else
  echo "capture: podman: ${KC_WHY:-podman create failed}" >&2
  missing=1
fi

# docker: a running container with the labels the kubelet's docker integration sets, so that
# config.v2.json, the API's answer and containerd's bundle config.json all hold them.
if kc_docker_start; then
  if id=$(kc_docker_run auditlens-capture-docker "${K8S_LABELS[@]}" -- sleep 3600) ||
    id=$(kc_docker_create auditlens-capture-docker "${K8S_LABELS[@]}" -- sleep 3600); then
    cp "$KC_DOCKER_ROOT/containers/$id/config.v2.json" "$HERE/docker-config.v2.json"
    curl -sf --unix-socket "$KC_DOCKER_SOCK" "http://localhost/containers/$id/json" >"$HERE/docker-api-container.json"
    bundle=$KC_DOCKER_EXEC/containerd/daemon/io.containerd.runtime.v2.task/moby/$id/config.json
    if [[ -f $bundle ]]; then
      cp "$bundle" "$HERE/docker-containerd-bundle-config.json"
    else
      echo "capture: no containerd bundle (the docker container does not run here)" >&2
      missing=1
    fi
    kc_docker version --format 'client {{.Client.Version}} server {{.Server.Version}}' >"$HERE/docker.version"
  else
    echo "capture: docker: ${KC_WHY:-docker create failed}" >&2
    missing=1
  fi
else
  echo "capture: docker: $KC_WHY" >&2
  missing=1
fi
ls -l "$HERE"
exit "$missing"
