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

# The same for a SOCKADDR record left out whole: a brief line whose remote port was changed.
$PY - "$T/ssh_interactive_sudo_su.compact" "$T/ssh_interactive_sudo_su.brief" "$T/broken_addr.brief" <<'PY'
import json, sys
compact = [json.loads(l) for l in open(sys.argv[1])]
out = open(sys.argv[3], "w")
done = False
for c, line in zip(compact, open(sys.argv[2])):
    e = json.loads(line)
    had = any(r.get("type") == "SOCKADDR" for r in c["auditd"]["records"])
    kept = any(r.get("type") == "SOCKADDR" for r in e["auditd"]["records"])
    end = "source" if e.get("network", {}).get("direction") == "ingress" else "destination"
    if not done and had and not kept and "port" in e.get(end, {}):
        e[end]["port"] += 1
        done = True
    out.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")
sys.exit(0 if done else 1)
PY
check "a SOCKADDR record is left out of some brief line of the ssh log" test $? = 0
check "the checker refuses a brief line whose summary no longer gives the SOCKADDR's port" \
  bash -c "! $PY '$SRC/tests/cli/brief_check.py' '$T/ssh_interactive_sudo_su.compact' '$T/broken_addr.brief' >/dev/null"

# A connect to 127.0.0.1:80 gives its SOCKADDR back from destination and network.type; one to the
# v4-mapped ::ffff:127.0.0.1 keeps it (the summary writes that address as IPv4: its family is not
# given back).
{
  printf 'type=SYSCALL msg=audit(1700000000.000:7): arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=7ffd0 a2=10 a3=0 items=0 ppid=1 pid=30 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=(none) ses=3 comm="c" exe="/bin/c" key=(null)\n'
  printf 'type=SOCKADDR msg=audit(1700000000.000:7): saddr=020000507F0000010000000000000000\n'
  printf 'type=EOE msg=audit(1700000000.000:7): \n'
  printf 'type=SYSCALL msg=audit(1700000000.000:8): arch=c000003e syscall=42 success=yes exit=0 a0=3 a1=7ffd0 a2=1c a3=0 items=0 ppid=1 pid=30 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=(none) ses=3 comm="c" exe="/bin/c" key=(null)\n'
  printf 'type=SOCKADDR msg=audit(1700000000.000:8): saddr=0A0000500000000000000000000000000000FFFF7F00000100000000\n'
  printf 'type=EOE msg=audit(1700000000.000:8): \n'
} >"$T/connect.log"
"$AUDITLENS" parse --resolve-names none --profile brief "$T/connect.log" >"$T/connect.brief" 2>/dev/null
"$AUDITLENS" parse --resolve-names none --profile compact "$T/connect.log" >"$T/connect.compact" 2>/dev/null
check "brief leaves out the SOCKADDR of 127.0.0.1:80 and keeps the v4-mapped one's" $PY -c '
import json, sys
a, b = [json.loads(l) for l in open(sys.argv[1])]
types = lambda e: [r["type"] for r in e["auditd"]["records"]]
ok = (types(a) == ["SYSCALL"] and a["destination"] == {"ip": "127.0.0.1", "port": 80}
      and a["network"]["type"] == "ipv4" and "SOCKADDR" in types(b))
sys.exit(0 if ok else 1)' "$T/connect.brief"
check "the checker gives both connects back whole" $PY "$SRC/tests/cli/brief_check.py" "$T/connect.compact" "$T/connect.brief"

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
