#!/usr/bin/env bash
# Bytes per event of each output profile on the issue's workload (issue 25, docs/performance.md
# "Filters and output profiles"): the agent with its defaults (process tree on) and one narrow
# rule, execve by a test user; N runs of /usr/bin/true by that user (its uid, a login uid of its
# own), once per profile, each with a fresh agent and output file. Prints, per profile, the JSON
# bytes per exec event of /usr/bin/true in the output.
#
#   AUDITLENS=build/release/auditlens bench/profile_sizes.sh [N]    (as root; takes the kernel lock)
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

for profile in full compact lean; do
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
