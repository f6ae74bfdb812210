#!/usr/bin/env bash
# The command line's contract, without changing any kernel state (no kernel lock): exit codes of
# usage errors (2, a one-line hint) and of each command, `status` against status files made here
# (agent missing, stale, gone, stopped, output failing, healthy; kernel unreadable as nobody),
# `parse` reading no record, the bugs of issue 18 (sessions --last -3, an unreadable store, parse -o
# into a missing directory), `rules check` / `rules show-default`, `run --check-config` (touches
# nothing), and that every man page was built and renders with `man -l`.
# Needs root (it runs some commands as nobody with setpriv). The running agent's `status` 0 against
# a real agent is tests/kernel/test_cli_status_agent.sh.
source "$(dirname "$0")/lib.sh"
BUILD=${BUILD_DIR:-$(dirname "$AUDITLENS")}
[[ $(id -u) -eq 0 ]] || { echo "test_cli_exit_codes: needs root (runs commands as nobody)" >&2; exit 1; }
cli_init cli
chmod 755 "$T"
FAKE_PIDS=()
kill_fakes() {
  local p
  for p in "${FAKE_PIDS[@]}"; do kill "$p" 2>/dev/null; done
}
CLI_CLEANUP=kill_fakes
# run ARGS...: runs auditlens, sets RC, OUT (stdout) and ERR (stderr).
run() {
  "$AUDITLENS" "$@" >"$T/out" 2>"$T/err"
  RC=$?
  OUT=$(cat "$T/out")
  ERR=$(cat "$T/err")
}
# As nobody, from a copy nobody may run (the build tree may not be readable to it).
cp "$AUDITLENS" "$T/auditlens"
chmod 755 "$T/auditlens"
run_nobody() {
  setpriv --reuid=65534 --regid=65534 --clear-groups "$T/auditlens" "$@" >"$T/out" 2>"$T/err"
  RC=$?
  OUT=$(cat "$T/out")
  ERR=$(cat "$T/err")
}
one_line() { [[ $(printf '%s\n' "$ERR" | wc -l) -eq 1 ]]; }

# --- Usage errors: exit 2, one line naming the --help to read. ---
run
check "bare auditlens: exit 2" test "$RC" -eq 2
check "bare auditlens: the help on stdout" grep -q "^Usage: auditlens" "$T/out"
check "bare auditlens: nothing on stderr" test -z "$ERR"
run --bogus
check "--bogus: exit 2" test "$RC" -eq 2
check "--bogus: one-line hint" test "$ERR" == "auditlens: unknown option --bogus; see 'auditlens --help'"
run bogus
check "unknown command: exit 2 and hint" test "$RC" -eq 2 -a "$ERR" == "auditlens: unknown command bogus; see 'auditlens --help'"
run run --bogus
check "run --bogus: exit 2" test "$RC" -eq 2
check "run --bogus: hint names run --help" test "$ERR" == "auditlens run: unknown option --bogus; see 'auditlens run --help'"
run rules
check "bare 'auditlens rules': exit 2, its help on stdout" bash -c "[[ $RC -eq 2 ]] && grep -q '^Usage: auditlens rules' '$T/out'"
run rules check
check "rules check without a path: exit 2, one line" bash -c "[[ $RC -eq 2 ]]" && check "  ... naming rules check --help" grep -q "see 'auditlens rules check --help'" "$T/err"
run timeline
check "timeline without a session: exit 2" test "$RC" -eq 2
run status --json extra
check "status with an extra argument: exit 2, one line" bash -c "[[ $RC -eq 2 ]]" && check "  ... one line" one_line
run trace abc --window 0 --postgres postgresql://nowhere.invalid/x
check "trace --window 0: exit 2" test "$RC" -eq 2
run sessions --since yesterday-ish --db "$T/none.db"
check "sessions --since garbage: exit 2" test "$RC" -eq 2
run timeline 3 --container abcdefabcdef --db "$T/none.db"
check "timeline with a session and --container: exit 2, one line" bash -c "[[ $RC -eq 2 ]]" && check "  ... one line" one_line
run containers --since yesterday-ish --db "$T/none.db"
check "containers --since garbage: exit 2, one line" bash -c "[[ $RC -eq 2 ]]" && check "  ... one line" one_line
run containers --db "$T/none.db"
check "containers on a missing store: exit 1, 'no store at'" bash -c "[[ $RC -eq 1 ]] && grep -q 'no store at $T/none.db' '$T/err'"
run sessions --container abcdefabcdef --db "$T/none.db"
check "sessions --container on a missing store: exit 1" test "$RC" -eq 1
run --help
check "--help: exit 0" test "$RC" -eq 0
run --version
check "--version: exit 0" test "$RC" -eq 0 -a "$OUT" == "auditlens 0.1.0"
for c in run parse import status rules sessions timeline containers trace "rules list" "rules load" "rules delete-all" \
  "rules check" "rules show-default"; do
  # shellcheck disable=SC2086
  run $c --help
  check "$c --help: exit 0, usage and an exit status list" \
    bash -c "[[ $RC -eq 0 ]] && grep -q '^Usage: auditlens $c' '$T/out' && grep -q '^Exit status:' '$T/out'"
