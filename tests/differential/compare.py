#!/usr/bin/python3
"""Differential test: every decoded value of `auditlens parse LOG` against libauparse's.

    /usr/bin/python3 compare.py --auditlens PATH LOG [LOG...]

libauparse is used through ctypes (not the python3-audit binding, whose interpret_field() raises
UnicodeDecodeError on values that are not UTF-8), with escape mode RAW so interpretations come back
as the bytes they stand for. auditlens values are turned back into bytes too: a value whose JSON
path is listed in the event's "auditd.encoded" array is percent-decoded (see docs/schema.md), any other is
its UTF-8.

Events are matched by (time, serial), records by position, fields by name and order. A few kinds
have a structured form in auditlens and a flat one in auparse; they are compared part by part:
  - key: auparse gives one `key` field per key of "k1\\x01k2"; auditlens a string, or an array
  - EXECVE: auparse gives a1_len, a1[0], a1[1]...; auditlens keeps a1_len and joins the pieces
    under a1 (pieces may be spread over several EXECVE records of the event)
  - proctitle: auparse joins the arguments with spaces; auditlens gives the array
  - saddr: auparse "{ saddr_fam=inet laddr=127.0.0.1 lport=80 }"; auditlens an object
    {family, address, port} / {family, path[, abstract]} / {family, pid, groups}
Every other field must be byte-identical to auparse_interpret_field().

A few values of the ECS summary are checked against the same interpretations (process.executable,
process.name, process.pid, user.name, event.action, event.outcome, process.args, tags).

Prints each mismatch with the event serial, then `N passed, M failed` (N: values compared).
Exit status 0 when nothing failed.
"""
import argparse
import ctypes
import json
import re
import subprocess
import sys
from datetime import datetime, timezone

AUSOURCE_FILE = 1
AUPARSE_ESC_RAW = 0


class AuParse:
    """The few libauparse calls we need, returning bytes."""

    def __init__(self):
        lib = ctypes.CDLL("libauparse.so.0")
        vp = ctypes.c_void_p
        lib.auparse_init.restype = vp
        lib.auparse_init.argtypes = [ctypes.c_int, ctypes.c_void_p]
        for fn in ("auparse_get_field_name", "auparse_get_field_str", "auparse_interpret_field",
                   "auparse_get_type_name"):
            getattr(lib, fn).restype = ctypes.c_char_p
            getattr(lib, fn).argtypes = [vp]
        for fn in ("auparse_next_event", "auparse_first_record", "auparse_next_record",
                   "auparse_first_field", "auparse_next_field", "auparse_get_type",
                   "auparse_get_field_type"):
            getattr(lib, fn).restype = ctypes.c_int
            getattr(lib, fn).argtypes = [vp]
        lib.auparse_get_serial.restype = ctypes.c_ulong
        lib.auparse_get_serial.argtypes = [vp]
        lib.auparse_get_time.restype = ctypes.c_long
        lib.auparse_get_time.argtypes = [vp]
        lib.auparse_get_milli.restype = ctypes.c_uint
        lib.auparse_get_milli.argtypes = [vp]
        lib.auparse_set_escape_mode.restype = None
        lib.auparse_set_escape_mode.argtypes = [vp, ctypes.c_int]
        lib.auparse_destroy.restype = None
        lib.auparse_destroy.argtypes = [vp]
        self.lib = lib

    def events(self, path):
        """Yields {serial, sec, milli, records: [(type_name, [(name, raw, interp)])]}."""
        lib = self.lib
        au = lib.auparse_init(AUSOURCE_FILE, path.encode())
        if not au:
            raise RuntimeError(f"auparse_init failed for {path}")
        lib.auparse_set_escape_mode(au, AUPARSE_ESC_RAW)
        try:
            while lib.auparse_next_event(au) > 0:
                event = {
                    "serial": lib.auparse_get_serial(au),
                    "sec": lib.auparse_get_time(au),
                    "milli": lib.auparse_get_milli(au),
                    "records": [],
                }
                if lib.auparse_first_record(au) > 0:
                    while True:
                        fields = []
                        if lib.auparse_first_field(au) > 0:
                            while True:
                                name = lib.auparse_get_field_name(au)
                                raw = lib.auparse_get_field_str(au)
                                interp = lib.auparse_interpret_field(au)
                                fields.append((name.decode("utf-8", "replace"), raw, interp))
                                if lib.auparse_next_field(au) <= 0:
                                    break
                        tname = lib.auparse_get_type_name(au)
                        tname = tname.decode() if tname else f"UNKNOWN[{lib.auparse_get_type(au)}]"
                        event["records"].append((tname, fields))
                        if lib.auparse_next_record(au) <= 0:
                            break
                yield event
        finally:
            lib.auparse_destroy(au)


