#!/usr/bin/env bash
# Dead gateway detection. Routes with active_dgd = true leave the table when their
# gateway stops answering ARP (IPv4) or neighbour solicitations (IPv6), or when the tracked
# target behind it stops answering echoes sent through that gateway only; traffic moves to the
# next route by metric with the VIPA still as source, while the interface keeps its carrier.
# A gateway comes back after packets_lost answers in a row (hold-down). Passive DGD counts the
# kernel's FAILED neighbour entries. Each change is a gateway_dead/gateway_alive event.
#
# Timers: ping 50 ms, 3 lost, retry 100 ms: detection ~150 ms, restore >= 200 ms. The deadlines
# below are generous (CI machines stall); the benchmark measures the real times.
source "$(dirname "$0")/lib.sh" "$@"
source "$(dirname "$0")/lib_dgd.sh"

command -v jq >/dev/null || {
  fail "prerequisites: jq"
  finish
}

topo_up || {
  fail "topology"
  finish
}
dgd_back_routes_add r1
dgd_back_routes_add r5
# A link-local router address (IPv6 routers are usually reached by one), and a second IPv4
# router address on r5 for a route that only passive DGD watches.
ipr1 addr add fe80::1/64 dev r1h nodad
ipr5 addr add 10.68.5.3/24 dev r5h
DGD_EXTRA='passive_dgd = true

[[route]]
destination = "2001:db8:99::/64"
gateway = "fe80::1"
interface = "en1"
active_dgd = true

[[route]]
destination = "10.68.201.0/24"
gateway = "10.68.5.3"'
dgd_config

check "vipad-starts" start_vipad
check_within "dgd-converged" 3 dgd_converged
check_within "gateways-in-status" 3 gateway_field_is 10.68.1.2 alive true
check "status-source-is-physical" gateway_field_is 10.68.1.2 source '"10.68.1.1"'
check "status-track" gateway_field_is 10.68.1.2 track '["10.68.200.1"]'
gw_replies_over() { [ "$(gateway_json "$1" | jq .replies)" -gt "$2" ]; }
check_within "status-replies" 2 gw_replies_over 10.68.1.2 3
check_within "link-local-route-installed" 3 route6_show_has "via fe80::1 dev en1" 2001:db8:99::/64
check "passive-not-probed" gateway_field_is 10.68.5.3 probes_sent 0
check "passive-is-passive" gateway_field_is 10.68.5.3 active false
events_start

# ---------------------------------------------------------------- (a) uplink cut
# r1 loses its uplink to c; en1 keeps its carrier. The network reroutes c's traffic to the
# VIPA through r5 (as a routing protocol would); only DGD can move the host's replies.
check "a-stream-starts" stream_start 2424
check_within "a-stream-flows" 5 stream_at_least 20
ipr1 link set r1c down
remote_route_del r1
check_within "a-default-via-r1-withdrawn" 2 no_default_via 10.68.1.2
note "detected and withdrawn ${WAITED_MS} ms after the cut (ping 50 ms x 3)"
check_within "a-default6-via-r1-withdrawn" 2 no_default_via 2001:db8:1::2
check "a-en1-keeps-carrier" carrier_on en1
check "a-leaves-via-r5-with-vipa" leaves_via $REMOTE4 10.68.5.2 en5 $VIPA4
check "a-leaves6-via-r5-with-vipa" leaves_via $REMOTE6 2001:db8:5::2 en5 $VIPA6
check "a-default-via-r5-kept" owned_default 10.68.5.2 en5 20
check "a-stream-carries-on" stream_grows 30 10
check_within "a-event-gateway-dead" 2 event_seen gateway_dead '10\.68\.1\.2'
check "a-reason-track" gateway_reason_has 10.68.1.2 "tracked 10\.68\.200\.1 unreachable"
check "a-status-dead" gateway_field_is 10.68.1.2 alive false

# ---------------------------------------------------------------- (d) recovery
ipr1 link set r1c up
c1_carrier() { ! ipc link show c1 | grep -q NO-CARRIER; }
wait_for 20 c1_carrier
router_routes r1
wait_for 20 dgd_back_routes_add r1
remote_route_add r1
check_within "d-default-via-r1-back" 5 owned_default 10.68.1.2 en1 10
check_within "d-default6-via-r1-back" 5 owned_default 2001:db8:1::2 en1 10
check "d-leaves-via-r1-with-vipa" leaves_via $REMOTE4 10.68.1.2 en1 $VIPA4
check_within "d-event-gateway-alive" 2 event_seen gateway_alive '10\.68\.1\.2'
check "a-stream-carries-on-after-recovery" stream_grows 20 10
stream_stop
check "a-stream-no-reset" stream_no_reset
check "a-stream-no-lost-or-duplicated-line" stream_intact
check "a-one-dead-event" test "$(event_count gateway_dead '10\.68\.1\.2([^0-9]|$)')" = 1

