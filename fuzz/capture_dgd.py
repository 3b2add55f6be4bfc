#!/usr/bin/env python3
"""Captures what a real kernel sends to dead gateway detection, as dgd_fuzz's corpus.

Run by fuzz/capture-dgd.sh inside the prober's namespace (its link `a0`, 10.68.70.1/24 and
2001:db8:70::1/64, the gateway 10.68.70.2 / 2001:db8:70::2 in another namespace):
    capture_dgd.py OUTDIR
Asks the gateway's kernel what vipad's probes ask it (an ARP request, a neighbour solicitation,
ICMP echoes v4 and v6 with vipad's payload), receives the answers the way vipad's sockets
deliver them, and writes each as OUTDIR/cap-*.bin with dgd_fuzz's first byte: 0 ARP (no
Ethernet header), 1 neighbour advertisement (ICMPv6, no IPv6 header), 2 IPv4 packet with an
echo reply, 3 ICMPv6 echo reply, 4 a netlink datagram of neighbour events.
"""
import os
import select
import socket
import struct
import sys
import time

IFACE = "a0"
SELF4, GW4 = "10.68.70.1", "10.68.70.2"
GW6 = "2001:db8:70::2"  # the prober is 2001:db8:70::1 (capture-dgd.sh)
MAGIC = b"vipadgd1"  # core/dgd_packet.cpp: what vipad's echoes carry
ETH_P_ARP = 0x0806
RTMGRP_NEIGH = 0x4


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def wait(sock, accept, timeout=3.0):
    """The first datagram `accept` takes, within `timeout` seconds."""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            raise SystemExit("capture_dgd: no answer on %r" % sock)
        if select.select([sock], [], [], left)[0]:
            data, addr = sock.recvfrom(65536)
            if accept(data, addr):
                return data


def mac_of(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return bytes.fromhex(f.read().strip().replace(":", ""))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    written = []

    def save(name, selector, data):
        path = os.path.join(out, "cap-" + name + ".bin")
        with open(path, "wb") as f:
            f.write(bytes([selector]) + data)
        written.append(path)

    mac = mac_of(IFACE)
    ifindex = socket.if_nametoindex(IFACE)
    nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    nl.bind((0, RTMGRP_NEIGH))

    # ARP, as vipad's AF_PACKET SOCK_DGRAM socket sends and receives it.
    arp = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ARP))
    arp.bind((IFACE, ETH_P_ARP))
    req = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac, socket.inet_aton(SELF4),
                      b"\0" * 6, socket.inet_aton(GW4))
    arp.sendto(req, (IFACE, ETH_P_ARP, 0, 0, b"\xff" * 6))
    save("arp-reply", 0, wait(arp, lambda d, a: len(d) >= 28 and d[6:8] == b"\0\2"))

    # A neighbour solicitation for the gateway, answered by a solicited advertisement.
    icmp6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    icmp6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    icmp6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
    icmp6.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, IFACE.encode())
    target = socket.inet_pton(socket.AF_INET6, GW6)
    ns = struct.pack("!BBHI16s", 135, 0, 0, 0, target) + bytes([1, 1]) + mac
    # The gateway's solicited-node group (RFC 4291 2.7.1): its address ends in ::2.
    icmp6.sendto(ns, ("ff02::1:ff00:2", 0, 0, ifindex))  # the kernel fills in the checksum
    save("na-solicited", 1, wait(icmp6, lambda d, a: len(d) >= 24 and d[0] == 136))

    # ICMP echoes with vipad's payload (magic, serial, round).
    payload = MAGIC + struct.pack("!II", 7, 3)
    icmp4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    msg = struct.pack("!BBHHH", 8, 0, 0, 0x7670, 1) + payload
    msg = msg[:2] + struct.pack("!H", checksum(msg)) + msg[4:]
    icmp4.sendto(msg, (GW4, 0))
    save("echo4-reply", 2, wait(icmp4, lambda d, a: len(d) > 20 and d[(d[0] & 15) * 4] == 0))
    msg6 = struct.pack("!BBHHH", 128, 0, 0, 0x7670, 2) + payload
    icmp6.sendto(msg6, (GW6, 0, 0, ifindex))
    save("echo6-reply", 3, wait(icmp6, lambda d, a: len(d) >= 8 and d[0] == 129))

    # The neighbour events all this made (and a deletion), one datagram each.
    os.system("ip neigh del %s dev %s 2>/dev/null" % (GW4, IFACE))
    os.system("ip neigh replace %s lladdr 02:00:00:00:00:09 dev %s nud stale" % (GW6, IFACE))
    n = 0
    end = time.monotonic() + 1.0
    while n < 8 and time.monotonic() < end:
        if not select.select([nl], [], [], max(0.0, end - time.monotonic()))[0]:
            break
        save("neigh-event-%d" % n, 4, nl.recv(65536))
        n += 1
    if n == 0:
        raise SystemExit("capture_dgd: no neighbour event")
    for p in written:
        print(p)


if __name__ == "__main__":
    main()
