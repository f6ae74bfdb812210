#!/usr/bin/env bash
# The default network rules against the real kernel: the six network lines of the shipped
# 10-default.rules (build/rules.d, taken from src/rules/default_rules.h), each narrowed to a copy
# of python by "-F exe=" so nothing else on the machine is audited, loaded by the agent. A test
# program then does, over 127.0.0.1 and ::1: bind, connect, accept with an address buffer, accept
# without one (accept4(fd, NULL, NULL)), a non-blocking accept that fails with EAGAIN (with and
# without a buffer), a refused connect and a UDP connect; and locally: AF_UNIX bind, connect,
# accept (with and without a buffer) and a netlink bind. Expected: every inet and inet6 call
# audited with key "network" (the accept without buffer too, with its peer found from the
# socket), the failed accepts not, the AF_UNIX calls and the netlink bind not (but an AF_UNIX
# accept without buffer is: the kernel knows no family there), and the kernel refusing nothing.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kt_init rules_default_network
T=$KT_TMP
BUILD_DIR=${BUILD_DIR:?set BUILD_DIR to the build directory (its rules.d is used)}
DEFAULTS=$BUILD_DIR/rules.d/10-default.rules

cp "$(readlink -f "$PY")" "$T/py"
grep -e '-k network$' "$DEFAULTS" | sed "s|-k network\$|-F exe=$T/py -k network|" >"$T/rules"
kt_check "the shipped defaults have six network rules" test "$(grep -c . "$T/rules")" -eq 6
kt_check "every one filters on the family or is the accept-without-address rule" \
  test "$(grep -c -e 'saddr_fam=2 ' -e 'saddr_fam=10 ' -e 'a1=0 ' "$T/rules")" -eq 6

kt_agent_config "$T/config.toml" "$T" "$T/rules" "$T/out.json"
kt_start_agent "$T/config.toml" "$T/agent.log"
kt_check "agent registers as the audit daemon" kt_wait_for 10 kt_is_daemon "$AGENT"
kt_check "agent loaded the 6 rules, no rule refused or warned about" \
  bash -c "grep -q ', 6 rules loaded' '$T/agent.log' && ! grep -q 'rule \\(skipped\\|warning\\|refused\\)' '$T/agent.log'"

cat >"$T/scenario.py" <<'PY'
# Writes the expected events (one JSON object per line) to argv[1].
import ctypes, json, os, socket, sys, time
libc = ctypes.CDLL(None, use_errno=True)
expect, keep = [], []
def want(action, audited, what, **match):
    expect.append(dict(action=action, audited=audited, what=what, **match))
for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    name = "inet" if fam == socket.AF_INET else "inet6"
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.bind((host, 0))
    srv.listen()
    port = srv.getsockname()[1]
    want("bind", True, f"{name} bind", port=0, local=port, success=True)
    c1 = socket.socket(fam, socket.SOCK_STREAM)
    c1.connect((host, port))
    want("connect", True, f"{name} connect", port=port, local=c1.getsockname()[1])
    a1, peer = srv.accept()  # accept4 with an address buffer
    want("accept4", True, f"{name} accept with address", port=peer[1], peer=peer[1])
    c2 = socket.socket(fam, socket.SOCK_STREAM)
    c2.connect((host, port))
    want("connect", True, f"{name} second connect", port=port, local=c2.getsockname()[1])
    fd = libc.accept4(srv.fileno(), None, None, 0)
    assert fd >= 0, ctypes.get_errno()
    want("accept4", True, f"{name} accept without address", fd=fd, peer=c2.getsockname()[1])
    srv.setblocking(False)
    assert libc.accept4(srv.fileno(), None, None, 0) == -1  # EAGAIN, no buffer
    try:
        srv.accept()
        raise SystemExit("accept should fail")
    except BlockingIOError:
        pass
    keep += [srv, c1, c2, a1, fd]
    refused = socket.socket(fam, socket.SOCK_STREAM)
    assert refused.connect_ex((host, 1)) != 0
    want("connect", True, f"{name} refused connect", port=1, success=False)
    udp = socket.socket(fam, socket.SOCK_DGRAM)
    udp.connect((host, 9))
    want("connect", True, f"{name} UDP connect", port=9, success=True)
    keep += [refused, udp]
