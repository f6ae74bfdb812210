#!/usr/bin/env bash
# Disk use per event, for sizing (docs/operator-guide.md, "Disk use and sizing"): the agent with its
# default rules (plus one watch on a temp directory for file events) and its default store settings,
# one fresh agent, output file and store per kind of event, each workload in a login session of its
# own (a test user's login uid, as pam_loginuid sets it; SSH logins for the login kind):
#   exec     N times /bin/true from a shell   (per command: the fork, the exec, the exit)
#   connect  N loopback TCP connections       (connect in the client, accept4 in the server)
#   file     N files created in a watched directory (openat, one event each)
#   login    L SSH key logins running `true`  (sshd's PAM events, LOGIN, the session's processes)
# Prints, per kind, the JSON bytes per event in events.json (by event.action) and the SQLite store's
# bytes per event: each table's pages (dbstat, indexes included) divided by its rows, times the rows
# the workload's session added. Only the workload's events are counted (its login uid, the test's
# sshd), not other processes of the host; the gzip ratio is that of each whole file (for rotated logs).
#
#   AUDITLENS=build/release/auditlens bench/event_sizes.sh [N] [L]    (as root; takes the kernel lock)
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
source "$HERE/tests/kernel/lib.sh"
kt_init event_sizes
T=$KT_TMP
chmod 755 "$T"
N=${1:-1000}
L=${2:-20}
command -v sqlite3 >/dev/null || { echo "event_sizes: needs sqlite3" >&2; exit 1; }
kt_need_sshd

U=alsize$$
kt_login_user "$U" "$T/userkey"
UID_=$(id -u "$U")
mkdir -p "$T/watched"

# The embedded default rules, as the agent loads them without [rules] path, plus the watch.
sed -n '/R"RULES(/,/)RULES"/p' "$HERE/src/rules/default_rules.h" | sed '1d;$d' >"$T/rules"
echo "-w $T/watched -p wa -k files" >>"$T/rules"

start_agent() {  # KIND
  local d=$T/$1
  mkdir -p "$d"
  kt_agent_config "$d/config.toml" "$d" "$T/rules" "$d/events.json" "agent.state_path=\"$d/state\"" \
    store.enabled= "store.path=\"$d/store/auditlens.db\""
  kt_start_agent "$d/config.toml" "$d/agent.log"
  kt_wait_for 10 kt_is_daemon $AGENT || { echo "event_sizes: agent did not start" >&2; cat "$d/agent.log" >&2; exit 1; }
  sleep 1
}
stop_agent() {
  sleep 3  # past event_timeout_ms, and one store flush
  kill -TERM $AGENT
  wait $AGENT || true
}
# Runs a command in a login session of the test user's uid (as root: what pam_loginuid does).
in_session() { bash -c "echo $UID_ >/proc/self/loginuid && exec \"\$@\"" in_session "$@"; }

start_agent exec
in_session bash -c "for ((i = 0; i < $N; i++)); do /bin/true; done"
stop_agent

start_agent connect
in_session /usr/bin/python3 - "$N" <<'PY'
import socket, sys, threading
n = int(sys.argv[1])
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(128)
def serve():
    for _ in range(n):
        c, _ = srv.accept()
        c.close()
t = threading.Thread(target=serve)
t.start()
for _ in range(n):
    s = socket.create_connection(srv.getsockname())
    s.close()
t.join()
PY
stop_agent

start_agent file
in_session bash -c "for ((i = 0; i < $N; i++)); do : >'$T/watched/f'\$i; done"
stop_agent

SSH_PORT=$(kt_free_port)
kt_sshd_config "$T" "$SSH_PORT" "$U"
start_agent login
/usr/sbin/sshd -D -f "$T/sshd_config" -E "$T/sshd.log" 9>&- &
SSHD=$!
kt_track_pid $SSHD
kt_wait_for 10 bash -c "ss -ltn 'sport = :$SSH_PORT' | grep -q LISTEN"
for ((i = 0; i < L; i++)); do
  ssh -F /dev/null -p "$SSH_PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o LogLevel=ERROR -o BatchMode=yes -o IdentitiesOnly=yes -i "$T/userkey" "$U@127.0.0.1" true
