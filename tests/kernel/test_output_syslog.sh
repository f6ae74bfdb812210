#!/usr/bin/env bash
# The syslog outputs ([[outputs]] type = "syslog", docs/configuration.md) against a real rsyslogd
# the test starts (tests/kernel/lib_rsyslog.sh), beside the [output] file:
# 1. Over TCP (octet-counted RFC 5424) and to a private /dev/log-like datagram socket, rsyslog
#    receives exactly the lines the file got (every event and loss event, byte for byte), long
#    ones included: a command line of 100,000 bytes.
# 2. A third output to a datagram socket with max_message_bytes = 8192: the long event is not
#    sent (never cut); an output-oversize loss event, in every output, names that output and
#    counts it.
# 3. A dead collector (rsyslog stopped during a storm): the file and the other outputs carry on,
#    the TCP output's spool stays within its max_spool_bytes, the agent reconnects when rsyslog is
#    back, and an output-full loss event tells how many lines were dropped: the lines rsyslog got
#    plus that count are the lines the file got.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_rsyslog.sh"
command -v rsyslogd >/dev/null || { echo "test_output_syslog: needs rsyslogd (scripts/install-deps.sh)" >&2; exit 1; }
kt_init output_syslog
T=$KT_TMP
kt_watch_opens kt_out
cp /usr/bin/true "$T/w/true"
echo "-a always,exit -F arch=b64 -S execve -F dir=$T/w -k kt_out" >>"$T/rules"
PORT=$(kt_free_port)
# The TCP output's spool: room for the long event (about 205 KB) beside a batch being written,
# well below what the storm writes while rsyslog is stopped (about 12 MB), so that it fills then.
SPOOL=1048576
rs_start "$T/rs" "$PORT"
kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json" kernel.backlog_limit=8192
cat >>"$T/config.toml" <<CONF
[[outputs]]
type = "syslog"
address = "tcp://127.0.0.1:$PORT"
max_message_bytes = 4000000
max_spool_bytes = $SPOOL

[[outputs]]
type = "syslog"
address = "$T/rs/devlog"
max_message_bytes = 4000000
facility = "local3"
# The datagram outputs must keep every line while rsyslog is stopped (about 12 MB of the storm
# below): more than the default spool (4 MiB).
max_spool_bytes = 67108864

[[outputs]]
type = "syslog"
address = "$T/rs/devlog-small"
max_message_bytes = 8192
max_spool_bytes = 67108864
CONF
status_out() { # INDEX KEY
  $PY -c "import json,sys; print(json.load(open(sys.argv[1]))['outputs'][int(sys.argv[2])][sys.argv[3]])" "$T/status.json" "$1" "$2"
}
opens() { # N
  $PY -c "
import os, sys
for i in range(int(sys.argv[2])):
    os.close(os.open(sys.argv[1], os.O_RDONLY))
" "$T/w/file" "$1"
}
# Waits until every output has written all it holds (spool 0) and is not failing.
settled() {
  $PY - "$T/status.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if all(o["spool_bytes"] == 0 and not o["failing"] for o in s["outputs"]) else 1)
PY
}

kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "agent registers" kt_wait_for 10 kt_is_daemon $AGENT
kt_wait_for 10 bash -c "auditctl -l | grep -q kt_out"
kt_check "the log names each output" grep -q "also writing to syslog tcp://127.0.0.1:$PORT" "$T/agent.log"

# --- 1 and 2: everything arrives, long ones too -------------------------------------------------
opens 2000
"$T/w/true" "$($PY -c 'print("L" * 100000)')"
opens 100
sleep 1.5
kt_check "the outputs settle" kt_wait_for 20 settled
kt_check "the long event went to the small-limit output as a loss, not cut" \
  test "$(status_out 2 oversize_lines)" -ge 1

# --- 3: the collector dies during a storm ------------------------------------------------------
rs_stop
: >"$T/w/before_storm_marker" && cat "$T/w/before_storm_marker" >/dev/null
opens 6000
sleep 1.5
kt_check "dead collector: the agent is alive" kill -0 $AGENT
kt_check "dead collector: its output says it is failing" test "$(status_out 0 failing)" = True
kt_check "dead collector: its spool stays within max_spool_bytes ($SPOOL)" test "$(status_out 0 spool_bytes)" -le $SPOOL
kt_check "dead collector: it dropped lines" test "$(status_out 0 dropped_lines)" -gt 0
kt_check "dead collector: the log says so" grep -q "syslog tcp://127.0.0.1:$PORT: .*keeping up to $SPOOL bytes" "$T/agent.log"
kt_check "dead collector: the file output carries on (written now, not failing)" \
  grep -q before_storm_marker "$T/out.json"
