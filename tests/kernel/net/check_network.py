#!/usr/bin/env python3
"""Checks the agent's network events against netpeer's manifest (what getsockname/getpeername said
about both ends of every socket). Prints one "ok - ..." / "not ok - ..." line per check, exits 1 if
any failed.

    check_network.py OUT.json MANIFEST.json [--gone GONE.json] [--method pidfd|sock_diag]
    check_network.py OUT.json --pair SERVE.json CONNECT.json   (a server and a client on two
                                                               hosts: network namespaces)

sock_diag cannot name a unix socket's peer process, and cannot tell a descriptor reused for
another socket from a socket that is no longer connected where the records say ("not_found").

The Community ID is computed here independently (hashlib, from the spec: SHA1 over seed, ordered
addresses, protocol, pad, ports; base64; "1:").
"""
import base64
import hashlib
import ipaddress
import json
import struct
import sys

FAILED = 0


def check(cond, what):
    global FAILED
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        FAILED += 1


def norm_ip(ip):
    a = ipaddress.ip_address(ip)
    if a.version == 6 and a.ipv4_mapped:
        return str(a.ipv4_mapped)
    return str(a)


def end(pair):
    """A manifest end ["ip", port] as the agent writes it: {"ip": ..., "port": ...}."""
    return {"ip": norm_ip(pair[0]), "port": pair[1]}


def community_id(src, dst, proto):
    a, b = ipaddress.ip_address(src["ip"]), ipaddress.ip_address(dst["ip"])
    pa, pb = src["port"], dst["port"]
    if (a.packed, pa) > (b.packed, pb):
        a, b, pa, pb = b, a, pb, pa
    data = struct.pack("!H", 0) + a.packed + b.packed + struct.pack("!BB", proto, 0) + struct.pack("!HH", pa, pb)
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()


def load(path):
    """The events, each network object read together with what ECS has no field for.

    An event's "network" holds only ECS fields; the local end, its reason and the unix socket's type
    and peer are in "auditd.network" (docs/schema.md). The checks below read both as one "network"
    object, after checking that the ECS one holds none of auditlens's own fields.
    """
    events = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            e = json.loads(line)
            ecs = e.get("network")
            extra = e.get("auditd", {}).get("network")
            if ecs is not None:
                if {"local_end", "local_end_reason", "unix"} & set(ecs):
                    check(False, f"serial {e['event'].get('sequence')}: network holds only ECS fields: {sorted(ecs)}")
                if extra:
                    e["network"] = {**ecs, **{k: v for k, v in extra.items() if k not in ("source", "destination")}}
            events.append(e)
    return events


def check_pair(out, serve_path, connect_path):
    """Each `netpeer serve` (one host) against its `netpeer connect` (the other), in order."""
    events = [e for e in load(out) if e.get("event", {}).get("kind") == "event" and "kt_net" in e.get("tags", [])]
    for s, c in zip(load(serve_path), load(connect_path)):
        peer, local = end(s["server_peer"]), end(s["server_local"])
        client, server = end(c["client_local"]), end(c["client_peer"])
        label = f"{client['ip']}:{client['port']} -> {server['ip']}:{server['port']}"
        check(client == peer and server == local, f"{label}: the kernel shows one flow on both hosts")
        # (The client retries while the server is not listening yet: those connects were refused.)
        conn = [e for e in events if e["process"]["pid"] == c["pid"]
                and e["event"]["action"] == "connection_attempted"
                and e.get("destination") == server and e["event"]["outcome"] == "success"]
        acc = [e for e in events if e["process"]["pid"] == s["pid"]
               and e["event"]["action"] == "connection_accepted" and e.get("source") == peer]
        check(len(conn) == 1 and len(acc) == 1, f"{label}: one connect on the client host, one accept on the server host")
        if len(conn) == 1 and len(acc) == 1:
            cn, an = conn[0], acc[0]
            check(cn.get("source") == client and cn.get("destination") == server,
                  f"{label}: connect carries both ends {cn.get('source')} -> {cn.get('destination')}")
            check(an.get("source") == peer and an.get("destination") == local,
                  f"{label}: accept carries both ends {an.get('source')} -> {an.get('destination')}")
            cid = community_id(client, server, 6)
            check(cn["network"].get("community_id") == an["network"].get("community_id") == cid,
                  f"{label}: same community_id on both hosts, = independent {cid}")
    return 1 if FAILED else 0


