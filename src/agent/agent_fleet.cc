// AgentStore's fleet half (agent_store.h): opening the PostgreSQL fleet store beside the SQLite
// store, reporting what it lost, and its member of the status file.
#include <fstream>
#include <filesystem>

#include <fmt/format.h>

#include "agent/agent_store.h"
#include "output/json_writer.h"

namespace auditlens {
namespace {

std::string MachineId(const Config& config) {
  if (!config.machine_id.empty()) return config.machine_id;
  std::ifstream in("/etc/machine-id");
  std::string id;
  std::getline(in, id);
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

// Where rows wait while the database cannot be reached: as configured, else beside the state file
// (or the SQLite store).
std::string SpoolPath(const Config& config) {
  if (!config.store.postgres_spool_path.empty()) return config.store.postgres_spool_path;
  for (const std::string& beside : {config.state_path, config.store.path}) {
    if (beside.empty()) continue;
    std::filesystem::path dir = std::filesystem::path(beside).parent_path();
    return (dir.empty() ? std::filesystem::path("fleet-spool") : dir / "fleet-spool").string();
  }
  return {};
}

}  // namespace

void AgentStore::OpenStore(const Config& config) {
  if (!recorder_) return;
  OpenSqlite(config);
  OpenFleet(config);
  RowSink* sqlite = store_ ? store_->sink() : nullptr;
  RowSink* fleet = fleet_ ? fleet_->sink() : nullptr;
  if (sqlite != nullptr && fleet != nullptr) {
    tee_ = std::make_unique<TeeSink>(sqlite, fleet);
    recorder_->set_sink(tee_.get());
  } else {
    recorder_->set_sink(sqlite != nullptr ? sqlite : fleet);
  }
  if (sqlite != nullptr || fleet != nullptr) recorder_->WriteAll();
}

void AgentStore::OpenFleet(const Config& config) {
  if (config.store.postgres.empty()) return;
  PostgresOptions options;
  options.conninfo = config.store.postgres;
  options.host = host_;
  options.boot_id = boot_id_;
  options.machine_id = log_input_ ? boot_id_ : MachineId(config);  // a log: never this machine's
  options.spool_path = SpoolPath(config);
  options.spool_max_bytes = config.store.postgres_spool_max_bytes;
  options.wait_when_full = file_input_;  // a file's reader waits for the database, as for SQLite
  if (options.spool_path.empty()) {
    log_("fleet store disabled: no place for its spool (set [store] postgres_spool_path)");
    return;
  }
  auto fleet = std::make_unique<PostgresStore>();
  std::string error;
  if (!fleet->Open(options, &error)) {
    log_("fleet store disabled: " + error);
    return;
  }
  fleet_ = std::move(fleet);
  fleet_spool_path_ = options.spool_path;
  PostgresStats stats = fleet_->stats();
  // Rows spooled by an earlier run are replayed, not reported again.
  fleet_reported_ = stats;
  log_(fmt::format("fleet store: PostgreSQL as host {} (spool {}, {} rows waiting in it)", host_,
                   fleet_spool_path_, stats.spool_rows));
}

void AgentStore::TickFleet(Pipeline* pipeline, uint64_t now_ms) {
  if (!fleet_) return;
  const PostgresStats s = fleet_->stats();
  PostgresStats& r = fleet_reported_;
  if (s.queue_dropped != r.queue_dropped) {
    LossInfo loss;
    loss.cause = "fleet-queue-full";
    loss.count = s.queue_dropped - r.queue_dropped;
    loss.time_ms = now_ms;
    // LossInfo holds views: the text must outlive ReportLoss.
    const std::string detail = fmt::format(
        "the fleet store's queue was full: {} rows (events, processes, sessions) were not written "
        "to PostgreSQL; the JSON output has every event",
        loss.count);
    loss.detail = detail;
    pipeline->ReportLoss(loss);
  }
  if (s.spool_dropped != r.spool_dropped) {
    LossInfo loss;
    loss.cause = "fleet-spool-full";
    loss.count = s.spool_dropped - r.spool_dropped;
    loss.time_ms = now_ms;
    const std::string detail = fmt::format(
        "PostgreSQL could not take the rows ({}) and the spool {} was full ({} bytes): {} rows "
        "(events, processes, sessions) were dropped; the JSON output has every event",
        s.last_error.empty() ? "not connected" : s.last_error, fleet_spool_path_, s.spool_bytes,
        loss.count);
    loss.detail = detail;
    pipeline->ReportLoss(loss);
  }
  if (s.connected != r.connected || s.connects != r.connects) {
    log_(s.connected ? fmt::format("fleet store: connected to PostgreSQL (schema version {}), {} "
                                   "rows in the spool to replay",
                                   s.schema_version, s.spool_rows)
                     : fmt::format("fleet store: PostgreSQL unreachable ({}); rows go to the spool "
                                   "{} and are retried",
                                   s.last_error, fleet_spool_path_));
  } else if (!s.connected && s.connect_failures != r.connect_failures &&
             s.last_error != r.last_error) {
    log_("fleet store: still unreachable: " + s.last_error);
  }
  if (s.rejected != r.rejected) {
    log_(fmt::format("fleet store: PostgreSQL refused {} rows, the last: {}", s.rejected - r.rejected,
                     s.last_error));
  }
  r = s;
}

void AgentStore::StopFleet() {
  if (!fleet_) return;
  fleet_->Close();
  PostgresStats s = fleet_->stats();
  log_(fmt::format("fleet store: {} rows written in {} transactions ({} replayed from the spool), "
                   "{} rows left in the spool, {} dropped (queue {}, spool {}), {} refused",
                   s.rows_written, s.transactions, s.replayed_rows, s.spool_rows,
                   s.queue_dropped + s.spool_dropped, s.queue_dropped, s.spool_dropped,
                   s.rejected));
}

std::string AgentStore::FleetStatusJson() const {
  if (!fleet_) return {};
  const PostgresStats s = fleet_->stats();
  std::string out = ",\"fleet\":";
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("connected");
  w.Bool(s.connected);
  w.Key("rows_written");
  w.UInt(s.rows_written);
  w.Key("transactions");
  w.UInt(s.transactions);
  w.Key("spool_path");
  w.String(fleet_spool_path_);
  w.Key("spool_bytes");
  w.UInt(s.spool_bytes);
  w.Key("spool_rows");
  w.UInt(s.spool_rows);
  w.Key("spooled_rows");
  w.UInt(s.spooled_rows);
  w.Key("replayed_rows");
  w.UInt(s.replayed_rows);
  w.Key("queue_dropped");
  w.UInt(s.queue_dropped);
  w.Key("spool_dropped");
  w.UInt(s.spool_dropped);
  w.Key("rejected");
  w.UInt(s.rejected);
  w.Key("connect_failures");
  w.UInt(s.connect_failures);
  w.Key("last_error");
  w.String(s.last_error);
  w.Key("last_error_ms");
  w.UInt(s.last_error_ms);
  w.EndObject();
  return out;
}

}  // namespace auditlens