done

# --- Bug: sessions --last -3 was a SQLite "datatype mismatch". ---
run sessions --last -3 --db "$T/none.db"
check "sessions --last -3: usage error 2" test "$RC" -eq 2
check "sessions --last -3: one line naming --last, no datatype mismatch" \
  bash -c "[[ \$(wc -l <'$T/err') -eq 1 ]] && grep -q -- '--last' '$T/err' && ! grep -q 'datatype' '$T/err'"
run sessions --last 0 --db "$T/none.db"
check "sessions --last 0: usage error 2" test "$RC" -eq 2
run sessions --last 3 --db "$T/none.db"
check "sessions on a missing store: exit 1, 'no store at'" bash -c "[[ $RC -eq 1 ]] && grep -q 'no store at $T/none.db' '$T/err'"

# --- Bug: an existing store this user cannot read was "no store at". ---
mkdir -m 700 "$T/private"
echo x >"$T/private/auditlens.db"
mkdir -m 755 "$T/open"
echo x >"$T/open/auditlens.db"
chmod 600 "$T/open/auditlens.db"
for db in "$T/private/auditlens.db" "$T/open/auditlens.db"; do
  for cmd in sessions "timeline 1"; do
    # shellcheck disable=SC2086
    run_nobody $cmd --db "$db"
    check "$cmd as nobody, unreadable $db: exit 1" test "$RC" -eq 1
    check "  ... says it cannot read it: Permission denied, run as root" \
      grep -q "cannot read the store at $db: Permission denied (run as root" "$T/err"
  done
done
run_nobody sessions --db "$T/open/missing.db"
check "sessions as nobody, missing store: still 'no store at'" grep -q "no store at $T/open/missing.db" "$T/err"

# --- parse ---
GOOD=$SRC/tests/data/unit/machine_enriched.log
head -c 20000 /dev/urandom >"$T/random.bin"
run parse "$T/random.bin"
check "parse of 20 KB of random bytes: exit 1" test "$RC" -eq 1
check "  ... says no audit record was read" grep -q "no audit record read" "$T/err"
check "  ... still counts the malformed lines" grep -q "0 records, 0 events, [1-9][0-9]* malformed lines" "$T/err"
: >"$T/empty.log"
run parse "$T/empty.log"
check "parse of an empty file: exit 1" test "$RC" -eq 1
run parse "$GOOD"
check "parse of a good log: exit 0" test "$RC" -eq 0 -a -n "$OUT"
{ echo "garbage line"; cat "$GOOD"; printf 'type=SYSCALL msg=audit(\n'; } >"$T/mixed.log"
run parse "$T/mixed.log"
check "parse of a mix: exit 0" test "$RC" -eq 0
check "  ... malformed lines reported with their numbers" \
  bash -c "grep -q '^auditlens parse: $T/mixed.log:1: ' '$T/err' && grep -q '^auditlens parse: $T/mixed.log:$(($(wc -l <"$GOOD") + 2)): ' '$T/err'"