# A failed accept holds no connection: not audited, with or without an address buffer.
want("accept4", False, "failed accepts (EAGAIN)", fd=-11)
path = os.path.join(os.path.dirname(sys.argv[1]), "u.sock")
us = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
us.bind(path)
us.listen()
uc = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
uc.connect(path)
ua, _ = us.accept()
uc2 = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
uc2.connect(path)
ufd = libc.accept4(us.fileno(), None, None, 0)
assert ufd >= 0
want("bind", False, "unix bind", unix=True)
want("connect", False, "unix connect", unix=True)
want("accept4", False, "unix accept with address", unix=True, fd=ua.fileno())
want("accept4", True, "unix accept without address", unix=True, fd=ufd)
nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
nl.bind((0, 0))
want("bind", False, "netlink bind", netlink=True)
keep += [us, uc, ua, uc2, ufd, nl]
with open(sys.argv[1], "w") as f:
    for e in expect:
        f.write(json.dumps(e) + "\n")
time.sleep(1.0)  # sockets stay open while the agent looks them up
PY
kt_check "scenario ran" env PYTHONHOME=/usr "$T/py" "$T/scenario.py" "$T/expect.json"
sleep 1
kill -TERM "$AGENT"
rc=0
wait "$AGENT" || rc=$?
kt_check "agent exits 0" test "$rc" -eq 0

cat >"$T/check.py" <<'PY'
import errno, json, sys
def exit_code(text):  # "5", or "EAGAIN(Resource temporarily unavailable)"
    if text.lstrip("-").isdigit():
        return int(text)
    return -getattr(errno, text.split("(")[0])
events = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    if "network" not in (e.get("tags") or []):
        continue
    sc = next(r for r in e["auditd"]["records"] if r["type"] == "SYSCALL")
    sa = next((r["saddr"] for r in e["auditd"]["records"] if r["type"] == "SOCKADDR"), None)
    events.append(dict(action=sc["syscall"], exit=exit_code(sc["exit"]),
                       success=sc["success"] == "yes", saddr=sa,
                       src=e.get("source") or {}, net=e.get("network") or {}))
def family(ev):
    return (ev["saddr"] or {}).get("family")
def matches(ev, w):
    if ev["action"] != w["action"]:
        return False
    if "port" in w and (ev["saddr"] or {}).get("port") != w["port"]:
        return False
    if "success" in w and ev["success"] != w["success"]:
        return False
    if "fd" in w and ev["exit"] != w["fd"]:
        return False
    if "peer" in w and ev["src"].get("port") != w["peer"]:  # inbound: the peer is the source
        return False
    if "local" in w and ev["src"].get("port") != w["local"]:  # outbound, bind: the local end
        return False
    if w.get("unix") and not (family(ev) == "local" or ev["net"].get("transport") == "unix"):
        return False
    if w.get("netlink") and family(ev) != "netlink":
        return False
    return True
ok = True
used = set()
for line in open(sys.argv[2]):
    w = json.loads(line)
    hits = [i for i, ev in enumerate(events) if i not in used and matches(ev, w)]
    if w["audited"]:
        good = len(hits) >= 1
        if good:
            used.add(hits[0])
    else:
        good = not hits
    print(("ok - " if good else "not ok - ") + w["what"] + (" audited" if w["audited"] else " not audited"))
    ok &= good
extra = [events[i] for i in range(len(events)) if i not in used]
print(("ok - " if not extra else "not ok - ") + f"no other network events ({len(extra)}: {extra[:3]})")
PY
crc=0
checks=$($PY "$T/check.py" "$T/out.json" "$T/expect.json") || crc=$?
kt_check "check.py ran to its end (exit $crc)" test "$crc" -eq 0
kt_checks_from "" "$checks"
kt_check "the kernel has no registered daemon" bash -c "auditctl -s | grep -q '^pid 0'"
kt_check "rules are back as they were" bash -c "[[ \"\$(auditctl -l)\" == \"$KT_SAVED_RULES\" ]]"
kt_finish
