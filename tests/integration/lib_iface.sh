# shellcheck shell=bash
# en5 of every device kind, for test_iface_*.sh; sourced after lib.sh and lib_dgd.sh.
# make_en5 KIND builds en5 (host) and r5h (r5) of that kind, with /24 addressing on broadcast
# kinds and peer addressing on point-to-point ones; drop_en5 removes it; each new en5 is a new
# link (another ifindex) under the running vipad. KINDS lists them with their probe method.

SKIPPED=()
EN5_PIDS=()  # socat processes that carry a tun/tap en5
V6=1

#      kind:probe:point-to-point:IPv6
KINDS=(veth:ARP:0:1 bridge:ARP:0:1 vxlan:ARP:0:1 tap:ARP:0:1 "tun:ICMP echo:1:1"
  "noarp-veth:ICMP echo:1:1" vlan:ARP:0:1 bond:ARP:0:1 "gre:ICMP echo:1:1"
  "ipip:ICMP echo:1:0" "wireguard:ICMP echo:1:1" vrf:ARP:0:1)

# iface_config: the sample's VIPA; defaults via r1 (metric 10) and r5 (metric 20, active_dgd) in
# both families; fast [dgd] timers.
iface_config() {
  {
    echo '[vipa.vi0]'
    echo "netaddr = \"$VIPA4\""
    echo 'netmask = "255.255.255.0"'
    echo 'interface_names = ["en1", "en5"]'
    echo "netaddr6 = \"$VIPA6\""
    echo 'prefixlen = 64'
    for r in "default 10.68.1.2 10" "default 10.68.5.2 20" "::/0 2001:db8:1::2 10" \
      "::/0 2001:db8:5::2 20"; do
      set -- $r
      printf '\n[[route]]\ndestination = "%s"\ngateway = "%s"\nmetric = %s\n' "$1" "$2" "$3"
      [ "$3" = 20 ] && echo 'active_dgd = true'
    done
    printf '\n[dgd]\nping_time_ms = 50\npackets_lost = 3\nretry_time_ms = 50\n'
  } >"$CONF"
}

# ---------------------------------------------------------------- making en5 of each kind

# The underlay some kinds ride on: h:u5 10.68.55.1 -- r5:u5 10.68.55.2.
underlay() {
  ip link add u5 netns "$NS_H" type veth peer name u5 netns "$NS_R5" || return 1
  iph addr add 10.68.55.1/24 dev u5 && ipr5 addr add 10.68.55.2/24 dev u5 &&
    iph link set u5 up && ipr5 link set u5 up
}

# Addresses: a /24 on broadcast kinds, peer addressing on point-to-point ones.
addr_lan() {
  iph addr add 10.68.5.1/24 dev en5 && ipr5 addr add 10.68.5.2/24 dev r5h &&
    iph addr add 2001:db8:5::1/64 dev en5 nodad && ipr5 addr add 2001:db8:5::2/64 dev r5h nodad
}
addr_ptp() {
  iph addr add 10.68.5.1 peer 10.68.5.2 dev en5 && ipr5 addr add 10.68.5.2 peer 10.68.5.1 dev r5h &&
    if [ "${V6:-1}" = 1 ]; then
      iph addr add 2001:db8:5::1 peer 2001:db8:5::2 dev en5 nodad &&
        ipr5 addr add 2001:db8:5::2 peer 2001:db8:5::1 dev r5h nodad
    fi
}

# socat carries the frames of a tun/tap pair over UDP on the underlay.
tunnel_socat() {
  local type=$1
  underlay || return 1
  bg ip netns exec "$NS_H" socat UDP-DATAGRAM:10.68.55.2:5005,bind=10.68.55.1:5005 \
    TUN,tun-name=en5,tun-type="$type",iff-no-pi,iff-up
  EN5_PIDS+=("$BG_LAST")
  bg ip netns exec "$NS_R5" socat UDP-DATAGRAM:10.68.55.1:5005,bind=10.68.55.2:5005 \
    TUN,tun-name=r5h,tun-type="$type",iff-no-pi,iff-up
  EN5_PIDS+=("$BG_LAST")
  wait_for 5 link_exists en5 && wait_for 5 ip -n "$NS_R5" link show r5h
}

