#!/usr/bin/env bash
# Carrier loss to reroute, one command, as root:
#
#   bench/carrier_reroute.sh [VIPAD [VIPACTL]]     (defaults: build/vipad, build/vipactl)
#
# Knobs: TRIALS (200), BENCH_OUT=FILE keeps the markdown it prints, VIPAD_PRIO="chrt -f 20"
# runs vipad at that priority (a diagnosis of how much of the tail is the scheduler's).
#
# In the sample's namespaces (tests/integration/lib.sh, vt<PID>-*, deleted on exit) vipad runs with
# IBM's sample config. Each trial sets r1h (en1's peer) down, so en1 loses carrier, waits until
# vipad has withdrawn its default routes via en1 (IPv4 and IPv6), sets r1h up again and waits for
# the routes to come back. A listener in the host namespace (bench/nl_events.py, real-time
# priority) timestamps every link and route event on receipt; the time reported is from en1's
# RTM_NEWLINK without IFF_LOWER_UP to the last RTM_DELROUTE of a proto 86 (vipad's) route via
# en1, and to the IPv4 one alone. p50/p99 are nearest-rank.
#
# The kernel needs no vipad to stop using en1: vipad sets ignore_routes_with_linkdown, so the
# nexthop is skipped from the carrier event on. A second, short series checks that with vipad
# stopped (SIGSTOP): right after the carrier loss, the route lookup already leaves through en5.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
VIPAD_BIN=${1:-$ROOT/build/vipad}
VIPACTL_BIN=${2:-$ROOT/build/vipactl}
TRIALS=${TRIALS:-200}
if [ -n "${VIPAD_PRIO:-}" ]; then
  WRAP=$(mktemp /tmp/vipad-prio.XXXXXX)
  printf '#!/bin/sh\nexec %s %q "$@"\n' "$VIPAD_PRIO" "$VIPAD_BIN" >"$WRAP"
  chmod +x "$WRAP"
  VIPAD_BIN=$WRAP
fi

# shellcheck source=../tests/integration/lib.sh
source "$ROOT/tests/integration/lib.sh" "$VIPAD_BIN" "$VIPACTL_BIN"
# shellcheck source=lib_bench.sh
source "$HERE/lib_bench.sh"
[ -n "${WRAP:-}" ] && trap 'rm -f "$WRAP"; cleanup' EXIT

en1_withdrawn() {
  ! iph -4 route show default dev en1 proto 86 | grep -q . &&
    ! iph -6 route show default dev en1 proto 86 | grep -q .
}

topo_up || {
  echo "topology failed"
  exit 1
}
sample_config
start_vipad || {
  echo "vipad did not start"
  cat "$LOG"
  exit 1
}
wait_for 5 sample_converged || {
  echo "vipad did not converge"
  exit 1
}
nl_listen_start || {
  echo "listener did not start"
  exit 1
}
EN1_IDX=$(iph -o link show en1 | cut -d: -f1)

bad=0
for ((i = 1; i <= TRIALS; i++)); do
  ipr1 link set r1h down
  wait_for 5 en1_withdrawn || bad=$((bad + 1))
  # Anything vipad does after the withdrawal still belongs to this trial.
  sleep 0.03
  ipr1 link set r1h up
  # r1 lost its route to the VIPA with its link; the trial ends when everything is back.
  router_routes r1 2>/dev/null
  wait_for 5 sample_converged || bad=$((bad + 1))
  sleep 0.0$((RANDOM % 5 + 2))
done
sleep 0.2
nl_listen_stop

# Kernel alone: vipad frozen, en1 loses carrier, the next lookup must already avoid en1.
KTRIALS=20 kok=0
kill -STOP "$VIPAD_PID"
for ((i = 1; i <= KTRIALS; i++)); do
  ipr1 link set r1h down
  wait_for 2 bash -c "ip -n $NS_H -o link show en1 | grep -q NO-CARRIER"
  route_get_has $REMOTE4 'dev en5 ' && route_get_has $REMOTE6 'dev en5 ' && kok=$((kok + 1))
  ipr1 link set r1h up
  wait_for 2 bash -c "! ip -n $NS_H -o link show en1 | grep -q NO-CARRIER"
  router_routes r1 2>/dev/null
  sleep 0.02
done
kill -CONT "$VIPAD_PID"
wait_for 5 sample_converged

# Pair each carrier loss of en1 with vipad's route changes via en1 before carrier returns.
read -r n nch overruns < <(python3 "$HERE/carrier_pairs.py" "$NL_FILE" "$EN1_IDX" "$TMP")
us() { pct "$1" "$TMP/lat.$2"; }
ms() { awk -v u="$(us "$1" "$2")" 'BEGIN {printf "%.3f", u / 1000}'; }

say ""
say "### Carrier loss to reroute ($(date -u +%Y-%m-%d), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))"
say ""
say "$(machine_line)"
say "vipad: $VIPAD_BIN${VIPAD_PRIO:+ under $VIPAD_PRIO}"
say ""
say "$TRIALS trials, $n paired (carrier loss with vipad's withdrawals before carrier came back), \
$nch route changes by vipad in all, $bad waits timed out, listener overruns: $overruns."
say ""
say "| from en1's carrier loss (RTM_NEWLINK, no LOWER_UP) to | p50 | p90 | p99 | max |"
say "|---|---|---|---|---|"
for k in "last:vipad's last route change (RTM_DELROUTE proto 86 via en1, IPv4 or IPv6)" \
  "v4:vipad's IPv4 withdrawal (RTM_DELROUTE default via en1 proto 86)" \
  "first:vipad's first route change"; do
  say "| ${k#*:} | $(ms 50 "${k%%:*}") ms | $(ms 90 "${k%%:*}") ms | $(ms 99 "${k%%:*}") ms | $(ms 100 "${k%%:*}") ms |"
done
say "| the kernel's own reroute (ignore_routes_with_linkdown; vipad stopped) | lookup via en5 at \
the first ip route get after the event in $kok of $KTRIALS trials (IPv4 and IPv6) | | | |"
say ""
p99=$(us 99 last)
if [ -n "$p99" ] && [ "$p99" != - ] && awk -v u="$p99" 'BEGIN {exit !(u < 1000)}'; then
  say "Target p99 < 1 ms: met."
else
  say "Target p99 < 1 ms: MISSED (p99 $(ms 99 last) ms)."
fi
