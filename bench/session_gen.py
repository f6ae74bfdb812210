#!/usr/bin/env python3
"""session_gen: an audit log of N SSH sessions, copied from the real ones recorded in
tests/data/sessions/, for building stores of any size (bench/store_scale.sh, issue 22).

    bench/session_gen.py --sessions N [--users U] [--seed S] [--start-time T] [--per-second R]
                         [--output FILE] [--no-eoe] [--only interactive|command]

The output is the kernel's text format as bench_replay reads it (`type=T msg=audit(SECS.MS:SERIAL):
fields`, multi-record events ended by an EOE record as the kernel sends them; --no-eoe leaves the
EOEs out, as auditd's logs do). It is streamed: memory holds only the sessions running at a time.

Each session is a copy of one of two recorded logins (chosen at random, seeded; --only picks one):
- interactive: ssh_interactive_sudo_su.log, a pty login of alice5679 with 19 commands, sudo, sudo
  -u bob5679, sudo su - bob5679 (about 350 events, 10 s);
- command: ssh_command_failed_password.log, `ssh alice6177 'cmd'` (4 commands, 0.6 s) followed by
  a failed password attempt for the same user on a second connection (which the store keeps as a
  session row of state "failed": a copy of it makes two session rows).
The listening sshd of each recording (its exec and bind) is written once at the start, with its
own pid; every copy's connection is accepted by it.

Rewritten per copy, consistently in every record of the copy:
- timestamps: a copy starts at start-time plus Poisson arrivals at --per-second (seeded), and keeps
  the recording's offsets between its events; the output is in time order with the records of
  each event together (the recordings interleave two events' records in a few places: a copy does
  not); where the recording's own events are a few ms out of order, as the kernel's are, that
  order is kept;
- serials: strictly increasing over the whole output, in output order, from --first-serial;
- the login user: name and uid, and the second user of the interactive recording (bob5679, the
  target of sudo -u and su). Names are replaced by names of the same length (u00000042 for
  alice5679 and alice6177, v000042 for bob5679), so they are replaced everywhere, also inside the
  hex-encoded values (proctitle, EXECVE arguments, USER_CMD cmd=), which stay valid hex of the same
  length (the kernel's 128-byte proctitle cut is unchanged). uid, gid, auid, euid, suid, fsuid,
  egid, sgid, fsgid, ouid, ogid, old-auid and id= of 1001/1002 become the users' ids (uid = gid:
  user private groups; user i of --users has uid 10000+i, its second user 2000000+i), and so do
  the setuid-family syscalls' a0-a3 (hex);
- pids and ppids of every process of the session (and clone/vfork's child pid in exit=): each copy
  gets a block of pids of its own from --pid-base up (wrapping below --pid-max), so copies that
  overlap in time never share a pid; pid=, ppid= and exit= only;
- ses= (the login's audit session number: --first-ses, then one more per copy; 4294967295 stays);
- the client's source port in the listener's accept() SOCKADDR (saddr's port bytes).
Left as recorded: numbers inside strings and hex values (the recordings hold no pid there), inode
numbers, the listening sshd's pid and its parent's, pid 1, the loopback addresses, the other
programs' ports (the test listener python connects to), syscall arguments other than the ones
above, tty names, the events' order within a copy and the gaps between them.
"""
import argparse
import bisect
import calendar
import os
import random
import re
import sys
import time
from itertools import repeat
from collections import deque
import heapq
from operator import itemgetter

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(HERE), "tests", "data", "sessions")

# The recordings, their users (name, uid) in the order of the generated names' prefixes.
TEMPLATES = {
    "interactive": ("ssh_interactive_sudo_su.log", [("alice5679", 1001), ("bob5679", 1002)]),
    "command": ("ssh_command_failed_password.log", [("alice6177", 1001)]),
}
USER_PREFIXES = "uv"  # first user u..., second v...
UID_BASES = (10000, 2000000)  # primary uids 10000+, second users' 2000000+ (up to 999,999 users)
UID_FIELDS = {"uid", "gid", "auid", "euid", "suid", "fsuid", "egid", "sgid", "fsgid", "ouid", "ogid",
              "old-auid", "id"}
