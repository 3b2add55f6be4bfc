#!/usr/bin/env python3
"""Many long-lived TCP streams to the lab's echo service (dvipa_server.py, PORT+1), for the
nondisruptive-move tests.

moves_streams.py ADDR PORT COUNT LOG STOP

Opens COUNT connections, then sends a numbered line on each every 10 ms and checks that each
echo ("HOST N") is exactly the next number: a gap is a lost line, a repeat a duplicated one.
Writes "UP n" once all are open, then "ECHO total" about every second, and, once the file STOP
exists, half-closes every stream, reads what is left and writes
"END streams=N broken=B lost=L dup=D sent=S echoed=E hosts=H1,H2".
Single-threaded (selectors).
"""
import os
import selectors
import socket
import sys
import time


def main():
    addr, port, count, log, stop = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
    out = open(log, "a", buffering=1)
    sel = selectors.DefaultSelector()
    st = {}
    hosts = set()
    for i in range(count):
        s = socket.create_connection((addr, port), timeout=5)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.setblocking(False)
        st[s] = {"sent": 0, "echoed": 0, "buf": b"", "hello": None, "open": True}
        sel.register(s, selectors.EVENT_READ)
    out.write("UP %d\n" % count)
    broken = lost = dup = 0

    def read(s, d):
        nonlocal broken, lost, dup
        try:
            data = s.recv(65536)
        except BlockingIOError:
            return True
        except OSError as e:
            out.write("BROKEN %s\n" % e)
            broken += 1
            d["open"] = False  # counted once: the caller only unregisters it
            return False
        if not data:
            return False
        d["buf"] += data
        while b"\n" in d["buf"]:
            line, d["buf"] = d["buf"].split(b"\n", 1)
            parts = line.decode("ascii", "replace").split()
            if d["hello"] is None and len(parts) == 1:
                d["hello"] = parts[0]
                hosts.add(parts[0])
                continue
            if len(parts) != 2:
                continue
            hosts.add(parts[0])
            n = int(parts[1])
            if n == d["echoed"] + 1:
                d["echoed"] = n
            elif n <= d["echoed"]:
                dup += 1
            else:
                lost += n - d["echoed"] - 1
                d["echoed"] = n
        return True

    due = time.monotonic()
    last_note = 0.0
    while not os.path.exists(stop):
        now = time.monotonic()
        if now >= due:
            for s, d in st.items():
                if not d["open"]:
                    continue
                d["sent"] += 1
                try:
                    s.send(b"%d\n" % d["sent"])
                except OSError as e:
                    out.write("BROKEN %s\n" % e)
                    broken += 1
                    d["open"] = False
                    sel.unregister(s)
            due += 0.01
            if due < now:
                due = now + 0.01
        for key, _ in sel.select(max(0.0, due - time.monotonic())):
            d = st[key.fileobj]
            if not read(key.fileobj, d):
                if d["open"]:
                    out.write("BROKEN closed by the server\n")
                    broken += 1
                d["open"] = False
                sel.unregister(key.fileobj)
        if now - last_note >= 1:
            last_note = now
            out.write("ECHO %d\n" % sum(d["echoed"] for d in st.values()))
    # The end: half-close, and read what is still in flight.
    for s, d in st.items():
        if d["open"]:
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
    end = time.monotonic() + 10
    while any(d["open"] for d in st.values()) and time.monotonic() < end:
        for key, _ in sel.select(0.5):
            d = st[key.fileobj]
            if not read(key.fileobj, d):
                d["open"] = False
                sel.unregister(key.fileobj)
    for s, d in st.items():
        lost += d["sent"] - d["echoed"]
        s.close()
    out.write("END streams=%d broken=%d lost=%d dup=%d sent=%d echoed=%d hosts=%s\n"
              % (count, broken, lost, dup, sum(d["sent"] for d in st.values()),
                 sum(d["echoed"] for d in st.values()), ",".join(sorted(hosts))))


if __name__ == "__main__":
    main()
