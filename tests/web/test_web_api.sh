#!/usr/bin/env bash
# `auditlens web`'s API and security rules with curl, on a store built from generated SSH sessions
# (bench/session_gen.py replayed by bench_replay; no kernel): the token (missing or wrong: 401;
# Bearer or the login cookie: 200; the token file made 0600, one readable by others refused), the
# headers (CSP, nosniff, no-referrer) on pages, API answers and errors, GET only (405), keyset
# paging that walks every session once in the order of `auditlens sessions`, the filters, the
# timeline as the CLI's, one event, the tree, the live cursor, unknown ids (404), bad parameters
# (400), a non-loopback listen address without TLS refused (exit 2), half a TLS pair (2), and HTTPS
# with a self-signed certificate made here by openssl.
set -uo pipefail
AUDITLENS=${AUDITLENS:?set AUDITLENS to the auditlens binary}
SRC=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD_DIR:-$(dirname "$AUDITLENS")}
REPLAY=${BENCH_REPLAY:-$BUILD/bench/bench_replay}
PY=/usr/bin/python3
[[ -x $REPLAY ]] || { echo "test_web_api: $REPLAY missing (cmake --build --preset release --target bench_replay)" >&2; exit 1; }
T=$(mktemp -d /tmp/auditlens-webapi.XXXXXX)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  [[ -n ${KEEP_TMP:-} ]] || rm -rf "$T"
}
trap cleanup EXIT
PASSED=0
FAILED=0
check() {
  local what=$1
  shift
  if "$@"; then PASSED=$((PASSED + 1)); echo "ok - $what"; else FAILED=$((FAILED + 1)); echo "not ok - $what"; fi
}

$PY "$SRC/bench/session_gen.py" --sessions 40 --seed 7 --output "$T/s.log" 2>/dev/null
"$REPLAY" "$T/s.log" --store "$T/s.db" --no-network >/dev/null 2>&1
check "the store was built" test -s "$T/s.db"

# start_web NAME ARGS...: starts auditlens web on a free port; sets URL (empty when it did not start).
start_web() {
  local name=$1
  shift
  "$AUDITLENS" web --db "$T/s.db" --listen 127.0.0.1:0 "$@" >"$T/$name.out" 2>"$T/$name.err" &
  PIDS+=($!)
  URL=
  for _ in $(seq 50); do
    URL=$(sed -n 's|^auditlens web: serving \(https\{0,1\}://[^/]*\)/.*|\1|p' "$T/$name.out")
    [[ -n $URL ]] && return 0
    sleep 0.1
  done
  return 1
}
start_web plain --token-file "$T/token"
check "auditlens web starts and names its URL ($URL)" test -n "$URL"
check "the token file is made 0600" bash -c "[[ \$(stat -c %a '$T/token') == 600 ]]"
TOKEN=$(cat "$T/token")
AUTH=(-H "Authorization: Bearer $TOKEN")
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

check "no token: 401 (API)" test "$(code "$URL/api/sessions")" = 401
check "no token: 401 (page)" test "$(code "$URL/")" = 401
check "no token: 401 (asset)" test "$(code "$URL/app.js")" = 401
check "wrong token: 401" test "$(code -H "Authorization: Bearer ${TOKEN}x" "$URL/api/sessions")" = 401
check "wrong token in the cookie: 401" test "$(code --cookie "auditlens_token=nope" "$URL/")" = 401
check "wrong token at login: 401" test "$(code "$URL/login?token=nope")" = 401
check "Bearer token: 200" test "$(code "${AUTH[@]}" "$URL/api/sessions")" = 200
curl -s -D "$T/login.h" -o /dev/null "$URL/login?token=$TOKEN"
check "login sets an HttpOnly SameSite=Strict cookie and redirects to /" bash -c \
  "grep -qi '^set-cookie: auditlens_token=$TOKEN; Path=/; HttpOnly; SameSite=Strict' '$T/login.h' && grep -qi '^location: /' '$T/login.h'"
check "the cookie opens the page" test "$(code --cookie "auditlens_token=$TOKEN" "$URL/")" = 200
for what in "/api/sessions" "/" "/app.js" "/api/timeline?id=nope"; do
  curl -s -D "$T/h" -o /dev/null "${AUTH[@]}" "$URL$what"
  check "headers on $what: CSP, nosniff, no-referrer" bash -c "
    grep -qi \"^content-security-policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'\" '$T/h' &&
    grep -qi '^x-content-type-options: nosniff' '$T/h' && grep -qi '^referrer-policy: no-referrer' '$T/h'"
done
curl -s -D "$T/h401" -o /dev/null "$URL/api/sessions"
check "headers on a 401 too" grep -qi "^content-security-policy: default-src 'none'" "$T/h401"
check "POST: 405" test "$(code -X POST "${AUTH[@]}" "$URL/api/sessions")" = 405
check "DELETE: 405" test "$(code -X DELETE "${AUTH[@]}" "$URL/api/sessions")" = 405
check "PUT on a page: 405" test "$(code -X PUT "${AUTH[@]}" "$URL/")" = 405

