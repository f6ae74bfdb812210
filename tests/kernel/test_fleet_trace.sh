#!/usr/bin/env bash
# Three test hosts and one fleet database, end to end: hosts A, B and C are network namespaces on a
# bridge of their own (10.204.0.0/24; the root namespace is 10.204.0.1 on it, and PostgreSQL,
# started here with tests/pg/pg_server.sh, listens on its loopback). Each host runs sshd on port 22
# of its address (the test's host keys; UsePAM so that pam_loginuid gives each login an audit
# session) and has its own agent: all three run in the root namespace (audit multicast reaches
# only it), each with its own hostname, machine id and `[agent] netns` scope, all writing to the
# same database; A's is the audit daemon and loads the rules, B's and C's are passive. Then, from
# the root namespace: ssh alice@A runs a command and ssh bob@B, which runs a command and ssh
# carol@C, which runs two commands. `auditlens trace` of carol's session on C (text and JSON) must
# give A (alice) → B (bob) → C (carol) with the right users, sessions, addresses and commands in
# order; traced from alice's session on A, the same hops downward; and each host's rows must hold
# only its own processes and sessions. Namespaces, bridge, users and the cluster are removed
# whatever happens.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init fleet_trace
HERE=$(cd "$(dirname "$0")" && pwd)
command -v ip >/dev/null || { echo "fleet_trace: needs ip (iproute2)" >&2; exit 1; }
T=$KT_TMP
chmod 755 "$T"

kt_need_sshd

HOSTS=(A B C)
declare -A NS=([A]=kt_flA_$$ [B]=kt_flB_$$ [C]=kt_flC_$$)
declare -A IP=([A]=10.204.0.11 [B]=10.204.0.12 [C]=10.204.0.13)
declare -A USR=([A]=alice$$ [B]=bob$$ [C]=carol$$)
declare -A HOSTNAME_OF=([A]=flhostA [B]=flhostB [C]=flhostC)
BR=flbr$$
RUN_SSHD_CREATED=""
AGENTS=()
cleanup() {
  set +e
  local h uid
  for h in "${HOSTS[@]}"; do
    uid=$(id -u "${USR[$h]}" 2>/dev/null) && pkill -KILL -U "$uid" 2>/dev/null
    userdel -r "${USR[$h]}" >/dev/null 2>&1
    ip netns pids "${NS[$h]}" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
    ip netns del "${NS[$h]}" 2>/dev/null
  done
  ip link del "$BR" 2>/dev/null
  [[ -n $RUN_SSHD_CREATED ]] && rmdir /run/sshd 2>/dev/null
  kt_restore
}
trap cleanup EXIT
source "$HERE/../pg/pg_server.sh"

# The hosts: a bridge in the root namespace, a veth pair per host.
ip link add "$BR" type bridge
ip addr add 10.204.0.1/24 dev "$BR"
ip link set "$BR" up
for h in "${HOSTS[@]}"; do
  ip netns add "${NS[$h]}"
  ip link add "fl$h$$" type veth peer name "fl${h}r$$"
  ip link set "fl$h$$" netns "${NS[$h]}"
  ip link set "fl${h}r$$" master "$BR" up
  ip -n "${NS[$h]}" addr add "${IP[$h]}/24" dev "fl$h$$"
  ip -n "${NS[$h]}" link set lo up
  ip -n "${NS[$h]}" link set "fl$h$$" up
done

# The users: alice's key opens bob's account, bob's opens carol's; the test's key opens alice's.
ssh-keygen -q -t ed25519 -N '' -f "$T/rootkey"
declare -A UIDS=()
for h in "${HOSTS[@]}"; do
  u=${USR[$h]}
  useradd -m -s /bin/bash "$u"
  usermod -p '*' "$u"
  UIDS[$h]=$(id -u "$u")
  home=$(getent passwd "$u" | cut -d: -f6)
  mkdir -p "$home/.ssh"
  ssh-keygen -q -t ed25519 -N '' -f "$home/.ssh/id_ed25519"
