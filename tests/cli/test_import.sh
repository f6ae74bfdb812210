#!/usr/bin/env bash
# `auditlens import` (issue 23), end to end on committed logs (no kernel):
# - a recorded SSH session (tests/data/sessions/ssh_interactive_sudo_su.log) split into a rotated
#   set, each piece compressed differently (xz, zstd, and gzip under the bare name audit.log) and
#   named so that names and stamps disagree once: the store's `sessions` and `timeline` equal
#   those of the same log imported whole;
# - importing again adds nothing: the same files are skipped by fingerprint, and the same records
#   under another file write the same rows (row counts unchanged);
# - a foreign ENRICHED log (the same session rewritten as host bastion.example's, its ids named
#   carol and dave by the log) shows its own names and host; no name or host of this machine
#   appears in the store;
# - no node= and no --host: exit 2; malformed lines listed with file and line; unknown record types
#   (tests/data/foreign/newer_types.log) imported;
# - a log of two boots (the kernel's serials start again): two sessions with ids of their own.
source "$(dirname "$0")/lib.sh"
cli_init import
LOG=$SRC/tests/data/sessions/ssh_interactive_sudo_su.log
for tool in gzip xz zstd sqlite3; do
  command -v $tool >/dev/null || { echo "not ok - $tool missing (scripts/install-deps.sh test)"; exit 1; }
done
count() { sqlite3 "$1" "SELECT (SELECT count(*) FROM events)||' '||(SELECT count(*) FROM sessions)||' '||(SELECT count(*) FROM processes)"; }

# --- The reference: the log imported whole ---------------------------------------------------------
"$AUDITLENS" import --db "$T/ref.db" --host lab-1 "$LOG" >"$T/ref.out" 2>"$T/ref.err"
check "whole log: exit 0" test $? -eq 0
check "whole log: summary counts records, hosts, malformed" \
  bash -c "grep -q '^  records:   1164 ' '$T/ref.err' && grep -q '^  hosts:     1 (lab-1)' '$T/ref.err' && grep -q '^  malformed: 0 lines' '$T/ref.err'"
check "whole log: summary has the time range" grep -q '^  time:      2026-11-22T12:12:41.987Z to 2026-11-22T12:12:56.968Z' "$T/ref.err"
check "whole log: one session, new" grep -q '^  sessions:  1 of host lab-1 in the store (1 new)' "$T/ref.err"
"$AUDITLENS" sessions --db "$T/ref.db" --color never >"$T/ref.sessions" 2>&1
check "whole log: sessions lists the SSH login with its 19 commands" \
  grep -qE '^[0-9a-f]{8}-24 +alice5679 +sshd +127\.0\.0\.1:57060 .* 19 +2 +closed' "$T/ref.sessions"
SID=$(awk 'NR==2 {print $1}' "$T/ref.sessions")
"$AUDITLENS" timeline --db "$T/ref.db" --color never "$SID" >"$T/ref.timeline" 2>&1
check "whole log: timeline has the commands" \
  bash -c "grep -q 'grep secret /etc/shadow  FAILED: exit 2' '$T/ref.timeline' && grep -q 'sudo -u bob5679 id' '$T/ref.timeline'"

# --- The same log as a rotated, compressed set -----------------------------------------------------
mkdir -p "$T/rot" "$T/misnamed"
head -n 400 "$LOG" >"$T/p1"
sed -n '401,800p' "$LOG" >"$T/p2"
tail -n +801 "$LOG" >"$T/p3"
xz -c "$T/p1" >"$T/rot/audit.log.2"        # the oldest
zstd -q -c "$T/p2" >"$T/rot/audit.log.1"
gzip -c "$T/p3" >"$T/rot/audit.log"        # the newest, compressed under the bare name
echo "not a log" >"$T/rot/notes.txt"       # not audit.log*: not read
"$AUDITLENS" import --db "$T/rot.db" --host lab-1 "$T/rot" >"$T/rot.out" 2>"$T/rot.err"
check "rotated: exit 0" test $? -eq 0
check "rotated: all 1164 records of the three pieces, none malformed" \
  bash -c "grep -q '^  records:   1164 ' '$T/rot.err' && grep -q '^  malformed: 0 lines' '$T/rot.err'"
