#!/usr/bin/env bash
# Dead gateway detection benchmark, one command, as root:
#
#   bench/dgd_failover.sh [VIPAD [VIPACTL]]     (defaults: build/vipad, build/vipactl)
#
# Knobs: TRIALS (50), CPU_SECS (20), DGD_RESULTS=FILE to keep the markdown table it prints,
# PINGS ("10 100"), SKIP_CPU=1, VIPAD_PRIO (below).
#
# Everything runs in network namespaces named vt<PID>-* (the integration tests' sample topology,
# tests/integration/lib.sh), deleted on exit. It measures:
#
# 1. Failure-to-reroute time: from the moment r1 stops answering (the cut) to the moment the
#    host's default route via r1 is deleted, both taken from kernel netlink events as
#    `ip -ts monitor` prints them (r1's own link/route event for the cut, the host's
#    RTM_DELROUTE for the reroute). Two kinds of cut: r1 stops answering ARP (`ip link set r1h
#    arp off`), and r1 loses its route to the tracked target (`ip route del 10.68.200.1`). TRIALS
#    trials each (default 50), at ping_time_ms = 10 and at the default 100, packets_lost = 3,
#    retry_time_ms = ping_time_ms. Each trial waits for the route to come back and a random part
#    of an interval, so cuts fall at every phase of the probe schedule. Also the restore time
#    (r1 answers again -> route back: the hold-down).
# 2. CPU cost of probing 2 and 100 gateways at 10 ms and 100 ms: vipad's CPU time over CPU_SECS
#    (default 20) from /proc/PID/schedstat (ns) and utime+stime, and its context switches (its
#    wakeups). And the same for a config with no gateway to probe (idle).
#
# Caveat, written into the results: on veth pairs the receiving side's softirq (the router
# answering the ARP request, our reply coming back) often runs in the sender's context, so the
# CPU charged to vipad includes some of the routers' work: an upper bound for vipad itself.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
VIPAD_BIN=${1:-$ROOT/build/vipad}
VIPACTL_BIN=${2:-$ROOT/build/vipactl}
TRIALS=${TRIALS:-50}
# VIPAD_PRIO="chrt -f 20" (or "nice -n -10") runs vipad under that command: a diagnosis of how
# much of the latency tail is the scheduler's, not part of the default run.
if [ -n "${VIPAD_PRIO:-}" ]; then
  WRAP=$(mktemp /tmp/vipad-prio.XXXXXX)
  printf '#!/bin/sh\nexec %s %q "$@"\n' "$VIPAD_PRIO" "$VIPAD_BIN" >"$WRAP"
  chmod +x "$WRAP"
  VIPAD_BIN=$WRAP
fi
CPU_SECS=${CPU_SECS:-20}

# shellcheck source=../tests/integration/lib.sh
source "$ROOT/tests/integration/lib.sh" "$VIPAD_BIN" "$VIPACTL_BIN"
# shellcheck source=../tests/integration/lib_dgd.sh
source "$ROOT/tests/integration/lib_dgd.sh"

OUT=$TMP/results.md
say() { echo "$*" | tee -a "$OUT"; }

# bench_config PING_MS TRACK(0|1) [NGW]: IPv4 only (r1h's NOARP also silences NDP). NGW=100
# adds 100 gateways 10.68.1.10-109 on r1, one route each.
bench_config() {
  local ping=$1 track=$2 ngw=${3:-2} i
  {
    echo '[vipa.vi0]'
    echo "netaddr = \"$VIPA4\""
    echo 'netmask = "255.255.255.0"'
    echo 'interface_names = ["en1", "en5"]'
    if [ "$ngw" = 0 ]; then
      printf '\n[[route]]\ndestination = "default"\ngateway = "10.68.1.2"\nmetric = 10\n'
    elif [ "$ngw" = 2 ]; then
      for gw in 10.68.1.2:10 10.68.5.2:20; do
        printf '\n[[route]]\ndestination = "default"\ngateway = "%s"\nmetric = %s\nactive_dgd = true\n' \
          "${gw%:*}" "${gw#*:}"
        [ "$track" = 1 ] && echo "track = [\"$REMOTE4\"]"
      done
    else
      for ((i = 0; i < ngw; i++)); do
        printf '\n[[route]]\ndestination = "10.68.%d.0/24"\ngateway = "10.68.1.%d"\nactive_dgd = true\n' \
          $((100 + i)) $((10 + i))
      done
    fi
    printf '\n[dgd]\nping_time_ms = %s\npackets_lost = 3\nretry_time_ms = %s\n' "$ping" "$ping"
  } >"$CONF"
}

restart_vipad() {
  [ -n "$VIPAD_PID" ] && stop_vipad
  start_vipad || {
    echo "vipad did not start:"
    tail -n 20 "$LOG"
    exit 1
  }
}

