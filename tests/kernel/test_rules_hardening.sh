#!/usr/bin/env bash
# The shipped rules.d (build/rules.d: the default rules and the optional hardening set) against the
# real kernel. `auditlens rules load DIR` loads every rule with no error or warning and
# `auditlens rules delete-all` takes them out again; then the agent runs with `[rules] path = DIR`
# (the documented way to enable the set), loads them all, and a few harmless actions trigger
# rules of each theme, checked by key: a read-only clock_adjtime/adjtimex (time_change), a
# delete_module of a module that does not exist (modules), a tmpfs mounted in a private mount
# namespace (mounts), a chmod and a chown of a temp file and a refused open by a login user
# (perm_mod, access; the login uid 1000 is set on the test's own subprocess), a hidden file
# created and removed in /etc/cron.d and /etc/systemd/system (cron, systemd), /var/log/btmp,
# /etc/pam.d/other and /etc/hosts opened for writing and closed unwritten (logins, pam,
# network_config), a PTRACE_ATTACH to a pid that does not exist (ptrace), and a loopback connect
# (network, a default rule). The clock, the host name and the files are never changed. When the
# agent stops, the kernel's rules are back as they were.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init rules_hardening
T=$KT_TMP
chmod 755 "$T"
BUILD_DIR=${BUILD_DIR:?set BUILD_DIR to the build directory (its rules.d is used)}
RULES_D=$BUILD_DIR/rules.d
MARK=.auditlens-kt-$$
cleanup() {
  rm -f "/etc/cron.d/$MARK" "/etc/systemd/system/$MARK"
  kt_restore
}
trap cleanup EXIT

kt_check "rules.d has the defaults and the hardening set" \
  bash -c "[[ -f $RULES_D/10-default.rules ]] && ls $RULES_D/50-hardening-*.rules >/dev/null"
