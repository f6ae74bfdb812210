#!/usr/bin/env python3
"""Writes the generated tables in src/tables/ from the audit-userspace source and syscalls.tsv.

    tools/gen_tables.py [--check] [--fetch | AUDIT_SOURCE_DIR]

AUDIT_SOURCE_DIR is an unpacked audit-userspace source tree (Debian 12's source package `audit`,
3.0.9, or the upstream v3.0.9 tag): its lib/*_table.h (syscall numbers per arch) and auparse/*.h
(the names auparse gives to values) are read. --fetch gets Debian's source package with apt-get
source into a temporary directory, using deb-src entries derived from this machine's own apt
sources (nothing is written to /etc/apt). --check compares instead of writing: exit 1 when a
committed file differs from what the source gives.

Output (deterministic: the same inputs give the same bytes):
  src/tables/syscall_table.h   per-arch number -> name, joined by name with src/tables/syscalls.tsv
  src/tables/auparse_tables.h  auparse's value tables (capabilities, signals, flags, TTY keys, ...)
                               and field names -> kinds (typetab.h)
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLES = os.path.join(REPO, "src", "tables")
ME = "tools/gen_tables.py"

# libaudit's per-arch syscall tables, as lookup_table.c uses them (ppc serves ppc, ppc64, ppc64le).
ARCHES = ["aarch64", "arm", "i386", "ppc", "s390", "s390x", "x86_64"]

# auparse's tables: (file in auparse/, C++ name, what it is). Values are copied as written there (C
# expressions: a few name constants of the system headers included by the generated file).
AUPARSE = [
    ("captab.h", "kCapabilities", "capability names by number (cap_*, PR_CAPBSET_*)"),
    ("signaltab.h", "kSignals", "signal names by number"),
    ("famtab.h", "kFamilies", "socket address families (socket a0)"),
    ("socktypetab.h", "kSockTypes", "socket types (socket a1)"),
    ("socktab.h", "kSocketcalls", "socketcall(2) calls by number"),
    ("ipctab.h", "kIpcCalls", "ipc(2) calls by number"),
    ("open-flagtab.h", "kOpenFlags", "open flags, bits (O_RDONLY is said apart)"),
    ("accesstab.h", "kAccessModes", "access(2) modes, bits"),
    ("recvtab.h", "kMsgFlags", "send/recv flags, bits"),
    ("clone-flagtab.h", "kCloneFlags", "clone flags, bits"),
    ("prottab.h", "kProt", "mmap/mprotect protection, bits"),
    ("mmaptab.h", "kMmapFlags", "mmap flags, bits"),
    ("umounttab.h", "kUmountFlags", "umount2 flags, bits"),
    ("openat2-resolvetab.h", "kResolveFlags", "openat2 resolve flags, bits"),
    ("ipccmdtab.h", "kIpcCmdFlags", "IPC_CREAT and friends, bits (shmget a2)"),
    ("shm_modetab.h", "kShmModeFlags", "SHM_* mode bits (shmget a2)"),
    ("seektab.h", "kSeekWhence", "lseek whence"),
    ("rlimittab.h", "kRlimits", "resource limits"),
    ("epoll_ctl.h", "kEpollCtl", "epoll_ctl operations"),
    ("clocktab.h", "kClocks", "clock ids"),
    ("ptracetab.h", "kPtraceRequests", "ptrace requests"),
    ("prctl-opt-tab.h", "kPrctlOptions", "prctl options"),
    ("bpftab.h", "kBpfCmds", "bpf commands"),
    ("fcntl-cmdtab.h", "kFcntlCmds", "fcntl commands"),
    ("schedtab.h", "kSchedPolicies", "scheduler policies"),
    ("mounttab.h", "kMountFlags", "mount flags, bits"),
    ("persontab.h", "kPersonas", "personalities"),
    ("nfprototab.h", "kNfProtos", "netfilter protocols"),
    ("icmptypetab.h", "kIcmpTypes", "ICMP types"),
    ("inethooktab.h", "kHooks", "netfilter hooks"),
    ("netactiontab.h", "kNetActions", "netfilter actions"),
    ("sockleveltab.h", "kSockLevels", "socket option levels"),
    ("ipoptnametab.h", "kIpOptNames", "IP socket options"),
    ("sockoptnametab.h", "kSockOptNames", "SOL_SOCKET options"),
    ("tcpoptnametab.h", "kTcpOptNames", "TCP socket options"),
    ("ip6optnametab.h", "kIp6OptNames", "IPv6 socket options"),
    ("pktoptnametab.h", "kPacketOptNames", "packet socket options"),
    ("ioctlreqtab.h", "kIoctlRequests", "ioctl requests"),
    ("seccomptab.h", "kSeccompActions", "seccomp return actions (code & SECCOMP_RET_ACTION)"),
]

# System headers that define the name constants some auparse tables use as values.
AUPARSE_INCLUDES = ["<fcntl.h>", "<linux/ipc.h>", "<linux/net.h>", "<sys/mount.h>", "<sys/personality.h>",
                    "<sys/socket.h>", "<unistd.h>"]

S_ENTRY = re.compile(r'^\s*_S\(\s*(?P<value>[^"]*?)\s*,\s*"(?P<name>[^"]*)"\s*\)')
E_ENTRY = re.compile(r'^\s*E\(\s*(?P<seq>"(?:[^"\\]|\\.)*"(?:\s*"(?:[^"\\]|\\.)*")*)\s*,'
                     r'\s*"(?P<name>[^"]*)"\s*\)')


def die(msg):
    sys.stderr.write("gen_tables: %s\n" % msg)
    sys.exit(2)


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        die("cannot read %s: %s" % (path, e.strerror))


def strip_comments(text):
    """Drops /* */ and // comments (the tables have no quotes containing comment markers)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


