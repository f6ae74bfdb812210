#!/usr/bin/env python3
"""Checks auditlens output outside the unit tests: every line of each file (or stdin) must be
strict UTF-8, one JSON object, with @timestamp, ecs.version and event.kind ("event", or
"pipeline_error" for a loss event), and
"auditd.encoded" (when present) a list of non-empty paths.
Usage: check_json_lines.py [FILE...]  (exit 1 when a file has a bad line)"""
import json
import sys


def check(name, data):
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines:
        print(f"{name}: last line has no newline", file=sys.stderr)
        return False
    for n, raw in enumerate(lines, 1):
        try:
            text = raw.decode("utf-8", "strict")  # refuses overlongs, surrogates, > U+10FFFF
            obj = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            print(f"{name}:{n}: {e}: {raw[:200]!r}", file=sys.stderr)
            return False
        if not isinstance(obj, dict) or "@timestamp" not in obj \
                or obj.get("ecs", {}).get("version") is None \
                or obj.get("event", {}).get("kind") not in ("event", "pipeline_error"):
            print(f"{name}:{n}: not an auditlens event: {text[:200]}", file=sys.stderr)
            return False
        for path in obj.get("auditd", {}).get("encoded", []):
            if not isinstance(path, str) or not path:
                print(f"{name}:{n}: bad encoded entry {path!r}", file=sys.stderr)
                return False
    print(f"{name}: {len(lines)} lines OK")
    return True


def main():
    files = sys.argv[1:] or ["-"]
    ok = True
    for f in files:
        data = sys.stdin.buffer.read() if f == "-" else open(f, "rb").read()
        ok = check(f, data) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