# to_secs: `ip -ts` lines on stdin -> their timestamps (seconds of the day, microseconds).
to_secs() {
  sed -E 's/^\[[0-9-]+T([0-9]+):([0-9]+):([0-9.]+)\].*/\1 \2 \3/' |
    awk '{ printf "%.6f\n", $1 * 3600 + $2 * 60 + $3 }'
}

# stats FILE: "n p50 p99 min max mean" (ms) of the numbers in FILE (nearest-rank percentiles).
stats() {
  sort -n "$1" | awk '{ v[NR] = $1; s += $1 }
    END { if (NR == 0) { print "0 - - - - -"; exit }
          p50 = v[int((NR * 50 + 99) / 100)]; p99 = v[int((NR * 99 + 99) / 100)]
          printf "%d %.1f %.1f %.1f %.1f %.1f\n", NR, p50, p99, v[1], v[NR], s / NR }'
}

# pair_ms CUTS CHANGES OUT: per trial, the first change after each cut, in ms.
pair_ms() {
  awk 'NR == FNR { cut[n++] = $1; next } { chg[m++] = $1 }
    END { j = 0
          for (i = 0; i < n; i++) {
            while (j < m && chg[j] < cut[i]) j++
            if (j < m) { d = chg[j] - cut[i]; if (d < 0) d += 86400; printf "%.3f\n", d * 1000; j++ }
          } }' "$1" "$2" >"$3"
}

rand_sleep_ms() { sleep "$(awk -v r=$RANDOM -v m="$1" 'BEGIN { printf "%.3f", r / 32768 * m / 1000 }')"; }

# failover PING_MS KIND(arp|track)
failover() {
  local ping=$1 kind=$2 i track=0
  [ "$kind" = track ] && track=1
  bench_config "$ping" $track
  restart_vipad
  wait_for 5 owned_default 10.68.1.2 en1 10 || {
    echo "route via r1 not installed"
    exit 1
  }
  local rmon=$TMP/r1mon.$ping.$kind hmon=$TMP/hmon.$ping.$kind
  bg ip netns exec "$NS_R1" ip -ts -o monitor link route >"$rmon" 2>&1
  local rpid=$BG_LAST
  bg ip netns exec "$NS_H" ip -ts -o monitor route >"$hmon" 2>&1
  local hpid=$BG_LAST
  sleep 0.5
  local failed=0
  for ((i = 1; i <= TRIALS; i++)); do
    # Steady state first (the hold-down is over, a few rounds answered), then a random phase.
    sleep "$(awk -v p="$ping" 'BEGIN { printf "%.3f", p * 5 / 1000 }')"
    rand_sleep_ms "$ping"
    # The times come from the monitors' timestamps; the polling only paces the trials, and
    # starts once the change is due, so that it does not compete with vipad for the CPU.
    if [ "$kind" = arp ]; then ipr1 link set r1h arp off; else ipr1 route del $REMOTE4/32; fi
    sleep "$(awk -v p="$ping" 'BEGIN { printf "%.3f", (3 * p + 10) / 1000 }')"
    wait_for 5 no_default_via 10.68.1.2 || failed=$((failed + 1))
    if [ "$kind" = arp ]; then ipr1 link set r1h arp on; else router_routes r1; fi
    sleep "$(awk -v p="$ping" 'BEGIN { printf "%.3f", (2 * p + 10) / 1000 }')"
    wait_for 5 owned_default 10.68.1.2 en1 10 || failed=$((failed + 1))
  done
  sleep 0.3
  kill_pid "$rpid"
  kill_pid "$hpid"
  if [ "$kind" = arp ]; then
    grep -E ' r1h[@:]' "$rmon" | grep NOARP | to_secs >"$rmon.cut"
    grep -E ' r1h[@:]' "$rmon" | grep -v NOARP | to_secs >"$rmon.restore"
  else
    grep -E "\] Deleted ${REMOTE4//./\\.} " "$rmon" | to_secs >"$rmon.cut"
    grep -E "\] ${REMOTE4//./\\.} via" "$rmon" | to_secs >"$rmon.restore"
  fi
  grep -E '\] Deleted default via 10\.68\.1\.2 ' "$hmon" | to_secs >"$hmon.del"
  grep -E '\] default via 10\.68\.1\.2 ' "$hmon" | to_secs >"$hmon.add"
  pair_ms "$rmon.cut" "$hmon.del" "$TMP/detect.$ping.$kind"
  pair_ms "$rmon.restore" "$hmon.add" "$TMP/restore.$ping.$kind"
  local n p50 p99 mn mx mean rn rp50 rp99
  read -r n p50 p99 mn mx mean < <(stats "$TMP/detect.$ping.$kind")
  read -r rn rp50 rp99 _ _ _ < <(stats "$TMP/restore.$ping.$kind")
  local target verdict
  target=$((3 * ping + 5))
  verdict=$(awk -v p="$p99" -v t="$target" 'BEGIN { print (p + 0 <= t) ? "met" : "MISSED" }')
  say "| $ping | $kind | $n | $p50 | $p99 | $mn | $mx | $mean | $target ($verdict) | $rp50 / $rp99 | $failed |"
}

