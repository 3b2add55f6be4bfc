#!/bin/bash
# An IPv6 Dynamic VIPA announced over BGP from one host to one FRR router, over an IPv6 session
# that carries IPv6 unicast: delay_join waits for that session, the router learns the /128
# with rank 200's metric, a client's connection to the DVIPA reaches the host, a withdraw by
# hand removes the router's route while the address stays, resume brings it back, and
# --cleanup withdraws the route before the address leaves the host. The router's BGP table and
# kernel route are the witnesses.
source "$(dirname "$0")/lib.sh" "$@"

command -v vtysh >/dev/null && [ -x /usr/lib/frr/bgpd ] || {
  echo "FRR is not installed (scripts/install-deps.sh installs it)"
  exit 1
}
topo_up || { fail "topology"; finish; }
chmod 711 "$TMP" # FRR runs as user frr and keeps its sockets below
DV=2001:db8:9::1
PORT=8080

# frr_up NODE NS CONF: zebra and bgpd in NS, as user frr, bgpd reading CONF.
frr_up() {
  local d=$TMP/frr-$1 ns=$2 dm conf extra
  mkdir -p "$d"
  : >"$d/empty.conf"
  printf '%s\n' "$3" >"$d/bgpd.conf"
  chown -R frr:frr "$d"
  for dm in zebra bgpd; do
    conf=$d/empty.conf extra=()
    [ $dm = bgpd ] && conf=$d/bgpd.conf extra=(-p 179)
    ip netns exec "$ns" /usr/lib/frr/$dm -d -u frr -g frr --vty_socket "$d" -z "$d/zserv.api" \
      -i "$d/$dm.pid" -P 0 -f "$conf" --log "file:$d/$dm.log" "${extra[@]}" >>"$d/start.log" 2>&1 ||
      return 1
    wait_for 5 test -S "$d/$dm.vty" || return 1
    BG_PIDS+=("$(cat "$d/$dm.pid")")
  done
}
vt() {
  local node=$1 ns=$2
  shift 2
  local args=()
  for c in "$@"; do args+=(-c "$c"); done
  ip netns exec "$ns" vtysh --vty_socket "$TMP/frr-$node" "${args[@]}"
}
# bgp_conf ASN ROUTER-ID PEER PEER-ASN: one eBGP session over IPv6, IPv6 unicast only.
bgp_conf() {
  cat <<EOT
router bgp $1
 bgp router-id $2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 no bgp network import-check
 timers bgp 1 3
 neighbor $3 remote-as $4
 neighbor $3 timers connect 1
 neighbor $3 advertisement-interval 0
 address-family ipv6 unicast
  neighbor $3 activate
 exit-address-family
exit
EOT
}
frr_up h "$NS_H" "$(bgp_conf 65001 10.68.255.1 2001:db8:1::2 65000)" ||
  { fail "FRR on the host"; finish; }
frr_up r1 "$NS_R1" "$(bgp_conf 65000 10.68.255.11 2001:db8:1::1 65001)" ||
  { fail "FRR on r1"; finish; }
# An IPv4 way out through en1 from the start: it must not count for the IPv6 DVIPA.
iph route add default via 10.68.1.2 dev en1 proto static
# The client reaches the DVIPA through r1.
ipc -6 route replace $DV/128 via 2001:db8:11::1

cat >"$CONF" <<EOT
[routing]
daemon = "frr"
announce = "bgp"
bgp_asn = 65001
daemon_args = ["--vty_socket", "$TMP/frr-h"]
view_interval_ms = 200
[dvipa.web]
address = "$DV"
rank = 200
interface_names = ["en1"]
hold_down_ms = 500
EOT

