#!/usr/bin/env bash
# A web server under load with the default rules: what each audit consumer costs the host.
#
# nginx (Debian's, a private config on a loopback port, two workers, its access log on) serves a
# small static page to `ab` (apache2-utils), one new TCP connection per request, so every request
# is an audited accept4 under auditlens's default rules (`auditlens rules show-default`: the
# network rules, and exec, fork and exit of the processes that log in). The same rules for every
# consumer: auditlens loads its embedded defaults itself (`auditlens run --output FILE`, nothing
# else configured but temporary state paths); for the others they are loaded with auditctl -R.
#
#   bench/web_load.sh [--requests N] [--concurrency C] [--rounds R] [--consumers LIST]
#
#   --requests N       requests per measurement                                  [60000]
#   --concurrency C    ab's concurrent requests                                  [16]
#   --rounds R         rounds (consumers interleaved within each; medians)       [3]
#   --consumers LIST   off,floor,auditd-raw,auditd-laurel,auditlens               [all]
#                      off: audit disabled (enabled 0), no consumer: the server alone
#
# Per consumer (median over rounds): requests/s and its % of `off`'s; the consumer's CPU per
# request (its whole process tree: auditd and laurel together); kauditd's; nginx's (master and
# workers: the audited syscalls' in-kernel cost lands here); the events the consumer wrote; the
# kernel's lost delta; the consumer's peak RSS. Needs root, auditd (scripts/install-deps.sh test
# installs it, nginx and apache2-utils) and the bench tools (built like bench/run.sh builds them).
# Measure on a quiet machine: the server, ab, the consumer and kauditd share the cores.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REQUESTS=60000
CONCURRENCY=16
ROUNDS=3
CONSUMERS=off,floor,auditd-raw,auditd-laurel,auditlens
while (($#)); do
  case $1 in
    --requests) REQUESTS=$2; shift ;;
    --concurrency) CONCURRENCY=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --consumers) CONSUMERS=$2; shift ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

[[ $(id -u) == 0 ]] || die "run as root"
for tool in auditctl auditd nginx ab; do
  command -v $tool >/dev/null || die "needs $tool (scripts/install-deps.sh test)"
done
if [[ ! -x $TOOLS/bench_proc || ! -x $TOOLS/bench_floor ]]; then
  [[ -f $BENCH_BUILD/build.ninja ]] ||
    cmake -S "$REPO_DIR" -B "$BENCH_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2 ||
    die "cmake configure failed"
  cmake --build "$BENCH_BUILD" --target bench_tools >&2 || die "building the bench tools failed"
fi
[[ -x $AUDITLENS ]] || die "no auditlens binary at $AUDITLENS"

WORK=$(mktemp -d /tmp/auditlens-webload.XXXXXX)
chmod 0755 "$WORK"
NGINX_PID=""
web_on_exit() {
  local rc=$?
  [[ -n $NGINX_PID ]] && kill -QUIT "$NGINX_PID" 2>/dev/null && sleep 0.5
  (exit "$rc")
  bench_on_exit
}
trap web_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

"$AUDITLENS" rules show-default >"$WORK/default.rules" || die "auditlens rules show-default failed"

# The server.
PORT=$((20000 + RANDOM % 20000))
mkdir -p "$WORK/www" "$WORK/nginx"
head -c 2048 /dev/zero | tr '\0' 'a' >"$WORK/www/index.html"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 2;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log $WORK/nginx/access.log;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  keepalive_timeout 0;
  server {
    listen 127.0.0.1:$PORT;
    root $WORK/www;
  }
}
EOF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" || die "nginx did not start"
for ((i = 0; i < 50; i++)); do [[ -s $WORK/nginx/nginx.pid ]] && break; sleep 0.1; done
NGINX_PID=$(cat "$WORK/nginx/nginx.pid")
URL=http://127.0.0.1:$PORT/index.html
ab -q -n 200 -c 4 "$URL" >/dev/null 2>&1 || die "the server does not answer ($URL)"

