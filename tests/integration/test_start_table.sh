#!/usr/bin/env bash
# The main table vipad finds when it starts. Routes present before the start get the VIPA source
# (static, boot, dhcp; IPv4 and IPv6); routing daemons' routes are never read and keep what they
# have, also when vipad reads the tables again later. First, the kernel behaviour the dumps rely
# on: a strict dump (NETLINK_GET_STRICT_CHK) of one protocol returns that protocol only.
source "$(dirname "$0")/lib.sh" "$@"
DUMP="$(cd "$(dirname "$0")" && pwd)/route_dump.py"

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
# FAMILY PROTO DST: a strict dump of PROTO in the main table has DST and no other protocol.
dump_only() {
  local out
  out=$(inh python3 "$DUMP" "$1" 254 "$2") || return 1
  grep -q " $3\$" <<<"$out" && ! grep -qv "^$2 " <<<"$out" || {
    echo "$out"
    return 1
  }
}
netstat_has() { "$VIPACTL" --socket "$SOCK" netstat -rn 2>/dev/null | grep -Eq "^$1 "; }

topo_up || {
  fail "topology"
  finish
}
wait_for 20 no_tentative
iph route add 10.68.99.0/24 via 10.68.5.2 proto static
iph route add 10.68.98.0/24 via 10.68.1.2 # proto boot, as ip adds it
iph route add 10.68.97.0/24 via 10.68.5.2 proto dhcp
iph route add 10.68.96.0/24 via 10.68.5.2 proto bird
iph route add 10.68.95.0/24 via 10.68.1.2 proto bgp
iph -6 route add 2001:db8:99::/64 via 2001:db8:5::2 proto static
iph -6 route add 2001:db8:98::/64 via 2001:db8:1::2 proto dhcp
iph -6 route add 2001:db8:97::/64 via 2001:db8:5::2 proto bird

check "kernel-dump-static-only" dump_only 4 4 10.68.99.0/24
check "kernel-dump-boot-only" dump_only 4 3 10.68.98.0/24
check "kernel-dump-bird-only" dump_only 4 12 10.68.96.0/24
check "kernel-dump6-dhcp-only" dump_only 6 16 2001:db8:98::/64
check "kernel-dump6-bird-only" dump_only 6 12 2001:db8:97::/64

sample_config
check "vipad-starts" start_vipad
check_within "sample-converged" 3 sample_converged
check_within "static-route-gets-src" 3 route_has_src 10.68.99.0/24 $VIPA4
check_within "boot-route-gets-src" 3 route_has_src 10.68.98.0/24 $VIPA4
check_within "dhcp-route-gets-src" 3 route_has_src 10.68.97.0/24 $VIPA4
check_within "static-route6-gets-src" 3 route_has_src 2001:db8:99::/64 $VIPA6
check_within "dhcp-route6-gets-src" 3 route_has_src 2001:db8:98::/64 $VIPA6
check "kernel-connected-route-gets-src" connected_src en1 10.68.1.0/24 $VIPA4
# The start's converge rewrote every route it read in one plan, in the table's order: the
# routes above (after the daemons' in that order) carry the source, so the daemons' are done.
check "bird-route-untouched" route_has_no_src 10.68.96.0/24
check "bgp-route-untouched" route_has_no_src 10.68.95.0/24
check "bird-route6-untouched" route_has_no_src 2001:db8:97::/64
check "static-route-in-vipad-table" netstat_has '10\.68\.99/24'
check "dhcp-route6-in-vipad-table" netstat_has '2001:db8:98::(/64)?'
check_not "bird-route-not-read" netstat_has '10\.68\.96/24'
check_not "bird-route6-not-read" netstat_has '2001:db8:97::(/64)?'

# An interface going admin-down makes vipad read the main table again (the kernel flushes IPv4
# routes silently then): nothing is lost, nothing gained. A route added after it
# is the barrier: once it has the source, the converge that read the tables again is done.
iph link add ex0 type ifb
iph link set ex0 up
iph addr add 10.68.77.1/24 dev ex0
iph link set ex0 down
iph route add 10.68.93.0/24 via 10.68.5.2 proto static
check_within "after-redump-new-route-gets-src" 3 route_has_src 10.68.93.0/24 $VIPA4
check "after-redump-static-route-in-vipad-table" netstat_has '10\.68\.99/24'
check "after-redump-dhcp-route6-in-vipad-table" netstat_has '2001:db8:98::(/64)?'
check_not "after-redump-bird-route-not-read" netstat_has '10\.68\.96/24'
check "vipad-still-running" vipad_alive
stop_vipad
finish
