#!/usr/bin/env python3
"""timeline.py OUT.svg PACKETS RECEIVED EVENTS [BEFORE_S AFTER_S]

Draws the lab session's packets around each failure: one panel per line of EVENTS
("NAME T_FAIL SESSION_GAP_MS PING_GAP_MS"), four lanes (en1 and en5, in and out), a tick per
packet from PACKETS (sniff.py), telnet data tall and dark, ping echoes short and light, the
failure as a red line and, shaded, the session's stall as the remote user saw it (the
longest pause between two echoed lines in RECEIVED, stream.py stamp). Plain SVG written by
hand: no plotting library needed.
"""
import html
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from analyze import arrivals  # noqa: E402

LANES = (("en1", "in", "from r1"), ("en1", "out", "to r1"), ("en5", "in", "from r5"),
         ("en5", "out", "to r5"))
COLORS = {"in": "#1f5fa8", "out": "#2a8a3e"}
W, LEFT, RIGHT = 980, 120, 20
LANE_H, PANEL_TOP, PANEL_GAP = 26, 44, 40


def read_packets(path):
    pkts = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if line.startswith("#") or len(p) != 6:
                continue
            pkts.append((float(p[0]), p[1], p[2], p[3], int(p[5])))
    return pkts


def read_events(path):
    ev = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 2:
                ev.append((p[0], float(p[1]), p[2] if len(p) > 2 else "?",
                           p[3] if len(p) > 3 else "?"))
    return ev


def session_stall(received, t0, after):
    """The longest pause between two echoed lines that ends after the failure."""
    times = [t for t, _ in received]
    best = None
    for a, b in zip(times, times[1:]):
        if b > t0 and a < t0 + after and (best is None or b - a > best[1] - best[0]):
            best = (a, b)
    return best


def panel(out, y, name, t0, session_ms, ping_ms, pkts, received, before, after):
    span = before + after
    plot_w = W - LEFT - RIGHT

    def x(t):
        return LEFT + (t - (t0 - before)) / span * plot_w

    h = LANE_H * len(LANES)
    title = "%s failure: telnet session stalled %s ms, ping (every 10 ms) lost %s ms" % (
        name, session_ms, ping_ms)
    out.append('<text x="%d" y="%d" class="title">%s</text>' % (LEFT, y - 12, html.escape(title)))
    stall = session_stall(received, t0, after)
    if stall:
        out.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="#f6d9d5"/>' %
                   (x(stall[0]), y, max(1.0, x(stall[1]) - x(stall[0])), h))
    for i, (ifc, way, label) in enumerate(LANES):
        ly = y + i * LANE_H
        out.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#ccc"/>' %
                   (LEFT, ly, plot_w, LANE_H))
        out.append('<text x="%d" y="%d" class="lane">%s %s (%s)</text>' %
                   (LEFT - 8, ly + LANE_H * 0.65, ifc, way, label))
        for t, pi, pw, flags, size in pkts:
            if pi != ifc or pw != way or not (t0 - before <= t <= t0 + after):
                continue
            if flags == "ICMP":
                out.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#9aa" '
                           'stroke-width="0.8"/>' % (x(t), x(t), ly + LANE_H * 0.6, ly + LANE_H - 3))
            elif size > 0 or "R" in flags:
                color = "#d00" if "R" in flags else COLORS[way]
                out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="%s" '
                           'stroke-width="1.2"/>' % (x(t), x(t), ly + 3, ly + LANE_H - 3, color))
    # Time axis: every 100 ms, labelled relative to the failure.
    step = 0.1
    k = -int(before / step)
    while k * step <= after + 1e-9:
        tx = x(t0 + k * step)
        out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#ddd"/>' % (tx, tx, y, y + h))
        out.append('<text x="%.1f" y="%d" class="tick">%+d ms</text>' % (tx, y + h + 13,
                                                                       round(k * step * 1000)))
        k += 1
    out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#d00" stroke-width="2"/>' %
               (x(t0), x(t0), y - 4, y + h + 2))
    return y + h + 18 + PANEL_GAP


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    out_path, pkt_path, rcv_path, ev_path = sys.argv[1:5]
    before = float(sys.argv[5]) if len(sys.argv) > 5 else 0.3
    after = float(sys.argv[6]) if len(sys.argv) > 6 else 1.7
    pkts, events = read_packets(pkt_path), read_events(ev_path)
    received = arrivals(rcv_path)
    height = PANEL_TOP + len(events) * (LANE_H * len(LANES) + 18 + PANEL_GAP) + 30
    body = []
    y = PANEL_TOP + 20
    for name, t0, session_ms, ping_ms in events:
        y = panel(body, y, name, t0, session_ms, ping_ms, pkts, received, before, after)
    head = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
        'font-family="sans-serif">' % (W, height),
        '<style>.title{font-size:14px;font-weight:bold} .lane{font-size:11px;text-anchor:end} '
        '.tick{font-size:9px;text-anchor:middle;fill:#555} .note{font-size:11px;fill:#444}'
        '</style>',
        '<rect width="100%" height="100%" fill="white"/>',
        '<text x="%d" y="22" class="title">vipa lab: the telnet session to 10.68.6.1 (vi0) '
        'around each failure, seen on the host\'s en1 and en5</text>' % LEFT,
        '<text x="%d" y="38" class="note">tall ticks: telnet data (blue in, green out, red '
        'RST); short grey ticks: ping echoes; red line: the failure; shaded: the remote user '
        'waiting for an echo</text>' % LEFT,
    ]
    with open(out_path, "w") as f:
        f.write("\n".join(head + body + ["</svg>"]) + "\n")


if __name__ == "__main__":
    main()
