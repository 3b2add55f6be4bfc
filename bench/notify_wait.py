#!/usr/bin/env python3
"""A stand-in for systemd's notify socket: the time a service says READY=1.

    notify_wait.py SOCKET OUT TIMEOUT_S

Binds the datagram socket SOCKET (give the service NOTIFY_SOCKET=SOCKET), creates SOCKET.bound
once it listens, and writes to OUT the wall-clock time (ns since the epoch, comparable with
bash's EPOCHREALTIME) at which READY=1 arrived. Exits 1 when it did not within TIMEOUT_S.
"""
import os
import socket
import sys
import time


def main():
    path, out, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    open(path + ".bound", "w").close()
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return 1
        s.settimeout(left)
        try:
            msg = s.recv(4096)
        except socket.timeout:
            return 1
        if b"READY=1" in msg.split(b"\n"):
            with open(out, "w") as o:
                o.write("%d\n" % time.time_ns())
            return 0


if __name__ == "__main__":
    sys.exit(main())
