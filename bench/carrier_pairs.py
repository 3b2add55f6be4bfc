#!/usr/bin/env python3
"""Pairs each carrier loss of an interface with vipad's route changes via it (nl_events.py lines).

    carrier_pairs.py EVENTS IFINDEX OUTDIR

A trial runs from the interface's RTM_NEWLINK without IFF_LOWER_UP to the next one with it. The
proto 86 (vipad's) route changes via the interface in between are vipad's response. Writes the
latencies in microseconds, one per line, to OUTDIR/lat.{last,v4,first}, and prints
"<trials paired> <route changes> <listener overruns>".
"""
import sys


def main():
    path, idx, outdir = sys.argv[1], sys.argv[2], sys.argv[3]
    lat = {"last": [], "v4": [], "first": []}
    nchanges = overruns = 0
    lower_up = True  # the benchmark starts with carrier
    t0 = None
    changes = []
    for line in open(path):
        f = line.split()
        if len(f) < 2:
            continue
        if f[1] == "overrun":
            overruns += 1
            continue
        t = int(f[0])
        if f[1] == "link" and f[2] == idx:
            now_up = "lower_up=1" in f
            if lower_up and not now_up:
                t0, changes = t, []
            elif lower_up is False and now_up and t0 is not None:
                if changes:
                    lat["first"].append(changes[0][0] - t0)
                    lat["last"].append(changes[-1][0] - t0)
                    four = [c for c in changes if c[1] == "fam=4"]
                    if four:
                        lat["v4"].append(four[-1][0] - t0)
                    nchanges += len(changes)
                t0 = None
            lower_up = now_up
        elif f[1] in ("newroute", "delroute") and t0 is not None:
            if "proto=86" in f and "oif=" + idx in f:
                changes.append((t, f[2]))
    for name, xs in lat.items():
        with open("%s/lat.%s" % (outdir, name), "w") as o:
            o.write("".join("%.1f\n" % (x / 1e3) for x in xs))
    print(len(lat["last"]), nchanges, overruns)


if __name__ == "__main__":
    main()
