#!/usr/bin/env python3
"""The two ends of the lab's telnet session, outside telnet itself.

stream.py gen STOP SENT   writes L1, L2, ... on stdout, one every 10 ms, until the file STOP
                          exists; then writes the number of lines sent into SENT, waits for the
                          last echoes and ends, which closes telnet's stdin and the session.
stream.py stamp           copies stdin to stdout line by line, each prefixed with the time it
                          arrived (seconds since the epoch).
"""
import os
import sys
import time

PERIOD = 0.010


def gen(stop, sent):
    # telnetd starts the session program after its option negotiation: lines sent earlier
    # would be echoed by the terminal as well.
    time.sleep(1.0)
    n = 0
    due = time.monotonic()
    out = sys.stdout
    while not os.path.exists(stop):
        n += 1
        out.write("L%d\n" % n)
        out.flush()
        due += PERIOD
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            due = time.monotonic()  # fell behind (a stalled pipe): no burst to catch up
    with open(sent, "w") as f:
        f.write("%d\n" % n)
    time.sleep(2.0)


def stamp():
    out = sys.stdout
    for raw in sys.stdin.buffer:
        t = time.time()
        text = raw.replace(b"\0", b"").rstrip(b"\r\n").decode("ascii", "replace")
        out.write("%.6f %s\n" % (t, text))
        out.flush()


def main():
    try:
        if sys.argv[1] == "gen":
            gen(sys.argv[2], sys.argv[3])
        elif sys.argv[1] == "stamp":
            stamp()
        else:
            raise IndexError
    except IndexError:
        sys.exit(__doc__)
    except (BrokenPipeError, KeyboardInterrupt):
        pass


if __name__ == "__main__":
    main()
