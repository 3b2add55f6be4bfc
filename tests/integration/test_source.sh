#!/usr/bin/env bash
# Every main-table route whose nexthop leaves through a listed interface
# carries the VIPA as preferred source: vipad's own routes, the kernel's connected routes and
# routes other tools add later. Routing daemons' routes are left alone. With interface_names
# empty, every non-loopback interface uses the VIPA. IPv6 likewise.
source "$(dirname "$0")/lib.sh" "$@"

route_has_src() { # PREFIX SRC: the main-table route for PREFIX carries SRC
  local fam=-4
  [[ $1 == *:* ]] && fam=-6
  iph $fam route show "$1" | grep -Eq " src $2( |$)"
}
route_has_no_src() {
  local fam=-4 out
  [[ $1 == *:* ]] && fam=-6
  out=$(iph $fam route show "$1")
  [ -n "$out" ] && ! grep -q ' src ' <<<"$out" || {
    echo "$out"
    return 1
  }
}

topo_up || {
  fail "topology"
  finish
}
sample_config
check "vipad-starts" start_vipad
check_within "sample-converged" 3 sample_converged

# vipad's own routes and the kernel's connected ones, as `ip route get` answers them.
check "src-remote-$REMOTE4" route_get_has $REMOTE4 "via 10\.68\.1\.2 dev en1 .*src $VIPA4 "
check "src-neighbour-en1-router" route_get_has 10.68.1.2 "dev en1 .*src $VIPA4 "
check "src-neighbour-en1-other" route_get_has 10.68.1.77 "dev en1 .*src $VIPA4 "
check "src-neighbour-en5-router" route_get_has 10.68.5.2 "dev en5 .*src $VIPA4 "
check "src-neighbour-en5-other" route_get_has 10.68.5.77 "dev en5 .*src $VIPA4 "
check "owned-default-en1" owned_default 10.68.1.2 en1 10
check "owned-default-en5" owned_default 10.68.5.2 en5 20
check "connected-en1-src" connected_src en1 10.68.1.0/24 $VIPA4
check "connected-en5-src" connected_src en5 10.68.5.0/24 $VIPA4
check "ping-remote-from-vipa" ping_from "$NS_H" $REMOTE4

# IPv6
check "src6-remote-$REMOTE6" route_get_has $REMOTE6 "via 2001:db8:1::2 dev en1 .*src $VIPA6 "
check "src6-neighbour-en1" route_get_has 2001:db8:1::2 "dev en1 .*src $VIPA6 "
check "src6-neighbour-en5" route_get_has 2001:db8:5::77 "dev en5 .*src $VIPA6 "
check "owned-default6-en1" owned_default 2001:db8:1::2 en1 10
check "owned-default6-en5" owned_default 2001:db8:5::2 en5 20
check "connected6-en1-src" connected_src en1 2001:db8:1::/64 $VIPA6
check "connected6-en5-src" connected_src en5 2001:db8:5::/64 $VIPA6
check "ping6-remote-from-vipa" ping_from "$NS_H" $REMOTE6

# Routes another tool adds later (an administrator, a DHCP client).
iph route add 10.68.99.0/24 via 10.68.5.2
check_within "foreign-route-gets-src" 2 route_has_src 10.68.99.0/24 $VIPA4
check "foreign-route-src-route-get" route_get_has 10.68.99.7 "via 10\.68\.5\.2 dev en5 .*src $VIPA4 "
iph route add 10.68.98.0/24 dev en1 scope link
check_within "foreign-device-route-gets-src" 2 route_has_src 10.68.98.0/24 $VIPA4
iph -6 route add 2001:db8:99::/64 via 2001:db8:5::2
check_within "foreign-route6-gets-src" 2 route_has_src 2001:db8:99::/64 $VIPA6
check "foreign-route6-src-route-get" route_get_has 2001:db8:99::7 "dev en5 .*src $VIPA6 "

