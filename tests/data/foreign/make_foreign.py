#!/usr/bin/python3
"""Makes db7_enriched.log, an ENRICHED log "from another host", out of this machine's recorded one
(../unit/machine_enriched.log, written by Debian's auditd 3.0.9 with log_format = ENRICHED): every
line gets node=db-7.example; the root ids of the records become 1000 (users and groups) and 1001
(file owners), auid unset becomes 1000; the ENRICHED names become those host's: UID/EUID/SUID/FSUID
and AUID "alice", the groups "staff", OUID/OGID "dbadmin". Run again to remake it:

    python3 tests/data/foreign/make_foreign.py
"""
import os
import re

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, "..", "unit", "machine_enriched.log")
dst = os.path.join(here, "db7_enriched.log")

out = []
with open(src, "rb") as f:
    for line in f.read().split(b"\n"):
        if not line:
            continue
        body, sep, tail = line.partition(b"\x1d")
        body = re.sub(rb"\b((?:e|s|fs)?uid|(?:e|s|fs)?gid)=0\b", rb"\1=1000", body)
        body = re.sub(rb"\bauid=4294967295\b", b"auid=1000", body)
        body = re.sub(rb"\b(ouid|ogid)=0\b", rb"\1=1001", body)
        tail = re.sub(rb"\b((?:E|S|FS)?UID)=\"root\"", rb'\1="alice"', tail)
        tail = re.sub(rb"\b((?:E|S|FS)?GID)=\"root\"", rb'\1="staff"', tail)
        tail = re.sub(rb"\bAUID=\"unset\"", b'AUID="alice"', tail)
        tail = re.sub(rb"\b(OUID|OGID)=\"root\"", rb'\1="dbadmin"', tail)
        out.append(b"node=db-7.example " + body + sep + tail)
with open(dst, "wb") as f:
    f.write(b"\n".join(out) + b"\n")