# Paging: every session once, in the CLI's order (newest first).
"$AUDITLENS" sessions --db "$T/s.db" --last 1000 --json >"$T/cli.json"
$PY - "$URL" "$TOKEN" "$T/cli.json" >"$T/paging.out" 2>&1 <<'PY'
import json, sys, urllib.parse, urllib.request
url, token, cli = sys.argv[1:4]
def get(path, **q):
    req = urllib.request.Request(url + path + "?" + urllib.parse.urlencode(q), headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(req))
want = [json.loads(l)["id"] for l in open(cli)][::-1]
got, cursor, pages = [], None, 0
while True:
    q = {"limit": 7}
    if cursor: q["cursor"] = cursor
    page = get("/api/sessions", **q)
    pages += 1
    assert len(page["sessions"]) <= 7
    got += [s["id"] for s in page["sessions"]]
    cursor = page["next"]
    if not cursor: break
    assert pages < 100
ok = got == want
print("pages", pages, "sessions", len(got), "same as the CLI:", ok)
users = {s["user"] for s in get("/api/sessions", limit=1000)["sessions"]}
u = sorted(users)[3]
mine = get("/api/sessions", user=u, limit=1000)["sessions"]
ok &= bool(mine) and all(s["user"] == u for s in mine)
failed = get("/api/sessions", failed=1, limit=1000)["sessions"]
ok &= bool(failed) and all(s["state"] == "failed" or s["failures"] > 0 or s["auth_failures"] > 0 for s in failed)
f_paged, cursor = [], None
while True:
    q = {"limit": 3, "failed": 1}
    if cursor: q["cursor"] = cursor
    page = get("/api/sessions", **q)
    f_paged += [s["id"] for s in page["sessions"]]
    cursor = page["next"]
    if not cursor: break
ok &= f_paged == [s["id"] for s in failed]
all_s = get("/api/sessions", limit=1000)["sessions"]
mid = all_s[len(all_s) // 2]
until = get("/api/sessions", until=mid["start_ms"], limit=1000)["sessions"]
ok &= bool(until) and all(s["start_ms"] <= mid["start_ms"] for s in until) and mid["id"] in [s["id"] for s in until]
src = mid["source"]["ip"]
ok &= all(s["source"]["ip"] == src for s in get("/api/sessions", source=src, limit=1000)["sessions"])
ok &= get("/api/sessions", host="no-such-host")["sessions"] == []
print("filters ok:", ok)
sys.exit(0 if ok else 1)
PY
RC=$?
cat "$T/paging.out"
check "paging walks every session once, in the CLI's order; the filters hold" test $RC -eq 0

SID=$($PY -c 'import json,sys; print([json.loads(l)["id"] for l in open(sys.argv[1]) if json.loads(l)["commands"] > 5][0])' "$T/cli.json")
curl -s "${AUTH[@]}" "$URL/api/timeline?id=$SID" >"$T/timeline.json"
"$AUDITLENS" timeline --db "$T/s.db" "$SID" --json >"$T/timeline-cli.json"
check "the timeline's entries are the CLI's" $PY -c '
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(0 if a["entries"] == b["entries"] and a["session"]["id"] == b["session"]["id"] and a["hidden"] == b["hidden"] else 1)' \
  "$T/timeline.json" "$T/timeline-cli.json"
EV=$($PY -c 'import json,sys; e=[e for e in json.load(open(sys.argv[1]))["entries"] if e["kind"]=="command"][0]["event"]; print(e["time_ms"], e["serial"])' "$T/timeline.json")
read -r EMS ESER <<<"$EV"
curl -s "${AUTH[@]}" "$URL/api/event?time_ms=$EMS&serial=$ESER" >"$T/event.json"
check "one event: its row, detail and process" $PY -c '
import json, sys
e = json.load(open(sys.argv[1]))
sys.exit(0 if e["kind"] == "exec" and e["session_id"] == sys.argv[2] and e["detail"]["args"] and e["process"]["entity_id"] == e["entity_id"] else 1)' "$T/event.json" "$SID"
curl -s "${AUTH[@]}" "$URL/api/tree?id=$SID" >"$T/tree.json"
check "the process tree holds every process of the session once" $PY -c '
import json, sys
t = json.load(open(sys.argv[1]))
seen = []
def walk(n):
    seen.append(n["entity_id"]); [walk(c) for c in n["children"]]
[walk(r) for r in t["roots"]]
sys.exit(0 if len(seen) == t["processes"] == len(set(seen)) and t["processes"] > 5 else 1)' "$T/tree.json"
curl -s "${AUTH[@]}" "$URL/api/events?id=$SID" >"$T/live1.json"
NEXT=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["next"])' "$T/live1.json")
curl -s "${AUTH[@]}" "$URL/api/events?id=$SID&after=$NEXT" >"$T/live2.json"
check "live: the events, then nothing after the cursor" $PY -c '
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(0 if len(a["events"]) > 10 and b["events"] == [] and b["next"] == a["next"] else 1)' "$T/live1.json" "$T/live2.json"
MIDKEY=$($PY -c 'import json,sys; e=json.load(open(sys.argv[1]))["events"]; print("%d:%d %d" % (e[9]["time_ms"], e[9]["serial"], len(e) - 10))' "$T/live1.json")
read -r CUR REST <<<"$MIDKEY"
check "live: after an event's key, the events after it" test "$(curl -s "${AUTH[@]}" "$URL/api/events?id=$SID&after=$CUR" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["events"]))')" = "$REST"