done
authorize() {  # KEY.pub USER
  local home
  home=$(getent passwd "$2" | cut -d: -f6)
  cat "$1" >>"$home/.ssh/authorized_keys"
}
authorize "$T/rootkey.pub" "${USR[A]}"
authorize "$(getent passwd "${USR[A]}" | cut -d: -f6)/.ssh/id_ed25519.pub" "${USR[B]}"
authorize "$(getent passwd "${USR[B]}" | cut -d: -f6)/.ssh/id_ed25519.pub" "${USR[C]}"
for h in "${HOSTS[@]}"; do
  u=${USR[$h]}
  home=$(getent passwd "$u" | cut -d: -f6)
  touch "$home/.ssh/authorized_keys"
  chown -R "$u:$u" "$home/.ssh"
  chmod 700 "$home/.ssh"
  chmod 600 "$home/.ssh/authorized_keys" "$home/.ssh/id_ed25519"
done

PG_PORT_=$(kt_free_port)
pg_start "$T/pg" "$PG_PORT_" >/dev/null
kt_check "PostgreSQL runs ($PG_URL)" pg_running "$T/pg"

# Rules for the three users' sessions and the sshds, as the default rules have them
# (src/rules/default_rules.h): A's agent loads them; audit is one for the whole machine.
{
  echo "-a always,exit -F arch=b64 -S execve -F exe=/usr/sbin/sshd -k exec"
  echo "-a always,exit -F arch=b64 -S accept,accept4,bind -F saddr_fam=2 -F exe=/usr/sbin/sshd -k network"
  echo "-a always,exit -F arch=b64 -S accept,accept4,bind -F saddr_fam=10 -F exe=/usr/sbin/sshd -k network"
  echo "-a never,exit -F arch=b64 -S clone -F a0&0x10000 -k fork"
  for h in "${HOSTS[@]}"; do
    uid=${UIDS[$h]}
    echo "-a always,exit -F arch=b64 -S execve,execveat -F auid=$uid -k exec"
    echo "-a always,exit -F arch=b64 -S connect,accept,accept4,bind -F saddr_fam=2 -F auid=$uid -k network"
    echo "-a always,exit -F arch=b64 -S connect,accept,accept4,bind -F saddr_fam=10 -F auid=$uid -k network"
    echo "-a always,exit -F arch=b64 -S accept,accept4 -F a1=0 -F success=1 -F auid=$uid -k network"
    echo "-a always,exit -F arch=b64 -S clone,fork,vfork -F auid=$uid -k fork"
    echo "-a always,exit -F arch=b64 -S exit_group -F auid=$uid -k exit"
  done
} >"$T/rules"

declare -A AGENT_OF=()
for h in "${HOSTS[@]}"; do
  d=$T/$h
  mkdir -p "$d"
  {
    echo "[agent]"
    [[ $h != A ]] && echo "passive = true"
    echo "hostname = \"${HOSTNAME_OF[$h]}\""
    echo "machine_id = \"$(printf "$h%.0s" {1..32} | tr 'ABC' 'abc')\""
    echo "netns = \"/run/netns/${NS[$h]}\""
    echo "state_path = \"$d/agent.state\""
    echo "status_path = \"$d/status.json\""
    # B's and C's passive agents read what A's rules produce and load none of their own.
    if [[ $h == A ]]; then printf '[rules]\npath = "%s"\n' "$T/rules"; else printf '[rules]\nload = false\n'; fi
    echo "[enrich]"
    echo "network_budget_ms = 0  # the ssh connects' local ends are looked up however loaded the machine is"
    echo "[output]"
    echo "path = \"$d/out.json\""
    echo "[store]"
    echo "path = \"$d/store.db\""
    echo "postgres = \"$PG_URL\""
    echo "postgres_spool_path = \"$d/fleet-spool\""
  } >"$d/config.toml"
  "$AUDITLENS" run --config "$d/config.toml" 2>"$d/agent.log" 9>&- &
  AGENT_OF[$h]=$!
  AGENTS+=($!)
  kt_track_pid $!
  if [[ $h == A ]]; then
    registered() { [[ $(auditctl -s | awk '/^pid/{print $2}') == "${AGENT_OF[A]}" ]]; }
    kt_check "A's agent registers as the audit daemon" kt_wait_for 10 registered
  fi
done
for h in B C; do
  kt_check "$h's agent runs passively" kt_wait_for 10 grep -qs '"mode":"passive"' "$T/$h/status.json"
done
schema_ready() { [[ $(pg_psql "$T/pg" -c "select count(*) from auditlens.schema_migrations" 2>/dev/null) -ge 1 ]]; }
kt_check "the agents created the fleet schema" kt_wait_for 20 schema_ready

