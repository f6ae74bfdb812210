#!/usr/bin/env bash
# The fleet database's roles (migration 2 of src/store/pg_schema.h, docs/fleet.md "Roles") on a
# private PostgreSQL (tests/pg/pg_server.sh): `auditlens fleet migrate` as the administrator, two
# hosts' login roles made with the documented SQL, the agent's own writer (PostgresStore: COPY,
# INSERT, the merges' UPDATEs, its hosts row, new daily partitions) working as host A's role, and
# then, row by row: host A's role cannot SELECT, UPDATE or DELETE host B's rows, nor insert rows
# tagged as B, nor reach a partition or create a table; the reader cannot write; `trace` works as
# the reader; an agent whose host name is not its role's is refused with what to do; a schema
# owner without CREATEROLE is told which roles to create.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SOURCE_DIR=${SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
AUDITLENS=${AUDITLENS:?set AUDITLENS to the auditlens binary}
BUILD_DIR=${BUILD_DIR:-$(dirname "$AUDITLENS")}
UNIT_TESTS=${UNIT_TESTS:-$BUILD_DIR/tests/unit_tests}
[[ -x $UNIT_TESTS ]] || { echo "fleet_roles: no $UNIT_TESTS (build target unit_tests)" >&2; exit 1; }
source "$HERE/pg_test.sh"
pg_test_init fleet_roles
ADMIN=$PG_URL
url_as() { echo "postgresql://$1@127.0.0.1:$PORT/auditlens"; }
# psql as ROLE; prints the rows, fails (with the error on stderr) when the statement does.
as_role() {
  local role=$1
  shift
  "$PG_BIN/psql" -h "$T/pg" -p "$PORT" -U "$role" -d auditlens -XAtq -v ON_ERROR_STOP=1 -c "$@"
}
admin() { pg_psql "$T/pg" -c "$@"; }
refused() {  # refused ROLE PATTERN SQL: the statement fails with PATTERN in its error
  local role=$1 pattern=$2 sql=$3
  ! as_role "$role" "$sql" >"$T/out" 2>"$T/err" && grep -q "$pattern" "$T/err"
}

# --- the administrator migrates; a second run has nothing to do --------------------------------
"$AUDITLENS" fleet migrate --postgres "$ADMIN" >"$T/migrate1.out" 2>&1; rc1=$?
"$AUDITLENS" fleet migrate --postgres "$ADMIN" >"$T/migrate2.out" 2>&1; rc2=$?
check "fleet migrate: version 0 to the current one" \
  bash -c "[[ $rc1 == 0 ]] && grep -q 'fleet schema migrated from version 0 to 3' '$T/migrate1.out'"
check "fleet migrate again: already current" \
  bash -c "[[ $rc2 == 0 ]] && grep -q 'fleet schema already at version 3' '$T/migrate2.out'"
