#!/usr/bin/env bash
# Kernel test of `auditlens rules` and `auditlens status` against the real audit subsystem (root).
#
# Loads narrow rules (all carrying the key "altest", on a private temp directory) with
# `auditlens rules load`, checks that `auditctl -l` lists them exactly as `auditlens rules list`
# does, checks the status output against `auditctl -s`, deletes them again, and on any exit puts
# the kernel back: our rules deleted, backlog_limit/rate_limit/backlog_wait_time/failure/enabled as
# they were. Other rules in the kernel are left alone. Never sets enabled=2 or failure=2, never
# registers a daemon.
#
# Env: AUDITLENS (the binary). Prints "N passed, M failed"; exits non-zero on any failure.
set -euo pipefail

AUDITLENS=${AUDITLENS:?set AUDITLENS to the auditlens binary}
# shellcheck source=../../scripts/kernel_lock.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/kernel_lock.sh"
KEY=altest

if [[ $(id -u) -ne 0 ]]; then
  echo "test_netlink_rules: needs root" >&2
  exit 1
fi
command -v auditctl >/dev/null || { echo "test_netlink_rules: needs auditctl" >&2; exit 1; }

# --- the kernel lock: the audit state is global and shared with everyone on this machine ---------

kernel_lock_take test_netlink_rules || exit 1

# --- save the kernel state, and restore it whatever happens ---------------------------------------

declare -A SAVED=()
while read -r k v _; do
  [[ -n $k ]] && SAVED[$k]=$v
done < <(auditctl -s)
if [[ ${SAVED[enabled]} == 2 ]]; then
  echo "test_netlink_rules: the audit configuration is immutable (enabled 2); nothing can be tested"
  echo "0 passed, 0 failed"
  exit 0
fi
SAVED_RULES=$(auditctl -l)

TMP=$(mktemp -d /tmp/auditlens-kernel-test.XXXXXX)
mkdir -p "$TMP/watched/sub" "$TMP/rules.d"
: >"$TMP/watched/file"

delete_our_rules() {
  # With auditctl rather than auditlens, so a broken binary cannot leave rules behind. The listed
  # words are passed as they are (no eval: "uid<2000" must not become a redirection); the test's
  # paths have no blanks.
  local line words
  while IFS= read -r line; do
    [[ $line == *"$KEY"* ]] || continue
    read -ra words <<<"$line"
    case ${words[0]} in
      -a) auditctl -d "${words[@]:1}" >/dev/null 2>&1 || true ;;
      -w) auditctl -W "${words[@]:1}" >/dev/null 2>&1 || true ;;
    esac
  done < <(auditctl -l)
}

restore() {
  local rc=$?
  set +e
  delete_our_rules
  local -A now=()
  while read -r k v _; do [[ -n $k ]] && now[$k]=$v; done < <(auditctl -s)
  [[ ${now[backlog_limit]} != "${SAVED[backlog_limit]}" ]] && auditctl -b "${SAVED[backlog_limit]}" >/dev/null
  [[ ${now[rate_limit]} != "${SAVED[rate_limit]}" ]] && auditctl -r "${SAVED[rate_limit]}" >/dev/null
  [[ ${now[backlog_wait_time]} != "${SAVED[backlog_wait_time]}" ]] &&
    auditctl --backlog_wait_time "${SAVED[backlog_wait_time]}" >/dev/null
  # failure and enabled only ever go back to 0 or 1: this test never sets 2 and never restores 2.
  [[ ${now[failure]} != "${SAVED[failure]}" && ${SAVED[failure]} != 2 ]] &&
    auditctl -f "${SAVED[failure]}" >/dev/null
  [[ ${now[enabled]} != "${SAVED[enabled]}" && ${SAVED[enabled]} != 2 ]] &&
    auditctl -e "${SAVED[enabled]}" >/dev/null
  if [[ $(auditctl -l) != "$SAVED_RULES" ]]; then
    echo "test_netlink_rules: WARNING: the kernel rules differ from before the test" >&2
  fi
  [[ -n ${FAKE_AGENT:-} ]] && kill "$FAKE_AGENT" 2>/dev/null
  rm -rf "$TMP"
  exit "$rc"
}
trap restore EXIT
trap 'exit 130' INT TERM

