#!/usr/bin/env bash
# File outputs of [[outputs]] rotated during a storm, beside the [output] file (the reference: it
# gets every line): one rotated by size by the agent itself (max_bytes, generations), one by
# logrotate with a postrotate SIGHUP, run several times while the storm goes on. In each, every
# line of the reference is in exactly one generation (none lost, none twice: the lines compared
# as a multiset, events by their serial too), each generation holds whole JSON lines only, and the
# agent's generations stay within max_bytes.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
command -v logrotate >/dev/null || { echo "test_output_rotation: needs logrotate (scripts/install-deps.sh)" >&2; exit 1; }
kt_init output_rotation
T=$KT_TMP
kt_watch_opens kt_rot
MAX=1048576
mkdir -p "$T/rot" "$T/lr"
kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json" kernel.backlog_limit=8192
cat >>"$T/config.toml" <<CONF
[[outputs]]
type = "file"
path = "$T/rot/events.json"
max_bytes = $MAX
generations = 200

[[outputs]]
type = "file"
path = "$T/lr/events.json"
max_bytes = 0
CONF
status_out() { # INDEX KEY
  $PY -c "import json,sys; print(json.load(open(sys.argv[1]))['outputs'][int(sys.argv[2])][sys.argv[3]])" "$T/status.json" "$1" "$2"
}
settled() {
  $PY - "$T/status.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if all(o["spool_bytes"] == 0 and not o["failing"] for o in s["outputs"]) else 1)
PY
}

kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "agent registers" kt_wait_for 10 kt_is_daemon $AGENT
kt_wait_for 10 bash -c "auditctl -l | grep -q kt_rot"
cat >"$T/logrotate.conf" <<CONF
$T/lr/events.json {
  rotate 50
  missingok
  nocompress
  postrotate
    kill -HUP $AGENT
  endscript
}
CONF
# The storm: 30,000 opens in 6 bursts; logrotate between them, while the bursts' events are still
# being written.
for round in 1 2 3 4 5 6; do
  $PY -c "
import os, sys
for i in range(5000):
    os.close(os.open(sys.argv[1], os.O_RDONLY))
" "$T/w/file" &
  burst=$!
  sleep 0.3
  logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf" 2>>"$T/logrotate.err" 9>&- || kt_log "logrotate: $(cat "$T/logrotate.err")"
  wait $burst
done
sleep 1.5
kt_check "the outputs settle" kt_wait_for 20 settled
kt_check "the agent rotated its file several times" test "$(status_out 0 rotations)" -ge 10
kt_check "nothing was dropped" test "$(status_out 0 dropped_lines)$(status_out 1 dropped_lines)" = 00
kill -TERM $AGENT
wait $AGENT && rc=0 || rc=$?
kt_check "agent exits 0" test $rc -eq 0

result=$($PY - "$T/out.json" "$T/rot/events.json" "$T/lr/events.json" "$MAX" <<'PY'
import collections, json, os, sys
ref, rot, lr, maxb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
def lines(p):
    with open(p, "rb") as f:
        data = f.read()
    return data, [l for l in data.split(b"\n") if l]
def generations(base):
    names = [base] + [f"{base}.{n}" for n in range(1, 1000) if os.path.exists(f"{base}.{n}")]
    return [n for n in names if os.path.exists(n)]
_, ref_lines = lines(ref)
R = collections.Counter(ref_lines)
seqs = [json.loads(l)["event"]["sequence"] for l in ref_lines if json.loads(l)["event"]["kind"] == "event"]
check(len(seqs) >= 30000 and len(seqs) == len(set(seqs)), f"the reference has {len(seqs)} events, each once")
for label, base, limit in (("size rotation", rot, maxb), ("logrotate + SIGHUP", lr, None)):
    gens = generations(base)
    got, whole, within = [], True, True
    for g in gens:
        data, ls = lines(g)
        whole = whole and (not data or data.endswith(b"\n"))
        for l in ls:
            try:
                json.loads(l)
            except ValueError:
                whole = False
        if limit is not None and len(data) > limit:
            within = False
        got += ls
    check(len(gens) >= 5, f"{label}: {len(gens)} generations")
    # Each generation was written to: after a SIGHUP the agent writes to the new file, not on in
    # the one logrotate moved.
    check(all(os.path.getsize(g) > 0 for g in gens), f"{label}: every generation has lines")
    check(whole, f"{label}: every generation holds whole JSON lines only")
    if limit is not None:
        check(within, f"{label}: no generation is larger than max_bytes ({limit})")
    G = collections.Counter(got)
    check(G == R, f"{label}: the generations hold exactly the reference's {len(ref_lines)} lines ({len(got)}; missing {sum((R - G).values())}, extra {sum((G - R).values())})")
    gseq = [json.loads(l)["event"]["sequence"] for l in got if json.loads(l)["event"]["kind"] == "event"]
    check(sorted(gseq) == sorted(seqs), f"{label}: every event serial in exactly one generation")
PY
)
kt_checks_from "" "$result"
kt_finish
