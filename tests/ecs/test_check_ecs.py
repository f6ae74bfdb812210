#!/usr/bin/env python3
"""Self-test of the ECS conformance checker (check_ecs.py): hand-written events that must pass,
and for every rule events that must fail it, each with the path and reason the checker must name.
Runs the checker as a program, on the committed ECS table (fields.tsv beside it).
Usage: test_check_ecs.py   (unittest; exit 0 when every case behaves)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "check_ecs.py")

# An event that uses every kind of ECS type the checker knows, arrays, open and closed objects,
# and non-ECS content under auditd.* (never checked).
GOOD = {
    "@timestamp": "2026-11-22T11:07:32.551Z",
    "ecs": {"version": "9.0.0"},
    "host": {"name": "vm", "os": {"type": "linux"}, "geo": {"location": {"lat": 48.1, "lon": 11.6}}},
    "event": {"kind": "event", "module": "auditd", "action": "exec", "category": ["process"],
              "type": ["start"], "outcome": "success", "sequence": 4318584, "risk_score": 1.5,
              "created": "2026-11-22"},
    "process": {"pid": 17604, "parent": {"pid": 17521, "name": "bash"}, "args": ["ls", "-l"],
                "args_count": 2, "interactive": False, "start": "2026-11-22T11:07:32+01:00",
                "tty": {"char_device": {"major": 136, "minor": 0}},
                "entry_leader": {"entry_meta": {"type": "sshd", "source": {"ip": "fd00::1"}}},
                "elf": {"sections": [{"name": ".text", "physical_size": 1024},
                                    {"name": ".data"}],
                        "imports": {"anything": {"goes": [1, "x"]}}}},
    "user": {"id": "0", "name": "root", "entity": {"raw": {"free": {"form": 1}}}},
    "source": {"ip": "127.0.0.1", "port": 47534},
    "related": {"ip": ["127.0.0.1", "::1"], "user": ["root"]},
    "labels": {"team": "blue", "env": ["a", "b"]},
    "tags": ["diff-file", "second-key"],
    "auditd": {"session": "unset", "records": [{"type": "SYSCALL", "whatever": {"x": 1}}],
               "anything": 5},
}


def run(lines, *args, stdin=True):
    text = "".join(json.dumps(l) + "\n" if not isinstance(l, str) else l + "\n" for l in lines)
    if stdin:
        p = subprocess.run([sys.executable, CHECKER, *args], input=text, capture_output=True,
                           text=True, timeout=60)
    else:
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            f.write(text)
        try:
            p = subprocess.run([sys.executable, CHECKER, *args, f.name], capture_output=True,
                               text=True, timeout=60)
        finally:
            os.unlink(f.name)
    return p.returncode, p.stdout, p.stderr


def with_(base, path, value):
    """A deep copy of base with value at the dotted path (None: the key removed)."""
    event = json.loads(json.dumps(base))
    *parents, last = path.split(".")
    node = event
    for key in parents:
        node = node.setdefault(key, {})
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value
    return event


class Passes(unittest.TestCase):
    def test_good_event(self):
        rc, out, err = run([GOOD])
        self.assertEqual(rc, 0, out + err)
        self.assertIn("check_ecs: ok: 1 events, 0 with violations", out)

    def test_good_event_from_a_file(self):
        rc, out, err = run([GOOD, GOOD], stdin=False)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("2 events", out)

    def test_dotted_keys_and_empty_lines(self):
        rc, out, err = run([{"@timestamp": "2026-01-01T00:00:00Z", "event.kind": "event",
                             "process.pid": 1}, ""])
        self.assertEqual(rc, 0, out + err)

    def test_every_category_expected_type_passes(self):
        # network connection, authentication start, file creation: each type expected.
        for category, etype in (("network", "connection"), ("authentication", "start"),
                                ("file", "creation"), ("session", "end"), ("iam", "user")):
            event = with_(GOOD, "event.category", [category])
            event["event"]["type"] = [etype]
            rc, out, err = run([event])
            self.assertEqual(rc, 0, f"{category}/{etype}: {out}{err}")

    def test_two_categories_each_with_its_type(self):
        event = with_(GOOD, "event.category", ["process", "network"])
        event["event"]["type"] = ["start", "connection"]
        rc, out, err = run([event])
        self.assertEqual(rc, 0, out + err)


class Fails(unittest.TestCase):
    def expect(self, event, path, reason, *args):
        rc, out, err = run([event], *args)
        self.assertEqual(rc, 1, out + err)
        self.assertIn(f"{path}: {reason}", out)
        self.assertIn("check_ecs: FAIL", out)
        return out

    # not an ECS field
    def test_unknown_top_level_path(self):
        self.expect(with_(GOOD, "serial", 4318584), "serial", "not an ECS field: 1")

    def test_unknown_path_inside_a_field_set(self):
        self.expect(with_(GOOD, "user.audit", {"id": "0"}), "user.audit.id", "not an ECS field")

    def test_unknown_path_in_an_array_of_objects(self):
        rc, out, err = run([with_(GOOD, "loss", [{"cause": "x"}, {"cause": "y"}]),
                            with_(GOOD, "loss", {"cause": "z"})])
        self.assertEqual(rc, 1, out + err)
        # Counted once per event; the first value of each event as its example.
        self.assertIn('loss.cause: not an ECS field: 2  e.g. <stdin>:1 serial 4318584 = "x"; '
                      '<stdin>:2 serial 4318584 = "z"', out)

    def test_unknown_child_of_a_closed_object(self):
        self.expect(with_(GOOD, "process.tty.name", "pts0"), "process.tty.name",
                    "not an ECS field")

    def test_unknown_child_of_a_nested_field(self):
        self.expect(with_(GOOD, "process.elf.sections", [{"name": ".text", "bogus": 1}]),
                    "process.elf.sections.bogus", "not an ECS field")

    def test_scalar_where_ecs_has_a_field_set(self):
        self.expect(with_(GOOD, "host", "vm"), "host", "a string where ECS has the field set")

    def test_default_ignores_only_auditd(self):
        self.expect(with_(GOOD, "auditdx", 1), "auditdx", "not an ECS field")

    # wrong type
    def test_keyword_given_a_number(self):
        self.expect(with_(GOOD, "user.id", 0), "user.id",
                    "an integer where ECS keyword wants a string")

    def test_long_given_a_string_of_digits(self):
        self.expect(with_(GOOD, "process.pid", "17604"), "process.pid",
                    "a string where ECS long wants an integer number")

    def test_long_given_a_fraction(self):
        self.expect(with_(GOOD, "process.pid", 1.0), "process.pid",
                    "a fraction number where ECS long wants an integer number")

    def test_long_out_of_range(self):
        self.expect(with_(GOOD, "process.pid", 2**63), "process.pid",
                    f"{2**63} is outside ECS long's range")

    def test_boolean_given_a_string(self):
        self.expect(with_(GOOD, "process.interactive", "true"), "process.interactive",
                    "a string where ECS boolean wants true or false")

    def test_float_given_a_string(self):
        self.expect(with_(GOOD, "event.risk_score", "1.5"), "event.risk_score",
                    "a string where ECS float wants a number")

    def test_ip_not_an_address(self):
        self.expect(with_(GOOD, "source.ip", "127.0.0.256"), "source.ip",
                    "string is not an IPv4 or IPv6 address")

    def test_ip_with_a_zone_index(self):
        self.expect(with_(GOOD, "source.ip", "fe80::1%eth0"), "source.ip",
                    "string is not an IPv4 or IPv6 address")

    def test_date_not_iso(self):
        self.expect(with_(GOOD, "@timestamp", "22/11/2026 11:07"), "@timestamp",
                    "string is not an ISO 8601 date")

    def test_date_impossible(self):
        self.expect(with_(GOOD, "@timestamp", "2026-02-30T00:00:00Z"), "@timestamp",
                    "string is not an ISO 8601 date")

    def test_date_as_epoch_number(self):
        self.expect(with_(GOOD, "process.start", 1763809652551), "process.start",
                    "an integer where ECS date wants an ISO 8601 date string")

    def test_object_where_ecs_has_a_keyword(self):
        self.expect(with_(GOOD, "process.name", {"short": "ls"}), "process.name",
                    "an object where ECS keyword wants a value")

    def test_null_value(self):
        self.expect(with_(GOOD, "process.executable", [None]), "process.executable",
                    "null where ECS has keyword (write no field instead)")

    def test_one_bad_item_of_an_array(self):
        self.expect(with_(GOOD, "related.ip", ["127.0.0.1", "localhost"]), "related.ip",
                    "string is not an IPv4 or IPv6 address (ECS ip): 1")

    def test_object_field_given_a_scalar(self):
        self.expect(with_(GOOD, "process.tty", "pts0"), "process.tty",
                    "a string where ECS object wants an object")

    def test_flattened_given_a_scalar(self):
        self.expect(with_(GOOD, "process.elf.imports", "libc"), "process.elf.imports",
                    "a string where ECS flattened wants an object")

    def test_labels_with_a_number_and_a_nested_object(self):
        event = with_(GOOD, "labels", {"n": 5, "deep": {"x": "y"}})
        out = self.expect(event, "labels.*", "an integer where ECS keyword wants a string")
        self.assertIn("labels.*: an object where ECS keyword wants a value", out)

    def test_geo_point_out_of_range(self):
        self.expect(with_(GOOD, "host.geo.location", {"lat": 91, "lon": 0}), "host.geo.location",
                    "an object that is not a geo_point")

    # value not allowed
    def test_event_kind_not_allowed(self):
        self.expect(with_(GOOD, "event.kind", "loss"), "event.kind", "value 'loss' is not allowed")

    def test_outcome_not_allowed_inside_an_array(self):
        self.expect(with_(GOOD, "event.outcome", ["success", "maybe"]), "event.outcome",
                    "value 'maybe' is not allowed")

    def test_category_not_allowed(self):
        self.expect(with_(GOOD, "event.category", ["processes"]), "event.category",
                    "value 'processes' is not allowed")

    # category/type
    def test_type_not_expected_for_the_category(self):
        self.expect(with_(GOOD, "event.type", ["connection"]), "event.type",
                    "type 'connection' is not expected for category process")

    def test_category_without_its_types(self):
        event = with_(GOOD, "event.category", ["process", "file"])
        event["event"]["type"] = ["start"]
        self.expect(event, "event.type",
                    "category 'file' has none of its expected types (access|change|creation")

    def test_type_mismatch_with_dotted_keys(self):
        rc, out, err = run([{"event.category": "file", "event.type": "start"}, {}])
        self.assertEqual(rc, 1, out + err)
        self.assertIn("event.type: type 'start' is not expected for category file: 1", out)
        self.assertIn("2 events, 1 with violations", out)

    def test_category_without_type(self):
        self.expect(with_(GOOD, "event.type", None), "event.type",
                    "category 'process' has no event.type")

    # required fields, malformed lines
    def test_required_field_missing(self):
        self.expect(with_(GOOD, "ecs", None), "ecs.version", "missing field (required)",
                    "--require", "ecs.version")

    def test_not_json(self):
        rc, out, err = run(['{"@timestamp": '])
        self.assertEqual(rc, 1, out + err)
        self.assertIn("(line): not JSON: 1", out)

    def test_not_an_object(self):
        rc, out, err = run(["[1, 2]"])
        self.assertEqual(rc, 1, out + err)
        self.assertIn("(line): not a JSON object: 1", out)

    def test_key_written_twice(self):
        rc, out, err = run(['{"@timestamp": "2026-01-01T00:00:00Z", "@timestamp": '
                            '"2026-01-01T00:00:00Z"}'])
        self.assertEqual(rc, 1, out + err)
        self.assertIn("(line): a key written twice in one object: 1", out)


class Options(unittest.TestCase):
    def test_ignore_prefix(self):
        event = with_(GOOD, "serial", 5)
        event["loss"] = {"count": 1}
        rc, out, err = run([event], "--ignore-prefix", "serial", "--ignore-prefix", "loss.")
        self.assertEqual(rc, 0, out + err)

    def test_max_examples_and_where(self):
        rc, out, err = run([with_(GOOD, "serial", n) for n in range(5)], "--max-examples", "2")
        self.assertEqual(rc, 1, out + err)
        line = next(l for l in out.splitlines() if l.startswith("serial:"))
        self.assertIn("serial: not an ECS field: 5  e.g. <stdin>:1 serial 4318584 = 0; "
                      "<stdin>:2 serial 4318584 = 1", line)
        self.assertNotIn("<stdin>:3", line)
        self.assertIn("5 events, 5 with violations; 5 violations (per event and class) in 1 classes", out)

    def test_other_fields_table(self):
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
            f.write("# a tiny table\nserial\tlong\tcore\t\n")
        try:
            rc, out, err = run([{"serial": 5}], "--fields", f.name)
            self.assertEqual(rc, 0, out + err)
            rc, out, err = run([{"serial": 5, "process": {"pid": 1}}], "--fields", f.name)
            self.assertEqual(rc, 1, out + err)
            self.assertIn("process.pid: not an ECS field", out)
        finally:
            os.unlink(f.name)

    def test_bad_table_and_missing_input(self):
        rc, out, err = run([GOOD], "--fields", "/nonexistent/fields.tsv")
        self.assertEqual(rc, 2)
        self.assertIn("cannot read the field table", err)
        p = subprocess.run([sys.executable, CHECKER, "/nonexistent/input.jsonl"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2)
        self.assertIn("/nonexistent/input.jsonl", p.stderr)

    def test_committed_table(self):
        with open(os.path.join(HERE, "fields.tsv"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertTrue(lines[0].startswith("# ECS field reference (from elastic/ecs"), lines[0])
        rows = {l.split("\t")[0]: l.split("\t") for l in lines[1:]}
        self.assertGreater(len(rows), 2000)
        self.assertEqual(rows["ecs.version"][1], "keyword")
        self.assertIn("process=access|change|end|info|start", rows["event.category"][3])


if __name__ == "__main__":
    unittest.main(verbosity=1)
