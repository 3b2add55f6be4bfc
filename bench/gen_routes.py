#!/usr/bin/env python3
"""`ip -batch` lines for N IPv4 routes inside 10.68.32.0-10.68.255.255, alternately via en1's
router (10.68.1.2) and en5's (10.68.5.2).

    gen_routes.py N add|replace|del [SRC]

10.68/16 is all the test namespaces may use, and it holds fewer than 100,000 /32s outside the
sample's own subnets; so the /32s of that range come first, then its /31s, /30s and so on: distinct
prefixes, overlapping as a learned table's do. `replace` adds `src SRC` (default 10.68.6.1), the
change vipad makes.
"""
import sys

GWS = (("10.68.1.2", "en1"), ("10.68.5.2", "en5"))
BASE = (10 << 24) | (68 << 16) | (32 << 8)
SPAN = (256 - 32) * 256


def prefixes(n):
    i = 0
    for plen in range(32, 16, -1):
        step = 1 << (32 - plen)
        for a in range(BASE, BASE + SPAN, step):
            if i == n:
                return
            yield "%d.%d.%d.%d/%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, plen)
            i += 1


def main():
    n, mode = int(sys.argv[1]), sys.argv[2]
    src = sys.argv[3] if len(sys.argv) > 3 else "10.68.6.1"
    out = []
    for i, p in enumerate(prefixes(n)):
        gw, dev = GWS[i % 2]
        if mode == "add":
            out.append("route add %s via %s dev %s\n" % (p, gw, dev))
        elif mode == "replace":
            out.append("route replace %s via %s dev %s src %s\n" % (p, gw, dev, src))
        else:
            out.append("route del %s via %s dev %s\n" % (p, gw, dev))
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
