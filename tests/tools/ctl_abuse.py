#!/usr/bin/env python3
"""Hostile clients for vipad's control socket (docs/control-protocol.md, docs/security.md).

Used by tests/integration/test_control_abuse.sh; each subcommand is one attack, prints one line
per observation, and exits 0 when vipad behaved as documented, 1 when it did not, 3 when the
socket could not be reached at all (the errno name is printed, e.g. "connect: EACCES").

  ctl_abuse.py SOCK request LINE [--expect CODE|ok]   one request, its answer
  ctl_abuse.py SOCK many --count 1000 --limit 256     connections at once: busy past the limit
  ctl_abuse.py SOCK big-lines --size 10485760 --clients 4
  ctl_abuse.py SOCK boundary --max 65536               the longest line accepted, one more refused
  ctl_abuse.py SOCK garbage                            malformed, mistyped, unknown, huge, invalid UTF-8
  ctl_abuse.py SOCK deep                               deeply nested JSON, inside and past the limit
  ctl_abuse.py SOCK hangups --count 300                half lines and unread answers, then close
  ctl_abuse.py SOCK idle-hold --count 64 --report F    connect, never send; record when vipad closes
  ctl_abuse.py SOCK flood --seconds 4 --max-latency 1  one client pipelines requests without pause
  ctl_abuse.py SOCK pileup --clients 64 --max-latency 1   many pipeline and never read

Only the standard library: it runs as root and as nobody, wherever the test copies it.
"""

import argparse
import errno
import json
import os
import resource
import selectors
import socket
import sys
import threading
import time

FAILED = False


def report(ok, what):
    global FAILED
    if not ok:
        FAILED = True
    print(("ok   " if ok else "BAD  ") + what, flush=True)


def connect(path, timeout=10.0):
    """A connected socket with `timeout` set. A Unix socket's connect() fails with EAGAIN while
    the listen backlog is full (Python's timeout mode makes it non-blocking): retry until vipad
    has accepted enough to make room, or the timeout passes."""
    deadline = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(path)
            return s
        except BlockingIOError as e:
            s.close()
            if time.monotonic() > deadline:
                raise ConnectError(e) from e
            time.sleep(0.005)
        except OSError as e:
            s.close()
            raise ConnectError(e) from e


class ConnectError(Exception):
    def __init__(self, e):
        super().__init__(f"connect: {errno.errorcode.get(e.errno, e.errno)} ({e.strerror})")


def read_line(s, limit=1 << 24):
    """One answer line; b"" when the peer closed first (EOF or reset)."""
    buf = b""
    while not buf.endswith(b"\n"):
        try:
            d = s.recv(65536)
        except ConnectionResetError:
            break
        if not d:
            break
        buf += d
        if len(buf) > limit:
            break
    return buf


def read_until_closed(s, timeout):
    """Everything the peer sends until it closes; None on timeout (peer kept it open)."""
    s.settimeout(timeout)
    buf = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return buf
            buf += d
    except ConnectionResetError:
        return buf
    except socket.timeout:
        return None


def skip_value(raw, i):
    """(end, depth): where the JSON value at raw[i] ends and how deeply it nests. Iterative,
    because Python's own json module gives up at about 1000 levels."""
    depth = deepest = 0
    in_str = esc = False
    while i < len(raw):
        c = raw[i]
        if in_str:
            if esc:
                esc = False
            elif c == 0x5C:  # backslash
                esc = True
            elif c == 0x22:
                in_str = False
        elif c == 0x22:
            in_str = True
        elif c in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in b"]}":
            depth -= 1
            if depth == 0:
                return i + 1, deepest
        elif depth == 0 and c in b",}":
            return i, 0
        i += 1
    return len(raw), deepest


def parse_answer(raw):
    """The answer line as a dict, or None when it is not one well-formed protocol answer. An
    echoed "id" (vipad's keys come sorted, so it is first) is measured rather than decoded:
    the result then has "id_depth" instead."""
    if not raw.endswith(b"\n") or raw.count(b"\n") != 1:
        return None
    id_depth = None
    if raw.startswith(b'{"id":[') or raw.startswith(b'{"id":{'):
        end, id_depth = skip_value(raw, 6)
        raw = b"{" + raw[end + 1:] if raw[end:end + 1] == b"," else None
        if raw is None:
            return None
    try:
        a = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if id_depth is not None and isinstance(a, dict):
        a["id_depth"] = id_depth
    if not isinstance(a, dict) or a.get("v") != 1 or not isinstance(a.get("ok"), bool):
        return None
    if not a["ok"] and not isinstance(a.get("error", {}).get("code"), str):
        return None
    return a


