#include "agent/agent_store.h"

#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "common/boot_id.h"

namespace auditlens {

void AgentStore::Attach(const Config& config, const std::string& host, PipelineOptions* options,
                        LogFn log) {
  log_ = log;
  // The environment variable is for side-by-side measurements without editing the config.
  const char* env = getenv("AUDITLENS_PROCESS_TREE");
  if (!config.enrich.process_tree || (env != nullptr && strcmp(env, "off") == 0)) {
    log_("process tree, sessions and store off (enrich.process_tree = false)");
    return;
  }
  const std::string boot_id = log_input_ ? boot_id_ : ReadBootId();
  ProcessTableOptions table_options;
  table_options.boot_id = boot_id;
  // A log's host is not this one: nothing of this machine's /proc describes its processes.
  table_options.proc_root = log_input_ ? "" : "/proc";
  table_options.track_netns = !log_input_ && !config.netns.empty();
  table_options.track_cgroups = !log_input_ && config.enrich.containers;
  tracks_cgroups_ = table_options.track_cgroups;
  if (config.enrich.hash && !log_input_) {
    ExeHasherOptions hash_options;
    hash_options.max_file_bytes = config.enrich.hash_max_bytes;
    hash_options.bytes_per_s = config.enrich.hash_bytes_per_s;
    hasher_ = std::make_unique<ExeHasher>(hash_options);
    table_options.hasher = hasher_.get();
  }
  table_options.max_cgroup_reads_per_s = config.enrich.containers_reads_per_s;
  table_options.labeler = labeler_;
  if (log_input_ && exited_keep_ms_ > 0) table_options.exited_keep_ms = exited_keep_ms_;
  table_ = std::make_unique<ProcessTable>(table_options);
  SessionTrackerOptions session_options;
  session_options.boot_id = boot_id;
  sessions_ = std::make_unique<SessionTracker>(session_options, table_.get());
  size_t processes = log_input_ ? 0 : table_->SeedFromProc();
  size_t seeded_sessions = log_input_ ? 0 : sessions_->SeedFromTable();
  // The table first: the tracker and the catalog read what it found in the same event.
  options->enrichers.push_back(table_.get());
  if (config.enrich.containers && config.containers.details && !log_input_) {
    ContainerCatalogOptions catalog_options;
    catalog_options.docker_root = config.containers.docker_root;
    catalog_options.docker_socket = config.containers.docker_socket;
    catalog_options.containers_storage = config.containers.storage;
    catalog_options.podman_socket = config.containers.podman_socket;
    catalog_options.containerd_state = config.containers.containerd_state;
    catalog_options.socket_timeout_ms = config.containers.socket_timeout_ms;
    catalog_ = std::make_unique<ContainerCatalog>(catalog_options);
    options->enrichers.push_back(catalog_.get());
  }
  options->enrichers.push_back(sessions_.get());

  RecorderOptions recorder_options;
  recorder_options.index_all_events = config.store.index_all_events;
  if (labeler_ != nullptr) recorder_options.label_names = &labeler_->names();
  uint64_t netns = 0;
  std::string netns_error;
  if (!config.netns.empty() && !log_input_) {
    // Agent::Start checked the file; the scope exists only when it still reads.
    if (NetnsInode(config.netns, &netns, &netns_error)) {
      scope_ = std::make_unique<NetnsScope>(netns);
      options->filter = scope_.get();
      recorder_options.netns = netns;
    } else {
      log_(netns_error);
    }
  }
  recorder_ = std::make_unique<Recorder>(table_.get(), sessions_.get(), nullptr, recorder_options);
  options->observers.push_back(recorder_.get());
  host_ = host;
  boot_id_ = boot_id;
  if (!log_input_) {
    log_(fmt::format("process tree: {} processes and {} open sessions from /proc", processes,
                     seeded_sessions));
  }
  if (scope_) log_(fmt::format("reporting only the processes of network namespace {} (inode {})",
                               config.netns, netns));
}

std::string AgentStore::CgroupStatusJson() const {
  std::string out;
  if (table_ && tracks_cgroups_) {
    const CgroupReadCounts& c = table_->cgroup_counts();
    out += fmt::format(",\"cgroups\":{{\"reads\":{},\"unreadable\":{},\"over_budget\":{},"
                       "\"skipped_lines\":{}}}",
                       c.reads, c.unreadable, c.over_budget, c.skipped_lines);
  }
  if (catalog_) {
    const ContainerCatalogCounts k = catalog_->counts();
    out += fmt::format(",\"containers\":{{\"lookups\":{},\"found\":{},\"not_found\":{},"
                       "\"bad_state\":{},\"socket_errors\":{},\"timeouts\":{},"
                       "\"queue_full\":{},\"cached\":{}}}",
                       k.lookups, k.found, k.not_found, k.bad_state, k.socket_errors, k.timeouts,
                       k.queue_full, k.cached);
  }
  if (table_ && hasher_) {
    const ExeHasherCounts h = hasher_->counts();
    out += fmt::format(",\"hashes\":{{\"hashed\":{},\"bytes\":{},\"too_large\":{},"
                       "\"unreadable\":{},\"changed\":{},\"queue_full\":{}}}",
                       h.hashed, h.bytes, h.too_large, h.unreadable, h.changed, h.queue_full);
  }
  return out;
}

void AgentStore::OpenSqlite(const Config& config) {
  if (!config.store.enabled || config.store.path.empty()) return;
  StoreOptions store_options;
  store_options.path = config.store.path;
  store_options.host = host_;
  store_options.boot_id = boot_id_;
  store_options.retention_days = config.store.retention_days;
  store_options.max_bytes = config.store.max_bytes;
  store_options.wait_when_full = file_input_;
  if (file_input_) store_options.cache_kib = cache_kib_ > 0 ? cache_kib_ : 65536;  // memory for speed
  if (queue_rows_ > 0) store_options.queue_rows = queue_rows_;
  auto store = std::make_unique<SqliteStore>();
  std::string error;
  if (!store->Open(store_options, &error)) {
    log_("store disabled: " + error);
    return;
  }
  store_ = std::move(store);
  path_ = config.store.path;
  log_("store: " + path_);
}

void AgentStore::Tick(Pipeline* pipeline, uint64_t now_ms) {
  TickFleet(pipeline, now_ms);
  if (!store_) return;
  StoreStats stats = store_->stats();
  if (stats.dropped != reported_dropped_) {
    std::string detail = fmt::format(
        "the store's queue was full: {} rows (events, processes, sessions) were not written to {}; "
        "the JSON output has every event",
        stats.dropped - reported_dropped_, path_);
    LossInfo loss;
    loss.cause = "store-full";
    loss.count = stats.dropped - reported_dropped_;
    loss.time_ms = now_ms;
    loss.detail = detail;
    pipeline->ReportLoss(loss);
    reported_dropped_ = stats.dropped;
  }
  if (stats.write_errors != reported_errors_) {
    log_(fmt::format("store: {} write errors, the last: {}", stats.write_errors - reported_errors_,
                     stats.last_error));
    reported_errors_ = stats.write_errors;
  }
}

void AgentStore::Stop() {
  StopFleet();
  if (!store_) return;
  store_->Close();
  StoreStats stats = store_->stats();
  const double cpu_s = static_cast<double>(stats.writer_cpu_ns) / 1e9;
  log_(fmt::format("store: {} rows written in {} transactions, {} dropped, {} write errors; "
                   "writer thread {:.2f} s CPU ({:.0f} rows/s of its CPU), "
                   "{} waits for the writer, "
                   "{} WAL checkpoints ({} by the writer)",
                   stats.rows_written, stats.transactions, stats.dropped, stats.write_errors,
                   cpu_s, cpu_s > 0 ? static_cast<double>(stats.rows_written) / cpu_s : 0.0,
                   stats.producer_waits, stats.checkpoints + stats.writer_checkpoints,
                   stats.writer_checkpoints));
}

}  // namespace auditlens
