#!/usr/bin/env bash
# Filters drop exactly what they name (issue 25), end to end on a recorded log (no kernel):
# `auditlens parse --config` of tests/data/differential/corpus-debian12.log with three tables (a
# keep exception, then drops by syscall and user, by executable, by key), against the same log
# parsed without filters. The kept and the dropped events (--dropped-output) partition the
# unfiltered ones; the dropped ones are exactly those the tables name, computed here from the
# unfiltered output's own fields in the tables' order; the counts parse prints per table match; a
# config with a bad table is refused with its line.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cli_init parse-filters
LOG=$SRC/tests/data/differential/corpus-debian12.log

cat >"$T/config.toml" <<'TOML'
[[filters]]
name = "auditctl-kept"
action = "keep"
exe = "/usr/sbin/auditctl"

[[filters]]
name = "root-opens"
action = "drop"
syscall = ["open", "openat"]
uid = 0

[[filters]]
name = "auditd"
action = "drop"
exe = "/usr/sbin/audit*"

[[filters]]
name = "diff-keys"
action = "drop"
key = ["diff-file", "diff-net"]
TOML
"$AUDITLENS" parse "$LOG" >"$T/all.json" 2>/dev/null
# --profile full: with --config, parse writes the config's [output] profile (the agent's default,
# brief, when it sets none); the lines are compared with parse's own default, full.
"$AUDITLENS" parse --config "$T/config.toml" --profile full --dropped-output "$T/dropped.json" "$LOG" \
  >"$T/kept.json" 2>"$T/stderr"
check "parse with filters exits 0" test $? -eq 0

checks=$($PY - "$T" <<'PY'
import json, sys
d = sys.argv[1]
def load(name):
    return [json.loads(l) for l in open(f"{d}/{name}", encoding="utf-8") if l.strip()]
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
every, kept, dropped = load("all.json"), load("kept.json"), load("dropped.json")
ident = lambda e: (e["@timestamp"], e["event"]["sequence"])
# The tables, in order, read from the unfiltered output's own fields.
def syscall(e):
    sc = [r for r in e.get("auditd", {}).get("records", []) if r.get("type") == "SYSCALL"]
    return sc[0].get("syscall") if sc else None
def uid(e):
    sc = [r for r in e.get("auditd", {}).get("records", []) if r.get("type") == "SYSCALL"]
    return e.get("user", {}).get("id") if sc else None
exe = lambda e: e.get("process", {}).get("executable")
tables = [
    ("auditctl-kept", "keep", lambda e: exe(e) == "/usr/sbin/auditctl"),
    ("root-opens", "drop", lambda e: syscall(e) in ("open", "openat") and uid(e) == "0"),
    ("auditd", "drop", lambda e: (exe(e) or "").startswith("/usr/sbin/audit")),
    ("diff-keys", "drop", lambda e: bool(set(e.get("tags", [])) & {"diff-file", "diff-net"})),
]
want_dropped, counts = [], {name: 0 for name, _, _ in tables}
for e in every:
    for name, action, match in tables:
        if match(e):
            counts[name] += 1
            if action == "drop":
                want_dropped.append(ident(e))
            break
check(len(every) > 100, f"the log has events ({len(every)})")
check(sorted(map(ident, kept)) + [] == sorted(set(map(ident, every)) - set(want_dropped)),
      f"the kept events are the unfiltered ones minus those the tables drop ({len(kept)})")
check(sorted(map(ident, dropped)) == sorted(want_dropped),
      f"the dropped events are exactly those the tables name ({len(dropped)})")
check(all(counts[n] > 0 for n in counts), f"every table decides some event: {counts}")
# Kept events are line for line the unfiltered output's.
by_id = {ident(e): e for e in every}
check(all(by_id[ident(e)] == e for e in kept + dropped), "kept and dropped events are written as without filters")
line = [l for l in open(f"{d}/stderr") if "dropped by filters" in l]
want = f"{len(want_dropped)} events dropped by filters;" + "".join(
    f" {n} ({a}) {counts[n]}" for n, a, _ in tables)
check(len(line) == 1 and want in line[0], f"parse's counts: {line[0].strip() if line else None!r}")
PY
)
while IFS= read -r line; do
  case $line in
    "ok - "*) check "${line#ok - }" true ;;
    "not ok - "*) check "${line#not ok - }" false ;;
    *) echo "$line" ;;
  esac
done <<<"$checks"

printf '[[filters]]\nname = "x"\naction = "drop"\n\nport = "99999"\n' >"$T/bad.toml"
"$AUDITLENS" parse --config "$T/bad.toml" "$LOG" >/dev/null 2>"$T/bad.err"
rc=$?
check "a bad table: exit 1" test "$rc" -eq 1
check "a bad table: its file and line, and the reason" grep -q "bad.toml:5: filters.port: '99999' is not a port" "$T/bad.err"

cli_finish
