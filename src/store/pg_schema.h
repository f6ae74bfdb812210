// The fleet store's PostgreSQL schema (schema `auditlens`; docs/fleet.md explains every table),
// its migrations, and the statements the writer runs. The columns are a contract: `auditlens
// trace` reads these tables.
//
// Migrations: kPgMigrations[i] takes the schema to version i + 1. The agent applies the missing ones
// at connect, each in its own transaction under a transaction-level advisory lock, and records
// them in schema_migrations: several agents starting at once apply each exactly once.
//
// Every primary key starts with `host`: the tables can be distributed by host (Citus
// create_distributed_table(t, 'host')) without changing a query. events and connections are
// RANGE-partitioned by time_ms, one partition per UTC day, created by the writer before it
// writes rows of that day (and the next day's ahead).
#pragma once

namespace auditlens {

// pg_advisory_xact_lock keys: migrations, partition creation (also in migration 2's
// ensure_partitions, as a decimal).
inline constexpr long long kPgMigrationLock = 0x6175646974001;
inline constexpr long long kPgPartitionLock = 0x6175646974002;

inline constexpr const char* kPgMigrations[] = {
    // 1: the tables and indexes of the contract.
    R"SQL(
CREATE TABLE IF NOT EXISTS auditlens.hosts(
  host text PRIMARY KEY,
  machine_id text,
  boot_id text,
  first_seen_ms bigint,
  last_seen_ms bigint
);
CREATE TABLE IF NOT EXISTS auditlens.events(
  host text NOT NULL,
  boot_id text,
  time_ms bigint NOT NULL,
  serial bigint NOT NULL,
  session_id text,
  entity_id text,
  pid bigint,
  uid bigint,
  kind text,
  action text,
  outcome text,
  role text,
  detail jsonb,
  PRIMARY KEY (host, time_ms, serial)
) PARTITION BY RANGE (time_ms);
CREATE INDEX IF NOT EXISTS events_session ON auditlens.events(host, session_id, time_ms);
CREATE TABLE IF NOT EXISTS auditlens.processes(
  host text NOT NULL,
  boot_id text,
  entity_id text NOT NULL,
  pid bigint,
  ppid bigint,
  parent_entity text,
  previous_entity text,
  exe text,
  args jsonb,
  args_truncated int,
  cwd text,
  uid bigint,
  euid bigint,
  auid bigint,
  ses bigint,
  session_id text,
  role text,
  origin text,
  start_ms bigint,
  exit_ms bigint,
  exit_code bigint,
  last_seen_ms bigint,
  PRIMARY KEY (host, entity_id)
);
CREATE INDEX IF NOT EXISTS processes_session ON auditlens.processes(host, session_id, start_ms);
CREATE TABLE IF NOT EXISTS auditlens.sessions(
  host text NOT NULL,
  boot_id text,
  id text NOT NULL,
  ses bigint,
  auid bigint,
  "user" text,
  service text,
  source_ip text,
  source_port int,
  dest_ip text,
  dest_port int,
  hostname text,
  terminal text,
  tty text,
  login_pid bigint,
  leader_entity text,
  start_ms bigint,
  end_ms bigint,
  last_seen_ms bigint,
  state text,
  failures int,
  from_proc int,
  community_id text,
  PRIMARY KEY (host, id)
);
CREATE INDEX IF NOT EXISTS sessions_community ON auditlens.sessions(community_id);
CREATE INDEX IF NOT EXISTS sessions_start ON auditlens.sessions(host, start_ms);
CREATE TABLE IF NOT EXISTS auditlens.connections(
  host text NOT NULL,
  boot_id text,
  time_ms bigint NOT NULL,
  serial bigint NOT NULL,
  session_id text,
  entity_id text,
  pid bigint,
  op text,
  direction text,
  transport text,
  local_ip text,
  local_port int,
  remote_ip text,
  remote_port int,
  community_id text,
  error text,
  PRIMARY KEY (host, time_ms, serial)
) PARTITION BY RANGE (time_ms);
CREATE INDEX IF NOT EXISTS connections_community ON auditlens.connections(community_id, time_ms);
CREATE INDEX IF NOT EXISTS connections_session ON auditlens.connections(host, session_id, time_ms);
)SQL",
    // 2: one role per host, row-level security (docs/fleet.md, "Roles").
    // - auditlens_writer (NOLOGIN): the group of the hosts' login roles; auditlens.host_roles maps
    //   each login role to its host. A writer inserts rows of its own host only, reads and updates
    //   its own rows only (the merges of processes, sessions and hosts need both), deletes nothing,
    //   and sees no other host's rows, nor their mapping.
    // - auditlens_reader (NOLOGIN): SELECT on every table, every host (trace, web).
    // - auditlens.ensure_partitions(days): the daily partitions, created as the schema's owner
    //   (SECURITY DEFINER): a host role creates no table, so owns none it could read whole.
    // The owner of the tables (whoever applied the migrations) is not subject to the policies: an
    // agent connecting as the owner works as before. The roles are created when missing, which
    // needs CREATEROLE; without it the migration fails with the statements to run instead.
    R"SQL(
DO $roles$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'auditlens_writer') THEN
    CREATE ROLE auditlens_writer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'auditlens_reader') THEN
    CREATE ROLE auditlens_reader NOLOGIN;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE EXCEPTION 'fleet schema version 2 needs the roles auditlens_writer and auditlens_reader, '
    'and % may not create roles: have a superuser or a role with CREATEROLE run '
    '"CREATE ROLE auditlens_writer NOLOGIN; CREATE ROLE auditlens_reader NOLOGIN;" first', current_user;
