#include "enrich/container_catalog.h"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <httplib.h>

#include <vector>

#include "common/clock.h"
#include "enrich/container_state.h"

namespace auditlens {

namespace {

enum class ReadResult { kOk, kMissing, kTooLarge };

// The whole file, when it is a regular file of at most kMaxStateFileBytes.
ReadResult ReadStateFile(const std::string& path, std::string* text) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return ReadResult::kMissing;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return ReadResult::kMissing;
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxStateFileBytes) {
    close(fd);
    return ReadResult::kTooLarge;
  }
  text->clear();
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (text->size() + static_cast<size_t>(n) > kMaxStateFileBytes) {
      close(fd);
      return ReadResult::kTooLarge;
    }
    text->append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return ReadResult::kOk;
}

// Reads path and hands it to parse; a file there that does not parse (or is too large) is counted.
template <typename Parse>
bool FromFile(const std::string& path, ContainerCatalogCounts* counts, Parse parse) {
  std::string text;
  ReadResult r = ReadStateFile(path, &text);
  if (r == ReadResult::kMissing) return false;
  if (r == ReadResult::kTooLarge || !parse(text)) {
    ++counts->bad_state;
    return false;
  }
  return true;
}

// The entries of a directory whose names end with suffix (at most 64: storage drivers, containerd
// namespaces).
std::vector<std::string> EntriesEndingWith(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == ".." || name.size() < suffix.size() ||
        name.substr(name.size() - suffix.size()) != suffix) {
      continue;
    }
    out.emplace_back(name);
    if (out.size() >= 64) break;
  }
  closedir(d);
  return out;
}

// The uid's rootless containers/storage root, or "" (root's is the system one).
std::string RootlessStorage(uint32_t uid) {
  if (uid == 0 || uid == 0xffffffffu) return {};
  passwd pw;
  passwd* found = nullptr;
  char buf[4096];
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) != 0 || found == nullptr ||
      pw.pw_dir == nullptr || pw.pw_dir[0] != '/') {
    return {};
  }
  return std::string(pw.pw_dir) + "/.local/share/containers/storage";
}

bool Named(const ContainerDetails& d) { return !d.name.empty() || !d.image.empty(); }

}  // namespace

ContainerCatalog::ContainerCatalog(ContainerCatalogOptions options)
    : options_(std::move(options)), worker_([this] { Run(); }) {}

ContainerCatalog::~ContainerCatalog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void ContainerCatalog::Enrich(const ParsedEvent&, EventFacts* facts) {
  const ProcessImage* p = facts->process;
  if (p == nullptr || !p->cgroup) return;
  const CgroupIdentity& c = *p->cgroup;
  if (c.runtime == ContainerRuntime::kNone || c.runtime == ContainerRuntime::kLxc ||
      c.runtime == ContainerRuntime::kNspawn) {
    return;
  }
  uint64_t generation = generation_.load(std::memory_order_acquire);
  if (c.container_id == memo_id_ && generation == memo_generation_) {
    if (memo_details_ || MonotonicMsCoarse() < memo_ms_ + 1000) {
      facts->container = memo_details_;
      return;
    }
  }
  uint64_t now = MonotonicMsCoarse();
  memo_details_ = Find(c, p->uid, now);
  memo_id_ = c.container_id;
  memo_generation_ = generation;
  memo_ms_ = now;
  facts->container = memo_details_;
}

std::shared_ptr<const ContainerDetails> ContainerCatalog::Find(const CgroupIdentity& identity,
                                                               uint32_t uid, uint64_t now_ms) {
  if (identity.container_id.empty()) return nullptr;
  bool queued = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(identity.container_id);
    if (it != entries_.end()) {
      Entry& e = it->second;
      if (e.details || e.pending) return e.details;
      if (now_ms < e.asked_ms + uint64_t{options_.retry_s} * 1000) return nullptr;
    }
    if (queue_.size() >= options_.max_queue) {
      ++counts_.queue_full;
      return nullptr;
    }
    if (it == entries_.end()) {
      if (entries_.size() >= options_.max_entries) {
        size_t drop = entries_.size() / 2;
        while (drop-- > 0 && !order_.empty()) {
          entries_.erase(order_.front());
          order_.pop_front();
        }
      }
      it = entries_.emplace(identity.container_id, Entry{}).first;
      order_.push_back(identity.container_id);
    }
    it->second.pending = true;
    it->second.asked_ms = now_ms;
    queue_.push_back(Request{identity.container_id, identity.runtime, uid});
    queued = true;
  }
  if (queued) wake_.notify_one();
  return nullptr;
}

ContainerCatalogCounts ContainerCatalog::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  ContainerCatalogCounts c = counts_;
  c.cached = entries_.size();
  return c;
}

void ContainerCatalog::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  drained_.wait(lock, [this] { return (queue_.empty() && !busy_) || stop_; });
}

void ContainerCatalog::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) break;
    Request r = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    ContainerCatalogCounts counts;
    std::shared_ptr<const ContainerDetails> details = LookUp(r, &counts);
    lock.lock();
    busy_ = false;
    counts_.lookups += 1;
    counts_.found += details ? 1 : 0;
    counts_.not_found += details ? 0 : 1;
    counts_.bad_state += counts.bad_state;
    counts_.socket_errors += counts.socket_errors;
    counts_.timeouts += counts.timeouts;
    if (auto it = entries_.find(r.id); it != entries_.end()) {
      it->second.details = std::move(details);
      it->second.pending = false;  // asked_ms stays the time it was asked (the caller's clock)
    }
    generation_.fetch_add(1, std::memory_order_release);
    if (queue_.empty()) drained_.notify_all();
  }
  drained_.notify_all();
}

