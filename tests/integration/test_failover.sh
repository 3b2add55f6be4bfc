#!/usr/bin/env bash
# When en1 loses carrier or is set down, nothing keeps going out through it:
# traffic to remote hosts leaves through en5 (the route with the next metric) with the VIPA
# source, and a TCP session between a remote host and the VIPA streams on through the event
# with no reset and no lost or duplicated byte. When en1 comes back its routes return with the
# VIPA source, including the connected route the kernel re-adds without it.
source "$(dirname "$0")/lib.sh" "$@"

has_no_carrier() { iph link show "$1" | grep -q 'NO-CARRIER'; }
out_via_en5() {
  route_get_has $REMOTE4 "via 10\.68\.5\.2 dev en5 .*src $VIPA4 " &&
    route_get_has $REMOTE6 "via 2001:db8:5::2 dev en5 .*src $VIPA6 "
}
not_via_en1() { ! route_get_has $REMOTE4 "dev en1 " && ! route_get_has $REMOTE6 "dev en1 "; }
back_on_en1() {
  route_get_has $REMOTE4 "via 10\.68\.1\.2 dev en1 .*src $VIPA4 " &&
    route_get_has $REMOTE6 "via 2001:db8:1::2 dev en1 .*src $VIPA6 " &&
    owned_default 10.68.1.2 en1 10 && owned_default 2001:db8:1::2 en1 10 &&
    connected_src en1 10.68.1.0/24 $VIPA4 && connected_src en1 2001:db8:1::/64 $VIPA6
}
# The route via en1 must be gone or marked unusable, never preferred while en1 is down.
default_via_en1_not_used() {
  local line
  line=$(iph -4 route show default | grep 'dev en1') || return 0
  grep -Eq "linkdown|dead" <<<"$line" &&
    { sysctl_is ipv4/conf/en1/ignore_routes_with_linkdown 1 || sysctl_is ipv4/conf/all/ignore_routes_with_linkdown 1; }
}

topo_up || {
  fail "topology"
  finish
}
sample_config
check "vipad-starts" start_vipad
check_within "sample-converged" 3 sample_converged
check "out-via-en1-at-start" back_on_en1

# 1. en1 loses carrier: r1's side goes down. The network (c) reconverges to r5 as a routing
#    protocol would; r1 answers what it cannot deliver with ICMP unreachable (a soft error).
check "stream-1-starts" stream_start 2323
check_within "stream-1-flows" 5 stream_at_least 30
ipr1 link set r1h down
remote_route_del r1
check_within "en1-no-carrier" 2 has_no_carrier en1
check_within "out-via-en5-after-carrier-loss" 2 out_via_en5
check "not-via-en1-after-carrier-loss" not_via_en1
check "default-via-en1-not-used" default_via_en1_not_used
check "ping-remote-after-carrier-loss" ping_from "$NS_H" $REMOTE4
check "ping6-remote-after-carrier-loss" ping_from "$NS_H" $REMOTE6
check "stream-1-carries-on" stream_grows 30 10
note "ip route get 10.68.1.2 while en1 has no carrier: $(iph route get 10.68.1.2 | head -n1)"

# 2. Carrier returns: the default via en1 (metric 10) wins again, with the VIPA source.
ipr1 link set r1h up
router_routes r1
remote_route_add r1
check_within "back-on-en1-after-carrier-returns" 3 back_on_en1
check "stream-1-carries-on-after-return" stream_grows 30 10
stream_stop
check "stream-1-no-reset" stream_no_reset
check "stream-1-no-lost-or-duplicated-line" stream_intact

# 3. The host's en1 is set down (the kernel drops its IPv4 routes without RTM_DELROUTE) and
#    up again (the kernel re-adds the connected route without the VIPA source).
check "stream-2-starts" stream_start 2324
check_within "stream-2-flows" 5 stream_at_least 30
iph link set en1 down
remote_route_del r1
check_within "out-via-en5-after-admin-down" 2 out_via_en5
check "not-via-en1-after-admin-down" not_via_en1
check "stream-2-carries-on" stream_grows 30 10
iph link set en1 up
remote_route_add r1
check_within "connected-route-src-after-flap" 3 connected_src en1 10.68.1.0/24 $VIPA4
check_within "connected-route6-src-after-flap" 3 connected_src en1 2001:db8:1::/64 $VIPA6
check_within "owned-default-back-after-flap" 3 owned_default 10.68.1.2 en1 10
check_within "owned-default6-back-after-flap" 3 owned_default 2001:db8:1::2 en1 10
check_within "back-on-en1-after-flap" 3 back_on_en1
check "stream-2-carries-on-after-flap" stream_grows 30 10
stream_stop
check "stream-2-no-reset" stream_no_reset
check "stream-2-no-lost-or-duplicated-line" stream_intact
check "ping-remote-after-flap" ping_from "$NS_H" $REMOTE4
check "owned-default-en5-untouched" owned_default 10.68.5.2 en5 20
check "vipad-still-running" vipad_alive
finish
