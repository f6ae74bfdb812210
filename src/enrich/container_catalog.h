// The container catalog: a container's name, image and Kubernetes pod (container_details.h), asked
// of its runtime on a thread of its own and kept, so the pipeline never reads a runtime's file or
// socket. It is also the enricher that puts them on events (EventFacts::container), after the
// process table has given the process its cgroup identity.
//
// Where it looks, by the runtime the cgroup path names (cgroup_identity.h), first answer wins:
// - docker: <docker_root>/containers/<id>/config.v2.json, then GET /containers/<id>/json on
//   docker_socket;
// - podman: containers/storage under containers_storage, then the owner's rootless storage
//   (~/.local/share/containers/storage of the process's uid), then podman_socket (docker-compatible);
// - cri-o: containers/storage (containers.json, then the container's userdata/config.json
//   annotations for its pod);
// - containerd: the OCI bundle's config.json under <containerd_state>/io.containerd.runtime.v2.task
//   /<namespace>/<id>/ (any namespace: k8s.io, moby, ...), then docker's (docker on containerd);
// - lxc and systemd-nspawn: nothing to ask; the cgroup's id is the container's name.
// Formats: container_state.h.
//
// Contract:
// - Enrich() (pipeline thread) costs a string compare when the event's container is the previous
//   event's and nothing new was learnt (a generation counter); otherwise one mutex and one hash
//   lookup. A container not seen before is queued (at most max_queue waiting; past it the request is
//   counted and asked again by a later event, at most once a second) and its events carry the id
//   alone until the answer is there.
// - The worker answers from files (a few reads of files up to kMaxStateFileBytes) or a socket
//   (socket_timeout_ms to connect and again to read; a runtime that does not answer costs the
//   worker, never the pipeline). A container no source knows is asked again after retry_s, when its
//   events still come.
// - At most max_entries containers are kept; past it the oldest half is dropped (asked again).
// - Every failure is counted (counts()): the status file's "containers" object.
// - The destructor stops the worker (at most one socket timeout later).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "enrich/cgroup_identity.h"
#include "enrich/container_details.h"
#include "enrich/enricher.h"

namespace auditlens {

constexpr size_t kMaxStateFileBytes = 16u << 20;

struct ContainerCatalogOptions {
  std::string docker_root = "/var/lib/docker";
  std::string docker_socket = "/run/docker.sock";
  std::string containers_storage = "/var/lib/containers/storage";
  std::string podman_socket = "/run/podman/podman.sock";
  std::string containerd_state = "/run/containerd";
  // Where a rootless user's storage is found: the home directory of the uid (getpwuid).
  bool rootless_storage = true;
  uint32_t socket_timeout_ms = 500;
  uint32_t retry_s = 60;
  size_t max_entries = 4096;
  size_t max_queue = 256;
};

struct ContainerCatalogCounts {
  uint64_t lookups = 0;        // containers asked of their runtime
  uint64_t found = 0;          // answered with a name or image
  uint64_t not_found = 0;      // no source knew the container
  uint64_t bad_state = 0;      // a state file or answer that was not what it should be
  uint64_t socket_errors = 0;  // a runtime socket that exists but refused or broke the request
  uint64_t timeouts = 0;       // a runtime socket that did not answer in time
  uint64_t queue_full = 0;     // requests not queued (asked again later)
  uint64_t cached = 0;         // containers kept now
};

class ContainerCatalog : public Enricher {
 public:
  explicit ContainerCatalog(ContainerCatalogOptions options);
  ~ContainerCatalog() override;
  ContainerCatalog(const ContainerCatalog&) = delete;
  ContainerCatalog& operator=(const ContainerCatalog&) = delete;

  // Sets facts->container from facts->process's cgroup identity.
  void Enrich(const ParsedEvent& event, EventFacts* facts) override;

  // What is known of this container now (null: not yet, or nothing); a container not asked yet is
  // queued. uid: the process's, for a rootless podman's storage. now_ms: a monotonic clock.
  std::shared_ptr<const ContainerDetails> Find(const CgroupIdentity& identity, uint32_t uid,
                                               uint64_t now_ms);
  ContainerCatalogCounts counts() const;
  // Blocks until no request waits or is being answered (tests).
  void Drain();

 private:
  struct Entry {
    std::shared_ptr<const ContainerDetails> details;  // null while asked, or when not found
    bool pending = false;
    uint64_t asked_ms = 0;
  };
  struct Request {
    std::string id;
    ContainerRuntime runtime;
    uint32_t uid;
  };
  void Run();
  // Asks the runtime's sources in turn (no lock held); null when none knows the container.
  std::shared_ptr<const ContainerDetails> LookUp(const Request& r, ContainerCatalogCounts* counts);
  bool FromDockerState(const std::string& id, ContainerDetails* d, ContainerCatalogCounts* counts);
  bool FromStorage(const std::string& root, const std::string& id, ContainerDetails* d,
                   ContainerCatalogCounts* counts);
  bool FromContainerdBundle(const std::string& id, ContainerDetails* d,
                            ContainerCatalogCounts* counts);
  bool FromSocket(const std::string& path, const std::string& id, ContainerDetails* d,
                  ContainerCatalogCounts* counts);

  ContainerCatalogOptions options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::unordered_map<std::string, Entry> entries_;
  std::deque<std::string> order_;  // ids in the order they were added (for the bound)
  std::deque<Request> queue_;
  bool busy_ = false;
  bool stop_ = false;
  ContainerCatalogCounts counts_;
  std::atomic<uint64_t> generation_{0};  // bumped by every answer
  std::thread worker_;

  // Pipeline thread only: the previous event's container and what was known of it.
  std::string memo_id_;
  uint64_t memo_generation_ = ~0ull;
  uint64_t memo_ms_ = 0;
  std::shared_ptr<const ContainerDetails> memo_details_;
};

}  // namespace auditlens