"$AUDITLENS" sessions --db "$T/rot.db" --color never >"$T/rot.sessions" 2>&1
check "rotated: sessions equal the whole log's" cmp -s "$T/ref.sessions" "$T/rot.sessions"
"$AUDITLENS" timeline --db "$T/rot.db" --color never "$SID" >"$T/rot.timeline" 2>&1
check "rotated: timeline equals the whole log's" cmp -s "$T/ref.timeline" "$T/rot.timeline"
check "rotated: the same rows as the whole log" test "$(count "$T/rot.db")" == "$(count "$T/ref.db")"
# Names that lie: the oldest piece called audit.log, the newest audit.log.2 (the stamps decide).
zstd -q -c "$T/p1" >"$T/misnamed/audit.log"
gzip -c "$T/p2" >"$T/misnamed/audit.log.1"
xz -c "$T/p3" >"$T/misnamed/audit.log.2"
"$AUDITLENS" import --db "$T/mis.db" --host lab-1 "$T/misnamed" >/dev/null 2>"$T/mis.err"
"$AUDITLENS" timeline --db "$T/mis.db" --color never "$SID" >"$T/mis.timeline" 2>&1
check "misnamed: taken in the order of their stamps (timeline equal)" cmp -s "$T/ref.timeline" "$T/mis.timeline"

# --- Again: nothing added --------------------------------------------------------------------------
before=$(count "$T/rot.db")
"$AUDITLENS" import --db "$T/rot.db" --host lab-1 "$T/rot" >/dev/null 2>"$T/again.err"
check "again: exit 0" test $? -eq 0
check "again: every file skipped as imported already" \
  bash -c "test \$(grep -c 'imported already (as .*), skipped' '$T/again.err') -eq 3 && grep -q 'nothing new' '$T/again.err'"
check "again: no row added" test "$(count "$T/rot.db")" == "$before"
"$AUDITLENS" import --db "$T/rot.db" --host lab-1 "$LOG" >/dev/null 2>"$T/again2.err"
check "same records in another file: read, none new" \
  bash -c "grep -q '^  records:   1164 ' '$T/again2.err' && grep -q '(0 new in the store)' '$T/again2.err'"
check "same records in another file: no row added" test "$(count "$T/rot.db")" == "$before"
check "same records in another file: no new session" grep -q '^  sessions:  1 of host lab-1 in the store (0 new)' "$T/again2.err"

cp "$LOG" "$T/copy.log"
"$AUDITLENS" import --db "$T/twice.db" --host lab-1 "$LOG" "$T/copy.log" >/dev/null 2>"$T/twice.err"
check "the same content given twice in one run: read once" \
  grep -q "$T/copy.log: the same content as another input, skipped" "$T/twice.err"
check "  ... its records counted once" grep -q '^  records:   1164 ' "$T/twice.err"

# --- No host ---------------------------------------------------------------------------------------
"$AUDITLENS" import --db "$T/nohost.db" "$LOG" >/dev/null 2>"$T/nohost.err"
check "no node= and no --host: exit 2" test $? -eq 2
check "no node= and no --host: says to give --host" grep -q 'give --host NAME' "$T/nohost.err"
check "no node= and no --host: no store written" test ! -e "$T/nohost.db"
"$AUDITLENS" import --db "$T/x.db" --host h "$T/missing.log" >/dev/null 2>&1
check "a missing input: exit 1" test $? -eq 1

