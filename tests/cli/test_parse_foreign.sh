#!/usr/bin/env bash
# `auditlens parse` reads logs as they were written, wherever that was (issue 23), end to end on
# the committed logs of tests/data/foreign/ (no kernel):
# - db7_enriched.log, this machine's recorded ENRICHED log rewritten as another host's
#   (make_foreign.py): its names (alice, staff, dbadmin) come out, never this machine's names of
#   the same ids; host.name is its node=; without node= the host is left out and said unknown, and
#   --host names it. The same log cut to RAW gives other names: the ENRICHED section is what counts.
# - newer_types.log: record types this build does not know (by name and by number) kept with their
#   fields, RHEL 7's stamp without ':' read, success="yes" an outcome, an EXECVE-only event's
#   arguments, and the two unreadable lines reported by their numbers.
source "$(dirname "$0")/lib.sh"
cli_init foreign
DATA=$SRC/tests/data/foreign

# names FILE: every name of an id the output gives (summary and records), one per line, sorted.
names() {
  $PY - "$1" <<'PY'
import json, sys
ID_FIELDS = {"auid", "uid", "euid", "suid", "fsuid", "gid", "egid", "sgid", "fsgid", "ouid", "ogid"}
out = set()
def name_of(obj, *path):
    for p in path:
        if not isinstance(obj, dict) or p not in obj:
            return None
        obj = obj[p]
    return obj
for line in open(sys.argv[1]):
    e = json.loads(line)
    for path in (("user", "name"), ("user", "effective", "name"), ("group", "name"),
                 ("process", "user", "name"), ("process", "real_user", "name"),
                 ("process", "saved_user", "name"), ("auditd", "user", "audit", "name"),
                 ("file", "owner"), ("file", "group")):
        v = name_of(e, *path)
        if v is not None:
            out.add(v)
    out.update(name_of(e, "related", "user") or [])
    for r in e["auditd"]["records"]:
        out.update(v for k, v in r.items() if k in ID_FIELDS)
print("\n".join(sorted(out)))
PY
}
# field FILE EXPR: the Python expression's value for every line (e: the event), one per line.
field() {
  $PY - "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    try:
        print(eval(sys.argv[2]))
    except (KeyError, IndexError, TypeError):
        print("<none>")
PY
}

# --- An ENRICHED log of another host --------------------------------------------------------------
"$AUDITLENS" parse "$DATA/db7_enriched.log" >"$T/db7.json" 2>"$T/db7.err"
check "db7: exit 0" test $? -eq 0
check "db7: every line a record, none dropped" grep -q "^auditlens parse: 89 records, .* 0 malformed lines" "$T/db7.err"
names "$T/db7.json" >"$T/db7.names"
check "db7: the names are the log's own (alice, staff, dbadmin; root where it says root)" \
  test "$(tr '\n' ' ' <"$T/db7.names")" == "alice dbadmin root staff "
check "db7: uid 1000 is alice" bash -c "grep -q '\"user\":{\"id\":\"1000\",\"name\":\"alice\"' '$T/db7.json'"
check "db7: the file owner 1001 is dbadmin" bash -c "grep -q '\"uid\":\"1001\",\"owner\":\"dbadmin\"' '$T/db7.json'"
# This machine's names of the same ids must be nowhere.
for spec in "passwd 1000" "group 1000" "passwd 1001" "group 1001"; do
  # shellcheck disable=SC2086
  local_name=$(getent $spec | cut -d: -f1)
  if [[ -n $local_name ]] && ! grep -qx "$local_name" <<<"alice staff dbadmin root"; then
    check "db7: this machine's name of $spec ($local_name) appears nowhere" \
      bash -c "! grep -q '\"$local_name\"' '$T/db7.json'"
  fi
done
check "db7: host.name is node= on every event" \
  test "$(field "$T/db7.json" 'e["host"]["name"]' | sort -u)" == "db-7.example"
check "db7: nothing said about an unknown host" bash -c "! grep -q 'host is unknown' '$T/db7.err'"

# The same log cut to RAW: the names are no longer the log's (this machine's, or none).
sed 's/\x1d.*//' "$DATA/db7_enriched.log" >"$T/db7_raw.log"
"$AUDITLENS" parse "$T/db7_raw.log" >"$T/db7_raw.json" 2>/dev/null
check "db7 as RAW: alice is gone (the ENRICHED names are what made her)" bash -c "! grep -q alice '$T/db7_raw.json'"