run parse --strict "$T/mixed.log"
check "parse --strict of a mix: exit 1" test "$RC" -eq 1
run parse "$T/no-such.log"
check "parse of a missing file: exit 1" test "$RC" -eq 1
rm -rf /nonexistent-auditlens  # left by an auditlens that made it (this test then failed)
run parse -o /nonexistent-auditlens/dir/out.json "$GOOD"
check "parse -o into a missing directory: exit 1" test "$RC" -eq 1
check "  ... with a clear error" grep -q "cannot open /nonexistent-auditlens/dir/out.json: No such file or directory" "$T/err"
check "  ... and no directory made" test ! -e /nonexistent-auditlens
run parse -o "$T/out.json" "$GOOD"
check "parse -o into an existing directory: exit 0, written" bash -c "[[ $RC -eq 0 && -s '$T/out.json' ]]"

# --- status against status files written here ---
now_ms() { date +%s%3N; }
# A live process whose command line names auditlens stands in for the agent.
bash -c 'exec -a auditlens-fake-agent sleep 600' &
FAKE=$!
FAKE_PIDS+=("$FAKE")
cat >"$T/status.toml" <<TOML
[agent]
status_path = "$T/status.json"
TOML
write_status() { # PID RUNNING UPDATED_MS [OUTPUT_FAILING DROPPED_LINES [EXTRA_MEMBERS]]
  printf '{"pid":%s,"running":%s,"mode":"daemon","started_ms":%s,"updated_ms":%s,"records":10,"events":2,"output_errors":0,"output_dropped_lines":%s,"output_failing":%s%s}\n' \
    "$1" "$2" "$(($(now_ms) - 60000))" "$3" "${5:-0}" "${4:-false}" "${6:-}" >"$T/status.json"
}
status_is() { # WHAT CODE [ARGS]
  local what=$1 code=$2
  shift 2
  run status --config "$T/status.toml" "$@"
  check "status, $what: exit $code (got $RC)" test "$RC" -eq "$code"
  run status --json --config "$T/status.toml" "$@"
  check "status --json, $what: exit $code (got $RC)" test "$RC" -eq "$code"
}
rm -f "$T/status.json"
status_is "no status file" 3
write_status "$FAKE" true "$(now_ms)"
status_is "agent running and healthy" 0
run status --json --config "$T/status.toml"
check "status --json is one JSON object saying running" bash -c "python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"agent\"][\"state\"]==\"running\"' <'$T/out'"
write_status "$FAKE" true "$(($(now_ms) - 60000))"
status_is "status file not updated for a minute" 3
write_status "$FAKE" false "$(now_ms)"
status_is "agent stopped cleanly" 3
bash -c 'exit 0' &
GONE=$!
wait $GONE
write_status "$GONE" true "$(now_ms)"
status_is "agent pid gone" 3
echo 'not json' >"$T/status.json"
status_is "status file unreadable" 3
write_status "$FAKE" true "$(now_ms)" true 0
status_is "output failing" 4
write_status "$FAKE" true "$(now_ms)" false 7
status_is "output dropped lines" 4
write_status "$FAKE" true "$(now_ms)" false 0 ',"fleet":{"connected":false,"queue_dropped":0,"spool_dropped":3}'
status_is "fleet spool dropping rows" 4
write_status "$FAKE" true "$(now_ms)" false 0 ',"fleet":{"connected":true,"queue_dropped":0,"spool_dropped":0}'
status_is "fleet store healthy" 0
write_status "$FAKE" true "$(now_ms)"
chmod 644 "$T/status.json" "$T/status.toml"
run_nobody status --config "$T/status.toml"
check "status as nobody (kernel status unreadable), agent healthy: exit 5 (got $RC)" test "$RC" -eq 5
run_nobody status --json --config "$T/status.toml"
check "status --json as nobody: exit 5 (got $RC)" test "$RC" -eq 5
rm -f "$T/status.json"
run_nobody status --config "$T/status.toml"
check "status as nobody, no agent: not running wins, exit 3" test "$RC" -eq 3
printf '[agent]\nstatus_path = 7\n' >"$T/bad-status.toml"
run status --config "$T/bad-status.toml"
check "status with a bad config: exit 1" test "$RC" -eq 1

