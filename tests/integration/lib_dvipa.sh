# shellcheck shell=bash
# The Dynamic VIPA lab: three hosts that may all hold one address, two FRR routers and a
# client network, in network namespaces. Sourced by lab/dvipa.sh, the tests
# tests/integration/test_dvipa_*.sh and bench/dvipa_takeover.sh, as root.
#
#            10.68.9.1 (the DVIPA, on every host)
#     h1 (rank 200)        h2 (rank 100)        h3 (rank 50)
#     en1     en2          en1     en2          en1     en2
#      |        \_________/ |   \_______________/  |
#      |   ______/ \________|___________ \         |        host hN: en1 10.68.4N.1/30 .. r1:hN
#      |  /                 |            \  \      |                 en2 10.68.5N.1/30 .. r2:hN
#     r1:h1 h2 h3 --------------------------- r2:h1 h2 h3
#       r1:lan 10.68.40.1     [br0 in sw]     r2:lan 10.68.40.2
#                               |
#                          c:lan 10.68.40.10 (the client; default via r1, then r2)
#
# Each router's link to host hN is named hN, so the interface of the routers' route to the
# DVIPA names the host they chose. Every host and router runs FRR (zebra, bfdd, ospfd or bgpd)
# with every path of its own under $DYN_DIR/NODE; the hosts learn their default route from the
# routers (OSPF default-information originate, BGP default-originate), so a host's way back
# exists only once routing is up. Each host runs lab/dvipa_server.py on the DVIPA (port 80: its
# name; port 81: an echo stream). vipad runs on each host with $DYN_DIR/hN/vipa.conf.
#
# Names: namespaces dyn<PID>-{h1,h2,h3,r1,r2,c,sw}. Every process started is recorded by PID
# (FRR's daemons by the pid files we name); dyn_down removes everything and the caller runs it
# on EXIT (dyn_traps installs such traps for scripts without their own).
#
# Knobs (environment, read by dyn_up): DYN_MODE=ospf|bgp, DYN_TAKEBACK (vipad's takeback),
# DYN_HEALTH=1 (an exec health check per host that fails while $DYN_DIR/hN/sick exists;
# every DYN_HEALTH_INTERVAL ms, default 500, rise 2, fall 2),
# DYN_HEALTH_HOSTS (the hosts that get it, default all three),
# DYN_DVIPA_EXTRA (lines added to [dvipa.web]), DYN_HEALTH_EXTRA (to [dvipa.web.health]),
# DYN_KEEP=1 (keep $DYN_DIR), VIPAD/VIPACTL, FRR_BIN.

set -u

DYN_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DYN_ROOT=$(cd "$DYN_SRC/../.." && pwd)
DYN_LAB=$DYN_ROOT/lab
VIPAD=${VIPAD:-$DYN_ROOT/build/vipad}
VIPACTL=${VIPACTL:-$DYN_ROOT/build/vipactl}
FRR_BIN=${FRR_BIN:-/usr/lib/frr}
# The system python: a version manager's shim can take seconds to start.
DYN_PY=${DYN_PY:-$(command -v /usr/bin/python3 || command -v python3)}
DYN_MODE=${DYN_MODE:-ospf}
# A prefix for the commands that make a failure and for the client (bench: `chrt -f 20`, so
# that on a busy machine the failure happens when its time is taken, and the client's clock
# reads true).
DYN_RT=${DYN_RT:-}

DYN=dyn$$
DYN_HOSTS=(h1 h2 h3)
DYN_ROUTERS=(r1 r2)
declare -A DYN_RANK=([h1]=200 [h2]=100 [h3]=50)
declare -A DYN_IDX=([h1]=1 [h2]=2 [h3]=3)
DVIPA=10.68.9.1
DVIPA_PORT=80
DYN_CLIENT=10.68.40.10
DYN_NS=("$DYN-h1" "$DYN-h2" "$DYN-h3" "$DYN-r1" "$DYN-r2" "$DYN-c" "$DYN-sw")

DYN_DIR=$(mktemp -d /tmp/vipa-dvipa.XXXXXX)
chmod 755 "$DYN_DIR"
DYN_PIDS=()
declare -A VIPAD_PIDS=()
DYN_WAITED_MS=0

dyn_ns() { echo "$DYN-$1"; }
dyn_in() {
  local n=$1
  shift
  ip netns exec "$DYN-$n" "$@"
}
# dvctl HOST ARGS...: vipactl against HOST's vipad.
dvctl() {
  local h=$1
  shift
  "$VIPACTL" --socket "$DYN_DIR/$h/run/vipad.sock" "$@"
}
dyn_vtysh() {
  local n=$1
  shift
  dyn_in "$n" vtysh --vty_socket "$DYN_DIR/$n" "$@"
}

