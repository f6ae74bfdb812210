#!/usr/bin/env python3
"""The ECS conformance checker: every event of auditlens output speaks ECS outside `auditd.*`.

Reads JSON lines (files, or standard input for none or '-'), one event per line, and checks every
value of every event against ECS's field table (tests/ecs/fields.tsv, a copy of ECS's generated
field list; its first line says where it comes from). Paths under an ignored prefix (`auditd.`
always, plus each --ignore-prefix) are not checked: that is where information ECS has no field for
belongs. A violation is one of:

  not an ECS field     the dotted path of a value is not in the table (an array's items have the
                       path of the array), or a scalar sits where ECS has a field set
  wrong type           the JSON value does not fit the field's ECS type (below)
  value not allowed    a field with allowed values in the table (event.kind, event.category,
                       event.type, event.outcome, ...) has a value that is not among them
  category/type        an event.type that no event.category of the event expects, or an
                       event.category with none of its expected event.type values (the table's
                       `category=type|type|...` lists)
  missing field        a path named by --require is absent (or null)
  not JSON             a line that is not one JSON object, or an object with a key twice

ECS types, as JSON (ECS semantics, not what Elasticsearch would coerce):
  keyword constant_keyword wildcard text match_only_text   a string
  long integer short byte unsigned_long                   an integer number in the type's range
                                                          (not a string of digits, not 1.0)
  float double half_float scaled_float                    a number
  boolean                                                 true or false
  ip                                                      a string, an IPv4 or IPv6 address
                                                          (no zone index)
  date                                                    an ISO 8601 string, date and optional
                                                          time (Elasticsearch's
                                                          strict_date_optional_time)
  geo_point                                               {"lat":..,"lon":..}, "lat,lon",
                                                          [lon, lat] or "POINT (lon lat)"
  object, nested                                          an object (nested: or an array of
                                                          objects); when the table lists fields
                                                          under it only those, otherwise any
                                                          content (labels and container.labels:
                                                          string values, ECS's object_type
                                                          keyword)
  flattened                                               an object, any content
Any field may hold an array of values of its type (ECS has no separate array type). null is no
value of any type: it is reported as a wrong type (write no field instead).

Output: one line per violation class (path, then reason), with the number of events that have it
(an event with it in several array items counts once) and the first --max-examples examples
(input:line, the event's serial, the first such value), then a summary line.
Usage: check_ecs.py [--fields TSV] [--ignore-prefix P]... [--require PATH]... [--max-examples N]
                    [FILE...]
Exit status: 0 no violation; 1 a violation; 2 usage error or unreadable input/table.
"""
import argparse
import datetime
import ipaddress
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FIELDS = os.path.join(HERE, "fields.tsv")
ALWAYS_IGNORED = "auditd."

STRING_TYPES = {"keyword", "constant_keyword", "wildcard", "text", "match_only_text"}
INTEGER_RANGES = {
    "byte": (-2**7, 2**7 - 1),
    "short": (-2**15, 2**15 - 1),
    "integer": (-2**31, 2**31 - 1),
    "long": (-2**63, 2**63 - 1),
    "unsigned_long": (0, 2**64 - 1),
}
FLOAT_TYPES = {"float", "double", "half_float", "scaled_float"}
CONTAINER_TYPES = {"object", "nested", "flattened"}
# ECS objects whose keys are free but whose values are keywords (object_type: keyword in ECS's
# definitions; the flat table has no column for it). ECS: labels "should not contain nested objects".
KEYWORD_VALUED_OBJECTS = {"labels", "container.labels"}

# Elasticsearch's strict_date_optional_time: a date, optionally a time, optionally a zone.
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})"
                     r"(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
                     r"(Z|[+-]\d{2}(?::?\d{2})?)?)?$")
GEOHASH_RE = re.compile(r"^[0-9b-hjkmnp-z]{1,12}$")
WKT_POINT_RE = re.compile(r"^POINT\s*\(\s*(\S+)\s+(\S+)\s*\)$", re.I)


class UsageError(Exception):
    pass