[[ -d /run/sshd ]] || { mkdir -p /run/sshd && RUN_SSHD_CREATED=1; }
for h in "${HOSTS[@]}"; do
  d=$T/$h
  ssh-keygen -q -t ed25519 -N '' -f "$d/hostkey"
  cat >"$d/sshd_config" <<CFG
Port 22
ListenAddress ${IP[$h]}
HostKey $d/hostkey
PidFile $d/sshd.pid
UsePAM yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowUsers ${USR[$h]}
PrintMotd no
LogLevel VERBOSE
CFG
  ip netns exec "${NS[$h]}" /usr/sbin/sshd -D -f "$d/sshd_config" -E "$d/sshd.log" 9>&- &
  kt_track_pid $!
  listening() { ip netns exec "${NS[$1]}" ss -ltn "sport = :22" | grep -q LISTEN; }
  kt_check "sshd of $h listens on ${IP[$h]}:22" kt_wait_for 10 listening "$h"
done

# The chain. Each hop's commands end with a builtin, so that ssh is never exec'd in place of the
# shell; ~ is expanded by the shell of the hop it is meant for.
OPTS="-F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -o IdentitiesOnly=yes -o ConnectTimeout=10 -i ~/.ssh/id_ed25519"
CMD_C="whoami; ls / >/dev/null; echo carol-done"
CMD_B="id -un; ssh $OPTS ${USR[C]}@${IP[C]} '$CMD_C'; echo bob-done"
CMD_A="id -un; ssh $OPTS ${USR[B]}@${IP[B]} \"$CMD_B\"; echo alice-done"
set +e
ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
  -o BatchMode=yes -o IdentitiesOnly=yes -o ConnectTimeout=10 -i "$T/rootkey" \
  "${USR[A]}@${IP[A]}" "$CMD_A" >"$T/chain.out" 2>"$T/chain.err"
set -e
kt_check "the chain ran to carol on C and back" \
  bash -c "grep -qx '${USR[A]}' '$T/chain.out' && grep -qx '${USR[B]}' '$T/chain.out' && grep -qx '${USR[C]}' '$T/chain.out' && grep -qx carol-done '$T/chain.out' && grep -qx alice-done '$T/chain.out'"

sid_of() {  # HOST: the closed session of that host's user
  pg_psql "$T/pg" -c "select id from auditlens.sessions where host = '${HOSTNAME_OF[$1]}' and \"user\" = '${USR[$1]}' and state = 'closed' order by start_ms desc limit 1"
}
all_closed() { [[ -n $(sid_of A) && -n $(sid_of B) && -n $(sid_of C) ]]; }
kt_check "the three sessions are closed in the database" kt_wait_for 30 all_closed
hosts_of_agents() {
  [[ $(pg_psql "$T/pg" -c "select string_agg(host || '=' || machine_id, ' ' order by host) from auditlens.hosts") == \
    "${HOSTNAME_OF[A]}=$(printf 'a%.0s' {1..32}) ${HOSTNAME_OF[B]}=$(printf 'b%.0s' {1..32}) ${HOSTNAME_OF[C]}=$(printf 'c%.0s' {1..32})" ]]
}
kt_check "the hosts table has the three agents with their machine ids" hosts_of_agents
three_hops() {
  "$AUDITLENS" trace --postgres "$PG_URL" "${HOSTNAME_OF[C]}:$(sid_of C)" --json 2>/dev/null |
    $PY -c 'import json,sys; sys.exit(0 if len(json.load(sys.stdin)["hops"]) == 3 else 1)'
}
kt_check "trace finds the three hops while the agents run" kt_wait_for 30 three_hops

for pid in "${AGENTS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for h in "${HOSTS[@]}"; do
  rc=0
  wait "${AGENT_OF[$h]}" || rc=$?
  kt_check "$h's agent exits 0" test "$rc" -eq 0
done

