#!/usr/bin/env python3
"""Self-test of check_conformance.py (the event checks of kernel.test_ecs_conformance): a
hand-written run in the shape issue 20 asks for passes every check, and each change that breaks
one rule fails exactly the checks that rule belongs to. Runs the checker as a program.
Usage: test_check_conformance.py   (unittest; exit 0 when every case behaves)."""
import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "check_conformance.py")
USER, UID, PORT, FILE = "alice", "1001", 40000, "/home/alice/watched/conformance.txt"
LEADER = {"entity_id": "0b810b5e7751d200", "pid": 100, "start": "2026-12-06T21:00:00.000Z",
          "entry_meta": {"type": "sshd", "source": {"ip": "127.0.0.1"}}}


def syscall(name, ses="3", auid=USER, success="yes"):
    return {"type": "SYSCALL", "syscall": name, "success": success, "auid": auid, "ses": ses}


def event(records, leader=True, **summary):
    e = {"@timestamp": "2026-12-06T21:00:01.000Z", "ecs": {"version": "9.1.0"},
         "host": {"os": {"type": "linux"}}, "event": {"kind": "event"}}
    for key, value in summary.items():
        e[key] = value
    if leader:
        e.setdefault("process", {})["entry_leader"] = copy.deepcopy(LEADER)
    e.setdefault("auditd", {})["records"] = records
    return e


def exec_event(*argv, ses="3", auid=USER, leader=True):
    execve = {"type": "EXECVE", "argc": str(len(argv))}
    execve.update({f"a{i}": a for i, a in enumerate(argv)})
    return event([syscall("execve", ses, auid), execve], leader,
                 event={"kind": "event", "category": ["process"], "type": ["start"],
                        "action": "exec"})


def file_event(call, kind):
    return event([syscall(call)], file={"path": FILE},
                 event={"kind": "event", "category": ["file"], "type": [kind]})


def good_run():
    """Name -> event, in output order."""
    return {
        "ls": exec_event("ls", "/"),
        "cat": exec_event("cat", "/nonexistent"),
        "python": exec_event("/usr/bin/python3", "-c", "import socket"),
        "connect": event([syscall("connect")], destination={"ip": "127.0.0.1", "port": PORT},
                         network={"community_id": "1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0="},
                         event={"kind": "event", "category": ["network"],
                                "type": ["connection"], "action": "connection_attempted"}),
        "creation": file_event("openat", "creation"),
        "change": file_event("fchmodat", "change"),
        "deletion": file_event("unlinkat", "deletion"),
        "logout": event([{"type": "USER_END", "acct": USER, "ses": "3", "res": "success"}]),
        "root exec": exec_event("grep", "-q", "x", ses="unset", auid="unset", leader=False),
        "loss": {"@timestamp": "2026-12-06T21:00:02.000Z", "ecs": {"version": "9.1.0"},
                 "host": {"os": {"type": "linux"}},
                 "event": {"kind": "pipeline_error", "type": ["error"]},
                 "auditd": {"loss": {"cause": "kernel-lost", "count": 4968}}},
        "auth": event([{"type": "USER_AUTH", "acct": USER, "ses": "unset", "res": "failed"}],
                      leader=False, user={"name": USER}, source={"ip": "127.0.0.1"},
                      event={"kind": "event", "category": ["authentication"],
                             "type": ["info"], "outcome": "failure"}),
    }


