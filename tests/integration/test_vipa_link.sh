#!/usr/bin/env bash
# Vi0 exists (dummy, or ifb where the kernel has no dummy driver, with a
# notice), is up, holds the VIPA addresses (IPv6 ones without DAD delay), and there is no
# interface route for the VIPA's subnet in any routing table but `local` (IBM's sample: "no
# interface route is added").
source "$(dirname "$0")/lib.sh" "$@"

vi0_kind_is() { iph -d -o link show vi0 | grep -Eq " $1( |$)"; }
vi0_has() { iph -o addr show dev vi0 | grep -q " $1 "; }
vi0_has_usable() {
  local line
  line=$(iph -o addr show dev vi0 | grep " $1 ") || return 1
  ! grep -Eq 'tentative|dadfailed' <<<"$line" || {
    echo "$line"
    return 1
  }
}
# Any route to the VIPA subnets outside `local` (ip prints the type first for non-unicast).
subnet_routes() {
  {
    iph -4 route show table all
    iph -6 route show table all
  } | grep -v 'table local' |
    grep -E '^((unicast|broadcast|local|anycast|multicast) )?(10\.68\.6\.0/24|2001:db8:6::/64) '
}
no_subnet_route() { ! subnet_routes; }
# Host routes to the VIPA in vipad's own publishing table (routing.table, for routing daemons)
# are fine; the main table must not route anything through vi0.
no_v4_route_via_vi0_in_main() { ! iph -4 route show table main | grep 'dev vi0'; }

topo_up || {
  fail "topology"
  finish
}
CFG_VI0_EXTRA='alias4 = ["10.68.6.2,255.255.255.0"]
alias6 = ["2001:db8:6::2/64"]' sample_config

check "vipad-starts" start_vipad
if kernel_has_dummy; then kind=dummy; else kind=ifb; fi
check "vi0-is-$kind" vi0_kind_is $kind
[ $kind = ifb ] && check "ifb-notice-logged" grep -qiw ifb "$LOG"
check_within "vi0-up" 2 link_is_up vi0
check "vi0-holds-10.68.6.1/24" vi0_has inet\ 10.68.6.1/24
check_within "vi0-holds-alias-10.68.6.2/24" 2 vi0_has inet\ 10.68.6.2/24
# DAD would keep the address tentative (unusable as a source) for about a second: poll with a
# deadline well under that, so an address that went through DAD cannot pass.
check_within "vi0-holds-$VIPA6/64-not-tentative" 0.5 vi0_has_usable inet6\ $VIPA6/64
check_within "vi0-holds-alias-2001:db8:6::2/64-not-tentative" 0.5 vi0_has_usable \
  inet6\ 2001:db8:6::2/64

check_within "sample-converged" 3 sample_converged
check "no-route-for-vipa-subnets-outside-local" no_subnet_route
check "no-ipv4-route-via-vi0-in-main" no_v4_route_via_vi0_in_main
check "local-route-for-vipa" route_show_has "^local $VIPA4 dev vi0" table local
check "vipa-answers-neighbour" ping_from "$NS_R1" $VIPA4
check "vipa6-answers-neighbour" ping_from "$NS_R1" $VIPA6

# The kernel re-adds prefix routes on some events (link down/up of vi0); the subnet route must
# stay away after that too.
iph link set vi0 down
iph link set vi0 up
check_within "sample-converged-after-vi0-flap" 3 sample_converged
check "no-route-for-vipa-subnets-after-vi0-flap" no_subnet_route
check "vi0-up-after-flap" link_is_up vi0

check "vipad-still-running" vipad_alive
finish
