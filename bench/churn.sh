#!/usr/bin/env bash
# Churn, one command, as root:
#
#   bench/churn.sh [VIPAD [VIPACTL]]     (defaults: build/vipad, build/vipactl)
#
# Knobs: RATE (10000 operations/s), SECS (30), LIVE (5000 routes alive at any time),
# BENCH_OUT=FILE keeps the markdown it prints.
#
# In the sample's namespaces (tests/integration/lib.sh, vt<PID>-*, deleted on exit) vipad runs with
# IBM's sample config while bench/route_churn.py, in the host namespace, adds and deletes /32 routes
# via en1 and en5 (no source, proto boot) at RATE operations a second for SECS seconds, LIVE of
# them alive at a time, in 10 ms batches. Reported: vipad's CPU over the window (utime+stime and
# schedstat), the rate achieved, how long vipad took after the churn stopped until every route
# left had the VIPA source, and that exactly the LIVE routes the churner left are there (vipad
# brought back none it had seen deleted, duplicated none).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
VIPAD_BIN=${1:-$ROOT/build/vipad}
VIPACTL_BIN=${2:-$ROOT/build/vipactl}
RATE=${RATE:-10000}
SECS=${SECS:-30}
LIVE=${LIVE:-5000}

# shellcheck source=../tests/integration/lib.sh
source "$ROOT/tests/integration/lib.sh" "$VIPAD_BIN" "$VIPACTL_BIN"
# shellcheck source=lib_bench.sh
source "$HERE/lib_bench.sh"

die() {
  echo "churn: $*" >&2
  [ -s "$LOG" ] && tail -n 20 "$LOG" >&2
  exit 1
}
churned() { iph -4 route show root 10.68.128.0/17; }
churned_without_src() { churned | grep -vc ' src 10\.68\.6\.1\( \|$\)'; }
churned_ok() { [ "$(churned_without_src)" = 0 ]; }
now_ns() { echo $((10#${EPOCHREALTIME//[.,]/} * 1000)); }

topo_up || die "topology failed"
sample_config
start_vipad || die "vipad did not start"
wait_for 5 sample_converged || die "vipad did not converge"
HZ=$(getconf CLK_TCK)

rm -f "$TMP/churn.ready"
ip netns exec "$NS_H" python3 "$HERE/route_churn.py" "$RATE" "$SECS" "$LIVE" "$TMP/churn.ready" \
  >"$TMP/churn.json" 2>"$TMP/churn.err" &
CHURN_PID=$!
BG_PIDS+=("$CHURN_PID")
wait_for 30 test -e "$TMP/churn.ready" || die "churner did not start: $(cat "$TMP/churn.err")"
t0=$(now_ns)
ticks0=$(proc_ticks "$VIPAD_PID")
ns0=$(proc_cpu_ns "$VIPAD_PID")
cs0=$(proc_ctxt "$VIPAD_PID")
wait "$CHURN_PID" || die "churner failed: $(cat "$TMP/churn.err")"
t1=$(now_ns)
ticks1=$(proc_ticks "$VIPAD_PID")
ns1=$(proc_cpu_ns "$VIPAD_PID")
cs1=$(proc_ctxt "$VIPAD_PID")
wait_for 60 churned_ok
settle_ms=$(((WAITED_MS)))
ok_now=$(churned_without_src)
left=$(churned | wc -l)
dups=$(churned | awk '{print $1}' | sort | uniq -d | wc -l)
overruns=$(grep -c 'receive buffer overrun' "$LOG")
hwm=$(proc_status_kb "$VIPAD_PID" VmHWM)
alive=no
vipad_alive && alive=yes
sample_ok=no
sample_converged && sample_ok=yes

win=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
say ""
say "### Churn: $RATE route operations/s for $SECS s ($(date -u +%Y-%m-%d), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))"
say ""
say "$(machine_line)"
say ""
say "churner: $(cat "$TMP/churn.json")"
say ""
say "| measure | value |"
say "|---|---|"
say "| window | $win s |"
say "| vipad CPU (utime+stime) | $(awk -v t=$((ticks1 - ticks0)) -v hz="$HZ" -v w="$win" \
  'BEGIN {printf "%.2f s = %.0f%% of one core", t / hz, 100 * t / hz / w}') |"
say "| vipad CPU (schedstat) | $(awk -v n=$((ns1 - ns0)) -v w="$win" \
  'BEGIN {printf "%.2f s = %.0f%% of one core", n / 1e9, 100 * n / 1e9 / w}') |"
say "| vipad context switches in the window | $((cs1 - cs0)) |"
say "| after the churn stopped, until every route left has src 10.68.6.1 | ${settle_ms} ms |"
say "| routes left / expected / without src / duplicated | $left / $LIVE / $ok_now / $dups |"
say "| sample routes still right; vipad alive | $sample_ok; $alive |"
say "| netlink overruns vipad logged (each followed by a full resync) | $overruns |"
say "| vipad VmHWM | $(awk -v k="$hwm" 'BEGIN {printf "%.1f MiB", k / 1024}') |"
say ""
if [ "$ok_now" = 0 ] && [ "$left" = "$LIVE" ] && [ "$dups" = 0 ] && [ "$sample_ok" = yes ]; then
  say "Result: every route present at the end has the VIPA source; nothing orphaned or duplicated."
else
  say "Result: WRONG END STATE (see the table)."
fi
