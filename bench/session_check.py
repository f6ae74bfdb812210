#!/usr/bin/env python3
"""session_check: checks a log made by bench/session_gen.py (used by bench/store_smoke_test.sh).

    bench/session_check.py LOG [--auparse] [--distinct-pids]

Prints one line of counts and exits 1 with the first problems found when:
- a line is not `type=T msg=audit(SECS.MS:SERIAL): ...`;
- serials do not strictly increase from one event to the next, or an event's records are not
  together (a serial seen again after another one);
- an event starts more than 1 s before the newest time seen so far (the recordings' own events
  are a few ms out of order, as the kernel's are: more is a merge error);
- a value that is hex-encoded (proctitle, EXECVE aN, cmd=, uppercase hex of even length) does not
  decode, or a proctitle is longer than the kernel's 128 bytes;
- with --distinct-pids: a pid carries two different login sessions' ses= (copies must not share
  pids; valid while the generator's pids have not wrapped at --pid-max, i.e. for small logs);
- with --auparse (python3-audit, Debian's /usr/bin/python3): libauparse does not find the same
  events (stamps) and records, or cannot interpret a field. libauparse keeps only some EOE records and makes
  a LOGIN record an event of its own (its SYSCALL and PROCTITLE another with the same stamp): the
  comparison counts distinct stamps and the records other than EOE on both sides.
"""
import re
import sys

LINE = re.compile(r"^type=([A-Z_]+) msg=audit\((\d+)\.(\d{3}):(\d+)\): ?(.*)$")
HEX_FIELD = re.compile(r"(?:^| )(proctitle|a\d+|a\d+\[\d+\]|cmd)=([0-9A-F]{2,})(?= |'|$)")
PID_SES = re.compile(r"(?:^| )pid=(\d+) .*? ses=(\d+)")
HEX_TYPES = {"PROCTITLE", "EXECVE", "USER_CMD"}


def main():
    args = sys.argv[1:]
    use_auparse = "--auparse" in args
    distinct_pids = "--distinct-pids" in args
    paths = [a for a in args if a not in ("--auparse", "--distinct-pids")]
    pid_ses = {}
    if len(paths) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    problems = []

    def problem(text):
        if len(problems) < 10:
            problems.append(text)

    events = records = eoe = 0
    last_serial, newest_ms, current = 0, 0, None
    done = set()
    with open(paths[0], encoding="ascii") as f:
        for n, raw in enumerate(f, 1):
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                problem(f"line {n}: not an audit record: {raw[:80]!r}")
                continue
            rtype, secs, ms, serial, rest = m.groups()
            records += 1
            t, serial = int(secs) * 1000 + int(ms), int(serial)
            if serial != current:
                if serial in done:
                    problem(f"line {n}: the records of event {serial} are not together")
                if serial <= last_serial:
                    problem(f"line {n}: serial {serial} after {last_serial}")
                if t < newest_ms - 1000:
                    problem(f"line {n}: event at {t} ms after one at {newest_ms} ms")
                if current is not None:
                    done.add(current)
                current, last_serial = serial, max(serial, last_serial)
                newest_ms = max(newest_ms, t)
                events += 1
            if rtype == "EOE":
                eoe += 1
            if distinct_pids:
                m = PID_SES.search(rest)
                if m and m.group(2) != "4294967295":
                    seen = pid_ses.setdefault(m.group(1), m.group(2))
                    if seen != m.group(2):
                        problem(f"line {n}: pid {m.group(1)} in sessions {seen} and {m.group(2)}")
            if rtype not in HEX_TYPES:
                continue
            for field, value in HEX_FIELD.findall(rest):
                if len(value) % 2:
                    problem(f"line {n}: {field}= odd-length hex")
                    continue
                if field == "proctitle" and len(value) > 256:
                    problem(f"line {n}: proctitle of {len(value) // 2} bytes (the kernel cuts at 128)")
    summary = f"session_check: {records} records ({eoe} EOE), {events} events"
    if use_auparse:
        import auparse  # python3-audit: scripts/install-deps.sh test

        au = auparse.AuParser(auparse.AUSOURCE_FILE, paths[0])
        stamps, a_records, fields = set(), 0, 0
        while au.parse_next_event():
            ts = au.get_timestamp()
            stamps.add((ts.sec, ts.milli, ts.serial))
            while True:
                a_records += au.get_type_name() != "EOE"
                if au.first_field():
                    while True:
                        try:
                            au.interpret_field()
                        except Exception as e:  # libauparse's own error, reported as a problem
                            problem(f"auparse: event {a_events}: field {au.get_field_name()}: {e}")
                        fields += 1
                        if not au.next_field():
                            break
                if not au.next_record():
                    break
        if (len(stamps), a_records) != (events, records - eoe):
            problem(f"auparse found {len(stamps)} events and {a_records} records, the file has "
                    f"{events} and {records - eoe} besides EOE")
        summary += f"; auparse: {a_records} records, {len(stamps)} events, {fields} fields interpreted"
    print(summary)
    for p in problems:
        print("problem:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
