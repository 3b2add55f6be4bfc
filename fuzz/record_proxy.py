#!/usr/bin/env python3
"""A unix-socket proxy that records a control session, for control_fuzz's corpus.

record_proxy.py LISTEN UPSTREAM REQUESTS ANSWERS
Relays every connection on LISTEN to UPSTREAM (vipad's control socket) and appends what the
client sent to REQUESTS and what vipad answered to ANSWERS, byte for byte (one JSON object a
line on both sides). Runs until killed.
"""
import os
import selectors
import socket
import sys


def main():
    listen, upstream, req_path, ans_path = sys.argv[1:5]
    if os.path.exists(listen):
        os.unlink(listen)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(listen)
    srv.listen(16)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ)
    req, ans = open(req_path, "ab"), open(ans_path, "ab")
    peer = {}
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if s is srv:
                c, _ = srv.accept()
                u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                u.connect(upstream)
                peer[c], peer[u] = (u, req), (c, ans)
                sel.register(c, selectors.EVENT_READ)
                sel.register(u, selectors.EVENT_READ)
                continue
            other, log = peer[s]
            data = s.recv(65536)
            if not data:
                for x in (s, other):
                    sel.unregister(x)
                    peer.pop(x, None)
                    x.close()
                continue
            log.write(data)
            log.flush()
            other.sendall(data)


if __name__ == "__main__":
    main()
