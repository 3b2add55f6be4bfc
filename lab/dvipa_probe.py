#!/usr/bin/env python3
"""The lab's client side for the Dynamic VIPA (run in the client namespace), and its reports.

  dvipa_probe.py probe ADDR PORT LOG [INTERVAL_S] [TIMEOUT_S]
      A new TCP connection every INTERVAL_S (default 0.01), without waiting for the previous
      one: each must connect and read the answering host's name within TIMEOUT_S (default 2).
      One line per attempt in LOG: "START END NAME" or "START END FAIL:why". Runs until killed.
  dvipa_probe.py stream ADDR PORT LOG STOP
      One long-lived connection: a numbered line every 10 ms, each echoed back by the server
      as "NAME N". Ends when the file STOP exists: sends its last line, reads the last echo and
      writes "END sent=S echoed=E broken=0|1 hosts=A,B" to LOG.

Reports on a probe LOG (times in seconds since the epoch, results on stdout):
  last LOG                 the name in the newest answered attempt
  count LOG SINCE NAME     attempts started at or after SINCE answered by NAME
  fails LOG SINCE [UNTIL]  failed attempts started in [SINCE, UNTIL)
  first LOG SINCE NAME     ms from SINCE to the start of the first attempt answered by NAME
                           within 0.5 s, after which no attempt so answered was answered by
                           any other host (exit 1 when there is none)
  slow LOG SINCE           attempts started at or after SINCE answered only after 0.5 s or
                           more (a lost SYN, resent)
  tail LOG N               the last N attempts are all answered (exit 1 otherwise)
And on a log of `ip -ts monitor link`:
  linktime MONLOG SINCE up|down IF...   the time (epoch s) of the first carrier change of one
                           of the interfaces IF at or after SINCE (exit 1 when there is none)
"""
import datetime
import re
import os
import selectors
import socket
import sys
import time


def probe(addr, port, log, interval=0.01, timeout=2.0):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sel = selectors.DefaultSelector()
    out = open(log, "a", buffering=1)
    due = time.time()
    pending = {}  # socket -> [start, buffer]

    def done(s, result):
        start = pending.pop(s)[0]
        try:
            sel.unregister(s)
        except (KeyError, ValueError):
            pass
        s.close()
        out.write("%.6f %.6f %s\n" % (start, time.time(), result))

    while True:
        now = time.time()
        if now >= due:
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect((addr, port))
            except BlockingIOError:
                pass
            except OSError as e:
                pending[s] = [now, b""]
                done(s, "FAIL:" + (e.strerror or str(e)).replace(" ", "_"))
                s = None
            if s is not None:
                pending[s] = [now, b""]
                sel.register(s, selectors.EVENT_READ)
            due += interval
            if due < now:
                due = now + interval  # fell behind: no burst
        for s, st in list(pending.items()):
            if time.time() - st[0] > timeout:
                done(s, "FAIL:timeout")
        wait = max(0.0, min(due - time.time(), 0.01))
        for key, _ in sel.select(wait):
            s = key.fileobj
            if s not in pending:
                continue
            try:
                data = s.recv(256)
            except OSError as e:
                done(s, "FAIL:" + (e.strerror or str(e)).replace(" ", "_"))
                continue
            if data:
                pending[s][1] += data
                if b"\n" in pending[s][1]:
                    done(s, pending[s][1].split(b"\n")[0].decode("ascii", "replace"))
            else:
                done(s, "FAIL:closed_without_answer")


