#!/usr/bin/env bash
# IPv6 as hosts run it: default routes, route-information routes and on-link prefixes learnt
# from router advertisements (radvd in r1 and r5, accept_ra=2 on en1 and en5). vipad gives the
# traffic along them the VIPA as source while the kernel keeps managing them: an advertisement
# with router lifetime 0 removes the route as it does without vipad, lifetimes count down and
# refresh, the other router carries the traffic on with the VIPA as source, a TCP session to the
# VIPA survives, SLAAC, temporary, DAD-failed and expiring addresses cause no change loop, and
# `--cleanup` leaves the advertised routes as the kernel keeps them (docs/ipv6-ra.md).
source "$(dirname "$0")/lib.sh" "$@"
require
command -v radvd >/dev/null || {
  fail "prerequisites: radvd"
  finish
}

topo_up || {
  fail "topology"
  finish
}

# ---------------------------------------------------------------- routers and host

RADVD_PID_1=
RADVD_PID_5=
# radvd_conf N: r<N>'s advertisements on r<N>h: router lifetime 30 s every 3-4 s, on-link
# autonomous prefix 2001:db8:aN::/64, route information 2001:db8:7N::/48.
radvd_conf() {
  cat >"$TMP/radvd$1.conf" <<EOF
interface r${1}h {
  AdvSendAdvert on;
  MinRtrAdvInterval 3;
  MaxRtrAdvInterval 4;
  AdvDefaultLifetime 30;
  prefix 2001:db8:a$1::/64 { AdvOnLink on; AdvAutonomous on; AdvValidLifetime 120; AdvPreferredLifetime 60; };
  route 2001:db8:7$1::/48 { AdvRouteLifetime 30; };
};
EOF
}
# radvd_start N / radvd_stop N: radvd in r<N>'s namespace, with its own config and pid file.
# SIGTERM makes it send its final advertisement, router lifetime 0.
radvd_start() {
  local ns
  ns=$([ "$1" = 1 ] && echo "$NS_R1" || echo "$NS_R5")
  bg ip netns exec "$ns" radvd -n -m stderr -C "$TMP/radvd$1.conf" -p "$TMP/radvd$1.pid" \
    >>"$TMP/radvd$1.log" 2>&1
  eval "RADVD_PID_$1=$BG_LAST"
}
radvd_stop() {
  local var=RADVD_PID_$1
  kill_pid "${!var}"
  eval "RADVD_PID_$1="
}

ipr1 -6 addr add 2001:db8:a1::2/64 dev r1h nodad
ipr5 -6 addr add 2001:db8:a5::2/64 dev r5h nodad
for i in en1 en5; do
  inh sysctl -qw net.ipv6.conf.$i.accept_ra=2
  inh sysctl -qw net.ipv6.conf.$i.accept_ra_rt_info_max_plen=64
done
inh sysctl -qw net.ipv6.conf.en1.use_tempaddr=2
radvd_conf 1
radvd_conf 5

# ---------------------------------------------------------------- predicates

