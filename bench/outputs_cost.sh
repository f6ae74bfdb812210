#!/usr/bin/env bash
# What issue 25's features cost on the live storms, in one command (root; a quiet machine):
#
#   bench/outputs_cost.sh [--rounds N] [--storms exec,connect] [--syslog dgram|tcp]
#
# Four agents, each run as `bench/run.sh --rounds 1 --consumers floor,auditlens --no-parse` (so each
# has a floor of its own run), alternating round by round. Every one writes [output], a file (the
# benchmark counts the events it delivered there):
#   defaults     auditlens with no configuration: one output, the file;
#   two          the issue's "two outputs (file and syslog) and ten filters": the ten filters (none
#                matching) and the label of bench/configs/filters-outputs.toml, and its syslog
#                output (over a unix datagram socket): [output]'s file and syslog;
#   three        the whole of bench/configs/filters-outputs.toml: the same and a rotated file
#                ([[outputs]] type "file"), three outputs in all;
#   dropped      the whole file with one more filter that drops the storm's events (rule key
#                alb_bench): what an event a filter drops costs, against one that is written.
#
# --syslog tcp: the same agents with the syslog output sent over TCP to a collector on
# 127.0.0.1:5514 (address = "tcp://127.0.0.1:5514", octet-counted frames) instead of the unix
# datagram socket; bench/syslog_sink.py listens there.
#
# The syslog collector is bench/syslog_sink.py, started here on the socket the config names. A unix
# datagram socket queues at most net.unix.max_dgram_qlen datagrams before the sender waits; the
# kernel's default is 10, and systemd raises it to 512 at boot (its sysctl.d/50-default.conf), so on
# a systemd host (every Debian server) /dev/log takes 512. This script sets 512 for its run, as on
# such a host, and puts the value back when it ends, whatever the way it ends.
#
# Prints, per storm and agent, each round's µs per event and ×floor (against that run's floor), the
# storm's rate against the floor's, peak RSS and lost records, then the medians.
set -uo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$BENCH_DIR")
ROUNDS=2
STORMS=exec,connect
SYSLOG=dgram
while (($#)); do
  case $1 in
    --rounds) ROUNDS=$2; shift ;;
    --storms) STORMS=$2; shift ;;
    --syslog) SYSLOG=$2; shift ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "outputs_cost: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $(id -u) == 0 ]] || { echo "outputs_cost: run as root" >&2; exit 2; }

[[ $SYSLOG == dgram || $SYSLOG == tcp ]] || { echo "outputs_cost: --syslog is dgram or tcp" >&2; exit 2; }
CONFIG=$REPO_DIR/bench/configs/filters-outputs.toml
SOCK=$(sed -n 's/^address *= *"\(.*\)"/\1/p' "$CONFIG" | head -1)
[[ -n $SOCK ]] || { echo "outputs_cost: no syslog address in $CONFIG" >&2; exit 2; }
WORK=$(mktemp -d /tmp/auditlens-outputs-cost.XXXXXX)
if [[ $SYSLOG == tcp ]]; then
  sed "s|^address *= *\".*\"|address = \"tcp://127.0.0.1:5514\"|" "$CONFIG" >"$WORK/config.toml"
  CONFIG=$WORK/config.toml
  SOCK=tcp://127.0.0.1:5514
