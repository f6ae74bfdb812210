#!/usr/bin/env bash
# The brief output profile (issue 25, docs/schema.md "The brief profile") on every committed log
# of tests/data (no kernel): `auditlens parse --resolve-names none` in the compact, brief and lean
# profiles (lean: compact's summary with brief's records), then
# - brief_check.py: every field of every compact record is in the brief line, in its record with
#   the same value or left out and given back by the documented rules from the summary; whole
#   EXECVE, CWD and PROCTITLE records only when the summary gives all of them back; events without
#   a SYSCALL record keep their records; the same for the lean lines;
# - the ECS checker passes on the brief lines;
# - brief writes fewer bytes than compact on each log, and leaves something out (the rules fire).
source "$(dirname "$0")/lib.sh"
cli_init brief

for log in "$SRC"/tests/data/sessions/*.log "$SRC"/tests/data/differential/*.log \
  "$SRC"/tests/data/foreign/*.log "$SRC"/tests/data/unit/*.log; do
  name=$(basename "$log" .log)
  "$AUDITLENS" parse --resolve-names none --host h --profile compact "$log" >"$T/$name.compact" 2>/dev/null
  "$AUDITLENS" parse --resolve-names none --host h --profile brief "$log" >"$T/$name.brief" 2>/dev/null
  "$AUDITLENS" parse --resolve-names none --host h --profile lean "$log" >"$T/$name.lean" 2>/dev/null
  check "$name: every record field is in the brief line or given back by its rules" \
    $PY "$SRC/tests/cli/brief_check.py" "$T/$name.compact" "$T/$name.brief"
  check "$name: the same in the lean line (compact's summary, brief's records)" \
    $PY "$SRC/tests/cli/brief_check.py" "$T/$name.compact" "$T/$name.lean"
  check "$name: the brief lines are ECS" \
    bash -c "$PY '$SRC/tests/ecs/check_ecs.py' '$T/$name.brief' >'$T/$name.ecs' 2>&1 || { cat '$T/$name.ecs'; false; }"
  c=$(stat -c %s "$T/$name.compact")
  b=$(stat -c %s "$T/$name.brief")
  echo "# $name: compact $c bytes, brief $b bytes"
  check "$name: brief is smaller than compact" test "$b" -lt "$c"
done

# The checker fails when a left-out value cannot be given back: a brief line whose process.pid was
# changed must be refused.
log=$SRC/tests/data/sessions/ssh_interactive_sudo_su.log
$PY - "$T/ssh_interactive_sudo_su.brief" "$T/broken.brief" <<'PY'
import json, sys
out = open(sys.argv[2], "w")
done = False
for line in open(sys.argv[1]):
    e = json.loads(line)
    if not done and isinstance(e.get("process", {}).get("pid"), int) and any(
            r.get("type") == "SYSCALL" and "pid" not in r for r in e["auditd"]["records"]):
        e["process"]["pid"] += 1
        done = True
    out.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")
PY
check "the checker refuses a brief line whose summary no longer gives the record's pid" \
  bash -c "! $PY '$SRC/tests/cli/brief_check.py' '$T/ssh_interactive_sudo_su.compact' '$T/broken.brief' >/dev/null"

# A record that repeats a field name: the summary holds the first, the record keeps the second.
printf 'type=SYSCALL msg=audit(1700000000.000:5): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=0 ppid=1 pid=20 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=(none) ses=3 comm="x" exe="/bin/x" uid=0 pid=99 key=(null)\n' >"$T/dup.log"
"$AUDITLENS" parse --resolve-names none --profile brief "$T/dup.log" >"$T/dup.brief" 2>/dev/null
check "a repeated field's second value stays in the record" $PY -c '
import json, sys
e = json.loads(open(sys.argv[1]).readline())
rec = e["auditd"]["records"][0]
sys.exit(0 if e["process"]["pid"] == 20 and e["user"]["id"] == "1000" and rec.get("uid") == "0" and rec.get("pid") == "99" else 1)' "$T/dup.brief"

# The agent's configuration takes the name.
printf '[output]\nprofile = "brief"\n' >"$T/brief.toml"
check "run --check-config accepts output.profile = \"brief\"" \
  bash -c "'$AUDITLENS' run --config '$T/brief.toml' --check-config >'$T/check.out' 2>&1 || { cat '$T/check.out'; false; }"

cli_finish