SETID_SYSCALLS = {105, 106, 113, 114, 117, 119, 122, 123}  # x86_64 setuid..setfsgid
CLONE_SYSCALLS = {56, 57, 58, 435}  # clone, fork, vfork, clone3: exit= is the child's pid
ACCEPT_SYSCALLS = {43, 288}
UNSET = "4294967295"
STAMP = re.compile(r"^type=(\S+) msg=audit\((\d+)\.(\d{3}):(\d+)\): ?(.*)$")
FIELD = re.compile(r"(?<=[ '])([a-z][a-z0-9_-]*)=([^ ']*)")
HEXVAL = re.compile(r"(?<==)([0-9A-F]{2,})(?=[ ']|$)")
EVENT_SEP = "\x00"
SLOT = re.compile(r"%\((\w+)\)s")


class Event:
    __slots__ = ("ms", "lines", "syscall", "pid", "types")

    def __init__(self, ms):
        self.ms, self.lines, self.syscall, self.pid, self.types = ms, [], None, None, []


def read_events(path):
    """The log's events in the order of their first record, each with all its records (the
    recordings interleave the records of two events in a few places, as the kernel may: a copy
    keeps every event's records together). auditd's own DAEMON_* records are left out."""
    events, by_stamp = [], {}
    with open(path, encoding="ascii") as f:
        for raw in f:
            line = raw.rstrip("\n")
            m = STAMP.match(line)
            if not m:
                sys.exit(f"session_gen: {path}: not an audit record: {line[:80]}")
            rtype, secs, ms, serial, rest = m.groups()
            if rtype.startswith("DAEMON_"):
                continue
            e = by_stamp.get((secs, ms, serial))
            if e is None:
                e = by_stamp[(secs, ms, serial)] = Event(int(secs) * 1000 + int(ms))
                events.append(e)
            e.lines.append((rtype, rest))
            e.types.append(rtype)
            if rtype == "SYSCALL":
                f_ = dict(FIELD.findall(" " + rest))
                e.syscall, e.pid = int(f_["syscall"]), f_["pid"]
            elif e.pid is None:
                f_ = dict(FIELD.findall(" " + rest))
                e.pid = f_.get("pid")
    return events