check "the group roles exist, without login" \
  test "$(admin "SELECT string_agg(rolname || ':' || rolcanlogin, ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'auditlens\_%'")" \
  = "auditlens_reader:false,auditlens_writer:false"

# --- roles as docs/fleet.md makes them -------------------------------------------------------
admin "CREATE ROLE auditlens_ha LOGIN PASSWORD 'pw-a' IN ROLE auditlens_writer;
       INSERT INTO auditlens.host_roles(role, host) VALUES ('auditlens_ha', 'ha');
       CREATE ROLE auditlens_hb LOGIN PASSWORD 'pw-b' IN ROLE auditlens_writer;
       INSERT INTO auditlens.host_roles(role, host) VALUES ('auditlens_hb', 'hb');
       CREATE ROLE analyst LOGIN PASSWORD 'pw-r' IN ROLE auditlens_reader;" >/dev/null

check "a host role finds the schema current (it could not migrate)" \
  bash -c "'$AUDITLENS' fleet migrate --postgres '$(url_as auditlens_hb)' | grep -q 'already at version 3'"

# --- the agent's writer as host A's role -------------------------------------------------------
AUDITLENS_TEST_PG_URL="$(url_as auditlens_ha)" AUDITLENS_TEST_PG_HOST=ha \
  AUDITLENS_TEST_PG_OTHER_HOST=hb \
  "$UNIT_TESTS" --gtest_filter='PostgresStoreLive.*' >"$T/live.out" 2>&1; rc_live=$?
check "the writer works as host A's role; refused as host B with the fix said (gtest)" \
  bash -c "[[ $rc_live == 0 ]] && grep -q '\[  PASSED  \] 2 tests' '$T/live.out' && ! grep -q SKIPPED '$T/live.out'" \
  || cat "$T/live.out"
check "host A's rows are in the database, merged" \
  test "$(admin "SELECT (SELECT count(*) FROM auditlens.events WHERE host = 'ha') || ',' ||
                        (SELECT count(*) FROM auditlens.connections WHERE host = 'ha') || ',' ||
                        (SELECT exit_code FROM auditlens.processes WHERE host = 'ha' AND entity_id = 'ent-live') || ',' ||
                        (SELECT state FROM auditlens.sessions WHERE host = 'ha' AND id = 's-1') || ',' ||
                        (SELECT machine_id FROM auditlens.hosts WHERE host = 'ha') || ',' ||
                        (SELECT name || ' ' || image || ' ' || first_seen_ms || ' ' || last_seen_ms
                         FROM auditlens.containers WHERE host = 'ha' AND id = 'c0ffee-live')")" \
  = "3,1,3,closed,machine-live,web-live localhost/busybox:1 1795400000000 1795400010000"
# Three days written or ahead (two days of rows, the next day's ahead), two tables each.
check "the partitions belong to the administrator, not to the host role" \
  test "$(admin "SELECT count(*) FILTER (WHERE pg_get_userbyid(relowner) <> 'postgres') || '/' || count(*)
                 FROM pg_class WHERE relnamespace = 'auditlens'::regnamespace AND relispartition AND relkind = 'r'")" = "0/6"

# --- host B writes its own rows as its own role (plain SQL) ------------------------------------
as_role auditlens_hb "
  INSERT INTO auditlens.hosts(host, machine_id, first_seen_ms, last_seen_ms) VALUES ('hb', 'mb', 1, 1);
  INSERT INTO auditlens.sessions(host, id, \"user\", service, start_ms, state, community_id)
    VALUES ('hb', 's-9', 'bob', 'sshd', 1795400000100, 'active', '1:live');
  INSERT INTO auditlens.processes(host, entity_id, session_id, args, role)
    VALUES ('hb', 'ent-b', 's-9', '[\"id\"]', 'shell');
  INSERT INTO auditlens.events(host, time_ms, serial, session_id, kind, action)
    VALUES ('hb', 1795400000200, 1, 's-9', 'exec', 'execve');
  INSERT INTO auditlens.connections(host, time_ms, serial, session_id, op)
    VALUES ('hb', 1795400000300, 2, 's-9', 'connect');
  INSERT INTO auditlens.containers(host, id, runtime, name, first_seen_ms)
    VALUES ('hb', 'c-b', 'docker', 'db-1', 1795400000100);" >/dev/null 2>"$T/b.err"
check "host B's role inserts its own rows" bash -c "[[ ! -s '$T/b.err' ]]" || cat "$T/b.err"

# --- what host A's role may not do to host B's rows --------------------------------------------
for t in hosts processes sessions containers; do
  check "A sees none of B's $t" test "$(as_role auditlens_ha "SELECT count(*) FROM auditlens.$t WHERE host = 'hb'")" = 0
done
for t in events connections; do  # the writer only inserts these: no SELECT at all
  check "A may not read $t" refused auditlens_ha "permission denied" "SELECT count(*) FROM auditlens.$t"
done
check "A sees only its own host mapping" \
  test "$(as_role auditlens_ha "SELECT string_agg(host, ',') FROM auditlens.host_roles")" = ha
for t in hosts processes sessions; do
  check "A's UPDATE of B's $t touches nothing" \
    test "$(as_role auditlens_ha "WITH u AS (UPDATE auditlens.$t SET boot_id = 'evil' WHERE host = 'hb' RETURNING 1) SELECT count(*) FROM u")" = 0
done
check "A's UPDATE of B's containers touches nothing" \
  test "$(as_role auditlens_ha "WITH u AS (UPDATE auditlens.containers SET name = 'evil' WHERE host = 'hb' RETURNING 1) SELECT count(*) FROM u")" = 0
check "A may not insert a container tagged as B (upsert)" refused auditlens_ha "row-level security" \
  "INSERT INTO auditlens.containers(host, id, name) VALUES ('hb', 'c-b', 'evil')
   ON CONFLICT (host, id) DO UPDATE SET name = excluded.name"
check "B's container is unchanged" test "$(admin "SELECT name FROM auditlens.containers WHERE host = 'hb'")" = db-1
check "B's rows are unchanged" \
  test "$(admin "SELECT count(*) FROM auditlens.sessions WHERE boot_id = 'evil'") $(admin "SELECT count(*) FROM auditlens.processes WHERE boot_id = 'evil'")" = "0 0"
check "A may not UPDATE events" refused auditlens_ha "permission denied" \
  "UPDATE auditlens.events SET action = 'x' WHERE host = 'hb'"
for t in hosts events processes sessions connections containers; do
  check "A may not DELETE from $t" refused auditlens_ha "permission denied" "DELETE FROM auditlens.$t WHERE host = 'hb'"
done
check "A may not insert an event tagged as B" refused auditlens_ha "row-level security" \
  "INSERT INTO auditlens.events(host, time_ms, serial) VALUES ('hb', 1795400000400, 77)"
check "A may not insert a session tagged as B (upsert)" refused auditlens_ha "row-level security" \
  "INSERT INTO auditlens.sessions(host, id, \"user\") VALUES ('hb', 's-9', 'mallory')
   ON CONFLICT (host, id) DO UPDATE SET \"user\" = excluded.\"user\""
check "A may not insert a hosts row for B" refused auditlens_ha "row-level security" \
  "INSERT INTO auditlens.hosts(host) VALUES ('hb') ON CONFLICT (host) DO UPDATE SET machine_id = 'evil'"
check "A may not move its own rows to B" refused auditlens_ha "row-level security" \
  "UPDATE auditlens.sessions SET host = 'hb' WHERE host = 'ha'"
check "A may not map itself to B" refused auditlens_ha "permission denied" \
  "UPDATE auditlens.host_roles SET host = 'hb'"
PART=$(admin "SELECT relname FROM pg_class WHERE relname LIKE 'events\_%' AND relispartition LIMIT 1")
check "A may not read a partition directly ($PART)" refused auditlens_ha "permission denied" \
  "SELECT count(*) FROM auditlens.$PART"
check "A may not create a table in the schema" refused auditlens_ha "permission denied" \
  "CREATE TABLE auditlens.mine(x int)"
check "the writer's rows are still B's and A's only" \
  test "$(admin "SELECT string_agg(DISTINCT host, ',' ORDER BY host) FROM auditlens.events")" = "ha,hb"

# --- the reader ----------------------------------------------------------------------------
check "the reader sees every host" \
  test "$(as_role analyst "SELECT string_agg(host, ',' ORDER BY host) FROM auditlens.hosts")" = "ha,hb"
check "the reader may not INSERT" refused analyst "permission denied" \
  "INSERT INTO auditlens.events(host, time_ms, serial) VALUES ('hb', 1795400000500, 78)"
check "the reader may not UPDATE" refused analyst "permission denied" "UPDATE auditlens.sessions SET state = 'x'"
check "the reader may not DELETE" refused analyst "permission denied" "DELETE FROM auditlens.processes"
check "the reader may not map hosts" refused analyst "permission denied" \
  "INSERT INTO auditlens.host_roles VALUES ('analyst', 'hc')"
set +e
TZ=UTC "$AUDITLENS" trace --postgres "$(url_as analyst)" ha:s-1 >"$T/trace.txt" 2>"$T/trace.err"; rc_trace=$?
TZ=UTC "$AUDITLENS" trace --postgres "$(url_as auditlens_ha)" hb:s-9 >/dev/null 2>"$T/trace-a.err"; rc_trace_a=$?
set -e
check "trace works as the reader" \
  bash -c "[[ $rc_trace == 0 ]] && grep -q 'ha  alice via sshd, session s-1' '$T/trace.txt'" || cat "$T/trace.txt" "$T/trace.err"
check "trace as host A's role does not find B's session" \
  bash -c "[[ $rc_trace_a == 1 ]] && grep -q 'no session' '$T/trace-a.err'"

# --- a schema owner that may not create roles, on a cluster without them -----------------------
PORT2=$((PORT + 1))
pg_start "$T/pg2" "$PORT2" >/dev/null
pg_psql "$T/pg2" -c "CREATE ROLE dbowner LOGIN" >/dev/null
pg_psql "$T/pg2" -c "ALTER DATABASE auditlens OWNER TO dbowner" >/dev/null
OWNER_URL="host=127.0.0.1 port=$PORT2 dbname=auditlens user=dbowner password=owner-secret"
set +e
"$AUDITLENS" fleet migrate --postgres "$OWNER_URL" >"$T/nocr.out" 2>&1; rc_nocr=$?
set -e
VERSION2=$(pg_psql "$T/pg2" -c 'SELECT max(version) FROM auditlens.schema_migrations')
check "without CREATEROLE: migration 2 fails naming the roles to create, version 1 kept, no password shown" \
  bash -c "[[ $rc_nocr == 1 && $VERSION2 == 1 ]] && grep -q 'needs the roles auditlens_writer and auditlens_reader' '$T/nocr.out' &&
           grep -q 'CREATE ROLE auditlens_writer NOLOGIN' '$T/nocr.out' && ! grep -q owner-secret '$T/nocr.out'" \
  || cat "$T/nocr.out"
pg_psql "$T/pg2" -c "CREATE ROLE auditlens_writer NOLOGIN" >/dev/null
pg_psql "$T/pg2" -c "CREATE ROLE auditlens_reader NOLOGIN" >/dev/null
check "with the roles made by an administrator, the owner migrates 1 to 3" \
  bash -c "'$AUDITLENS' fleet migrate --postgres '$OWNER_URL' | grep -q 'migrated from version 1 to 3'"

pg_test_finish
