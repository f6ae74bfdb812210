#!/usr/bin/env python3
"""A syslog collector for benchmarks: binds a unix datagram socket and counts what arrives
(messages and bytes, printed on SIGTERM/SIGINT), keeping nothing.

    bench/syslog_sink.py /tmp/auditlens-bench-syslog.sock"""
import os
import signal
import socket
import sys


def main():
    path = sys.argv[1]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(path)
    count = size = 0

    def done(*_):
        print(f"syslog_sink: {count} messages, {size} bytes", flush=True)
        os.unlink(path)
        sys.exit(0)

    signal.signal(signal.SIGTERM, done)
    signal.signal(signal.SIGINT, done)
    while True:
        data = s.recv(1 << 20)
        count += 1
        size += len(data)


if __name__ == "__main__":
    main()
