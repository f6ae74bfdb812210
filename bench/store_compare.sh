#!/usr/bin/env bash
# store_compare.sh: what two stores show, byte for byte (issue 22, store schema 6). Runs the same
# listings, timelines and web API requests on store A with binary A and on store B with binary B
# (one binary may read both: a version 5 store and a version 6 one), and diffs every answer.
#
#   bench/store_compare.sh BIN_A DB_A BIN_B DB_B [TIMELINES]
#
# Compared: `sessions` (all, --json, --since the middle of the history, --user of the first
# session, --last 5), `timeline` of TIMELINES sessions spread over the history (default 40; text,
# --json, --login-scripts, and by ses number), `containers`, and the web API: every page of
# /api/sessions (keyset paging), ?failed=1, and for the same sessions /api/timeline, /api/tree,
# /api/events and /api/event of their first and last events. The web servers listen on loopback
# with a token file in a temp dir. Exit 0 when everything is equal, 1 with the differences.
set -uo pipefail
BIN_A=${1:?binary A}
DB_A=${2:?store A}
BIN_B=${3:?binary B}
DB_B=${4:?store B}
TIMELINES=${5:-40}
T=$(mktemp -d /tmp/auditlens-compare.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  [[ -n ${KEEP_TMP:-} ]] || rm -rf "$T"
}
trap cleanup EXIT

# run SIDE NAME ARGS...: the CLI's answer (stdout, stderr and exit status) into $T/SIDE/NAME.
run() {
  local side=$1 name=$2
  shift 2
  local bin db
  if [[ $side == a ]]; then bin=$BIN_A db=$DB_A; else bin=$BIN_B db=$DB_B; fi
  "$bin" "$@" --db "$db" --color never >"$T/$side/$name" 2>&1
  echo "exit $?" >>"$T/$side/$name"
}

# start_web SIDE: auditlens web on a free port; sets URL_a or URL_b.
start_web() {
  local side=$1 bin db
  if [[ $side == a ]]; then bin=$BIN_A db=$DB_A; else bin=$BIN_B db=$DB_B; fi
  "$bin" web --db "$db" --listen 127.0.0.1:0 --token-file "$T/token-$side" >"$T/web-$side.out" 2>&1 &
  PIDS+=($!)
  local url=
  for _ in $(seq 100); do
    url=$(sed -n 's|^auditlens web: serving \(http://[^/]*\)/.*|\1|p' "$T/web-$side.out")
    [[ -n $url ]] && break
    sleep 0.1
  done
  [[ -n $url ]] || { echo "store_compare: auditlens web ($side) did not start" >&2; cat "$T/web-$side.out" >&2; exit 1; }
  printf -v "URL_$side" '%s' "$url"
}

# api SIDE NAME PATH: the web API's answer (body and status) into $T/SIDE/NAME.
api() {
  local side=$1 name=$2 path=$3 url token
  if [[ $side == a ]]; then url=$URL_a; else url=$URL_b; fi
  token=$(cat "$T/token-$side")
  curl -s -H "Authorization: Bearer $token" -w '\nstatus %{http_code}\n' "$url$path" >"$T/$side/$name"
}

mkdir -p "$T/a" "$T/b"
# The sessions to look at: from A's own listing, spread over it.
"$BIN_A" sessions --db "$DB_A" --json --last 1000000 >"$T/all.json" 2>"$T/all.err" ||
  { echo "store_compare: sessions on $DB_A failed: $(cat "$T/all.err")" >&2; exit 1; }