done
stop_agent
kill -TERM $SSHD

python3 - "$T" "$UID_" "$U" "$N" "$L" <<'PY'
import collections, gzip, json, subprocess, sys
T, uid, user, n, logins = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])

def ours(e, kind):
    if e.get("auditd", {}).get("user", {}).get("audit", {}).get("id") == uid:
        return True
    if kind == "login":
        return e.get("process", {}).get("executable") == "/usr/sbin/sshd" or user in json.dumps(e)
    return False

def sql(db, q):
    return subprocess.run(["sqlite3", db, q], capture_output=True, text=True, check=True).stdout.split()

print(f"{'kind':8} {'event.action':14} {'events':>7} {'JSON bytes/event':>17}")
for kind in ("exec", "connect", "file", "login"):
    by_action = collections.defaultdict(lambda: [0, 0])
    total = [0, 0]
    with open(f"{T}/{kind}/events.json", "rb") as f:
        for line in f:
            e = json.loads(line)
            if not ours(e, kind):
                continue
            a = e.get("event", {}).get("action", "?")
            by_action[a][0] += 1
            by_action[a][1] += len(line)
            total[0] += 1
            total[1] += len(line)
    for a, (c, b) in sorted(by_action.items(), key=lambda x: -x[1][0]):
        print(f"{kind:8} {a:14} {c:7d} {b / c:17.0f}")
    units = logins if kind == "login" else n
    print(f"{kind:8} {'(all)':14} {total[0]:7d} {total[1] / total[0]:17.0f}   "
          f"JSON bytes per {'login' if kind == 'login' else 'workload step'}: {total[1] / units:.0f}")
    with open(f"{T}/{kind}/events.json", "rb") as f:
        whole = f.read()
    print(f"{kind:8} the whole file (every process of the host): {len(whole)} bytes, gzip -6: "
          f"{len(gzip.compress(whole, 6))} ({len(whole) / len(gzip.compress(whole, 6)):.1f}x)")

print()
print(f"{'kind':8} {'table':10} {'rows':>6} {'bytes/row':>10}  (pages incl. indexes / all rows)")
for kind in ("exec", "connect", "file", "login"):
    db = f"{T}/{kind}/store/auditlens.db"
    pages = {}
    out = subprocess.run(["sqlite3", "-separator", " ", db,
                          "SELECT m.tbl_name, sum(d.pgsize) FROM dbstat d JOIN sqlite_master m ON d.name = m.name "
                          "GROUP BY m.tbl_name"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        t, b = line.split()
        pages[t] = int(b)
    sess = f"(SELECT id FROM sessions WHERE auid = {uid})"
    mine = {
        "events": int(sql(db, f"SELECT count(*) FROM events WHERE session_id IN {sess}")[0]),
        "processes": int(sql(db, f"SELECT count(*) FROM processes WHERE session_id IN {sess} OR auid = {uid}")[0]),
        "sessions": int(sql(db, f"SELECT count(*) FROM sessions WHERE auid = {uid}")[0]),
    }
    total = 0.0
    for t in ("events", "processes", "sessions"):
        rows = int(sql(db, f"SELECT count(*) FROM {t}")[0])
        per = pages.get(t, 0) / rows if rows else 0
        total += per * mine[t]
        print(f"{kind:8} {t:10} {mine[t]:6d} {per:10.0f}")
    units = logins if kind == "login" else n
    print(f"{kind:8} store bytes per {'login' if kind == 'login' else 'workload step'}: {total / units:.0f}"
          f"  (file {sum(pages.values())} bytes)")
PY
