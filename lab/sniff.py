#!/usr/bin/env python3
"""sniff.py OUT PORT IFACE...: records every TCP packet to or from PORT on the interfaces, one
line each: "TIME IFACE in|out FLAGS SEQ PAYLOAD_BYTES" (TIME in seconds since the epoch), and
every ICMP echo as "TIME IFACE in|out ICMP SEQ 0".
A packet capture without tcpdump: an AF_PACKET socket per interface (run it in the namespace
that owns them). Runs until killed.
"""
import select
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
FLAG_NAMES = ((0x01, "F"), (0x02, "S"), (0x04, "R"), (0x08, "P"), (0x10, "A"))


def tcp_fields(frame, port):
    if len(frame) < 14 + 20 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[9] == 1 and len(ip) >= ihl + 8 and ip[ihl] in (0, 8):  # echo reply, request
        return "ICMP", struct.unpack("!H", ip[ihl + 6:ihl + 8])[0], 0
    if ip[9] != 6 or len(ip) < ihl + 20:
        return None
    total = struct.unpack("!H", ip[2:4])[0]
    tcp = ip[ihl:]
    sport, dport, seq = struct.unpack("!HHI", tcp[:8])
    if port not in (sport, dport):
        return None
    doff = (tcp[12] >> 4) * 4
    flags = "".join(name for bit, name in FLAG_NAMES if tcp[13] & bit) or "-"
    return flags, seq, max(0, total - ihl - doff)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out_path, port, ifaces = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    socks = {}
    for name in ifaces:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.bind((name, 0))
        socks[s.fileno()] = (s, name)
    with open(out_path, "w", buffering=1) as out:
        out.write("# capture of TCP port %d on %s\n" % (port, " ".join(ifaces)))
        while True:
            ready, _, _ = select.select(list(socks), [], [])
            for fd in ready:
                s, name = socks[fd]
                frame, addr = s.recvfrom(256)
                t = time.time()
                f = tcp_fields(frame, port)
                if f:
                    way = "out" if addr[2] == PACKET_OUTGOING else "in"
                    out.write("%.6f %s %s %s %d %d\n" % (t, name, way, f[0], f[1], f[2]))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