kauditd_pid=$(pgrep -x kauditd | head -1)
RESULTS=$WORK/results.jsonl
: >"$RESULTS"

# Events the consumer wrote (after it stopped).
web_events() {
  local name=$1 dir=$2
  case $name in
    floor) echo $(($(field_of "$FLOOR_SNAP1" syscall) - $(field_of "$FLOOR_SNAP0" syscall))) ;;
    auditd-raw) grep -c '^type=SYSCALL ' "$dir/log/audit.log" 2>/dev/null ;;
    auditd-laurel) cat "$dir"/laurel/audit.log* 2>/dev/null | grep -c '"SYSCALL"' ;;
    auditlens) grep -c '"records":\[{"type":"SYSCALL"' "$dir/events.json" 2>/dev/null ;;
    off) echo 0 ;;
  esac
}

measure_web() {
  local name=$1 round=$2
  local dir=$WORK/$name-$round
  mkdir -p "$dir"
  sync
  begin_measurement
  local rules_before
  rules_before=$(auditctl -l)
  [[ $rules_before == "No rules" ]] || die "other audit rules are loaded; this benchmark needs none: $rules_before"
  CONSUMER_PID=""
  case $name in
    off)
      auditctl -e 0 >/dev/null
      ;;
    auditlens)
      printf '[agent]\nstate_path = "%s"\nstatus_path = "%s"\n[store]\npath = "%s"\n' \
        "$dir/agent.state" "$dir/status.json" "$dir/store.db" >"$dir/config.toml"
      "$AUDITLENS" run --config "$dir/config.toml" --output "$dir/events.json" \
        >"$dir/auditlens.out" 2>"$dir/auditlens.err" 9>&- &
      CONSUMER_PID=$!
      for ((i = 0; i < 200; i++)); do
        [[ $(status_field pid) == "$CONSUMER_PID" ]] && auditctl -l | grep -q 'key=network' && break
        kill -0 "$CONSUMER_PID" 2>/dev/null || { cat "$dir/auditlens.err" >&2; die "auditlens exited at start"; }
        sleep 0.05
      done
      ;;
    *)
      start_consumer "$name" "$dir/none.rules" "$dir"
      auditctl -R "$WORK/default.rules" >/dev/null 2>"$dir/auditctl.err" ||
        { cat "$dir/auditctl.err" >&2; die "auditctl -R of the default rules failed"; }
      ;;
  esac
  sleep 0.5
  if [[ $name == floor ]]; then
    FLOOR_SNAP0=$(floor_snapshot "$dir")
    FLOOR_USER0=$(field_of "$FLOOR_SNAP0" user)
  fi
  local lost0 cpu0=0 kcpu0=0 ncpu0
  lost0=$(status_field lost)
  [[ -n $CONSUMER_PID ]] && cpu0=$(cpu_ns_of "$CONSUMER_PID")
  [[ -n $kauditd_pid ]] && kcpu0=$(cpu_ns_of "$kauditd_pid")
  ncpu0=$(cpu_ns_of "$NGINX_PID")

  timeout -k 5 600 ab -q -n "$REQUESTS" -c "$CONCURRENCY" "$URL" >"$dir/ab.out" 2>&1 9>&-
  local ab_rc=$?

  local drained=none cpu1=0 hwm=0 probe
  if [[ -n $CONSUMER_PID ]]; then
    local marker=alb_web_${name}_${round}_$RANDOM
    auditctl -m "$marker" || log "bench: auditctl -m failed"
    drained=$(wait_drained "$name" "$dir" "$marker")
    probe=$("$TOOLS/bench_proc" "$CONSUMER_PID")
    cpu1=$(field_of "$probe" cpu_ns)
    hwm=$(field_of "$probe" hwm_kb)
  fi
  local lost1 kcpu1=0 ncpu1
  lost1=$(status_field lost)
  [[ -n $kauditd_pid ]] && kcpu1=$(cpu_ns_of "$kauditd_pid")
  ncpu1=$(cpu_ns_of "$NGINX_PID")
  [[ $name == floor ]] && FLOOR_SNAP1=$(floor_snapshot "$dir")
  stop_process CONSUMER_PID
  local events
  events=$(web_events "$name" "$dir")
  # Our rules: the default set (auditlens removed its own on exit; the others' are deleted here).
  [[ $(auditctl -l) == "No rules" ]] || auditctl -D >/dev/null
  end_measurement

  [[ $ab_rc == 0 ]] || { cat "$dir/ab.out" >&2; die "ab failed under $name"; }
  local rps failed
  rps=$(awk '/^Requests per second:/ {print $4}' "$dir/ab.out")
  failed=$(awk '/^Failed requests:/ {print $3}' "$dir/ab.out")
  printf '{"consumer":"%s","round":%s,"requests":%s,"failed":%s,"rps":%s,"cpu_ns":%s,"kauditd_cpu_ns":%s,"nginx_cpu_ns":%s,"events":%s,"lost_delta":%s,"hwm_kb":%s,"drained":"%s"}\n' \
    "$name" "$round" "$REQUESTS" "${failed:-0}" "${rps:-0}" "$((cpu1 - cpu0))" "$((kcpu1 - kcpu0))" \
    "$((ncpu1 - ncpu0))" "${events:-0}" "$((lost1 - lost0))" "${hwm:-0}" "$drained" >>"$RESULTS"
  log "$(printf 'web: %-14s round %s: %8.0f req/s  consumer %6.2f us/req  kauditd %5.2f  nginx %6.2f  events %s  lost %s  (%s)' \
    "$name" "$round" "${rps:-0}" "$(awk -v c=$((cpu1 - cpu0)) -v n="$REQUESTS" 'BEGIN {print c / 1000 / n}')" \
    "$(awk -v c=$((kcpu1 - kcpu0)) -v n="$REQUESTS" 'BEGIN {print c / 1000 / n}')" \
    "$(awk -v c=$((ncpu1 - ncpu0)) -v n="$REQUESTS" 'BEGIN {print c / 1000 / n}')" \
    "${events:-0}" "$((lost1 - lost0))" "$drained")"
}

