#!/usr/bin/env python3
"""A syslog collector for benchmarks: binds a unix datagram socket and counts what arrives
(messages and bytes, printed on SIGTERM/SIGINT), keeping nothing.

    bench/syslog_sink.py /tmp/auditlens-bench-syslog.sock     a unix datagram socket (/dev/log's kind)
    bench/syslog_sink.py tcp://127.0.0.1:5514                 a TCP collector: octet-counted frames

Over TCP it reads 1 MiB at a time and counts the frames ("LENGTH MESSAGE", RFC 6587) as they go
by, one connection at a time (the agent's output holds one).

It receives with recvmmsg (through ctypes: up to 64 datagrams per system call, waiting only for
the first), so that the collector costs the 2-core machine as little as it can: a receive per
datagram costs the sink about twice the CPU, and the CPU it takes is the storm's and the agent's.
A unix datagram socket queues at most net.unix.max_dgram_qlen datagrams (10 by default) before
the sender waits, so a batch is at most that many plus what arrives during the call. Without
recvmmsg in the C library it falls back to one recv per datagram."""
import ctypes
import ctypes.util
import os
import signal
import socket
import sys

BATCH = 64
BUF = 256 << 10  # a datagram longer than this is counted at its full length (MSG_TRUNC)
MSG_WAITFORONE = 0x10000
MSG_TRUNC = 0x20


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class MsgHdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(IoVec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


class MMsgHdr(ctypes.Structure):
    _fields_ = [("hdr", MsgHdr), ("len", ctypes.c_uint)]


def batch_receiver(fd):
    """A function that blocks for at least one datagram and returns (messages, bytes)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    if not hasattr(libc, "recvmmsg"):
        return None
    bufs = [ctypes.create_string_buffer(BUF) for _ in range(BATCH)]
    iovs = (IoVec * BATCH)()
    msgs = (MMsgHdr * BATCH)()
    for i in range(BATCH):
        iovs[i].base = ctypes.cast(bufs[i], ctypes.c_void_p)
        iovs[i].len = BUF
        msgs[i].hdr.iov = ctypes.pointer(iovs[i])
        msgs[i].hdr.iovlen = 1
    recvmmsg = libc.recvmmsg
    recvmmsg.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_void_p]
    # The flags of each message: MSG_TRUNC tells a datagram longer than BUF, whose length is then
    # asked for with a peek first (below); without it msg_len is the datagram's length.
    lens = [msgs[i] for i in range(BATCH)]

    def receive():
        while True:
            n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE | MSG_TRUNC, None)
            if n >= 0:
                break
            if ctypes.get_errno() != 4:  # EINTR: a signal, go on
                raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
        size = 0
        for m in lens[:n]:
            size += m.len
        return n, size

    return receive


def serve_tcp(address):
    host, port = address[len("tcp://"):].rsplit(":", 1)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, int(port)))
    listener.listen(4)
    count = size = calls = 0

    def done(*_):
        print(f"syslog_sink: {count} messages, {size} bytes, {calls} receives", flush=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, done)
    signal.signal(signal.SIGINT, done)
    buf = bytearray(1 << 20)
    while True:
        conn, _ = listener.accept()
        pending = b""  # the bytes of a frame not yet whole
        need = -1      # the current frame's length once its "LENGTH " is read
        while True:
            n = conn.recv_into(buf)
            if n == 0:
                break
            calls += 1
            data = pending + bytes(buf[:n])
            at = 0
            while True:
                if need < 0:
                    sp = data.find(b" ", at)
                    if sp < 0:
                        break
                    need = int(data[at:sp])
                    at = sp + 1
                if len(data) - at < need:
                    break
                count += 1
                size += need
                at += need
                need = -1
            pending = data[at:]
        conn.close()


def main():
    path = sys.argv[1]
    if path.startswith("tcp://"):
        serve_tcp(path)
        return
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(path)
    count = size = calls = 0

    def done(*_):
        print(f"syslog_sink: {count} messages, {size} bytes, {calls} receives", flush=True)
        os.unlink(path)
        os._exit(0)

    signal.signal(signal.SIGTERM, done)
    signal.signal(signal.SIGINT, done)
    receive = batch_receiver(s.fileno())
    if receive is None:
        while True:
            data = s.recv(1 << 20)
            count += 1
            size += len(data)
            calls += 1
    while True:
        n, b = receive()
        count += n
        size += b
        calls += 1


if __name__ == "__main__":
    main()
