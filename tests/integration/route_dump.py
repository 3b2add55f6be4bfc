#!/usr/bin/env python3
"""A route dump the kernel filters (NETLINK_GET_STRICT_CHK), as vipad sends it at start:

    route_dump.py FAMILY TABLE PROTOCOL     # FAMILY 4 or 6; TABLE 0 = every table; PROTOCOL 0 = any

Prints one line per route the kernel sent: "PROTOCOL TABLE DST/LEN". iproute2's `ip route show
proto X` filters in user space, so it cannot show what the kernel itself leaves out.
"""
import ipaddress
import socket
import struct
import sys

NETLINK_GET_STRICT_CHK = 12
SOL_NETLINK = 270
RTM_GETROUTE, NLMSG_ERROR, NLMSG_DONE = 26, 2, 3
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
RTA_DST, RTA_TABLE = 1, 15


def main():
    fam = socket.AF_INET if sys.argv[1] == "4" else socket.AF_INET6
    table, proto = int(sys.argv[2]), int(sys.argv[3])
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1)
    s.bind((0, 0))
    attrs = struct.pack("HHI", 8, RTA_TABLE, table) if table else b""
    rtm = struct.pack("BBBBBBBBI", fam, 0, 0, 0, 0, proto, 0, 0, 0)
    body = rtm + attrs
    s.send(struct.pack("IHHII", 16 + len(body), RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + body)
    while True:
        data = s.recv(1 << 20)
        off = 0
        while off + 16 <= len(data):
            ln, typ, _flags, _seq, _pid = struct.unpack_from("IHHII", data, off)
            if typ == NLMSG_DONE:
                return 0
            if typ == NLMSG_ERROR:
                err = struct.unpack_from("i", data, off + 16)[0]
                if err:
                    print(f"error {-err}", file=sys.stderr)
                    return 1
            else:
                f, dlen, _s, _t, tbl, prot, _sc, _ty, _fl = struct.unpack_from("BBBBBBBBI", data, off + 16)
                dst = "default"
                a = off + 16 + 12
                while a + 4 <= off + ln:
                    alen, atype = struct.unpack_from("HH", data, a)
                    if alen < 4:
                        break
                    if atype == RTA_DST:
                        dst = str(ipaddress.ip_address(data[a + 4:a + alen]))
                    elif atype == RTA_TABLE:
                        tbl = struct.unpack_from("I", data, a + 4)[0]
                    a += (alen + 3) & ~3
                print(f"{prot} {tbl} {dst}/{dlen}")
            off += (ln + 3) & ~3


if __name__ == "__main__":
    sys.exit(main())