# make_en5 KIND: 0 made, 2 the kernel lacks the driver, 1 failed.
make_en5() {
  case $1 in
    veth)
      ip link add en5 netns "$NS_H" type veth peer name r5h netns "$NS_R5" || return 1
      addr_lan
      ;;
    bridge)
      iph link add en5 type bridge stp_state 0 forward_delay 0 || return 2
      ip link add p5 netns "$NS_H" type veth peer name r5h netns "$NS_R5" || return 1
      iph link set p5 master en5 && iph link set p5 up && addr_lan
      ;;
    vxlan)
      underlay || return 1
      iph link add en5 type vxlan id 5 local 10.68.55.1 remote 10.68.55.2 dstport 4789 dev u5 ||
        return 2
      ipr5 link add r5h type vxlan id 5 local 10.68.55.2 remote 10.68.55.1 dstport 4789 dev u5
      addr_lan
      ;;
    tun)
      [ -c /dev/net/tun ] || return 2
      tunnel_socat tun && addr_ptp
      ;;
    tap)
      [ -c /dev/net/tun ] || return 2
      tunnel_socat tap && addr_lan
      ;;
    noarp-veth)
      # A NOARP Ethernet device sends to its own MAC (arp_constructor): one MAC at both ends.
      ip link add en5 netns "$NS_H" address 02:00:00:00:05:05 type veth peer name r5h \
        netns "$NS_R5" address 02:00:00:00:05:05 || return 1
      # Addresses once the link is up, as a PPP daemon adds them: the kernel does not add an
      # IPv6 peer route again when a link comes up.
      iph link set en5 arp off && ipr5 link set r5h arp off && iph link set en5 up &&
        ipr5 link set r5h up && addr_ptp
      ;;
    vlan)
      underlay || return 1
      iph link add link u5 name en5 type vlan id 5 || return 2
      ipr5 link add link u5 name r5h type vlan id 5 && addr_lan
      ;;
    bond)
      iph link add en5 type bond mode active-backup || return 2
      ip link add p5 netns "$NS_H" type veth peer name r5h netns "$NS_R5" || return 1
      iph link set p5 master en5 && iph link set p5 up && addr_lan
      ;;
    gre | ipip)
      underlay || return 1
      iph link add en5 type "$1" local 10.68.55.1 remote 10.68.55.2 || return 2
      ipr5 link add r5h type "$1" local 10.68.55.2 remote 10.68.55.1 && addr_ptp
      ;;
    wireguard)
      underlay || return 1
      iph link add en5 type wireguard || return 2
      command -v wg >/dev/null || {
        SKIP_WHY="the kernel has it, the wg tool is not installed"
        return 2
      }
      ipr5 link add r5h type wireguard || return 1
      local kh kr
      kh=$(wg genkey) && kr=$(wg genkey) || return 1
      inh wg set en5 private-key <(echo "$kh") listen-port 51820 peer "$(echo "$kr" | wg pubkey)" \
        endpoint 10.68.55.2:51820 allowed-ips 0.0.0.0/0,::/0 &&
        inr5 wg set r5h private-key <(echo "$kr") listen-port 51820 \
          peer "$(echo "$kh" | wg pubkey)" endpoint 10.68.55.1:51820 allowed-ips 0.0.0.0/0,::/0 &&
        addr_ptp
      ;;
    vrf)
      iph link add vrf5 type vrf table 5 || return 2
      iph link del vrf5
      SKIP_WHY="not supported: a VRF port's routes live in the VRF's table, vipad manages main"
      return 2
      ;;
  esac
}

drop_en5() {
  local pid
  for pid in "${EN5_PIDS[@]}"; do kill_pid "$pid"; done
  EN5_PIDS=()
  local l
  for l in en5 p5 u5; do iph link del $l 2>/dev/null; done
  for l in r5h u5; do ipr5 link del $l 2>/dev/null; done
  wait_for 5 bash -c "! ip -n $NS_H link show en5" >/dev/null
  return 0
}

bring_up_en5() {
  iph link set en5 up && ipr5 link set r5h up || return 1
  # IPv6 adds the addresses' routes once the link has carrier, a moment after it is up.
  wait_for 5 r5_routes
}
r5_routes() {
  ipr5 route replace $VIPA4/32 via 10.68.5.1 && ipr5 route replace $REMOTE4/32 via 10.68.15.2 &&
    if [ "$V6" = 1 ]; then
      ipr5 -6 route replace $VIPA6/128 via 2001:db8:5::1 &&
        ipr5 -6 route replace $REMOTE6/128 via 2001:db8:15::2
    fi
}


# gw_probed GW METHOD: probed with METHOD, alive, and it answered more than 3 probes.
gw_probed() {
  gateway_json "$1" | jq -e -s --arg m "$2" \
    'length == 1 and .[0].probe == $m and .[0].alive and .[0].replies > 3' >/dev/null
}
gw_alive_is() { [ "$(gateway_json "$1" | jq -s -c 'map(.alive) | unique')" = "[$2]" ]; }
out_via_en5() { route_get_has $REMOTE4 "via 10\.68\.5\.2 dev en5 .*src $VIPA4 "; }
out_via_en1() { route_get_has $REMOTE4 "via 10\.68\.1\.2 dev en1 .*src $VIPA4 "; }
has_no_carrier() { iph link show "$1" | grep -q 'NO-CARRIER'; }
r5_drops_all() {
  inr5 nft -f - <<'EOF'
table arp vtdead {
  chain in {
    type filter hook input priority 0; policy drop;
  }
}
table inet vtdead {
  chain in {
    type filter hook input priority 0; policy drop;
  }
}
EOF
}
r5_answers() {
  inr5 nft delete table arp vtdead 2>/dev/null
  inr5 nft delete table inet vtdead 2>/dev/null
  return 0
}


# for_each_kind FN: FN KIND METHOD PTP V6 for every kind whose en5 could be made; the others are
# printed as SKIPPED by name.
for_each_kind() {
  local fn=$1 entry kind method ptp rc
  for entry in "${KINDS[@]}"; do
    IFS=: read -r kind method ptp V6 <<<"$entry"
    SKIP_WHY="the kernel lacks it (ip link add failed)"
    drop_en5
    make_en5 "$kind"
    rc=$?
    if [ $rc = 2 ]; then
      echo "SKIPPED $kind: $SKIP_WHY"
      SKIPPED+=("$kind")
    elif [ $rc != 0 ]; then
      fail "$kind-setup"
    elif ! bring_up_en5; then
      fail "$kind-up"
    else
      "$fn" "$kind" "$method" "$ptp"
    fi
  done
  drop_en5
}

# no_sanitizer_report: vipad's log holds no AddressSanitizer/UBSan report.
no_sanitizer_report() { ! grep -Eq 'ERROR: [A-Za-z]+Sanitizer|runtime error:' "$LOG"; }
