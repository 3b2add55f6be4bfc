#!/usr/bin/env bash
# Interfaces that come and go or change role, handled without a restart and each logged once:
#   - en5 does not exist when vipad starts (a tunnel or PPP session not up yet): the route via r5
#     waits, with a notice naming its config location; en5 appears and the route is installed;
#   - en5 is deleted and created again with another ifindex;
#   - en5 is renamed away (it is no longer the listed en5) and back;
#   - en5 with /32 addressing: a route with `onlink = true` stays, the one without goes;
#   - en1 is made a port of a bridge br1, which takes over its address: br1 then carries en1's
#     role (VIPA source, sysctls, the route via r1), and en1 back when it is released.
source "$(dirname "$0")/lib.sh" "$@"

topo_up || {
  fail "topology"
  finish
}
# en5 is gone before vipad starts; r5h waits in r5 for its peer.
iph link del en5
# /32 addressing needs onlink: the gateway is in no prefix of the host.
CFG_EXTRA='[[route]]
destination = "10.68.77.0/24"
gateway = "10.68.5.2"
interface = "en5"
onlink = true'
CFG_V6=0 sample_config
check "vipad-starts-without-en5" start_vipad
check_within "en1-route-installed" 5 owned_default 10.68.1.2 en1 10
note_logged() { grep -q -- "$1" "$LOG"; }
check_within "notice-names-config-location" 5 note_logged "$CONF:[0-9]*:[0-9]*: \[\[route\]\] default via 10.68.5.2: gateway 10.68.5.2 is on no interface"
check "status-says-why-not-installed" bash -c "'$VIPACTL' --socket '$SOCK' status | grep -q 'via 10.68.5.2 .*not installed.*is on no interface'"

logged_once() { [ "$(grep -c -- "$1" "$LOG")" = 1 ]; }

make_en5() {
  ip link add en5 netns "$NS_H" type veth peer name r5h netns "$NS_R5" &&
    iph addr add 10.68.5.1/24 dev en5 && ipr5 addr add 10.68.5.2/24 dev r5h &&
    iph link set en5 up && ipr5 link set r5h up &&
    ipr5 route replace $VIPA4/32 via 10.68.5.1 && ipr5 route replace $REMOTE4/32 via 10.68.15.2
}
ipr5 link del r5h 2>/dev/null

# ---------------------------------------------------------------- appears after start
check "en5-created" make_en5
check_within "appeared-route-installed" 5 owned_default 10.68.5.2 en5 20
check_within "appeared-connected-src" 5 connected_src en5 10.68.5.0/24 $VIPA4
check_within "appeared-rp-filter-loose" 5 sysctl_is ipv4/conf/en5/rp_filter 2
check_within "appeared-logged" 5 logged_once "interface en5 appeared"
old=$(iph -o link show en5 | cut -d: -f1)

# ---------------------------------------------------------------- deleted, created again
iph link del en5
check_within "deleted-logged" 5 logged_once "interface en5 (ifindex $old) was deleted"
check "en5-created-again" make_en5
new=$(iph -o link show en5 | cut -d: -f1)
check "new-ifindex" test "$old" != "$new"
check_within "recreated-route-installed" 5 owned_default 10.68.5.2 en5 20
check_within "recreated-connected-src" 5 connected_src en5 10.68.5.0/24 $VIPA4
check_within "recreated-logged" 5 logged_once "interface en5 was created again with ifindex $new (was $old)"

# ---------------------------------------------------------------- renamed away and back
# ppp5 is not listed: the owned route leaves en5's name (the gateway is still on-link on ppp5,
# so the kernel's way to it is ppp5, without the VIPA source).
no_route_via_en5() { ! iph route show default | grep -q "via 10.68.5.2 dev en5"; }
no_vipa_src_via_ppp5() { ! iph route show default | grep -q "via 10.68.5.2 dev ppp5 .*src $VIPA4"; }
iph link set en5 down
iph link set en5 name ppp5
iph link set ppp5 up
check_within "renamed-route-leaves-en5" 5 no_route_via_en5
check_within "renamed-no-vipa-source" 5 no_vipa_src_via_ppp5
check_within "renamed-logged" 5 logged_once "interface en5 was renamed ppp5 (ifindex $new): it is no longer the configured en5"
iph link set ppp5 down
iph link set ppp5 name en5
iph link set en5 up
check_within "renamed-back-route-installed" 5 owned_default 10.68.5.2 en5 20
check_within "renamed-back-logged" 5 logged_once "interface ppp5 was renamed en5 (ifindex $new): it takes the place"

