#!/usr/bin/env python3
"""An exec storm as the kernel sends it, for bench_replay (docs/sensitive-data.md, "Cost"):

    bench/exec_log.py N [secret] [varied] > exec.log

N events of SYSCALL (execve), EXECVE, CWD, two PATH, PROCTITLE (hex, cut at 128 bytes) and EOE,
with the parse benchmark's exec arguments (bench_noop -v "two words" --long=<600 x>). "secret"
adds --password=hunter2 and DB_TOKEN=abc123 to every command line; "varied" adds --seq=I, so that
no two command lines are the same.
"""
import sys

n = int(sys.argv[1])
secret = "secret" in sys.argv[2:]
varied = "varied" in sys.argv[2:]
t, serial = 1795400000, 5000000


def hexed(s):
    return s.encode().hex().upper()


def encoded(a):
    return hexed(a) if (" " in a or '"' in a) else f'"{a}"'


for i in range(n):
    serial += 1
    ts = f"audit({t + i // 1000}.{i % 1000:03d}:{serial})"
    args = ["/opt/bench/bench_noop", "-v", "two words", "--long=" + "x" * 600]
    if varied:
        args.insert(1, f"--seq={i}")
    if secret:
        args += ["--password=hunter2", "DB_TOKEN=abc123"]
    pid = 20000 + i
    print(f"type=SYSCALL msg={ts}: arch=c000003e syscall=59 success=yes exit=0 a0=55d0c0a0 "
          f"a1=55d0c0b0 a2=7ffd1000 a3=0 items=2 ppid=19999 pid={pid} auid=4294967295 uid=0 gid=0 "
          f"euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 "
          f"comm=\"bench_noop\" exe=\"/opt/bench/bench_noop\" key=\"bench\"")
    argv = " ".join(f"a{k}={encoded(a)}" for k, a in enumerate(args))
    print(f"type=EXECVE msg={ts}: argc={len(args)} {argv}")
    print(f"type=CWD msg={ts}: cwd=\"/tmp/bench\"")
    for item, name, inode in ((0, "/opt/bench/bench_noop", 1234),
                              (1, "/lib64/ld-linux-x86-64.so.2", 332383)):
        print(f"type=PATH msg={ts}: item={item} name=\"{name}\" inode={inode} dev=fe:00 "
              f"mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 "
              f"cap_fver=0 cap_frootid=0")
    print(f"type=PROCTITLE msg={ts}: proctitle={hexed(chr(0).join(args))[:256]}")
    print(f"type=EOE msg={ts}: ")
