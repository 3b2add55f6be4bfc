#!/usr/bin/env python3
"""The lab's service on the Dynamic VIPA, run on every host: it tells who answered.

dvipa_server.py NAME ADDRESS PORT

- PORT: one line "NAME\\n", then close (the client's "who owns it now").
- PORT+1: "NAME\\n", then every line received comes back as "NAME LINE\\n" (the long-lived
  stream of the whenidle test).

Single-threaded (selectors): a SIGSTOP of the host freezes it like the rest of the host.
"""
import selectors
import socket
import sys


def main():
    name, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sel = selectors.DefaultSelector()
    for p, kind in ((port, "who"), (port + 1, "echo")):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # The address may be held by the host before or after this starts: bind anyway.
        s.setsockopt(socket.SOL_IP, 15, 1)  # IP_FREEBIND
        s.bind((addr, p))
        s.listen(512)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, (kind, None))
    hello = (name + "\n").encode()
    while True:
        for key, _ in sel.select():
            kind, buf = key.data
            sock = key.fileobj
            if kind in ("who", "echo"):
                try:
                    c, _ = sock.accept()
                except OSError:
                    continue
                try:
                    c.sendall(hello)
                except OSError:
                    c.close()
                    continue
                if kind == "who":
                    c.close()
                else:
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ, ("conn", bytearray()))
                continue
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                sel.unregister(sock)
                sock.close()
                continue
            buf += data
            out = bytearray()
            while b"\n" in buf:
                line, _, rest = bytes(buf).partition(b"\n")
                buf[:] = rest
                out += name.encode() + b" " + line + b"\n"
            try:
                sock.setblocking(True)
                sock.sendall(out)
                sock.setblocking(False)
            except OSError:
                sel.unregister(sock)
                sock.close()


if __name__ == "__main__":
    main()