def run(lines):
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for line in lines:
            f.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
    try:
        p = subprocess.run([sys.executable, CHECKER, "--user", USER, "--uid", UID,
                            "--listener-port", str(PORT), "--file", FILE, f.name],
                           capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(f.name)
    failed = [l[len("not ok - "):] for l in p.stdout.splitlines() if l.startswith("not ok - ")]
    passed = [l for l in p.stdout.splitlines() if l.startswith("ok - ")]
    return p.returncode, failed, passed, p.stdout


class CheckConformance(unittest.TestCase):
    def expect_failures(self, lines, *prefixes):
        rc, failed, passed, out = run(lines)
        self.assertEqual(rc, 1 if prefixes else 0, out)
        self.assertEqual(len(failed) + len(passed), 12, out)
        for prefix in prefixes:
            self.assertTrue(any(f.startswith(prefix) for f in failed), f"{prefix!r} not failed:\n{out}")
        unexpected = [f for f in failed if not any(f.startswith(p) for p in prefixes)]
        self.assertEqual(unexpected, [], out)
        return out

    def test_good_run_passes(self):
        self.expect_failures(list(good_run().values()))

    def test_malformed_line_is_named_by_number(self):
        lines = list(good_run().values()) + ['{"event":', "[1]"]
        out = self.expect_failures(lines, "0. every line is one JSON object")
        self.assertIn(".jsonl:12: not JSON", out)
        self.assertIn(".jsonl:13: not a JSON object", out)

    def test_exec_with_the_syscall_as_action_fails(self):
        run_ = good_run()
        run_["root exec"]["event"]["action"] = "execve"
        out = self.expect_failures(list(run_.values()), "2. every exec event")
        self.assertIn(".jsonl:9: event.type ['start'], event.category ['process'], event.action 'execve'", out)

    def test_exec_without_type_start_fails(self):
        run_ = good_run()
        run_["ls"]["event"]["type"] = ["info"]
        self.expect_failures(list(run_.values()), "2. every exec event")

    def test_failed_execve_is_no_exec_event(self):
        run_ = good_run()
        run_["failed exec"] = event([syscall("execve", success="no")],
                                    event={"kind": "event", "action": "execve"})
        self.expect_failures(list(run_.values()))

    def test_session_event_without_entry_leader_fails(self):
        run_ = good_run()
        del run_["logout"]["process"]
        self.expect_failures(list(run_.values()), "3. every event inside a login session",
                             "3. the SSH session's events", "3. all events of one session")

    def test_unset_session_in_numbers_is_outside(self):
        run_ = good_run()
        run_["raw root exec"] = exec_event("true", ses="4294967295", auid="4294967295", leader=False)
        self.expect_failures(list(run_.values()))

    def test_entry_leader_of_the_ssh_session_must_say_sshd_and_the_client(self):
        for path, value in ((("entry_meta", "type"), "terminal"),
                            (("entry_meta", "source", "ip"), "::1"), (("pid",), "100"),
                            (("start",), None), (("entity_id",), "")):
            run_ = good_run()
            target = run_["connect"]["process"]["entry_leader"]
            for key in path[:-1]:
                target = target[key]
            if value is None:
                del target[path[-1]]
            else:
                target[path[-1]] = value
            failures = ["3. the SSH session's events"]
            if path == ("entity_id",):
                failures.append("3. all events of one session")
            with self.subTest(path=path):
                self.expect_failures(list(run_.values()), *failures)

    def test_two_entry_leaders_in_one_session_fail(self):
        run_ = good_run()
        run_["cat"]["process"]["entry_leader"]["entity_id"] = "ffffffffffffffff"
        self.expect_failures(list(run_.values()), "3. all events of one session")

    def test_another_session_may_have_its_own_leader(self):
        run_ = good_run()
        other = exec_event("id", ses="4", auid="bob")
        other["process"]["entry_leader"].update(entity_id="1111111111111111",
                                                entry_meta={"type": "terminal"})
        run_["other"] = other
        self.expect_failures(list(run_.values()))

    def test_no_session_at_all_fails(self):
        run_ = {k: v for k, v in good_run().items() if k in ("root exec", "loss")}
        out = self.expect_failures(list(run_.values()), "3.", "4.")
        self.assertIn("no event inside a session", out)

    def test_each_missing_kind_fails(self):
        for name, failure in (("cat", "4. the SSH user's commands"),
                              ("python", "4. the SSH user's commands"),
                              ("connect", "4. a connect"),
                              ("creation", "4. a file creation"),
                              ("change", "4. a file change"),
                              ("deletion", "4. a file deletion"),
                              ("loss", "4. a loss event"),
                              ("auth", "4. the failed password login")):
            run_ = good_run()
            del run_[name]
            with self.subTest(missing=name):
                self.expect_failures(list(run_.values()), failure)

    def test_wrong_details_of_a_kind_fail(self):
        cases = (("connect", ("network",), {}, "4. a connect"),
                 ("creation", ("event", "category"), ["process"], "4. a file creation"),
                 ("deletion", ("file", "path"), "/elsewhere", "4. a file deletion"),
                 ("loss", ("auditd", "loss"), "lost", "4. a loss event"),
                 ("auth", ("user", "name"), "root", "4. the failed password login"),
                 ("auth", ("source",), {}, "4. the failed password login"),
                 ("auth", ("event", "outcome"), "success", "4. the failed password login"))
        for name, path, value, failure in cases:
            run_ = good_run()
            target = run_[name]
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
            with self.subTest(event=name, path=path):
                self.expect_failures(list(run_.values()), failure)

    def test_commands_of_another_user_do_not_count(self):
        run_ = good_run()
        run_["cat"] = exec_event("cat", "/nonexistent", auid="bob")
        self.expect_failures(list(run_.values()), "4. the SSH user's commands")


if __name__ == "__main__":
    unittest.main()
