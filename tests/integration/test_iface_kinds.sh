#!/usr/bin/env bash
# "Any mixture of IP interfaces": en5, the sample's second interface, is made of each device kind
# in turn while one vipad runs (each new en5 is a new link with another ifindex). For each kind:
#   - the default route via r5 is installed through it with the VIPA as source, and the kernel's
#     own route to the router (connected prefix or point-to-point peer) carries the VIPA too, in
#     both families;
#   - dead gateway detection probes r5 with the method the link can carry (ARP, NS or an ICMP
#     echo through the interface), keeps it alive while it answers, finds it dead when r5 drops
#     everything (nftables) and withdraws its route, then finds it alive again.
# A bridge also loses its carrier when the cable behind its port is cut, and vipad withdraws its
# routes. Kinds whose driver this kernel lacks (`ip link add` fails) are printed as SKIPPED by
# name and counted nowhere. TCP sessions over each kind: test_iface_failover.sh.
source "$(dirname "$0")/lib.sh" "$@"
source "$(dirname "$0")/lib_dgd.sh"
source "$(dirname "$0")/lib_iface.sh"

for t in jq nft; do
  command -v $t >/dev/null || {
    fail "prerequisites: $t"
    finish
  }
done
topo_up || {
  fail "topology"
  finish
}
iface_config
check "vipad-starts" start_vipad
check_within "sample-converged" 5 sample_converged

kind_checks() {
  local k=$1 method=$2 ptp=$3 mname=${2// /-}
  check_within "$k-route-with-vipa-source" 10 owned_default 10.68.5.2 en5 20
  if [ "$ptp" = 1 ]; then
    check_within "$k-peer-route-with-vipa-source" 5 connected_src en5 10.68.5.2 $VIPA4
  else
    check_within "$k-connected-route-with-vipa-source" 5 connected_src en5 10.68.5.0/24 $VIPA4
  fi
  if [ "$V6" = 1 ]; then
    check_within "$k-route6-with-vipa-source" 10 owned_default 2001:db8:5::2 en5 20
    [ "$ptp" = 1 ] &&
      check_within "$k-peer-route6-with-vipa-source" 5 connected_src en5 2001:db8:5::2 $VIPA6
  fi

  check_within "$k-probed-by-$mname-and-alive" 10 gw_probed 10.68.5.2 "$method"
  if [ "$V6" = 1 ]; then
    local m6=$method
    [ "$method" = ARP ] && m6=NS
    check_within "$k-probed6-by-${m6// /-}-and-alive" 10 gw_probed 2001:db8:5::2 "$m6"
  fi
  r5_drops_all
  check_within "$k-dead-gateway-found" 10 gw_alive_is 10.68.5.2 false
  check_within "$k-dead-gateway-route-withdrawn" 5 no_default_via 10.68.5.2
  [ "$V6" = 1 ] && check_within "$k-dead-gateway6-found" 10 gw_alive_is 2001:db8:5::2 false
  r5_answers
  check_within "$k-gateway-alive-again" 10 gw_alive_is 10.68.5.2 true
  check_within "$k-route-back" 5 owned_default 10.68.5.2 en5 20
  [ "$V6" = 1 ] && check_within "$k-gateway6-alive-again" 10 gw_alive_is 2001:db8:5::2 true

  if [ "$k" = bridge ]; then
    # The cable behind the bridge port is cut: the bridge loses carrier, its routes go.
    ipr5 link set r5h down
    check_within "bridge-cable-cut-no-carrier" 5 has_no_carrier en5
    check_within "bridge-cable-cut-route-withdrawn" 5 no_default_via 10.68.5.2
    check "bridge-cable-cut-out-via-en1" out_via_en1
    bring_up_en5
    check_within "bridge-cable-back-route-back" 10 owned_default 10.68.5.2 en5 20
  fi
}
for_each_kind kind_checks

# Each en5 was a new link: vipad said so.
check "log-says-created-again" grep -q "interface en5 was created again with ifindex" "$LOG"
check "vipad-still-running" vipad_alive
check "no-sanitizer-report" no_sanitizer_report
[ ${#SKIPPED[@]} -gt 0 ] && note "SKIPPED (not counted as passed): ${SKIPPED[*]}"
finish
