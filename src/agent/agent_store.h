// What `auditlens run` adds for "what each user did": the process table and the session tracker
// (enrichers of every event), and, when [store] is enabled, the SQLite store with its recorder.
// Kept in one place so the agent's run loop only calls Attach, Tick and Stop.
//
// Contract:
// - Attach(): reads the boot id, seeds the process table and the sessions from /proc, adds the
//   enrichers and the recorder to the pipeline options; with [agent] netns, the scope
//   (filter/netns_scope.h) as the pipeline's filter. [enrich] process_tree = false (or
//   AUDITLENS_PROCESS_TREE=off in the environment, for measurements) leaves all of it out.
// - set_log_input(boot_id) before Attach: the events come from a log of a host that may not be
//   this one (`auditlens import`): nothing is read from this machine (no boot id, no /proc seed or
//   adoptions, no cgroups, namespaces, program hashes or container runtimes); a process is known
//   from its first record. boot_id (a stable id derived from the log's host) is what this
//   machine's boot id is for a live agent: part of every entity and session id. The caller points
//   the names at the log's (UseLogNames).
// - OpenStore(): once the agent holds the kernel (a refused second agent never writes the store):
//   opens it and writes the processes and sessions found at start. A store that cannot be opened
//   is logged and left out: the events still flow.
// - set_file_input(true) before OpenStore: the input is a file, the reader waits for the store's
//   writer and no row is dropped. The live agent never sets it.
// - Tick() (once a second): rows the full ring refused since the last tick become one loss event of
//   cause "store-full".
// - Stop(): after the pipeline's last event: writes what is queued and closes the store.
// - The fleet store ([store] postgres, docs/fleet.md) is opened beside (or instead of) SQLite: the
//   recorder's rows go to both through a TeeSink. Tick reports its losses as "fleet-queue-full"
//   (its ring) and "fleet-spool-full" (the database unreachable and the spool full) loss events and
//   logs when the connection comes and goes; FleetStatusJson() is its member of the status file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "agent/pipeline.h"
#include "config/config.h"
#include "filter/netns_scope.h"
#include "enrich/container_catalog.h"
#include "enrich/process_table.h"
#include "enrich/session_tracker.h"
#include "store/postgres_store.h"
#include "store/recorder.h"
#include "store/sqlite_store.h"
#include "store/tee_sink.h"

namespace auditlens {

class AgentStore {
 public:
  using LogFn = void (*)(const std::string&);

  void Attach(const Config& config, const std::string& host, PipelineOptions* options, LogFn log);
  void OpenStore(const Config& config);
  void set_log_input(const std::string& boot_id) {
    log_input_ = true;
    boot_id_ = boot_id;
  }
  // After the pipeline exists: the recorder's and the session tracker's names of ids are the
  // log's own first (pipeline.log_names()), then those of configure(IdNames&) (a source, or
  // files), as the pipeline's are. configure returns false (with *error) when files cannot be read.
  template <typename Configure>
  bool UseLogNames(Pipeline& pipeline, Configure configure, std::string* error) {
    if (!table_) return true;
    IdNames* all[] = {&table_->decoder().ids(), &sessions_->names()};
    for (IdNames* ids : all) {
      ids->set_log_names(&pipeline.log_names());
      if (!configure(*ids, error)) return false;
    }
    return true;
  }
  // Before OpenStore, for a file as input (bench_replay, import), never for the live agent: the
  // store's full ring makes the reader wait instead of dropping rows
  // (StoreOptions::wait_when_full), and the store gets a larger page cache.
  void set_file_input(bool file_input) { file_input_ = file_input; }
  // Before OpenStore, with file input: the writer's page cache instead of file input's 64 MiB
  // (import keeps its memory lower).
  void set_cache_kib(uint32_t kib) { cache_kib_ = kib; }
  // Before OpenStore: the ring's rows instead of StoreOptions' default (bench_replay, tests).
  void set_queue_rows(size_t rows) { queue_rows_ = rows; }
  // Before Attach, with log input: how long the process table keeps an exited image (of event
  // time) instead of ProcessTableOptions' default (`auditlens import`: a log's records come in
  // the order they were written). 0: the default.
  void set_exited_keep_ms(uint64_t ms) { exited_keep_ms_ = ms; }
  void Tick(Pipeline* pipeline, uint64_t now_ms);
  void Stop();
  // `,"fleet":{…}` for the status file, or "" without a fleet store.
  std::string FleetStatusJson() const;
  // `,"cgroups":{"reads":N,"unreadable":N,"over_budget":N,"skipped_lines":N}` (the process table's
  // reads of /proc/PID/cgroup) and `,"hashes":{"hashed":N,"bytes":N,…}` (the program hasher) for
  // the status file, and `,"containers":{"lookups":N,"found":N,…}` (the container catalog's
  // questions to the runtimes); each "" when off.
  std::string CgroupStatusJson() const;

  ProcessTable* table() { return table_.get(); }
  // Process labels for the table (before Attach; not owned; null: none).
  void set_labeler(const ProcessLabeler* labeler) { labeler_ = labeler; }
  SessionTracker* sessions() { return sessions_.get(); }
  SqliteStore* store() { return store_.get(); }
  bool fleet_open() const { return fleet_ != nullptr; }
  // The fleet store's counters (after Stop: what it delivered, spooled and dropped in all).
  PostgresStats fleet_stats() const { return fleet_ ? fleet_->stats() : PostgresStats(); }
  // Whether events are scoped to [agent] netns (filter/netns_scope.h): false without the process
  // tree, which the scope needs.
  bool scoped() const { return scope_ != nullptr; }

 private:
  void OpenSqlite(const Config& config);
  void OpenFleet(const Config& config);
  void TickFleet(Pipeline* pipeline, uint64_t now_ms);
  void StopFleet();

  LogFn log_ = nullptr;
  // Declared before the table: the table points at it, so it is destroyed after.
  std::unique_ptr<ExeHasher> hasher_;
  // The container catalog: an enricher after the table (it reads the event's image).
  std::unique_ptr<ContainerCatalog> catalog_;
  const ProcessLabeler* labeler_ = nullptr;
  std::unique_ptr<ProcessTable> table_;
  bool tracks_cgroups_ = false;
  std::unique_ptr<SessionTracker> sessions_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<PostgresStore> fleet_;
  std::unique_ptr<TeeSink> tee_;
  PostgresStats fleet_reported_;  // what Tick has reported so far
  std::string fleet_spool_path_;
  std::unique_ptr<NetnsScope> scope_;
  bool file_input_ = false;
  bool log_input_ = false;
  size_t queue_rows_ = 0;  // 0: StoreOptions' default
  uint64_t exited_keep_ms_ = 0;  // 0: ProcessTableOptions' default
  uint32_t cache_kib_ = 0;  // 0: file input's 64 MiB
  uint64_t reported_dropped_ = 0;
  uint64_t reported_errors_ = 0;
  std::string path_;
  std::string host_;
  std::string boot_id_;
};

}  // namespace auditlens
