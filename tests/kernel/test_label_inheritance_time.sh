#!/usr/bin/env bash
# A label a process gains reaches the children it starts from then on, not the ones it had already
# started, even when their forks are not audited (only execs are, as with the default rules): the
# agent then reads a child's start time from /proc when it first sees it.
#
# A user's shell P (run as a script) starts child A (a subshell that sleeps, then execs id), then
# reads a trigger file itself (a rule key gives P the label "touched"), starts child B (execs true),
# then execs env (the label "envtool", by its executable), which execs sh, which starts uname (C).
# A execs after all that. Only forks before a label keep A out of it:
#   A (id): no label; B (true): touched; P's execs of env and sh: touched and envtool;
#   C (uname): touched and envtool.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init label_time
T=$KT_TMP
chmod 755 "$T"

U=allabt$$
useradd -M -d /nonexistent -s /bin/bash "$U"
KT_USERS+=("$U")
UID_=$(id -u "$U")
: >"$T/trigger"
chmod 644 "$T/trigger"

cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S execve -F uid=$UID_ -k kt_labt
-a always,exit -F arch=b64 -S open,openat -F path=$T/trigger -F uid=$UID_ -k kt_trig
RULES
kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json"
cat >>"$T/config.toml" <<TOML

[[labels]]
name = "touched"
key = "kt_trig"

[[labels]]
name = "envtool"
exe = "/usr/bin/env"
TOML
kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "agent registers as the audit daemon" kt_wait_for 10 kt_is_daemon "$AGENT"

cat >"$T/p.sh" <<SH
( sleep 0.8; exec /usr/bin/id -u >/dev/null ) &
sleep 0.2
read -r x <"$T/trigger" || true
( exec /usr/bin/true ) &
wait \$!
sleep 0.2
exec /usr/bin/env /bin/sh -c '/usr/bin/uname >/dev/null; sleep 1'
SH
chmod 644 "$T/p.sh"
setpriv --reuid="$UID_" --regid="$UID_" --clear-groups /usr/bin/bash "$T/p.sh" 9>&-

kt_check "the execs are written" kt_wait_for 10 bash -c "grep -q '\"executable\":\"/usr/bin/id\"' '$T/out.json' 2>/dev/null"
kill -TERM "$AGENT"
rc=0
wait "$AGENT" || rc=$?
AGENT=""
kt_check "agent exits 0" test "$rc" -eq 0

checks=$($PY - "$T/out.json" <<'PY'
import json, sys
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
events = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
execs = [e for e in events if e["event"].get("action") == "exec" and e["event"].get("outcome") == "success"]
def labels(exe):
    found = [e for e in execs if e["process"].get("executable") == exe]
    return [sorted(e.get("labels", {})) for e in found]
check(labels("/usr/bin/id") == [[]], f"A, started before both labels, has none: {labels('/usr/bin/id')}")
check(labels("/usr/bin/true") == [["touched"]], f"B, started after the key event, is touched: {labels('/usr/bin/true')}")
check(labels("/usr/bin/env") == [["envtool", "touched"]], f"P's exec of env: touched and envtool: {labels('/usr/bin/env')}")
check(labels("/usr/bin/dash") == [["envtool", "touched"]], f"P's exec of sh keeps both: {labels('/usr/bin/dash')}")
check(labels("/usr/bin/uname") == [["envtool", "touched"]], f"C, started after both, has both: {labels('/usr/bin/uname')}")
trig = [e for e in events if "kt_trig" in e.get("tags", [])]
check(len(trig) == 1 and sorted(trig[0].get("labels", {})) == ["touched"], "the key event itself carries the label it gave")
PY
) || true
kt_checks_from "" "$checks"
kt_finish