EXPECTED=$(cat "$RULES_D"/*.rules | grep -c -v -e '^#' -e '^[[:space:]]*$')
echo "# $EXPECTED rules in $RULES_D"

# --- auditlens rules load / delete-all ---------------------------------------------------------
rc=0
"$AUDITLENS" rules load "$RULES_D" >"$T/load.out" 2>"$T/load.err" || rc=$?
kt_check "rules load exits 0" test "$rc" -eq 0
kt_check "rules load prints no error or warning" test ! -s "$T/load.err"
kt_check "rules load says it loaded $EXPECTED rules" grep -q "^loaded $EXPECTED rules from" "$T/load.out"
kt_check "the kernel lists $EXPECTED rules more" \
  test "$(auditctl -l | grep -c -v '^No rules')" -eq "$(( $(grep -c -v '^No rules' <<<"$KT_SAVED_RULES" || true) + EXPECTED ))"
KEYS=$(cat "$RULES_D"/*.rules | grep -v '^#' | grep -o -- '-k [a-z_]*$' | cut -c4- | sort -u)
for key in exec network time_change modules mounts perm_mod access cron systemd ld_preload pam \
  logins ptrace network_config; do
  kt_check "a rule with key $key is in the kernel" bash -c "auditctl -l | grep -q -- '-k $key\$\|key=$key\$'"
done
for key in $KEYS; do "$AUDITLENS" rules delete-all -k "$key" >/dev/null; done
kt_check "rules delete-all -k KEY, for each key of the files, takes them all out" \
  bash -c "[[ \"\$(auditctl -l)\" == \"$KT_SAVED_RULES\" ]]"

# --- the agent with [rules] path = rules.d ----------------------------------------------------------
kt_agent_config "$T/config.toml" "$T" "$RULES_D" "$T/out.json"
kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "agent registers as the audit daemon" kt_wait_for 10 kt_is_daemon "$AGENT"
kt_check "agent loaded $EXPECTED rules, none refused or warned about" \
  bash -c "grep -q ', $EXPECTED rules loaded' '$T/agent.log' && ! grep -q 'rule \(skipped\|warning\|refused\)' '$T/agent.log'"

cp "$(readlink -f "$PY")" "$T/py"
py() { PYTHONHOME=/usr "$T/py" "$@"; }
# Runs a command as a login user would: the login uid 1000 set on this subprocess only.
as_login_user() { bash -c 'echo 1000 >/proc/self/loginuid && exec "$@"' _ "$@"; }
refused_to_login_user() { ! as_login_user setpriv --reuid=65534 --regid=65534 --clear-groups cat "$1" 2>/dev/null; }

cat >"$T/actions.py" <<'PY'
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
timex = ctypes.create_string_buffer(256)          # struct timex, modes=0: read only
assert libc.adjtimex(timex) >= 0                  # glibc: clock_adjtime(CLOCK_REALTIME)
assert libc.syscall(159, timex) >= 0              # the adjtimex syscall itself (x86_64)
assert libc.syscall(176, b"auditlens_kt_no_such_module", 0o4000) == -1  # delete_module
assert libc.syscall(101, 16, 0x3ffffff0, 0, 0) == -1                    # PTRACE_ATTACH
for path in ("/var/log/btmp", "/etc/pam.d/other", "/etc/hosts"):
    os.close(os.open(path, os.O_WRONLY | os.O_APPEND))  # opened for writing, nothing written
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
c = socket.create_connection(srv.getsockname())
PY
kt_check "time, modules, ptrace, login records, PAM, hosts and network actions ran" py "$T/actions.py"

mkdir "$T/mnt"
: >"$T/file"
printf 'secret\n' >"$T/secret"
chmod 600 "$T/secret"
kt_check "a login user mounts a tmpfs in a private mount namespace" \
  as_login_user unshare -m --propagation private bash -c "mount -t tmpfs kt-tmpfs '$T/mnt' && umount '$T/mnt'"
kt_check "a login user changes a file's mode and owner" \
  as_login_user bash -c "chmod 640 '$T/file' && chown root:root '$T/file'"
kt_check "a login user is refused a file (EACCES)" refused_to_login_user "$T/secret"
touch "/etc/cron.d/$MARK" "/etc/systemd/system/$MARK"
rm -f "/etc/cron.d/$MARK" "/etc/systemd/system/$MARK"

sleep 1
kill -TERM "$AGENT"
rc=0
wait "$AGENT" || rc=$?
kt_check "agent exits 0" test "$rc" -eq 0

# An event with this key whose line contains this text.
has_event() {
  local key=$1 text=$2
  $PY - "$T/out.json" "$key" "$text" <<'PY'
import json, sys
path, key, text = sys.argv[1:]
for line in open(path):
    if text in line and key in (json.loads(line).get("tags") or []):
        sys.exit(0)
sys.exit(1)
PY
}
kt_check "time_change: the read-only clock_adjtime" has_event time_change '"syscall":"clock_adjtime"'
kt_check "time_change: the read-only adjtimex syscall" has_event time_change '"syscall":"adjtimex"'
kt_check "modules: delete_module" has_event modules '"syscall":"delete_module"'
kt_check "ptrace: PTRACE_ATTACH" has_event ptrace '"syscall":"ptrace"'
kt_check "logins: /var/log/btmp opened for writing" has_event logins '/var/log/btmp'
kt_check "pam: /etc/pam.d/other opened for writing" has_event pam '/etc/pam.d/other'
kt_check "network_config: /etc/hosts opened for writing" has_event network_config '/etc/hosts'
kt_check "network (default rules): the loopback connect" has_event network "$T/py"
kt_check "exec (default rules): the test's commands" has_event exec "$T/py"
kt_check "mounts: the tmpfs mount" has_event mounts 'kt-tmpfs'
kt_check "perm_mod: the chmod" has_event perm_mod '"syscall":"fchmodat"'
kt_check "perm_mod: the chown" has_event perm_mod '"syscall":"fchownat"'
kt_check "access: the refused open" has_event access "$T/secret"
kt_check "cron: the file in /etc/cron.d" has_event cron "$MARK"
kt_check "systemd: the file in /etc/systemd/system" has_event systemd "$MARK"
echo "# $(grep -c . "$T/out.json") events in all"

kt_check "the kernel has no registered daemon" bash -c "auditctl -s | grep -q '^pid 0'"
kt_check "rules are back as they were" bash -c "[[ \"\$(auditctl -l)\" == \"$KT_SAVED_RULES\" ]]"
kt_finish