# Routing daemons' routes are theirs: vipad leaves them alone. A negative cannot be awaited,
# so a later foreign route serves as a barrier: once vipad has fixed it, it has also seen the
# daemons' routes added before it.
iph route add 10.68.97.0/24 via 10.68.5.2 proto bird
iph route add 10.68.96.0/24 via 10.68.1.2 proto ospf
iph route add 10.68.95.0/24 via 10.68.1.2 proto zebra
iph -6 route add 2001:db8:97::/64 via 2001:db8:5::2 proto bird
iph route add 10.68.94.0/24 via 10.68.5.2
iph -6 route add 2001:db8:94::/64 via 2001:db8:5::2
check_within "barrier-route-gets-src" 2 route_has_src 10.68.94.0/24 $VIPA4
check_within "barrier-route6-gets-src" 2 route_has_src 2001:db8:94::/64 $VIPA6
check "proto-bird-route-untouched" route_has_no_src 10.68.97.0/24
check "proto-ospf-route-untouched" route_has_no_src 10.68.96.0/24
check "proto-zebra-route-untouched" route_has_no_src 10.68.95.0/24
check "proto-bird-route6-untouched" route_has_no_src 2001:db8:97::/64
check "daemon-routes-kept-their-proto" route_show_has '^10\.68\.97\.0/24 .*proto bird' 10.68.97.0/24
# They never even reach vipad: the kernel's filter on its event socket drops them (the barrier
# route, which passed, is in its table; the daemons' are not).
netstat_has() { "$VIPACTL" --socket "$SOCK" netstat -rn 2>/dev/null | grep -Eq "^$1 "; }
check "barrier-route-in-vipad-table" netstat_has '10\.68\.94/24'
check "barrier-route6-in-vipad-table" netstat_has '2001:db8:94::(/64)?'
check_not "daemon-route-not-received" netstat_has '10\.68\.97/24'
check_not "daemon-route6-not-received" netstat_has '2001:db8:97::(/64)?'

# IPv6 source-specific routes (`from PREFIX`) are left alone: their packets already carry a
# source from PREFIX. One beside a plain route of the same destination, gateway and metric is a
# different route: the plain one gets the VIPA as source, the `from` one keeps its `from` and
# gets no source. A later foreign route is the barrier again.
iph -6 route add 2001:db8:93::/64 via 2001:db8:5::2 from 2001:db8:77::/64
iph -6 route add 2001:db8:93::/64 via 2001:db8:5::2
iph -6 route add 2001:db8:92::/64 via 2001:db8:5::2 from 2001:db8:78::/64
iph -6 route add 2001:db8:91::/64 via 2001:db8:5::2
check_within "barrier2-route6-gets-src" 2 route_has_src 2001:db8:91::/64 $VIPA6
from_route() { # DST FROM: the one main-table route DST from FROM, without a source
  local out
  out=$(iph -6 route show table main | grep -E "^$1 from $2 ")
  [ "$(wc -l <<<"$out")" = 1 ] && grep -q ' via 2001:db8:5::2 dev en5 ' <<<"$out" &&
    ! grep -q ' src ' <<<"$out" || {
    iph -6 route show table main | grep -E "^$1 "
    return 1
  }
}
plain_route_src() { # DST SRC: the plain route DST (no `from`) carries SRC
  iph -6 route show table main | grep -E "^$1 via " | grep -Eq " src $2( |$)"
}
check "source-route6-beside-plain-kept" from_route 2001:db8:93::/64 2001:db8:77::/64
check "plain-route6-beside-source-gets-src" plain_route_src 2001:db8:93::/64 $VIPA6
check "source-route6-alone-kept" from_route 2001:db8:92::/64 2001:db8:78::/64
check_not "source-route6-not-recreated-plain" route6_show_has "^2001:db8:92::/64 via" table main
check "vipad-still-running" vipad_alive
stop_vipad

# interface_names empty: AIX uses the VIPA on every interface then. A third interface, en9,
# that IBM's sample config never names, shows it.
topo_up || {
  fail "topology-2"
  finish
}
ip link add en9 netns "$NS_H" type veth peer name r5h9 netns "$NS_R5"
iph addr add 10.68.9.1/24 dev en9
iph addr add 2001:db8:9::1/64 dev en9 nodad
ipr5 addr add 10.68.9.2/24 dev r5h9
iph link set en9 up
ipr5 link set r5h9 up
wait_for 20 no_tentative
CFG_IFNAMES='[]' sample_config
check "empty-list-vipad-starts" start_vipad
check_within "empty-list-sample-converged" 3 sample_converged
check "empty-list-src-en1" route_get_has 10.68.1.2 "dev en1 .*src $VIPA4 "
check "empty-list-src-en5" route_get_has 10.68.5.2 "dev en5 .*src $VIPA4 "
check_within "empty-list-src-en9" 2 route_get_has 10.68.9.2 "dev en9 .*src $VIPA4 "
check_within "empty-list-src6-en9" 2 route_get_has 2001:db8:9::2 "dev en9 .*src $VIPA6 "
check "empty-list-ping-remote" ping_from "$NS_H" $REMOTE4
check "empty-list-loopback-untouched" route_get_has 127.0.0.1 "dev lo .*src 127\.0\.0\.1"
check "empty-list-vipad-still-running" vipad_alive
finish
