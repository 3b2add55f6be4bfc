#!/usr/bin/env bash
# Vipad holds the kernel true by reacting to rtnetlink events. Deleting the
# VIPA address, stripping a route's src, deleting a route vipad owns, and a netlink receive
# buffer overrun (ENOBUFS) all end in the same correct state.
#
# The deadlines here (1 s, polled every 10 ms) only prove that repair is event-driven and
# prompt on a loaded CI machine; the real latency (milliseconds) is measured in bench/.
source "$(dirname "$0")/lib.sh" "$@"

REPAIR=1 # seconds

vipa6_usable() { iph -6 addr show dev vi0 | grep " $VIPA6/64 " | grep -vqE 'tentative|dadfailed'; }
converged_all() { sample_converged && vipa6_usable && link_is_up vi0; }
# exactly one default route of each metric: a repair must not leave a duplicate beside the
# administrator's version.
one_default_per_metric() {
  local fam m n
  for fam in -4 -6; do
    for m in 10 20; do
      n=$(iph $fam route show default | grep -cE "metric $m( |$)")
      [ "$n" = 1 ] || {
        echo "$fam: $n default routes with metric $m"
        iph $fam route show default
        return 1
      }
    done
  done
}
foreign_route_ok() { iph route show 10.68.99.0/24 | grep -q "via 10.68.5.2 dev en5 .*src $VIPA4"; }
BULK=$TMP/bulk.batch
bulk_routes_with_src() {
  [ "$(iph -4 route show | grep -cE "^10\.68\.12[0-7]\.[0-9]+ via 10\.68\.5\.2 dev en5 .*src $VIPA4( |$)")" = 2000 ] &&
    [ "$(iph -6 route show | grep -cE "^2001:db8:120::[0-9a-f]+ via 2001:db8:5::2 dev en5 .*src $VIPA6( |$)")" = 500 ]
}
bulk_progress() {
  echo "v4 with src: $(iph -4 route show | grep -cE "^10\.68\.12[0-7]\..* src $VIPA4")/2000," \
    "v6 with src: $(iph -6 route show | grep -cE "^2001:db8:120::.* src $VIPA6")/500"
}

topo_up || {
  fail "topology"
  finish
}
sample_config
check "vipad-starts" start_vipad
check_within "sample-converged" 3 converged_all

# The VIPA address deleted: the kernel also deletes every IPv4 route using it as prefsrc, the
# connected routes and an administrator's route included.
iph route add 10.68.99.0/24 via 10.68.5.2
check_within "foreign-route-gets-src" 2 foreign_route_ok
iph addr del $VIPA4/24 dev vi0
check_within "vipa-deleted-restored-with-routes" $REPAIR sample_converged
check_within "vipa-deleted-foreign-route-restored" $REPAIR foreign_route_ok
iph addr del $VIPA6/64 dev vi0
check_within "vipa6-deleted-restored-with-routes" $REPAIR converged_all

# A route's src stripped by another tool.
iph route replace 10.68.1.0/24 dev en1 proto kernel scope link src 10.68.1.1
check_within "connected-src-stripped-restored" $REPAIR connected_src en1 10.68.1.0/24 $VIPA4
iph -6 route replace 2001:db8:5::/64 dev en5 proto kernel metric 256
check_within "connected6-src-stripped-restored" $REPAIR connected_src en5 2001:db8:5::/64 $VIPA6
iph route change default via 10.68.1.2 dev en1 metric 10
check_within "owned-default-src-stripped-restored" $REPAIR owned_default 10.68.1.2 en1 10
iph -6 route replace default via 2001:db8:1::2 dev en1 metric 10
check_within "owned-default6-src-stripped-restored" $REPAIR owned_default 2001:db8:1::2 en1 10
check "no-duplicate-defaults" one_default_per_metric

# A route vipad owns deleted.
iph route del default via 10.68.1.2 metric 10
check_within "owned-default-deleted-restored" $REPAIR owned_default 10.68.1.2 en1 10
iph -6 route del default via 2001:db8:5::2 metric 20
check_within "owned-default6-deleted-restored" $REPAIR owned_default 2001:db8:5::2 en5 20

# vi0 itself tampered with (state = "up" is the desired state).
iph link set vi0 down
check_within "vi0-set-down-restored" $REPAIR converged_all
iph link del vi0
check_within "vi0-deleted-recreated" $REPAIR converged_all
check "still-one-default-per-metric" one_default_per_metric
check "vipad-still-running" vipad_alive

# A netlink overrun: a tiny receive buffer (hidden flag --netlink-rcvbuf) and 2500 routes added
# in one go while vipad is stopped (SIGSTOP, so it surely reads none of them in time) overflow
# vipad's monitor socket; the resync must happen (counted and logged) and still give every
# route the VIPA.
# A fresh topology, so that this part does not depend on the repairs above.
check "vipad-stops" stop_vipad TERM
topo_up || {
  fail "topology-2"
  finish
}
check "vipad-starts-with-tiny-rcvbuf" start_vipad --netlink-rcvbuf 4096
check_within "tiny-rcvbuf-converged" 3 converged_all
{
  for a in $(seq 120 127); do
    for b in $(seq 1 250); do echo "route add 10.68.$a.$b/32 via 10.68.5.2"; done
  done
  for b in $(seq 1 500); do printf 'route add 2001:db8:120::%x/128 via 2001:db8:5::2\n' "$b"; done
} >"$BULK"
resyncs() { "$VIPACTL" --socket "$SOCK" status --json | jq -e '.counters.resyncs'; }
resyncs_above() { [ "$(resyncs)" -gt "$1" ]; }
# The tiny buffer may already have overflowed while vipad converged: count from here.
resyncs_before=$(resyncs)
check "resyncs-counted" test -n "$resyncs_before"
check "vipad-paused" kill -STOP "$VIPAD_PID"
check "bulk-routes-added" iph -batch "$BULK"
check "vipad-resumed" kill -CONT "$VIPAD_PID"
check_within "bulk-routes-all-get-src" 20 bulk_routes_with_src
note "$(bulk_progress)"
check_within "overrun-resynced" 10 resyncs_above "${resyncs_before:-0}"
check "overrun-logged" grep -q "netlink receive buffer overrun; reading the kernel's tables again" "$LOG"
check "vipad-alive-after-overrun" vipad_alive
check "sample-still-converged-after-overrun" converged_all
# the monitor socket still works after the overrun
iph route replace 10.68.1.0/24 dev en1 proto kernel scope link src 10.68.1.1
check_within "repairs-still-after-overrun" $REPAIR connected_src en1 10.68.1.0/24 $VIPA4
finish