END
$roles$;
CREATE TABLE IF NOT EXISTS auditlens.host_roles(
  role name PRIMARY KEY,
  host text NOT NULL
);
CREATE OR REPLACE FUNCTION auditlens.my_host() RETURNS text
  LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
  AS $f$ SELECT host FROM auditlens.host_roles WHERE role = current_user $f$;
CREATE OR REPLACE FUNCTION auditlens.ensure_partitions(days bigint[]) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
  AS $f$
DECLARE
  d bigint;
  t text;
BEGIN
  PERFORM pg_advisory_xact_lock(1714509179207682);  -- kPgPartitionLock
  FOREACH d IN ARRAY days LOOP
    IF d IS NULL OR d < 0 OR d > 2932896 THEN  -- 1970-01-01 .. 9999-12-31
      RAISE EXCEPTION 'no partition for day %', d;
    END IF;
    FOREACH t IN ARRAY ARRAY['events', 'connections'] LOOP
      EXECUTE format('CREATE TABLE IF NOT EXISTS auditlens.%I PARTITION OF auditlens.%I '
                     'FOR VALUES FROM (%s) TO (%s)',
                     t || '_' || to_char(to_timestamp(d * 86400) AT TIME ZONE 'UTC', 'YYYYMMDD'),
                     t, d * 86400000, (d + 1) * 86400000);
    END LOOP;
  END LOOP;
END
$f$;
REVOKE ALL ON FUNCTION auditlens.ensure_partitions(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION auditlens.ensure_partitions(bigint[]) TO auditlens_writer;
GRANT USAGE ON SCHEMA auditlens TO auditlens_writer, auditlens_reader;
GRANT SELECT ON auditlens.schema_migrations, auditlens.host_roles
  TO auditlens_writer, auditlens_reader;
GRANT SELECT, INSERT, UPDATE ON auditlens.hosts, auditlens.processes, auditlens.sessions
  TO auditlens_writer;
GRANT INSERT ON auditlens.events, auditlens.connections TO auditlens_writer;
GRANT SELECT ON auditlens.hosts, auditlens.events, auditlens.processes, auditlens.sessions,
  auditlens.connections TO auditlens_reader;
ALTER TABLE auditlens.host_roles ENABLE ROW LEVEL SECURITY;
CREATE POLICY writer_own ON auditlens.host_roles FOR SELECT TO auditlens_writer
  USING (role = current_user);
CREATE POLICY reader_all ON auditlens.host_roles FOR SELECT TO auditlens_reader USING (true);
DO $rls$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['hosts', 'events', 'processes', 'sessions', 'connections'] LOOP
    EXECUTE format('ALTER TABLE auditlens.%I ENABLE ROW LEVEL SECURITY', t);
    -- (SELECT ...): evaluated once per statement, not per row.
    EXECUTE format('CREATE POLICY writer_own ON auditlens.%I TO auditlens_writer '
                   'USING (host = (SELECT auditlens.my_host())) '
                   'WITH CHECK (host = (SELECT auditlens.my_host()))', t);
    EXECUTE format('CREATE POLICY reader_all ON auditlens.%I FOR SELECT TO auditlens_reader '
                   'USING (true)', t);
  END LOOP;
END
$rls$;
)SQL",
    // 3: containers (store schema version 4): the container, systemd unit and program hash of each
    // process, and one row per container of a host, its name and image updated in place.
    R"SQL(
