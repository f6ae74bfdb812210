#!/usr/bin/env python3
"""The include-direction test: the tree reads as the pipeline.

Every folder of src/ has a layer (LAYERS below; the same table, with the reasons, is in
docs/architecture.md, "Layers", and this test checks the two agree). A file may include headers of
its own folder and of any folder in a LOWER layer; folders of the same layer are independent of
each other. So it fails on:
  - an #include "folder/file" (or <folder/file> with a folder of src/) from a lower layer to a
    higher one, or between two folders of one layer; there is no allow-list: a declaration a lower
    layer needs belongs in that layer;
  - an #include whose folder is not in the table, an #include "file" with no folder, a folder of
    src/ that is not in the table.
Only src/ is checked: tests, bench and fuzz sit above cli and may include anything.
Usage: test_include_direction.py [SOURCE_DIR]   (default: this repository). Exit 0 when clean.
"""
import os
import re
import sys
import tempfile

# Highest first. Same layer = independent peers. Keep in step with docs/architecture.md.
LAYERS = [
    ("cli",),
    ("web",),
    ("agent", "query"),
    ("store",),
    ("output",),
    ("filter",),
    ("enrich",),
    ("decode",),
    ("assemble", "rules"),
    ("record", "netlink"),
    ("tables", "config"),
    ("common",),
]
RANK = {folder: len(LAYERS) - i for i, group in enumerate(LAYERS) for folder in group}
# "folder/file", and <folder/file> when folder is one of src/'s (a system header's folder is not).
INCLUDE = re.compile(r'^\s*#\s*include\s*(?:"([^"]*)"|<([^>]*)>)', re.M)


def check(src):
    """Returns the list of findings (empty: the tree is clean)."""
    findings = []
    root = os.path.join(src, "src")
    for entry in sorted(os.listdir(root)):
        full = os.path.join(root, entry)
        if os.path.isdir(full) and entry not in RANK:
            findings.append(f"src/{entry}/ is not in the layer table (tests/layers/{os.path.basename(__file__)}, "
                            "docs/architecture.md): give it a layer")
    for dirpath, _, files in os.walk(root):
        for name in sorted(files):
            if not name.endswith((".h", ".cc", ".c", ".hpp", ".cpp", ".inc")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, src)
            parts = os.path.relpath(path, root).split(os.sep)
            own = parts[0] if len(parts) > 1 else None
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            for m in INCLUDE.finditer(text):
                header = m.group(1)
                if header is None:
                    header = m.group(2)
                    if header.split("/", 1)[0] not in RANK or "/" not in header:
                        continue
                line = text.count("\n", 0, m.start()) + 1
                folder = header.split("/", 1)[0] if "/" in header else None
                where = f"{rel}:{line}: #include \"{header}\""
                if folder is None:
                    findings.append(f"{where}: include headers as \"folder/file\"")
                    continue
                if folder not in RANK:
                    findings.append(f"{where}: folder {folder}/ is not in the layer table")
                    continue
                if own is None or own not in RANK or folder == own:
                    continue
                if RANK[folder] < RANK[own]:
                    continue
                kind = "a peer of the same layer" if RANK[folder] == RANK[own] else "a higher layer"
                findings.append(f"{where}: {own}/ includes {folder}/, {kind} (layers: docs/architecture.md)")
    return findings


def check_docs(src):
    """The docs' layer table lists the same folders, in the same layers, in the same order."""
    path = os.path.join(src, "docs/architecture.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    rows = re.findall(r"^\| *(\d+) *\| *([^|]+?) *\|", text, re.M)
    doc = [(int(n), tuple(re.findall(r"`([a-z_]+)/`", folders))) for n, folders in rows]
    doc = [(n, g) for n, g in doc if g]
    want = [(len(LAYERS) - i, group) for i, group in enumerate(LAYERS)]
    if doc != want:
        return [f"docs/architecture.md's layer table {doc} differs from this test's {want}"]
    return []


def self_test():
    """The checker itself finds an upward include, a peer include and an unknown folder in a
    made-up tree, and passes a clean one: this test can fail."""
    with tempfile.TemporaryDirectory() as d:
        def put(rel, text):
            os.makedirs(os.path.dirname(os.path.join(d, rel)), exist_ok=True)
            with open(os.path.join(d, rel), "w") as f:
                f.write(text)
        put("src/record/a.h", '#include "common/x.h"\n')
        put("src/decode/b.cc", '#include "record/a.h"\n#include "decode/b.h"\n')
        if check(d):
            return [f"self-test: a clean tree gave findings: {check(d)}"]
        put("src/record/a.h", '#include "common/x.h"\n#include "decode/b.h"\n')  # upward
        put("src/netlink/c.cc", '#include "record/a.h"\n#include <sys/stat.h>\n')  # peer
        put("src/decode/d.cc", '#include "nowhere/y.h"\n#include <enrich/e.h>\n')  # unknown, upward
        got = check(d)
        want = ["record/ includes decode/", "netlink/ includes record/, a peer", "nowhere/ is not",
                "decode/ includes enrich/"]
        missing = [w for w in want if not any(w in g for g in got)]
        if missing or len(got) != len(want):
            return [f"self-test: expected findings {want}, got {got}"]
    return []


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    passed = failed = 0
    for name, findings in (("the checker finds what it must (self-test)", self_test()),
                           ("docs/architecture.md's layer table matches the test's", check_docs(src)),
                           ("every #include in src/ points to its own folder or a lower layer", check(src))):
        if findings:
            failed += 1
            print(f"not ok - {name}")
            for f in findings:
                print(f"  {f}")
        else:
            passed += 1
            print(f"ok - {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