# --- what status shows of the file: every member in order, the fleet's password masked ---
cat >"$T/secret-status.toml" <<TOML
[agent]
status_path = "$T/status.json"
[store]
postgres = "host=db.example password=hunter22 user=al"
TOML
chmod 600 "$T/secret-status.toml"
fleet='{"connected":false,"rows_written":5,"spool_path":"/var/lib/auditlens/sp\u00f6ol","queue_dropped":0,"spool_dropped":0,"last_error":"connection to \"host=db.example password=hunter22 user=al\" failed:\n\tFATAL: password=hunter22 refused","last_error_ms":17}'
write_status "$FAKE" true "$(now_ms)" false 0 ",\"note\":\"caf\\u00e9 postgresql://al:hunter22@db/x\",\"nothing\":null,\"cpu_percent\":0.5,\"fleet\":$fleet"
run status --config "$T/secret-status.toml"
check "status with a fleet member: exit 0" test "$RC" -eq 0
check "  ... the password shown nowhere" bash -c "! grep -q hunter22 '$T/out' '$T/err'"
check "  ... the members in the file's order, as written" bash -c "sed -n '/^agent: running/,\$p' '$T/out' | awk '{print \$1}' | tail -n +2 | tr '\n' ' ' | grep -qx 'mode records events output_errors output_dropped_lines output_failing note nothing cpu_percent fleet '"
check "  ... a string as its text" grep -qx '  note                      café postgresql://al:\*\*\*@db/x' "$T/out"
check "  ... null and numbers as written" bash -c "grep -qx '  nothing                   null' '$T/out' && grep -qx '  cpu_percent               0.5' '$T/out'"
check "  ... the fleet as JSON, its error masked" grep -qxF '  fleet                     {"connected":false,"rows_written":5,"spool_path":"/var/lib/auditlens/spöol","queue_dropped":0,"spool_dropped":0,"last_error":"connection to \"host=db.example password=*** user=al\" failed:\n\tFATAL: password=*** refused","last_error_ms":17}' "$T/out"
run status --json --config "$T/secret-status.toml"
check "status --json with a fleet member: exit 0, the password shown nowhere" bash -c "[[ $RC -eq 0 ]] && ! grep -q hunter22 '$T/out' '$T/err'"
python3 - "$T/out" "$T/status.json" <<'PY'
import json, sys
shown = json.load(open(sys.argv[1]))["agent"]["counters"]
written = json.load(open(sys.argv[2]))
assert list(shown) == list(written), (list(shown), list(written))
for k in written:
    if k not in ("note", "fleet"):
        assert shown[k] == written[k], k
assert shown["note"] == "café postgresql://al:***@db/x", shown["note"]
fleet = dict(written["fleet"], last_error='connection to "host=db.example password=*** user=al" failed:\n\tFATAL: password=*** refused')
assert shown["fleet"] == fleet, shown["fleet"]
PY
check "  ... every member as written, in order, the passwords masked" test $? -eq 0
write_status "$FAKE" true "$(now_ms)"
printf 'x\n' >>"$T/status.json"
run status --config "$T/status.toml"
check "status file with text after its object: not a status file, exit 3" bash -c "[[ $RC -eq 3 ]] && grep -q 'is not a status file' '$T/out'"

# --- rules show-default / rules check ---
run rules show-default
check "rules show-default: exit 0" test "$RC" -eq 0
python3 - "$SRC/src/rules/default_rules.h" "$T/out" <<'PY'
import sys
h = open(sys.argv[1]).read()
start = h.index('kDefaultRules[] = R"RULES(') + len('kDefaultRules[] = R"RULES(')
embedded = h[start:h.index(')RULES"', start)]
# $(...) in run() dropped trailing newlines; the file has them all.
sys.exit(0 if open(sys.argv[2]).read() == embedded else 1)
PY
check "rules show-default prints default_rules.h's text byte for byte" test $? -eq 0
cp "$T/out" "$T/default.rules"
run rules check "$T/default.rules"
check "rules check of the default rules: exit 0, no errors" bash -c "[[ $RC -eq 0 ]] && grep -q ': [1-9][0-9]* rules, 0 errors' '$T/out'"
cat >"$T/bad.rules" <<'RULES'
# a comment
-a always,exit -F arch=b64 -S openat -F dir=/tmp -k ok
-a always,exit -F arch=b64 -S no_such_syscall -k bad
-e 2
-w /etc/passwd -p wa -k passwd
RULES
run rules check "$T/bad.rules"
check "rules check of a bad file: exit 1" test "$RC" -eq 1
check "  ... line 3 named with its reason" grep -q "^error: $T/bad.rules:3: .*no_such_syscall" "$T/out"
check "  ... line 4 (-e 2) named" grep -q "^error: $T/bad.rules:4: " "$T/out"
check "  ... the good lines counted" grep -q "^$T/bad.rules: 2 rules, 2 errors" "$T/out"
mkdir "$T/rules.d"
cp "$T/default.rules" "$T/rules.d/10-base.rules"
printf -- '-a always,exit -F arch=b64 -S openat -F bogusfield=1\n' >"$T/rules.d/20-bad.rules"
run rules check "$T/rules.d"
check "rules check of a rules.d with a bad file: exit 1, file:line" \
  bash -c "[[ $RC -eq 1 ]] && grep -q '^error: $T/rules.d/20-bad.rules:1: ' '$T/out'"
