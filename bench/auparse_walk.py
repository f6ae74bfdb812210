#!/usr/bin/python3
"""The libauparse side of the offline parse benchmark: walks every field of every record of an
auditd log with python3-audit's auparse and interprets each one (interpret_field), the work a
consumer of decoded events asks of libauparse. Prints `records=R fields=F events=E seconds=S`.

Run with Debian's /usr/bin/python3 (python3-audit is installed for it, not for other pythons)."""
import sys
import time

import auparse


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: auparse_walk.py LOG", file=sys.stderr)
        return 2
    start = time.perf_counter()
    au = auparse.AuParser(auparse.AUSOURCE_FILE, sys.argv[1])
    events = records = fields = 0
    interpreted_bytes = 0
    while au.parse_next_event():
        events += 1
        while True:
            records += 1
            au.get_type_name()
            if au.first_field():
                while True:
                    au.get_field_name()
                    value = au.interpret_field()
                    fields += 1
                    interpreted_bytes += len(value) if value else 0
                    if not au.next_field():
                        break
            if not au.next_record():
                break
    seconds = time.perf_counter() - start
    print(f"records={records} fields={fields} events={events} seconds={seconds:.3f} "
          f"interpreted_bytes={interpreted_bytes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