SA=$(sid_of A)
SB=$(sid_of B)
SC=$(sid_of C)
TZ=UTC "$AUDITLENS" trace --postgres "$PG_URL" "${HOSTNAME_OF[C]}:$SC" >"$T/trace-c.txt"
"$AUDITLENS" trace --postgres "$PG_URL" "${HOSTNAME_OF[C]}:$SC" --json >"$T/trace-c.json"
"$AUDITLENS" trace --postgres "$PG_URL" "${HOSTNAME_OF[A]}:$SA" --json >"$T/trace-a.json"
TZ=UTC "$AUDITLENS" trace --postgres "$PG_URL" "${HOSTNAME_OF[A]}:$SA" >"$T/trace-a.txt"
echo "--- auditlens trace ${HOSTNAME_OF[C]}:$SC"
cat "$T/trace-c.txt"
echo "---"

for h in "${HOSTS[@]}"; do
  pg_psql "$T/pg" -F ' ' -c "select 'auid', coalesce(auid, -1)::text from auditlens.processes where host = '${HOSTNAME_OF[$h]}' group by auid
    union all select 'user', \"user\" from auditlens.sessions where host = '${HOSTNAME_OF[$h]}' group by \"user\"
    union all select 'uid', coalesce(uid, -1)::text from auditlens.events where host = '${HOSTNAME_OF[$h]}' and session_id is not null group by uid" \
    >"$T/$h/rows.txt"
done

$PY - "$T" "${HOSTNAME_OF[A]}" "${HOSTNAME_OF[B]}" "${HOSTNAME_OF[C]}" "${USR[A]}" "${USR[B]}" "${USR[C]}" \
  "${UIDS[A]}" "${UIDS[B]}" "${UIDS[C]}" "$SA" "$SB" "$SC" <<'PY' && kt_check "trace reconstructs A (alice) → B (bob) → C (carol), up and down, text and JSON" true || kt_check "trace reconstructs A (alice) → B (bob) → C (carol), up and down, text and JSON" false
import json, sys
T = sys.argv[1]
hosts, users, uids, sids = sys.argv[2:5], sys.argv[5:8], sys.argv[8:11], sys.argv[11:14]
ips = ["10.204.0.11", "10.204.0.12", "10.204.0.13"]
sources = ["10.204.0.1", "10.204.0.11", "10.204.0.12"]
ok = True
def expect(cond, what):
    global ok
    if not cond:
        ok = False
        print("FAIL:", what, file=sys.stderr)
def commands(hop):
    return [e["detail"].get("args") for e in hop["entries"] if e["kind"] == "command"]
for name, focus in (("trace-c.json", 2), ("trace-a.json", 0)):
    t = json.load(open(f"{T}/{name}"))
    hops = t["hops"]
    expect([h["host"] for h in hops] == hosts, f"{name}: hosts {[h['host'] for h in hops]}")
    expect([h["session"].get("user") for h in hops] == users, f"{name}: users {[h['session'].get('user') for h in hops]}")
    expect([h["session"]["id"] for h in hops] == sids, f"{name}: sessions {[h['session']['id'] for h in hops]}")
    expect([h["focus"] for h in hops] == [i == focus for i in range(3)], f"{name}: focus")
    if len(hops) != 3:
        continue
    for i, h in enumerate(hops):
        s = h["session"]
        expect(s.get("service") == "sshd", f"{name} hop {i + 1}: service {s.get('service')}")
        expect(s.get("source", {}).get("ip") == sources[i] and s.get("destination") == {"ip": ips[i], "port": 22},
               f"{name} hop {i + 1}: from {s.get('source')} to {s.get('destination')}")
        expect(str(s.get("community_id", "")).startswith("1:"), f"{name} hop {i + 1}: community id {s.get('community_id')}")
    for i in (1, 2):
        via = hops[i]["via"]
        s = hops[i]["session"]
        expect(via["host"] == hosts[i - 1] and via["session_id"] == sids[i - 1], f"{name}: hop {i + 1} via {via}")
        expect(via["community_id"] == s["community_id"] and via["destination"] == {"ip": ips[i], "port": 22}
               and via["source"] == s["source"], f"{name}: hop {i + 1}: the connect is the login's connection: {via} / {s}")
        expect([l["to_hop"] for l in hops[i - 1]["links"]] == [i + 1], f"{name}: hop {i} links {hops[i - 1]['links']}")
    a, b, c = (commands(h) for h in hops)
    expect(len(a) == 2 and a[0] == ["id", "-un"] and a[1][0] == "ssh" and f"{users[1]}@{ips[1]}" in a[1],
           f"{name}: alice's commands {a}")
    expect(len(b) == 2 and b[0] == ["id", "-un"] and b[1][0] == "ssh" and f"{users[2]}@{ips[2]}" in b[1],
           f"{name}: bob's commands {b}")
    expect(c == [["whoami"], ["ls", "/"]], f"{name}: carol's commands {c}")
    for h in hops:
        shells = [e for e in h["entries"] if e["kind"] == "shell"]
        cmds = [e for e in h["entries"] if e["kind"] == "command"]
        expect(len(shells) == 1 and shells[0]["depth"] == 0 and all(e["depth"] == 1 for e in cmds),
               f"{name} {h['host']}: commands nested under the shell")
        times = [e["time"] for e in cmds]
        expect(times == sorted(times), f"{name} {h['host']}: commands in order")
    notes = " ".join(t["notes"])
    expect("no agent in the database recorded the connect from 10.204.0.1:" in notes, f"{name}: the origin is outside the fleet: {notes}")

