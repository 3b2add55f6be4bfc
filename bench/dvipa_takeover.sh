#!/usr/bin/env bash
# Dynamic VIPA takeover and health times, side by side with keepalived, in one run (as root):
#
#   bench/dvipa_takeover.sh [RUNS] [VIPAD VIPACTL]      (RUNS default 3; results on stdout and
#                                                        in bench/dvipa_results.md)
#
# The lab of tests/integration/lib_dvipa.sh (three hosts ranked 200/100/50, two FRR routers, a
# client opening a connection every 10 ms), over OSPF and over BGP with BFD 100 ms x 3:
#   carrier   the owner's links lose carrier
#   silent    every process of the owner stopped (SIGSTOP), no carrier change
#   health    the owner's health check starts failing (vipad) / the announcement withdrawn by
#             vtysh (hand-made, without vipad)
#   takeback  the owner returns (immediate takeback): from its return to the first new
#             connection it answers
#   whenidle  (vipad only) the backup holds a stream while the owner returns; from the stream's
#             end to the first new connection the owner answers
# Each figure: the time from the event to the first new connection answered by the new owner
# after which no other host answered (the client's own log), median and max of RUNS, and the
# connections that failed in all runs. "vipad" rows need a vipad with [dvipa.*]; "FRR by hand"
# rows are the routing protocol alone (FRR announcing at fixed metrics), the floor vipad adds
# to. keepalived 2.2 VRRPv3 at advert 0.1 s runs on a shared segment of the same hosts in the
# same run (VRRP needs one; its failures: the host's port on the segment down, SIGSTOP, a
# track_file going non-zero, preemption on return).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${1:-3}
export VIPAD=${2:-${VIPAD:-$ROOT/build/vipad}} VIPACTL=${3:-${VIPACTL:-$ROOT/build/vipactl}}
OUT=${DVIPA_BENCH_OUT:-$ROOT/bench/dvipa_results.md}
ROWS=$(mktemp /tmp/vipa-dvipa-bench.XXXXXX)
trap 'rm -f "$ROWS"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else print a[int((NR+1)/2)]}'; }
maxof() { sort -n | tail -n 1; }

