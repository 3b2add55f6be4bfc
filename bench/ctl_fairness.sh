#!/usr/bin/env bash
# Control-socket fairness, one command, as root:
#
#   bench/ctl_fairness.sh [VIPAD [VIPACTL]]     (defaults: build/vipad, build/vipactl)
#
# Knobs: SECS (6), FLOODERS (1), BENCH_OUT=FILE keeps the markdown it prints.
#
# vipad with the sample config in the sample's namespaces (tests/integration/lib.sh). First the
# wait of a client's `version` request on an idle vipad (the anchor: the same client and
# request with nobody else connected), then the same while FLOODERS clients pipeline `status`
# requests without pause and read the answers (tests/tools/ctl_abuse.py flood). vipad answers
# in fair turns (at most 16 lines per client per turn), so the worst wait is bounded by
# FLOODERS x 16 status answers, whatever the flood's rate. Run it on the release and on the
# ASan build to see what a turn costs in each.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
VIPAD_BIN=${1:-$ROOT/build/vipad}
VIPACTL_BIN=${2:-$ROOT/build/vipactl}
SECS=${SECS:-6}
FLOODERS=${FLOODERS:-1}

# shellcheck source=../tests/integration/lib.sh
source "$ROOT/tests/integration/lib.sh" "$VIPAD_BIN" "$VIPACTL_BIN"
# shellcheck source=lib_bench.sh
source "$HERE/lib_bench.sh"
TOOL=$ROOT/tests/tools/ctl_abuse.py

topo_up || {
  echo "ctl_fairness: topology failed" >&2
  exit 1
}
sample_config
start_vipad || {
  echo "ctl_fairness: vipad did not start" >&2
  exit 1
}
wait_for 10 sample_converged

# idle_waits N: N version requests on an idle vipad, one wait (s) per line.
idle_waits() {
  python3 - "$SOCK" "$1" <<'PY'
import socket, sys, time
for _ in range(int(sys.argv[2])):
    t = time.monotonic()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    s.sendall(b'{"cmd":"version"}\n')
    buf = b""
    while not buf.endswith(b"\n"):
        buf += s.recv(65536)
    s.close()
    print(f"{time.monotonic() - t:.6f}")
    time.sleep(0.05)
PY
}
idle_waits 50 >"$TMP/idle.txt"
for i in $(seq "$FLOODERS"); do
  bg python3 "$TOOL" "$SOCK" flood --cmd status --seconds "$SECS" --max-latency 1e9 \
    >"$TMP/flood.$i.out" 2>&1
done
wait_for $((SECS + 120)) bash -c "! pgrep -f 'ctl_abuse.py $SOCK flood' >/dev/null"

say "### control-socket fairness ($(basename "$VIPAD_BIN"), $(ldd "$VIPAD_BIN" | grep -q libasan && echo ASan || echo release))"
say ""
say "$(machine_line)"
say ""
say "| case | waits of another client |"
say "|---|---|"
say "| idle vipad (anchor) | p50 $(pct 50 "$TMP/idle.txt") s, max $(pct 100 "$TMP/idle.txt") s |"
for i in $(seq "$FLOODERS"); do
  say "| flooder $i of $FLOODERS | $(grep -o 'ok .*' "$TMP/flood.$i.out" | sed 's/^ok //') |"
done