# Ids the log does not name: none (numbers), or the log's host's files; the log's own names win.
"$AUDITLENS" parse --resolve-names none "$T/db7_raw.log" >"$T/none.json" 2>/dev/null
check "RAW, --resolve-names none: uid 1000 stays a number" bash -c "grep -q '\"user\":{\"id\":\"1000\"}' '$T/none.json'"
check "RAW, --resolve-names none: no name of an id at all" test "$(names "$T/none.json" | tr '\n' ' ')" == "0 1000 1001 "
printf 'root:x:0:0::/root:/bin/sh\nzed:x:1000:1000::/home/zed:/bin/sh\nops:x:1001:1001::/:/bin/sh\n' >"$T/passwd"
printf 'root:x:0:\nwheel:x:1000:zed\nops:x:1001:\n' >"$T/group"
"$AUDITLENS" parse --passwd "$T/passwd" --group "$T/group" "$T/db7_raw.log" >"$T/files.json" 2>/dev/null
check "RAW, --passwd/--group: the files' names" test "$(names "$T/files.json" | tr '\n' ' ')" == "ops root wheel zed "
"$AUDITLENS" parse --passwd "$T/passwd" --group "$T/group" "$DATA/db7_enriched.log" >"$T/files2.json" 2>/dev/null
check "ENRICHED, --passwd/--group: the log's own names still win" test "$(names "$T/files2.json" | tr '\n' ' ')" == "alice dbadmin root staff "
"$AUDITLENS" parse --passwd "$T/nothing" --group "$T/group" "$T/db7_raw.log" >/dev/null 2>"$T/err"
check "--passwd of a missing file: exit 1, named" bash -c "[[ $? -eq 1 ]] && grep -q 'cannot read $T/nothing' '$T/err'"
"$AUDITLENS" parse --passwd "$T/passwd" "$T/db7_raw.log" >/dev/null 2>&1
check "--passwd without --group: usage error" test $? -eq 2

# --- Without node=: the host is unknown, or --host -----------------------------------------------
sed 's/^node=[^ ]* //' "$DATA/db7_enriched.log" >"$T/nonode.log"
hostname_here=$(hostname)
"$AUDITLENS" parse "$T/nonode.log" >"$T/nonode.json" 2>"$T/nonode.err"
check "no node=: exit 0" test $? -eq 0
check "no node=: no host.name on any event" test "$(field "$T/nonode.json" 'e["host"].get("name", "<none>")' | sort -u)" == "<none>"
check "no node=: host.os still says linux" test "$(field "$T/nonode.json" 'e["host"]["os"]["type"]' | sort -u)" == "linux"
check "no node=: this machine's host name ($hostname_here) appears nowhere" bash -c "! grep -q '\"$hostname_here\"' '$T/nonode.json'"
check "no node=: stderr says the host is unknown" grep -q "89 records have no node= and no --host was given: their host is unknown, host.name is left out" "$T/nonode.err"
"$AUDITLENS" parse --host db-7 "$T/nonode.log" >"$T/host.json" 2>"$T/host.err"
check "--host: host.name on every event" test "$(field "$T/host.json" 'e["host"]["name"]' | sort -u)" == "db-7"
check "--host: nothing said about an unknown host" bash -c "! grep -q 'host is unknown' '$T/host.err'"
"$AUDITLENS" parse --host other "$DATA/db7_enriched.log" >"$T/both.json" 2>/dev/null
check "--host with node=: node= wins" test "$(field "$T/both.json" 'e["host"]["name"]' | sort -u)" == "db-7.example"

# --- Newer types, old stamps, bad lines -----------------------------------------------------------
L=$DATA/newer_types.log
"$AUDITLENS" parse "$L" >"$T/newer.json" 2>"$T/newer.err"
check "newer types: exit 0" test $? -eq 0
check "newer types: only the two unreadable lines dropped, by number" \
  test "$(grep -o "newer_types.log:[0-9]*: [a-z=' ]*" "$T/newer.err" | tr '\n' '|')" == "newer_types.log:6: missing type=|newer_types.log:11: bad serial|"
check "newer types: the summary counts them" grep -q "^auditlens parse: 9 records, 6 events, 2 malformed lines" "$T/newer.err"
types=$(field "$T/newer.json" '",".join(r["type"] + ("#%d" % r["type_number"] if "type_number" in r else "") for r in e["auditd"]["records"])')
check "newer types: RHEL 7's DAEMON_CONFIG without ':' read" grep -qx "DAEMON_CONFIG" <<<"$types"
check "newer types: DM_CTRL kept inside its syscall event" grep -qx "SYSCALL,DM_CTRL,PROCTITLE" <<<"$types"
check "newer types: UNKNOWN[1420] kept with its number" grep -qx "UNKNOWN\[1420\]#1420" <<<"$types"
check "newer types: LANDLOCK_ACCESS with extra blanks read" grep -qx "LANDLOCK_ACCESS" <<<"$types"
check "newer types: DM_CTRL's fields decoded by name" grep -q '{"type":"DM_CTRL","module":"crypt","op":"ctr",.*"dev":"254:3","res":"yes"}' "$T/newer.json"
check "newer types: an unknown type's action is its name" grep -q '"action":"unknown\[1420\]"' "$T/newer.json"
check "newer types: RHEL 7 stamp's time and serial" grep -q '"@timestamp":"2017-03-23T03:30:00.477Z".*"sequence":34,' "$T/newer.json"
check "newer types: success=\"yes\" is an outcome" test "$(field "$T/newer.json" 'e["event"]["outcome"] if e["event"]["action"] == "user_avc" else ""' | grep -v '^$')" == "success"
check "newer types: an EXECVE-only event has its arguments" grep -q '"args":\["tar","-czf","/tmp/a b.tgz"\],"args_count":3' "$T/newer.json"
"$AUDITLENS" parse --strict "$L" >/dev/null 2>&1
check "newer types: --strict exits 1 on the dropped lines" test $? -eq 1

cli_finish