def code_of(a):
    return "ok" if a["ok"] else a["error"]["code"]


def ask(path, line, timeout=10.0):
    s = connect(path, timeout)
    try:
        s.sendall(line if line.endswith(b"\n") else line + b"\n")
        return read_line(s)
    finally:
        s.close()


def version_latency(path, timeout=30.0):
    """Seconds a fresh client waits for a `version` answer (inf when it gets none)."""
    t0 = time.monotonic()
    try:
        a = parse_answer(ask(path, b'{"cmd":"version"}', timeout))
    except (OSError, ConnectError):
        return float("inf")
    return time.monotonic() - t0 if a and a["ok"] else float("inf")


def waited(lat):
    return "no answer in time" if lat == float("inf") else f"{lat:.3f} s"


def rss_kib(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.strip()
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


# ---------------------------------------------------------------- subcommands


def cmd_request(a):
    raw = ask(a.sock, a.line.encode("utf-8", "surrogateescape"))
    sys.stdout.write(raw.decode("utf-8", "replace"))
    ans = parse_answer(raw)
    if ans is None:
        report(False, f"not one protocol answer: {raw[:200]!r}")
    elif a.expect:
        report(code_of(ans) == a.expect, f"answer {code_of(ans)} (expected {a.expect})")


def cmd_many(a):
    # Every connection is held at once, so the test needs that many descriptors.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = a.count + 64
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(need, min(hard, need)), max(hard, need)))
    socks = []
    t0 = time.monotonic()
    for _ in range(a.count):
        # A blocking connect waits while the listen backlog is full, until vipad accepts.
        socks.append(connect(a.sock, timeout=30))
    print(f"     {a.count} connections open in {time.monotonic() - t0:.2f} s", flush=True)

    # vipad writes "busy" and closes at once past its limit; the others hear nothing yet.
    sel = selectors.DefaultSelector()
    for i, s in enumerate(socks):
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, i)
    busy, bad, data = set(), [], {}
    deadline = time.monotonic() + 15
    while len(busy) + len(bad) < a.count - a.limit and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            i = key.data
            try:
                d = key.fileobj.recv(4096)
            except (BlockingIOError, ConnectionResetError):
                d = b""
            data[i] = data.get(i, b"") + d
            if d and not data[i].endswith(b"\n"):
                continue
            sel.unregister(key.fileobj)
            ans = parse_answer(data[i])
            if ans and code_of(ans) == "busy":
                busy.add(i)
            else:
                bad.append((i, data[i][:120]))
    time.sleep(0.3)  # anything else that vipad might (wrongly) still send
    for key, _ in list(sel.select(timeout=0)):
        bad.append((key.data, b"unexpected data or close on an accepted connection"))
    sel.close()
    accepted = [i for i in range(a.count) if i not in busy and i not in {b[0] for b in bad}]
    report(len(busy) == a.count - a.limit, f"{len(busy)} connections answered busy and closed "
           f"(expected {a.count - a.limit})")
    report(len(accepted) == a.limit, f"{len(accepted)} connections accepted (limit {a.limit})")
    report(not bad, f"{len(bad)} connections got something else" +
           (f", first: {bad[0]}" if bad else ""))

    # Every accepted client, all at once: a status request each, answered correctly.
    for i in accepted:
        socks[i].setblocking(True)
        socks[i].settimeout(30)
        socks[i].sendall(b'{"cmd":"status","id":%d}\n' % i)
    wrong = []
    for i in accepted:
        ans = parse_answer(read_line(socks[i]))
        if not ans or not ans["ok"] or ans.get("id") != i or not ans["result"].get("vipas"):
            wrong.append(i)
    report(not wrong, f"{len(accepted) - len(wrong)}/{len(accepted)} accepted clients got their "
           "own status answer")
    for s in socks:
        s.close()
    # The slots free as vipad sees the hang-ups; a normal client is then served promptly.
    lat = float("inf")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lat = version_latency(a.sock, timeout=5)
        if lat != float("inf"):
            break
        time.sleep(0.05)
    report(lat < a.max_latency, f"a new client served after they left: {waited(lat)}")


