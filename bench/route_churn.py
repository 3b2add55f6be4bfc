#!/usr/bin/env python3
"""Another route manager at work: adds and deletes IPv4 routes via en1 and en5 at a fixed rate.

    route_churn.py RATE SECONDS LIVE [READY_FILE]

Run it inside the host namespace. First LIVE routes are added (10.68.128.0/17 host routes,
alternately via 10.68.1.2 dev en1 and 10.68.5.2 dev en5, proto boot, no source), then for
SECONDS it adds the next route and deletes the oldest, RATE operations a second in all (half
adds, half deletes), sent every 10 ms as one batch of rtnetlink requests without acks, as a
routing daemon does. At the end LIVE routes are left. Prints a JSON line: operations done, the
rate achieved, and the kernel's errors by errno.
"""
import json
import os
import socket
import struct
import sys
import time

RTM_NEWROUTE, RTM_DELROUTE = 24, 25
NLM_F_REQUEST, NLM_F_EXCL, NLM_F_CREATE = 0x1, 0x200, 0x400
NLMSG_ERROR = 2
RTA_DST, RTA_OIF, RTA_GATEWAY = 1, 4, 5
RT_TABLE_MAIN, RTPROT_BOOT, RTN_UNICAST, RT_SCOPE_NOWHERE = 254, 3, 1, 255
POOL = 1 << 15  # the /32s of 10.68.128.0/17
BASE = (10 << 24) | (68 << 16) | (128 << 8)


def rta(atype, payload):
    return struct.pack("HH", 4 + len(payload), atype) + payload


class Churn:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.s.bind((0, 0))
        self.s.setblocking(False)
        self.gws = [(socket.inet_aton("10.68.1.2"), socket.if_nametoindex("en1")),
                    (socket.inet_aton("10.68.5.2"), socket.if_nametoindex("en5"))]
        self.seq = 0
        self.errors = {}

    def msg(self, slot, add):
        self.seq += 1
        dst = struct.pack("!I", BASE + slot % POOL)
        if add:
            gw, oif = self.gws[slot % 2]
            rt = struct.pack("BBBBBBBBI", socket.AF_INET, 32, 0, 0, RT_TABLE_MAIN, RTPROT_BOOT, 0,
                             RTN_UNICAST, 0)
            attrs = rta(RTA_DST, dst) + rta(RTA_GATEWAY, gw) + rta(RTA_OIF, struct.pack("i", oif))
            mtype, flags = RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL
        else:
            rt = struct.pack("BBBBBBBBI", socket.AF_INET, 32, 0, 0, RT_TABLE_MAIN, 0,
                             RT_SCOPE_NOWHERE, 0, 0)
            attrs = rta(RTA_DST, dst)
            mtype, flags = RTM_DELROUTE, NLM_F_REQUEST
        body = rt + attrs
        return struct.pack("IHHII", 16 + len(body), mtype, flags, self.seq, 0) + body

    def send(self, msgs):
        data = b"".join(msgs)
        while True:
            try:
                self.s.send(data)
                return
            except BlockingIOError:
                time.sleep(0.0005)
            except OSError as e:  # a full receive queue of error replies: drain and retry
                self.drain()
                if e.errno not in (105, 11):
                    raise

    def drain(self):
        while True:
            try:
                buf = self.s.recv(1 << 20)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                self.errors["recv:" + str(e.errno)] = self.errors.get("recv:" + str(e.errno), 0) + 1
                continue
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


def main():
    rate, secs, live = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
    c = Churn()
    for i in range(0, live, 500):
        c.send([c.msg(s, True) for s in range(i, min(live, i + 500))])
        c.drain()
    if len(sys.argv) > 4:
        open(sys.argv[4], "w").close()
    nxt = live  # next slot to add; the oldest live one is nxt - live
    ops = 0
    start = time.monotonic()
    tick = 0.01
    while True:
        el = time.monotonic() - start
        if el >= secs:
            break
        due = int(rate * min(el + tick, secs)) - ops
        if due >= 2:
            batch = []
            for _ in range(due // 2):
                batch.append(c.msg(nxt, True))
                batch.append(c.msg(nxt - live, False))
                nxt += 1
            c.send(batch)
            ops += len(batch)
        c.drain()
        wake = start + (int(el / tick) + 1) * tick
        time.sleep(max(0.0, wake - time.monotonic()))
    elapsed = time.monotonic() - start
    time.sleep(0.2)
    c.drain()
    print(json.dumps({"ops": ops, "adds": ops // 2, "deletes": ops // 2, "seconds": round(elapsed, 3),
                      "rate": round(ops / elapsed), "errors": c.errors,
                      "first_live": BASE + (nxt - live) % POOL, "live": live}))


if __name__ == "__main__":
    main()