# --- Malformed lines and unknown types -------------------------------------------------------------
{ head -n 5 "$LOG"; echo "garbage line"; sed -n '6,20p' "$LOG"; echo "type=SYSCALL msg=audit(bad"; } >"$T/bad.log"
"$AUDITLENS" import --db "$T/bad.db" --host lab-1 "$T/bad.log" >/dev/null 2>"$T/bad.err"
check "malformed: exit 0 (the good lines imported)" test $? -eq 0
check "malformed: listed with file and line" \
  bash -c "grep -q '^  malformed: 2 lines' '$T/bad.err' && grep -q '    $T/bad.log:6: ' '$T/bad.err' && grep -q '    $T/bad.log:22: ' '$T/bad.err'"
"$AUDITLENS" import --db "$T/bad1.db" --host lab-1 --max-errors-shown 1 "$T/bad.log" >/dev/null 2>"$T/bad1.err"
check "malformed: the list is capped, the rest counted" \
  bash -c "grep -q '^  malformed: 2 lines' '$T/bad1.err' && test \$(grep -c '    $T/bad.log:' '$T/bad1.err') -eq 1 && grep -q '(1 more not shown; --max-errors-shown)' '$T/bad1.err'"
"$AUDITLENS" import --db "$T/newer.db" --host lab-2 "$SRC/tests/data/foreign/newer_types.log" >/dev/null 2>"$T/newer.err"
check "unknown types: imported (9 records, 2 unreadable lines)" \
  bash -c "grep -q '^  records:   9 ' '$T/newer.err' && grep -q '^  malformed: 2 lines' '$T/newer.err'"

# A damaged compressed file: what comes before the damage is imported, the file is not recorded.
mkdir -p "$T/cut"
gzip -c "$LOG" | head -c 15000 >"$T/cut/audit.log.1"
"$AUDITLENS" import --db "$T/cut.db" --host lab-1 "$T/cut" >/dev/null 2>"$T/cut.err"
check "truncated gzip: exit 1, the error named with the file" \
  bash -c "[[ $? -eq 1 ]] && grep -q '$T/cut/audit.log.1: read error after line [0-9]*: gzip stream: truncated' '$T/cut.err'"
check "truncated gzip: the lines before the damage imported" grep -qE '^  records:   [1-9][0-9]* ' "$T/cut.err"
check "truncated gzip: not recorded as imported" \
  test "$(sqlite3 "$T/cut.db" "SELECT count(*) FROM meta WHERE key LIKE 'import:%'")" == 0

# --- A foreign ENRICHED log ------------------------------------------------------------------------
# The session as host bastion.example's: uid 1001 becomes 1000 (a uid with a name on most machines)
# and the log names it carol; 1002 is dave; the names follow the 0x1d byte, as auditd's ENRICHED.
/usr/bin/python3 - "$LOG" "$T/foreign.log" <<'PY'
import re, sys
names = {"0": "root", "1000": "carol", "1002": "dave", "4294967295": "unset"}
out = []
for line in open(sys.argv[1], "rb").read().split(b"\n"):
    if not line:
        continue
    line = re.sub(rb"\b((?:a|e|s|fs|o)?uid)=1001\b", rb"\1=1000", line)
    tail = []
    for m in re.finditer(rb"\b((?:a|e|s|fs|o)?uid)=(\d+)\b", line):
        n = names.get(m.group(2).decode())
        if n:
            tail.append(m.group(1).upper() + b'="' + n.encode() + b'"')
    out.append(b"node=bastion.example " + line + (b"\x1d" + b" ".join(dict.fromkeys(tail)) if tail else b""))
open(sys.argv[2], "wb").write(b"\n".join(out) + b"\n")
PY
gzip -k "$T/foreign.log"
"$AUDITLENS" import --db "$T/foreign.db" "$T/foreign.log.gz" >/dev/null 2>"$T/foreign.err"
check "foreign: exit 0, host from node=" \
  bash -c "grep -q '^  hosts:     1 (bastion.example)' '$T/foreign.err'"
