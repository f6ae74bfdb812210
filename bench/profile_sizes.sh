#!/usr/bin/env bash
# Bytes per event of each output profile on the issue's workload (issue 25, docs/performance.md
# "Filters and output profiles"), beside laurel's and auditd's on the same workload: the agent with
# its defaults (process tree on) and one narrow rule, execve by a test user; N runs of /usr/bin/true
# by that user (its uid, a login uid of its own), once per profile, each with a fresh agent and
# output file. Then Debian's auditd (RAW, its log in a temp dir) with Debian's laurel as its plugin
# (the package's own config.toml, only its directory changed), the same rule loaded with auditctl,
# the same N runs. Prints, per consumer, the bytes per exec event of /usr/bin/true: the JSON line
# (auditlens, laurel) or the event's records (auditd's RAW log).
#
#   AUDITLENS=build/release/auditlens bench/profile_sizes.sh [N]    (as root; takes the kernel lock)
#
# laurel: bench/get_laurel.sh (the installed one, else Debian's package unpacked in the temp dir).
# PROFILES="full lean" limits the agent's runs (default: brief full compact lean); NO_LAUREL=1 skips auditd and laurel.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
source "$HERE/tests/kernel/lib.sh"
kt_init profile_sizes
T=$KT_TMP
chmod 755 "$T"
N=${1:-2000}

U=alprof$$
kt_login_user "$U" "$T/userkey"
UID_=$(id -u "$U")
echo "-a always,exit -F arch=b64 -S execve -F uid=$UID_ -k profsize" >"$T/rules"

for profile in ${PROFILES:-brief full compact lean}; do
  d=$T/$profile
  mkdir -p "$d"
  kt_agent_config "$d/config.toml" "$d" "$T/rules" "$d/events.json" "output.profile=\"$profile\""
  kt_start_agent "$d/config.toml" "$d/agent.log"
  kt_wait_for 10 kt_is_daemon $AGENT || { echo "profile_sizes: agent did not start" >&2; cat "$d/agent.log" >&2; exit 1; }
  sleep 1
  bash -c "echo $UID_ >/proc/self/loginuid && exec setpriv --reuid=$UID_ --regid=$UID_ --clear-groups \
    bash -c 'for ((i = 0; i < $N; i++)); do /usr/bin/true; done'"
  sleep 3  # past event_timeout_ms
  kill -TERM $AGENT
  wait $AGENT || true
  $PY - "$d/events.json" "$profile" <<'PY'
import json, sys
n = size = 0
for line in open(sys.argv[1], 'rb'):
    e = json.loads(line)
    if e.get('process', {}).get('executable') == '/usr/bin/true' and e['event'].get('action') == 'exec':
        n += 1
        size += len(line)
        sample = line
print(f"{sys.argv[2]}: {n} exec events of /usr/bin/true, {size // max(n, 1)} bytes per event")
if n:
    print(f"  last: {sample.decode(errors='replace').strip()}")
PY
done

[[ ${NO_LAUREL:-0} == 1 ]] && exit 0

# auditd + laurel on the same workload.
command -v auditd >/dev/null || { echo "profile_sizes: needs auditd (scripts/install-deps.sh test)" >&2; exit 1; }
pgrep -x auditd >/dev/null && { echo "profile_sizes: auditd is running: stop it first" >&2; exit 1; }
{ read -r LAUREL; read -r LAUREL_CONF; } < <(bash "$HERE/bench/get_laurel.sh" "$T/pkg") || exit 1
getent passwd _laurel >/dev/null || useradd --system --no-create-home --shell /usr/sbin/nologin _laurel
A=$T/auditd
mkdir -p "$A/log" "$A/plugins" "$A/laurel"
chown _laurel "$A/laurel"
sed -e "s|^directory *=.*|directory = \"$A/laurel\"|" -e "s|^size *=.*|size = 100000000000|" \
  "$LAUREL_CONF" >"$A/laurel.toml"
printf '%s\n' "active = yes" "direction = out" "type = always" "format = string" "path = $LAUREL" \
  "args = --config $A/laurel.toml" >"$A/plugins/laurel.conf"
chmod 0640 "$A/plugins/laurel.conf"
sed -e "s|^log_file *=.*|log_file = $A/log/audit.log|" \
    -e "s|^log_format *=.*|log_format = RAW|" \
    -e "s|^max_log_file_action *=.*|max_log_file_action = IGNORE|" \
    -e "s|^plugin_dir *=.*|plugin_dir = $A/plugins|" \
    /etc/audit/auditd.conf >"$A/auditd.conf"
grep -q '^plugin_dir' "$A/auditd.conf" || echo "plugin_dir = $A/plugins" >>"$A/auditd.conf"
chmod 0640 "$A/auditd.conf"
auditd -n -c "$A" >"$A/auditd.err" 2>&1 &
AUDITD=$!
KT_PIDS+=("$AUDITD")
kt_wait_for 10 kt_is_daemon $AUDITD || { echo "profile_sizes: auditd did not start" >&2; cat "$A/auditd.err" >&2; exit 1; }
auditctl -a always,exit -F arch=b64 -S execve -F uid="$UID_" -k profsize >/dev/null
sleep 1
bash -c "echo $UID_ >/proc/self/loginuid && exec setpriv --reuid=$UID_ --regid=$UID_ --clear-groups \
  bash -c 'for ((i = 0; i < $N; i++)); do /usr/bin/true; done'"
sleep 3
auditctl -d always,exit -F arch=b64 -S execve -F uid="$UID_" -k profsize >/dev/null
kill -TERM $AUDITD
wait $AUDITD || true
$PY - "$A/log/audit.log" "$A/laurel/audit.log" <<'PY'
import json, re, sys
# auditd RAW: the records of each serial whose SYSCALL ran /usr/bin/true, EOE included.
by_serial, true_serials = {}, set()
for line in open(sys.argv[1], 'rb'):
    m = re.search(rb'msg=audit\([0-9.]+:([0-9]+)\)', line)
    if not m:
        continue
    by_serial[m.group(1)] = by_serial.get(m.group(1), 0) + len(line)
    if line.startswith(b'type=SYSCALL') and b' exe="/usr/bin/true"' in line:
        true_serials.add(m.group(1))
n = len(true_serials)
size = sum(by_serial[s] for s in true_serials)
print(f"auditd RAW: {n} exec events of /usr/bin/true, {size // max(n, 1)} bytes per event")
n = size = 0
sample = b''
try:
    for line in open(sys.argv[2], 'rb'):
        e = json.loads(line)
        sc = e.get('SYSCALL', {})
        if sc.get('exe') == '/usr/bin/true' and sc.get('SYSCALL', sc.get('syscall')) in ('execve', 59, '59'):
            n += 1
            size += len(line)
            sample = line
except FileNotFoundError:
    pass
print(f"laurel: {n} exec events of /usr/bin/true, {size // max(n, 1)} bytes per event")
if n:
    print(f"  last: {sample.decode(errors='replace').strip()}")
PY
