#!/usr/bin/env bash
# Kernel test: what `auditlens run` puts into the kernel and takes back out (root).
#
# Starts the agent on narrow rules (a private temp directory, keys "altest_*") whose file begins
# with -D and sets -b, beside a rule that was in the kernel before. While it runs: it is the
# registered daemon, its self-exclusion rule heads the exit list, -D removed the older rule but not
# the self-exclusion, the limits are set, a second agent is refused with a message naming the
# first. After SIGTERM: every rule and status field is as before the test, the older rule is back.
# The trap restores the kernel whatever happens.
#
# Env: AUDITLENS (the binary). Prints "N passed, M failed"; exits non-zero on any failure.
set -euo pipefail

AUDITLENS=${AUDITLENS:?set AUDITLENS to the auditlens binary}
# shellcheck source=../../scripts/kernel_lock.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/kernel_lock.sh"
KEY=altest

if [[ $(id -u) -ne 0 ]]; then
  echo "test_rules_agent_undo: needs root" >&2
  exit 1
fi

kernel_lock_take test_rules_agent_undo || exit 1

# --- save and restore ---------------------------------------------------------------------

declare -A SAVED=()
while read -r k v _; do [[ -n $k ]] && SAVED[$k]=$v; done < <(auditctl -s)
if [[ ${SAVED[enabled]} == 2 ]]; then
  echo "test_rules_agent_undo: the audit configuration is immutable (enabled 2); nothing to test"
  echo "0 passed, 0 failed"
  exit 0
fi
if [[ ${SAVED[pid]} != 0 ]] && kill -0 "${SAVED[pid]}" 2>/dev/null; then
  echo "test_rules_agent_undo: another audit daemon (pid ${SAVED[pid]}) is registered; skipped"
  echo "0 passed, 0 failed"
  exit 0
fi
SAVED_RULES=$(auditctl -l)

TMP=$(mktemp -d /tmp/auditlens-kernel-test.XXXXXX)
W=$TMP/watched
mkdir -p "$W"
: >"$W/file"
AGENT=

delete_our_rules() {  # auditctl, word by word (no eval: "<" and ">" are not redirections)
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
  if [[ -n $AGENT ]] && kill -0 "$AGENT" 2>/dev/null; then
    kill -TERM "$AGENT"
    for _ in $(seq 50); do kill -0 "$AGENT" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$AGENT" 2>/dev/null
    wait "$AGENT" 2>/dev/null
  fi
  delete_our_rules
  # Rules a killed agent's -D removed and could not put back: the saved list is the reference.
  if [[ $(auditctl -l) != "$SAVED_RULES" && $SAVED_RULES != "No rules" ]]; then
    echo "test_rules_agent_undo: WARNING: kernel rules differ from before the test" >&2
  fi
  local -A now=()
  while read -r k v _; do [[ -n $k ]] && now[$k]=$v; done < <(auditctl -s)
  # A dead daemon stays registered until the kernel next tries to send to it.
  if [[ ${now[pid]} != 0 ]] && ! kill -0 "${now[pid]}" 2>/dev/null; then
    auditctl -m "auditlens kernel test cleanup" >/dev/null 2>&1
  fi
  [[ ${now[backlog_limit]} != "${SAVED[backlog_limit]}" ]] && auditctl -b "${SAVED[backlog_limit]}" >/dev/null
  [[ ${now[rate_limit]} != "${SAVED[rate_limit]}" ]] && auditctl -r "${SAVED[rate_limit]}" >/dev/null
  [[ ${now[backlog_wait_time]} != "${SAVED[backlog_wait_time]}" ]] &&
    auditctl --backlog_wait_time "${SAVED[backlog_wait_time]}" >/dev/null
  [[ ${now[failure]} != "${SAVED[failure]}" && ${SAVED[failure]} != 2 ]] &&
    auditctl -f "${SAVED[failure]}" >/dev/null
  [[ ${now[enabled]} != "${SAVED[enabled]}" ]] && auditctl -e "${SAVED[enabled]}" >/dev/null
  rm -rf "$TMP"
  exit "$rc"
}
trap restore EXIT
trap 'exit 130' INT TERM

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() {
  FAILED=$((FAILED + 1))
  echo "FAIL - $1"
  if [[ -n ${2:-} ]]; then echo "$2" | sed 's/^/    /'; fi
  return 0
}
expect() {
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name"; fi
}
status_value() { auditctl -s | awk -v k="$1" '$1 == k {print $2}'; }

# --- set up: an older rule, the agent's config and rules --------------------------------------