def main():
    args = sys.argv[1:]
    if "--pair" in args:
        i = args.index("--pair")
        return check_pair(args[0], args[i + 1], args[i + 2])
    out, manifest_path = args[0], args[1]
    gone_path = args[args.index("--gone") + 1] if "--gone" in args else None
    method = args[args.index("--method") + 1] if "--method" in args else "pidfd"
    reused_reasons = ("fd_reused",) if method == "pidfd" else ("fd_reused", "not_found")
    events = [e for e in load(out) if e.get("event", {}).get("kind") == "event" and "kt_net" in e.get("tags", [])]
    manifest = {m["flow"]: m for m in load(manifest_path)}

    def syscall(e):
        return next((r.get("syscall") for r in e["auditd"]["records"] if r["type"] == "SYSCALL"), None)

    def net_events(pid, action):
        # By the syscall's own name (event.action is ECS's word: connection_attempted, ...).
        return [e for e in events if e.get("process", {}).get("pid") == pid and syscall(e) == action]

    def find(pid, action, **want):
        """Events of pid with this action whose source/destination match the given ends."""
        found = []
        for e in net_events(pid, action):
            if all(e.get(k, {}).get(f) == v.get(f) for k, v in want.items() for f in v):
                found.append(e)
        return found

    def one(lst, what):
        check(len(lst) == 1, f"{what}: one event (got {len(lst)})")
        return lst[0] if len(lst) == 1 else None

    # TCP: the connect (egress) and the accept (ingress) of each flow carry the same 5-tuple.
    for name in ("tcp4-block", "tcp6-block", "tcp4-nonblock", "tcp6-nonblock", "tcp-dualstack", "serve", "connect"):
        m = manifest.get(name)
        if m is None:
            continue
        pid = m["pid"]
        if "client_local" in m:
            client, server = end(m["client_local"]), end(m["client_peer"])
            c = one(find(pid, "connect", destination={"port": server["port"]}), f"{name}: connect")
            if c:
                check(c.get("source") == client and c.get("destination") == server,
                      f"{name}: connect source {c.get('source')} / destination {c.get('destination')} = kernel's {client} / {server}")
                n = c.get("network", {})
                check(n.get("transport") == "tcp" and n.get("direction") == "egress" and n.get("local_end") == "socket"
                      and n.get("iana_number") == "6" and n.get("type") == ("ipv6" if ":" in server["ip"] else "ipv4"),
                      f"{name}: connect network fields {n}")
                check(n.get("community_id") == community_id(client, server, 6),
                      f"{name}: connect community_id {n.get('community_id')} = independent {community_id(client, server, 6)}")
                if m.get("connect_errno") == "EINPROGRESS":
                    check(c.get("error", {}).get("code") == "EINPROGRESS" and c.get("source", {}).get("port") == client["port"],
                          f"{name}: non-blocking connect (EINPROGRESS) still has its local port")
        if "server_local" in m:
            peer, local = end(m["server_peer"]), end(m["server_local"])
            a = one(find(pid, "accept4", source={"port": peer["port"]}), f"{name}: accept4")
            if a:
                check(a.get("source") == peer and a.get("destination") == local,
                      f"{name}: accept source {a.get('source')} / destination {a.get('destination')} = kernel's {peer} / {local}")
                n = a.get("network", {})
                check(n.get("direction") == "ingress" and n.get("local_end") == "socket" and n.get("transport") == "tcp",
                      f"{name}: accept network fields {n}")
                check(n.get("community_id") == community_id(peer, local, 6),
                      f"{name}: accept community_id = independent {community_id(peer, local, 6)}")
        if "client_local" in m and "server_local" in m:
            c = find(pid, "connect", destination={"port": end(m["client_peer"])["port"]})
            a = find(pid, "accept4", source={"port": end(m["server_peer"])["port"]})
            if len(c) == 1 and len(a) == 1:
                c, a = c[0], a[0]
                check((c["source"], c["destination"]) == (a["source"], a["destination"]),
                      f"{name}: connect and accept carry the same 5-tuple")
                check(c["network"].get("community_id") == a["network"].get("community_id") is not None,
                      f"{name}: connect and accept carry the same community_id")
            # The listener: bind and listen name the server's port.
            sport = end(m["server_local"])["port"]
            b = find(pid, "bind", source={"port": sport})
            if method == "pidfd":
                check(len(b) == 1 and b[0]["network"]["local_end"] == "socket", f"{name}: bind shows the listener's port {sport}")
            else:
                # sock_diag does not see a TCP socket that is bound but not yet listening: a bind
                # looked up before the listen() that follows it is not found, and says so.
                lip = end(m["server_local"])["ip"] if name != "tcp-dualstack" else "::"
                binds = net_events(pid, "bind")
                check(any(e.get("source") == {"ip": lip, "port": sport} and e["network"]["local_end"] == "socket" for e in binds)
                      or any(e.get("source") == {"ip": lip} and e["network"].get("local_end_reason") == "not_found" for e in binds),
                      f"{name}: bind shows the listener's port {sport}, or that sock_diag did not see it yet")
            li = find(pid, "listen", source={"port": sport})
            check(len(li) == 1 and li[0]["network"]["local_end"] == "socket", f"{name}: listen shows the listener's port {sport}")

    # UDP: the client's sendto and the server's recvfrom.
    for name in ("udp4", "udp6", "udp4-connected", "udp4-unbound"):
        m = manifest.get(name)
        if m is None:
            continue
        pid = m["pid"]
        sender = end(manifest[name + "-from"]["sender"])
        server = end(m["server_local"])
        s = one(find(pid, "sendto", destination={"port": server["port"]}), f"{name}: sendto")
        r = one(find(pid, "recvfrom", source={"port": sender["port"]}), f"{name}: recvfrom")
        if r:
            check(r.get("source") == sender and r.get("destination") == server
                  and r["network"].get("direction") == "ingress" and r["network"].get("transport") == "udp",
                  f"{name}: recvfrom source {r.get('source')} / destination {r.get('destination')}")
            check(r["network"].get("community_id") == community_id(sender, server, 17),
                  f"{name}: recvfrom community_id = independent")
        if s and name != "udp4-unbound":
            check(s.get("source") == sender and s.get("destination") == server and s["network"].get("transport") == "udp"
                  and s["network"].get("local_end") == "socket",
                  f"{name}: sendto source {s.get('source')} / destination {s.get('destination')}")
            check(s["network"].get("community_id") == community_id(sender, server, 17)
                  and r and s["network"].get("community_id") == r["network"].get("community_id"),
                  f"{name}: sendto and recvfrom carry the same community_id")
        if s and name == "udp4-unbound":
            n = s["network"]
            check(n.get("local_end") == "partial" and n.get("local_end_reason") == "wildcard_address"
                  and s.get("source") == {"port": sender["port"]} and "community_id" not in n,
                  f"{name}: unbound sender: only the port is the socket's, said so ({s.get('source')}, {n})")
        if name == "udp4-connected":
            c = one(find(pid, "connect", destination={"port": server["port"]}), f"{name}: connect")
            if c:
                check(c.get("source") == sender and c["network"].get("transport") == "udp"
                      and c["network"].get("community_id") == community_id(sender, server, 17),
                      f"{name}: UDP connect has both ends")

    m = manifest.get("tcp4-refused")
    if m:
        c = one(find(m["pid"], "connect", destination={"port": m["port"]}), "refused connect")
        if c:
            n = c["network"]
            check(c["event"]["outcome"] == "failure" and c.get("error", {}).get("code") == "ECONNREFUSED" and n.get("local_end") == "unknown"
                  and n.get("local_end_reason") == "syscall_failed" and c["destination"] == {"ip": "127.0.0.1", "port": m["port"]},
                  f"refused connect says why and gives the remote end: {c.get('destination')} {n}")

    for name in ("unix-path", "unix-abstract"):
        m = manifest.get(name)
        if m is None:
            continue
        pid, path = m["pid"], m["server_local"]
        abstract = path.startswith("@")
        c = one(find(pid, "connect", destination={"address": path}), f"{name}: connect")
        if c:
            n = c["network"]
            check(n.get("transport") == "unix" and n.get("local_end") == "socket" and n.get("direction") == "egress"
                  and n.get("unix", {}).get("type") == "stream"
                  and (method != "pidfd" or n.get("unix", {}).get("peer", {}).get("pid") == pid)
                  and c["auditd"]["network"].get("destination", {}).get("abstract", False) == abstract,
                  f"{name}: connect names the socket {path} and its peer process {pid}: {c.get('destination')} {n}")
        a = one(find(pid, "accept4", destination={"address": path}), f"{name}: accept4")
        if a:
            n = a["network"]
            check(n.get("direction") == "ingress" and n.get("local_end") == "socket"
                  and (method != "pidfd" or n.get("unix", {}).get("peer", {}).get("pid") == pid),
                  f"{name}: accept names the listening socket and the peer process: {a.get('destination')} {n}")

    # Every audited connection of the flows carries both ends and a Community ID.
    flows_pid = manifest.get("tcp4-block", {}).get("pid")
    if flows_pid is not None:
        refused_port = manifest.get("tcp4-refused", {}).get("port")
        unbound_port = end(manifest["udp4-unbound"]["server_local"])["port"] if "udp4-unbound" in manifest else None
        unbound_sender = end(manifest["udp4-unbound-from"]["sender"])["port"] if "udp4-unbound-from" in manifest else None
        missing = []
        for e in events:
            if e.get("process", {}).get("pid") != flows_pid or e["event"]["action"] not in ("connect", "accept4", "sendto", "recvfrom"):
                continue
            if e.get("network", {}).get("transport") == "unix":
                continue
            if e.get("destination", {}).get("port") in (refused_port, unbound_port) and e["event"]["action"] != "recvfrom":
                continue
            if e["event"]["action"] == "recvfrom" and e.get("source", {}).get("port") == unbound_sender:
                # the receiver sees the unbound sender's wire address: both ends known there
                pass
            if not (e.get("source", {}).get("ip") and e.get("source", {}).get("port") and e.get("destination", {}).get("ip")
                    and e.get("destination", {}).get("port") and e.get("network", {}).get("community_id")):
                missing.append((e["event"]["sequence"], syscall(e), e.get("source"), e.get("destination")))
        check(not missing, f"every audited TCP/UDP connection carries both ends and a community_id (missing: {missing})")

    if gone_path:
        gone = {m["flow"]: m for m in load(gone_path)}
        # The parent's connects in order: the descriptor reused (first connection closed, second
        # made on the same number at once), then one closed at once (on descriptor 50).
        closed, first, second = gone["gone-closed"], gone["gone-reused-first"], gone["gone-reused-second"]
        conns = sorted(net_events(closed["pid"], "connect"), key=lambda e: e["event"]["sequence"])
        check(len(conns) == 3, f"gone: three connects by the parent (got {len(conns)})")
        if len(conns) == 3:
            c1, c2, c0 = conns
            check(c0["network"].get("local_end") == "unknown" and c0["network"].get("local_end_reason") == "socket_closed"
                  and "source" not in c0,
                  f"closed before the lookup: says so, guesses nothing: {c0.get('source')} {c0['network']}")
            check(c1["network"].get("local_end") == "unknown" and c1["network"].get("local_end_reason") in reused_reasons
                  and "source" not in c1 and c1["destination"]["port"] == first["client_peer"][1],
                  f"descriptor reused for another connection: fd_reused, no local end: {c1['network']}")
            # The same descriptor went to a new connection within a millisecond, and the agent
            # looks later than that: it could have gone to another one since; not looked up.
            check(c2["network"].get("local_end") == "unknown" and c2["network"].get("local_end_reason") == "fd_recycled"
                  and "source" not in c2 and c2["destination"]["port"] == second["client_peer"][1],
                  f"a descriptor recycled faster than the agent looks: fd_recycled, not a guess: {c2['network']}")
        accepts = sorted(net_events(closed["pid"], "accept4"), key=lambda e: e["event"]["sequence"])
        # Its descriptor number was closed, then taken by a later accepted socket (another peer).
        check(len(accepts) >= 1 and accepts[0]["network"].get("local_end") == "unknown"
              and accepts[0]["network"].get("local_end_reason") in ("socket_closed",) + reused_reasons
              and "destination" not in accepts[0],
              f"accepted socket gone before the lookup: says so, no local end ({[a['network'] for a in accepts[:1]]})")
        x = gone["gone-exited"]
        e = one(net_events(x["pid"], "connect"), "gone-exited: connect")
        if e:
            check(e["network"].get("local_end") == "unknown" and e["network"].get("local_end_reason") == "process_exited",
                  f"process exited before the lookup: says so: {e['network']}")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