# r1's BGP metric (MED) for the DVIPA, from its best path (empty when it has none).
r1_med() {
  vt r1 "$NS_R1" "show bgp ipv6 unicast $DV/128 json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(next((p.get("metric", "") for p in d.get("paths", [])
            if p.get("bestpath", {}).get("overall")), ""))'
}
r1_learns() { [ "$(r1_med)" = "$1" ] && ipr1 -6 route show $DV/128 | grep -q "proto bgp"; }
r1_no_route() { [ -z "$(r1_med)" ] && ! ipr1 -6 route show $DV/128 | grep -q .; }
ctl() { ip netns exec "$NS_H" "$VIPACTL" --socket "$SOCK" "$@"; }
state_is() { ctl dvipa web --json | grep -q "\"state\": \"$1\""; }
state_says() { ctl dvipa web --json | grep -q -- "$1"; }
dv_addr() { iph -6 addr show dev vd-web 2>/dev/null | grep -q "inet6 $DV/128"; }
v6_established() {
  vt h "$NS_H" "show bgp ipv6 unicast summary json" | grep -q '"state":"Established"'
}

ip netns exec "$NS_H" "$VIPAD" --config "$CONF" --socket "$SOCK" >>"$LOG" 2>&1 &
VIPAD_PID=$!
check_within "the DVIPA's link holds the IPv6 address" 10 dv_addr
check_within "the IPv6 unicast session comes up" 20 v6_established
# No IPv6 route out through en1 yet (only the IPv4 default): delay_join holds it back.
check_within "delay_join waits for an IPv6 route back out" 10 state_says "waiting for a route back out"
check "r1 has no route while the host is joining" r1_no_route
iph -6 route add default via 2001:db8:1::2 dev en1 proto static
check_within "r1 learns the /128 with rank 200's metric" 20 r1_learns 39808
check_within "the host sees itself owner in BGP's paths" 5 state_is active
check "vipactl dvipa names this host's AS as owner" bash -c "ip netns exec $NS_H $VIPACTL --socket $SOCK dvipa | grep -q 'owner       65001 (this host)'"

# A server on the DVIPA; the client connects to it through r1.
bg ip netns exec "$NS_H" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(16)
while True:
    c, _ = s.accept()
    c.sendall(b"host-h\n")
    c.close()' "$DV" "$PORT"
client_reaches_host() {
  ip netns exec "$NS_C" python3 -c '
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1)
sys.exit(0 if c.recv(64).strip() == b"host-h" else 1)' "$DV" "$PORT"
}
check_within "a client's connection to the IPv6 DVIPA reaches the host" 10 client_reaches_host

check "vipactl dvipa withdraw" ctl dvipa withdraw web
check_within "withdrawn: r1 has no route to the /128" 10 r1_no_route
check "the address stays on the host while withdrawn" dv_addr
check "vipactl dvipa resume" ctl dvipa resume web
check_within "resumed: r1 learns it again" 10 r1_learns 39808

# --cleanup: r1's route goes before the host's address (both monitors stamp the same clock).
bg ip -n "$NS_R1" -ts -6 monitor route >"$TMP/r1-routes.txt" 2>&1
bg ip -n "$NS_H" -ts -6 monitor address >"$TMP/h-addrs.txt" 2>&1
wait_for 5 test -e "$TMP/h-addrs.txt"
stop_vipad
check "SIGTERM leaves the announcement" r1_learns 39808
run_vipad --cleanup --config "$CONF" --socket "$SOCK"
check "--cleanup succeeds" test $? -eq 0
check_within "--cleanup withdrew it" 10 r1_no_route
check_not "--cleanup removed the DVIPA's link" iph link show vd-web
stamp() { grep -m1 -E "^\\[[^]]*\\] ?Deleted .*$2" "$1" | sed -E 's/^\[([^]]*)\].*/\1/'; }
route_went_first() {
  local r a
  r=$(stamp "$TMP/r1-routes.txt" "$DV")
  a=$(stamp "$TMP/h-addrs.txt" "$DV")
  echo "route deleted at '$r', address deleted at '$a'"
  [ -n "$r" ] && [ -n "$a" ] && [[ "$r" < "$a" ]]
}
check_within "r1's route went before the host's address" 5 route_went_first
check_not "no sanitizer report" grep -Eq "AddressSanitizer|runtime error|LeakSanitizer" "$LOG" "$TMP/run.err"
finish
