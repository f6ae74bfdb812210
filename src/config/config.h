// Agent configuration: the TOML file (or the embedded defaults) turned into plain values.
//
// Contract:
// - The embedded config (default_config.h) is the only list of default values. LoadConfig and
//   ParseConfig start from it (DefaultConfig()) and overlay the user's text, so every key or whole
//   section the text leaves out keeps its embedded value; an empty file gives DefaultConfig().
//   The member initializers below are only zeros and empties, never the defaults: code that needs
//   a Config starts from DefaultConfig(). tests/unit/config_test.cc leaves out each key and each
//   section in turn and compares every field with the defaults.
// - LoadConfig never throws; an unknown key or a value of the wrong type is an error naming the
//   key and its line, and leaves *config untouched.
// - The TOML layout is in docs/configuration.md: [agent] passive, hostname, machine_id, netns,
//   status_path, state_path; [kernel] backlog_limit, rate_limit, backlog_wait_time, failure,
//   enable; [rules] path, load, keep_on_exit; [output] path, group, max_spool_bytes,
//   redact_args, redact_env; [assemble]
//   event_timeout_ms, max_in_flight; [receive] buffer_bytes, drain_interval_ms; [enrich] network,
//   network_budget_ms, process_tree, containers, containers_reads_per_s, hash, hash_max_bytes,
//   hash_bytes_per_s; [store] enabled, path, retention_days, max_bytes,
//   index_all_events, postgres, postgres_spool_path, postgres_spool_max_bytes; [governor] max_cpu,
//   sustain_s, release_s, rate_limit; [containers] details, docker_root, docker_socket, storage,
//   podman_socket, containerd_state, socket_timeout_ms; [output] profile, dropped_path and the
//   [[filters]] and [[labels]] tables (FilterSettings); [[outputs]] type, profile,
//   max_spool_bytes and the keys of each type (OutputSettings); [web] listen, token, token_path,
//   tls_cert, tls_key. A kernel value "keep" leaves the kernel's value alone (the
//   optional stays empty); kernel.failure = 2 is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace auditlens {

struct KernelSettings {
  // Applied at start when set, and put back to their previous values on exit. Not in passive mode.
  std::optional<uint32_t> backlog_limit;
  std::optional<uint32_t> rate_limit;          // records/s, 0 = unlimited
  std::optional<uint32_t> backlog_wait_time;   // in jiffies, as auditctl --backlog_wait_time
  std::optional<uint32_t> failure;             // 0 silent, 1 printk; 2 (panic) is refused
  bool enable = false;                         // set enabled=1 while running (restored on exit)
};

// The overload governor (agent/governor.h): off unless max_cpu is set.
struct GovernorSettings {
  uint32_t max_cpu = 0;     // percent of one CPU the agent may use; 0 = off
  uint32_t sustain_s = 0;   // seconds above max_cpu before the governor acts
  uint32_t release_s = 0;   // seconds without pressure before it stands down
  uint32_t rate_limit = 0;  // kernel rate limit (records/s) while it acts
};

// [containers]: where a container's name, image and pod are read (enrich/container_catalog.h).
// Needs enrich.containers (the container id comes from the cgroup).
struct ContainerSettings {
  bool details = false;            // ask the runtimes at all
  std::string docker_root;         // docker's data-root
  std::string docker_socket;       // docker's API socket ("" none)
  std::string storage;             // containers/storage root of podman and CRI-O (graphroot)
  std::string podman_socket;       // podman's docker-compatible API socket ("" none)
  std::string containerd_state;    // containerd's state directory (its OCI bundles)
  uint32_t socket_timeout_ms = 0;  // to connect, and again to read an answer
};

// The embedded store (src/store/, docs/store.md): events, processes and login sessions in SQLite
// for `auditlens sessions` and `auditlens timeline`. Off when enabled is false or path is empty.
struct StoreSettings {
  bool enabled = false;
  std::string path;              // the SQLite file, created 0600
  uint32_t retention_days = 0;   // events, processes and sessions older than this go; 0: no limit
  uint64_t max_bytes = 0;        // past this (file + WAL) the oldest events go; 0: no limit
  // A row for every event, also outside login sessions (daemons); off: sessions' events only.
  bool index_all_events = false;
  // The fleet store (docs/fleet.md): a libpq conninfo or postgresql:// URI; empty: off. Works with
  // or without the SQLite store (enabled = false).
  std::string postgres;
  // Rows kept while the database cannot be reached; empty: "fleet-spool" beside the state file.
  std::string postgres_spool_path;
  uint64_t postgres_spool_max_bytes = 0;  // past it rows are dropped and reported
};

// [enrich]: what is added to events beyond the records.
struct EnrichSettings {
  // How the local end of a socket is found: "auto" (pidfd, else sock_diag), "pidfd", "sock_diag",
  // "records" (no live lookup: only what the records say), "off" (no network fields at all).
  std::string network;
  uint32_t network_budget_ms = 0;  // lookup time allowed per second; 0 = no limit
  bool process_tree = false;       // process tree, login sessions and the store
  // Container, pod and systemd unit of each process from /proc/PID/cgroup (enrich/cgroup_identity.h),
  // read at most containers_reads_per_s times a second (0: no limit); needs process_tree.
  bool containers = false;
  uint32_t containers_reads_per_s = 0;
  // SHA-256 of the programs processes run (enrich/exe_hasher.h), on a thread of its own: files up to
  // hash_max_bytes, reading at most hash_bytes_per_s a second (0: no limit); needs process_tree.
  bool hash = false;
  uint64_t hash_max_bytes = 0;
  uint64_t hash_bytes_per_s = 0;
};

