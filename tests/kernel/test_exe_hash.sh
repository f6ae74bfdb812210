#!/usr/bin/env bash
# process.hash.sha256 end to end: a program of the test run 20 times is hashed once and every event
# that carries a hash carries its SHA-256; the program replaced (a new file renamed over it, as
# package managers do) and run again gets the new file's hash; a program over enrich.hash_max_bytes
# says why it has none (auditd.process.hash_status "too_large"). The events before the hasher's
# answer say "pending". Every event stays ECS-valid.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init exe_hash
T=$KT_TMP
HERE=$(cd "$(dirname "$0")" && pwd)

cp /bin/true "$T/prog"
# A bigger program: the test's python (several MB) over a limit of 1 MiB.
cp "$(readlink -f "$PY")" "$T/big"
cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S execve -F dir=$T -k kt_hash
RULES
kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json" \
  enrich.hash=true enrich.hash_max_bytes=1048576
kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "agent registers as the audit daemon" kt_wait_for 10 kt_is_daemon "$AGENT"

# The agent hashes the programs of the processes it found at start too: the counts this test
# causes are the change from when those are done (the counts stay the same for two seconds).
hash_counts() { $PY -c 'import json,sys; h=json.load(open(sys.argv[1])).get("hashes",{}); print(h.get("hashed",0), h.get("too_large",0))' "$T/status.json" 2>/dev/null; }
settled() {
  local a b
  a=$(hash_counts) || return 1
  sleep 2
  b=$(hash_counts) || return 1
  [[ -n $a && $a == "$b" ]]
}
kt_check "the hashes of the processes found at start are done" kt_wait_for 60 settled
read -r base_hashed base_too_large < <(hash_counts)

# Each program runs once, then again once the hasher has hashed it (the status file counts it): the
# later runs must carry the hash and not cause another hashing. (Runs all at once could all be
# handled before the hasher's thread, on a loaded machine, has read the file once.)
hashed_at_least() { local h _; read -r h _ < <(hash_counts) && [[ ${h:-0} -ge $1 ]]; }
old_sha=$(sha256sum "$T/prog" | cut -d' ' -f1)
"$T/prog"
kt_check "the program is hashed after its first run" kt_wait_for 30 hashed_at_least $((base_hashed + 1))
for _ in $(seq 19); do "$T/prog"; done
# Replaced: another file (one byte more) renamed over the path.
{ cat /bin/true; printf 'x'; } >"$T/prog.new"
chmod 755 "$T/prog.new"
mv "$T/prog.new" "$T/prog"
new_sha=$(sha256sum "$T/prog" | cut -d' ' -f1)
"$T/prog"
kt_check "the replaced program is hashed after its first run" kt_wait_for 30 hashed_at_least $((base_hashed + 2))
for _ in $(seq 4); do "$T/prog"; done
"$T/big" -c 'pass'

kt_check "the execs are in the output" kt_wait_for 10 bash -c "[[ \$(grep -c '\"kt_hash\"' '$T/out.json' 2>/dev/null) -ge 26 ]]"
sleep 1
kill -TERM "$AGENT"
rc=0
wait "$AGENT" || rc=$?
AGENT=""
kt_check "agent exits 0" test "$rc" -eq 0

checks=$($PY - "$T/out.json" "$T/status.json" "$T/prog" "$T/big" "$old_sha" "$new_sha" \
  "$base_hashed" "$base_too_large" <<'PY'
import json, sys
out, status, prog, big, old_sha, new_sha = sys.argv[1:7]
base_hashed, base_too_large = int(sys.argv[7]), int(sys.argv[8])
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
events = [json.loads(l) for l in open(out, encoding="utf-8") if l.strip()]
execs = [e for e in events if e["event"].get("action") == "exec" and "kt_hash" in e.get("tags", [])]
progs = [e for e in execs if e["process"].get("executable") == prog]
check(len(progs) == 25, f"25 execs of the program ({len(progs)})")
def sha(e):
    return e["process"].get("hash", {}).get("sha256")
def status_of(e):
    return e.get("auditd", {}).get("process", {}).get("hash_status")
first, second = progs[:20], progs[20:]
# Never another file's hash: an event either has the program's own or says why not (the hasher's
# answer had not come; or the process was gone and the file at the path was already the
# replacement: "changed").
# After the first run was hashed, a later run carries that hash, unless its process was gone by the
# time the agent handled its exec and the path already named the replacement ("changed").
check(all(sha(e) in (None, old_sha) for e in first) and
      all(sha(e) == old_sha or status_of(e) == "changed" for e in first[1:]) and
      any(sha(e) == old_sha for e in first),
      f"the first program's events carry its SHA-256 ({sum(sha(e) == old_sha for e in first)} of 20; "
      f"every run after the first has it or says changed)")
check(all(sha(e) is not None or status_of(e) in ("pending", "changed") for e in progs),
      f"an event without the hash says why ({sorted(set(str(status_of(e)) for e in progs if sha(e) is None))})")
check(all(sha(e) in (None, new_sha) for e in second) and all(sha(e) == new_sha for e in second[1:]),
      f"the replaced program's events carry the new file's SHA-256 ({[sha(e)[:12] if sha(e) else None for e in second]})")
bigs = [e for e in execs if e["process"].get("executable") == big]
check(len(bigs) == 1 and sha(bigs[0]) is None and status_of(bigs[0]) == "too_large",
      f"the big program has no hash and says too_large ({[status_of(e) for e in bigs]})")
s = json.load(open(status))
h = s.get("hashes", {})
check(h.get("hashed", 0) - base_hashed == 2 and h.get("too_large", 0) - base_too_large == 1,
      f"the status file: two files hashed for 25 runs (the program, then its replacement), one too "
      f"large ({h}, before the runs {base_hashed} hashed, {base_too_large} too large)")
PY
) || true
kt_checks_from "" "$checks"
ecs=$($PY "$HERE/../ecs/check_ecs.py" --require ecs.version --require host.os.type "$T/out.json" 2>&1) && ok=0 || ok=$?
echo "$ecs" | tail -2
kt_check "every event is ECS-valid (check_ecs.py)" test "$ok" -eq 0
kt_finish
