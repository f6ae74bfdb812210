// Agent configuration: the TOML file (or the embedded defaults) turned into plain values.
//
// Contract: LoadConfig never throws; a missing key takes the default below, an unknown key or a
// value of the wrong type is an error naming the key. The embedded defaults (default_config.h) are
// what `auditlens run` uses when no --config is given. The TOML layout is in docs/configuration.md:
// [agent] passive, hostname, status_path; [kernel] backlog_limit, rate_limit, backlog_wait_time,
// failure, enable; [rules] path, keep_on_exit; [output] path; [assemble] event_timeout_ms,
// max_in_flight; [receive] buffer_bytes, drain_interval_ms. A kernel value "keep" leaves the
// kernel's value alone (the optional stays empty); kernel.failure = 2 is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace auditlens {

struct KernelSettings {
  // Applied at start when set, and put back to their previous values on exit.
  std::optional<uint32_t> backlog_limit = 8192;
  std::optional<uint32_t> rate_limit;          // records/s, 0 = unlimited
  std::optional<uint32_t> backlog_wait_time;   // in jiffies, as auditctl --backlog_wait_time
  std::optional<uint32_t> failure;             // 0 silent, 1 printk; 2 (panic) is refused
  bool enable = true;                          // set enabled=1 while running (restored on exit)
};

// The embedded store (src/store/, docs/store.md): events, processes and login sessions in SQLite
// for `auditlens sessions` and `auditlens timeline`. [store] enabled, path, retention_days,
// max_bytes. Off when path is empty; the embedded defaults set /var/lib/auditlens/auditlens.db.
struct StoreSettings {
  bool enabled = true;
  std::string path;                  // the SQLite file, created 0600
  uint32_t retention_days = 30;      // events, processes and sessions older than this go; 0: no limit
  uint64_t max_bytes = 1ull << 30;   // past this (file + WAL) the oldest events go; 0: no limit
};

// The embedded store (src/store/, docs/store.md): events, processes and login sessions in SQLite
// for `auditlens sessions` and `auditlens timeline`. [store] enabled, path, retention_days,
// max_bytes. Off when path is empty; the embedded defaults set /var/lib/auditlens/auditlens.db.
struct StoreSettings {
  bool enabled = true;
  std::string path;                  // the SQLite file, created 0600
  uint32_t retention_days = 30;      // events, processes and sessions older than this go; 0: no limit
  uint64_t max_bytes = 1ull << 30;   // past this (file + WAL) the oldest events go; 0: no limit
};

struct Config {
  bool passive = false;              // read the multicast group beside another audit daemon
  KernelSettings kernel;
  std::string rules_path;            // file or rules.d directory; empty: embedded default rules
  bool keep_rules_on_exit = false;   // leave loaded rules in the kernel when the agent stops
  std::string output_path = "-";     // "-" is stdout; otherwise a file created 0600
  uint32_t event_timeout_ms = 2000;  // stream-time age after which an event without EOE completes
  uint32_t max_in_flight = 4096;     // events being assembled at once; the oldest is completed past it
  uint32_t receive_buffer_bytes = 8 * 1024 * 1024;  // forced SO_RCVBUF of the netlink socket
  uint32_t drain_interval_ms = 2;    // how long to let records accumulate between receive batches
  // Counters for `auditlens status`, rewritten every second; "" writes none.
  std::string status_path = "/run/auditlens/status.json";
  std::string hostname;              // empty: gethostname()
  StoreSettings store;
  StoreSettings store;
};

// Reads a TOML config. Returns false and sets *error on a bad file.
bool LoadConfig(const std::string& path, Config* config, std::string* error);
// Parses TOML text (used for the embedded defaults and tests).
bool ParseConfig(const std::string& toml_text, Config* config, std::string* error);

}  // namespace auditlens