mv "$T/rs/tcp.log" "$T/tcp-1.log"
mv "$T/rs/dgram.log" "$T/dgram-1.log"
mv "$T/rs/dgram-small.log" "$T/dgram-small-1.log"
rs_start "$T/rs" "$PORT"
kt_check "dead collector: the output reconnects when rsyslog is back" kt_wait_for 30 settled
kt_check "dead collector: a reconnect is counted" test "$(status_out 0 reconnects)" -ge 1
kt_check "dead collector: the log says it works again" grep -q "syslog tcp://127.0.0.1:$PORT works again" "$T/agent.log"
: >"$T/w/after_recovery_marker" && cat "$T/w/after_recovery_marker" >/dev/null
sleep 1.5
kt_wait_for 20 settled || true
dropped=$(status_out 0 dropped_lines)
kill -TERM $AGENT
wait $AGENT && rc=0 || rc=$?
kt_check "agent exits 0" test $rc -eq 0
rs_stop
cat "$T/tcp-1.log" "$T/rs/tcp.log" >"$T/tcp.log"
cat "$T/dgram-1.log" "$T/rs/dgram.log" >"$T/dgram.log"
cat "$T/dgram-small-1.log" "$T/rs/dgram-small.log" >"$T/dgram-small.log"

result=$($PY - "$T/out.json" "$T/tcp.log" "$T/dgram.log" "$T/dgram-small.log" "$dropped" "$PORT" "$T/rs" <<'PY'
import collections, json, sys
out, tcp, dgram, small, dropped, port, rs = sys.argv[1:8]
dropped = int(dropped)
def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
def lines(p):
    with open(p, "rb") as f:
        return [l.rstrip(b"\n") for l in f if l.strip()]
file_lines, tcp_lines, dgram_lines, small_lines = lines(out), lines(tcp), lines(dgram), lines(small)
def parse(ls):
    return [json.loads(l) for l in ls]
events = parse(file_lines)
check(all(isinstance(e, dict) for e in parse(tcp_lines) + parse(dgram_lines) + parse(small_lines)),
      "every line rsyslog wrote is a whole JSON event")
longest = max(len(l) for l in file_lines)
check(longest > 100000, f"the file has the long event ({longest} bytes)")
check(any(len(l) == longest for l in tcp_lines), "TCP: rsyslog got the long event whole")
check(any(len(l) == longest for l in dgram_lines), "datagram: rsyslog got the long event whole")
check(not any(len(l) > 8192 for l in small_lines), "small limit: nothing longer than 8192 bytes arrived")
F, D = collections.Counter(file_lines), collections.Counter(dgram_lines)
check(F == D, f"datagram output: rsyslog got exactly the file's {len(file_lines)} lines ({len(dgram_lines)})")
T = collections.Counter(tcp_lines)
check(not (T - F), "TCP output: every line rsyslog got is one of the file's (no duplicate, nothing else)")
check(len(file_lines) - len(tcp_lines) == dropped,
      f"TCP output: the file's {len(file_lines)} lines = rsyslog's {len(tcp_lines)} + the {dropped} dropped")
losses = [e for e in events if e["event"]["kind"] == "pipeline_error"]
full = [e for e in losses if e["auditd"]["loss"]["cause"] == "output-full" and f"tcp://127.0.0.1:{port}" in e["event"]["reason"]]
check(len(full) >= 1 and sum(e["auditd"]["loss"]["count"] for e in full) == dropped,
      f"an output-full loss event names the TCP output and counts the {dropped} dropped lines")
# The last one (after the recovery) reached the collector; an earlier one, reported while the
# output was only slow, may itself have been dropped and counted by the next.
last_full = json.dumps(full[-1], sort_keys=True) if full else None
tcp_full = [e for e in parse(tcp_lines) if json.dumps(e, sort_keys=True) == last_full]
check(len(tcp_full) == 1, "the last output-full loss event reached the recovered collector too")
over = [e for e in losses if e["auditd"]["loss"]["cause"] == "output-oversize"]
check(len(over) == 1 and over[0]["auditd"]["loss"]["count"] == 1 and "devlog-small" in over[0]["event"]["reason"]
      and "8192" in over[0]["event"]["reason"],
      "one output-oversize loss event names the small-limit output, its limit, and counts the long event")
S = collections.Counter(small_lines)
check(not (S - F) and len(small_lines) == len(file_lines) - 1,
      "small limit: rsyslog got every other line of the file")
marker = [i for i, l in enumerate(tcp_lines) if b"after_recovery_marker" in l]
check(len(marker) >= 1, "TCP: events after the recovery arrive")
seqs = [e["event"]["sequence"] for e in events if e["event"]["kind"] == "event"]
check(len(seqs) == len(set(seqs)) and len(seqs) >= 8100, f"the file has {len(seqs)} events, each once")
PY
)
kt_checks_from "" "$result"
kt_finish
