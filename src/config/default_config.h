// The configuration `auditlens run` uses without --config: every key with its default value.
//
// Contract: this text is the only list of defaults. Every config read starts from it and overlays
// the user's file (config/config.h), so it must set every key the parser knows (LoadConfig and
// ParseConfig fail saying which key it lacks, and tests/unit/config_test.cc checks it). The values
// match the defaults documented in docs/configuration.md.
#pragma once

namespace auditlens {

inline constexpr char kDefaultConfig[] = R"TOML(# auditlens configuration (TOML).
# Every key and every section is optional: a missing key takes the value shown here, whatever
# else the file sets. Unknown keys and values of the wrong type are errors.

[agent]
# Read the kernel's multicast copy of the records (needs CAP_AUDIT_READ) beside another audit
# daemon such as auditd, instead of registering as the audit daemon. The agent still adds its
# rules (see [rules] load), puts them back if they are deleted while it runs, and removes them on
# exit; it never changes the kernel's settings ([kernel] is ignored).
passive = false
# Host name written into events; empty: the machine's host name.
hostname = ""
# The host's machine id in the fleet store's hosts table; empty: /etc/machine-id.
machine_id = ""
# Report only the processes of this network namespace (a file such as /run/netns/NAME); empty:
# every process.
netns = ""
# Counters for `auditlens status`, rewritten every second; empty: no status file.
status_path = "/run/auditlens/status.json"
# The last delivered serial (and the kernel's lost counter), so that after a restart in the same
# boot the events lost while the agent was down are reported; empty: no state kept.
state_path = "/var/lib/auditlens/state"

[kernel]
# Applied at start and put back to their previous values on exit. "keep" leaves a value as is.
backlog_limit = 8192        # records the kernel queues before it waits or drops (auditctl -b)
rate_limit = "keep"         # records per second, 0 = unlimited (auditctl -r)
backlog_wait_time = "keep"  # jiffies a task waits when the backlog is full (--backlog_wait_time)
failure = "keep"            # 0 silent, 1 printk on lost records; 2 (panic) is refused
enable = true               # set enabled=1 while running

[rules]
# An auditctl-syntax rules file or a rules.d directory of *.rules files; empty: the embedded
# default rules (see docs/configuration.md).
path = ""
# Load those rules. false: the agent loads none of its own; in passive mode it then changes
# nothing in the kernel (not even its self-exclusion), needs only CAP_AUDIT_READ and reads what the
# other daemon's rules produce.
load = true
# Leave the loaded rules in the kernel when the agent stops.
keep_on_exit = false

[output]
# Where decoded events go, one JSON object per line; "-" is standard output.
path = "/var/log/auditlens/events.json"
# A group that may read the file (a log shipper's): it is then made 0640 with that group at every
# open, and its own directory gets the group and g+rx. Empty: the file is 0600, root's only.
group = ""
# Events kept in memory while the output cannot be written (disk full, a reader that stopped);
# past it the oldest are dropped and reported in an "output-full" loss event.
max_spool_bytes = 67108864
# Secrets in command lines become "[redacted]" (docs/sensitive-data.md): the argument after each
# of these flags (or what follows '=' in FLAG=VALUE), and the value of NAME=VALUE arguments whose
# NAME matches a pattern (* and ?, any case). Empty: no redaction. For example
# redact_args = ["--password", "-p", "--token"], redact_env = ["*PASSWORD*", "*TOKEN*", "AWS_SECRET_*"].
redact_args = []
redact_env = []
# How much of each event is written (docs/schema.md, "Output profiles"): "brief" (what the records
# said, in ECS's fields, with the ids that join events: no names looked up, no leaders, hash or
# ancestry; each record field the summary holds left out of its record), "full" (the ECS summary,
# the enrichment and every record with every field decoded), "compact" (full, with each capability
# set over half full written as "all but ...") or "lean" (compact's summary with brief's records).
# An output of [[outputs]] takes this one unless it sets its own.
profile = "brief"
# Where the events that a [[filters]] table drops are written (JSON lines, like path), instead of
# nowhere; empty: dropped events are only counted (docs/filters.md).
dropped_path = ""

[assemble]
# Stream-time age after which an event that never got its end record is written anyway.
event_timeout_ms = 2000
# Events being assembled at once; past it the oldest is written.
max_in_flight = 4096

[receive]
# Receive buffer of the netlink socket (forced past rmem_max). Kernel memory is only taken while
# records wait in it; it must hold what arrives while the agent is busy elsewhere: a full buffer
# makes the kernel print records to the console and drop them.
buffer_bytes = 67108864
# Once it has emptied the socket the agent waits this long before receiving again, so records
# arrive in fewer wake-ups (the socket buffer holds far more than arrives meanwhile).
drain_interval_ms = 25

[enrich]
# How the local end of a connection is found (docs/network.md): "auto" (the process's socket
# through pidfd_getfd, else sock_diag), "pidfd", "sock_diag", "records" (only what the records
# say), "off" (no network fields).
network = "auto"
# Milliseconds of socket lookups allowed per second; past it events say why the local end is
# missing. 0: no limit.
network_budget_ms = 20
# The process tree, login sessions and the store (docs/sessions.md).
process_tree = true
# Each process's container (id, runtime, Kubernetes pod) and systemd unit, from /proc/PID/cgroup
# (docs/schema.md#container-and-service): read when a program starts, at most
# containers_reads_per_s times a second (past it a process shows its parent's; 0: no limit); a
# fork shows its parent's. Needs process_tree.
containers = true
containers_reads_per_s = 200
# The SHA-256 of each program a process runs (process.hash.sha256), computed on a thread of its
# own, once per file (device, inode, size, mtime, ctime): files up to hash_max_bytes, reading at
# most hash_bytes_per_s a second (0: no limit). Events before the answer say why in
# auditd.process.hash_status. Needs process_tree.
hash = true
hash_max_bytes = 268435456
hash_bytes_per_s = 67108864

[store]
# Events, processes and login sessions in an SQLite file (created 0600) for `auditlens sessions`
# and `auditlens timeline`, written off the receive path; empty path: no store.
enabled = true
path = "/var/lib/auditlens/auditlens.db"
# Kept for this many days (0: no age limit); past max_bytes (file and WAL) the oldest events go.
retention_days = 30
max_bytes = 1073741824
# Events outside login sessions (daemons: most of a server's events) get no row unless this is
# true: no command reads them (the JSON lines are their full record), and on a busy host they
# would fill max_bytes and push out the sessions' history.
index_all_events = false
# The fleet store (docs/fleet.md): the same rows, tagged with this host, in a PostgreSQL database
# shared by many hosts; a libpq connection string or postgresql:// URI; empty: off. Rows wait in
# the spool file while the database cannot be reached; past postgres_spool_max_bytes they are
# dropped and reported in a "fleet-spool-full" loss event.
postgres = ""
postgres_spool_path = "/var/lib/auditlens/fleet-spool"
postgres_spool_max_bytes = 268435456

[governor]
# The agent's CPU ceiling, in percent of one CPU; 0 = off. Above it for sustain_s seconds, the
# governor sets the kernel rate limit to rate_limit records/s (the kernel's drops are reported as
# loss events) and puts the previous limit back after release_s seconds without pressure.
max_cpu = 0
sustain_s = 5
release_s = 10
rate_limit = 1000

[containers]
# A container's name, image and Kubernetes pod (container.name, container.image.*,
# orchestrator.*), asked of its runtime on a thread of its own, once per container
# (docs/schema.md#container-and-service): docker's state under docker_root, else its API on
# docker_socket; podman's and CRI-O's containers storage (and a rootless user's own), else podman's
# API socket; containerd's OCI bundles under containerd_state. A socket that does not answer within
# socket_timeout_ms is counted in the status file, never waited for by events. Needs
# enrich.containers.
details = true
docker_root = "/var/lib/docker"
docker_socket = "/run/docker.sock"
storage = "/var/lib/containers/storage"
podman_socket = "/run/podman/podman.sock"
containerd_state = "/run/containerd"
socket_timeout_ms = 500

[web]
# `auditlens web` (docs/web.md): the page and JSON API, read-only, on listen (HOST:PORT). Any
# address but loopback needs TLS: tls_cert and tls_key, PEM files. Every request needs the token:
# token here, else the one in token_path (made at first start, 0600; empty path: web-token beside
# the store file).
listen = "127.0.0.1:7683"
token = ""
token_path = ""
tls_cert = ""
tls_key = ""

# More outputs beside [output], each with its own spool and loss events: [[outputs]] tables of
# type "file" (rotated by size), "stdout", "syslog" (/dev/log, tcp:// or tls://) or "unix"; none
# by default. Their keys are in docs/configuration.md. For example:
#   [[outputs]]
#   type = "syslog"
#   address = "tcp://collector.example.net:514"
#   max_message_bytes = 262144   # and the collector's maxMessageSize as large
)TOML";

}  // namespace auditlens
