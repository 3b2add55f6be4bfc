#!/usr/bin/env bash
# Dynamic VIPA takeback over OSPF (DYN_MODE=bgp: BGP with BFD), in the lab of lib_dvipa.sh (ranks 200, 100, 50):
#   whenidle: a long-lived stream (a line every 10 ms) held by h2 while h1 returns is never
#     broken; h2 stays owner (sticky) until it ends, then h1 owns it again. An established
#     connection on which nothing arrives (its client frozen: what a half-open leftover of an
#     earlier move looks like to the holder) does not keep h2 busy.
#   manual: h1 returning, and h1 booting from nothing (FRR and vipad started afresh), never take
#     the address by surprise: the routers never send it to h1 until `vipactl dvipa takeback`.
#   dual active: an announcer that also claims to hold it (a sticky metric) is reported.
# Run by ctest as `bash test_dvipa_takeback.sh VIPAD VIPACTL`, as root.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh" "$@"
export VIPAD VIPACTL
DYN_MODE=${DYN_MODE:-ospf}
DYN_TAKEBACK=whenidle
DYN_DVIPA_EXTRA='idle_ms = 1000'
source "$HERE/lib_dvipa.sh"
source "$HERE/lib_dvipa_checks.sh"
dyn_test_traps

if ! dv_engine_present; then
  fail "vipad-knows-dvipa" "vipad --check refuses a [dvipa.*] table"
  dyn_finish
fi
if dyn_up; then pass "takeback-lab-up"; else
  fail "takeback-lab-up"
  dyn_finish
fi
dyn_probe_start
check_within "takeback-steady" 40 dv_steady

# ---------------------------------------------------------------- whenidle

dyn_fail h1 carrier
check_within "whenidle-h2-takes-over" 15 dyn_probe_reaches h2
# The leftover: a stream opened to h2, then its client frozen.
dyn_stream_start leftover
check "whenidle-leftover-held-by-h2" grep -q "HELLO h2" "$DYN_STREAM"
LEFTOVER_PID=$DYN_STREAM_PID
for p in $(pgrep -P "$LEFTOVER_PID") "$LEFTOVER_PID"; do kill -STOP "$p" 2>/dev/null; done
pkill_leftover() {
  local p
  for p in $(pgrep -P "$LEFTOVER_PID") "$LEFTOVER_PID"; do kill -CONT "$p" 2>/dev/null; done
  dyn_kill "$LEFTOVER_PID"
}
# The live stream, held by h2.
dyn_stream_start live
check "whenidle-stream-held-by-h2" grep -q "HELLO h2" "$DYN_STREAM"
check_within "whenidle-h2-sticky-while-busy" 15 dv_state_is h2 sticky
dyn_restore h1 carrier
check_within "whenidle-h1-back-standby" 40 dv_state_is h1 standby
check_within "whenidle-h1-routing-up" 40 dyn_all_routing_up
h2_holds() { dyn_probe_reaches h2 && dyn_routers_choose h2 && dv_state_is h2 sticky && ! grep -q BROKEN "$DYN_STREAM"; }
check_stays "whenidle-h2-keeps-it-while-the-stream-runs" 3 h2_holds
T=$EPOCHREALTIME
dyn_stream_stop
check "whenidle-stream-never-broken" dyn_stream_intact
check "whenidle-stream-only-ever-h2" grep -q "^END .* hosts=h2$" "$DYN_STREAM"
check_within "whenidle-ownership-returns-to-h1" 20 dv_owned_by h1
note "whenidle: h1 answers $(dyn_probe first "$T" h1) ms after the stream ended (the frozen leftover still open)"
pkill_leftover

# ---------------------------------------------------------------- manual

for h in "${DYN_HOSTS[@]}"; do
  sed -i 's/^takeback = .*/takeback = "manual"/' "$DYN_DIR/$h/vipa.conf"
  check "manual-reload-$h" dvctl "$h" reload
done
check_within "manual-steady" 40 dv_steady
dyn_fail h1 carrier
check_within "manual-h2-takes-over" 15 dyn_probe_reaches h2
check_within "manual-h2-sticky" 15 dv_state_is h2 sticky
dyn_monitor_start r1
dyn_monitor_start r2
dyn_restore h1 carrier
check_within "manual-h1-back-standby" 40 dv_state_is h1 standby
check_within "manual-h1-routing-up" 40 dyn_all_routing_up
h2_keeps() { dyn_probe_reaches h2 && dyn_routers_choose h2; }
check_stays "manual-h1-returning-takes-nothing" 3 h2_keeps

# h1 boots from nothing: vipad and FRR stopped, FRR started with its frr.conf, vipad started.
dyn_vipad_stop h1
dyn_frr_stop h1
if dyn_frr_start h1 && dyn_frr_load h1 "$DYN_DIR/h1/frr.conf"; then pass "manual-boot-frr-started"; else
  fail "manual-boot-frr-started"
fi
check "manual-boot-vipad-started" dyn_vipad_start h1
check_within "manual-boot-h1-standby" 40 dv_state_is h1 standby
check_stays "manual-boot-takes-nothing" 3 h2_keeps
never_to_h1() {
  ! grep " $DVIPA" "$DYN_DIR/r1.routes" "$DYN_DIR/r2.routes" | grep -v Deleted | grep -q "dev h1 "
}
check "manual-routers-never-sent-it-to-h1" never_to_h1

# Dual active: a fourth announcer (on r2) with a sticky metric (rank 50's) while h2 holds it.
# OSPF: a passive interface at that cost; BGP: a network statement with that MED.
fake_up() {
  ip -n "$DYN-r2" link add fake0 type ifb &&
    ip -n "$DYN-r2" link set fake0 up &&
    ip -n "$DYN-r2" addr add $DVIPA/32 dev fake0 || return 1
  if [ "$DYN_MODE" = ospf ]; then
    dyn_vtysh r2 -c "configure terminal" -c "interface fake0" -c "ip ospf passive" \
      -c "ip ospf cost 26496" -c "ip ospf area 0"
  else
    dyn_vtysh r2 -c "configure terminal" -c "route-map FAKE-STICKY permit 10" \
      -c "set metric 26496" -c "exit" -c "router bgp 65102" -c "address-family ipv4 unicast" \
      -c "network $DVIPA/32 route-map FAKE-STICKY"
  fi
}
fake_down() {
  if [ "$DYN_MODE" = bgp ]; then
    dyn_vtysh r2 -c "configure terminal" -c "router bgp 65102" -c "address-family ipv4 unicast" \
      -c "no network $DVIPA/32"
  fi
  ip -n "$DYN-r2" link del fake0
}
check "truth-fake-sticky-announcer" fake_up
check_within "truth-dual-active-reported" 15 dv_has_problem h2 dual_active
fake_down
not_dual() { ! dv_has_problem h2 dual_active; }
check_within "truth-dual-active-cleared" 15 not_dual

check "manual-takeback-command" dvctl h1 dvipa takeback web
check_within "manual-takeback-h1-owner" 20 dv_owned_by h1
dyn_probe_stop
dyn_finish