class Table:
    """ECS's flat field table: field -> type, allowed values, expected types per category."""

    def __init__(self, path):
        self.type = {}
        self.allowed = {}        # field -> set of allowed values
        self.expected = {}       # category -> set of expected event.type values
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
        except OSError as e:
            raise UsageError(f"cannot read the field table: {e}")
        for n, line in enumerate(lines, 1):
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 3 or not cols[0] or not cols[1]:
                raise UsageError(f"{path}:{n}: not a field line (field, type, level, allowed)")
            name, ftype = cols[0], cols[1]
            if ftype not in STRING_TYPES and ftype not in INTEGER_RANGES and \
                    ftype not in FLOAT_TYPES and ftype not in CONTAINER_TYPES and \
                    ftype not in ("boolean", "ip", "date", "geo_point"):
                raise UsageError(f"{path}:{n}: {name}: unknown ECS type {ftype!r}")
            self.type[name] = ftype
            if len(cols) > 3 and cols[3]:
                values = set()
                for item in cols[3].split(","):
                    value, _, types = item.partition("=")
                    values.add(value)
                    if types:
                        self.expected[value] = set(types.split("|"))
                self.allowed[name] = values
        if not self.type:
            raise UsageError(f"{path}: no fields")
        # Every proper prefix of a field (a field set such as `process` or `process.parent`).
        self.prefixes = set()
        for name in self.type:
            parts = name.split(".")
            for i in range(1, len(parts)):
                self.prefixes.add(".".join(parts[:i]))
        # Container fields with fields listed under them are closed; without, open.
        self.closed = {name for name in self.type
                       if self.type[name] in ("object", "nested") and name in self.prefixes}


def json_kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a fraction number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def valid_date(text):
    m = DATE_RE.match(text)
    if not m:
        return False
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in m.groups()[:6])
    try:
        datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    zone = m.group(8)
    if zone and zone != "Z":
        digits = zone[1:].replace(":", "")
        if int(digits[:2]) > 23 or (len(digits) > 2 and int(digits[2:]) > 59):
            return False
    return True


