#!/usr/bin/env bash
# Dynamic VIPA damping over OSPF (DYN_MODE=bgp: BGP with BFD), in the lab of lib_dvipa.sh: h1's health check flaps (fails
# for a second, passes for a second) for a minute. Counted, not timed: vipad's own
# announcement changes (dvipa_announce events) and the changes of the routers' choice (from
# `ip monitor route` on r1 and r2) are at most 2 in that minute; the check did flap (vipad saw
# it fail); once it stays healthy, h1 owns the DVIPA again.
# Run by ctest as `bash test_dvipa_flap.sh VIPAD VIPACTL`, as root.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh" "$@"
export VIPAD VIPACTL
DYN_MODE=${DYN_MODE:-ospf}
DYN_HEALTH=1 # every 500 ms, rise 2, fall 2; hold_down_ms left at its default
# Only h1's check flaps; h2 and h3 without one (healthy while vipad runs): a check of theirs
# timing out on a busy machine would change the routers' choice too.
DYN_HEALTH_HOSTS=h1
FLAP_S=${FLAP_S:-60}
source "$HERE/lib_dvipa.sh"
source "$HERE/lib_dvipa_checks.sh"
dyn_test_traps

if ! dv_engine_present; then
  fail "vipad-knows-dvipa" "vipad --check refuses a [dvipa.*] table"
  dyn_finish
fi
if dyn_up; then pass "flap-lab-up"; else
  fail "flap-lab-up"
  dyn_finish
fi
dyn_probe_start
check_within "flap-steady" 40 dv_steady
dv_monitor_start h1
dyn_monitor_start r1
dyn_monitor_start r2
flapper() {
  local end=$(($(dyn_ms) + FLAP_S * 1000))
  while [ "$(dyn_ms)" -lt "$end" ]; do
    touch "$DYN_DIR/h1/sick"
    sleep 1
    rm -f "$DYN_DIR/h1/sick"
    sleep 1
  done
}
flapper
# choices ROUTER: how often the router's choice for the DVIPA changed (its route's device).
choices() {
  grep " $DVIPA" "$DYN_DIR/$1.routes" | grep -v '^.*Deleted' |
    awk '{for(i=1;i<NF;i++) if($i=="dev") print $(i+1)}' | awk 'p != $1 {n++} {p=$1} END {print n+0}'
}
announces=$(dv_events h1 dvipa_announce)
note "in ${FLAP_S} s of flapping: vipad's announcement changes $announces, r1's choice changed $(choices r1) times, r2's $(choices r2)"
flapped() { [ "$(dv_events h1 dvipa)" -ge 1 ]; }
check "flap-the-check-did-fail" flapped
at_most_2() { [ "$announces" -le 2 ]; }
check "flap-at-most-2-announcement-changes-a-minute" at_most_2
routers_at_most_2() { [ "$(choices r1)" -le 2 ] && [ "$(choices r2)" -le 2 ]; }
check "flap-routers-changed-at-most-2-times" routers_at_most_2
check_within "flap-settled-h1-owner-again" 90 dv_owned_by h1
dyn_probe_stop
dyn_finish
