#!/usr/bin/env python3
"""The event checks of tests/kernel/test_ecs_conformance.sh (issue 20), on the agent's JSON lines.

Reads OUT (one event per line, as `auditlens run` writes them) and prints one verdict per check,
"ok - WHAT" or "not ok - WHAT"; after a check that fails, what is wrong and the offending lines
("#   OUT:LINE: why: the line", cut). The checks:

  0. every line is one JSON object (a malformed line is named by its number);
  2. every exec event (the SYSCALL record in auditd.records has syscall execve or execveat and
     success yes) has event.type ["start"], event.category ["process"] and event.action "exec";
  3. every event inside a login session carries process.entry_leader. An event is inside one when
     its subject record in auditd.records (the SYSCALL record; without one, the first record with
     a `ses`, as the USER_*, CRED_* and LOGIN records of user-space messages have) has a ses that
     is not "unset" (4294967295). The SSH session's events (the session of the user's execs)
     have an entry leader with entity_id, pid, start, entry_meta.type "sshd" and
     entry_meta.source.ip "127.0.0.1"; all events of one session share one entry_leader.entity_id;
  4. the run contains each kind: the SSH user's commands as execs, the connect to the listener
     (destination.port, network.community_id), the file's creation, change and deletion
     (category file, file.path), a loss event (event.kind pipeline_error with an auditd.loss
     object), and the failed password login as an authentication failure (user.name the user
     tried, source.ip 127.0.0.1).
(1 is tests/ecs/check_ecs.py, run by the test itself.)

Usage: check_conformance.py --user NAME --uid UID --listener-port PORT --file PATH OUT
Exit status: 0 every check passed; 1 a check failed; 2 usage error or OUT unreadable.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "ecs"))
import check_ecs  # noqa: E402 (tests/ecs/check_ecs.py)

SHOWN = 5          # offending lines shown per check
WIDTH = 400        # characters of a line shown
UNSET_SES = ("unset", "4294967295")


# The value at a dotted path (nested objects or a dotted key), None when absent: check_ecs's.
get = check_ecs.get_path


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def records(event):
    return [r for r in as_list(get(event, "auditd.records")) if isinstance(r, dict)]


def syscall_record(event):
    return next((r for r in records(event) if r.get("type") == "SYSCALL"), None)


def subject_record(event):
    """The SYSCALL record, else the first record that says its session (user-space messages)."""
    return syscall_record(event) or next((r for r in records(event) if "ses" in r), None)


def session_of(event):
    """The subject record's ses, None outside a login session."""
    subject = subject_record(event)
    ses = subject.get("ses") if subject else None
    if ses is None or str(ses) in UNSET_SES:
        return None
    return str(ses)


def is_exec(event):
    sc = syscall_record(event)
    return bool(sc) and sc.get("syscall") in ("execve", "execveat") and sc.get("success") == "yes"


def exec_args(event):
    """argv from the EXECVE records (a0, a1, ...), else process.args."""
    fields = {}
    for r in records(event):
        if r.get("type") == "EXECVE":
            fields.update(r)
    if fields:
        args = []
        while f"a{len(args)}" in fields:
            args.append(fields[f"a{len(args)}"])
        return args
    return [a for a in as_list(get(event, "process.args")) if isinstance(a, str)]