def valid_ip(text):
    if "%" in text:      # a zone index (fe80::1%eth0): Elasticsearch's ip type refuses it
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def valid_geo_point(value):
    def lat_lon(lat, lon):
        return is_number(lat) and is_number(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
    if isinstance(value, dict):
        return set(value) == {"lat", "lon"} and lat_lon(value["lat"], value["lon"])
    if isinstance(value, list):
        return len(value) == 2 and lat_lon(value[1], value[0])
    if isinstance(value, str):
        m = WKT_POINT_RE.match(value)
        parts = [m.group(2), m.group(1)] if m else value.split(",")
        if len(parts) == 2:
            try:
                return lat_lon(float(parts[0]), float(parts[1]))
            except ValueError:
                return False
        return bool(GEOHASH_RE.match(value))
    return False


def scalar_problem(ftype, value):
    """Why a single (non-array) value does not fit an ECS leaf type, or None when it does."""
    want = None
    if value is None:
        return f"null where ECS has {ftype} (write no field instead)"
    if ftype in STRING_TYPES:
        if isinstance(value, str):
            return None
        want = "a string"
    elif ftype in INTEGER_RANGES:
        if isinstance(value, int) and not isinstance(value, bool):
            low, high = INTEGER_RANGES[ftype]
            if low <= value <= high:
                return None
            return f"{value} is outside ECS {ftype}'s range {low}..{high}"
        want = "an integer number"
    elif ftype in FLOAT_TYPES:
        if is_number(value):
            return None
        want = "a number"
    elif ftype == "boolean":
        if isinstance(value, bool):
            return None
        want = "true or false"
    elif ftype == "ip":
        if isinstance(value, str):
            if valid_ip(value):
                return None
            return "string is not an IPv4 or IPv6 address (ECS ip)"
        want = "a string holding an IP address"
    elif ftype == "date":
        if isinstance(value, str):
            if valid_date(value):
                return None
            return "string is not an ISO 8601 date (ECS date)"
        want = "an ISO 8601 date string"
    return f"{json_kind(value)} where ECS {ftype} wants {want}"


class Checker:
    def __init__(self, table, ignore, require, max_examples):
        self.table = table
        self.ignore = ignore
        self.require = require
        self.max_examples = max_examples
        self.classes = {}            # (path, reason) -> [count, examples]
        self.events = 0
        self.bad_events = 0
        self._event_bad = False
        self._event_classes = set()

    # -- recording

    def violation(self, where, path, reason, value):
        self._event_bad = True
        if (path, reason) in self._event_classes:     # counted once per event
            return
        self._event_classes.add((path, reason))
        entry = self.classes.setdefault((path, reason), [0, []])
        entry[0] += 1
        if len(entry[1]) < self.max_examples:
            text = json.dumps(value, ensure_ascii=False)
            if len(text) > 120:
                text = text[:117] + "..."
            entry[1].append(f"{where} = {text}")

    def ignored(self, path):
        return any(path == p.rstrip(".") or path.startswith(p) for p in self.ignore)

    # -- walking

    def walk(self, where, path, value):
        if path and self.ignored(path):
            return
        table = self.table
        ftype = table.type.get(path)
        if ftype in CONTAINER_TYPES:
            self.container(where, path, ftype, value)
        elif ftype == "geo_point":
            for item in (value if isinstance(value, list) and not valid_geo_point(value)
                         else [value]):
                if not valid_geo_point(item):
                    self.violation(where, path, f"{json_kind(item)} that is not a geo_point",
                                   item)
        elif ftype is not None:
            self.leaf(where, path, ftype, value)
        elif isinstance(value, dict):
            if not value and path and path not in table.prefixes:
                self.violation(where, path, "not an ECS field", value)
            for key, item in value.items():
                self.walk(where, f"{path}.{key}" if path else key, item)
        elif isinstance(value, list):
            for item in value:
                self.walk(where, path, item)
            if not value and path not in table.prefixes:
                self.violation(where, path, "not an ECS field", value)
        elif path in table.prefixes:
            self.violation(where, path,
                           f"{json_kind(value)} where ECS has the field set {path}.*", value)
        else:
            self.violation(where, path, "not an ECS field", value)

    def leaf(self, where, path, ftype, value):
        items = value if isinstance(value, list) else [value]
        allowed = self.table.allowed.get(path)
        for item in items:
            if isinstance(item, list):       # an array of arrays: Elasticsearch flattens it
                self.leaf(where, path, ftype, item)
                continue
            if isinstance(item, dict):
                self.violation(where, path, f"an object where ECS {ftype} wants a value", item)
                continue
            problem = scalar_problem(ftype, item)
            if problem:
                self.violation(where, path, problem, item)
            elif allowed is not None and item not in allowed:
                self.violation(where, path, f"value {item!r} is not allowed "
                               f"(ECS allows {','.join(sorted(allowed))})", item)

    def container(self, where, path, ftype, value):
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, dict):
                self.violation(where, path, f"{json_kind(item)} where ECS {ftype} wants an "
                               "object", item)
            elif path in KEYWORD_VALUED_OBJECTS:
                for key, sub in item.items():
                    self.leaf(where, f"{path}.*", "keyword", sub)
            elif ftype != "flattened" and path in self.table.closed:
                for key, sub in item.items():
                    self.walk(where, f"{path}.{key}", sub)
            # flattened, or an object/nested with no fields listed under it: any content.

    # -- per event

    def categorisation(self, where, obj):
        """event.type against the expected types of the event's event.category values."""
        category = get_path(obj, "event.category")
        if category is None:
            return
        def strings(v):
            return [x for x in (v if isinstance(v, list) else [v]) if isinstance(x, str)]
        categories = [c for c in strings(category) if c in self.table.expected]
        types = strings(get_path(obj, "event.type"))
        if not categories:
            return          # no known category: the allowed-values rule already said so
        expected = set()
        for c in categories:
            expected |= self.table.expected[c]
        for t in types:
            if t not in expected:
                self.violation(where, "event.type", f"type {t!r} is not expected for category "
                               f"{'+'.join(categories)}", {"category": categories, "type": t})
        for c in categories:
            if not any(t in self.table.expected[c] for t in types):
                reason = (f"category {c!r} has no event.type" if not types else
                          f"category {c!r} has none of its expected types "
                          f"({'|'.join(sorted(self.table.expected[c]))})")
                self.violation(where, "event.type", reason, {"category": c, "type": types})

    def event(self, name, lineno, text):
        self.events += 1
        self._event_bad = False
        self._event_classes = set()
        where = f"{name}:{lineno}"
        duplicates = []

        def pairs(items):
            seen = {}
            for k, v in items:
                if k in seen:
                    duplicates.append(k)
                seen[k] = v
            return seen
        try:
            obj = json.loads(text, object_pairs_hook=pairs)
        except ValueError as e:
            self.violation(where, "(line)", "not JSON", f"{e}")
            obj = None
        if obj is not None and not isinstance(obj, dict):
            self.violation(where, "(line)", "not a JSON object", obj)
            obj = None
        for key in duplicates:
            self.violation(where, "(line)", "a key written twice in one object", key)
        if obj is not None:
            serial = get_path(obj, "event.sequence")
            if not isinstance(serial, int):
                serial = obj.get("serial")
            if isinstance(serial, int) and not isinstance(serial, bool):
                where += f" serial {serial}"
            self.walk(where, "", obj)
            if not self.ignored("event.type"):
                self.categorisation(where, obj)
            for path in self.require:
                if get_path(obj, path) is None:
                    self.violation(where, path, "missing field (required)", None)
        if self._event_bad:
            self.bad_events += 1

    def run(self, name, stream):
        for lineno, raw in enumerate(stream, 1):
            text = raw.strip()
            if text:
                self.event(name, lineno, text)

    def report(self, out):
        total = 0
        for (path, reason) in sorted(self.classes):
            count, examples = self.classes[(path, reason)]
            total += count
            shown = f"  e.g. {'; '.join(examples)}" if examples else ""
            out.write(f"{path}: {reason}: {count}{shown}\n")
        verdict = "ok" if not total else "FAIL"
        out.write(f"check_ecs: {verdict}: {self.events} events, {self.bad_events} with "
                  f"violations; {total} violations (per event and class) in "
                  f"{len(self.classes)} classes\n")
        return 1 if total else 0