auditctl -a always,exit -F arch=b64 -S fchmodat -F dir="$W" -k "${KEY}_older" >/dev/null
BEFORE_RULES=$(auditctl -l)

cat >"$TMP/run.rules" <<EOF
# The agent's rules for this test. -D removes what was there (it comes back when the agent stops).
-D
-b 1000
-a always,exit -F arch=b64 -S openat -F dir=$W -k ${KEY}_run
-w $W/file -p wa -k ${KEY}_run
EOF
cat >"$TMP/agent.toml" <<EOF
[agent]
state_path = "$TMP/agent.state"
status_path = "$TMP/status.json"
[kernel]
backlog_limit = 500
enable = true
[rules]
path = "$TMP/run.rules"
[output]
path = "$TMP/events.json"
[store]
enabled = false
EOF

"$AUDITLENS" run --config "$TMP/agent.toml" 2>"$TMP/agent.log" &
AGENT=$!
for _ in $(seq 100); do
  [[ -s $TMP/status.json ]] && break
  kill -0 "$AGENT" 2>/dev/null || break
  sleep 0.05
done
if ! kill -0 "$AGENT" 2>/dev/null; then
  fail "the agent starts" "$(cat "$TMP/agent.log")"
  echo "$PASSED passed, $FAILED failed"
  exit 1
fi
pass "the agent starts"

# --- while it runs ------------------------------------------------------------------------------

expect "the agent is the registered audit daemon" test "$(status_value pid)" = "$AGENT"
expect "auditing is enabled" test "$(status_value enabled)" = 1
expect "-b in its rules file wins over the config (applied later)" test "$(status_value backlog_limit)" = 1000
rules=$(auditctl -l)
expect "the self-exclusion rule heads the list" \
  test "$(head -1 <<<"$rules")" = "-a never,exit -S all -F pid=$AGENT"
expect "its rules are loaded" test "$(grep -c -- "${KEY}_run" <<<"$rules")" = 2
expect "-D removed the older rule" test "$(grep -c -- "${KEY}_older" <<<"$rules" || true)" = 0
expect "status names the daemon" \
  grep -qE "^  daemon +pid $AGENT \(.*auditlens\)" <<<"$("$AUDITLENS" status --config "$TMP/agent.toml" || true)"

cat "$W/file" >/dev/null  # an openat in the watched directory, by another process
out=$(timeout 20 "$AUDITLENS" run --config "$TMP/agent.toml" --output "$TMP/second.json" 2>&1) && second=0 || second=$?
expect "a second agent is refused" test "$second" != 0
expect "the refusal names the first agent" \
  grep -qF "another audit daemon is registered: pid $AGENT (" <<<"$out"
expect "the first agent is still the daemon" test "$(status_value pid)" = "$AGENT"
sleep 1.2  # let the agent write the event out

# -D from the command line (or auditctl-like delete-all) must not make the agent audit itself.
echo "-D" >"$TMP/reset.rules"
out=$("$AUDITLENS" rules load "$TMP/reset.rules" 2>&1) || true
expect "-D keeps the running agent's self-exclusion, and says so" grep -qF "kept '-a never,exit -S all -F pid=$AGENT'" <<<"$out"
expect "-D deleted the agent's rules, nothing else is left" \
  test "$(auditctl -l)" = "-a never,exit -S all -F pid=$AGENT"
out=$("$AUDITLENS" rules delete-all 2>&1) || true
expect "delete-all keeps it too" grep -qF "kept the running audit daemon's self-exclusion rule" <<<"$out"
expect "the self-exclusion is still there" test "$(auditctl -l)" = "-a never,exit -S all -F pid=$AGENT"

# --- after SIGTERM ------------------------------------------------------------------------------

kill -TERM "$AGENT"
wait "$AGENT" && agent_rc=0 || agent_rc=$?
AGENT=
expect "the agent exits 0 on SIGTERM" test "$agent_rc" = 0
expect "it recorded the access to the watched directory" grep -q "${KEY}_run" "$TMP/events.json"
expect "no daemon is registered any more" test "$(status_value pid)" = 0
expect "enabled is back" test "$(status_value enabled)" = "${SAVED[enabled]}"
expect "backlog_limit is back" test "$(status_value backlog_limit)" = "${SAVED[backlog_limit]}"
after=$(auditctl -l)
if [[ $after == "$BEFORE_RULES" ]]; then
  pass "the kernel rules are exactly as before, the older rule re-added"
else
  fail "the kernel rules are exactly as before, the older rule re-added" \
    "$(diff <(echo "$BEFORE_RULES") <(echo "$after") || true)"
fi

echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
