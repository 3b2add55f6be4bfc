#!/usr/bin/env python3
"""A routing daemon's table: loads it, then churns it with replacements, as BIRD or FRR would.

    daemon_table.py load V4 V6                 # V4 IPv4 + V6 IPv6 routes, proto bird / bgp
    daemon_table.py churn V4 V6 RATE SECONDS   # RATE route replacements a second
    daemon_table.py count                      # routes of proto bird/bgp in the main table

Run it inside the host namespace (en1/en5 with routers 10.68.1.2/10.68.5.2, 2001:db8:1::2 and
2001:db8:5::2). The test namespaces may only use 10.68/16 and 2001:db8::/32: 10.68/16 has far
fewer than 1M prefixes, so the IPv4 table is every /28 to /32 of 10.68.64.0/18 (31,744 prefixes)
times metrics 1..32: distinct routes to the kernel, like a full table's. IPv6: /64s of
2001:db8:100::/40. Even routes are proto bird, odd ones proto bgp, alternately via en1 and en5.
Requests go in batches of 500 without acks (errors are counted from the replies), as routing
daemons send them. Churn replaces a random route's gateway (NLM_F_REPLACE), every 10 ms a batch.
Prints a JSON line. With KIND=rewritable the routes are proto boot / static instead (vipad
gives them the VIPA source); `count` then also tells how many lack a source.
"""
import json
import os
import random
import socket
import struct
import sys
import time

RTM_NEWROUTE, RTM_GETROUTE = 24, 26
NLM_F_REQUEST, NLM_F_ROOT, NLM_F_MATCH = 0x1, 0x100, 0x200
NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE = 0x100, 0x200, 0x400
NLMSG_ERROR, NLMSG_DONE = 2, 3
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY = 1, 4, 5, 6
RT_TABLE_MAIN, RTN_UNICAST = 254, 1
# KIND=rewritable: the same table as proto boot / static routes, which vipad rewrites.
PROTOS = (3, 4) if os.environ.get("KIND") == "rewritable" else (12, 186)
RTA_PREFSRC = 7
V4_BASE = (10 << 24) | (68 << 16) | (64 << 8)  # 10.68.64.0/18


def v4_prefixes():
    out = []
    for plen in (32, 31, 30, 29, 28):
        step = 1 << (32 - plen)
        out += [(V4_BASE + a, plen) for a in range(0, 1 << 14, step)]
    return out


V4P = v4_prefixes()


def rta(atype, payload):
    pad = (4 - len(payload) % 4) % 4
    return struct.pack("HH", 4 + len(payload), atype) + payload + b"\0" * pad


class Table:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.s.bind((0, 0))
        self.s.setblocking(False)
        en1, en5 = socket.if_nametoindex("en1"), socket.if_nametoindex("en5")
        self.gw4 = [(socket.inet_aton("10.68.1.2"), en1), (socket.inet_aton("10.68.5.2"), en5)]
        self.gw6 = [(socket.inet_pton(socket.AF_INET6, "2001:db8:1::2"), en1),
                    (socket.inet_pton(socket.AF_INET6, "2001:db8:5::2"), en5)]
        self.seq = 0
        self.errors = {}

    def msg(self, family, i, via, flags):
        self.seq += 1
        if family == socket.AF_INET:
            a, plen = V4P[i % len(V4P)]
            dst, metric = struct.pack("!I", a), 1 + i // len(V4P)
            gw, oif = self.gw4[via]
        else:
            dst = struct.pack("!HHHH", 0x2001, 0xdb8, 0x100 + (i >> 16), i & 0xffff) + b"\0" * 8
            plen, metric = 64, 1024
            gw, oif = self.gw6[via]
        rt = struct.pack("BBBBBBBBI", family, plen, 0, 0, RT_TABLE_MAIN, PROTOS[i % 2], 0,
                         RTN_UNICAST, 0)
        attrs = (rta(RTA_DST, dst) + rta(RTA_PRIORITY, struct.pack("I", metric)) +
                 rta(RTA_GATEWAY, gw) + rta(RTA_OIF, struct.pack("i", oif)))
        body = rt + attrs
        return struct.pack("IHHII", 16 + len(body), RTM_NEWROUTE, NLM_F_REQUEST | flags,
                           self.seq, 0) + body

    def send(self, msgs):
        data = b"".join(msgs)
        while True:
            try:
                self.s.send(data)
                return
            except BlockingIOError:
                time.sleep(0.0005)
            except OSError as e:
                self.drain()
                if e.errno not in (105, 11):
                    raise

    def drain(self):
        while True:
            try:
                buf = self.s.recv(1 << 20)
            except (BlockingIOError, InterruptedError):
                return
            off = 0
            while off + 20 <= len(buf):
                mlen, mtype = struct.unpack_from("IH", buf, off)
                if mlen < 16:
                    break
                if mtype == NLMSG_ERROR:
                    err = -struct.unpack_from("i", buf, off + 16)[0]
                    if err:
                        self.errors[str(err)] = self.errors.get(str(err), 0) + 1
                off += (mlen + 3) & ~3


