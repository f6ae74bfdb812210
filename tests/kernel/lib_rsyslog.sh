# A private rsyslogd for the syslog output tests (sourced after lib.sh): started by the test in the
# foreground mode (-n) with its own config, work directory and pid file, never the system's
# service; kt_restore stops it (kt_track_pid).
#
# rs_start DIR PORT: an rsyslogd whose imtcp listens on 127.0.0.1:PORT (octet-counted frames, up to
# 4 MB) and whose imuxsock reads two private /dev/log-like sockets, DIR/devlog and DIR/devlog-small;
# each input's messages go, as their MSG part alone (the JSON line), to DIR/tcp.log, DIR/dgram.log
# and DIR/dgram-small.log. Messages up to 4 MB (maxMessageSize). Sets RSYSLOG to its pid.
# rs_stop: stops it and waits (its files are complete then).
rs_start() {
  local dir=$1 port=$2 i
  mkdir -p "$dir/work"
  cat >"$dir/rsyslog.conf" <<CONF
global(workDirectory="$dir/work" maxMessageSize="4m")
module(load="imuxsock" SysSock.Use="off")
module(load="imtcp")
template(name="msgonly" type="string" string="%msg%\n")
ruleset(name="tcp") { action(type="omfile" file="$dir/tcp.log" template="msgonly") }
ruleset(name="dgram") { action(type="omfile" file="$dir/dgram.log" template="msgonly") }
ruleset(name="dgram_small") { action(type="omfile" file="$dir/dgram-small.log" template="msgonly") }
input(type="imtcp" port="$port" address="127.0.0.1" maxFrameSize="4000000" ruleset="tcp")
input(type="imuxsock" Socket="$dir/devlog" UseSpecialParser="off" RateLimit.Interval="0" Ruleset="dgram")
input(type="imuxsock" Socket="$dir/devlog-small" UseSpecialParser="off" RateLimit.Interval="0" Ruleset="dgram_small")
CONF
  rsyslogd -n -f "$dir/rsyslog.conf" -i "$dir/rsyslog.pid" >>"$dir/rsyslog.out" 2>&1 9>&- &
  RSYSLOG=$!
  kt_track_pid "$RSYSLOG"
  for i in $(seq 50); do
    [[ -S $dir/devlog ]] && ss -ltn "sport = :$port" | grep -q LISTEN && return 0
    sleep 0.1
  done
  kt_log "rsyslogd did not start: $(cat "$dir/rsyslog.out")"
  return 1
}

rs_stop() {
  kill -TERM "$RSYSLOG" 2>/dev/null || true
  wait "$RSYSLOG" 2>/dev/null || true
}