# ---------------------------------------------------------------- (b) no ARP answer
ipr1 addr del 10.68.1.2/24 dev r1h
check_within "b-default-via-r1-withdrawn" 2 no_default_via 10.68.1.2
note "withdrawn ${WAITED_MS} ms after the address went"
check "b-reason-arp" gateway_reason_has 10.68.1.2 "ARP probes unanswered"
check "b-leaves-via-r5" leaves_via $REMOTE4 10.68.5.2 en5 $VIPA4
check "b-ipv6-untouched" owned_default 2001:db8:1::2 en1 10
ipr1 addr add 10.68.1.2/24 dev r1h
router_routes r1
check_within "b-default-via-r1-back" 3 owned_default 10.68.1.2 en1 10

# ---------------------------------------------------------------- (c) track through r1 only
# r1 answers ARP but can no longer reach c; r5 still can. The echoes for en1's gateway must
# keep going through r1 (not rerouted through r5 once en1's route is gone), so en1 stays dead.
ipr1 route del $REMOTE4/32
check_within "c-default-via-r1-withdrawn" 2 no_default_via 10.68.1.2
check "c-reason-track" gateway_reason_has 10.68.1.2 "tracked 10\.68\.200\.1 unreachable through 10\.68\.1\.2"
check_stays "c-stays-dead-while-r5-reaches-target" 1.5 no_default_via 10.68.1.2
check "c-default-via-r5-alive" owned_default 10.68.5.2 en5 20
check "c-r5-gateway-alive" gateway_field_is 10.68.5.2 alive true
check "c-ipv6-via-r1-untouched" owned_default 2001:db8:1::2 en1 10
router_routes r1
check_within "c-default-via-r1-back" 3 owned_default 10.68.1.2 en1 10

# ---------------------------------------------------------------- (d) hold-down
# r1 stops answering ARP and NDP (NOARP), then flaps: answering for ~120 ms at a time, fewer
# than packets_lost retries (100 ms apart). Its routes must stay out until it answers steadily.
# The windows are the shell's: on a loaded machine one may last long enough for 3 answers, and
# then the route comes back rightly. A round counts only when every window was measured under
# 200 ms (at most 2 probes answered); up to 5 rounds are tried for one that does.
# One process toggles IFF_NOARP with ioctl(SIOCSIFFLAGS), so each window is measured between
# the two calls that open and close it (an `ip` per toggle costs more than the window).
cat >"$TMP/flap.py" <<'PY'
import fcntl, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def set_noarp(on):
    req = struct.pack("16sh22x", b"r1h", 0)
    flags = struct.unpack("16sh22x", fcntl.ioctl(s, 0x8913, req))[1]  # SIOCGIFFLAGS
    flags = flags | 0x80 if on else flags & ~0x80                       # IFF_NOARP
    fcntl.ioctl(s, 0x8914, struct.pack("16sh22x", b"r1h", flags))       # SIOCSIFFLAGS
windows = []
for _ in range(6):
    set_noarp(False)
    t0 = time.monotonic()
    time.sleep(0.12)
    set_noarp(True)
    windows.append(time.monotonic() - t0)
    time.sleep(0.3)
print("answering windows, ms:", " ".join(str(round(w * 1000)) for w in windows))
sys.exit(0 if max(windows) < 0.2 else 1)
PY
# At real-time priority, so that a loaded machine rarely stretches a window at all.
flap_round() { chrt -f 20 ip netns exec "$NS_R1" python3 "$TMP/flap.py"; }
flap_readded() { grep -E '^default via (10\.68\.1\.2|2001:db8:1::2) ' "$MON_FILE"; }
ipr1 link set r1h arp off
flap_valid=0
for attempt in 1 2 3 4 5; do
  check_within "d-dead-before-flapping-$attempt" 10 no_default_via 10.68.1.2
  check "d-monitor-ready-$attempt" monitor_start
  flap_round >"$TMP/flap.out" && flap_valid=1
  note "$(cat "$TMP/flap.out")"
  monitor_stop
  [ $flap_valid = 1 ] && break
  note "flap round $attempt had a window of 200 ms or more: not counted"
done
check "d-flap-windows-short" test $flap_valid = 1
check_not "d-no-route-back-while-flapping" flap_readded
check "d-still-dead-after-flapping" no_default_via 10.68.1.2
ipr1 link set r1h arp on
check_within "d-back-once-steady" 3 owned_default 10.68.1.2 en1 10
note "back ${WAITED_MS} ms after r1 answered again (hold-down: 3 answers, 100 ms apart)"
check "d-hold-down-observed" test "$WAITED_MS" -ge 150