def percent_decode(s):
    """Reverses auditlens' escape: %XX → byte XX; everything else is UTF-8."""
    out = bytearray()
    b = s.encode("utf-8")
    i = 0
    while i < len(b):
        if b[i] == 0x25 and i + 2 < len(b) and re.fullmatch(rb"[0-9A-F]{2}", b[i + 1:i + 3]):
            out.append(int(b[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(b[i])
            i += 1
    return bytes(out)


class Ours:
    """One auditlens event, with values as bytes."""

    def __init__(self, obj):
        self.obj = obj
        self.encoded = set(obj.get("auditd", {}).get("encoded", []))

    def value(self, path, v):
        if not isinstance(v, str):
            return str(v).encode()
        return percent_decode(v) if path in self.encoded else v.encode("utf-8")


def parse_ours(auditlens, path):
    proc = subprocess.run([auditlens, "parse", path], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
        raise RuntimeError(f"auditlens parse {path} exited {proc.returncode}")
    events = {}
    bad = []
    for n, line in enumerate(proc.stdout.split(b"\n"), 1):
        if not line:
            continue
        try:
            text = line.decode("utf-8")  # strict: the output must be UTF-8
            obj = json.loads(text, object_pairs_hook=lambda pairs: pairs)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            bad.append(f"output line {n} is not valid UTF-8 JSON: {e}")
            continue
        ev = Ours(to_dict(obj))
        ev.pairs = obj
        ts = ev.obj["@timestamp"]
        dt = datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        key = (int(dt.timestamp()), dt.microsecond // 1000, ev.obj["event"]["sequence"])
        events.setdefault(key, []).append(ev)
    return events, bad


def to_dict(pairs):
    """object_pairs_hook gave lists of pairs (to keep repeated keys); a dict view for lookups."""
    if isinstance(pairs, list) and all(isinstance(p, tuple) and len(p) == 2 for p in pairs) \
            and pairs and isinstance(pairs[0][0], str):
        return {k: to_dict(v) for k, v in pairs}
    if isinstance(pairs, list):
        if not pairs:
            return pairs
        return [to_dict(v) for v in pairs]
    return pairs


def record_pairs(ev, index):
    """The (key, value) pairs of auditlens record `index`, in order, repeated keys kept."""
    for k, v in ev.pairs:
        if k == "auditd":
            for k2, v2 in v:
                if k2 == "records":
                    return v2[index] if index < len(v2) else None
    return None


SADDR_RE = re.compile(rb"^\{ saddr_fam=(\S+) ?(.*) \}$", re.S)


def parse_auparse_saddr(interp):
    """'{ saddr_fam=inet laddr=1.2.3.4 lport=80 }' → {'saddr_fam': b'inet', 'laddr': ..}."""
    m = SADDR_RE.match(interp)
    if not m:
        return {"text": interp}
    fam, rest = m.group(1), m.group(2)
    out = {"saddr_fam": fam}
    if fam == b"local" and rest.startswith(b"path="):
        out["path"] = rest[len(b"path="):]
        return out
    for tok in rest.split(b" "):
        if b"=" in tok:
            k, v = tok.split(b"=", 1)
            out[k.decode()] = v
        elif tok:
            out.setdefault("text", b"")
            out["text"] = (out["text"] + b" " + tok).strip()
    return out


class Comparison:
    def __init__(self, verbose=False):
        self.passed = 0
        self.failed = 0
        self.verbose = verbose
        self.shown = 0

    def check(self, where, theirs, ours):
        if theirs == ours:
            self.passed += 1
            return True
        self.failed += 1
        if self.shown < 400:
            print(f"MISMATCH {where}: auparse={theirs!r} auditlens={ours!r}")
            self.shown += 1
        return False

    def fail(self, where, what):
        self.failed += 1
        if self.shown < 400:
            print(f"MISMATCH {where}: {what}")
            self.shown += 1


def compare_saddr(cmp, where, interp, ours_val, ev, path):
    if not interp.startswith(b"{"):
        # "unknown-family(0)" (auditlens: {family: "unknown-family(0)", raw}) or
        # "malformed-host(X)" (auditlens: the raw string X)
        if isinstance(ours_val, dict):
            cmp.check(where + ".family", interp, ev.value(path + ".family", ours_val.get("family")))
        else:
            cmp.check(where, interp, b"malformed-host(" + ev.value(path, ours_val) + b")")
        return
    theirs = parse_auparse_saddr(interp)
    if not isinstance(ours_val, dict):
        cmp.fail(where, f"auparse={interp!r} auditlens={ours_val!r} (not an object)")
        return
    fam = theirs.get("saddr_fam")
    cmp.check(where + ".family", fam, ev.value(path + ".family", ours_val.get("family")))
    if "text" in theirs:
        # what auparse could not decode: "sockaddr len too short", "(unsupported)", ...
        want = theirs["text"]
        if want == b"(unsupported)":
            want = b"unsupported"
        cmp.check(where + ".error", want, ev.value(path + ".error", ours_val.get("error", "")))
        return
    if "error" in ours_val:
        cmp.fail(where, f"auparse={interp!r}, auditlens could not decode it: {ours_val!r}")
        return
    if fam in (b"inet", b"inet6"):
        cmp.check(where + ".address", theirs.get("laddr"),
                  ev.value(path + ".address", ours_val.get("address")))
        cmp.check(where + ".port", theirs.get("lport"), str(ours_val.get("port")).encode())
    elif fam == b"local":
        ours_path = ev.value(path + ".path", ours_val.get("path", ""))
        if ours_val.get("abstract"):
            # auparse prints an abstract name without the leading NUL, up to its first NUL byte
            if not ours_path.startswith(b"@"):
                cmp.fail(where + ".path", f"abstract name {ours_path!r} does not start with @")
                return
            ours_path = ours_path[1:].split(b"\0", 1)[0]
        cmp.check(where + ".path", theirs.get("path"), ours_path)
    elif fam == b"netlink":
        cmp.check(where + ".nlnk-fam", theirs.get("nlnk-fam"), b"16")
        cmp.check(where + ".pid", theirs.get("nlnk-pid"), str(ours_val.get("pid")).encode())
    else:
        cmp.fail(where, f"auparse={interp!r} auditlens={ours_val!r}")


def compare_event(cmp, theirs, ev):
    serial = theirs["serial"]
    ours_records = ev.obj.get("auditd", {}).get("records", [])
    if len(ours_records) != len(theirs["records"]):
        cmp.fail(f"serial {serial}", f"auparse has {len(theirs['records'])} records "
                 f"({[r[0] for r in theirs['records']]}), auditlens {len(ours_records)} "
                 f"({[r.get('type') for r in ours_records]})")
    # EXECVE pieces, gathered over the whole event: arg name → [bytes]
    pieces = {}
    ours_args = {}  # arg name → (where, bytes)
    for ri, (rtype, fields) in enumerate(theirs["records"]):
        if ri >= len(ours_records):
            break
        base = f"auditd.records[{ri}]"
        pairs = record_pairs(ev, ri) or []
        # ours: name → list of (key, value) in order, repeated names as name, name_2, ...
        remaining = list(pairs)

        def take(name):
            for i, (k, v) in enumerate(remaining):
                if k == name:
                    del remaining[i]
                    return True, v
            return False, None

        theirs_keys = []
        for name, raw, interp in fields:
            where = f"serial {serial} record {ri} ({rtype}) field {name}"
            if interp is None:
                interp = raw
            if name == "key":
                theirs_keys.append(interp)
                continue
            m = re.fullmatch(r"(a\d+)\[(\d+)\]", name) if rtype == "EXECVE" else None
            if m:
                pieces.setdefault(m.group(1), []).append(interp)
                if m.group(2) == "0":
                    found, v = take(m.group(1))
                    if not found:
                        cmp.fail(where, "auditlens has no joined argument " + m.group(1))
                    else:
                        ours_args[m.group(1)] = (
                            where, ev.value(f"{base}.{m.group(1)}", v))
                continue
            found, v = take(name)
            if not found:
                # a repeated name inside a flattened user message: name_2, name_3, ...
                n = 2
                while not found and n < 10:
                    found, v = take(f"{name}_{n}")
                    if found:
                        name = f"{name}_{n}"
                    n += 1
            if not found:
                cmp.fail(where, f"missing in auditlens output (auparse={interp!r})")
                continue
            path = f"{base}.{name}"
            if name == "saddr" and isinstance(v, list):
                v = to_dict(v)
            if isinstance(v, dict) or (name == "saddr" and not isinstance(v, str)):
                compare_saddr(cmp, where, interp, v, ev, path)
            elif rtype == "PROCTITLE" and name == "proctitle" and isinstance(v, list):
                joined = b" ".join(ev.value(f"{path}[{i}]", a) for i, a in enumerate(v))
                cmp.check(where, interp, joined)
            else:
                cmp.check(where, interp, ev.value(path, v))
        if theirs_keys:
            where = f"serial {serial} record {ri} ({rtype}) field key"
            found, v = take("key")
            if not found:
                cmp.fail(where, f"missing in auditlens output (auparse={theirs_keys!r})")
            else:
                if isinstance(v, list):
                    ours_keys = [ev.value(f"{base}.key[{i}]", k) for i, k in enumerate(v)]
                else:
                    ours_keys = [ev.value(f"{base}.key", v)]
                cmp.check(where, theirs_keys, ours_keys)
        for k, v in remaining:
            cmp.fail(f"serial {serial} record {ri} ({rtype})",
                     f"auditlens field {k}={v!r} is not in auparse's record")
    for arg, (where, ours_bytes) in ours_args.items():
        cmp.check(where.rsplit(" field ", 1)[0] + f" field {arg} (joined)",
                  b"".join(pieces.get(arg, [])), ours_bytes)
    compare_summary(cmp, theirs, ev)


def interp_of(theirs, rtype, name):
    for t, fields in theirs["records"]:
        if t == rtype:
            for n, raw, interp in fields:
                if n == name:
                    return interp if interp is not None else raw
            return None
    return None


def ecs_actions():
    """syscall name -> ECS event.action, from src/tables/syscalls.tsv ("-": the syscall's name)."""
    import os
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "tables",
                        "syscalls.tsv")
    actions, columns = {}, None
    for line in open(path, encoding="utf-8"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split()
        if columns is None:
            columns = cells
            continue
        row = dict(zip(columns, cells))
        if row["action"] != "-":
            actions[row["name"]] = row["action"]
    return actions


ECS_ACTIONS = ecs_actions()


def compare_summary(cmp, theirs, ev):
    """The ECS part says what the records say."""
    serial = theirs["serial"]
    o = ev.obj
    proc = o.get("process", {})
    syscall = interp_of(theirs, "SYSCALL", "syscall")
    if syscall is not None:
        # event.action is ECS's word for the syscall where there is one (exec, fork, end, ...), the
        # syscall's name otherwise; a clone that makes a thread keeps its name.
        name = syscall.decode("utf-8", "replace")
        want_action = ECS_ACTIONS.get(name, name)
        if name == "clone" and b"CLONE_THREAD" in (interp_of(theirs, "SYSCALL", "a0") or b""):
            want_action = name
        cmp.check(f"serial {serial} event.action", want_action.encode(),
                  ev.value("event.action", o["event"]["action"]))
        success = interp_of(theirs, "SYSCALL", "success")
        want = {b"yes": "success", b"no": "failure"}.get(success, "unknown")
        exit_raw = next((raw for t, fields in theirs["records"] if t == "SYSCALL"
                         for n, raw, _ in fields if n == "exit"), None)
        if name == "connect" and exit_raw == b"-115":
            want = "unknown"  # EINPROGRESS: a non-blocking connect still in progress
        cmp.check(f"serial {serial} event.outcome", want.encode(),
                  o["event"]["outcome"].encode())
        for field, key in (("exe", "executable"), ("comm", "name")):
            t = interp_of(theirs, "SYSCALL", field)
            if t is not None:
                cmp.check(f"serial {serial} process.{key}", t,
                          ev.value(f"process.{key}", proc.get(key)))
        t = interp_of(theirs, "SYSCALL", "pid")
        if t is not None:
            cmp.check(f"serial {serial} process.pid", t, str(proc.get("pid")).encode())
        t = interp_of(theirs, "SYSCALL", "uid")
        if t is not None:
            cmp.check(f"serial {serial} user.name", t,
                      ev.value("user.name", o.get("user", {}).get("name")))
    # process.args from EXECVE: argument i is a{i}, or the a{i}[j] pieces joined.
    args = {}
    for t, fields in theirs["records"]:
        if t != "EXECVE":
            continue
        for n, raw, interp in fields:
            m = re.fullmatch(r"a(\d+)(?:\[\d+\])?", n)
            if m:
                args.setdefault(int(m.group(1)), []).append(interp)
    if args:
        want = [b"".join(args[i]) for i in sorted(args)]
        got = [ev.value(f"process.args[{i}]", a) for i, a in enumerate(proc.get("args", []))]
        cmp.check(f"serial {serial} process.args", want, got)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--auditlens", required=True, help="the auditlens binary")
    ap.add_argument("logs", nargs="+", help="RAW auditd logs")
    args = ap.parse_args()

    au = AuParse()
    cmp = Comparison()
    for log in args.logs:
        ours, bad = parse_ours(args.auditlens, log)
        for b in bad:
            cmp.fail(log, b)
        # auparse ends an event at some record types (LOGIN, ...) even when more records of the
        # same (time, serial) follow; the kernel wrote them as one event, and so does auditlens.
        # Records of auparse events sharing a key are put back together, in order.
        merged = {}
        n_events = 0
        for theirs in au.events(log):
            n_events += 1
            key = (theirs["sec"], theirs["milli"], theirs["serial"])
            if key in merged:
                merged[key]["records"].extend(theirs["records"])
            else:
                merged[key] = theirs
        seen = set(merged)
        for key, theirs in merged.items():
            candidates = ours.get(key)
            if not candidates:
                cmp.fail(f"serial {theirs['serial']}", "event missing from auditlens output")
                continue
            compare_event(cmp, theirs, candidates[0])
        for key in ours:
            if key not in seen:
                cmp.fail(f"serial {key[2]}", "event in auditlens output that auparse does not have")
        print(f"{log}: {n_events} events")
    print(f"{cmp.passed} passed, {cmp.failed} failed")
    return 0 if cmp.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