check "unknown session (timeline): 404" test "$(code "${AUTH[@]}" "$URL/api/timeline?id=nope")" = 404
check "unknown session (tree): 404" test "$(code "${AUTH[@]}" "$URL/api/tree?id=nope")" = 404
check "unknown session (live): 404" test "$(code "${AUTH[@]}" "$URL/api/events?id=nope")" = 404
check "unknown event: 404" test "$(code "${AUTH[@]}" "$URL/api/event?time_ms=1&serial=2")" = 404
check "unknown route: 404" test "$(code "${AUTH[@]}" "$URL/api/nope")" = 404
check "unknown page: 404" test "$(code "${AUTH[@]}" "$URL/nope.html")" = 404
check "no fleet database: trace 404" test "$(code "${AUTH[@]}" "$URL/api/trace?id=$SID")" = 404
check "bad limit: 400" test "$(code "${AUTH[@]}" "$URL/api/sessions?limit=0")" = 400
check "bad cursor: 400" test "$(code "${AUTH[@]}" "$URL/api/sessions?cursor=x")" = 400
check "bad since: 400" test "$(code "${AUTH[@]}" "$URL/api/sessions?since=yesterday-ish")" = 400
check "missing id: 400" test "$(code "${AUTH[@]}" "$URL/api/timeline")" = 400

# Refusals at start.
"$AUDITLENS" web --db "$T/s.db" --listen 0.0.0.0:0 --token-file "$T/token" >/dev/null 2>"$T/nonlocal.err"
RC=$?
check "a non-loopback address without TLS: exit 2" test $RC -eq 2
check "... saying TLS is needed" grep -q "refusing to listen on 0.0.0.0:0 without TLS" "$T/nonlocal.err"
"$AUDITLENS" web --db "$T/s.db" --listen 192.0.2.1:8443 --token-file "$T/token" >/dev/null 2>&1
check "another non-loopback address: exit 2" test $? -eq 2
"$AUDITLENS" web --db "$T/s.db" --listen 127.0.0.1:0 --tls-cert "$T/none.pem" --token-file "$T/token" >/dev/null 2>&1
check "half a TLS pair: exit 2" test $? -eq 2
"$AUDITLENS" web --db "$T/s.db" --listen 127.0.0.1 --token-file "$T/token" >/dev/null 2>&1
check "a listen address without a port: exit 2" test $? -eq 2
printf 'short\n' >"$T/short.toml"; printf '[web]\ntoken = "short"\n' >"$T/short.toml"
"$AUDITLENS" web --db "$T/s.db" --config "$T/short.toml" --listen 127.0.0.1:0 >/dev/null 2>&1
check "a configured token under 16 characters: exit 2" test $? -eq 2
cp "$T/token" "$T/open-token" && chmod 644 "$T/open-token"
"$AUDITLENS" web --db "$T/s.db" --listen 127.0.0.1:0 --token-file "$T/open-token" >/dev/null 2>"$T/open.err"
check "a token file others may read: exit 1, saying so" bash -c "[[ $? -eq 1 ]] && grep -q 'chmod 600' '$T/open.err'"

# The configured token; HTTPS with a self-signed certificate for 127.0.0.1.
printf '[web]\ntoken = "0123456789abcdef-configured"\n' >"$T/web.toml"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
check "openssl made a certificate" test -s "$T/cert.pem"
start_web tls --config "$T/web.toml" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
check "HTTPS: it serves https ($URL)" bash -c "[[ '$URL' == https://127.0.0.1:* ]]"
check "HTTPS: the API answers over TLS, the certificate verified" \
  test "$(code --cacert "$T/cert.pem" -H "Authorization: Bearer 0123456789abcdef-configured" "$URL/api/sessions")" = 200
check "HTTPS: the configured token is the one (the token file's is refused)" \
  test "$(code --cacert "$T/cert.pem" -H "Authorization: Bearer $TOKEN" "$URL/api/sessions")" = 401
curl -s --cacert "$T/cert.pem" -D "$T/tls-login.h" -o /dev/null "$URL/login?token=0123456789abcdef-configured"
check "HTTPS: the cookie is Secure" grep -qi '^set-cookie: .*; Secure' "$T/tls-login.h"
check "HTTPS: plain HTTP on that port gets no answer" bash -c "! curl -s -m 3 '${URL/https/http}/api/sessions' -o /dev/null -w '%{http_code}' | grep -q 200"
"$AUDITLENS" web --db "$T/s.db" --listen 0.0.0.0:0 --config "$T/web.toml" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" >"$T/any.out" 2>&1 &
ANY=$!
PIDS+=($ANY)
sleep 1
check "a non-loopback address with TLS starts" grep -q "serving https://0.0.0.0:" "$T/any.out"
kill -TERM $ANY; wait $ANY
check "it exits 0 on SIGTERM" test $? -eq 0

echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