class Template:
    """One recording compiled to a %-format string with named slots (see the module doc)."""

    def __init__(self, name, file, users, eoe):
        self.name = name
        events = read_events(os.path.join(DATA, file))
        first = next((i for i, e in enumerate(events) if e.syscall in ACCEPT_SYSCALLS), None)
        if first is None:
            sys.exit(f"session_gen: {file}: no accept() by a listening sshd")
        self.listener = events[first].pid
        listener_parent = next(dict(FIELD.findall(" " + r))["ppid"] for e in events
                               if e.pid == self.listener for t, r in e.lines if t == "SYSCALL")
        fixed = {"0", "1", self.listener, listener_parent}  # init (orphans are reparented to it)
        prelude = [e for e in events[:first] if e.pid == self.listener]
        body = events[first:]
        self.t0 = body[0].ms

        # The pids of the session's processes, mapped to one contiguous block per copy.
        pids = set()
        for e in body:
            for t, rest in e.lines:
                for k, v in FIELD.findall(" " + rest):
                    if k in ("pid", "ppid") and v not in fixed:
                        pids.add(int(v))
                    elif k == "exit" and t == "SYSCALL" and e.syscall in CLONE_SYSCALLS and v.isdigit() \
                            and int(v) > 0:
                        pids.add(int(v))
        self.pid_min = min(pids)
        self.pid_block = max(pids) - self.pid_min + 1
        self.pid_deltas = sorted(p - self.pid_min for p in pids)
        self.users = users
        self.ses_values = []
        self.accepts = 0
        self.compile_errors = []
        found = {n: False for n, _ in users}

        fmts, offs, running = [], [], 0
        for j, e in enumerate(body):
            fmts.append(self._event_format(e, f"T{j}", f"Q{j}", fixed, found, eoe))
            running = max(running, e.ms - self.t0)
            offs.append(running)
        self.offsets = offs  # per event: the key (ms after the copy's start), never decreasing
        if len(body) > EVENT_MASK:
            sys.exit(f"session_gen: {file}: more than {EVENT_MASK} events")
        self.keys = [(o << 32) + j for j, o in enumerate(offs)]
        self.time_offsets = [e.ms - self.t0 for e in body]
        self.prelude = [(e.ms - self.t0, self._event_format(e, "T", "Q", fixed, found, eoe, copy=False))
                        for e in prelude]
        missing = [n for n, seen in found.items() if not seen]
        if missing:
            sys.exit(f"session_gen: {file}: user {missing} not found in the recording")
        self.events = n = len(body)
        # The copy's text is literals[0] v[0] literals[1] v[1] ... tail, the values picked by
        # self.pick from one list per copy: serials (n), times (n), pids, then the other slots.
        self.other_keys = [f"{c}{i}" for i in range(len(users)) for c in "NHUX"] + \
            [f"S{i}" for i in range(len(self.ses_values))] + [f"R{i}" for i in range(self.accepts)]
        index = {f"Q{j}": j for j in range(n)}
        index.update((f"T{j}", n + j) for j in range(n))
        index.update((f"P{self.pid_min + d}", 2 * n + i) for i, d in enumerate(self.pid_deltas))
        index.update((key, 2 * n + len(self.pid_deltas) + i) for i, key in enumerate(self.other_keys))
        parts = SLOT.split(EVENT_SEP.join(fmts))
        literals = [x.replace("%%", "%") for x in parts[0::2]]
        self.buffer = [None] * (2 * len(literals) - 1)
        self.buffer[0::2] = literals
        self.pick = itemgetter(*[index[x] for x in parts[1::2]])
        self.records = sum(len(e.lines) + (1 if eoe and "SYSCALL" in e.types else 0) for e in body)

    def _event_format(self, e, time_slot, serial_slot, fixed, found, eoe, copy=True):
        out = []
        stamp = f"msg=audit(%({time_slot})s:%({serial_slot})s): "
        lines = list(e.lines)
        if eoe and "SYSCALL" in e.types:
            lines.append(("EOE", ""))
        for rtype, rest in lines:
            if copy:
                rest = self._rewrite(rtype, rest, e, fixed, found)
            else:
                rest = rest.replace("%", "%%")
            out.append(f"type={rtype} {stamp}{rest}")
        return "\n".join(out) + "\n"

    def _rewrite(self, rtype, rest, e, fixed, found):
        rest = rest.replace("%", "%%")
        # Names inside hex values first (same-length replacement keeps the hex valid).
        if rtype in ("PROCTITLE", "EXECVE", "USER_CMD", "PATH", "CWD"):
            rest = self._hex_names(rest, found)

        def fieldsub(m):
            k, v = m.group(1), m.group(2)
            if k in ("pid", "ppid") and v.isdigit() and v not in fixed:
                return f"{k}=%(P{v})s"
            if k == "exit" and rtype == "SYSCALL" and e.syscall in CLONE_SYSCALLS and v.isdigit() \
                    and int(v) > 0:
                return f"{k}=%(P{v})s"
            if k in UID_FIELDS:
                for i, (_, uid) in enumerate(self.users):
                    if v == str(uid):
                        return f"{k}=%(U{i})s"
                return m.group(0)
            if k == "ses" and v != UNSET:
                if v not in self.ses_values:
                    self.ses_values.append(v)
                return f"{k}=%(S{self.ses_values.index(v)})s"
            if k in ("a0", "a1", "a2", "a3") and rtype == "SYSCALL" and e.syscall in SETID_SYSCALLS:
                for i, (_, uid) in enumerate(self.users):
                    if v == format(uid, "x"):
                        return f"{k}=%(X{i})s"
                return m.group(0)
            if k == "saddr" and rtype == "SOCKADDR" and e.syscall in ACCEPT_SYSCALLS \
                    and e.pid == self.listener and v[:4] in ("0200", "0A00"):
                slot = f"%(R{self.accepts})s"
                self.accepts += 1
                return f"{k}={v[:4]}{slot}{v[8:]}"
            return m.group(0)

        rest = FIELD.sub(fieldsub, " " + rest)[1:]
        for i, (name, _) in enumerate(self.users):
            if name in rest:
                found[name] = True
                rest = rest.replace(name, f"%(N{i})s")
        return rest

    def _hex_names(self, rest, found):
        def sub(m):
            value = m.group(1)
            if len(value) % 2:
                return value
            raw = bytes.fromhex(value)
            hit = False
            for i, (name, _) in enumerate(self.users):
                nb = name.encode()
                if nb in raw:
                    hit = found[name] = True
            if not hit:
                return value
            # Hex of the pieces between names, names as slots: valid hex once filled in.
            pattern = re.compile(b"(" + b"|".join(re.escape(n.encode()) for n, _ in self.users) + b")")
            out = []
            for piece in pattern.split(raw):
                idx = next((i for i, (n, _) in enumerate(self.users) if n.encode() == piece), None)
                out.append(f"%(H{idx})s" if idx is not None else piece.hex().upper())
            return "".join(out)

        return HEXVAL.sub(sub, rest)


