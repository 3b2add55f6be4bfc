#!/usr/bin/env python3
"""Timestamp rtnetlink link and route events as they reach a listener in this namespace.

    nl_events.py OUT [READY_FILE]

Writes one line per event to OUT, flushed at once:

    <monotonic ns> link <ifindex> <ifname> lower_up=<0|1> up=<0|1>
    <monotonic ns> newroute|delroute fam=<4|6> proto=<n> table=<n> oif=<n> dst=<prefix> src=<addr|->

The kernel stamps no time on netlink messages (SO_TIMESTAMPNS gives no control message on a
netlink socket), so the time is taken on receipt, as `ip -ts monitor` does. Run it with a real-time
priority (chrt -f) so that its own wake-up adds as little as possible to either end of an
interval. READY_FILE is created once the socket listens. Stops on SIGTERM.
"""
import os
import signal
import socket
import struct
import sys
import time

RTMGRP_LINK = 0x1
RTMGRP_IPV4_ROUTE = 0x40
RTMGRP_IPV6_ROUTE = 0x400
RTM_NEWLINK, RTM_NEWROUTE, RTM_DELROUTE = 16, 24, 25
IFF_UP, IFF_LOWER_UP = 0x1, 0x10000
IFLA_IFNAME = 3
RTA_DST, RTA_OIF, RTA_PREFSRC, RTA_TABLE = 1, 4, 7, 15
SO_RCVBUFFORCE = 33


def attrs(buf, off, end):
    while off + 4 <= end:
        alen, atype = struct.unpack_from("HH", buf, off)
        if alen < 4:
            return
        yield atype & 0x3FFF, buf[off + 4:off + alen]
        off += (alen + 3) & ~3


def addr_str(fam, raw):
    return socket.inet_ntop(socket.AF_INET if fam == 4 else socket.AF_INET6, raw)


def describe(buf, off, mlen, mtype):
    end = off + mlen
    body = off + 16
    if mtype == RTM_NEWLINK:
        _, _, idx, flags, _ = struct.unpack_from("BxHiII", buf, body)
        name = "?"
        for t, v in attrs(buf, body + 16, end):
            if t == IFLA_IFNAME:
                name = v.rstrip(b"\0").decode(errors="replace")
        return "link %d %s lower_up=%d up=%d" % (idx, name, bool(flags & IFF_LOWER_UP),
                                                 bool(flags & IFF_UP))
    fam, dlen, _, _, table, proto, _, _, _ = struct.unpack_from("BBBBBBBBI", buf, body)
    f = 4 if fam == socket.AF_INET else 6
    dst = "0.0.0.0" if f == 4 else "::"
    oif, src = 0, "-"
    for t, v in attrs(buf, body + 12, end):
        if t == RTA_DST:
            dst = addr_str(f, v)
        elif t == RTA_OIF:
            oif = struct.unpack("i", v[:4])[0]
        elif t == RTA_PREFSRC:
            src = addr_str(f, v)
        elif t == RTA_TABLE:
            table = struct.unpack("I", v[:4])[0]
    kind = "newroute" if mtype == RTM_NEWROUTE else "delroute"
    return "%s fam=%d proto=%d table=%d oif=%d dst=%s/%d src=%s" % (kind, f, proto, table, oif,
                                                                    dst, dlen, src)


def main():
    out = open(sys.argv[1], "w", buffering=1)
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
    s.bind((0, RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if len(sys.argv) > 2:
        open(sys.argv[2], "w").close()
    buf = bytearray(1 << 20)
    while True:
        try:
            n = s.recv_into(buf)
        except OSError as e:  # ENOBUFS: say so, the consumer decides what a gap means
            out.write("%d overrun %s\n" % (time.monotonic_ns(), e))
            continue
        t = time.monotonic_ns()
        off = 0
        while off + 16 <= n:
            mlen, mtype = struct.unpack_from("IH", buf, off)
            if mlen < 16:
                break
            if mtype in (RTM_NEWLINK, RTM_NEWROUTE, RTM_DELROUTE):
                out.write("%d %s\n" % (t, describe(buf, off, mlen, mtype)))
            off += (mlen + 3) & ~3


if __name__ == "__main__":
    try:
        main()
    except (KeyboardInterrupt, SystemExit):
        os._exit(0)