# ---------------------------------------------------------------- time, waiting, processes

dyn_now() { echo "$EPOCHREALTIME"; }
dyn_ms() {
  local t=${EPOCHREALTIME//[.,]/}
  echo $((10#$t / 1000))
}
# dyn_wait SECONDS CMD...: poll CMD every 20 ms until it succeeds; DYN_WAITED_MS = how long.
dyn_wait() {
  local start end
  start=$(dyn_ms)
  end=$((start + ${1%.*} * 1000))
  shift
  while :; do
    if "$@" >/dev/null 2>&1; then
      DYN_WAITED_MS=$(($(dyn_ms) - start))
      return 0
    fi
    if [ "$(dyn_ms)" -ge "$end" ]; then
      DYN_WAITED_MS=$(($(dyn_ms) - start))
      return 1
    fi
    sleep 0.02
  done
}
dyn_alive() {
  local state
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ]
}
dyn_gone() { ! dyn_alive "$1"; }
dyn_kill() {
  local pid=$1
  if dyn_alive "$pid"; then
    kill -CONT "$pid" 2>/dev/null
    kill -TERM "$pid" 2>/dev/null
    dyn_wait 3 dyn_gone "$pid" || kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}
# dyn_bg CMD...: CMD in the background, recorded; DYN_LAST = its PID. `dyn_bg dyn_in NODE ...`
# runs `ip netns exec` itself (which execs the program): a backgrounded shell function would be
# a subshell, and its PID not the program's.
dyn_bg() {
  [ "$1" = dyn_in ] && set -- ip netns exec "$DYN-$2" "${@:3}"
  "$@" &
  DYN_LAST=$!
  DYN_PIDS+=("$DYN_LAST")
}

dyn_down() {
  local pid ns f h
  {
    for h in "${!VIPAD_PIDS[@]}"; do dyn_kill "${VIPAD_PIDS[$h]}"; done
    VIPAD_PIDS=()
    for pid in "${DYN_PIDS[@]}"; do dyn_kill "$pid"; done
    DYN_PIDS=()
    for f in "$DYN_DIR"/*/*.pid; do
      [ -s "$f" ] && dyn_kill "$(cat "$f")"
    done
    for ns in "${DYN_NS[@]}"; do
      # Safety net: these namespaces carry our PID, so whatever runs inside is ours.
      for pid in $(ip netns pids "$ns" 2>/dev/null); do
        kill -CONT "$pid" 2>/dev/null
        kill -KILL "$pid" 2>/dev/null
      done
      ip netns del "$ns" 2>/dev/null
    done
  } >/dev/null 2>&1
  if [ "${DYN_KEEP:-0}" = 1 ]; then
    echo "dvipa lab: kept $DYN_DIR"
  else
    rm -rf "$DYN_DIR"
  fi
  return 0
}
dyn_traps() {
  trap 'dyn_down' EXIT
  trap 'echo "dvipa lab: interrupted"; dyn_down; exit 130' INT TERM
}

dyn_require() {
  local missing=() t
  [ "$(id -u)" = 0 ] || missing+=("root")
  if [ "${DYN_HAND:-0}" != 1 ]; then
    [ -x "$VIPAD" ] || missing+=("vipad ($VIPAD)")
    [ -x "$VIPACTL" ] || missing+=("vipactl ($VIPACTL)")
  fi
  for t in ip python3 jq vtysh; do command -v $t >/dev/null || missing+=("$t"); done
  for t in zebra ospfd bgpd bfdd; do [ -x "$FRR_BIN/$t" ] || missing+=("$FRR_BIN/$t (frr)"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "dvipa lab: missing: ${missing[*]}" >&2
  return 1
}

# ---------------------------------------------------------------- topology

# Batched (one `ip -batch` per namespace): each ip command costs ~0.1 s on a busy machine.
dyn_topology_up() {
  local ns n h i
  for ns in "${DYN_NS[@]}"; do
    ip netns add "$ns" || return 1
  done
  {
    for n in r1 r2 c; do echo "link add lan netns $DYN-$n type veth peer name $n netns $DYN-sw"; done
    for h in "${DYN_HOSTS[@]}"; do
      echo "link add en1 netns $DYN-$h type veth peer name $h netns $DYN-r1"
      echo "link add en2 netns $DYN-$h type veth peer name $h netns $DYN-r2"
    done
  } | ip -batch - || return 1
  {
    echo "link set lo up"
    echo "link add br0 type bridge"
    echo "link set br0 up"
    for n in r1 r2 c; do
      echo "link set $n master br0"
      echo "link set $n up"
    done
  } | ip -n "$DYN-sw" -batch - || return 1
  for n in r1 r2 c; do
    {
      echo "link set lo up"
      echo "link set lan up"
      case $n in
      r1) echo "addr add 10.68.40.1/24 dev lan" ;;
      r2) echo "addr add 10.68.40.2/24 dev lan" ;;
      c)
        echo "addr add $DYN_CLIENT/24 dev lan"
        # The client's way in: r1, and r2 when r1 is gone (metric).
        echo "route add default via 10.68.40.1 metric 10"
        echo "route add default via 10.68.40.2 metric 20"
        ;;
      esac
      if [ $n != c ]; then
        for h in "${DYN_HOSTS[@]}"; do
          i=${DYN_IDX[$h]}
          [ $n = r1 ] && echo "addr add 10.68.4$i.2/30 dev $h"
          [ $n = r2 ] && echo "addr add 10.68.5$i.2/30 dev $h"
          echo "link set $h up"
        done
      fi
    } | ip -n "$DYN-$n" -batch - || return 1
  done
  for h in "${DYN_HOSTS[@]}"; do
    i=${DYN_IDX[$h]}
    printf '%s\n' "link set lo up" "addr add 10.68.4$i.1/30 dev en1" "addr add 10.68.5$i.1/30 dev en2" \
      "link set en1 up" "link set en2 up" | ip -n "$DYN-$h" -batch - || return 1
  done
  for ns in "${DYN_NS[@]}"; do
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
      net.ipv4.ip_forward=1 || return 1
  done
  for h in "${DYN_HOSTS[@]}"; do
    # A host does not forward; the DVIPA, on all three hosts, is never answered in ARP on a link.
    dyn_in "$h" sysctl -qw net.ipv4.ip_forward=0 net.ipv4.conf.all.arp_ignore=1 \
      net.ipv4.conf.all.arp_announce=2 || return 1
  done
  return 0
}

# ---------------------------------------------------------------- FRR

# dyn_frr_start NODE: zebra, bfdd and the mode's protocol daemon in NODE, as user frr, with
# every path (vty sockets, zserv socket, pid files, bfdd's control socket, logs) in
# $DYN_DIR/NODE.
dyn_frr_start() {
  local node=$1 d=$DYN_DIR/$1 dm extra proto=ospfd
  [ "$DYN_MODE" = bgp ] && proto=bgpd
  mkdir -p "$d"
  : >"$d/empty.conf"
  chown frr:frr "$d" "$d/empty.conf"
  for dm in zebra bfdd $proto; do
    extra=()
    [ $dm = bfdd ] && extra=(--bfdctl "$d/bfdd.sock")
    # bgpd listens on port 179 of its own namespace; -p 179 keeps it explicit.
    [ $dm = bgpd ] && extra=(-p 179)
    dyn_in "$node" "$FRR_BIN/$dm" -d -u frr -g frr --vty_socket "$d" -z "$d/zserv.api" \
      -i "$d/$dm.pid" -P 0 -f "$d/empty.conf" --log "file:$d/$dm.log" "${extra[@]}" \
      >>"$d/start.log" 2>&1 || return 1
    dyn_wait 5 test -S "$d/$dm.vty" || return 1
  done
}
dyn_frr_stop() {
  local node=$1 f
  for f in "$DYN_DIR/$node"/*.pid; do
    [ -s "$f" ] && dyn_kill "$(cat "$f")"
    rm -f "$f"
  done
}
dyn_frr_load() {
  local node=$1 conf=$2
  dyn_vtysh "$node" -f "$conf" >"$DYN_DIR/$node/vtysh.out" 2>&1 || {
    echo "dvipa lab: $node rejected $conf:" >&2
    cat "$DYN_DIR/$node/vtysh.out" >&2
    return 1
  }
}

dyn_bfd_profile() {
  cat <<'EOF'
bfd
 profile lab
  detect-multiplier 3
  receive-interval 100
  transmit-interval 100
 exit
exit
EOF
}
dyn_ospf_if() { # NAME COST
  cat <<EOF
interface $1
 ip ospf area 0
 ip ospf network point-to-point
 ip ospf hello-interval 1
 ip ospf dead-interval 3
 ip ospf cost $2
 ip ospf bfd
 ip ospf bfd profile lab
exit
EOF
}
dyn_ospf_timers() {
  cat <<'EOF'
 timers throttle spf 0 50 500
 timers throttle lsa all 0
 timers lsa min-arrival 0
EOF
}

# The routers' config, generated: it names every host link.
dyn_router_conf() {
  local r=$1 i h n=${1#r} asn
  asn=6510$n
  echo "frr defaults traditional"
  echo "hostname $r"
  dyn_bfd_profile
  if [ "$DYN_MODE" = ospf ]; then
    # The router ID before any interface joins an area: ospfd otherwise starts with one of its
    # own (the highest address), and a later `ospf router-id` waits for `clear ip ospf process`
    # once an adjacency is up (a busy machine gets there first).
    cat <<EOF
router ospf
 ospf router-id 10.68.255.$n
$(dyn_ospf_timers)
 ! The hosts' way out: learnt from us, so it exists only while routing is up.
 default-information originate always
exit
EOF
    for h in "${DYN_HOSTS[@]}"; do dyn_ospf_if "$h" 10; done
    cat <<EOF
interface lan
 ip ospf area 0
 ip ospf hello-interval 1
 ip ospf dead-interval 3
 ip ospf cost 10
exit
EOF
  else
    echo "router bgp $asn"
    echo " bgp router-id 10.68.255.$n"
    echo " no bgp ebgp-requires-policy"
    echo " no bgp network import-check"
    # The hosts may sit in one AS or in several: compare their MEDs either way.
    echo " bgp always-compare-med"
    echo " timers bgp 1 3"
    echo " neighbor HOSTS peer-group"
    echo " neighbor HOSTS remote-as external"
    echo " neighbor HOSTS bfd"
    echo " neighbor HOSTS bfd profile lab"
    echo " neighbor HOSTS advertisement-interval 0"
    echo " neighbor HOSTS timers connect 1"
    for h in "${DYN_HOSTS[@]}"; do
      i=${DYN_IDX[$h]}
      if [ "$r" = r1 ]; then echo " neighbor 10.68.4$i.1 peer-group HOSTS"; else
        echo " neighbor 10.68.5$i.1 peer-group HOSTS"
      fi
    done
    local other=10.68.40.2
    [ "$r" = r2 ] && other=10.68.40.1
    echo " neighbor $other remote-as external"
    echo " neighbor $other advertisement-interval 0"
    echo " neighbor $other timers connect 1"
    echo " address-family ipv4 unicast"
    echo "  network 10.68.40.0/24"
    # The hosts' links, so that every host reaches every other host's addresses (the tunnel of
    # nondisruptive moves) whichever router its default route names; no host route (a scene's
    # fake announcer is one).
    echo "  redistribute connected route-map LINKS"
    echo "  neighbor HOSTS default-originate"
    # Every announcer's path to every host: vipad's view of who announces what.
    echo "  neighbor HOSTS addpath-tx-all-paths"
    echo " exit-address-family"
    echo "exit"
    echo "ip prefix-list LINKS seq 5 permit 10.68.0.0/16 le 30"
    echo "route-map LINKS permit 10"
    echo " match ip address prefix-list LINKS"
    echo "exit"
  fi
}

# dyn_host_base_conf HOST: the host's own part of its FRR config (links, timers, BFD, the way
# out); vipad's part (`vipactl export frr`) or the hand-made announcement is added to it.
dyn_host_base_conf() {
  local h=$1 i=${DYN_IDX[$1]}
  echo "frr defaults traditional"
  echo "hostname $h"
  dyn_bfd_profile
  if [ "$DYN_MODE" = ospf ]; then
    # The router ID first (see dyn_router_conf): the peers of nondisruptive moves name it.
    cat <<EOF
router ospf
 ospf router-id 10.68.255.1$i
$(dyn_ospf_timers)
 ! A host, not a router: never carry transit traffic.
 max-metric router-lsa administrative
exit
EOF
    dyn_ospf_if en1 10
    dyn_ospf_if en2 10
  else
    cat <<EOF
router bgp 6508$i
 bgp router-id 10.68.255.1$i
 no bgp ebgp-requires-policy
 ! The DVIPA is held with noprefixroute: zebra has no connected route for it to import-check.
 no bgp network import-check
 timers bgp 1 3
 neighbor 10.68.4$i.2 remote-as 65101
 neighbor 10.68.5$i.2 remote-as 65102
 neighbor 10.68.4$i.2 bfd
 neighbor 10.68.5$i.2 bfd
 neighbor 10.68.4$i.2 bfd profile lab
 neighbor 10.68.5$i.2 bfd profile lab
 neighbor 10.68.4$i.2 advertisement-interval 0
 neighbor 10.68.5$i.2 advertisement-interval 0
 neighbor 10.68.4$i.2 timers connect 1
 neighbor 10.68.5$i.2 timers connect 1
exit
EOF
  fi
}

# ---------------------------------------------------------------- the hosts' service

dyn_listening() {
  dyn_in "$1" ss -Hltn "sport = :$DVIPA_PORT" | grep -q LISTEN
}

# ---------------------------------------------------------------- hand-made announcements

# Without vipad: the DVIPA on an ifb link dvh0 of the host, announced by FRR at a metric
# (OSPF: the passive interface's cost; BGP: the MED of a network statement). This proves the
# lab itself, and is the baseline of bench/dvipa_takeover.sh.
dyn_hand_metric() { echo $((255 - DYN_RANK[$1])); }
dyn_hand_address() {
  local h=$1
  ip -n "$DYN-$h" link add dvh0 type ifb 2>/dev/null || true
  ip -n "$DYN-$h" link set dvh0 up
  ip -n "$DYN-$h" addr replace $DVIPA/32 dev dvh0
}
# dyn_hand_announce HOST [METRIC]
dyn_hand_announce() {
  local h=$1 m=${2:-$(dyn_hand_metric "$1")} i=${DYN_IDX[$1]}
  if [ "$DYN_MODE" = ospf ]; then
    dyn_vtysh "$h" -c "configure terminal" -c "interface dvh0" -c "ip ospf area 0" \
      -c "ip ospf passive" -c "ip ospf cost $m"
  else
    dyn_vtysh "$h" -c "configure terminal" -c "route-map DVIPA-M$m permit 10" \
      -c "set metric $m" -c "exit" -c "router bgp 6508$i" -c "address-family ipv4 unicast" \
      -c "network $DVIPA/32 route-map DVIPA-M$m"
  fi
}
dyn_hand_withdraw() {
  local h=$1 i=${DYN_IDX[$1]}
  if [ "$DYN_MODE" = ospf ]; then
    dyn_vtysh "$h" -c "configure terminal" -c "interface dvh0" -c "no ip ospf area 0"
  else
    dyn_vtysh "$h" -c "configure terminal" -c "router bgp 6508$i" \
      -c "address-family ipv4 unicast" -c "no network $DVIPA/32"
  fi
}

# ---------------------------------------------------------------- vipad

# dyn_vipad_conf HOST: vipad's config for HOST (the DVIPA "web" at HOST's rank).
dyn_vipad_conf() {
  local h=$1 d=$DYN_DIR/$1
  {
    echo "# The Dynamic VIPA lab, host $h."
    echo "[routing]"
    echo 'daemon = "frr"'
    echo "announce = \"$DYN_MODE\""
    echo "vtysh = \"$(command -v vtysh)\""
    echo "daemon_args = [\"--vty_socket\", \"$d\"]"
    echo
    echo "[dvipa.web]"
    echo "address = \"$DVIPA\""
    echo "rank = ${DYN_RANK[$h]}"
    echo "takeback = \"${DYN_TAKEBACK:-immediate}\""
    echo 'interface_names = ["en1", "en2"]'
    [ -n "${DYN_DVIPA_EXTRA:-}" ] && echo "$DYN_DVIPA_EXTRA"
    if [ "${DYN_HEALTH:-0}" = 1 ] && [[ " ${DYN_HEALTH_HOSTS:-${DYN_HOSTS[*]}} " == *" $h "* ]]; then
      echo
      echo "[dvipa.web.health]"
      echo "exec = [\"/usr/bin/test\", \"!\", \"-e\", \"$d/sick\"]"
      # Generous for a busy machine: a fork and exec of test(1) has taken over 250 ms here.
      echo "interval_ms = ${DYN_HEALTH_INTERVAL:-500}"
      echo "timeout_ms = ${DYN_HEALTH_INTERVAL:-500}"
      echo "rise = 2"
      echo "fall = 2"
      [ -n "${DYN_HEALTH_EXTRA:-}" ] && echo "$DYN_HEALTH_EXTRA"
    fi
  } >"$d/vipa.conf"
}

dyn_vipad_start() {
  local h=$1 d=$DYN_DIR/$1
  mkdir -p "$d/run"
  ip netns exec "$DYN-$h" "$VIPAD" --config "$d/vipa.conf" --socket "$d/run/vipad.sock" \
    >>"$d/vipad.log" 2>&1 &
  VIPAD_PIDS[$h]=$!
  dyn_wait 10 test -S "$d/run/vipad.sock" && dyn_alive "${VIPAD_PIDS[$h]}"
}
dyn_vipad_kill9() {
  local h=$1
  kill -KILL "${VIPAD_PIDS[$h]}" 2>/dev/null
  wait "${VIPAD_PIDS[$h]}" 2>/dev/null
  unset "VIPAD_PIDS[$h]"
  rm -f "$DYN_DIR/$h/run/vipad.sock"
}
dyn_vipad_stop() {
  local h=$1
  dyn_kill "${VIPAD_PIDS[$h]}"
  unset "VIPAD_PIDS[$h]"
}

# dyn_host_frr_conf HOST: the host's FRR config: its own part plus vipad's (the export).
dyn_host_frr_conf() {
  local h=$1 d=$DYN_DIR/$1
  dyn_host_base_conf "$h" >"$d/frr.conf"
  if [ "${DYN_HAND:-0}" != 1 ]; then
    "$VIPACTL" export frr --config "$d/vipa.conf" --protocol "$DYN_MODE" >"$d/export.conf" 2>"$d/export.err" ||
      return 1
    cat "$d/export.conf" >>"$d/frr.conf"
  fi
}

# ---------------------------------------------------------------- what the network says

# dyn_choice ROUTER: the host ROUTER's kernel sends the DVIPA to (its link's name), or nothing.
dyn_choice() {
  ip -n "$DYN-$1" -4 route show $DVIPA/32 2>/dev/null | awk '{for(i=1;i<NF;i++) if($i=="dev") {print $(i+1); exit}}'
}
dyn_routers_choose() { # HOST: both routers send the DVIPA to HOST
  [ "$(dyn_choice r1)" = "$1" ] && [ "$(dyn_choice r2)" = "$1" ]
}
# dyn_frr_choice ROUTER: the same from FRR's own RIB (show ip route json).
dyn_frr_choice() {
  dyn_vtysh "$1" -c "show ip route $DVIPA/32 json" 2>/dev/null |
    jq -r --arg p "$DVIPA/32" '.[$p][]? | select(.selected == true) | .nexthops[] | select(.active == true) | .interfaceName' |
    sort -u | paste -sd, -
}
# dyn_client_says HOST: a fresh connection from the client is answered by HOST.
dyn_client_who() {
  dyn_in c timeout 8 "$DYN_PY" -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
print(s.makefile().readline().strip())' $DVIPA $DVIPA_PORT 2>/dev/null
}
dyn_client_says() { [ "$(dyn_client_who)" = "$1" ]; }

# Routing up on a host: its default route learnt from the routers (an adjacency or session is
# up) and both BFD sessions up (so the next failure is seen by BFD). The kernel first: each
# vtysh costs about half a second on a busy machine.
dyn_host_routing_up() {
  local h=$1
  ip -n "$DYN-$h" route show default | grep -Eq "proto (ospf|bgp)" || return 1
  [ "$(dyn_vtysh "$h" -c "show bfd peers json" 2>/dev/null |
    jq '[.[] | select(.status == "up")] | length')" -ge 2 ]
}
dyn_all_routing_up() {
  local h
  for h in "${DYN_HOSTS[@]}"; do dyn_host_routing_up "$h" || return 1; done
}

# Route changes a router makes for the DVIPA, counted from `ip monitor route` in its namespace.
# The monitors run at real-time priority: `ip -ts` stamps a message when it reads it, and on a
# busy machine a monitor at normal priority read 0.3 s late, enough to reorder two events.
dyn_monitor_start() { # ROUTER
  local r=$1
  : >"$DYN_DIR/$r.routes"
  dyn_bg bash -c "exec chrt -f 20 ip -ts -n $DYN-$r -4 monitor route >>'$DYN_DIR/$r.routes'"
}
dyn_route_changes() { # ROUTER: lines about the DVIPA seen so far
  grep -c " $DVIPA" "$DYN_DIR/$1.routes" 2>/dev/null || true
}

# ---------------------------------------------------------------- the client

# dyn_probe_start: a new connection every 10 ms from the client, logged to $DYN_PROBE.
dyn_probe_start() {
  DYN_PROBE=$DYN_DIR/probe.${1:-log}
  : >"$DYN_PROBE"
  dyn_bg dyn_in c $DYN_RT "$DYN_PY" "$DYN_LAB/dvipa_probe.py" probe $DVIPA $DVIPA_PORT "$DYN_PROBE" 0.01 2
  DYN_PROBE_PID=$DYN_LAST
}
dyn_probe_stop() { [ -n "${DYN_PROBE_PID:-}" ] && dyn_kill "$DYN_PROBE_PID"; DYN_PROBE_PID=; }
dyn_probe() { "$DYN_PY" "$DYN_LAB/dvipa_probe.py" "$1" "$DYN_PROBE" "${@:2}"; }
# dyn_probe_reaches HOST: the last 5 attempts were answered, the newest by HOST.
dyn_probe_reaches() { dyn_probe tail 5 && [ "$(dyn_probe last)" = "$1" ]; }

# dyn_stream_start NAME: one long-lived connection (a line every 10 ms) from the client.
dyn_stream_start() {
  DYN_STREAM=$DYN_DIR/stream.$1
  : >"$DYN_STREAM"
  rm -f "$DYN_STREAM.stop"
  dyn_bg dyn_in c "$DYN_PY" "$DYN_LAB/dvipa_probe.py" stream $DVIPA $((DVIPA_PORT + 1)) \
    "$DYN_STREAM" "$DYN_STREAM.stop"
  DYN_STREAM_PID=$DYN_LAST
  dyn_wait 20 grep -q HELLO "$DYN_STREAM"
}
dyn_stream_stop() {
  touch "$DYN_STREAM.stop"
  dyn_wait 10 grep -q '^END ' "$DYN_STREAM"
  dyn_kill "$DYN_STREAM_PID"
}
dyn_stream_intact() { grep -q '^END .* broken=0 ' "$DYN_STREAM"; }

# ---------------------------------------------------------------- the whole scene

# dyn_up: topology, routers, the hosts' FRR, servers, vipad (unless DYN_HAND=1); waits until
# routing is up everywhere.
dyn_up() {
  local h n pids=() rc=0
  dyn_require || return 1
  dyn_topology_up || { echo "dvipa lab: topology failed" >&2; return 1; }
  for h in "${DYN_HOSTS[@]}"; do
    mkdir -p "$DYN_DIR/$h/run"
    dyn_vipad_conf "$h"
    dyn_host_frr_conf "$h" || {
      echo "dvipa lab: vipactl export frr failed for $h:" >&2
      cat "$DYN_DIR/$h/export.err" >&2
      return 1
    }
  done
  for n in "${DYN_ROUTERS[@]}"; do
    mkdir -p "$DYN_DIR/$n"
    dyn_router_conf "$n" >"$DYN_DIR/$n/frr.conf"
  done
  # Every node's FRR at once (each daemon start waits for its vty socket).
  for n in "${DYN_ROUTERS[@]}" "${DYN_HOSTS[@]}"; do
    (dyn_frr_start "$n" && dyn_frr_load "$n" "$DYN_DIR/$n/frr.conf") &
    pids+=($!)
  done
  for n in "${pids[@]}"; do wait "$n" || rc=1; done
  [ $rc = 0 ] || { echo "dvipa lab: FRR failed to start" >&2; return 1; }
  for h in "${DYN_HOSTS[@]}"; do
    dyn_bg dyn_in "$h" "$DYN_PY" "$DYN_LAB/dvipa_server.py" "$h" $DVIPA $DVIPA_PORT
  done
  for h in "${DYN_HOSTS[@]}"; do
    dyn_wait 10 dyn_listening "$h" || { echo "dvipa lab: $h's server failed" >&2; return 1; }
  done
  if [ "${DYN_HAND:-0}" = 1 ]; then
    dyn_wait 60 dyn_all_routing_up || { echo "dvipa lab: routing did not come up" >&2; return 1; }
    for h in "${DYN_HOSTS[@]}"; do
      dyn_hand_address "$h"
      dyn_hand_announce "$h" >/dev/null || return 1
    done
  else
    # vipad starts with routing still coming up: delay_join holds the announcement back.
    for h in "${DYN_HOSTS[@]}"; do
      dyn_vipad_start "$h" || {
        echo "dvipa lab: vipad on $h did not start" >&2
        tail "$DYN_DIR/$h/vipad.log" >&2
        return 1
      }
    done
    dyn_wait 60 dyn_all_routing_up || { echo "dvipa lab: routing did not come up" >&2; return 1; }
  fi
  dyn_wait 60 dyn_routers_choose h1 || { echo "dvipa lab: the routers did not choose h1" >&2; return 1; }
  dyn_wait 30 dyn_client_says h1 || { echo "dvipa lab: the client did not reach h1" >&2; return 1; }
}

# dyn_fail / dyn_restore HOST carrier|silent
#   carrier: HOST's en1 and en2 down together (the routers' ends lose carrier);
#   silent: every process in HOST stopped (SIGSTOP), no carrier change.
dyn_fail() {
  local h=$1 pid
  DYN_FAIL_T=$EPOCHREALTIME
  case $2 in
  carrier)
    # Both at once (one ip process): two commands would leave ~0.1 s between them on a busy
    # machine, during which the routers still reach the host through its other link.
    printf '%s\n' "link set en1 down" "link set en2 down" | $DYN_RT ip -n "$DYN-$h" -batch -
    ;;
  silent)
    for pid in $(ip netns pids "$DYN-$h"); do kill -STOP "$pid" 2>/dev/null; done
    ;;
  esac
}
dyn_restore() {
  local h=$1 pid
  case $2 in
  carrier)
    printf '%s\n' "link set en1 up" "link set en2 up" | $DYN_RT ip -n "$DYN-$h" -batch -
    ;;
  silent)
    for pid in $(ip netns pids "$DYN-$h"); do kill -CONT "$pid" 2>/dev/null; done
    ;;
  esac
}

# dyn_diag: what to look at when something failed (before the namespaces go).
dyn_diag() {
  local h r
  for r in "${DYN_ROUTERS[@]}"; do
    echo "----- $r: route to $DVIPA: $(ip -n "$DYN-$r" route show $DVIPA/32 2>&1)"
  done
  for h in "${DYN_HOSTS[@]}"; do
    echo "----- $h: vipactl dvipa"
    dvctl "$h" dvipa 2>&1 | head -n 12
    echo "----- $h: vipad log (last 15 lines)"
    tail -n 15 "$DYN_DIR/$h/vipad.log" 2>/dev/null
  done
}

# ---------------------------------------------------------------- keepalived, side by side

# What users would otherwise pick, in its best setting here: keepalived VRRPv3, advert 0.1 s,
# on a shared segment (VRRP needs one): every host's kl0 and r1's kl on bridge br1 in sw,
# 10.68.60.0/24, the virtual address 10.68.60.100 (priorities = the ranks, preempting).
# The servers answer on it too. A failing check: `track_file` with weight 0 (FAULT while the
# file holds a non-zero number).
VRRP_VIP=10.68.60.100
dyn_vrrp_up() {
  local h i
  {
    for h in "${DYN_HOSTS[@]}"; do echo "link add kl0 netns $DYN-$h type veth peer name k$h netns $DYN-sw"; done
    echo "link add kl netns $DYN-r1 type veth peer name kr1 netns $DYN-sw"
  } | ip -batch - || return 1
  {
    echo "link add br1 type bridge"
    echo "link set br1 up"
    for p in kh1 kh2 kh3 kr1; do
      echo "link set $p master br1"
      echo "link set $p up"
    done
  } | ip -n "$DYN-sw" -batch - || return 1
  printf '%s\n' "addr add 10.68.60.1/24 dev kl" "link set kl up" | ip -n "$DYN-r1" -batch - || return 1
  for h in "${DYN_HOSTS[@]}"; do
    i=${DYN_IDX[$h]}
    printf '%s\n' "addr add 10.68.60.1$i/24 dev kl0" "link set kl0 up" | ip -n "$DYN-$h" -batch - ||
      return 1
    echo 0 >"$DYN_DIR/$h/vrrp-sick"
    cat >"$DYN_DIR/$h/keepalived.conf" <<KEOF
global_defs {
  router_id $h
  vrrp_garp_master_delay 0
  vrrp_garp_master_repeat 1
}
vrrp_track_file sick {
  file $DYN_DIR/$h/vrrp-sick
  weight 0
}
vrrp_instance web {
  state BACKUP
  interface kl0
  virtual_router_id 86
  version 3
  priority ${DYN_RANK[$h]}
  advert_int 0.1
  virtual_ipaddress {
    $VRRP_VIP/24 dev kl0
  }
  track_file {
    sick
  }
}
KEOF
    dyn_bg dyn_in "$h" keepalived -n -P -l -G -f "$DYN_DIR/$h/keepalived.conf" \
      -p "$DYN_DIR/$h/keepalived.pid" -r "$DYN_DIR/$h/keepalived-vrrp.pid" \
      >"$DYN_DIR/$h/keepalived.log" 2>&1
    dyn_bg dyn_in "$h" "$DYN_PY" "$DYN_LAB/dvipa_server.py" "$h" $VRRP_VIP $DVIPA_PORT
  done
  dyn_wait 20 dyn_vrrp_master h1
}
dyn_vrrp_master() { ip -n "$DYN-$1" -4 addr show dev kl0 | grep -q "inet $VRRP_VIP/"; }
# dyn_vrrp_fail / dyn_vrrp_restore HOST carrier|silent|health
dyn_vrrp_fail() {
  DYN_FAIL_T=$EPOCHREALTIME
  case $2 in
  carrier) $DYN_RT ip -n "$DYN-$1" link set kl0 down ;; # as dyn_fail: from the host
  health) echo 1 >"$DYN_DIR/$1/vrrp-sick" ;; # a builtin: no fork between the time and the event
  *) dyn_fail "$1" "$2" ;;
  esac
}
dyn_vrrp_restore() {
  case $2 in
  carrier) $DYN_RT ip -n "$DYN-$1" link set kl0 up ;;
  health) echo 0 >"$DYN_DIR/$1/vrrp-sick" ;;
  *) dyn_restore "$1" "$2" ;;
  esac
}