python3 - "$T/all.json" "$TIMELINES" >"$T/picks" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[2])
step = max(1, len(rows) // max(1, n))
picks = rows[::step][:n]
mid = rows[len(rows) // 2] if rows else None
print("SINCE", (mid or {}).get("start", "2000-01-01"))
print("USER", (rows[0] if rows else {}).get("user", "nobody"))
for r in picks:
    tail = r["id"].split("-", 1)[-1]
    print("ID", r["id"], tail if tail.isdigit() else "")
EOF
SINCE=$(awk '$1 == "SINCE" {print $2}' "$T/picks")
SINCE=${SINCE%%.*}
SINCE=${SINCE/T/ }
USER_PICK=$(awk '$1 == "USER" {print $2}' "$T/picks")
mapfile -t IDS < <(awk '$1 == "ID" {print $2}' "$T/picks")
mapfile -t SESES < <(awk '$1 == "ID" && $3 != "" {print $3}' "$T/picks" | head -5)

for side in a b; do
  run $side sessions sessions --last 1000000
  run $side sessions-json sessions --json --last 1000000
  run $side sessions-since sessions --since "$SINCE"
  run $side sessions-user sessions --user "$USER_PICK"
  run $side sessions-last sessions --last 5
  run $side containers containers
  for id in "${IDS[@]}"; do
    run $side "timeline-$id" timeline "$id"
    run $side "timeline-json-$id" timeline --json "$id"
    run $side "timeline-scripts-$id" timeline --login-scripts "$id"
  done
  for ses in "${SESES[@]}"; do run $side "timeline-ses-$ses" timeline --json "$ses"; done
  start_web $side
  # Every page of the session list, following the cursor.
  path="/api/sessions?limit=1000"
  for page in $(seq 1000); do
    api $side "api-sessions-$page" "$path"
    cursor=$(python3 -c 'import json,sys; t=open(sys.argv[1]).read().rsplit("\nstatus",1)[0]; import urllib.parse; print(urllib.parse.quote(json.loads(t).get("next") or "", safe=""))' "$T/$side/api-sessions-$page" 2>/dev/null)
    [[ -n $cursor ]] || break
    path="/api/sessions?limit=1000&cursor=$cursor"
  done
  api $side api-failed "/api/sessions?failed=1&limit=1000"
  for id in "${IDS[@]}"; do
    api $side "api-timeline-$id" "/api/timeline?id=$id"
    api $side "api-tree-$id" "/api/tree?id=$id"
    api $side "api-events-$id" "/api/events?id=$id"
  done
done
# One event of each picked session, by the keys the timeline gave (A's).
for id in "${IDS[@]}"; do
  python3 - "$T/a/api-timeline-$id" <<'EOF' >"$T/keys-$id"
import json, sys
t = open(sys.argv[1]).read().rsplit("\nstatus", 1)[0]
try:
    d = json.loads(t)
except ValueError:
    sys.exit(0)
keys = []
def walk(x):
    if isinstance(x, dict):
        if "time_ms" in x and "serial" in x:
            keys.append((x["time_ms"], x["serial"]))
        for v in x.values():
            walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
walk(d)
for k in (keys[:1] + keys[-1:]):
    print(k[0], k[1])
EOF
  while read -r ms serial; do
    for side in a b; do api $side "api-event-$id-$ms-$serial" "/api/event?id=$id&time_ms=$ms&serial=$serial"; done
  done <"$T/keys-$id"
done

# The store's path, in messages, is the one thing that may differ.
python3 - "$T" "$DB_A" "$DB_B" <<'EOF'
import os, sys
root, paths = sys.argv[1], {"a": sys.argv[2], "b": sys.argv[3]}
for side, path in paths.items():
    for name in os.listdir(os.path.join(root, side)):
        f = os.path.join(root, side, name)
        data = open(f, "rb").read()
        open(f, "wb").write(data.replace(path.encode(), b"STORE"))
EOF
answers=$(ls "$T/a" | wc -l)
if diff -r "$T/a" "$T/b" >"$T/diff"; then
  echo "store_compare: $answers answers equal (${#IDS[@]} timelines; $DB_A and $DB_B)"
  exit 0
fi
echo "store_compare: answers differ ($DB_A against $DB_B):"
diff -rq "$T/a" "$T/b" | sed "s|$T/||g" | head -n 20
# The first lines that differ, cut to 300 characters.
cut -c1-300 "$T/diff" | head -n 30
exit 1
