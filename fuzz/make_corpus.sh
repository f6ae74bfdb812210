#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets from the real logs in tests/data and the embedded
# default rules. Usage: fuzz/make_corpus.sh OUTDIR  (creates OUTDIR/{record,parse,pipeline,rules}).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:?usage: make_corpus.sh OUTDIR}
mkdir -p "$OUT/record" "$OUT/parse" "$OUT/pipeline" "$OUT/rules"
/usr/bin/python3 - "$SRC" "$OUT" <<'PY'
import hashlib, os, re, sys
src, out = sys.argv[1], sys.argv[2]
logs = [os.path.join(src, "tests/data/unit", f) for f in ("handmade_raw.log", "machine_enriched.log")]
logs.append(os.path.join(src, "tests/data/differential/corpus-debian12.log"))
try:
    import audit  # python3-audit: record type names to numbers, for the netlink form
    type_number = audit.audit_name_to_msg_type
except ImportError:
    type_number = None

def put(kind, data):
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(out, kind, name), "wb") as f:
        f.write(data)

lines = []
for path in logs:
    with open(path, "rb") as f:
        lines += [l for l in f.read().split(b"\n") if l]
# record: every distinct record shape (type and first field names), one line per file.
seen = set()
for l in lines:
    shape = re.sub(rb"=[^ ]*", b"=", l)[:200]
    if shape not in seen:
        seen.add(shape)
        put("record", l)
# The netlink form of a run of log lines: "TYPE audit(...): body" as the kernel sends them
# (the ENRICHED names after 0x1d dropped), an EOE after each PROCTITLE; empty without python3-audit.
def netlink_form(chunk):
    nl = []
    if type_number is None:
        return nl
    for l in chunk:
        m = re.match(rb"(?:node=\S+ )?type=(\S+) msg=(audit\([^)]*\): ?)(.*)", l)
        if not m:
            continue
        t = type_number(m.group(1).decode())
        if t is None or t < 0:
            continue
        nl.append(str(t).encode() + b" " + m.group(2) + m.group(3).split(b"\x1d")[0])
        if t == 1327:
            nl.append(b"1320 " + m.group(2))
    return nl

# parse: consecutive runs of lines (whole events), as logs (mode byte '0') and as netlink
# records "TYPE audit(...): body" (mode byte '1').
for i in range(0, len(lines), 12):
    chunk = lines[i:i + 12]
    put("parse", b"0" + b"\n".join(chunk) + b"\n")
    nl = netlink_form(chunk)
    if nl:
        put("parse", b"1" + b"\n".join(nl) + b"\n")
# pipeline: the same runs, and the recorded SSH sessions (logins, sudo, su, connections: what the
# enrichers and the recorder act on) in consecutive pieces under the fuzzer's 64 KiB, each with a
# mode byte that turns the options on in turn (fuzz_pipeline.cc: bit 0 netlink, 1 redaction,
# 2 index every event, 3 host scoping).

modes = b"02468"
k = 0
def put_pipeline(chunk):
    global k
    put("pipeline", modes[k % 5:k % 5 + 1] + b"\n".join(chunk) + b"\n")
    nl = netlink_form(chunk)
    if nl:
        put("pipeline", bytes([modes[k % 5] | 1]) + b"\n".join(nl) + b"\n")
    k += 1

for i in range(0, len(lines), 12):
    put_pipeline(lines[i:i + 12])
sessions = os.path.join(src, "tests/data/sessions")
for name in sorted(os.listdir(sessions)):
    with open(os.path.join(sessions, name), "rb") as f:
        session_lines = [l for l in f.read().split(b"\n") if l]
    chunk, size = [], 0
    for l in session_lines:
        if chunk and size + len(l) + 1 > 60000:
            put_pipeline(chunk)
            chunk, size = [], 0
        chunk.append(l)
        size += len(l) + 1
    if chunk:
        put_pipeline(chunk)
# rules: the embedded default rules, whole and line by line.
text = open(os.path.join(src, "src/rules/default_rules.h"), "rb").read()
m = re.search(rb'R"RULES\((.*?)\)RULES"', text, re.S)
if m:
    put("rules", m.group(1))
    for l in m.group(1).split(b"\n"):
        if l.strip() and not l.startswith(b"#"):
            put("rules", l + b"\n")
PY
echo "make_corpus: $(ls "$OUT/record" | wc -l) record, $(ls "$OUT/parse" | wc -l) parse, $(ls "$OUT/pipeline" | wc -l) pipeline, $(ls "$OUT/rules" | wc -l) rules seeds in $OUT"
