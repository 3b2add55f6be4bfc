#!/usr/bin/env python3
"""Draws vipad's cost curve from bench/daemon_table.sh's RESULT lines, as an SVG (no dependencies).

    cost_curve.py RESULTS_FILE OUT.svg

Two panels against the table size (log scale): CPU during the churn (% of a core) and peak
resident memory (VmHWM, MiB), one line per kind of route (routing daemons', rewritable).
"""
import math
import sys

W, H, PAD = 360, 260, 50
COLORS = {"daemon": "#1f77b4", "rewritable": "#d62728"}


def parse(path):
    runs = []
    for line in open(path):
        if not line.startswith("RESULT "):
            continue
        kv = dict(f.split("=", 1) for f in line.split()[1:])
        runs.append(kv)
    return runs


def panel(x0, title, unit, series, xs):
    out = []
    ymax = max([v for pts in series.values() for _, v in pts] + [1.0]) * 1.15
    lx0, lx1 = math.log10(min(xs)), math.log10(max(xs))
    if lx1 == lx0:
        lx1 = lx0 + 1

    def px(x):
        return x0 + PAD + (math.log10(x) - lx0) / (lx1 - lx0) * (W - 2 * PAD)

    def py(y):
        return H - PAD - y / ymax * (H - 2 * PAD)

    out.append(f'<text x="{x0 + W / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>')
    out.append(f'<line x1="{x0 + PAD}" y1="{H - PAD}" x2="{x0 + W - PAD}" y2="{H - PAD}" stroke="black"/>')
    out.append(f'<line x1="{x0 + PAD}" y1="{PAD}" x2="{x0 + PAD}" y2="{H - PAD}" stroke="black"/>')
    for x in sorted(set(xs)):
        label = f"{x // 1000}k" if x < 1000000 else f"{x / 1e6:g}M"
        out.append(f'<text x="{px(x):.1f}" y="{H - PAD + 16}" text-anchor="middle" font-size="11">{label}</text>')
    for i in range(5):
        y = ymax * i / 4
        out.append(f'<text x="{x0 + PAD - 6}" y="{py(y) + 4:.1f}" text-anchor="end" font-size="10">{y:.3g}</text>')
        out.append(f'<line x1="{x0 + PAD}" y1="{py(y):.1f}" x2="{x0 + W - PAD}" y2="{py(y):.1f}" stroke="#ddd"/>')
    out.append(f'<text x="{x0 + 14}" y="{H / 2}" font-size="11" transform="rotate(-90 {x0 + 14} {H / 2})" text-anchor="middle">{unit}</text>')
    out.append(f'<text x="{x0 + W / 2}" y="{H - 12}" text-anchor="middle" font-size="11">routes in the table</text>')
    for kind, pts in series.items():
        pts = sorted(pts)
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        c = COLORS.get(kind, "black")
        out.append(f'<polyline points="{path}" fill="none" stroke="{c}" stroke-width="2"/>')
        for x, y in pts:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{c}"/>')
    return out


def main():
    runs = parse(sys.argv[1])
    if not runs:
        sys.exit("no RESULT lines in " + sys.argv[1])
    xs = [int(r["routes"]) for r in runs]
    cpu, mem = {}, {}
    for r in runs:
        cpu.setdefault(r["kind"], []).append((int(r["routes"]), float(r["cpu"])))
        mem.setdefault(r["kind"], []).append((int(r["routes"]), int(r["hwm_kib"]) / 1024))
    body = panel(0, "vipad CPU during 10k replacements/s", "% of one core", cpu, xs)
    body += panel(W, "vipad peak memory (VmHWM)", "MiB", mem, xs)
    legend_y = 40
    for kind, c in COLORS.items():
        body.append(f'<rect x="{W - 100}" y="{legend_y - 9}" width="10" height="10" fill="{c}"/>')
        body.append(f'<text x="{W - 86}" y="{legend_y}" font-size="11">{kind} routes</text>')
        legend_y += 14
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H}" '
           f'font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n' +
           "\n".join(body) + "\n</svg>\n")
    open(sys.argv[2], "w").write(svg)


if __name__ == "__main__":
    main()