rm "$T/rules.d/20-bad.rules"
run rules check "$T/rules.d"
check "rules check of a clean rules.d: exit 0" test "$RC" -eq 0
run rules check "$T/no-such.rules"
check "rules check of a missing path: exit 1" test "$RC" -eq 1
run_nobody rules check "$T/default.rules"
check "rules check needs no root" test "$RC" -eq 0

# --- run --check-config: a dry run that touches nothing ---
kernel_rules_before=$(auditctl -l 2>&1)
kernel_status_before=$(auditctl -s 2>&1 | grep -v -e '^backlog ' -e '^lost ' -e '^backlog_wait_time_actual')
cat >"$T/good.toml" <<TOML
[agent]
status_path = "$T/dry/run/status.json"
state_path = "$T/dry/lib/state"
[rules]
path = "$T/default.rules"
[output]
path = "$T/dry/log/events.json"
[store]
path = "$T/dry/lib/auditlens.db"
TOML
run run --check-config --config "$T/good.toml"
check "run --check-config of a good config: exit 0" test "$RC" -eq 0
check "  ... shows the output path" grep -q "^output: *$T/dry/log/events.json" "$T/out"
check "  ... shows the store" grep -q "^store: *$T/dry/lib/auditlens.db" "$T/out"
check "  ... shows the mode" grep -q "^mode: *daemon" "$T/out"
check "  ... shows the rules source and count" grep -q "^rules: *$T/default.rules, [1-9][0-9]* rules" "$T/out"
check "  ... created nothing" test ! -e "$T/dry"
check "  ... left the kernel's rules alone" test "$(auditctl -l 2>&1)" == "$kernel_rules_before"
check "  ... left the kernel's status alone" test "$(auditctl -s 2>&1 | grep -v -e '^backlog ' -e '^lost ' -e '^backlog_wait_time_actual')" == "$kernel_status_before"
run run --check-config --config "$T/good.toml" --passive --output -
check "run --check-config --passive -o -: passive, stdout" \
  bash -c "[[ $RC -eq 0 ]] && grep -q '^mode: *passive' '$T/out' && grep -q '^output: *- (standard output)' '$T/out'"
run run --check-config
check "run --check-config with the embedded defaults: exit 0" \
  bash -c "[[ $RC -eq 0 ]] && grep -q '^rules: *<embedded default rules>, [1-9]' '$T/out'"
run run --check-config --config "$T/good.toml" --rules "$T/bad.rules"
check "run --check-config with bad rules: exit 1, the lines named" \
  bash -c "[[ $RC -eq 1 ]] && grep -q '$T/bad.rules:3: ' '$T/err'"
printf '[output\npath = 1\n' >"$T/broken.toml"
run run --check-config --config "$T/broken.toml"
check "run --check-config of broken TOML: exit 1 with the error" bash -c "[[ $RC -eq 1 && -n \$(cat '$T/err') ]]"
printf '[output]\nno_such_key = 1\n' >"$T/unknown.toml"
run run --check-config --config "$T/unknown.toml"
check "run --check-config with an unknown key: exit 1, the key named" bash -c "[[ $RC -eq 1 ]] && grep -q no_such_key '$T/err'"
# What `run` refuses, --check-config refuses: a destination named twice however it is spelled,
# through the command line's --output too, and a group the host lacks.
cp "$T/good.toml" "$T/twice.toml"
printf '[[outputs]]\ntype = "file"\npath = "%s/dry/out/./o.json"\n[[outputs]]\ntype = "file"\npath = "%s/dry/out/o.json"\n' "$T" "$T" >>"$T/twice.toml"
run run --check-config --config "$T/twice.toml"
check "run --check-config with one file as two outputs (/./): exit 1, both named" \
  bash -c "[[ $RC -eq 1 ]] && grep -q 'outputs\[1\] (file $T/dry/out/o.json) writes to the same destination as outputs\[0\]' '$T/err'"