def stream(addr, port, log, stop):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    out = open(log, "a", buffering=1)
    s = socket.create_connection((addr, port), timeout=5)
    s.settimeout(None)
    f = s.makefile("rb")
    hello = f.readline().decode().strip()
    out.write("%.6f HELLO %s\n" % (time.time(), hello))
    hosts = {hello}
    sent = echoed = 0
    broken = 0
    sel = selectors.DefaultSelector()
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
    buf = b""
    due = time.monotonic()
    try:
        while not os.path.exists(stop):
            if time.monotonic() >= due:
                sent += 1
                s.setblocking(True)
                s.sendall(b"%d\n" % sent)
                s.setblocking(False)
                due += 0.01
                if due < time.monotonic():
                    due = time.monotonic() + 0.01
            for _ in sel.select(max(0.0, due - time.monotonic())):
                data = s.recv(65536)
                if not data:
                    raise ConnectionError("closed by the server")
                buf += data
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    parts = line.decode().split()
                    if len(parts) == 2 and parts[1] == str(echoed + 1):
                        echoed += 1
                        hosts.add(parts[0])
        s.setblocking(True)
        s.settimeout(5)
        s.shutdown(socket.SHUT_WR)
        while True:
            data = s.recv(65536)
            if not data:
                break
            buf += data
        for line in buf.split(b"\n"):
            parts = line.decode().split()
            if len(parts) == 2 and parts[1] == str(echoed + 1):
                echoed += 1
    except OSError as e:
        broken = 1
        out.write("%.6f BROKEN %s\n" % (time.time(), e))
    out.write("END sent=%d echoed=%d broken=%d hosts=%s\n"
              % (sent, echoed, broken, ",".join(sorted(hosts))))


def attempts(log):
    rows = []
    with open(log) as f:
        for line in f:
            p = line.split()
            if len(p) == 3:
                rows.append((float(p[0]), float(p[1]), p[2]))
    rows.sort()
    return rows


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "probe":
        probe(a[0], int(a[1]), a[2], *(float(x) for x in a[3:5]))
    elif cmd == "stream":
        stream(a[0], int(a[1]), a[2], a[3])
    elif cmd == "last":
        ok = [r for r in attempts(a[0]) if not r[2].startswith("FAIL")]
        if not ok:
            return 1
        print(max(ok, key=lambda r: r[1])[2])
    elif cmd == "count":
        since = float(a[1])
        print(sum(1 for r in attempts(a[0]) if r[0] >= since and r[2] == a[2]))
    elif cmd == "fails":
        since = float(a[1])
        until = float(a[2]) if len(a) > 2 else float("inf")
        bad = [r for r in attempts(a[0]) if since <= r[0] < until and r[2].startswith("FAIL")]
        for r in bad[:5]:
            sys.stderr.write("%.6f %s\n" % (r[0], r[2]))
        print(len(bad))
    elif cmd == "slow":
        since = float(a[1])
        print(sum(1 for r in attempts(a[0])
                  if r[0] >= since and not r[2].startswith("FAIL") and r[1] - r[0] >= 0.5))
    elif cmd == "first":
        since = float(a[1])
        # Only attempts answered within 0.5 s: one whose SYN was lost and resent after TCP's
        # 1 s timeout would date the new owner's first answer back to before it had the address.
        rows = [r for r in attempts(a[0])
                if r[0] >= since and not r[2].startswith("FAIL") and r[1] - r[0] < 0.5]
        first = None
        for r in rows:
            if r[2] == a[2]:
                if first is None:
                    first = r[0]
            else:
                first = None
        if first is None:
            return 1
        print(int(round((first - since) * 1000)))
    elif cmd == "linktime":
        since, want, names = float(a[1]), a[2], set(a[3:])
        pat = re.compile(r"^\[([0-9T:.-]+)\] \d+: ([^:@]+)[@:].*<([^>]*)>")
        with open(a[0]) as f:
            for line in f:
                m = pat.match(line)
                if not m or m.group(2) not in names:
                    continue
                t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").timestamp()
                flags = m.group(3).split(",")
                down = "NO-CARRIER" in flags or "UP" not in flags
                if t >= since and (down if want == "down" else not down):
                    print("%.6f" % t)
                    return 0
        return 1
    elif cmd == "tail":
        rows = attempts(a[0])[-int(a[1]):]
        if len(rows) < int(a[1]) or any(r[2].startswith("FAIL") for r in rows):
            return 1
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