# cpu NAME PING_MS NGW: vipad's CPU over CPU_SECS while probing NGW gateways (0 = idle).
cpu() {
  local name=$1 ping=$2 ngw=$3 i
  if [ "$ngw" = 100 ]; then
    for ((i = 10; i < 110; i++)); do ipr1 addr add 10.68.1.$i/24 dev r1h 2>/dev/null; done
  fi
  bench_config "$ping" 0 "$ngw"
  restart_vipad
  local want=$ngw
  [ "$ngw" = 0 ] && want=0
  alive_count() {
    [ "$("$VIPACTL" --socket "$SOCK" status --json | jq '[.gateways[]? | select(.alive)] | length')" = "$want" ]
  }
  wait_for 10 alive_count || note "not all $want gateways alive"
  sleep 2
  local pid=$VIPAD_PID
  read -r ns0 _ < "/proc/$pid/schedstat"
  local st0 cs0 sent0
  st0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  cs0=$(awk '/ctxt_switches/ { s += $2 } END { print s }' "/proc/$pid/status")
  sent0=$("$VIPACTL" --socket "$SOCK" status --json | jq '[.gateways[]?.probes_sent] | add // 0')
  sleep "$CPU_SECS"
  read -r ns1 _ < "/proc/$pid/schedstat"
  local st1 cs1 sent1
  st1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
  cs1=$(awk '/ctxt_switches/ { s += $2 } END { print s }' "/proc/$pid/status")
  sent1=$("$VIPACTL" --socket "$SOCK" status --json | jq '[.gateways[]?.probes_sent] | add // 0')
  local tck
  tck=$(getconf CLK_TCK)
  # Two status calls are inside the window: their cost is counted too (a few hundred us).
  say "$(awk -v n0="$ns0" -v n1="$ns1" -v s0="$st0" -v s1="$st1" -v c0="$cs0" -v c1="$cs1" \
    -v p0="$sent0" -v p1="$sent1" -v secs="$CPU_SECS" -v tck="$tck" -v name="$name" \
    -v ping="$ping" -v ngw="$ngw" 'BEGIN {
      printf "| %s | %d | %s | %.3f%% | %.2f%% | %.1f | %.0f |", name, ngw, (ngw ? ping : "-"),
        (n1 - n0) / (secs * 1e9) * 100, (s1 - s0) / tck / secs * 100, (c1 - c0) / secs,
        (p1 - p0) / secs }')"
  if [ "$ngw" = 100 ]; then
    for ((i = 10; i < 110; i++)); do ipr1 addr del 10.68.1.$i/24 dev r1h 2>/dev/null; done
  fi
}

command -v jq >/dev/null || {
  echo "jq is needed"
  exit 1
}
topo_up || {
  echo "topology failed"
  exit 1
}
dgd_back_routes_add r1
dgd_back_routes_add r5

say "## Dead gateway detection ($(date -u +%Y-%m-%dT%H:%MZ))"
say ""
say "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)."
say "Command: \`bench/dgd_failover.sh\` (TRIALS=$TRIALS CPU_SECS=$CPU_SECS${VIPAD_PRIO:+ VIPAD_PRIO=\"$VIPAD_PRIO\"})."
say "Load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shows in the tails)."
say ""
say "### Failure to reroute (ms, cut -> RTM_DELROUTE of the default via r1), packets_lost = 3"
say ""
say "| ping_time_ms | cut | trials | p50 | p99 | min | max | mean | target p99 <= 3 x ping + 5 | restore p50 / p99 | timeouts |"
say "|---|---|---|---|---|---|---|---|---|---|---|"
for ping in ${PINGS:-10 100}; do
  for kind in arp track; do failover $ping $kind; done
done
[ -n "${SKIP_CPU:-}" ] && exit 0
say ""
say "### CPU cost of probing (ARP probes; vipad's CPU time over ${CPU_SECS} s)"
say ""
say "| case | gateways | ping_time_ms | CPU (schedstat) | CPU (utime+stime) | context switches/s | probes/s |"
say "|---|---|---|---|---|---|---|"
cpu idle 100 0
for ping in 10 100; do
  for n in 2 100; do cpu probing "$ping" "$n"; done
done
say ""
say "vipad's CPU includes softirq work done in its context on veth (the routers answering)."
say "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)."
[ -n "${DGD_RESULTS:-}" ] && cp "$OUT" "$DGD_RESULTS"
stop_vipad
cleanup
[ -n "${WRAP:-}" ] && rm -f "$WRAP"
trap - EXIT
exit 0