fi
QLEN_FILE=/proc/sys/net/unix/max_dgram_qlen
QLEN0=$(cat "$QLEN_FILE")
SINK_PID=""
cleanup() {
  [[ -n $SINK_PID ]] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null
  echo "$QLEN0" >"$QLEN_FILE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The "two" agent: the file without its [[outputs]] table of type "file".
awk 'function flush() { if (!(table ~ /^\[\[outputs\]\]/ && table ~ /\ntype *= *"file"/)) printf "%s", table; table = "" }
     /^\[/ { flush() } { table = table $0 "\n" } END { flush() }' "$CONFIG" >"$WORK/two.toml"
grep -q 'type = "file"' "$WORK/two.toml" && { echo "outputs_cost: could not take the file output out" >&2; exit 1; }
# The "dropped" agent: the same file and one more filter, matched by the storms' rule key.
cp "$CONFIG" "$WORK/dropped.toml"
printf '\n[[filters]]\nname = "bench-storm"\naction = "drop"\nkey = "alb_bench"\n' >>"$WORK/dropped.toml"

# Whether the collector is listening.
sink_ready() {
  if [[ $SYSLOG == tcp ]]; then
    (exec 3<>/dev/tcp/127.0.0.1/5514) 2>/dev/null
  else
    [[ -S $SOCK ]]
  fi
}
echo 512 >"$QLEN_FILE"
[[ $SYSLOG == dgram ]] && rm -f "$SOCK"
python3 "$BENCH_DIR/syslog_sink.py" "$SOCK" >"$WORK/sink.out" 2>&1 &
SINK_PID=$!
for _ in $(seq 50); do sink_ready && break; sleep 0.1; done
sink_ready || { echo "outputs_cost: the syslog sink did not start" >&2; cat "$WORK/sink.out" >&2; exit 1; }

agents=(defaults two three dropped)
for ((round = 1; round <= ROUNDS; round++)); do
  for agent in "${agents[@]}"; do
    args=""
    [[ $agent == two ]] && args="--config $WORK/two.toml"
    [[ $agent == three ]] && args="--config $CONFIG"
    [[ $agent == dropped ]] && args="--config $WORK/dropped.toml"
    echo "outputs_cost: round $round, $agent" >&2
    AUDITLENS_RUN_ARGS=$args bash "$BENCH_DIR/run.sh" --rounds 1 --storms "$STORMS" \
      --consumers floor,auditlens --no-parse --out "$WORK/$agent-$round" >"$WORK/$agent-$round.log" 2>&1 ||
      { echo "outputs_cost: bench/run.sh failed ($agent, round $round):" >&2; tail -20 "$WORK/$agent-$round.log" >&2; exit 1; }
  done
done
kill "$SINK_PID" 2>/dev/null
wait "$SINK_PID" 2>/dev/null
SINK_PID=""

python3 - "$WORK" "$ROUNDS" "$(cat "$WORK/sink.out" 2>/dev/null | tr '\n' ' ')" <<'EOF'
import json, statistics, sys
work, rounds, sink = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = {}
agents = ("defaults", "two", "three", "dropped")
for agent in agents:
    for r in range(1, rounds + 1):
        s = json.load(open(f"{work}/{agent}-{r}/summary.json"))
        floor = {x["storm"]: x for x in s["storms"] if x["consumer"] == "floor"}
        for x in s["storms"]:
            if x["consumer"] != "auditlens":
                continue
            f = floor[x["storm"]]
            rows.setdefault((x["storm"], agent), []).append(
                (x["us_per_event"], x["us_per_event"] / f["us_per_event"], x["rate"] / f["rate"] * 100,
                 x["hwm_kb_max"] / 1024, x["lost_delta_max"]))
print(f"{'storm':8} {'agent':10} {'µs/event (rounds)':30} {'median':>7} {'×floor':>7} {'rate %':>7} {'RSS MB':>7} {'lost':>5}")
for (storm, agent), v in sorted(rows.items(), key=lambda kv: (kv[0][0], agents.index(kv[0][1]))):
    us = ", ".join(f"{a[0]:.2f}" for a in v)
    med = lambda i: statistics.median(a[i] for a in v)
    print(f"{storm:8} {agent:10} {us:30} {med(0):7.2f} {med(1):7.2f} {med(2):7.0f} {max(a[3] for a in v):7.1f} {max(a[4] for a in v):5}")
print(f"syslog sink: {sink.strip()}")
EOF
echo "outputs_cost: runs in $WORK" >&2