// One table of an array of tables ([[filters]], [[labels]]) as written: its keys in order, each
// value as text (an integer as its decimal digits), with where it was written. Only the shape is
// checked here (a table of strings, integers, or arrays of them); what the keys mean is checked by
// the layer that compiles them (filter/filter_set.h, enrich/process_labels.h), which names `where`
// in its errors.
struct ConfigTable {
  struct Entry {
    std::string key;
    std::vector<std::string> values;  // a single value is a list of one
    std::string where;                // "FILE:LINE" of the key
  };
  std::string where;  // "FILE:LINE" of the table's [[...]] header
  std::vector<Entry> entries;
};

// [[filters]], [[labels]] and the output profile (docs/filters.md, docs/schema.md).
struct FilterSettings {
  std::vector<ConfigTable> filters;  // in file order: the first that matches an event decides
  std::vector<ConfigTable> labels;
  // Where the events a filter drops are written instead of nowhere ("" none): [output] dropped_path.
  std::string dropped_path;
  // [output] profile: "full", "compact", "lean" or "brief" (output/output_profile.h).
  std::string profile;
};

// One output of [[outputs]] beside [output] (docs/configuration.md, output/output_sink.h). The
// per-type defaults are not in the embedded config (it has no [[outputs]]): ParseConfig fills
// them in for each output it reads, and docs/configuration.md lists them.
struct OutputSettings {
  std::string type;              // "file", "stdout", "syslog", "unix"
  int line = 0;                  // where it begins in the config file, for messages
  std::string profile;           // the event profile: [output]'s unless set
  uint32_t max_spool_bytes = 0;  // past it the oldest lines are dropped and reported
  std::string path;              // file: the file; unix: the socket to connect to
  std::string group;             // file: a group that may read it ("" none)
  uint64_t max_bytes = 0;        // file: rotated before it would grow past this; 0 never
  uint32_t generations = 0;      // file: rotated files kept (path.1 ... path.N)
  // syslog: address as written ("/dev/log", a socket path, "tcp://HOST:PORT", "tls://HOST:PORT"),
  // and parsed: transport "unix" (path in syslog_path), "tcp" or "tls" (host, port).
  std::string address;
  std::string transport;
  std::string syslog_path;
  std::string host;
  uint16_t port = 0;
  std::string ca_file;           // syslog over tls: PEM CA certificates ("" the system's)
  std::string facility;          // syslog facility name
  int facility_code = 0;
  std::string app_name;          // syslog APP-NAME
  uint32_t max_message_bytes = 0;  // syslog: longer messages are not sent (reported)
};

// [web]: `auditlens web` (src/web/, docs/web.md). Not read by the agent.
struct WebSettings {
  std::string listen;      // HOST:PORT
  std::string token;       // "" : the token file's (token_path), made at first start
  std::string token_path;  // "" : web-token beside the store file
  std::string tls_cert;    // PEM files; both set: HTTPS
  std::string tls_key;
};

struct Config {
  bool passive = false;              // read the multicast group beside another audit daemon
  KernelSettings kernel;
  std::string rules_path;            // file or rules.d directory; empty: embedded default rules
  // Load the rules (rules_path or the embedded ones). false: none of the agent's own; in passive
  // mode the agent then changes nothing in the kernel and needs no CAP_AUDIT_CONTROL.
  bool load_rules = false;
  bool keep_rules_on_exit = false;   // leave loaded rules in the kernel when the agent stops
  std::string output_path;           // "-" is stdout; otherwise a file created 0600
  // A group that may read the output file (0640, and g+rx on its directory); "" is none.
  std::string output_group;
  uint32_t event_timeout_ms = 0;     // stream-time age after which an event without EOE completes
  uint32_t max_in_flight = 0;        // events assembled at once; past it the oldest is completed
  uint32_t receive_buffer_bytes = 0;  // forced SO_RCVBUF of the netlink socket
  uint32_t drain_interval_ms = 0;    // wait after a receive that emptied the socket
  // Counters for `auditlens status`, rewritten every second; "" writes none.
  std::string status_path;
  std::string hostname;              // empty: gethostname()
  std::string machine_id;            // empty: /etc/machine-id (the fleet store's hosts table)
  // Report only the processes of this network namespace ("/run/netns/NAME"; filter/netns_scope.h);
  // empty: every process.
  std::string netns;
  StoreSettings store;
  EnrichSettings enrich;
  // The last delivered serial and the kernel's lost counter, kept so a restarted agent reports
  // what was lost while it was down (agent/state_file.h); "" keeps none.
  std::string state_path;
  // Bytes of events kept in memory while the output cannot be written (disk full, a reader that
  // stopped); past it the oldest are dropped and reported in an "output-full" loss event.
  uint32_t max_spool_bytes = 0;
  // [output] redact_args, redact_env: values replaced by "[redacted]" in command lines
  // (decode/redactor.h, docs/sensitive-data.md); both empty: no redaction (the default).
  std::vector<std::string> redact_args;
  std::vector<std::string> redact_env;
  GovernorSettings governor;
  ContainerSettings containers;
  FilterSettings filtering;
  // [[outputs]]: more outputs beside [output], in the order written; none by default.
  std::vector<OutputSettings> outputs;
  WebSettings web;
};

// The embedded default config (default_config.h) parsed once: every key at its default. (Should
// the embedded text ever fail to parse or lack a key, LoadConfig and ParseConfig fail saying so.)
const Config& DefaultConfig();

// Every key the parser knows, as "section.key", sorted.
std::vector<std::string> ConfigKeys();

// Reads a TOML config file over DefaultConfig(). Returns false and sets *error on a bad file.
bool LoadConfig(const std::string& path, Config* config, std::string* error);
// Parses TOML text over DefaultConfig() ("" gives the defaults).
bool ParseConfig(const std::string& toml_text, Config* config, std::string* error);

}  // namespace auditlens
