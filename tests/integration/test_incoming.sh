#!/usr/bin/env bash
# Packets to the VIPA arriving on en5 while the default route is via en1 are
# accepted, also when rp_filter was strict before vipad started; on the listed interfaces
# vipad sets rp_filter loose, arp_ignore=1, arp_announce=2, so the VIPA is not answered to ARP
# and ARP requests carry the interface's own address. `--cleanup` restores the originals.
source "$(dirname "$0")/lib.sh" "$@"

# r1 has no neighbour entry that maps the VIPA to a link-layer address.
r1_no_vipa_neigh() { ! ipr1 neigh show $VIPA4 | grep -q lladdr; }
r1_learned_host_address() { ipr1 neigh show 10.68.1.1 dev r1h | grep -q lladdr; }
vipa_unanswered_on_link() { ! inr1 ping -c1 -W1 $VIPA4 >/dev/null 2>&1; }
foreign_route_kept() { iph route show 10.68.99.0/24 | grep -q 'via 10.68.5.2 dev en5'; }
connected_back_to_own_address() {
  connected_src en1 10.68.1.0/24 10.68.1.1 && connected_src en5 10.68.5.0/24 10.68.5.1
}
rx_packets() { inh cat /sys/class/net/$1/statistics/rx_packets; }
no_owned_defaults() { [ -z "$(iph -4 route show default)$(iph -6 route show default)" ]; }

topo_up || {
  fail "topology"
  finish
}
# The originals vipad must record: strict rp_filter (set by topo_up), a non-default arp_ignore
# on en5, defaults elsewhere.
inh sysctl -qw net.ipv4.conf.en5.arp_ignore=2
check "rp_filter-strict-before-start" bash -c "
  for i in all en1 en5; do [ \$(ip netns exec $NS_H cat /proc/sys/net/ipv4/conf/\$i/rp_filter) = 1 ] || exit 1; done"
kernel_snapshot "$TMP/before"
sample_config
check "vipad-starts" start_vipad
check_within "sample-converged" 3 sample_converged

for i in en1 en5; do
  check_within "rp_filter-loose-$i" 2 sysctl_is ipv4/conf/$i/rp_filter 2
  check_within "arp_ignore-1-$i" 2 sysctl_is ipv4/conf/$i/arp_ignore 1
  check_within "arp_announce-2-$i" 2 sysctl_is ipv4/conf/$i/arp_announce 2
done

# Asymmetric path: c reaches the VIPA only through r5 (en5); the host answers through its
# default via en1.
remote_route_del r1
check "remote-uses-r5" bash -c "ip -n $NS_C route get $VIPA4 | grep -q 'dev c5'"
check "host-answers-via-en1" route_get_has $REMOTE4 "dev en1 .*src $VIPA4 "
rx_before=$(rx_packets en5)
check_within "incoming-on-en5-accepted" 5 ping_from "$NS_C" $VIPA4 -I $REMOTE4
rx_after=$(rx_packets en5)
check "request-really-came-in-on-en5" test "${rx_after:-0}" -gt "${rx_before:-0}"
check_within "incoming6-on-en5-accepted" 5 ping_from "$NS_C" $VIPA6 -I $REMOTE6
check "tcp-to-vipa-via-en5" bash -c "
  ip netns exec $NS_H timeout 5 socat -u TCP-LISTEN:2424,bind=$VIPA4,reuseaddr OPEN:$TMP/tcp.in,creat &
  for _ in \$(seq 100); do ip netns exec $NS_H ss -Hltn 'sport = :2424' | grep -q LISTEN && break; sleep 0.02; done
  echo hello | ip netns exec $NS_C timeout 5 socat -u - TCP:$VIPA4:2424,bind=$REMOTE4
  wait; grep -q hello $TMP/tcp.in"
remote_route_add r1

# ARP. r1 reaches the VIPA through its route via 10.68.1.1, as a router should...
check "r1-pings-vipa-via-its-route" ping_from "$NS_R1" $VIPA4
# ...and the host's ARP requests carry 10.68.1.1, never the VIPA (arp_announce=2), even when
# the packet that triggers them comes from the VIPA.
ipr1 neigh flush dev r1h
iph neigh flush dev en1
check "host-pings-r1-from-vipa" ping_from "$NS_H" 10.68.1.2
check "r1-learned-host-own-address" r1_learned_host_address
check "r1-has-no-neigh-for-vipa" r1_no_vipa_neigh
# ...and when r1 asks for the VIPA directly on the link, the host does not answer
# (arp_ignore=1: only addresses of the receiving interface are answered).
ipr1 route replace $VIPA4/32 dev r1h
check "vipa-not-answered-to-arp" vipa_unanswered_on_link
check "r1-still-has-no-neigh-for-vipa" r1_no_vipa_neigh
router_routes r1

# --cleanup restores what vipad changed and removes what it created. An administrator's route
# that vipad gave the VIPA source must survive it (the kernel deletes IPv4 routes whose prefsrc
# disappears).
iph route add 10.68.99.0/24 via 10.68.5.2
# The precondition: without the VIPA source first, cleanup-keeps-foreign-route proves nothing.
check_within "foreign-route-has-vipa-src-before-cleanup" 5 bash -c \
  "ip -n $NS_H route show 10.68.99.0/24 | grep -q 'src $VIPA4'"
check "vipad-stops-on-sigterm" stop_vipad TERM
check "cleanup-exit-0" run_vipad --cleanup --config "$CONF" --socket "$SOCK"
check_not "cleanup-removes-vi0" link_exists vi0
check "rp_filter-restored-all" sysctl_is ipv4/conf/all/rp_filter 1
for i in en1 en5; do
  check "rp_filter-restored-$i" sysctl_is ipv4/conf/$i/rp_filter 1
  check "arp_announce-restored-$i" sysctl_is ipv4/conf/$i/arp_announce 0
done
check "arp_ignore-restored-en1" sysctl_is ipv4/conf/en1/arp_ignore 0
check "arp_ignore-restored-en5" sysctl_is ipv4/conf/en5/arp_ignore 2
check "cleanup-connected-routes-back-to-own-address" connected_back_to_own_address
check "cleanup-removes-owned-defaults" no_owned_defaults
check "cleanup-keeps-foreign-route" foreign_route_kept
check_not "cleanup-foreign-route-src-gone" route_show_has "src $VIPA4" 10.68.99.0/24
check "host-reaches-r1-after-cleanup" ping_from "$NS_H" 10.68.1.2
finish