# ra_default DEV: the kernel's advertised default route through DEV (prints it).
ra_default() { iph -6 route show default proto ra dev "$1" | grep -E 'via fe80::'; }
gw_of() { ra_default "$1" | awk '{print $3}'; }
# no_route_via GW: no default route leads to GW any more, in any form (an ECMP nexthop too).
no_route_via() { [ -n "$1" ] && ! iph -6 route show default | grep -q "via $1 "; }
# advertised_intact DEV: the route the kernel installed from the advertisement, as it installs
# it: protocol ra, a lifetime, and no source of vipad's.
advertised_intact() {
  local r
  r=$(ra_default "$1") && grep -q ' expires ' <<<"$r" && ! grep -q ' src ' <<<"$r"
}
# companion DEV: vipad's route beside it: same gateway, the VIPA as source.
companion() {
  local gw
  gw=$(ra_default "$1" | awk '{print $3}') && [ -n "$gw" ] &&
    iph -6 route show default proto 86 dev "$1" | grep -Eq "via $gw .*src $VIPA6 "
}
no_companion() { [ -z "$(iph -6 route show default proto 86 dev "$1")" ]; }
no_companions() { [ -z "$(iph -6 route show proto 86)" ]; }
rio_route() { iph -6 route show 2001:db8:7$1::/48 proto ra | grep -q "dev en$1 "; }
no_rio_route() { [ -z "$(iph -6 route show 2001:db8:7$1::/48)" ]; }
rio_companion() { iph -6 route show 2001:db8:7$1::/48 proto 86 | grep -q "src $VIPA6 "; }
pio_route() { iph -6 route show 2001:db8:a$1::/64 proto kernel | grep -q 'expires'; }
pio_companion() { iph -6 route show 2001:db8:a$1::/64 proto 86 | grep -q "src $VIPA6 "; }
slaac_on() { iph -6 addr show dev "$1" scope global dynamic | grep -q "2001:db8:a${1#en}:"; }
temp_on() { iph -6 addr show dev "$1" temporary | grep -q 'inet6 2001:db8:a1:'; }
via_dev() { iph -6 route get $REMOTE6 | grep -Eq " dev $1 .*src $VIPA6 "; }
expires_of() { ra_default "$1" | sed -n 's/.* expires \([0-9]*\)sec.*/\1/p' | head -n 1; }
# lifetime_moves DEV SECS: within SECS, the router lifetime left on DEV's advertised default route
# is seen to go down (counting) and up (refreshed by an advertisement); LIFE_SEEN lists the values.
lifetime_moves() {
  local end prev= e down=0 up=0
  end=$(($(now_ms) + $(to_ms "$2")))
  LIFE_SEEN=
  while [ "$(now_ms)" -lt "$end" ]; do
    e=$(expires_of "$1")
    if [ -n "$e" ] && [ "$e" != "$prev" ]; then
      LIFE_SEEN="$LIFE_SEEN $e"
      [ -n "$prev" ] && [ "$e" -lt "$prev" ] && down=1
      [ -n "$prev" ] && [ "$e" -gt "$prev" ] && up=1
      prev=$e
    fi
    [ $down = 1 ] && [ $up = 1 ] && return 0
    sleep 0.1
  done
  echo "lifetimes seen:$LIFE_SEEN"
  iph -6 route show default
  return 1
}
# vipad's applied kernel operations so far (one log line each).
ops() { grep -cE '^vipad: (add|replace|delete|create|set link|sysctl)' "$LOG"; }

# ---------------------------------------------------------------- without vipad

# The reference: what the kernel does by itself.
radvd_start 1
radvd_start 5
check_within "ra-default-en1" 20 ra_default en1
check_within "ra-default-en5" 20 ra_default en5
check_within "ra-rio-en1" 20 rio_route 1
GW=$(gw_of en1)
radvd_stop 1
check_within "without-vipad-withdrawal-removes-default" 10 no_route_via "$GW"
WITHOUT_MS=$WAITED_MS
check "without-vipad-withdrawal-removes-rio" no_rio_route 1
check "without-vipad-other-router-kept" advertised_intact en5
radvd_start 1
check_within "without-vipad-router-back" 20 ra_default en1

# ---------------------------------------------------------------- with vipad

cat >"$CONF" <<EOF
[vipa.vi0]
netaddr = "$VIPA4"
netmask = "255.255.255.0"
netaddr6 = "$VIPA6"
prefixlen = 64
interface_names = ["en1", "en5"]
EOF
check "vipad-starts" start_vipad
check_within "companion-en1" 5 companion en1
check_within "companion-en5" 5 companion en5
check_within "companion-rio" 5 rio_companion 1
check_within "companion-pio" 5 pio_companion 1
check "advertised-default-en1-intact" advertised_intact en1
check "advertised-default-en5-intact" advertised_intact en5
check "advertised-pio-intact" pio_route 1
check "source-is-the-vipa" src_is $REMOTE6 $VIPA6
check "source-is-the-vipa-rio" src_is 2001:db8:71::9 $VIPA6
check "ping6-remote-from-vipa" ping_from "$NS_H" $REMOTE6

# Lifetimes still count down and refresh with each advertisement.
check "lifetime-counts-down-and-refreshes" lifetime_moves en1 20
note "router lifetime left, as it changed:$LIFE_SEEN s"
check "refreshed-route-intact" advertised_intact en1