IFS=, read -ra RUN <<<"$CONSUMERS"
for ((round = 1; round <= ROUNDS; round++)); do
  for name in "${RUN[@]}"; do
    case $name in off | floor | auditd-raw | auditd-laurel | auditlens) ;; *) die "unknown consumer $name" ;; esac
    measure_web "$name" "$round"
  done
done

$PY - "$RESULTS" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(git -C "$REPO_DIR" describe --always --dirty 2>/dev/null)" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
order = []
for r in rows:
    if r['consumer'] not in order:
        order.append(r['consumer'])
med = lambda xs: statistics.median(xs)
off = [r['rps'] for r in rows if r['consumer'] == 'off']
base = med(off) if off else None
print(f"web_load: tree {sys.argv[3]}, load at end {sys.argv[2]}, {rows[0]['requests']} requests per run, {max(r['round'] for r in rows)} rounds (medians)")
print()
print("| consumer | req/s | % of off | consumer µs/req | kauditd µs/req | nginx µs/req | events | lost | peak RSS MB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for c in order:
    rs = [r for r in rows if r['consumer'] == c]
    n = rs[0]['requests']
    rps = med([r['rps'] for r in rs])
    pct = f"{100 * rps / base:.0f}" if base else "-"
    print(f"| {c} | {rps:,.0f} | {pct} | {med([r['cpu_ns'] for r in rs]) / 1000 / n:.2f} | "
          f"{med([r['kauditd_cpu_ns'] for r in rs]) / 1000 / n:.2f} | {med([r['nginx_cpu_ns'] for r in rs]) / 1000 / n:.2f} | "
          f"{med([r['events'] for r in rs]):,.0f} | {max(r['lost_delta'] for r in rs)} | {max(r['hwm_kb'] for r in rs) / 1024:.1f} |")
PY