text = open(f"{T}/trace-c.txt").read().splitlines()
def at(pattern):
    return next((i for i, l in enumerate(text) if pattern in l), -1)
order = [at(p) for p in (f"{hosts[0]} ({users[0]}) → {hosts[1]} ({users[1]}) → {hosts[2]} ({users[2]})",
                         f"[1] {hosts[0]}  {users[0]} via sshd, session {sids[0]}", "$ id -un",
                         f"=> hop [2] {hosts[1]}", f"[2] {hosts[1]}  {users[1]} via sshd, session {sids[1]}",
                         f"=> hop [3] {hosts[2]}", f"[3] {hosts[2]}  {users[2]} via sshd, session {sids[2]}  <- traced session",
                         "$ whoami", "$ ls /")]
expect(-1 not in order and order == sorted(order), f"text: hops, commands and links in order {order}")
expect(any("logged in from 10.204.0.11:" in l and "→ 10.204.0.12:22" in l and "Community ID 1:" in l for l in text),
       "text: bob's login from A with its Community ID")

# Scoping: each host's rows are its own user's only (processes' auid, sessions' user, session
# events' uid: the user, or root for sshd's privileged half, or unset).
for i, h in enumerate("ABC"):
    rows = [l.split(" ", 1) for l in open(f"{T}/{h}/rows.txt").read().splitlines() if l]
    auids = {v for k, v in rows if k == "auid"} - {"-1", "4294967295"}
    names = {v for k, v in rows if k == "user"}
    evuids = {v for k, v in rows if k == "uid"} - {"0", "-1", "4294967295"}
    expect(auids == {uids[i]}, f"{hosts[i]}: processes of auid {auids}, only {uids[i]} expected")
    expect(names == {users[i]}, f"{hosts[i]}: sessions of {names}, only {users[i]} expected")
    expect(evuids <= {uids[i]}, f"{hosts[i]}: session events of uids {evuids}")
    status = json.load(open(f"{T}/{h}/status.json"))
    expect(status.get("out_of_scope_events", 0) > 0, f"{hosts[i]}: out_of_scope_events {status.get('out_of_scope_events')}")
sys.exit(0 if ok else 1)
PY

kt_check "A's JSON output has no event of B's or C's users" \
  bash -c "! grep -q '\"auid\":\"\\(${UIDS[B]}\\|${UIDS[C]}\\)\"' '$T/A/out.json' && grep -q '\"${USR[A]}\"' '$T/A/out.json'"

# Teardown here (the trap does it too, whatever happens): the hosts and users must be gone.
for h in "${HOSTS[@]}"; do
  uid=${UIDS[$h]}
  pkill -KILL -U "$uid" 2>/dev/null || true
  ip netns pids "${NS[$h]}" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  ip netns del "${NS[$h]}"
  userdel -r "${USR[$h]}" >/dev/null 2>&1 || true
done
ip link del "$BR"
kt_check "the test's namespaces and bridge are gone" \
  bash -c "! ip netns list | grep -q 'kt_fl[ABC]_$$' && ! ip link show '$BR' >/dev/null 2>&1"
kt_check "the test's users are gone" bash -c "! id '${USR[A]}' && ! id '${USR[B]}' && ! id '${USR[C]}'" 2>/dev/null
kt_check "kernel has no registered daemon after the run" bash -c "auditctl -s | grep -q '^pid 0'"
kt_finish
