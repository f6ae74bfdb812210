#!/usr/bin/env bash
# Filters and labels against the kernel. A user of the test runs a tool script (labelled by its
# command line, [[labels]] argv) whose shell forks a child shell that execs programs, and, outside
# the tool, the same programs. With a narrow exec rule for that user and one [[filters]] table that
# drops the execs of /usr/bin/true:
#   - every exec under the tool (the tool's shell, its child shell, the programs they exec) has
#     labels.kt_tool = "true", and no exec outside it has a label;
#   - the output has no exec of /usr/bin/true; the file of dropped events has exactly those two
#     (one under the tool, one outside), each still labelled as it should be;
#   - the status file's counter for the table, and filtered_events, say 2; `auditlens status`
#     shows the table's line;
#   - the store (on here) keeps the labelled processes, outside any login session, and `auditlens
#     timeline --label kt_tool` shows the tool's five commands (not the dropped true, nothing from
#     outside the tool).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init filters_labels
T=$KT_TMP
chmod 755 "$T"
HERE=$(cd "$(dirname "$0")" && pwd)

U=alfilt$$
useradd -M -d /nonexistent -s /bin/bash "$U"
KT_USERS+=("$U")
UID_=$(id -u "$U")

cat >"$T/rules" <<RULES
-a always,exit -F arch=b64 -S execve -F uid=$UID_ -k kt_filt
RULES
kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json" \
  "output.dropped_path=\"$T/dropped.json\"" store.enabled=true "store.path=\"$T/store.db\""
cat >>"$T/config.toml" <<TOML

[[labels]]
name = "kt_tool"
argv = "*bash $T/tool.sh"

[[filters]]
name = "no-true"
action = "drop"
exe = "/usr/bin/true"
TOML
"$AUDITLENS" run --config "$T/config.toml" --check-config >"$T/check.txt" 2>&1 || { cat "$T/check.txt"; exit 1; }
kt_check "run --check-config accepts the tables" grep -q "filters:  1, labels: 1" "$T/check.txt"
kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "agent registers as the audit daemon" kt_wait_for 10 kt_is_daemon "$AGENT"

# The tool: its shell forks a child shell (sh -c), which execs id and then true; the tool then
# execs env (a fork of its own first, as a command in a pipeline).
cat >"$T/tool.sh" <<'SH'
/bin/sh -c '/usr/bin/id -u >/dev/null; /usr/bin/true'
/usr/bin/env | /usr/bin/head -c 0
SH
chmod 644 "$T/tool.sh"
as_user() { setpriv --reuid="$UID_" --regid="$UID_" --clear-groups "$@"; }
as_user /usr/bin/bash "$T/tool.sh" 9>&-
as_user /usr/bin/id -u >/dev/null 9>&-
as_user /usr/bin/true 9>&-

# bash, sh, id, true, env, head under the tool; id, true outside: 8 execs (2 of them dropped).
kt_check "the execs are written" kt_wait_for 10 bash -c "[[ \$(grep -c '\"action\":\"exec\"' '$T/out.json' 2>/dev/null) -ge 6 && \$(grep -c . '$T/dropped.json' 2>/dev/null) -ge 2 ]]"
kt_check "the status file counts the filter" kt_wait_for 5 grep -qs '"name":"no-true","action":"drop","matched":2' "$T/status.json"
"$AUDITLENS" status --config "$T/config.toml" >"$T/status.txt" 2>&1 || true
kt_check "auditlens status shows the filter's counter" grep -Eq '^ +no-true +drop 2$' "$T/status.txt"
kill -TERM "$AGENT"
rc=0
wait "$AGENT" || rc=$?
AGENT=""
kt_check "agent exits 0" test "$rc" -eq 0