# ---------------------------------------------------------------- (e) IPv6 gateway
ipr1 addr del 2001:db8:1::2/64 dev r1h
check_within "e-default6-via-r1-withdrawn" 2 no_default_via 2001:db8:1::2
check "e-reason-ns" gateway_reason_has 2001:db8:1::2 "neighbour solicitations unanswered"
check "e-leaves6-via-r5-with-vipa" leaves_via $REMOTE6 2001:db8:5::2 en5 $VIPA6
check "e-ping6-remote" ping_from "$NS_H" $REMOTE6
check "e-ipv4-untouched" owned_default 10.68.1.2 en1 10
ipr1 addr add 2001:db8:1::2/64 dev r1h nodad
router_routes r1
check_within "e-default6-via-r1-back" 3 owned_default 2001:db8:1::2 en1 10

# A link-local gateway (probed from en1's own fe80:: address).
ipr1 addr del fe80::1/64 dev r1h
# 2001:db8:99::/64 has no other route: kept as the last resort at the worst metric.
ll_route_gone() { route6_show_has "via fe80::1 .*metric 4294[0-9]{6}" 2001:db8:99::/64; }
check_within "e-link-local-route-demoted" 2 ll_route_gone
ll_source() { gateway_json fe80::1 | jq -e '.source | startswith("fe80:")'; }
check "e-link-local-probed-from-link-local" ll_source
ipr1 addr add fe80::1/64 dev r1h nodad
ll_route_back() { route6_show_has "via fe80::1 dev en1" 2001:db8:99::/64 && ! ll_route_gone; }
check_within "e-link-local-route-back" 3 ll_route_back

# ---------------------------------------------------------------- (f) passive DGD
# 10.68.5.3 is watched passively: nothing is sent to it while it lives. When it goes, the
# kernel's own ARP fails (made quick here), each FAILED entry is a miss, and after 3 the route
# goes; then vipad probes it every retry interval and brings it back after 3 answers.
inh sysctl -qw net.ipv4.neigh.en5.mcast_solicit=1 net.ipv4.neigh.en5.ucast_solicit=1 \
  net.ipv4.neigh.en5.retrans_time_ms=100
check "f-route-installed" route_show_has "via 10\.68\.5\.3 dev en5" 10.68.201.0/24
ipr5 addr del 10.68.5.3/24 dev r5h
iph neigh del 10.68.5.3 dev en5 2>/dev/null
# 10.68.201.0/24 has no other route: a dead gateway's route stays as the last resort, at the worst
# metric (0xffff0000 + its own), instead of going.
passive_route_gone() { route_show_has "via 10\.68\.5\.3 .*metric 4294[0-9]{6}" 10.68.201.0/24; }
# Each miss needs traffic that makes the kernel's ARP fail: keep sending until the route is
# demoted, rather than a fixed number of pings (a loaded machine may need more).
passive_route_gone_poked() {
  passive_route_gone || {
    inh ping -c1 -W0.3 10.68.201.1 >/dev/null 2>&1
    passive_route_gone
  }
}
check_within "f-passive-route-demoted" 30 passive_route_gone_poked
check "f-reason-failed" gateway_reason_has 10.68.5.3 "FAILED"
check_within "f-event-gateway-dead" 2 event_seen gateway_dead '10\.68\.5\.3'
ipr5 addr add 10.68.5.3/24 dev r5h
passive_route_back() {
  route_show_has "via 10\.68\.5\.3 dev en5" 10.68.201.0/24 && ! passive_route_gone
}
check_within "f-passive-route-back" 3 passive_route_back
check_within "f-not-probed-once-alive" 2 gateway_field_is 10.68.5.3 probing false
check "f-default-via-r5-untouched" owned_default 10.68.5.2 en5 20

# ---------------------------------------------------------------- (g) reload
# A gateway that DGD declared dead and that is no longer watched after a reload (active_dgd
# removed) must not stay dead: its route comes back at once. Watched again, it goes again.
ipr1 link set r1h arp off
check_within "g-dead-before-reload" 2 no_default_via 10.68.1.2
DGD_EXTRA='' dgd_config
awk '/^gateway = "10\.68\.1\.2"/ { skip = 1 } /^\[/ { skip = 0 }
     skip && /^(active_dgd|track) / { next } { print }' "$CONF" >"$CONF.new" && mv "$CONF.new" "$CONF"
check "g-reload-unwatched" "$VIPACTL" --socket "$SOCK" reload
check_within "g-unwatched-route-back" 3 owned_default 10.68.1.2 en1 10
check "g-not-in-status" test -z "$(gateway_json 10.68.1.2)"
DGD_EXTRA='' dgd_config
check "g-reload-watched" "$VIPACTL" --socket "$SOCK" reload
check_within "g-watched-again-and-dead" 3 no_default_via 10.68.1.2
ipr1 link set r1h arp on
check_within "g-back" 3 owned_default 10.68.1.2 en1 10

check "vipad-still-running" vipad_alive
finish
