#!/bin/bash
# Makes a differential corpus: a RAW auditd log written by Debian's auditd from this machine's
# kernel, while tests/differential/corpus_helper.c and a few shell commands do awkward things
# (file names that need hex, non-UTF-8 bytes, long and many EXECVE arguments, failed system calls,
# every sockaddr family, uid/gid changes, a watch).
#
#   generate_corpus.sh OUTPUT.log
#
# Needs root, auditd, auditctl, setpriv and a C compiler. Exit status: 0 done, 77 cannot run here
# (not root, a tool missing, or another audit daemon registered with the kernel), other: failure.
#
# The kernel's audit state is global: the whole run holds /tmp/auditlens-kernel.lock (unless an
# ancestor process already holds it), the rules are narrow (our temporary directory, our helper
# binary) and short-lived, and an EXIT trap deletes exactly the rules we added, stops our auditd and
# puts back the status values we found (enabled, failure, rate_limit, backlog_limit,
# backlog_wait_time), whatever failed on the way.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../scripts/kernel_lock.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/kernel_lock.sh"
PREFIX="generate_corpus:"

say() { printf '%s %s\n' "$PREFIX" "$*" >&2; }
skip() { say "skipped: $*"; exit 77; }

[[ $# -eq 1 ]] || { echo "usage: $0 OUTPUT.log" >&2; exit 2; }
OUT=$(realpath -m "$1")

[[ $EUID -eq 0 ]] || skip "needs root"
for tool in auditd auditctl setpriv flock; do
  command -v "$tool" >/dev/null || skip "$tool not installed"
done
CC=${CC:-cc}
command -v "$CC" >/dev/null || skip "no C compiler ($CC)"

TMP=$(mktemp -d /tmp/auditlens-diff.XXXXXX)
chmod 755 "$TMP"
BIN=$TMP/bin
WORK=$TMP/work
WATCH=$TMP/watched
CONF=$TMP/conf
LOGDIR=$TMP/log
mkdir -p "$BIN" "$WORK" "$WATCH" "$CONF/plugins.d" "$LOGDIR"
chmod 700 "$CONF" "$LOGDIR"
HELPER=$BIN/corpus_helper
"$CC" -O1 -o "$HELPER" "$HERE/corpus_helper.c"

# --- the kernel lock ---------------------------------------------------------------------------

kernel_lock_take generate_corpus || exit 1

# --- kernel status: save now, restore on exit --------------------------------------------------

declare -A SAVED=()
while read -r k v _; do
  [[ -n $k ]] && SAVED[$k]=$v
done < <(auditctl -s)
if [[ ${SAVED[enabled]:-} == 2 ]]; then
  skip "the audit configuration is locked (enabled 2)"
fi
if [[ ${SAVED[pid]:-0} != 0 ]] && kill -0 "${SAVED[pid]}" 2>/dev/null; then
  skip "pid ${SAVED[pid]} is the registered audit daemon"
fi

RULES=()         # each added rule, as the auditctl arguments that added it
AUDITD_PID=""

cleanup() {
  local rc=$? rule
  set +e
  for rule in "${RULES[@]}"; do
    # -a/-w become -d/-W with the same arguments
    if [[ $rule == -w* ]]; then
      eval "auditctl -W ${rule#-w}" >/dev/null 2>&1
    else
      eval "auditctl -d ${rule#-a}" >/dev/null 2>&1
    fi
  done
  if [[ -n $AUDITD_PID ]] && kill -0 "$AUDITD_PID" 2>/dev/null; then
    kill -TERM "$AUDITD_PID"
    for _ in $(seq 100); do
      kill -0 "$AUDITD_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$AUDITD_PID" 2>/dev/null; then
      say "auditd did not stop: killing it"
      kill -KILL "$AUDITD_PID"
      wait "$AUDITD_PID" 2>/dev/null
      auditctl -m "auditlens corpus: unregistering a dead daemon" >/dev/null 2>&1
    fi
    wait "$AUDITD_PID" 2>/dev/null
  fi
  # Never 2 (that would lock the configuration until reboot).
  if [[ ${SAVED[enabled]:-0} == 0 || ${SAVED[enabled]:-0} == 1 ]]; then
    auditctl -e "${SAVED[enabled]:-0}" >/dev/null
  fi
  auditctl -f "${SAVED[failure]:-1}" -r "${SAVED[rate_limit]:-0}" -b "${SAVED[backlog_limit]:-64}" \
    --backlog_wait_time "${SAVED[backlog_wait_time]:-15000}" >/dev/null
  if [[ -n $AUDITD_PID ]]; then
    # A daemon that died hard leaves its pid registered until the kernel next sends.
    local pid
    pid=$(auditctl -s | awk '$1 == "pid" {print $2}')
    if [[ $pid != 0 ]] && ! kill -0 "$pid" 2>/dev/null; then
      auditctl -m "auditlens corpus: done" >/dev/null 2>&1
    fi
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- our auditd ----------------------------------------------------------------------------------

cat >"$CONF/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $LOGDIR/audit.log
log_group = root
log_format = RAW
flush = INCREMENTAL_ASYNC
freq = 20
max_log_file = 64
num_logs = 2
priority_boost = 0
name_format = NONE
max_log_file_action = IGNORE
space_left = 2
space_left_action = IGNORE
verify_email = no
action_mail_acct = root
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = SYSLOG
use_libwrap = no
tcp_listen_queue = 5
tcp_max_per_addr = 1
tcp_client_max_idle = 0
transport = TCP
distribute_network = no
q_depth = 2000
overflow_action = SYSLOG
max_restarts = 10
plugin_dir = $CONF/plugins.d
end_of_event_timeout = 2
EOF
chmod 600 "$CONF/auditd.conf"

auditctl -b 8192 >/dev/null   # the kernel's queue while auditd writes; restored on exit
auditd -n -c "$CONF" </dev/null >"$TMP/auditd.out" 2>&1 &
AUDITD_PID=$!
registered=0
for _ in $(seq 100); do
  if [[ $(auditctl -s | awk '$1 == "pid" {print $2}') == "$AUDITD_PID" ]]; then
    registered=1
    break
  fi
  kill -0 "$AUDITD_PID" 2>/dev/null || break
  sleep 0.1
done
if ((!registered)); then
  say "auditd did not register with the kernel:"
  cat "$TMP/auditd.out" >&2
  exit 1
fi

add_rule() {
  local spec=$1
  eval "auditctl $spec" >/dev/null
  RULES+=("$spec")
}

q() { printf '%q' "$1"; }

# File operations under our work directory; two keys on one rule (joined by 0x01 in key=).
add_rule "-a always,exit -F arch=b64 -S open,openat,creat,mkdir,chmod,fchmodat,unlinkat,renameat,mknodat,symlinkat,fchownat -F dir=$(q "$WORK") -k diff-file -k second-key"
# Programs run from our bin directory, with a key that needs hex (a space).
add_rule "-a always,exit -F arch=b64 -S execve -F dir=$(q "$BIN") -k $(q "diff exec")"
# Sockets and identity changes of the helper only.
add_rule "-a always,exit -F arch=b64 -S connect,bind,accept,accept4,sendto,sendmsg,recvfrom -F exe=$(q "$HELPER") -k diff-net"
add_rule "-a always,exit -F arch=b64 -S setuid,setgid,setresuid,setresgid,kill -F exe=$(q "$HELPER") -k diff-id"
# A watch: writes and attribute changes.
add_rule "-w $(q "$WATCH") -p wa -k diff-watch"

say "rules in place; running the scenarios"

# --- the scenarios -------------------------------------------------------------------------------

(cd "$WORK" && "$HELPER" files "$WORK") || say "files: some steps did not go as planned"

echo secret >"$WORK/secret"
chmod 600 "$WORK/secret"
echo mine >"$WORK/owned by root"
chmod 644 "$WORK/owned by root"
# EACCES as nobody.
setpriv --reuid=65534 --regid=65534 --clear-groups "$HELPER" open "$WORK/secret" >/dev/null ||
  say "open as nobody: unexpected status"

"$HELPER" net "$WORK" || say "net: some steps did not go as planned"
"$HELPER" ids "$WORK" || say "ids: some steps did not go as planned"
"$HELPER" comm "$WORK" || say "comm: some steps did not go as planned"
"$HELPER" kill || say "kill: some steps did not go as planned"

# EXECVE: awkward arguments, an empty one, long ones (split into aN[i] pieces), many.
"$HELPER" noop 'with space' $'new\nline' $'tab\there' $'\xff\xfe' '' 'é 日本' '-x' '%41' \
  '"dq"' "'sq'" 'back\slash' '$HOME' 'a=b' '(null)'
"$HELPER" noop "$(head -c 9000 /dev/zero | tr '\0' 'a')" "$(printf 'b %.0s' $(seq 4000))" tail
"$HELPER" noop $(seq 1 1500)
# An executable whose path and comm need hex; a setuid-nobody copy run by root.
ODD_EXE=$BIN/$'hel per"x\xff'
cp "$HELPER" "$ODD_EXE"
"$ODD_EXE" noop odd
cp "$HELPER" "$BIN/suid-helper"
chown 65534:65534 "$BIN/suid-helper"
chmod 4755 "$BIN/suid-helper"
"$BIN/suid-helper" noop suid
# Failed execve: not executable (EACCES), missing (ENOENT).
cp "$HELPER" "$BIN/not-executable"
chmod 644 "$BIN/not-executable"
"$BIN/not-executable" 2>/dev/null || true
"$BIN/missing" 2>/dev/null || true
# A login session: setting the loginuid writes a LOGIN record; what follows carries auid and ses.
bash -c 'echo 0 >/proc/self/loginuid && exec "$1" noop in-session' _ "$HELPER"
# The watch.
echo data >"$WATCH/written "$'\xff'
chmod 600 "$WATCH/written "$'\xff'
printf 'x' >"$WATCH"/$'new\nline'
rm -f "$WATCH"/*
# A user-space message (USER, msg='...').
auditctl -m "auditlens differential corpus: 'quoted' text" >/dev/null

sleep 1
say "scenarios done; stopping auditd"

# Delete the rules now (logged as CONFIG_CHANGE while our auditd still writes), then stop it.
for rule in "${RULES[@]}"; do
  if [[ $rule == -w* ]]; then
    eval "auditctl -W ${rule#-w}" >/dev/null
  else
    eval "auditctl -d ${rule#-a}" >/dev/null
  fi
done
RULES=()
kill -TERM "$AUDITD_PID"
wait "$AUDITD_PID" || true
AUDITD_PID=""

mkdir -p "$(dirname "$OUT")"
cp "$LOGDIR/audit.log" "$OUT"
chmod 644 "$OUT"
say "wrote $OUT ($(wc -l <"$OUT") records, $(stat -c %s "$OUT") bytes)"
