# The kernel lock, sourced by every script that changes the kernel's audit state (tests, the
# benchmark, the corpus generator). That state is global and outlives processes, so whoever
# changes it holds /tmp/auditlens-kernel.lock (flock) for as long as it does.
#
#   KERNEL_LOCK                      the lock file
#   kernel_lock_held_by_ancestor     true when one of our ancestors holds it (`flock LOCK ctest`):
#                                    taking it again on a new open file would wait for ourselves
#   kernel_lock_take WHO [SECONDS]   takes it on fd 9 (unless an ancestor holds it); says WHO waits;
#                                    returns 1 after SECONDS (default $LOCK_WAIT or 900)
#   kernel_lock_release              releases what kernel_lock_take took
#   with_kernel_lock CMD...          runs CMD under the lock
KERNEL_LOCK=/tmp/auditlens-kernel.lock
KERNEL_LOCK_TAKEN=0

kernel_lock_held_by_ancestor() {
  [[ -e $KERNEL_LOCK ]] || return 1
  local inode p=$$ chain=" " kind pid dev _
  inode=$(stat -c %i "$KERNEL_LOCK")
  while [[ -n $p && $p -gt 1 ]]; do
    chain+="$p "
    # Field 4 of /proc/PID/stat, after the command name (which may contain spaces and ')').
    p=$(awk '{sub(/.*\) /, ""); print $2}' "/proc/$p/stat" 2>/dev/null) || break
  done
  while read -r _ kind _ _ pid dev _; do
    [[ $kind == FLOCK && ${dev##*:} == "$inode" && $chain == *" $pid "* ]] && return 0
  done </proc/locks
  return 1
}

kernel_lock_take() {
  local who=$1 wait=${2:-${LOCK_WAIT:-900}}
  kernel_lock_held_by_ancestor && return 0
  exec 9>>"$KERNEL_LOCK"
  if ! flock -n 9; then
    printf '%s: waiting for %s (someone else is using the kernel audit subsystem)\n' \
      "$who" "$KERNEL_LOCK" >&2
    flock -w "$wait" 9 || { printf '%s: cannot take %s\n' "$who" "$KERNEL_LOCK" >&2; return 1; }
  fi
  KERNEL_LOCK_TAKEN=1
}

kernel_lock_release() {
  if ((KERNEL_LOCK_TAKEN)); then
    flock -u 9
    exec 9>&-
    KERNEL_LOCK_TAKEN=0
  fi
}

with_kernel_lock() {
  if kernel_lock_held_by_ancestor; then
    "$@"
  else
    flock -w "${LOCK_WAIT:-1800}" "$KERNEL_LOCK" "$@"
  fi
}