std::shared_ptr<const ContainerDetails> ContainerCatalog::LookUp(const Request& r,
                                                                 ContainerCatalogCounts* counts) {
  auto d = std::make_shared<ContainerDetails>();
  d->id = r.id;
  bool found = false;
  switch (r.runtime) {
    case ContainerRuntime::kDocker:
      if ((found = FromDockerState(r.id, d.get(), counts))) {
        d->source = "docker-state";
      } else if ((found = FromSocket(options_.docker_socket, r.id, d.get(), counts))) {
        d->source = "docker-api";
      }
      break;
    case ContainerRuntime::kPodman: {
      if ((found = FromStorage(options_.containers_storage, r.id, d.get(), counts))) {
        d->source = "podman-state";
        break;
      }
      std::string rootless = options_.rootless_storage ? RootlessStorage(r.uid) : std::string();
      if (!rootless.empty() && (found = FromStorage(rootless, r.id, d.get(), counts))) {
        d->source = "podman-state";
      } else if ((found = FromSocket(options_.podman_socket, r.id, d.get(), counts))) {
        d->source = "podman-api";
      }
      break;
    }
    case ContainerRuntime::kCriO:
      if ((found = FromStorage(options_.containers_storage, r.id, d.get(), counts))) {
        d->source = "crio-state";
      }
      break;
    case ContainerRuntime::kContainerd:
      if ((found = FromContainerdBundle(r.id, d.get(), counts))) {
        d->source = "containerd-state";
      } else if ((found = FromDockerState(r.id, d.get(), counts))) {
        d->source = "docker-state";
      }
      break;
    default:
      break;
  }
  if (!found || (!Named(*d) && d->pod_name.empty())) return nullptr;
  return d;
}

bool ContainerCatalog::FromDockerState(const std::string& id, ContainerDetails* d,
                                       ContainerCatalogCounts* counts) {
  return FromFile(options_.docker_root + "/containers/" + id + "/config.v2.json", counts,
                  [&](const std::string& text) { return ParseDockerInspect(text, d); });
}

bool ContainerCatalog::FromStorage(const std::string& root, const std::string& id,
                                   ContainerDetails* d, ContainerCatalogCounts* counts) {
  // <root>/<driver>-containers/containers.json, for whichever driver the storage uses.
  for (const std::string& dir : EntriesEndingWith(root, "-containers")) {
    std::string image_id;
    bool listed = false;
    FromFile(root + "/" + dir + "/containers.json", counts, [&](const std::string& text) {
      return ParseStorageContainers(text, id, d, &listed, &image_id);
    });
    if (!listed) continue;
    if (d->image.empty() && !image_id.empty()) {
      std::string driver = dir.substr(0, dir.size() - std::string_view("-containers").size());
      FromFile(root + "/" + driver + "-images/images.json", counts,
               [&](const std::string& text) { return ParseStorageImages(text, image_id, d); });
    }
    // CRI-O keeps the container's OCI config (its pod's annotations) beside its storage.
    FromFile(root + "/" + dir + "/" + id + "/userdata/config.json", counts,
             [&](const std::string& text) { return ParseOciAnnotations(text, d); });
    return true;
  }
  return false;
}

bool ContainerCatalog::FromContainerdBundle(const std::string& id, ContainerDetails* d,
                                            ContainerCatalogCounts* counts) {
  for (const char* tasks : {"/io.containerd.runtime.v2.task", "/io.containerd.runtime.v1.linux"}) {
    std::string dir = options_.containerd_state + tasks;
    for (const std::string& ns : EntriesEndingWith(dir, "")) {
      if (FromFile(dir + "/" + ns + "/" + id + "/config.json", counts,
                   [&](const std::string& text) { return ParseOciAnnotations(text, d); })) {
        return true;
      }
    }
  }
  return false;
}

bool ContainerCatalog::FromSocket(const std::string& path, const std::string& id,
                                  ContainerDetails* d, ContainerCatalogCounts* counts) {
  struct stat st;
  if (path.empty() || stat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return false;
  httplib::Client client(path);
  client.set_address_family(AF_UNIX);
  const time_t sec = options_.socket_timeout_ms / 1000;
  const time_t usec = (options_.socket_timeout_ms % 1000) * 1000;
  client.set_connection_timeout(sec, usec);
  client.set_read_timeout(sec, usec);
  client.set_write_timeout(sec, usec);
  std::string body;
  bool too_large = false;
  uint64_t start = MonotonicMs();
  // An id is 64 hex characters (cgroup_identity.h): nothing to escape in the path.
  auto result = client.Get("/containers/" + id + "/json", httplib::Headers{{"Host", "localhost"}},
                           [&](const char* data, size_t n) {
                             if (body.size() + n > kMaxStateFileBytes) {
                               too_large = true;
                               return false;
                             }
                             body.append(data, n);
                             return true;
                           });
  if (!result) {
    if (too_large) {
      ++counts->bad_state;
    } else if (MonotonicMs() - start >= options_.socket_timeout_ms) {
      ++counts->timeouts;
    } else {
      ++counts->socket_errors;
    }
    return false;
  }
  if (result->status == 404) return false;
  if (result->status != 200) {
    ++counts->socket_errors;
    return false;
  }
  if (!ParseDockerInspect(body, d)) {
    ++counts->bad_state;
    return false;
  }
  return true;
}

}  // namespace auditlens
