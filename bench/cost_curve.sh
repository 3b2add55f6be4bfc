#!/usr/bin/env bash
# vipad's cost against the size of the routing table, one command, as root:
#
#   bench/cost_curve.sh [VIPAD [VIPACTL]]     -> docs/cost_curve.svg (OUT=FILE for another path)
#
# Runs bench/daemon_table.sh for tables of 10k, 100k and 1M routes (SIZES), IPv4 with a fifth as
# many IPv6 routes on top, both as routing daemons' routes and as rewritable (proto boot/static)
# routes, each churning at RATE (10000) replacements a second for SECS (10) seconds, and draws CPU
# during the churn and peak memory against the size (bench/cost_curve.py). The markdown of every
# run goes to BENCH_OUT (default: a temporary file, its path printed).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=${OUT:-$ROOT/docs/cost_curve.svg}
SIZES=${SIZES:-"10000 100000 1000000"}
export BENCH_OUT=${BENCH_OUT:-$(mktemp /tmp/cost_curve.$$.XXXXXX)}
export SECS=${SECS:-10} RATE=${RATE:-10000}
for kind in daemon rewritable; do
  for v4 in $SIZES; do
    KIND=$kind V4=$v4 V6=$((v4 / 5)) "$HERE/daemon_table.sh" "$@" >/dev/null ||
      echo "cost_curve: $kind $v4 failed (see $BENCH_OUT)" >&2
  done
done
python3 "$HERE/cost_curve.py" "$BENCH_OUT" "$OUT" && echo "curve: $OUT; runs: $BENCH_OUT"