def get_path(obj, path):
    """The value at a dotted path (nested objects or a dotted key), None when absent."""
    if not isinstance(obj, dict):
        return None
    if path in obj:
        return obj[path]
    head, dot, rest = path.partition(".")
    if not dot:
        return None
    return get_path(obj.get(head), rest)


def main(argv):
    parser = argparse.ArgumentParser(
        description="Check JSON lines (auditlens events) against ECS's field table.")
    parser.add_argument("files", nargs="*", help="JSON lines files; '-' or none: stdin")
    parser.add_argument("--fields", default=DEFAULT_FIELDS,
                        help="ECS field table (TSV: field, type, level, allowed values); "
                             "default: fields.tsv beside this script")
    parser.add_argument("--ignore-prefix", action="append", default=[], metavar="P",
                        help="also leave paths starting with P unchecked (repeatable; "
                             f"'{ALWAYS_IGNORED}' always is)")
    parser.add_argument("--require", action="append", default=[], metavar="PATH",
                        help="every event must have PATH (repeatable)")
    parser.add_argument("--max-examples", type=int, default=3, metavar="N",
                        help="examples shown per violation class (default 3)")
    args = parser.parse_args(argv)
    if args.max_examples < 0:
        parser.error("--max-examples must be 0 or more")
    if any(not p for p in args.ignore_prefix):
        parser.error("--ignore-prefix must not be empty")
    try:
        table = Table(args.fields)
    except UsageError as e:
        print(f"check_ecs: {e}", file=sys.stderr)
        return 2
    checker = Checker(table, [ALWAYS_IGNORED] + args.ignore_prefix, args.require,
                      args.max_examples)
    for name in args.files or ["-"]:
        try:
            if name == "-":
                checker.run("<stdin>", sys.stdin)
            else:
                with open(name, encoding="utf-8", errors="strict") as f:
                    checker.run(name, f)
        except (OSError, UnicodeDecodeError) as e:
            print(f"check_ecs: {name}: {e}", file=sys.stderr)
            return 2
    return checker.report(sys.stdout)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