cp "$T/good.toml" "$T/stdout.toml"
printf '[[outputs]]\ntype = "stdout"\n' >>"$T/stdout.toml"
run run --check-config --config "$T/stdout.toml"
check "run --check-config with a stdout output: valid" test "$RC" -eq 0
run run --check-config --config "$T/stdout.toml" --output -
check "  ... and --output - besides: exit 1 (run refuses it)" \
  bash -c "[[ $RC -eq 1 ]] && grep -q 'writes to the same destination as \[output\] (-)' '$T/err'"
cp "$T/good.toml" "$T/group.toml"
printf '[[outputs]]\ntype = "file"\npath = "%s/dry/out/g.json"\ngroup = "no-such-group-here"\n' "$T" >>"$T/group.toml"
run run --check-config --config "$T/group.toml"
check "run --check-config with an output group the host lacks: exit 1, said" \
  bash -c "[[ $RC -eq 1 ]] && grep -q \"no group 'no-such-group-here'\" '$T/err'"
run run --check-config --config "$T/missing.toml"
check "run --check-config of a missing config: exit 1" test "$RC" -eq 1
chmod 666 "$T/good.toml"
run run --check-config --config "$T/good.toml"
check "run --check-config of a world-writable config: exit 1 (the agent would refuse it)" test "$RC" -eq 1
chmod 644 "$T/good.toml"
run_nobody run --check-config --config "$T/good.toml"
check "run --check-config needs no root" test "$RC" -eq 0

# --- web: a non-loopback address without TLS is refused (tests/web/test_web_api.sh has the rest) ---
run web --listen 0.0.0.0:7683 --db "$T/none.db"
check "web: no store at --db: exit 1" test "$RC" -eq 1
sqlite3 "$T/web.db" "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)"
run web --listen 0.0.0.0:7683 --db "$T/web.db" --token-file "$T/web-token"
check "web: a non-loopback --listen without TLS: exit 2" test "$RC" -eq 2
check "web: ... saying TLS is needed" grep -q "without TLS" "$T/err"
check "web: ... and no token file made" test ! -e "$T/web-token"

# --- man pages: built from --help, rendered by man ---
for page in auditlens auditlens-run auditlens-parse auditlens-status auditlens-rules \
  auditlens-sessions auditlens-timeline auditlens-containers auditlens-trace auditlens-web; do
  f=$BUILD/man/$page.1
  check "$page(1) was built (and gzipped)" test -s "$f" -a -s "$f.gz"
  MANWIDTH=100 man -l "$f" >"$T/man.txt" 2>"$T/man.err" </dev/null
  check "$page(1) renders with man -l, no warnings" bash -c "[[ \$? -eq 0 || -s '$T/man.txt' ]] && [[ ! -s '$T/man.err' ]] && grep -q '^NAME' '$T/man.txt'"
  check "$page(1) has EXIT STATUS and SEE ALSO" bash -c "grep -q '^EXIT STATUS' '$T/man.txt' && grep -q '^SEE ALSO' '$T/man.txt'"
  cmd=${page#auditlens}
  cmd=${cmd#-}
  # The page says what --help says: its first line (the command's description).
  # shellcheck disable=SC2086
  first=$("$AUDITLENS" $cmd --help | head -1 | awk '{print $1, $2, $3}')
  check "$page(1) carries the --help text ('$first')" grep -qF "$first" "$T/man.txt"
done
check "auditlens-status(1) lists exit code 5" bash -c "MANWIDTH=100 man -l '$BUILD/man/auditlens-status.1' 2>/dev/null | grep -qE '^ +5 +the kernel audit status cannot be read'"
check "auditlens-rules(1) has each rules subcommand" bash -c "t=\$(MANWIDTH=100 man -l '$BUILD/man/auditlens-rules.1' 2>/dev/null); for s in list load delete-all check show-default; do grep -q \"auditlens rules \$s:\" <<<\"\$t\" || exit 1; done"

cli_finish
