#!/usr/bin/env bash
# A routing daemon's full table beside vipad, one command, as root:
#
#   bench/daemon_table.sh [VIPAD [VIPACTL]]     (defaults: build/vipad, build/vipactl)
#
# Knobs: V4 (1000000) and V6 (200000) routes, RATE (10000 replacements/s), SECS (20),
# KIND=rewritable (the same table as proto boot/static routes, which vipad gives the VIPA source:
# its start then rewrites every one, and each replacement of the churn once more),
# BENCH_OUT=FILE keeps the markdown it prints.
#
# In the sample's namespaces (tests/integration/lib.sh, vt<PID>-*, deleted on exit), the host's main
# table gets V4 IPv4 and V6 IPv6 routes of proto bird and proto bgp through en1 and en5
# (bench/daemon_table.py). vipad starts over it with the sample config (NOTIFY_SOCKET to
# bench/notify_wait.py: start -> READY=1); then the table churns at RATE replacements a second for
# SECS seconds. Reported: vipad's CPU over the churn window and its VmHWM, side by side with the
# anchor in the same run: `ip monitor route` (to /dev/null) over the same window, and
# `ip route show` of the whole table (the cost of reading it once).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
VIPAD_BIN=${1:-$ROOT/build/vipad}
VIPACTL_BIN=${2:-$ROOT/build/vipactl}
V4=${V4:-1000000}
V6=${V6:-200000}
RATE=${RATE:-10000}
SECS=${SECS:-20}

# shellcheck source=../tests/integration/lib.sh
source "$ROOT/tests/integration/lib.sh" "$VIPAD_BIN" "$VIPACTL_BIN"
# shellcheck source=lib_bench.sh
source "$HERE/lib_bench.sh"

die() {
  echo "daemon_table: $*" >&2
  [ -s "$LOG" ] && tail -n 20 "$LOG" >&2
  exit 1
}
secs_since() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", (b - a) / 1e9}'; }
now_ns() { echo $((10#${EPOCHREALTIME//[.,]/} * 1000)); }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
pct_of() { awk -v t="$1" -v s="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", 100 * t / hz / s}'; }

KIND=${KIND:-daemon}
export KIND
all_src() { [ "$(count_field without_src)" = 0 ]; }
topo_up || die "topology failed"
LOAD=$(inh python3 "$HERE/daemon_table.py" load "$V4" "$V6") || die "loading the table failed"
count_field() { inh python3 "$HERE/daemon_table.py" count | sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p"; }
N=$(count_field routes)
[ "$N" -ge $((V4 + V6)) ] || die "only $N daemon routes in the host ($LOAD)"

# The anchor for reading the table once: iproute2 listing it (to /dev/null).
/usr/bin/time -f '%e %U %S %M' -o "$TMP/show.time" sh -c \
  "ip -n $NS_H -4 route show table main >/dev/null && ip -n $NS_H -6 route show table main >/dev/null"
read -r SHOW_WALL SHOW_USER SHOW_SYS SHOW_RSS <"$TMP/show.time"

sample_config
rm -f "$TMP/notify" "$TMP/notify.bound" "$TMP/ready"
bg python3 "$HERE/notify_wait.py" "$TMP/notify" "$TMP/ready" 120
wait_for 30 test -e "$TMP/notify.bound" || die "notify receiver did not start"
t_start=$(now_ns)
NOTIFY_SOCKET=$TMP/notify ip netns exec "$NS_H" "$VIPAD_BIN" --config "$CONF" --socket "$SOCK" \
  >>"$LOG" 2>&1 &
VIPAD_PID=$!
wait_for 60 test -s "$TMP/ready" || die "no READY=1"
V_READY=$(secs_since "$t_start" "$(cat "$TMP/ready")")
wait_for 10 sample_converged || die "vipad did not converge"
if [ "$KIND" = rewritable ]; then
  wait_for 300 all_src || die "routes left without the source"
fi
T_SRC=$(secs_since "$t_start" "$(now_ns)")
sleep 1
START_HWM=$(proc_status_kb "$VIPAD_PID" VmHWM)
START_CPU=$(awk -v t="$(proc_ticks "$VIPAD_PID")" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}')
START_USR_SYS=$(awk -v hz="$(getconf CLK_TCK)" '{printf "user %.2f s, sys %.2f s", $14 / hz, $15 / hz}' \
  "/proc/$VIPAD_PID/stat")

# The churn, with `ip monitor route` as the anchor listening to the same events.
ip netns exec "$NS_H" ip monitor route >/dev/null 2>&1 &
MON_PID=$!
sleep 0.5
v0=$(proc_ticks "$VIPAD_PID")
m0=$(proc_ticks "$MON_PID")
CHURN=$(inh python3 "$HERE/daemon_table.py" churn "$V4" "$V6" "$RATE" "$SECS") || die "churn failed"
sleep 0.5
v1=$(proc_ticks "$VIPAD_PID")
m1=$(proc_ticks "$MON_PID")
MON_HWM=$(proc_status_kb "$MON_PID" VmHWM)
kill "$MON_PID" 2>/dev/null
wait "$MON_PID" 2>/dev/null
V_HWM=$(proc_status_kb "$VIPAD_PID" VmHWM)
V_RSS=$(proc_status_kb "$VIPAD_PID" VmRSS)
OK=yes
sample_converged || OK=no
LEFT=-
if [ "$KIND" = rewritable ]; then
  wait_for 60 all_src
  LEFT=$(count_field without_src)
  [ "$LEFT" = 0 ] || OK=no
fi
overruns=$(grep -c 'receive buffer overrun' "$LOG")
stop_vipad
V_CPU=$(pct_of $((v1 - v0)) "$SECS")
M_CPU=$(pct_of $((m1 - m0)) "$SECS")

say ""
say "### $KIND routes: $V4 IPv4 + $V6 IPv6 routes, $RATE replacements/s for $SECS s ($(date -u +%Y-%m-%d), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))"
say ""
say "$(machine_line)"
say ""
say "| measure | vipad | anchor (same run) |"
say "|---|---|---|"
say "| start -> READY=1 | $V_READY s | \`ip route show\` of the table: $SHOW_WALL s |"
if [ "$KIND" = rewritable ]; then
  say "| start -> every route with the VIPA source (polled) | $T_SRC s | |"
fi
say "| CPU from start until converged | $START_CPU s ($START_USR_SYS) | |"
say "| CPU during the churn | $V_CPU % of a core | \`ip monitor route\`: $M_CPU % |"
say "| peak RSS | VmHWM $(mib "$V_HWM") MiB (at READY: $(mib "$START_HWM") MiB) | \`ip monitor\` $(mib "$MON_HWM") MiB, \`ip route show\` $(mib "$SHOW_RSS") MiB |"
say "| RSS at the end | VmRSS $(mib "$V_RSS") MiB | |"
say "| sample state (and every source) right after the churn | $OK (routes without source: $LEFT) | |"
say ""
say "Table: $N daemon routes; load: $LOAD; churn: $CHURN; vipad logged $overruns overrun(s)."
echo "RESULT kind=$KIND routes=$((V4 + V6)) cpu=$V_CPU hwm_kib=$V_HWM rss_kib=$V_RSS ready=$V_READY start_cpu=$START_CPU anchor_cpu=$M_CPU" >>"$BENCH_OUT"
[ "$OK" = yes ]
