#!/usr/bin/env python3
"""brief_check.py COMPACT.jsonl BRIEF.jsonl: the brief profile loses nothing of the records.

Both files are `auditlens parse --resolve-names none` of the same log, in the compact and the brief
profile (or the lean profile, whose records are brief's under compact's summary). For every event, every field of every compact record must be in the brief line: in the
brief record, with the same value, or left out and given back by the rules of docs/schema.md ("The
brief profile") from the brief summary. Records EXECVE, CWD, PROCTITLE and SOCKADDR may be left
out whole when the rules give back all of their fields. An event without a SYSCALL record keeps its records
as compact writes them. Prints one line per problem and a summary; exit 1 on any problem.
"""
import json
import string
import sys

FILE_TYPE_BITS = {"file": 0o100000, "dir": 0o040000, "symlink": 0o120000, "char": 0o020000,
                  "block": 0o060000, "fifo": 0o010000, "socket": 0o140000}
MODE_NAMES = {0o100000: "file", 0o040000: "dir", 0o120000: "link", 0o020000: "character",
              0o060000: "block", 0o010000: "fifo", 0o140000: "socket"}
CAP_NONE = {"cap_fp": "none", "cap_fi": "none", "cap_fe": "0", "cap_fver": "0", "cap_frootid": "0"}


def get(obj, path):
    for part in path.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def ident(value):
    """An id as compact's records write it: 4294967295 and -1 are "unset"."""
    if value is None:
        return None
    return "unset" if value in ("4294967295", "-1") else value


def decoded_mode(brief_file):
    """The mode as compact's PATH record writes it (auparse's form), from file.type and file.mode."""
    if not brief_file or "type" not in brief_file or "mode" not in brief_file:
        return None
    m = FILE_TYPE_BITS.get(brief_file["type"], 0) | int(brief_file["mode"], 8)
    text = MODE_NAMES[m & 0o170000]
    for bit, name in ((0o4000, "suid"), (0o2000, "sgid"), (0o1000, "sticky")):
        if m & bit:
            text += "," + name
    return text + ",%03o" % (m & 0o777)


def syscall_rule(name, b):
    """What the brief summary b says of SYSCALL field name, as compact writes it; None: nothing."""
    outcome = get(b, "event.outcome")
    if name == "success":
        return {"success": "yes", "failure": "no"}.get(outcome)
    if name == "pid":
        v = get(b, "process.pid")
        return None if v is None else str(v)
    if name == "ppid":
        v = get(b, "process.parent.pid")
        return None if v is None else str(v)
    if name == "comm":
        return get(b, "process.name")
    if name == "exe":
        return get(b, "process.executable")
    if name == "key":
        tags = b.get("tags")
        if tags is None:
            return None
        return tags[0] if len(tags) == 1 else tags
    if name == "tty":
        return "(none)" if get(b, "process.interactive") is False else None
    if name == "ses":
        return get(b, "auditd.session.ses")
    if name in ("uid", "euid", "suid", "fsuid"):
        return ident(get(b, "user.id"))
    if name in ("gid", "egid", "sgid", "fsgid"):
        return ident(get(b, "group.id"))
    if name == "auid":
        return ident(get(b, "auditd.user.audit.id"))
    return None


def path_rule(name, b):
    if name in CAP_NONE:
        return CAP_NONE[name]
    f = b.get("file")
    if not f:
        return None
    return {"name": f.get("path"), "inode": f.get("inode"), "mode": decoded_mode(f),
            "ouid": ident(f.get("uid")), "ogid": ident(f.get("gid"))}.get(name)


def raw_bytes(text, encoded):
    """The bytes of a value: percent-decoded when its line lists it in auditd.encoded."""
    if not encoded:
        return text.encode("utf-8", "surrogateescape")
    out = bytearray()
    i = 0
    while i < len(text):
        pair = text[i + 1:i + 3]
        if text[i] == "%" and len(pair) == 2 and all(c in string.hexdigits for c in pair):
            out.append(int(pair, 16))
            i += 3
        else:
            out += text[i].encode("utf-8", "surrogateescape")
            i += 1
    return bytes(out)


def proctitle_of_args(args, encoded_paths):
    joined = b"\0".join(raw_bytes(a, f"process.args[{i}]" in encoded_paths)
                        for i, a in enumerate(args))[:128]
    return joined.split(b"\0")