ALTER TABLE auditlens.processes
  ADD COLUMN IF NOT EXISTS container_id text,
  ADD COLUMN IF NOT EXISTS container_runtime text,
  ADD COLUMN IF NOT EXISTS service text,
  ADD COLUMN IF NOT EXISTS exe_sha256 text;
CREATE INDEX IF NOT EXISTS processes_container ON auditlens.processes(host, container_id, start_ms)
  WHERE container_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS auditlens.containers(
  host text NOT NULL,
  id text NOT NULL,
  runtime text,
  name text,
  image text,
  pod_name text,
  pod_namespace text,
  pod_uid text,
  first_seen_ms bigint,
  last_seen_ms bigint,
  PRIMARY KEY (host, id)
);
CREATE INDEX IF NOT EXISTS containers_name ON auditlens.containers(name) WHERE name IS NOT NULL;
GRANT SELECT, INSERT, UPDATE ON auditlens.containers TO auditlens_writer;
GRANT SELECT ON auditlens.containers TO auditlens_reader;
ALTER TABLE auditlens.containers ENABLE ROW LEVEL SECURITY;
CREATE POLICY writer_own ON auditlens.containers TO auditlens_writer
  USING (host = (SELECT auditlens.my_host())) WITH CHECK (host = (SELECT auditlens.my_host()));
CREATE POLICY reader_all ON auditlens.containers FOR SELECT TO auditlens_reader USING (true);
)SQL",
};
inline constexpr int kPgSchemaVersion = sizeof(kPgMigrations) / sizeof(kPgMigrations[0]);

// Run before the migrations (inside the locked transaction): what they need to exist.
inline constexpr char kPgBootstrap[] =
    "CREATE SCHEMA IF NOT EXISTS auditlens;"
    "CREATE TABLE IF NOT EXISTS auditlens.schema_migrations("
    "version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())";