# measure LABEL EVENT NEWOWNER FAILCMD RESTORECMD: RUNS times FAILCMD, wait for NEWOWNER, time
# it, RESTORECMD, wait for h1 again; the return is measured as "takeback" of the same LABEL.
measure() {
  local label=$1 ev=$2 who=$3 failcmd=$4 restorecmd=$5 r t ms fails=0 slow=0 tb=() fw=() tfails=0 tslow=0
  for ((r = 1; r <= RUNS; r++)); do
    dyn_wait 60 steady || { echo "  $label $ev: not steady before run $r" >&2; return 1; }
    t=$EPOCHREALTIME
    $failcmd h1 "$ev"
    [ -n "${DYN_FAIL_T:-}" ] && t=$DYN_FAIL_T
    if dyn_wait 20 dyn_probe_reaches "$who"; then
      # A carrier change: from the moment the kernel reported it on h1 (an `ip` command takes
      # ~0.1 s to run on a busy machine).
      [ "$ev" = carrier ] && t=$(carrier_time "$t" down) 
      sleep 2.1 # the probe's attempts time out after 2 s: let the window's attempts finish
      ms=$(dyn_probe first "$t" "$who")
      fw+=("$ms")
      fails=$((fails + $(dyn_probe fails "$t" 2>/dev/null)))
      slow=$((slow + $(dyn_probe slow "$t")))
    else
      echo "  $label $ev run $r: $who never answered" >&2
    fi
    t=$EPOCHREALTIME
    $restorecmd h1 "$ev"
    if dyn_wait 60 dyn_probe_reaches h1; then
      [ "$ev" = carrier ] && t=$(carrier_time "$t" up)
      sleep 2.1
      tb+=("$(dyn_probe first "$t" h1)")
      tfails=$((tfails + $(dyn_probe fails "$t" 2>/dev/null)))
      tslow=$((tslow + $(dyn_probe slow "$t")))
    fi
    DYN_FAIL_T=
  done
  row "$label" "$ev" "${fw[@]}" -- "$fails / $slow"
  [ "$ev" = carrier ] && row "$label" "takeback" "${tb[@]}" -- "$tfails / $tslow"
}
row() {
  local label=$1 ev=$2 v=()
  shift 2
  while [ "$1" != -- ]; do v+=("$1"); shift; done
  shift
  printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$ev" \
    "$(printf '%s\n' "${v[@]}" | median)" "$(printf '%s\n' "${v[@]}" | maxof)" "${#v[@]}" "$1" |
    tee -a "$ROWS"
}

# carrier_time SINCE up|down: when h1's kernel saw the first of its links change.
carrier_time() {
  "$DYN_PY" "$DYN_LAB/dvipa_probe.py" linktime "$DYN_DIR/h1.links" "$1" "$2" en1 en2 kl0 ||
    echo "$1"
}
steady() { dyn_probe_reaches h1 && dyn_routers_choose h1 && dyn_all_routing_up; }
vrrp_steady() { dyn_probe_reaches h1 && dyn_vrrp_master h1 && dyn_all_routing_up; }
hand_fail() { if [ "$2" = health ]; then dyn_hand_withdraw "$1" >/dev/null; else dyn_fail "$1" "$2"; fi; }
hand_restore() { if [ "$2" = health ]; then dyn_hand_announce "$1" >/dev/null; else dyn_restore "$1" "$2"; fi; }
vipad_fail() {
  if [ "$2" = health ]; then
    DYN_FAIL_T=$EPOCHREALTIME
    : >"$DYN_DIR/$1/sick"
  else dyn_fail "$1" "$2"; fi
}
vipad_restore() { if [ "$2" = health ]; then rm -f "$DYN_DIR/$1/sick"; else dyn_restore "$1" "$2"; fi; }

# whenidle: h1 fails, h2 takes over and serves a stream; h1 returns (h2 holds it, sticky);
# the stream ends; time from its end to h1 answering.
measure_whenidle() {
  local label=$1 r t v=() fails=0 broken=0 h
  for h in "${DYN_HOSTS[@]}"; do
    sed -i 's/^takeback = .*/takeback = "whenidle"/' "$DYN_DIR/$h/vipa.conf"
    dvctl "$h" reload >/dev/null
  done
  for ((r = 1; r <= RUNS; r++)); do
    dyn_wait 60 steady || return 1
    dyn_fail h1 carrier
    dyn_wait 20 dyn_probe_reaches h2 || return 1
    dyn_stream_start "whenidle$r" || return 1
    dyn_restore h1 carrier
    dyn_wait 30 dyn_all_routing_up
    sleep 2 # h1 is back and wants the address; h2 holds it for the stream
    t=$EPOCHREALTIME
    dyn_stream_stop
    dyn_stream_intact || broken=$((broken + 1))
    if dyn_wait 30 dyn_probe_reaches h1; then
      sleep 2.1
      v+=("$(dyn_probe first "$t" h1)")
      fails=$((fails + $(dyn_probe fails "$t" 2>/dev/null)))
    fi
  done
  fails="$fails / -"
  row "$label" "whenidle (streams broken: $broken)" "${v[@]}" -- $fails
  for h in "${DYN_HOSTS[@]}"; do
    sed -i 's/^takeback = .*/takeback = "immediate"/' "$DYN_DIR/$h/vipa.conf"
    dvctl "$h" reload >/dev/null
  done
}

source "$ROOT/tests/integration/lib_dvipa.sh"
if [ "$(id -u)" != 0 ]; then
  echo "dvipa_takeover: run me as root" >&2
  exit 1
fi
ENGINE=0
printf '[routing]\ndaemon = "frr"\n\n[dvipa.web]\naddress = "%s"\nrank = 100\ninterface_names = ["lo"]\n' \
  "$DVIPA" >"$DYN_DIR/engine.conf"
"$VIPAD" --check --config "$DYN_DIR/engine.conf" >/dev/null 2>&1 && ENGINE=1
dyn_down

for mode in ospf bgp; do
  for engine in hand vipad; do
    [ $engine = vipad ] && [ $ENGINE = 0 ] && continue
    # Real-time priority for the failure commands, the link monitor and the client only: on a
    # shared machine `ip` takes 0.1-0.8 s to run and `ip -ts monitor` stamps what it reads late.
    export DYN_RT="chrt -f 20"
    export DYN_MODE=$mode DYN_HAND=0 DYN_HEALTH=1 DYN_HEALTH_INTERVAL=${DYN_HEALTH_INTERVAL:-250} DYN_DVIPA_EXTRA='hold_down_ms = 1000'
    [ $engine = hand ] && DYN_HAND=1
    source "$ROOT/tests/integration/lib_dvipa.sh"
    trap 'dyn_down; rm -f "$ROWS"' EXIT
    echo "== $mode, $engine" >&2
    dyn_up || { echo "dvipa_takeover: the lab did not come up ($mode, $engine)" >&2; exit 1; }
    dyn_probe_start
    dyn_bg bash -c "exec chrt -f 20 ip -ts -n $DYN-h1 monitor link >>$DYN_DIR/h1.links"
    label="$mode, $([ $engine = hand ] && echo "FRR by hand" || echo vipad)"
    for ev in carrier silent health; do
      measure "$label" $ev h2 ${engine}_fail ${engine}_restore
    done
    [ $engine = vipad ] && measure_whenidle "$label"
    if [ $mode = ospf ] && [ $engine = hand ]; then
      echo "== keepalived" >&2
      dyn_vrrp_up || { echo "dvipa_takeover: keepalived did not come up" >&2; exit 1; }
      dyn_probe_stop
      DVIPA=$VRRP_VIP dyn_probe_start keepalived
      steady() { vrrp_steady; }
      for ev in carrier silent health; do
        measure "keepalived VRRPv3 0.1 s" $ev h2 dyn_vrrp_fail dyn_vrrp_restore
      done
      steady() { dyn_probe_reaches h1 && dyn_routers_choose h1 && dyn_all_routing_up; }
    fi
    dyn_probe_stop
    dyn_down
  done
done

{
  echo "# Dynamic VIPA takeover, raw results"
  echo
  echo "\`bench/dvipa_takeover.sh $RUNS\` on $(date -u +%Y-%m-%d), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')), kernel $(uname -r), FRR $("$FRR_BIN/zebra" --version 2>/dev/null | head -n1 | awk '{print $3}'), $(keepalived --version 2>&1 | head -n1 | awk '{print $1, $2}')."
  echo "Milliseconds from the event to the first new connection answered by the new owner within"
  echo "0.5 s (after which no other host answered); failed / slow = connections of all runs that"
  echo "failed (2 s without an answer, a reset) / were answered only after a resent SYN (>= 0.5 s)."
  echo
  echo "| setup | event | median ms | max ms | runs | failed / slow |"
  echo "|---|---|---|---|---|---|"
  cat "$ROWS"
} >"$OUT"
echo "dvipa_takeover: written to $OUT" >&2
cat "$OUT"