def whole_record_held(rec, b, index, c_encoded):
    """Whether record index of the compact line (rec), absent from the brief line b, is given back
    whole by its summary."""
    t = rec["type"]
    args = get(b, "process.args")
    if t == "EXECVE":
        if args is None:
            return False
        for k, v in rec.items():
            if k == "type":
                continue
            if k == "argc":
                if v != str(len(args)):
                    return False
            elif k[0] == "a" and k[1:].isdigit():
                i = int(k[1:])
                if i >= len(args) or args[i] != v:
                    return False
            else:
                return False
        return True
    if t == "CWD":
        return set(rec) <= {"type", "cwd"} and rec.get("cwd") == get(b, "process.working_directory")
    if t == "PROCTITLE":
        if set(rec) - {"type", "proctitle"} or args is None:
            return False
        title = rec.get("proctitle")
        title = title if isinstance(title, list) else [title]
        if title == args:
            return True
        title_bytes = [raw_bytes(t, f"auditd.records[{index}].proctitle[{k}]" in c_encoded)
                       for k, t in enumerate(title)]
        return title_bytes == proctitle_of_args(args, set(get(b, "auditd.encoded") or []))
    if t == "SOCKADDR":
        # An IP address and port: the remote end of the flow (source when it came in, else
        # destination), its family network.type's.
        saddr = rec.get("saddr")
        if set(rec) != {"type", "saddr"} or not isinstance(saddr, dict):
            return False
        ntype = get(b, "network.type")
        end = b.get("source") if get(b, "network.direction") == "ingress" else b.get("destination")
        if ntype not in ("ipv4", "ipv6") or not isinstance(end, dict) or "ip" not in end:
            return False
        return saddr == {"family": "inet" if ntype == "ipv4" else "inet6", "address": end["ip"],
                         "port": end.get("port", 0)}
    return False


def main():
    compact = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8", errors="surrogateescape")]
    brief = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8", errors="surrogateescape")]
    problems = 0
    records = fields_checked = left_out = whole_left_out = 0

    def problem(seq, text):
        nonlocal problems
        problems += 1
        if problems <= 50:
            print(f"not ok: event {seq}: {text}")

    if len(compact) != len(brief):
        print(f"not ok: {len(compact)} compact lines, {len(brief)} brief lines")
        return 1
    for c, b in zip(compact, brief):
        seq = get(c, "event.sequence")
        if seq != get(b, "event.sequence") or c.get("@timestamp") != b.get("@timestamp"):
            problem(seq, "the lines are not of the same event")
            continue
        crecs = get(c, "auditd.records") or []
        brecs = get(b, "auditd.records") or []
        has_syscall = any(r.get("type") == "SYSCALL" for r in crecs)
        if not has_syscall:
            if crecs != brecs:
                problem(seq, "an event without SYSCALL lost or changed records")
            records += len(crecs)
            continue
        j = 0
        c_encoded = set(get(c, "auditd.encoded") or [])
        for index, rec in enumerate(crecs):
            records += 1
            t = rec["type"]
            if j < len(brecs) and brecs[j].get("type") == t and (
                    t != "PATH" or brecs[j].get("item") == rec.get("item")):
                brec = brecs[j]
                j += 1
                for k, v in rec.items():
                    fields_checked += 1
                    if k in brec:
                        if brec[k] != v:
                            problem(seq, f"{t}.{k}: {brec[k]!r} in brief, {v!r} in compact")
                        continue
                    left_out += 1
                    if t == "SYSCALL":
                        got = syscall_rule(k, b)
                    elif t == "PATH":
                        got = path_rule(k, b)
                    else:
                        got = None
                    if got != v:
                        problem(seq, f"{t}.{k} left out, the summary gives {got!r}, compact has {v!r}")
                for k in brec:
                    if k not in rec:
                        problem(seq, f"{t}.{k} in brief only")
            elif t in ("EXECVE", "CWD", "PROCTITLE", "SOCKADDR") and whole_record_held(rec, b, index, c_encoded):
                whole_left_out += 1
                fields_checked += len(rec)
            else:
                problem(seq, f"record {t} missing from brief and not given back by the summary")
        if j != len(brecs):
            problem(seq, f"brief has {len(brecs) - j} records compact does not")
    print(f"brief_check: {len(compact)} events, {records} records, {fields_checked} fields; "
          f"{left_out} fields and {whole_left_out} whole records left out, all given back: "
          f"{'yes' if problems == 0 else 'NO'}; {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