def load(t, n4, n6):
    flags = NLM_F_CREATE | NLM_F_EXCL
    for family, n in ((socket.AF_INET, n4), (socket.AF_INET6, n6)):
        for i in range(0, n, 500):
            t.send([t.msg(family, j, j % 2, flags) for j in range(i, min(n, i + 500))])
            t.drain()
    time.sleep(0.2)
    t.drain()


def churn(t, n4, n6, rate, secs):
    rng = random.Random(7)
    ops, start, tick = 0, time.monotonic(), 0.01
    while True:
        el = time.monotonic() - start
        if el >= secs:
            break
        due = int(rate * min(el + tick, secs)) - ops
        if due > 0:
            batch = []
            for _ in range(due):
                i = rng.randrange(n4 + n6)
                fam, j = (socket.AF_INET, i) if i < n4 else (socket.AF_INET6, i - n4)
                batch.append(t.msg(fam, j, rng.randrange(2), NLM_F_REPLACE))
            for k in range(0, len(batch), 500):  # a late tick's backlog in several sends
                t.send(batch[k:k + 500])
            ops += len(batch)
        t.drain()
        wake = start + (int(el / tick) + 1) * tick
        time.sleep(max(0.0, wake - time.monotonic()))
    elapsed = time.monotonic() - start
    time.sleep(0.2)
    t.drain()
    return ops, elapsed


def count():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.bind((0, 0))
    n = nosrc = 0
    for family in (socket.AF_INET, socket.AF_INET6):
        rt = struct.pack("BBBBBBBBI", family, 0, 0, 0, 0, 0, 0, 0, 0)
        s.send(struct.pack("IHHII", 16 + len(rt), RTM_GETROUTE,
                           NLM_F_REQUEST | NLM_F_ROOT | NLM_F_MATCH, 1, 0) + rt)
        done = False
        while not done:
            buf = s.recv(1 << 20)
            off = 0
            while off + 16 <= len(buf):
                mlen, mtype = struct.unpack_from("IH", buf, off)
                if mtype == NLMSG_DONE:
                    done = True
                    break
                if mtype == 24 and buf[off + 16 + 5] in PROTOS:
                    n += 1
                    a, has_src = off + 28, False
                    while a + 4 <= off + mlen:
                        alen, atype = struct.unpack_from("HH", buf, a)
                        if alen < 4:
                            break
                        has_src |= atype == RTA_PREFSRC
                        a += (alen + 3) & ~3
                    nosrc += not has_src
                off += (mlen + 3) & ~3
    return n, nosrc


def main():
    cmd = sys.argv[1]
    if cmd == "count":
        n, nosrc = count()
        print(json.dumps({"routes": n, "without_src": nosrc}))
        return
    t = Table()
    n4, n6 = int(sys.argv[2]), int(sys.argv[3])
    if n4 > 32 * len(V4P):
        sys.exit("at most %d IPv4 routes" % (32 * len(V4P)))
    t0 = time.monotonic()
    if cmd == "load":
        load(t, n4, n6)
        print(json.dumps({"loaded": n4 + n6, "seconds": round(time.monotonic() - t0, 2),
                          "errors": t.errors}))
    else:
        ops, el = churn(t, n4, n6, int(sys.argv[4]), float(sys.argv[5]))
        print(json.dumps({"ops": ops, "seconds": round(el, 3), "rate": round(ops / el),
                          "errors": t.errors}))


if __name__ == "__main__":
    main()