def cmd_big_lines(a):
    # Each client pushes `size` bytes of one line (a JSON string that never ends) and reads at
    # the same time; vipad must answer too_large after at most a few 64 KiB and hang up.
    chunk = b"x" * 65536
    results = [None] * a.clients

    def one(k):
        try:
            s = connect(a.sock, timeout=20)
        except ConnectError as e:
            results[k] = ("connect", str(e))
            return
        s.setblocking(False)
        sent, got, closed, writing = 0, b"", False, True
        pending = b'{"cmd":"status","pad":"'
        deadline = time.monotonic() + 30
        sel = selectors.DefaultSelector()
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
        while not closed and time.monotonic() < deadline:
            for _, ev in sel.select(timeout=1):
                if ev & selectors.EVENT_READ:
                    try:
                        d = s.recv(65536)
                    except ConnectionResetError:
                        d = b""
                    if d:
                        got += d
                    else:
                        closed = True
                if ev & selectors.EVENT_WRITE and writing:
                    if not pending:
                        pending = chunk[: min(len(chunk), a.size - sent)]
                    try:
                        n = s.send(pending)
                        sent += n
                        pending = pending[n:]
                    except (BlockingIOError, InterruptedError):
                        pass
                    except (BrokenPipeError, ConnectionResetError):
                        # vipad hung up; its answer may still be queued for us to read.
                        writing = False
                    if sent >= a.size:
                        writing = False
                    if not writing:
                        sel.modify(s, selectors.EVENT_READ)
        sel.close()
        s.close()
        results[k] = ("done", sent, got, closed)

    t0 = time.monotonic()
    threads = [threading.Thread(target=one, args=(k,)) for k in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - t0
    for k, r in enumerate(results):
        if r[0] == "connect":
            report(False, f"client {k}: {r[1]}")
            continue
        _, sent, got, closed = r
        ans = parse_answer(got)
        report(ans is not None and code_of(ans) == "too_large" and closed,
               f"client {k}: answer {code_of(ans) if ans else got[:80]!r}, closed={closed}, "
               f"after {sent} of {a.size} bytes written")
    print(f"     {a.clients} clients done in {took:.2f} s", flush=True)


def cmd_boundary(a):
    def padded(total):
        # A valid request of exactly `total` bytes before the newline.
        head, tail = b'{"cmd":"version","pad":"', b'"}'
        return head + b"p" * (total - len(head) - len(tail)) + tail

    ans = parse_answer(ask(a.sock, padded(a.max)))
    report(ans is not None and ans["ok"], f"a {a.max}-byte line is served: "
           f"{code_of(ans) if ans else 'no answer'}")
    s = connect(a.sock)
    s.sendall(padded(a.max + 1) + b"\n")
    got = read_until_closed(s, 5)
    s.close()
    ans = parse_answer(got) if got is not None else None
    report(ans is not None and code_of(ans) == "too_large",
           f"a {a.max + 1}-byte line gets too_large and the connection is closed: "
           f"{'still open' if got is None else got[:100]!r}")


def garbage_cases():
    """(label, request line bytes, acceptable answer codes)."""
    big = b"9" * 4000
    return [
        ("empty object", b"{}", {"bad_request"}),
        ("truncated json", b'{"cmd":', {"bad_request"}),
        ("not json", b"status please", {"bad_request"}),
        ("array", b'["status"]', {"bad_request"}),
        ("string", b'"status"', {"bad_request"}),
        ("number", b"42", {"bad_request"}),
        ("null", b"null", {"bad_request"}),
        ("trailing garbage", b'{"cmd":"version"} {"cmd":"status"}', {"bad_request"}),
        ("single quotes", b"{'cmd':'version'}", {"bad_request"}),
        ("comment", b'{"cmd":"version" /* hi */}', {"bad_request"}),
        ("cmd number", b'{"cmd":5}', {"bad_request"}),
        ("cmd null", b'{"cmd":null}', {"bad_request"}),
        ("cmd array", b'{"cmd":["status"]}', {"bad_request"}),
        ("cmd object", b'{"cmd":{"x":"status"}}', {"bad_request"}),
        ("duplicate keys", b'{"cmd":"version","cmd":"status"}', {"ok"}),
        ("v string", b'{"v":"1","cmd":"version"}', {"bad_version"}),
        ("v 2", b'{"v":2,"cmd":"version"}', {"bad_version"}),
        ("v null", b'{"v":null,"cmd":"version"}', {"bad_version"}),
        ("v huge", b'{"v":1e999,"cmd":"version"}', {"bad_version", "bad_request"}),
        ("v -1", b'{"v":-1,"cmd":"version"}', {"bad_version"}),
        ("show name number", b'{"cmd":"show","name":5}', {"bad_request"}),
        ("show name null", b'{"cmd":"show","name":null}', {"bad_request"}),
        ("show name object", b'{"cmd":"show","name":{"a":1}}', {"bad_request"}),
        ("show no name", b'{"cmd":"show"}', {"bad_request"}),
        ("show unknown", b'{"cmd":"show","name":"vi9"}', {"not_found"}),
        ("show nul name", b'{"cmd":"show","name":"vi0\\u0000x"}', {"not_found"}),
        ("routes family number", b'{"cmd":"routes","family":4}', {"ok", "bad_request"}),
        ("routes family odd", b'{"cmd":"routes","family":"inet7"}', {"ok", "bad_request"}),
        ("unknown cmd", b'{"cmd":"shutdown"}', {"unknown_command"}),
        ("shell cmd", b'{"cmd":"status; rm -rf /"}', {"unknown_command"}),
        ("empty cmd", b'{"cmd":""}', {"unknown_command"}),
        ("long cmd", b'{"cmd":"' + b"A" * 60000 + b'"}', {"unknown_command"}),
        ("huge int id", b'{"cmd":"version","id":' + big + b"}", {"ok", "bad_request"}),
        ("huge float id", b'{"cmd":"version","id":1e999}', {"ok", "bad_request"}),
        ("negative huge id", b'{"cmd":"version","id":-' + big + b"}", {"ok", "bad_request"}),
        ("u64 overflow id", b'{"cmd":"version","id":18446744073709551616}', {"ok"}),
        ("tiny float id", b'{"cmd":"version","id":1e-999}', {"ok"}),
        ("NaN literal", b'{"cmd":"version","id":NaN}', {"bad_request"}),
        ("invalid utf-8 cmd", b'{"cmd":"\xff\xfe"}', {"bad_request"}),
        ("invalid utf-8 id", b'{"cmd":"version","id":"\xc3\x28"}', {"bad_request"}),
        ("overlong utf-8", b'{"cmd":"version","id":"\xc0\xaf"}', {"bad_request"}),
        ("utf-8 surrogate bytes", b'{"cmd":"version","id":"\xed\xa0\x80"}', {"bad_request"}),
        ("lone surrogate escape", b'{"cmd":"version","id":"\\ud800"}', {"bad_request"}),
        ("invalid utf-8 key", b'{"cmd":"version","\xff":1}', {"bad_request"}),
        ("nul byte", b'{"cmd":"ver\x00sion"}', {"bad_request"}),
        ("valid utf-8 echoed", '{"cmd":"version","id":"vïpa ☃ 𝄞"}'.encode(), {"ok"}),
        ("control chars in string", b'{"cmd":"version","id":"a\x01b"}', {"bad_request"}),
        ("CR line end", b'{"cmd":"version"}\r', {"ok", "bad_request"}),
        # Changing commands with broken arguments: refused before anything changes (as root;
        # as another user they are refused earlier, with permission_denied).
        ("mkdev no name", b'{"cmd":"mkdev"}', {"bad_request", "permission_denied"}),
        ("mkdev path name", b'{"cmd":"mkdev","name":"../../etc/x","attrs":{}}',
         {"bad_request", "permission_denied"}),
        ("mkdev long name", b'{"cmd":"mkdev","name":"' + b"v" * 5000 + b'"}',
         {"bad_request", "permission_denied"}),
        ("mkdev attrs string", b'{"cmd":"mkdev","name":"vi7","attrs":"netaddr=1"}',
         {"bad_request", "permission_denied"}),
        ("mkdev attr number", b'{"cmd":"mkdev","name":"vi7","attrs":{"netaddr":10}}',
         {"bad_request", "permission_denied"}),
        ("mkdev nothing", b'{"cmd":"mkdev","name":"vi7","attrs":{}}',
         {"not_found", "invalid", "permission_denied"}),
        ("mkdev no address", b'{"cmd":"mkdev","name":"vi7","attrs":{"netmask":"255.255.255.0"}}',
         {"invalid", "permission_denied"}),
        ("mkdev bad addr", b'{"cmd":"mkdev","name":"vi7","attrs":{"netaddr":"10.68.6.999"}}',
         {"invalid", "permission_denied"}),
        ("mkdev huge prefixlen", b'{"cmd":"mkdev","name":"vi7","attrs":{"netaddr6":"2001:db8:7::1",'
         b'"prefixlen":"' + big + b'"}}', {"invalid", "permission_denied"}),
        ("mkdev bad ifname", b'{"cmd":"mkdev","name":"vi7","attrs":{"netaddr":"10.68.7.1",'
         b'"interface_names":"en1,a/b"}}', {"invalid", "permission_denied"}),
        ("mkdev existing", b'{"cmd":"mkdev","name":"vi0","attrs":{"netaddr":"10.68.6.1"}}',
         {"exists", "permission_denied"}),
        ("chdev mode number", b'{"cmd":"chdev","name":"vi0","attrs":{"state":"up"},"mode":3}',
         {"bad_request", "permission_denied"}),
        ("chdev mode odd", b'{"cmd":"chdev","name":"vi0","attrs":{"state":"up"},"mode":"now"}',
         {"bad_request", "permission_denied"}),
        ("chdev no attrs", b'{"cmd":"chdev","name":"vi0"}', {"bad_request", "permission_denied"}),
        ("chdev unknown attr", b'{"cmd":"chdev","name":"vi0","attrs":{"mtu":"1500"}}',
         {"invalid", "permission_denied"}),
        ("chdev bad mask", b'{"cmd":"chdev","name":"vi0","attrs":{"netmask":"255.0.255.0"}}',
         {"invalid", "permission_denied"}),
        ("chdev unknown vipa", b'{"cmd":"chdev","name":"vi9","attrs":{"state":"up"}}',
         {"not_found", "permission_denied"}),
        ("rmdev delete string", b'{"cmd":"rmdev","name":"vi9","delete":"yes"}',
         {"bad_request", "not_found", "permission_denied"}),
        ("rmdev unknown", b'{"cmd":"rmdev","name":"vi9"}', {"not_found", "permission_denied"}),
    ]


def cmd_garbage(a):
    # All cases over one connection first: a bad request must not end it (only too_large does),
    # and answers come back in order (each carries its id when the request had a usable one).
    s = connect(a.sock)
    for label, line, codes in garbage_cases():
        s.sendall(line + b"\n")
        ans = parse_answer(read_line(s))
        report(ans is not None and code_of(ans) in codes,
               f"{label}: {code_of(ans) if ans else 'no answer'} (expected {'/'.join(sorted(codes))})")
        if ans is None:
            s.close()
            s = connect(a.sock)
    s.sendall(b'{"cmd":"version","id":"still-here"}\n')
    ans = parse_answer(read_line(s))
    report(ans is not None and ans["ok"] and ans.get("id") == "still-here",
           "the same connection still serves a good request after all of them")
    s.close()
    # The same cases pipelined in one write: one answer each, in order.
    cases = garbage_cases()
    s = connect(a.sock)
    s.sendall(b"".join(line + b"\n" for _, line, _ in cases) + b'{"cmd":"version","id":"end"}\n')
    answers = []
    buf = b""
    s.settimeout(20)
    while len(answers) < len(cases) + 1:
        d = s.recv(1 << 20)
        if not d:
            break
        buf += d
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            answers.append(parse_answer(line + b"\n"))
    s.close()
    in_order = len(answers) == len(cases) + 1 and all(
        ans is not None and code_of(ans) in codes for ans, (_, _, codes) in zip(answers, cases))
    report(in_order and answers[-1].get("id") == "end",
           f"{len(cases)} bad requests pipelined in one write: {len(answers)} answers in order")


def nested(depth, open_=b"[", close=b"]", inner=b""):
    return open_ * depth + inner + close * depth


def cmd_deep(a):
    # nlohmann's parser is iterative, but copying a value (the echoed "id") and dumping it are
    # recursive: the depth any request may reach is bounded by the 64 KiB line, not by vipad.
    cases = [
        ("100000 nested arrays (past the line limit)",
         b'{"cmd":"version","id":' + nested(100000) + b"}", {"too_large"}, True),
        ("32000 nested arrays as id", b'{"cmd":"version","id":' + nested(32000) + b"}",
         {"ok", "bad_request"}, False),
        ("10500 nested objects as id",
         b'{"cmd":"version","id":' + nested(10500, b'{"a":', b"}", b"1") + b"}",
         {"ok", "bad_request"}, False),
        ("32000 nested arrays as name", b'{"cmd":"show","name":' + nested(32000) + b"}",
         {"bad_request"}, False),
        ("32000 nested arrays as v", b'{"v":' + nested(32000) + b',"cmd":"version"}',
         {"bad_version", "bad_request"}, False),
        ("32000 nested arrays as attrs value",
         b'{"cmd":"chdev","name":"vi0","attrs":{"state":' + nested(32000) + b"}}",
         {"bad_request", "permission_denied"}, False),
        ("32000 nested arrays as the request", nested(32000), {"bad_request"}, False),
        ("65000 unclosed arrays", b"[" * 65000, {"bad_request"}, False),
    ]
    for label, line, codes, closes in cases:
        try:
            s = connect(a.sock)
        except ConnectError as e:
            report(False, f"{label}: {e} (vipad gone?)")
            continue
        try:
            s.sendall(line + b"\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # vipad hung up early (too_large); its answer is still queued for us
        got = read_until_closed(s, 10) if closes else read_line(s)
        s.close()
        ans = parse_answer(got) if got else None
        report(ans is not None and code_of(ans) in codes,
               f"{label} ({len(line)} bytes): {code_of(ans) if ans else 'connection dropped, no answer'}")
        if ans is not None and "id_depth" in ans:
            print(f"     (echoed id nested {ans['id_depth']} deep)", flush=True)


def cmd_hangups(a):
    # Half a request, then close; a full request, then close without reading its answer; a
    # request whose answer is large (routes), then close mid-read.
    for i in range(a.count):
        s = connect(a.sock)
        kind = i % 3
        if kind == 0:
            s.sendall(b'{"cmd":"sta')
        elif kind == 1:
            s.sendall(b'{"cmd":"status"}\n')
        else:
            s.sendall(b'{"cmd":"routes"}\n' * 50)
            s.recv(100)
        s.close()
    lat = version_latency(a.sock)
    report(lat < a.max_latency, f"{a.count} hang-ups mid-request; next client served: {waited(lat)}")


def cmd_idle_hold(a):
    # Clients that connect and never send, one that sends half a request and stops, and a
    # monitor subscriber (which may stay silent for ever). The report says when vipad closed
    # each; the test checks others are served meanwhile.
    socks = {}
    for i in range(a.count):
        socks[f"idle{i}"] = connect(a.sock)
    half = connect(a.sock)
    half.sendall(b'{"cmd":"status"')
    socks["half"] = half
    mon = connect(a.sock)
    mon.sendall(b'{"cmd":"monitor"}\n')
    ans = parse_answer(read_line(mon))
    socks["monitor"] = mon
    t0 = time.monotonic()
    with open(a.report + ".tmp", "w") as f:
        json.dump({"connected": True, "monitor_subscribed": bool(ans and ans["ok"])}, f)
    os.rename(a.report + ".tmp", a.report)

    sel = selectors.DefaultSelector()
    for name, s in socks.items():
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, name)
    closed = {}
    # Until every non-monitor client is closed, then 2 s more: the monitor outlives the timeout.
    settle = None
    while time.monotonic() - t0 < a.max_wait and (settle is None or time.monotonic() < settle):
        if settle is None and len(closed) >= len(socks) - 1 and "monitor" not in closed:
            settle = time.monotonic() + 2
        for key, _ in sel.select(timeout=0.2):
            try:
                d = key.fileobj.recv(65536)
            except (BlockingIOError, ConnectionResetError):
                d = b""
            if not d:
                closed[key.data] = round(time.monotonic() - t0, 2)
                sel.unregister(key.fileobj)
    idle = sorted(v for k, v in closed.items() if k.startswith("idle"))
    result = {
        "connected": True,
        "held_seconds": round(time.monotonic() - t0, 2),
        "idle_clients": a.count,
        "idle_closed": len(idle),
        "idle_first_closed": idle[0] if idle else None,
        "idle_last_closed": idle[-1] if idle else None,
        "half_closed": closed.get("half"),
        "monitor_closed": closed.get("monitor"),
    }
    for s in socks.values():
        s.close()
    with open(a.report + ".tmp", "w") as f:
        json.dump(result, f)
    os.rename(a.report + ".tmp", a.report)
    print(json.dumps(result))


def cmd_flood(a):
    # One client that writes requests back to back and reads its answers as fast as they come:
    # legitimate per request, but vipad must still serve others and its own events meanwhile.
    s = connect(a.sock)
    stop = threading.Event()
    answers = [0]

    def reader():
        while not stop.is_set():
            try:
                d = s.recv(1 << 20)
            except OSError:
                break
            if not d:
                break
            answers[0] += d.count(b"\n")

    t_end = time.monotonic() + a.seconds

    def writer():
        # Stops on its own at the end, so a starved probe is answered (late) once vipad has
        # worked through the backlog, and its wait is measured rather than timed out.
        burst = (b'{"cmd":"%s"}\n' % a.cmd.encode()) * 1000
        while not stop.is_set() and time.monotonic() < t_end:
            try:
                s.sendall(burst)
            except OSError:
                break

    threads = [threading.Thread(target=reader, daemon=True),
               threading.Thread(target=writer, daemon=True)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    lat = []
    while time.monotonic() < t_end:
        lat.append(version_latency(a.sock, timeout=a.seconds + 60))
        time.sleep(0.1)
    stop.set()
    s.shutdown(socket.SHUT_RDWR)
    s.close()
    worst = max(lat) if lat else float("inf")
    report(worst < a.max_latency,
           f"while one client pipelined '{a.cmd}' ({answers[0]} answers), {len(lat)} other "
           f"clients were served; worst wait {waited(worst)} (limit {a.max_latency} s)")


def cmd_pileup(a):
    # Many clients each write a large batch of status requests and never read an answer: vipad
    # must neither compute a mountain of answers nobody reads (others wait) nor buffer them.
    before = rss_kib(a.pid) if a.pid else None
    socks = [connect(a.sock) for _ in range(a.clients)]
    burst = b'{"cmd":"status"}\n' * 4000
    for s in socks:
        s.setblocking(False)
        try:
            s.send(burst)
        except (BlockingIOError, BrokenPipeError, ConnectionResetError):
            pass
    time.sleep(0.2)
    lat = version_latency(a.sock, timeout=30)
    during = rss_kib(a.pid) if a.pid else None
    for s in socks:
        s.close()
    report(lat < a.max_latency, f"{a.clients} clients with {len(burst) // 17} unread status "
           f"requests each; another client waited {waited(lat)} (limit {a.max_latency} s)")
    if a.pid:
        grow = (during[1] - before[1]) // 1024
        report(grow < a.max_growth_mib, f"vipad's peak RSS grew {grow} MiB "
               f"(limit {a.max_growth_mib} MiB; RSS {before[0] // 1024} -> {during[0] // 1024} MiB)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("sock")
    sub = p.add_subparsers(dest="action", required=True)
    x = sub.add_parser("request")
    x.add_argument("line")
    x.add_argument("--expect")
    x = sub.add_parser("many")
    x.add_argument("--count", type=int, default=1000)
    x.add_argument("--limit", type=int, default=256)
    x.add_argument("--max-latency", type=float, default=1.0)
    x = sub.add_parser("big-lines")
    x.add_argument("--size", type=int, default=10 << 20)
    x.add_argument("--clients", type=int, default=4)
    x = sub.add_parser("boundary")
    x.add_argument("--max", type=int, default=65536)
    sub.add_parser("garbage")
    sub.add_parser("deep")
    x = sub.add_parser("hangups")
    x.add_argument("--count", type=int, default=300)
    x.add_argument("--max-latency", type=float, default=1.0)
    x = sub.add_parser("idle-hold")
    x.add_argument("--count", type=int, default=64)
    x.add_argument("--report", required=True)
    x.add_argument("--max-wait", type=float, default=40)
    x = sub.add_parser("flood")
    x.add_argument("--cmd", default="status")
    x.add_argument("--seconds", type=float, default=3)
    x.add_argument("--max-latency", type=float, default=1.0)
    x = sub.add_parser("pileup")
    x.add_argument("--clients", type=int, default=64)
    x.add_argument("--pid", type=int)
    x.add_argument("--max-latency", type=float, default=1.0)
    x.add_argument("--max-growth-mib", type=int, default=16)
    a = p.parse_args()
    try:
        globals()["cmd_" + a.action.replace("-", "_")](a)
    except ConnectError as e:
        print(e, flush=True)
        sys.exit(3)
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