// Staging tables of one connection: COPY fills them, the merge statements empty them into the real
// tables, ON COMMIT DELETE ROWS leaves them empty for the next batch. Columns in pg_copy.cc's order.
inline constexpr char kPgStaging[] = R"SQL(
CREATE TEMP TABLE IF NOT EXISTS stage_events(
  host text, boot_id text, time_ms bigint, serial bigint, session_id text, entity_id text,
  pid bigint, uid bigint, kind text, action text, outcome text, role text, detail jsonb
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_connections(
  host text, boot_id text, time_ms bigint, serial bigint, session_id text, entity_id text,
  pid bigint, op text, direction text, transport text, local_ip text, local_port int,
  remote_ip text, remote_port int, community_id text, error text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_processes(
  seq bigint, host text, boot_id text, entity_id text, pid bigint, ppid bigint,
  parent_entity text, previous_entity text, exe text, args jsonb, args_truncated int, cwd text,
  uid bigint, euid bigint, auid bigint, ses bigint, session_id text, role text, origin text,
  start_ms bigint, exit_ms bigint, exit_code bigint, last_seen_ms bigint, container_id text,
  container_runtime text, service text, exe_sha256 text
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_containers(
  seq bigint, host text, id text, runtime text, name text, image text, pod_name text,
  pod_namespace text, pod_uid text, first_seen_ms bigint, last_seen_ms bigint
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS stage_sessions(
  seq bigint, host text, boot_id text, id text, ses bigint, auid bigint, "user" text,
  service text, source_ip text, source_port int, dest_ip text, dest_port int, hostname text,
  terminal text, tty text, login_pid bigint, leader_entity text, start_ms bigint, end_ms bigint,
  last_seen_ms bigint, state text, failures int, from_proc int, community_id text
) ON COMMIT DELETE ROWS;
)SQL";

inline constexpr char kPgInsertEvents[] =
    "INSERT INTO auditlens.events SELECT * FROM stage_events ON CONFLICT DO NOTHING";
inline constexpr char kPgInsertConnections[] =
    "INSERT INTO auditlens.connections SELECT * FROM stage_connections ON CONFLICT DO NOTHING";

// A process or session may come several times in one batch (created, its role known, its exit):
// the batch's rows of one key are folded first (in their order: seq), then merged into the stored
// row the way the SQLite writer does: later values fill in, never erase; times take their
// minimum/maximum; the first pid, origin and start stay.
inline constexpr char kPgMergeProcesses[] = R"SQL(
INSERT INTO auditlens.processes AS t
SELECT host, (array_agg(boot_id ORDER BY seq) FILTER (WHERE boot_id IS NOT NULL))[1], entity_id,
  (array_agg(pid ORDER BY seq) FILTER (WHERE pid IS NOT NULL))[1],
  (array_agg(ppid ORDER BY seq DESC) FILTER (WHERE ppid IS NOT NULL))[1],
  (array_agg(parent_entity ORDER BY seq DESC) FILTER (WHERE parent_entity IS NOT NULL))[1],
  (array_agg(previous_entity ORDER BY seq) FILTER (WHERE previous_entity IS NOT NULL))[1],
  (array_agg(exe ORDER BY seq DESC) FILTER (WHERE exe IS NOT NULL))[1],
  (array_agg(args ORDER BY seq DESC) FILTER (WHERE args IS NOT NULL))[1],
  (array_agg(args_truncated ORDER BY seq DESC) FILTER (WHERE args_truncated IS NOT NULL))[1],
  (array_agg(cwd ORDER BY seq DESC) FILTER (WHERE cwd IS NOT NULL))[1],
  (array_agg(uid ORDER BY seq DESC) FILTER (WHERE uid IS NOT NULL))[1],
  (array_agg(euid ORDER BY seq DESC) FILTER (WHERE euid IS NOT NULL))[1],
  (array_agg(auid ORDER BY seq DESC) FILTER (WHERE auid IS NOT NULL))[1],
  (array_agg(ses ORDER BY seq DESC) FILTER (WHERE ses IS NOT NULL))[1],
  (array_agg(session_id ORDER BY seq DESC) FILTER (WHERE session_id IS NOT NULL))[1],
  (array_agg(role ORDER BY seq DESC) FILTER (WHERE role IS NOT NULL))[1],
  (array_agg(origin ORDER BY seq) FILTER (WHERE origin IS NOT NULL))[1],
  min(start_ms),
  (array_agg(exit_ms ORDER BY seq DESC) FILTER (WHERE exit_ms IS NOT NULL))[1],
  (array_agg(exit_code ORDER BY seq DESC) FILTER (WHERE exit_code IS NOT NULL))[1],
  max(last_seen_ms),
  (array_agg(container_id ORDER BY seq DESC) FILTER (WHERE container_id IS NOT NULL))[1],
  (array_agg(container_runtime ORDER BY seq DESC) FILTER (WHERE container_runtime IS NOT NULL))[1],
  (array_agg(service ORDER BY seq DESC) FILTER (WHERE service IS NOT NULL))[1],
  (array_agg(exe_sha256 ORDER BY seq DESC) FILTER (WHERE exe_sha256 IS NOT NULL))[1]
FROM stage_processes GROUP BY host, entity_id
ON CONFLICT (host, entity_id) DO UPDATE SET
  boot_id = coalesce(t.boot_id, excluded.boot_id), pid = coalesce(t.pid, excluded.pid),
  ppid = coalesce(excluded.ppid, t.ppid),
  parent_entity = coalesce(excluded.parent_entity, t.parent_entity),
  previous_entity = coalesce(t.previous_entity, excluded.previous_entity),
  exe = coalesce(excluded.exe, t.exe), args = coalesce(excluded.args, t.args),
  args_truncated = coalesce(excluded.args_truncated, t.args_truncated),
  cwd = coalesce(excluded.cwd, t.cwd), uid = coalesce(excluded.uid, t.uid),
  euid = coalesce(excluded.euid, t.euid), auid = coalesce(excluded.auid, t.auid),
  ses = coalesce(excluded.ses, t.ses), session_id = coalesce(excluded.session_id, t.session_id),
  role = coalesce(excluded.role, t.role), origin = coalesce(t.origin, excluded.origin),
  start_ms = least(t.start_ms, excluded.start_ms),
  exit_ms = coalesce(excluded.exit_ms, t.exit_ms),
  exit_code = coalesce(excluded.exit_code, t.exit_code),
  last_seen_ms = greatest(t.last_seen_ms, excluded.last_seen_ms),
  container_id = coalesce(excluded.container_id, t.container_id),
  container_runtime = coalesce(excluded.container_runtime, t.container_runtime),
  service = coalesce(excluded.service, t.service),
  exe_sha256 = coalesce(excluded.exe_sha256, t.exe_sha256)
)SQL";

// A container comes when first seen, when its name and image arrive or change, and with its last
// activity: later names fill in, never erase; first and last sightings take their min and max.
inline constexpr char kPgMergeContainers[] = R"SQL(
INSERT INTO auditlens.containers AS t (host, id, runtime, name, image, pod_name, pod_namespace,
  pod_uid, first_seen_ms, last_seen_ms)
SELECT host, id,
  (array_agg(runtime ORDER BY seq DESC) FILTER (WHERE runtime IS NOT NULL))[1],
  (array_agg(name ORDER BY seq DESC) FILTER (WHERE name IS NOT NULL))[1],
  (array_agg(image ORDER BY seq DESC) FILTER (WHERE image IS NOT NULL))[1],
  (array_agg(pod_name ORDER BY seq DESC) FILTER (WHERE pod_name IS NOT NULL))[1],
  (array_agg(pod_namespace ORDER BY seq DESC) FILTER (WHERE pod_namespace IS NOT NULL))[1],
  (array_agg(pod_uid ORDER BY seq DESC) FILTER (WHERE pod_uid IS NOT NULL))[1],
  min(first_seen_ms), max(last_seen_ms)
FROM stage_containers GROUP BY host, id
ON CONFLICT (host, id) DO UPDATE SET
  runtime = coalesce(excluded.runtime, t.runtime), name = coalesce(excluded.name, t.name),
  image = coalesce(excluded.image, t.image), pod_name = coalesce(excluded.pod_name, t.pod_name),
  pod_namespace = coalesce(excluded.pod_namespace, t.pod_namespace),
  pod_uid = coalesce(excluded.pod_uid, t.pod_uid),
  first_seen_ms = least(t.first_seen_ms, excluded.first_seen_ms),
  last_seen_ms = greatest(t.last_seen_ms, excluded.last_seen_ms)
)SQL";

// A session's state: once it has ended, a later row that does not say it ended (a late update)
// leaves the state alone.
inline constexpr char kPgMergeSessions[] = R"SQL(
INSERT INTO auditlens.sessions AS t
SELECT host, (array_agg(boot_id ORDER BY seq) FILTER (WHERE boot_id IS NOT NULL))[1], id,
  (array_agg(ses ORDER BY seq) FILTER (WHERE ses IS NOT NULL))[1],
  (array_agg(auid ORDER BY seq DESC) FILTER (WHERE auid IS NOT NULL))[1],
  (array_agg("user" ORDER BY seq DESC) FILTER (WHERE "user" IS NOT NULL))[1],
  (array_agg(service ORDER BY seq DESC) FILTER (WHERE service IS NOT NULL))[1],
  (array_agg(source_ip ORDER BY seq DESC) FILTER (WHERE source_ip IS NOT NULL))[1],
  (array_agg(source_port ORDER BY seq DESC) FILTER (WHERE source_port IS NOT NULL))[1],
  (array_agg(dest_ip ORDER BY seq DESC) FILTER (WHERE dest_ip IS NOT NULL))[1],
  (array_agg(dest_port ORDER BY seq DESC) FILTER (WHERE dest_port IS NOT NULL))[1],
  (array_agg(hostname ORDER BY seq DESC) FILTER (WHERE hostname IS NOT NULL))[1],
  (array_agg(terminal ORDER BY seq DESC) FILTER (WHERE terminal IS NOT NULL))[1],
  (array_agg(tty ORDER BY seq DESC) FILTER (WHERE tty IS NOT NULL))[1],
  (array_agg(login_pid ORDER BY seq DESC) FILTER (WHERE login_pid IS NOT NULL))[1],
  (array_agg(leader_entity ORDER BY seq DESC) FILTER (WHERE leader_entity IS NOT NULL))[1],
  min(start_ms),
  (array_agg(end_ms ORDER BY seq DESC) FILTER (WHERE end_ms IS NOT NULL))[1],
  max(last_seen_ms),
  coalesce((array_agg(state ORDER BY seq DESC) FILTER (WHERE end_ms IS NOT NULL))[1],
           (array_agg(state ORDER BY seq DESC))[1]),
  max(failures), min(from_proc),
  (array_agg(community_id ORDER BY seq DESC) FILTER (WHERE community_id IS NOT NULL))[1]
FROM stage_sessions GROUP BY host, id
ON CONFLICT (host, id) DO UPDATE SET
  boot_id = coalesce(t.boot_id, excluded.boot_id), ses = coalesce(t.ses, excluded.ses),
  auid = coalesce(excluded.auid, t.auid), "user" = coalesce(excluded."user", t."user"),
  service = coalesce(excluded.service, t.service),
  source_ip = coalesce(excluded.source_ip, t.source_ip),
  source_port = coalesce(excluded.source_port, t.source_port),
  dest_ip = coalesce(excluded.dest_ip, t.dest_ip),
  dest_port = coalesce(excluded.dest_port, t.dest_port),
  hostname = coalesce(excluded.hostname, t.hostname),
  terminal = coalesce(excluded.terminal, t.terminal), tty = coalesce(excluded.tty, t.tty),
  login_pid = coalesce(excluded.login_pid, t.login_pid),
  leader_entity = coalesce(excluded.leader_entity, t.leader_entity),
  start_ms = least(t.start_ms, excluded.start_ms), end_ms = coalesce(excluded.end_ms, t.end_ms),
  last_seen_ms = greatest(t.last_seen_ms, excluded.last_seen_ms),
  state = CASE WHEN excluded.end_ms IS NULL AND t.end_ms IS NOT NULL THEN t.state
               ELSE excluded.state END,
  failures = greatest(t.failures, excluded.failures),
  from_proc = least(t.from_proc, excluded.from_proc),
  community_id = coalesce(excluded.community_id, t.community_id)
)SQL";

// The daily partitions of events and connections, $1 the days (since the epoch, UTC) as bigint[]:
// created by the schema owner's function (migration 2), under kPgPartitionLock.
inline constexpr char kPgEnsurePartitions[] = "SELECT auditlens.ensure_partitions($1::bigint[])";

// The host this login role writes as (migration 2), none when the role is not a host's (the owner).
inline constexpr char kPgMappedHost[] =
    "SELECT host FROM auditlens.host_roles WHERE role = current_user";

// $1 host, $2 machine id, $3 boot id, $4 now (ms).
inline constexpr char kPgUpsertHost[] =
    "INSERT INTO auditlens.hosts(host, machine_id, boot_id, first_seen_ms, last_seen_ms)"
    " VALUES($1, nullif($2, ''), nullif($3, ''), $4::bigint, $4::bigint)"
    " ON CONFLICT (host) DO UPDATE SET machine_id = coalesce(excluded.machine_id, hosts.machine_id),"
    " boot_id = coalesce(excluded.boot_id, hosts.boot_id),"
    " last_seen_ms = greatest(hosts.last_seen_ms, excluded.last_seen_ms)";

}  // namespace auditlens