checks=$($PY - "$T/out.json" "$T/dropped.json" "$T/status.json" <<'PY'
import json, sys
def load(path):
    return [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
out, dropped, status = load(sys.argv[1]), load(sys.argv[2]), json.load(open(sys.argv[3]))
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
def execs(events):
    return [e for e in events if e["event"].get("action") == "exec" and e["event"].get("outcome") == "success"]
def labelled(e):
    return e.get("labels") == {"kt_tool": "true"}
kept = execs(out)
# The tool's tree: bash running tool.sh, and every exec whose parent chain leads to it.
tool = [e for e in kept if e["process"].get("executable") == "/usr/bin/bash"
        and "tool.sh" in " ".join(e["process"].get("args", []))]
check(len(tool) == 1 and labelled(tool[0]), "the tool's shell is labelled by its command line")
tree = {tool[0]["process"]["pid"]} if tool else set()
for e in sorted(kept + execs(dropped), key=lambda e: e["event"]["sequence"]):
    if e["process"].get("parent", {}).get("pid") in tree:
        tree.add(e["process"]["pid"])
for e in kept + execs(dropped):
    p = e["process"]
    inside = p["pid"] in tree
    name = f'{p.get("executable")} (pid {p["pid"]})'
    if inside:
        check(labelled(e), f"{name}, under the tool, has the label")
    else:
        check("labels" not in e, f"{name}, outside the tool, has no label")
under = [e for e in kept + execs(dropped) if e["process"]["pid"] in tree]
check(sorted(e["process"]["executable"] for e in under) ==
      sorted(["/usr/bin/bash", "/usr/bin/dash", "/usr/bin/id", "/usr/bin/true", "/usr/bin/env", "/usr/bin/head"]),
      "the tool's tree is its shell, the child shell and the four programs: " +
      ", ".join(sorted(e["process"]["executable"] for e in under)))
check(not [e for e in out if e.get("process", {}).get("executable") == "/usr/bin/true"],
      "no exec of /usr/bin/true is in the output")
d = execs(dropped)
check(len(d) == 2 and all(e["process"]["executable"] == "/usr/bin/true" for e in d),
      f"the dropped file holds exactly the two execs of /usr/bin/true ({len(d)} events)")
check(sum(1 for e in d if labelled(e)) == 1, "one of them is under the tool, labelled")
check(status.get("filtered_events") == 2 and status.get("filters") == [{"name": "no-true", "action": "drop", "matched": 2}],
      f"status: filtered_events 2 and the table's counter 2 ({status.get('filters')})")
check(status.get("events") == len(out), f"status events {status.get('events')} is what the output holds ({len(out)})")
PY
) || true
kt_checks_from "" "$checks"

# The store keeps the labelled processes and their events (outside any login session, as a
# container's): `timeline --label` shows the tool's commands, and nothing outside it.
rc=0
"$AUDITLENS" timeline --db "$T/store.db" --label kt_tool --json >"$T/label.json" 2>"$T/label.err" || rc=$?
kt_check "timeline --label kt_tool exits 0" test "$rc" -eq 0 || cat "$T/label.err"
checks=$($PY - "$T/label.json" <<'PY'
import json, sys
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
t = json.load(open(sys.argv[1]))
texts = [e["text"] for e in t.get("entries", []) if e.get("kind") in ("command", "shell")]
check(t.get("label") == "kt_tool" and t.get("processes", 0) >= 5,
      f"the label's timeline: {t.get('label')}, {t.get('processes')} processes")
for program in ("tool.sh", "/usr/bin/id", "/usr/bin/env", "/usr/bin/head"):
    check(any(program in x for x in texts), f"{program} is a command of the label's timeline")
check(not any(x.startswith("/usr/bin/true") for x in texts), "no /usr/bin/true (the filter dropped it)")
check(len(texts) == 5, f"five commands, the tool's tree without what was dropped: {texts}")
PY
) || true
kt_checks_from "" "$checks"
"$AUDITLENS" timeline --db "$T/store.db" --label kt_tool --color never >"$T/label.txt" 2>&1 || true
kt_check "the text timeline is titled by the label" grep -q '^Label kt_tool$' "$T/label.txt"
sed -n '1,12s/^/#   /p' "$T/label.txt"
rc=0
"$AUDITLENS" timeline --db "$T/store.db" --label nosuch >/dev/null 2>"$T/nolabel.err" || rc=$?
kt_check "a label no process has: exit 1, said so" \
  bash -c "[[ $rc -eq 1 ]] && grep -q \"no process with the label 'nosuch'\" '$T/nolabel.err'"
ecs=$($PY "$HERE/../ecs/check_ecs.py" --require ecs.version --require host.os.type "$T/out.json" 2>&1) && ok=0 || ok=$?
echo "$ecs" | tail -3
kt_check "every event is ECS-valid, labels included (check_ecs.py)" test "$ok" -eq 0
kt_finish