# --- helpers ---------------------------------------------------------------------------------------

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL - $1"
  if [[ -n ${2:-} ]]; then echo "$2" | sed 's/^/    /'; fi
  return 0
}
expect() {  # expect NAME COMMAND...: passes when the command succeeds
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
status_value() { auditctl -s | awk -v k="$1" '$1 == k {print $2}'; }
our_lines() { grep -c -- "$KEY" <<<"$1" || true; }

# Compares auditctl -l with auditlens rules list, line for line.
lists_match() {
  local a b
  a=$(auditctl -l)
  b=$("$AUDITLENS" rules list 2>&1) || true
  if [[ $a == "$b" ]]; then
    pass "$1"
  else
    fail "$1" "$(diff <(echo "$a") <(echo "$b") || true)"
  fi
}

W=$TMP/watched

# --- status before anything --------------------------------------------------------------------

out=$("$AUDITLENS" status) || true
expect "status shows the kernel's backlog_limit" \
  grep -qE "^  backlog_limit +${SAVED[backlog_limit]}\$" <<<"$out"
expect "status shows enabled" grep -qE "^  enabled +${SAVED[enabled]} " <<<"$out"
expect "status shows failure" grep -qE "^  failure +${SAVED[failure]} " <<<"$out"
json=$("$AUDITLENS" status --json) || true
expect "status --json matches auditctl -s" python3 -c '
import json, sys
s = json.loads(sys.argv[1])["kernel"]
saved = dict(kv.split("=") for kv in sys.argv[2:])
for k in ("enabled", "failure", "pid", "rate_limit", "backlog_limit", "backlog_wait_time"):
    assert s[k] == int(saved[k]), (k, s[k], saved[k])
' "$json" "enabled=${SAVED[enabled]}" "failure=${SAVED[failure]}" "pid=${SAVED[pid]}" \
  "rate_limit=${SAVED[rate_limit]}" "backlog_limit=${SAVED[backlog_limit]}" \
  "backlog_wait_time=${SAVED[backlog_wait_time]}"

# --- load a narrow rules file -------------------------------------------------------------------

cat >"$TMP/narrow.rules" <<EOF
# auditlens kernel test: narrow rules on a private directory, all with the key $KEY
-b 320
-a always,exit -F arch=b64 -S openat,unlinkat -F dir=$W -F success=1 -k $KEY
-a always,exit -F arch=b32 -S openat -F dir=$W -k $KEY
-w $W/file -p wa -k $KEY -k ${KEY}_identity
-w $W/sub/ -p rwxa -k $KEY
-a always,exit -F arch=b64 -S connect -F a0!=0x2 -F exit=-EACCES -F dir=$W -F auid!=unset -k $KEY
-a always,exit -F arch=b64 -S fchmodat -F dir=$W -C uid!=euid -F perm=a -k $KEY
-a never,exit -F arch=b64 -S all -F path=$W/ignored -F uid>=1000 -F uid<2000 -k $KEY
EOF
if out=$("$AUDITLENS" rules load "$TMP/narrow.rules" 2>&1); then
  pass "rules load of a good file exits 0"
else
  fail "rules load of a good file exits 0" "$out"
fi
expect "rules load reports what it loaded" grep -q "loaded 7 rules" <<<"$out"
lines=$(auditctl -l)
[[ $(our_lines "$lines") == 7 ]] && pass "auditctl -l shows the 7 rules" ||
  fail "auditctl -l shows the 7 rules" "$lines"
lists_match "auditlens rules list is identical to auditctl -l"
expect "the watch is listed as auditctl writes it" \
  grep -qxF -- "-w $W/file -p wa -k $KEY -k ${KEY}_identity" <<<"$lines"
expect "a directory watch loses its trailing slash" grep -qxF -- "-w $W/sub -p rwxa -k $KEY" <<<"$lines"
expect "-b in the file set backlog_limit" test "$(status_value backlog_limit)" = 320
expect "status shows the new backlog_limit" \
  grep -qE "^  backlog_limit +320\$" <<<"$("$AUDITLENS" status || true)"

# --- errors: every bad line named, the good ones loaded --------------------------------------

cat >"$TMP/bad.rules" <<EOF
-a always,exit -F arch=b64 -S openat -F dir=$W -F key=${KEY}_good -k $KEY
-e 2
-a always,exit -F arch=b64 -S no_such_syscall -k $KEY
-f 2
-a always,exit -F arch=b64 -S openat -F dir=$W/does-not-exist -k $KEY
EOF
if out=$("$AUDITLENS" rules load "$TMP/bad.rules" 2>&1); then
  fail "rules load of a bad file exits 1" "$out"
else
  pass "rules load of a bad file exits 1"
fi
expect "-e 2 refused with file:line" grep -qF "$TMP/bad.rules:2: -e 2 is refused" <<<"$out"
expect "unknown syscall reported with file:line" \
  grep -qF "$TMP/bad.rules:3: unknown syscall 'no_such_syscall'" <<<"$out"
expect "-f 2 refused with file:line" grep -qF "$TMP/bad.rules:4: -f 2 is refused" <<<"$out"
expect "kernel refusal reported with file:line" grep -qF "$TMP/bad.rules:5: the kernel refused" <<<"$out"
expect "the good line of the bad file was loaded" grep -qF -- "-F key=${KEY}_good" <<<"$(auditctl -l)"
expect "enabled is not 2" test "$(status_value enabled)" != 2
expect "failure is not 2" test "$(status_value failure)" != 2

# --- a rules.d directory, in version order ------------------------------------------------------

echo "-a always,exit -F arch=b64 -S mkdirat -F dir=$W -k $KEY -k ${KEY}_ten" >"$TMP/rules.d/10-b.rules"
echo "-a always,exit -F arch=b64 -S mkdirat -F dir=$W -k $KEY -k ${KEY}_nine" >"$TMP/rules.d/9-a.rules"
echo "-e 2" >"$TMP/rules.d/ignored.conf"
if out=$("$AUDITLENS" rules load "$TMP/rules.d" 2>&1); then
  pass "rules load of a directory exits 0"
else
  fail "rules load of a directory exits 0" "$out"
fi
order=$(auditctl -l | grep -oE "${KEY}_(nine|ten)" | tr '\n' ' ') || true
expect "directory files load in version order (9 before 10)" test "$order" = "${KEY}_nine ${KEY}_ten "
lists_match "rules list still matches auditctl -l"

# --- deleting ---------------------------------------------------------------------------------

out=$("$AUDITLENS" rules delete-all -k "${KEY}_ten" 2>&1) || true
expect "delete-all -k deletes only that key's rules" test "$out" = "deleted 1 rule"
expect "the other rules stay" grep -qF "${KEY}_nine" <<<"$(auditctl -l)"
out=$("$AUDITLENS" rules delete-all -k "$KEY" 2>&1) || true
expect "delete-all -k $KEY deletes all of ours" test "$out" = "deleted 9 rules"
[[ $(our_lines "$(auditctl -l)") == 0 ]] && pass "no rule of ours left" ||
  fail "no rule of ours left" "$(auditctl -l)"
expect "the rules from before the test are untouched" test "$(auditctl -l)" = "$SAVED_RULES"
if [[ $SAVED_RULES == "No rules" ]]; then
  "$AUDITLENS" rules load "$TMP/narrow.rules" >/dev/null 2>&1 || true
  out=$("$AUDITLENS" rules delete-all 2>&1) || true
  expect "delete-all deletes every rule" test "$out" = "deleted 7 rules"
  expect "rules list says No rules, as auditctl -l" test "$("$AUDITLENS" rules list || true)" = "No rules"
fi
lists_match "rules list matches auditctl -l after deleting"

# --- the agent part of status, from a status file ---------------------------------------------

cat >"$TMP/config.toml" <<EOF
[agent]
status_path = "$TMP/status.json"
EOF
out=$("$AUDITLENS" status --config "$TMP/config.toml") || true
expect "status without a status file: agent not running" grep -q "agent: not running (no status file" <<<"$out"
# A live process whose command line names auditlens stands in for the agent.
bash -c 'exec -a auditlens-test-agent sleep 60' &
FAKE_AGENT=$!
sleep 0.2
now_ms=$(($(date +%s%N) / 1000000))
echo "{\"pid\":$FAKE_AGENT,\"running\":true,\"started_ms\":$((now_ms - 5000)),\"updated_ms\":$now_ms,\"records\":1234,\"events\":321,\"lost_records\":0,\"enobufs\":2}" >"$TMP/status.json"
out=$("$AUDITLENS" status --config "$TMP/config.toml") || true
expect "status: agent running with its pid" grep -q "agent: running, pid $FAKE_AGENT" <<<"$out"
expect "status shows the agent's counters" grep -qE "^  records +1234\$" <<<"$out"
json=$("$AUDITLENS" status --json --config "$TMP/config.toml") || true
expect "status --json: agent running, not stale" python3 -c '
import json, sys
a = json.loads(sys.argv[1])["agent"]
assert a["state"] == "running" and a["stale"] is False and a["counters"]["events"] == 321, a
' "$json"
kill "$FAKE_AGENT"
wait "$FAKE_AGENT" 2>/dev/null || true
FAKE_AGENT=
out=$("$AUDITLENS" status --config "$TMP/config.toml") || true
expect "status: a dead agent is not running, counters shown as stale" \
  grep -q "agent: not running (pid [0-9]* is gone without a clean stop); stale counters" <<<"$out"
json=$("$AUDITLENS" status --json --config "$TMP/config.toml") || true
expect "status --json: dead agent is stale" python3 -c '
import json, sys
a = json.loads(sys.argv[1])["agent"]
assert a["state"] == "not_running" and a["stale"] is True and a["counters"]["records"] == 1234, a
' "$json"

echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