# A TCP session to the VIPA across the withdrawal of the router its replies leave through.
PORT=7306
bg ip netns exec "$NS_H" socat TCP6-LISTEN:$PORT,bind=[$VIPA6],reuseaddr EXEC:cat
SRV6=$BG_LAST
wait_for 20 bash -c "ip netns exec $NS_H ss -Hltn 'sport = :$PORT' | grep -q LISTEN"
STREAM_DIR=$TMP/stream6
mkdir -p "$STREAM_DIR"
stream6_client() {
  stream_generator |
    timeout 120 ip netns exec "$NS_C" socat -t 10 - TCP6:[$VIPA6]:$PORT,bind=[$REMOTE6] \
      >"$STREAM_DIR/out" 2>"$STREAM_DIR/err"
}
bg stream6_client
STREAM_CLI=$BG_LAST
STREAM_SRV=$SRV6
check_within "stream-flows" 10 stream_at_least 20
FIRST=en1
via_dev en5 && FIRST=en5
OTHER=$([ $FIRST = en1 ] && echo en5 || echo en1)
note "replies leave through $FIRST"

GW=$(gw_of $FIRST)
radvd_stop "${FIRST#en}"
check_within "withdrawal-removes-default" 10 no_route_via "$GW"
note "every route via the router gone after $WAITED_MS ms (without vipad: $WITHOUT_MS ms)"
check "withdrawal-removes-companion" no_companion $FIRST
check_within "withdrawal-removes-rio" 5 no_rio_route "${FIRST#en}"
check_within "traffic-moves-with-vipa-source" 5 via_dev $OTHER
check "other-router-intact" advertised_intact $OTHER
check "stream-grows-after-withdrawal" stream_grows 20 10
check "ping6-after-withdrawal" ping_from "$NS_H" $REMOTE6

radvd_start "${FIRST#en}"
check_within "router-back" 20 ra_default $FIRST
check_within "router-back-companion" 5 companion $FIRST
check "router-back-intact" advertised_intact $FIRST
check_within "router-back-traffic" 5 via_dev en1
check "stream-grows-after-return" stream_grows 20 10
stream_stop
check "stream-intact" stream_intact
check "stream-no-reset" stream_no_reset

# Addresses that come and go by themselves: vipad must not fight the kernel over them.
check_within "slaac-address-en1" 10 slaac_on en1
check_within "temporary-address-en1" 10 temp_on en1
OPS0=$(ops)
# A duplicate fails DAD (r5 holds 2001:db8:5::2); an address with a 3 s lifetime expires.
iph -6 addr add 2001:db8:5::2/64 dev en5
iph -6 addr add 2001:db8:e1::1/64 dev en1 valid_lft 3 preferred_lft 2 noprefixroute
check_within "dad-fails" 10 bash -c "ip -n $NS_H -6 addr show dev en5 dadfailed | grep -q 2001:db8:5::2"
check_within "address-expires" 15 bash -c "! ip -n $NS_H -6 addr show dev en1 | grep -q 2001:db8:e1::1"
iph -6 addr del 2001:db8:5::2/64 dev en5
# Another advertisement (it refreshes the SLAAC and temporary addresses' lifetimes, with address
# events vipad hears) and nothing more from vipad.
OPS1=$(ops)
check "another-refresh" lifetime_moves en1 20
check "quiet-over-address-events" test "$OPS1" -eq "$OPS0"
check "quiet-over-refreshes" test "$(ops)" -eq "$OPS1"
note "vipad's changes over the address events: $((OPS1 - OPS0)), over the next refresh: $(($(ops) - OPS1))"

# SIGTERM: the companions go (they have no lifetime to bound them); the advertised routes stay.
check "vipad-stops" stop_vipad
check "stop-removes-companions" no_companions
check "stop-leaves-advertised" advertised_intact en1

# --cleanup after a running vipad: the advertised routes are the kernel's as before, and a
# withdrawal still removes them.
check "vipad-restarts" start_vipad
check_within "companion-again" 5 companion en5
check "cleanup-runs" run_vipad --cleanup --config "$CONF" --socket "$SOCK"
# --cleanup stops the running vipad first (its contract): that exit is expected, and clean.
cleanup_stopped_vipad() {
  wait_for 5 pid_gone "$VIPAD_PID" || return 1
  wait "$VIPAD_PID" 2>/dev/null
  local rc=$?
  VIPAD_PID=
  [ "$rc" = 0 ]
}
check "cleanup-stopped-running-vipad" cleanup_stopped_vipad
check "cleanup-removes-companions" no_companions
check "cleanup-leaves-advertised-en1" advertised_intact en1
check "cleanup-leaves-advertised-en5" advertised_intact en5
GW=$(gw_of en5)
radvd_stop 5
check_within "after-cleanup-withdrawal-removes-default" 10 no_route_via "$GW"

check "no-sanitizer-reports" bash -c "! grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' '$LOG'"
finish
