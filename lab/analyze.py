#!/usr/bin/env python3
"""Reports on a lab telnet session (files written by stream.py and sniff.py).

analyze.py gap RECEIVED T_FAIL [WINDOW_S]   longest silence in the echoed lines (or in the
                                            replies of `ping -D`) that ends after the failure
                                            at T_FAIL (epoch s), in ms
analyze.py where PACKETS T_FAIL [WINDOW_S]  the session's data packets per interface and
                                            direction in the window after T_FAIL (and before)
analyze.py intact RECEIVED SENT             every line sent came back once, in order
analyze.py resets PACKETS                   how many packets carried RST
"""
import re
import sys

LINE = re.compile(r"^(\d+\.\d+) L(\d+)$")
PING = re.compile(r"^\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+)")


def arrivals(path):
    """(time, sequence) of each echoed line, or of each reply of `ping -D`."""
    out = []
    with open(path) as f:
        for line in f:
            m = LINE.match(line.strip()) or PING.match(line.strip())
            if m:
                out.append((float(m.group(1)), int(m.group(2))))
    return out


def packets(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            p = line.split()
            if len(p) == 6:
                out.append((float(p[0]), p[1], p[2], p[3], int(p[4]), int(p[5])))
    return out


def gap(received, t_fail, window=5.0):
    times = [t for t, _ in arrivals(received)]
    best = None
    for a, b in zip(times, times[1:]):
        if b > t_fail and a < t_fail + window:
            best = max(best or 0, b - a)
    return best


def where(pkts, t_fail, window=2.0):
    def count(lo, hi):
        c = {}
        for t, ifc, way, flags, _, size in pkts:
            if lo <= t < hi and size > 0 and flags != "ICMP":
                c[(ifc, way)] = c.get((ifc, way), 0) + 1
        return c

    def fmt(c):
        return ", ".join(
            "%s in %d out %d" % (i, c.get((i, "in"), 0), c.get((i, "out"), 0))
            for i in ("en1", "en5"))

    return "before: %s; after: %s" % (fmt(count(t_fail - window, t_fail)),
                                      fmt(count(t_fail, t_fail + window)))


def intact(received, sent_path):
    with open(sent_path) as f:
        sent = int(f.read().split()[0])
    got = [n for _, n in arrivals(received)]
    if got == list(range(1, sent + 1)):
        return True, "all %d lines came back once, in order" % sent
    missing = sorted(set(range(1, sent + 1)) - set(got))
    dup = len(got) - len(set(got))
    return False, "sent %d, got %d back (%d missing, first %s; %d duplicated)" % (
        sent, len(got), len(missing), missing[:3], dup)


def main():
    a = sys.argv
    try:
        if a[1] == "gap":
            g = gap(a[2], float(a[3]), float(a[4]) if len(a) > 4 else 5.0)
            print(-1 if g is None else round(g * 1000))
        elif a[1] == "where":
            print(where(packets(a[2]), float(a[3]), float(a[4]) if len(a) > 4 else 2.0))
        elif a[1] == "intact":
            ok, msg = intact(a[2], a[3])
            print(msg)
            sys.exit(0 if ok else 1)
        elif a[1] == "resets":
            print(sum(1 for p in packets(a[2]) if "R" in p[3]))
        else:
            raise IndexError
    except (IndexError, ValueError):
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