# Build options the tables depend on, as Debian 12 configures audit (debian/rules: --with-apparmor).
DEFINED = {"WITH_APPARMOR"}


def s_entries(path):
    out = []
    skipping = []  # one entry per open #ifdef: whether its lines are left out
    for line in strip_comments(read(path)).splitlines():
        directive = re.match(r"^\s*#\s*(ifdef|ifndef|endif)\b\s*(\w*)", line)
        if directive:
            kind, name = directive.groups()
            if kind == "endif":
                if not skipping:
                    die("%s: #endif without #ifdef" % path)
                skipping.pop()
            else:
                skipping.append((name in DEFINED) != (kind == "ifdef"))
            continue
        if any(skipping):
            continue
        m = S_ENTRY.match(line)
        if m:
            out.append((m.group("value"), m.group("name")))
        elif line.strip():
            die("%s: unexpected line: %r" % (path, line))
    if skipping:
        die("%s: #ifdef without #endif" % path)
    if not out:
        die("%s: no _S() entries" % path)
    return out


def source_version(src):
    """'audit-userspace 3.0.9 (Debian source package audit 1:3.0.9-1)' or without the Debian part."""
    m = re.search(r"AC_INIT\(\s*audit\s*,\s*([0-9.]+)\s*\)", read(os.path.join(src, "configure.ac")))
    if not m:
        die("%s/configure.ac: no AC_INIT(audit, VERSION)" % src)
    version = "audit-userspace " + m.group(1)
    changelog = os.path.join(src, "debian", "changelog")
    if os.path.exists(changelog):
        m2 = re.match(r"audit \(([^)]+)\)", read(changelog))
        if m2:
            version += " (Debian source package audit %s)" % m2.group(1)
    return version


def header(version, inputs):
    words = re.sub(r",(?=\S)", ", ", "From %s: %s." % (version, inputs)).split(" ")
    lines, line = [], "//"
    for w in words:
        if len(line) + 1 + len(w) > 100:
            lines.append(line)
            line = "//"
        line += " " + w
    lines.append(line)
    return ("// Generated by %s, do not edit: run it again (docs/architecture.md, \"Tables\").\n"
            % ME + "\n".join(lines) + "\n")


def cxx_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- syscalls ---------------------------------------------------------------------------------

def camel(word):
    return "k" + "".join(p.capitalize() for p in word.split("_"))