# ---------------------------------------------------------------- /32 addressing, onlink
onlink_route() { route_show_has "via 10.68.5.2 dev en5 .*src $VIPA4 .*onlink" 10.68.77.0/24; }
check_within "onlink-route-installed" 5 onlink_route
# The /32 is added before the /24 goes, so en5 is never without an IPv4 address and the
# kernel has no reason to flush its routes: the onlink route must simply stay.
iph addr add 10.68.5.1/32 dev en5
iph addr del 10.68.5.1/24 dev en5
check_within "slash32-default-without-onlink-withdrawn" 5 no_route_via_en5
check "slash32-onlink-route-kept" onlink_route
check "slash32-onlink-route-used" route_get_has 10.68.77.1 "via 10\.68\.5\.2 dev en5 .*src $VIPA4 "
# With a gap (the last IPv4 address gone), the kernel flushes every route through en5,
# the onlink one included; vipad puts it back once the /32 is there.
iph addr del 10.68.5.1/32 dev en5
iph addr add 10.68.5.1/32 dev en5
check_within "slash32-onlink-route-restored" 5 onlink_route
iph addr add 10.68.5.1/24 dev en5
iph addr del 10.68.5.1/32 dev en5
check_within "slash24-default-back" 5 owned_default 10.68.5.2 en5 20

# ---------------------------------------------------------------- enslaved to a bridge
# The usual move: make the bridge, enslave the interface, move its address to the bridge.
iph link add br1 type bridge stp_state 0 forward_delay 0
iph link set en1 master br1
iph addr del 10.68.1.1/24 dev en1
iph addr add 10.68.1.1/24 dev br1
iph link set br1 up
check_within "enslaved-route-via-bridge" 10 owned_default 10.68.1.2 br1 10
check_within "enslaved-bridge-connected-src" 5 connected_src br1 10.68.1.0/24 $VIPA4
check_within "enslaved-bridge-rp-filter-loose" 5 sysctl_is ipv4/conf/br1/rp_filter 2
check "enslaved-out-via-bridge" route_get_has $REMOTE4 "via 10\.68\.1\.2 dev br1 .*src $VIPA4 "
check "enslaved-ping-through-bridge" ping_from "$NS_H" $REMOTE4
check_within "enslaved-logged" 5 logged_once "interface en1 is now a port of bridge br1"

# Released: en1 takes its address back.
iph link set en1 nomaster
iph addr del 10.68.1.1/24 dev br1
iph addr add 10.68.1.1/24 dev en1
iph link del br1
check_within "released-route-via-en1" 10 owned_default 10.68.1.2 en1 10
check_within "released-logged" 5 logged_once "interface en1 is no longer a port of br1"
# One connected route per prefix, with the VIPA source: never the kernel's with a second one
# (from the VIPA) appended behind it, which would leave the interface's own address the source.
one_connected() {
  local lines
  lines=$(iph route show "$2" dev "$1" proto kernel)
  [ "$(printf '%s\n' "$lines" | grep -c .)" = 1 ] && grep -q "src $VIPA4" <<<"$lines"
}
check_within "released-one-connected-route-en1" 5 one_connected en1 10.68.1.0/24
check_within "one-connected-route-en5" 5 one_connected en5 10.68.5.0/24
check "released-sends-from-vipa" src_is 10.68.1.2 "$VIPA4"

check "vipad-still-running" vipad_alive
check "no-sanitizer-report" bash -c "! grep -Eq 'ERROR: [A-Za-z]+Sanitizer|runtime error:' '$LOG'"
check "released-not-taken-for-deleted" bash -c "! grep -q 'interface en1 (ifindex 2) was deleted' '$LOG'"
check "no-route-problem-logged-twice" bash -c "! grep 'is on no interface' '$LOG' | sort | uniq -d | grep -q ."
finish