"$AUDITLENS" sessions --db "$T/foreign.db" --color never >"$T/foreign.sessions" 2>&1
check "foreign: the session's user is the log's name of its auid (carol)" \
  grep -qE '^[0-9a-f]{8}-24 +carol +sshd ' "$T/foreign.sessions"
check "foreign: the store's host is the log's" \
  test "$(sqlite3 "$T/foreign.db" "SELECT group_concat(DISTINCT host) FROM sessions")|$(sqlite3 "$T/foreign.db" "SELECT value FROM meta WHERE key='host'")" == "bastion.example|bastion.example"
check "foreign: another host's session id (its own derived boot id)" \
  bash -c "! grep -q '^$SID ' '$T/foreign.sessions'"
sqlite3 "$T/foreign.db" .dump >"$T/foreign.dump"
here=$(hostname)
check "foreign: this machine's host name ($here) is nowhere in the store" \
  bash -c "! grep -qw -- '$here' '$T/foreign.dump'"
local_name=$(getent passwd 1000 | cut -d: -f1)
if [[ -n $local_name && $local_name != carol ]]; then
  check "foreign: this machine's name of uid 1000 ($local_name) is nowhere in the store" \
    bash -c "! grep -qw -- '$local_name' '$T/foreign.dump'"
fi
check "foreign: carol in the store's rows" grep -q 'carol' "$T/foreign.dump"

# --- Two boots in one log -------------------------------------------------------------------------
# The recorded session, then the same records a day later as a second boot would write them (the
# kernel's serials started again: 6.6M -> hundreds; the same ses 24 and pids). Two sessions, each
# with its own id and its 19 commands, not one session of both.
/usr/bin/python3 - "$LOG" "$T/boots.log" <<'PY'
import re, sys
src, dst = sys.argv[1], sys.argv[2]
lines = open(src, encoding="utf-8", errors="surrogateescape").read().splitlines(True)
stamp = re.compile(r"msg=audit\((\d+)\.(\d{3}):(\d+)\)")
def later(line):
    def sub(m):
        serial = int(m.group(3))
        if serial > 1000000:
            serial -= 6636000
        return "msg=audit(%d.%s:%d)" % (int(m.group(1)) + 86400, m.group(2), serial)
    return stamp.sub(sub, line, count=1)
with open(dst, "w", encoding="utf-8", errors="surrogateescape") as out:
    out.writelines(lines)
    out.writelines(later(l) for l in lines)
PY
"$AUDITLENS" import --db "$T/boots.db" --host lab-1 "$T/boots.log" >"$T/boots.out" 2>"$T/boots.err"
check "two boots: exit 0" test $? -eq 0
check "two boots: the summary says 2 boots" grep -q '^  boots:     2 ' "$T/boots.err"
"$AUDITLENS" sessions --db "$T/boots.db" --color never >"$T/boots.sessions" 2>&1
check "two boots: two SSH logins with ses 24, each with its 19 commands" \
  test "$(grep -cE '^[0-9a-f]{8}-24 +alice5679 +sshd .* 19 +2 +closed' "$T/boots.sessions")" -eq 2
check "two boots: the two logins have different ids" \
  test "$(grep -E '^[0-9a-f]{8}-24 ' "$T/boots.sessions" | awk '{print $1}' | sort -u | wc -l)" -eq 2
check "two boots: the first boot's session keeps the id a one-boot import gives it" \
  grep -q "^$SID " "$T/boots.sessions"
"$AUDITLENS" import --db "$T/boots.db" --host lab-1 "$T/boots.log" >/dev/null 2>&1
cp "$T/boots.log" "$T/boots-copy.log"; echo >>"$T/boots-copy.log"
"$AUDITLENS" import --db "$T/boots.db" --host lab-1 "$T/boots-copy.log" >/dev/null 2>"$T/boots2.err"
check "two boots: the same records again (another file) add no session" \
  grep -q '^  sessions:  2 of host lab-1 in the store (0 new)' "$T/boots2.err"

cli_finish