class Report:
    def __init__(self, name):
        self.name = name
        self.failed = False

    def check(self, what, good, offenders=(), note=None):
        """One verdict; offenders: (line number, why, raw line) of the events that break it."""
        offenders = list(offenders)
        good = good and not offenders
        print(("ok - " if good else "not ok - ") + what)
        if not good:
            self.failed = True
            err = sys.stdout
            if note:
                err.write(f"#   {note}\n")
            for lineno, why, raw in offenders[:SHOWN]:
                text = raw if len(raw) <= WIDTH else raw[:WIDTH - 3] + "..."
                err.write(f"#   {self.name}:{lineno}: {why}: {text}\n")
            if len(offenders) > SHOWN:
                err.write(f"#   ... and {len(offenders) - SHOWN} more\n")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--user", required=True, help="the SSH user's name")
    parser.add_argument("--uid", required=True, help="the SSH user's uid")
    parser.add_argument("--listener-port", required=True, type=int,
                        help="the port of the listener the session connected to")
    parser.add_argument("--file", required=True,
                        help="the path of the file the session created, changed and deleted")
    parser.add_argument("out", help="the agent's JSON lines")
    args = parser.parse_args(argv)
    user_ids = {args.user, args.uid}

    events, malformed = [], []
    try:
        with open(args.out, encoding="utf-8", errors="replace") as f:
            for lineno, raw in enumerate(f, 1):
                raw = raw.rstrip("\n")
                try:
                    obj = json.loads(raw)
                except ValueError as e:
                    malformed.append((lineno, f"not JSON ({e})", raw))
                    continue
                if not isinstance(obj, dict):
                    malformed.append((lineno, "not a JSON object", raw))
                    continue
                events.append((lineno, obj, raw))
    except OSError as e:
        print(f"check_conformance: {e}", file=sys.stderr)
        return 2

    report = Report(args.out)
    report.check(f"0. every line is one JSON object ({len(events)} events)",
                 bool(events), malformed, note=None if events else "no events at all")

    # 2. Exec events.
    execs = [(n, e, raw) for n, e, raw in events if is_exec(e)]
    bad = []
    for n, e, raw in execs:
        got = (get(e, "event.type"), get(e, "event.category"), get(e, "event.action"))
        if got != (["start"], ["process"], "exec"):
            bad.append((n, f"event.type {got[0]!r}, event.category {got[1]!r}, "
                           f"event.action {got[2]!r}", raw))
    report.check(f"2. every exec event ({len(execs)}) has event.type [start], event.category "
                 "[process], event.action exec", bool(execs), bad,
                 note=None if execs else "no exec event at all")

    # 3. Entry leaders of login sessions.
    in_session = [(n, e, raw, session_of(e)) for n, e, raw in events]
    in_session = [x for x in in_session if x[3] is not None]
    sessions = sorted({x[3] for x in in_session}, key=lambda s: (len(s), s))
    bad = [(n, f"ses {ses}, no process.entry_leader object", raw)
           for n, e, raw, ses in in_session if not isinstance(get(e, "process.entry_leader"), dict)]
    report.check(f"3. every event inside a login session ({len(in_session)} events, sessions "
                 f"{','.join(sessions) or 'none'}) carries process.entry_leader",
                 bool(in_session), bad, note=None if in_session else "no event inside a session")

    user_execs = [(n, e, raw) for n, e, raw in execs
                  if str((subject_record(e) or {}).get("auid")) in user_ids]
    ssh_sessions = sorted({session_of(e) for n, e, raw in user_execs} - {None})
    bad = []
    for n, e, raw, ses in in_session:
        if ses not in ssh_sessions:
            continue
        leader = get(e, "process.entry_leader")
        leader = leader if isinstance(leader, dict) else {}
        why = []
        if not isinstance(leader.get("entity_id"), str) or not leader.get("entity_id"):
            why.append("no entity_id")
        if not isinstance(leader.get("pid"), int) or isinstance(leader.get("pid"), bool):
            why.append("no pid (a number)")
        if not leader.get("start"):
            why.append("no start")
        if get(leader, "entry_meta.type") != "sshd":
            why.append(f"entry_meta.type {get(leader, 'entry_meta.type')!r}, not 'sshd'")
        if get(leader, "entry_meta.source.ip") != "127.0.0.1":
            why.append(f"entry_meta.source.ip {get(leader, 'entry_meta.source.ip')!r}, not '127.0.0.1'")
        if why:
            bad.append((n, f"ses {ses}: " + "; ".join(why), raw))
    count = sum(1 for x in in_session if x[3] in ssh_sessions)
    report.check(f"3. the SSH session's events ({count}, ses {','.join(ssh_sessions) or 'none'}) "
                 "have an entry leader with entity_id, pid, start, entry_meta.type sshd and "
                 "entry_meta.source.ip 127.0.0.1", len(ssh_sessions) == 1 and count > 0, bad,
                 note=None if len(ssh_sessions) == 1 else
                 f"the user's execs are in sessions {ssh_sessions}, expected exactly one")

    bad = []
    for ses in sessions:
        ids = {}        # entity id (None: none) -> the first event with it
        for n, e, raw, s in in_session:
            if s != ses:
                continue
            entity_id = get(e, "process.entry_leader.entity_id")
            if not isinstance(entity_id, str) or not entity_id:
                entity_id = None
            ids.setdefault(entity_id, (n, raw))
        if len(ids) > 1 or None in ids:
            for entity_id, (n, raw) in ids.items():
                bad.append((n, f"ses {ses} has entry leaders {sorted(map(str, ids))}; "
                               f"first with {entity_id or 'none'}", raw))
    report.check("3. all events of one session share one process.entry_leader.entity_id",
                 bool(sessions), bad, note=None if sessions else "no session")

    # 4. Every kind of event is there.
    wanted = {"ls /": lambda a: a[:2] == ["ls", "/"],
              "cat /nonexistent": lambda a: a[:2] == ["cat", "/nonexistent"],
              "python3 -c": lambda a: a[:2] == ["/usr/bin/python3", "-c"]}
    seen = {what for what, match in wanted.items()
            for n, e, raw in user_execs if match(exec_args(e))}
    missing = [w for w in wanted if w not in seen]
    report.check(f"4. the SSH user's commands are exec events of the user ({len(user_execs)} "
                 "execs with their auid)", not missing,
                 [(n, "an exec of the user", raw) for n, e, raw in user_execs] if missing else [],
                 note=f"missing: {', '.join(missing)}" if missing else None)

    connects = [(n, e, raw) for n, e, raw in events
                if get(e, "destination.port") == args.listener_port]
    good = [x for x in connects if isinstance(get(x[1], "network.community_id"), str)
            and get(x[1], "network.community_id")]
    report.check(f"4. a connect with destination.port {args.listener_port} and "
                 "network.community_id", bool(good),
                 [] if good else [(n, "destination.port matches", raw) for n, e, raw in connects],
                 note=None if good else f"{len(connects)} events with that destination.port")

    on_file = [(n, e, raw) for n, e, raw in events if get(e, "file.path") == args.file]
    for kind in ("creation", "change", "deletion"):
        good = [x for x in on_file if kind in as_list(get(x[1], "event.type"))
                and "file" in as_list(get(x[1], "event.category"))]
        report.check(f"4. a file {kind} (event.type {kind}, event.category file) of {args.file}",
                     bool(good),
                     [] if good else [(n, f"event.category {get(e, 'event.category')!r}, "
                                         f"event.type {get(e, 'event.type')!r}", raw)
                                      for n, e, raw in on_file],
                     note=None if good else f"{len(on_file)} events with that file.path")

    losses = [(n, e, raw) for n, e, raw in events if get(e, "event.kind") == "pipeline_error"]
    good = [x for x in losses if isinstance(get(x[1], "auditd.loss"), dict)]
    report.check(f"4. a loss event (event.kind pipeline_error with auditd.loss; {len(losses)} "
                 "pipeline_error events)", bool(good),
                 [] if good else [(n, "no auditd.loss object", raw) for n, e, raw in losses])

    auths = [(n, e, raw) for n, e, raw in events
             if "authentication" in as_list(get(e, "event.category"))]
    good = [x for x in auths if get(x[1], "event.outcome") == "failure"
            and get(x[1], "user.name") == args.user and get(x[1], "source.ip") == "127.0.0.1"]
    report.check(f"4. the failed password login: an authentication event with event.outcome "
                 f"failure, user.name {args.user}, source.ip 127.0.0.1", bool(good),
                 [] if good else [(n, f"event.outcome {get(e, 'event.outcome')!r}, user.name "
                                     f"{get(e, 'user.name')!r}, source.ip {get(e, 'source.ip')!r}",
                                   raw) for n, e, raw in auths],
                 note=None if good else f"{len(auths)} authentication events")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
