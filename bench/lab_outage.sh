#!/usr/bin/env bash
# End-to-end outage in the lab: a telnet session from the remote system to the VIPA
# (a line every 10 ms) and a ping every 10 ms on the same path, through TRIALS link, uplink and
# silent failures each; p50/p99 of the session's stall and of the ping's loss. As root:
#
#   bench/lab_outage.sh [TRIALS]            (default 10)
#
# Environment: the lab's knobs (lab/lab.sh): LAB_DAEMON=frr|bird, LAB_ANNOUNCE=table|interface,
# LAB_HOST_ROUTES=ospf|vipad, LAB_DGD=1; SCENARIOS="link uplink silent"; SETTLE (seconds of
# quiet before each failure); VIPAD, VIPACTL.
# Prints a markdown table; the raw numbers go to lab/out/lab-outage-<mode>.txt.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TRIALS=${1:-10}
SCENARIOS=${SCENARIOS:-link uplink silent}
# Quiet time before each failure. BIRD originates a router's LSA at most every 5 s (RFC 2328's
# MinLSInterval, not configurable there): a failure soon after the last restore would measure
# that wait, not the failover.
SETTLE=${SETTLE:-$([ "${LAB_DAEMON:-frr}" = bird ] && echo 6 || echo 1)}
export VIPAD=${VIPAD:-$ROOT/build/vipad} VIPACTL=${VIPACTL:-$ROOT/build/vipactl}
source "$ROOT/lab/lab.sh"

MODE="$LAB_DAEMON announce=$LAB_ANNOUNCE host-routes=$LAB_HOST_ROUTES dgd=${LAB_DGD:-0}"
RAW=$ROOT/lab/out/lab-outage-${LAB_DAEMON}-${LAB_ANNOUNCE}-${LAB_HOST_ROUTES}-dgd${LAB_DGD:-0}.txt
mkdir -p "$ROOT/lab/out"
: >"$RAW"

echo "lab: $MODE; $TRIALS trials of: $SCENARIOS" >&2
lab_up || exit 1
lab_session_start bench || exit 1

recovered() { session_flowing 0.5; }
for sc in $SCENARIOS; do
  for i in $(seq 1 "$TRIALS"); do
    lab_wait 60 lab_normal || echo "lab: $sc $i: the network did not settle" >&2
    sleep "$SETTLE"
    lab_fail $sc
    if ! lab_wait 15 recovered; then
      echo "lab: $sc $i: the session did not recover within 15 s" >&2
    fi
    sleep 1
    s=$(session_outage_ms)
    p=$(ping_outage_ms)
    echo "$sc $i $s $p" | tee -a "$RAW" >&2
    lab_restore $sc
  done
done
lab_session_stop
intact=$(session_intact) || intact="NOT INTACT: $intact"
resets=$(session_resets)

python3 - "$RAW" "$MODE" "$TRIALS" "$intact" "$resets" <<'EOF'
import sys
raw, mode, trials, intact, resets = sys.argv[1:6]
rows = {}
for line in open(raw):
    sc, _, s, p = line.split()
    rows.setdefault(sc, ([], []))
    rows[sc][0].append(int(s))
    rows[sc][1].append(int(p))

def pct(v, q):  # nearest rank: with 10 trials p99 is the worst one
    v = sorted(v)
    return v[max(0, min(len(v) - 1, -(-len(v) * q // 100) - 1))]

print("mode: %s; session: %s, %s TCP resets" % (mode, intact, resets))
print()
print("| failure | trials | session stall p50 | p99 | max | ping loss p50 | p99 | max |")
print("|---|---|---|---|---|---|---|---|")
for sc, (s, p) in rows.items():
    print("| %s | %d | %d ms | %d ms | %d ms | %d ms | %d ms | %d ms |" % (
        sc, len(s), pct(s, 50), pct(s, 99), max(s), pct(p, 50), pct(p, 99), max(p)))
EOF