def read_facts():
    path = os.path.join(TABLES, "syscalls.tsv")
    rows = []
    columns = None
    for n, line in enumerate(read(path).splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.split()
        if columns is None:
            columns = cells
            if columns != ["name", "category", "type", "action", "class", "net", "a0", "a1", "a2",
                           "a3"]:
                die("%s:%d: unexpected columns %s" % (path, n, columns))
            continue
        if len(cells) != len(columns):
            die("%s:%d: %d cells, want %d" % (path, n, len(cells), len(columns)))
        row = dict(zip(columns, cells))
        if (row["category"] == "-") != (row["type"] == "-"):
            die("%s:%d: category and type go together" % (path, n))
        rows.append(row)
    names = [r["name"] for r in rows]
    if names != sorted(names) or len(set(names)) != len(names):
        die("%s: rows must be sorted by name, each name once" % path)
    return rows


def syscall_numbers(src, arch):
    table = {}
    for value, name in s_entries(os.path.join(src, "lib", arch + "_table.h")):
        number = int(value, 0)
        table.setdefault(number, name)  # libaudit: the first name given to a number
    return table


def gen_syscalls(src, version):
    facts = read_facts()
    index = {r["name"]: i + 1 for i, r in enumerate(facts)}
    if len(facts) + 1 > 255:
        die("more than 254 syscall rows: widen SyscallEntry::facts")
    out = [header(version, "lib/{%s}_table.h, joined by name with src/tables/syscalls.tsv"
                  % ",".join(ARCHES))]
    out.append("#pragma once\n\n#include \"tables/syscall_facts.h\"\n\n"
               "namespace auditlens::tables {\n\n")
    out.append("// The rows of syscalls.tsv, by name; row 0 is a syscall that is not listed.\n")
    out.append("inline constexpr SyscallFacts kSyscallFacts[] = {\n")
    out.append('    {"", "", "", "", SyscallClass::kOther, NetOp::kNone,\n'
               "     {ArgKind::kHex, ArgKind::kHex, ArgKind::kHex, ArgKind::kHex}},\n")
    for r in facts:
        cat = "" if r["category"] == "-" else r["category"]
        typ = "" if r["type"] == "-" else r["type"]
        action = "" if r["action"] == "-" else r["action"]
        cls = "kOther" if r["class"] == "-" else camel(r["class"])
        net = "kNone" if r["net"] == "-" else camel(r["net"])
        args = ", ".join("ArgKind::" + camel(r[a]) for a in ("a0", "a1", "a2", "a3"))
        out.append("    {%s, %s, %s, %s, SyscallClass::%s, NetOp::%s,\n     {%s}},\n"
                   % (cxx_string(r["name"]), cxx_string(cat), cxx_string(typ),
                      cxx_string(action), cls, net, args))
    out.append("};\n")
    for arch in ARCHES:
        numbers = syscall_numbers(src, arch)
        top = max(numbers)
        out.append("\n// lib/%s_table.h: index = syscall number; {name, row of kSyscallFacts}.\n"
                   % arch)
        out.append("inline constexpr SyscallEntry kSyscalls_%s[] = {\n" % arch)
        for nr in range(top + 1):
            name = numbers.get(nr, "")
            out.append("    {%s, %d},  // %d\n" % (cxx_string(name), index.get(name, 0), nr))
        out.append("};\n")
    out.append("\n}  // namespace auditlens::tables\n")
    listed = set()
    for arch in ARCHES:
        listed.update(syscall_numbers(src, arch).values())
    unknown = sorted(set(index) - listed - {"send", "recv"})
    if unknown:
        sys.stderr.write("gen_tables: note: syscalls.tsv rows no arch has: %s\n" % " ".join(unknown))
    return "".join(out)


# ---- auparse ----------------------------------------------------------------------------------

def gen_auparse(src, version):
    files = [f for f, _, _ in AUPARSE] + ["tty_named_keys.h", "typetab.h", "auparse-defs.h"]
    out = [header(version, "auparse/{%s}" % ",".join(files))]
    out.append("// Entries are in upstream order: auparse looks a value up by its first entry and"
               " prints set bits in\n// table order. Values are as written there, as the 32-bit"
               " ints auparse keeps.\n")
    out.append("#pragma once\n\n")
    for inc in AUPARSE_INCLUDES:
        out.append("#include %s\n" % inc)
    out.append("\n#include \"tables/table_entry.h\"\n\nnamespace auditlens::tables {\n")
    for fname, cname, what in AUPARSE:
        out.append("\n// auparse/%s: %s.\n" % (fname, what))
        out.append("inline constexpr ValueName %s[] = {\n" % cname)
        for value, name in s_entries(os.path.join(src, "auparse", fname)):
            out.append("    {%s, %s},\n" % (cxx_value(value), cxx_string(name)))
        out.append("};\n")
    # TTY keys: E("sequence", "name"), first match wins (interpret.c tty_find_named_key).
    path = os.path.join(src, "auparse", "tty_named_keys.h")
    out.append("\n// auparse/tty_named_keys.h: named keys of TTY input; the first entry whose"
               " sequence starts the\n// input wins.\n")
    out.append("inline constexpr SequenceName kTtyKeys[] = {\n")
    count = 0
    for line in strip_comments(read(path)).splitlines():
        m = E_ENTRY.match(line)
        if m:
            out.append("    {std::string_view(%s, %d), %s},\n"
                       % (m.group("seq"), c_string_length(m.group("seq")),
                          cxx_string(m.group("name"))))
            count += 1
        elif line.strip():
            die("%s: unexpected line: %r" % (path, line))
    if count == 0:
        die("%s: no E() entries" % path)
    out.append("};\n")
    out.append(field_types(src))
    out.append("\n}  // namespace auditlens::tables\n")
    return "".join(out)


def field_types(src):
    """auparse-defs.h's auparse_type_t and typetab.h's field name -> type."""
    defs = strip_comments(read(os.path.join(src, "auparse", "auparse-defs.h")))
    m = re.search(r"typedef enum\s*\{([^}]*)\}\s*auparse_type_t;", defs)
    if not m:
        die("auparse/auparse-defs.h: no auparse_type_t")
    types = [t.strip() for t in m.group(1).split(",") if t.strip()]
    if not all(re.match(r"^AUPARSE_TYPE_[A-Z0-9_]+$", t) for t in types):
        die("auparse/auparse-defs.h: unexpected auparse_type_t members")
    out = ["\n// auparse/auparse-defs.h: auparse_type_t, the kinds of field auparse interprets.\n"]
    out.append("enum class AuparseType : uint8_t {\n")
    for t in types:
        out.append("  %s,\n" % camel(t[len("AUPARSE_TYPE_"):].lower()))
    out.append("};\n")
    out.append("\n// auparse/typetab.h: field names and their kind (the first entry of a name is"
               " the one auparse uses).\n")
    out.append("inline constexpr FieldType kFieldTypes[] = {\n")
    for value, name in s_entries(os.path.join(src, "auparse", "typetab.h")):
        if value not in types:
            die("auparse/typetab.h: %s is not an auparse_type_t" % value)
        out.append("    {%s, AuparseType::%s},\n"
                   % (cxx_string(name), camel(value[len("AUPARSE_TYPE_"):].lower())))
    out.append("};\n")
    return "".join(out)


LITERAL = re.compile(r"^(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*$")


def cxx_value(value):
    """auparse keeps a table's values in an int: a literal as written when it fits 32 bits, 0 when
    it does not (as the C conversion leaves it), a name expression converted the same way."""
    m = LITERAL.match(value)
    if not m:
        return "static_cast<uint32_t>(%s)" % value
    digits = m.group(1)
    if digits[:2] in ("0x", "0X"):
        n = int(digits, 16)
    elif len(digits) > 1 and digits[0] == "0":
        n = int(digits, 8)
    else:
        n = int(digits)
    if n >= 1 << 32:
        return "0 /* %s: auparse's int keeps the low 32 bits */" % value
    return value


def c_string_length(literals):
    """Bytes in a C string literal (or adjacent literals), without the terminating NUL."""
    n = 0
    for lit in re.findall(r'"((?:[^"\\]|\\.)*)"', literals):
        i = 0
        while i < len(lit):
            if lit[i] != "\\":
                i += 1
                n += 1
                continue
            c = lit[i + 1]
            if c == "x":
                j = i + 2
                while j < len(lit) and lit[j] in "0123456789abcdefABCDEF":
                    j += 1
                i = j
            elif c in "01234567":
                j = i + 1
                while j < len(lit) and j < i + 4 and lit[j] in "01234567":
                    j += 1
                i = j
            else:
                i += 2
            n += 1
    return n


# ---- main -------------------------------------------------------------------------------------

def derived_deb_src(apt_dir):
    """deb-src entries for this machine's apt sources, in apt_dir/parts (nothing of ours in /etc)."""
    parts = os.path.join(apt_dir, "parts")
    os.makedirs(parts)
    os.makedirs(os.path.join(apt_dir, "lists", "partial"))
    found = False
    etc = "/etc/apt/sources.list.d"
    for name in sorted(os.listdir(etc)) if os.path.isdir(etc) else []:
        if not name.endswith(".sources"):
            continue
        text = read(os.path.join(etc, name))
        if re.search(r"^Types:.*\bdeb\b", text, flags=re.M):
            text = re.sub(r"^Types:.*$", "Types: deb-src", text, flags=re.M)
            with open(os.path.join(parts, name), "w", encoding="utf-8") as f:
                f.write(text)
            found = True
    lines = []
    for path in ["/etc/apt/sources.list"]:
        if os.path.exists(path):
            for line in read(path).splitlines():
                if re.match(r"^\s*deb\s", line):
                    lines.append(re.sub(r"^\s*deb\s", "deb-src ", line))
    with open(os.path.join(apt_dir, "sources.list"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    if not found and not lines:
        die("no apt sources on this machine to derive deb-src entries from")


def fetch(workdir):
    apt = os.path.join(workdir, "apt")
    derived_deb_src(apt)
    opts = ["-o", "Dir::Etc::sourcelist=" + os.path.join(apt, "sources.list"),
            "-o", "Dir::Etc::sourceparts=" + os.path.join(apt, "parts"),
            "-o", "Dir::State::Lists=" + os.path.join(apt, "lists"),
            "-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache="]
    subprocess.run(["apt-get", "-q"] + opts + ["update"], check=True, stdout=subprocess.DEVNULL)
    dl = os.path.join(workdir, "dl")
    os.makedirs(dl)
    subprocess.run(["apt-get", "-q"] + opts + ["source", "--download-only", "audit=1:3.0.9-1"],
                   check=True, cwd=dl, stdout=subprocess.DEVNULL)
    dsc = [f for f in os.listdir(dl) if f.endswith(".dsc")]
    if len(dsc) != 1:
        die("apt-get source gave no .dsc")
    tree = os.path.join(workdir, "audit")
    subprocess.run(["dpkg-source", "-x", dsc[0], tree], check=True, cwd=dl,
                   stdout=subprocess.DEVNULL)
    return tree


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("source", nargs="?", help="unpacked audit-userspace source tree")
    p.add_argument("--fetch", action="store_true", help="apt-get source audit into a temp dir")
    p.add_argument("--check", action="store_true", help="compare with the committed files")
    args = p.parse_args()
    if bool(args.source) == args.fetch:
        p.error("give either AUDIT_SOURCE_DIR or --fetch")
    with tempfile.TemporaryDirectory(prefix="gen_tables.") as tmp:
        src = fetch(tmp) if args.fetch else args.source
        for f in ("configure.ac", "lib/x86_64_table.h", "auparse/captab.h"):
            if not os.path.exists(os.path.join(src, f)):
                die("%s is not an audit-userspace source tree (no %s)" % (src, f))
        version = source_version(src)
        outputs = {"syscall_table.h": gen_syscalls(src, version),
                   "auparse_tables.h": gen_auparse(src, version)}
    differ = []
    for name, text in sorted(outputs.items()):
        path = os.path.join(TABLES, name)
        if args.check:
            old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
            if old != text:
                differ.append(name)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if differ:
        sys.stderr.write("gen_tables: out of date: %s (run %s)\n" % (", ".join(differ), ME))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