COPY_MASK, EVENT_MASK = (1 << 20) - 1, (1 << 12) - 1


class Copy:
    """One session being made: its sort keys, its serials as they are given, then its events."""
    __slots__ = ("template", "keys", "pos", "serials", "rest", "events")

    def __init__(self, template, keys, rest):
        self.template, self.keys, self.pos, self.rest = template, keys, 0, rest
        self.serials = [0] * len(keys)
        self.events = None

    def format(self):
        t = self.template
        text = t.buffer.copy()  # literals at even places, the values go between them
        text[1::2] = t.pick(list(map(str, self.serials)) + self.rest)
        self.events = "".join(text).split(EVENT_SEP)
        self.rest = self.serials = None


def parse_time(text):
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return int(float(text) * 1000)
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return calendar.timegm(time.strptime(text, fmt)) * 1000
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"not a time: {text!r} (epoch seconds or 'YYYY-MM-DD HH:MM:SS' UTC)")


def positive(text):
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=positive, required=True, help="number of SSH logins (copies)")
    ap.add_argument("--users", type=positive, help="distinct users (default: one per session; at most 999999)")
    ap.add_argument("--seed", type=int, default=1, help="random seed: arrivals and recording choice (default 1)")
    two_days_ago = (int(time.time()) // 86400 - 2) * 86400 * 1000
    ap.add_argument("--start-time", type=parse_time, default=two_days_ago,
                    help="when the first session starts: epoch seconds or 'YYYY-MM-DD HH:MM:SS' UTC "
                         "(default: midnight UTC two days ago; the store deletes by age after "
                         "retention_days, 30 by default, of the wall clock)")
    ap.add_argument("--per-second", type=float, default=10.0,
                    help="mean session starts per second, Poisson arrivals (default 10)")
    ap.add_argument("--even", action="store_true", help="start sessions evenly spaced instead of Poisson")
    ap.add_argument("--only", choices=sorted(TEMPLATES), help="copy only this recording")
    ap.add_argument("--first-serial", type=positive, default=1000, help="the first event's serial (default 1000)")
    ap.add_argument("--first-ses", type=positive, default=100, help="the first copy's ses= (default 100)")
    ap.add_argument("--pid-base", type=positive, default=100000,
                    help="pids of the copies from here (default 100000: above this machine's /proc, "
                         "which bench_replay seeds its process table from)")
    ap.add_argument("--pid-max", type=positive, default=4194304, help="pids wrap below this (default 4194304)")
    ap.add_argument("--no-eoe", action="store_true", help="no EOE records (as auditd writes logs)")
    ap.add_argument("--output", "-o", default="-", help="output file (default: stdout)")
    ap.add_argument("--summary", action="store_true",
                    help="print counts (sessions per recording, events, records, time span) to stderr")
    a = ap.parse_args()
    users = a.users or a.sessions
    if users > 999999:
        ap.error("--users at most 999999")
    if a.per_second <= 0:
        ap.error("--per-second must be above 0")

    names = [a.only] if a.only else sorted(TEMPLATES)
    templates = [Template(n, *TEMPLATES[n], eoe=not a.no_eoe) for n in names]
    if a.first_serial + a.sessions * max(t.events for t in templates) + 1000 >= 1 << 32:
        ap.error("serials would pass 2^32: lower --first-serial or --sessions")
    max_block = max(t.pid_block for t in templates)
    if a.pid_base + max_block >= a.pid_max:
        ap.error("--pid-base too close to --pid-max")

    rng = random.Random(a.seed)
    try:
        out = sys.stdout if a.output == "-" else open(a.output, "w", encoding="ascii", buffering=1 << 20)
    except OSError as e:
        sys.exit(f"session_gen: cannot write {a.output}: {e.strerror}")

    # The listeners' exec and bind, once, just before the first session (recorded offsets).
    serial = a.first_serial - 1
    pre = sorted((a.start_time + off, i, fmt) for t in templates for i, (off, fmt) in enumerate(t.prelude))
    for ms, _, fmt in pre:
        serial += 1
        out.write(fmt % {"T": "%d.%03d" % divmod(ms, 1000), "Q": serial})
    records = sum(fmt.count("\n") for _, _, fmt in pre)

    # Events are ordered by key = (ms after --start-time << 32 | copy << 12 | event), sorted per
    # window of stream time. Serials are given in that order, before the copy's text is made: a
    # copy is formatted (one join) once all its events have serials, and a window is written once
    # every copy it holds is formatted.
    window = 1000
    copies = {}  # copy slot -> Copy
    active = []  # copies with events still without serials
    pending = deque()  # (sorted keys of a window, the largest end key of the copies it may hold)
    ends = []  # heap of (end key, copy slot): copies to drop once written
    state = {"serial": serial, "max_end": 0}
    pid_cursor, port_counter, ses = a.pid_base, 0, a.first_ses
    counts = {t.name: 0 for t in templates}
    start = a.start_time

    def write_ready(limit):
        while pending and (limit is None or pending[0][1] < limit):
            items, _, written_to = pending.popleft()
            out.write("".join([copies[(x >> 12) & COPY_MASK].events[x & EVENT_MASK] for x in items]))
            while ends and (written_to is None or ends[0][0] < written_to):
                del copies[heapq.heappop(ends)[1]]

    def assign(until):
        nonlocal active
        items, keep, complete = [], [], []
        limit = None if until is None else (until - a.start_time) << 32
        for c in active:
            end = len(c.keys) if limit is None else bisect.bisect_left(c.keys, limit, c.pos)
            if end > c.pos:
                items.extend(c.keys[c.pos:end])
                c.pos = end
            (keep if c.pos < len(c.keys) else complete).append(c)
        active = keep
        items.sort()
        serial = state["serial"]
        for serial, x in enumerate(items, serial + 1):
            copies[(x >> 12) & COPY_MASK].serials[x & EVENT_MASK] = serial
        state["serial"] = serial
        for c in complete:
            c.format()
        # The window can be written once every copy that may have events in it is complete.
        pending.append((items, state["max_end"], limit))
        write_ready(limit)

    flush_until = start + window
    for k in range(a.sessions):
        if k:
            start += int(1000 / a.per_second) if a.even else int(rng.expovariate(a.per_second) * 1000)
        t = templates[0] if len(templates) == 1 else templates[rng.randrange(len(templates))]
        while start >= flush_until:
            assign(flush_until)
            flush_until += window
        if pid_cursor + t.pid_block >= a.pid_max:
            pid_cursor = a.pid_base
        u = k % users
        values = list(map("%d.%03d".__mod__, map(divmod, map(start.__add__, t.time_offsets), repeat(1000))))
        values += map(str, map(pid_cursor.__add__, t.pid_deltas))
        pid_cursor += t.pid_block
        for i, (name, uid) in enumerate(t.users):
            new_uid = UID_BASES[i] + u
            new_name = USER_PREFIXES[i] + str(u).zfill(len(name) - 1)
            values += (new_name, new_name.encode().hex().upper(), str(new_uid), format(new_uid, "x"))
        for i in range(len(t.ses_values)):
            values.append(str(ses))
            ses += 1
        for i in range(t.accepts):
            values.append(format(32768 + port_counter % 28232, "04X"))
            port_counter += 1
        slot = k & COPY_MASK
        base = ((start - a.start_time) << 32) | (slot << 12)
        c = Copy(t, list(map(base.__add__, t.keys)), values)
        copies[slot] = c
        active.append(c)
        heapq.heappush(ends, (c.keys[-1], slot))
        state["max_end"] = max(state["max_end"], c.keys[-1])
        counts[t.name] += 1
        records += t.records
    assign(None)
    serial = state["serial"]
    last_ms = a.start_time + (state["max_end"] >> 32)
    out.flush()
    if out is not sys.stdout:
        out.close()
    if a.summary:
        span = (last_ms - a.start_time) / 1000
        print(f"session_gen: {a.sessions} sessions ({', '.join(f'{n} {c}' for n, c in counts.items())}), "
              f"{serial - a.first_serial + 1} events, {records} records, ses {a.first_ses}..{ses - 1}, "
              f"first start {a.start_time}, last start {start}, last event {last_ms} (ms), span {span:.1f} s",
              file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # the reader stopped early (| head): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except OSError as e:
        sys.exit(f"session_gen: {e}")
