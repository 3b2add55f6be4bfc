# shellcheck shell=bash
# For test_source_app*.sh: three more VIPAs, servers in c that answer with the peer address,
# the test's own cgroups, and vipad run where it sees the cgroup v2 hierarchy and a bpffs of
# the test's own. Sourced after lib.sh.

VIPAD=$(readlink -f "$VIPAD")
VIPACTL=$(readlink -f "$VIPACTL")
VI1_4=10.68.7.1 VI1_6=2001:db8:7::1
VI2_4=10.68.8.1 VI2_6=2001:db8:8::1
VI3_4=10.68.4.1 VI3_6=2001:db8:4::1
REMOTE4B=10.68.201.1 REMOTE6B=2001:db8:201::1

# The cgroup v2 hierarchy: pure v2 at /sys/fs/cgroup, or the hybrid layout's unified mount.
V2ROOT=$(awk '$0 ~ / - cgroup2 / {print $5}' /proc/self/mountinfo |
  awk '$0=="/sys/fs/cgroup"{print 0, $0; next} $0=="/sys/fs/cgroup/unified"{print 1, $0; next} {print 2, $0}' |
  sort -n | head -n1 | cut -d' ' -f2)
CGREL=vipa-srcsel-$$
CGBASE=$V2ROOT/$CGREL
CG_UNIT=$CGBASE/units/system.slice/db.service
CG_APP=$CGBASE/app
MNT_HOLDER=

# Our cgroups go after everything else: first our processes (lib's cleanup kills them by PID),
# then whatever is still inside (only our clients were ever put there), leaves first.
eval "$(declare -f cleanup | sed '1s/cleanup/lib_cleanup/')"
cleanup() {
  lib_cleanup
  if [ -n "$V2ROOT" ] && [ -d "$CGBASE" ]; then
    local d pid
    for d in $(find "$CGBASE" -depth -type d 2>/dev/null); do
      for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    done
    for d in $(find "$CGBASE" -depth -type d 2>/dev/null); do
      wait_for 3 rmdir "$d" || echo "could not remove $d"
    done
  fi
}

# in_cg CGROUP CMD...: CMD in a subshell that first moves itself (only itself) into CGROUP.
in_cg() {
  local cg=$1
  shift
  (
    echo "$BASHPID" >"$cg/cgroup.procs" || exit 99
    "$@"
  )
}
# as_nobody CMD...: the client runs as user nobody.
as_nobody() { SRC_AS=nobody "$@"; }

host_client() {
  if [ -n "${SRC_AS:-}" ]; then
    ip netns exec "$NS_H" setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
  else
    ip netns exec "$NS_H" "$@"
  fi
}
bracket() { [[ $1 == *:* ]] && echo "[$1]" || echo "$1"; }
# tcp_peer DST PORT [SOCAT-OPTIONS]: the address the server saw the connection come from.
tcp_peer() { host_client timeout 5 socat -T 3 - "TCP:$(bracket "$1"):$2${3:-}" </dev/null; }
# udp_peer DST PORT: one unconnected datagram (sendto); the server logs "TOKEN PEER".
udp_peer() {
  local token=$RANDOM$RANDOM
  echo "$token" | host_client timeout 5 socat -u - "UDP-SENDTO:$(bracket "$1"):$2" || return 1
  wait_for 5 grep -q "^$token " "$TMP/udp.log" || return 1
  grep "^$token " "$TMP/udp.log" | head -n1 | cut -d' ' -f2
}
# peer_is ADDR CMD...
peer_is() {
  local want=$1 out
  shift
  out=$("$@" 2>&1)
  out=${out//[\[\]]/}
  # socat prints IPv6 peers in full: 2001:0db8:0007:...
  [[ $out == *:* ]] && out=$(python3 -c 'import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]))' "$out" 2>/dev/null || echo "$out")
  [ "$out" = "$want" ] || {
    echo "peer: '$out', expected $want"
    return 1
  }
}

srcapp_remote_routes() { # add|del r1|r5: c's routes to vi1..vi3 through that router
  local n=${2#r} m a
  m=$([ "$2" = r1 ] && echo 10 || echo 20)
  for a in $VI1_4 $VI2_4 $VI3_4; do ipc route "$1" $a/32 via 10.68.1$n.1 metric $m 2>/dev/null; done
  for a in $VI1_6 $VI2_6 $VI3_6; do ipc -6 route "$1" $a/128 via 2001:db8:1$n::1 metric $m 2>/dev/null; done
  return 0
}

# srcapp_router_routes r1|r5: the router's routes to vi1..vi3 (via the host) and to c's second
# address; again after the router's link was down (the kernel dropped them).
srcapp_router_routes() {
  local n=${1#r} a
  for a in $VI1_4 $VI2_4 $VI3_4; do ip -n "$T-$1" route replace $a/32 via 10.68.$n.1; done
  for a in $VI1_6 $VI2_6 $VI3_6; do ip -n "$T-$1" -6 route replace $a/128 via 2001:db8:$n::1; done
  ip -n "$T-$1" route replace $REMOTE4B/32 via 10.68.1$n.2
  ip -n "$T-$1" -6 route replace $REMOTE6B/128 via 2001:db8:1$n::2
}

srcapp_config() {
  CFG_EXTRA=$(
    cat <<CONF
[vipa.vi1]
netaddr = "$VI1_4"
netaddr6 = "$VI1_6"
interface_names = ["en7"]

[vipa.vi2]
netaddr = "$VI2_4"
netaddr6 = "$VI2_6"
interface_names = ["en8"]

[vipa.vi3]
netaddr = "$VI3_4"
netaddr6 = "$VI3_6"
interface_names = ["en9"]

[[source]]
unit = "db.service"
vipa = "vi1"

[[source]]
user = "nobody"
vipa = "vi2"

[[source]]
cgroup = "/$CGREL/app"
vipa = "vi2"

[[source]]
cgroup = "/$CGREL/app/deep"
vipa = "vi1"

[[source]]
destination = "10.68.201.0/24"
vipa = "vi3"

[[source]]
destination = "2001:db8:201::/64"
vipa = "vi3"
CONF
  )
  sample_config
}

srcapp_setup() {
  [ -n "$V2ROOT" ] || {
    echo "no cgroup v2 hierarchy mounted"
    return 1
  }
  command -v bpftool >/dev/null && command -v jq >/dev/null && command -v setpriv >/dev/null ||
    return 1
  topo_up || return 1
  local r
  ipc addr add $REMOTE4B/32 dev lo
  ipc addr add $REMOTE6B/128 dev lo nodad
  for r in r1 r5; do
    srcapp_router_routes $r
    srcapp_remote_routes add $r
  done
  # Servers that answer each connection or datagram with the address it came from.
  bg inc socat TCP4-LISTEN:7000,fork,reuseaddr SYSTEM:'echo $SOCAT_PEERADDR'
  bg inc socat TCP6-LISTEN:7000,fork,reuseaddr,ipv6only=1 SYSTEM:'echo $SOCAT_PEERADDR'
  : >"$TMP/udp.log"
  bg inc socat -u UDP4-RECVFROM:7001,fork SYSTEM:"read t; echo \"\$t \$SOCAT_PEERADDR\" >>$TMP/udp.log"
  bg inc socat -u UDP6-RECVFROM:7001,fork,ipv6only=1 SYSTEM:"read t; echo \"\$t \$SOCAT_PEERADDR\" >>$TMP/udp.log"
  mkdir -p "$CG_UNIT" "$CG_APP/deep" || return 1
  # A private mount namespace with a bpffs of its own, for vipad's pins.
  bg unshare -m --propagation private sleep 100000
  MNT_HOLDER=$BG_LAST
  wait_for 5 nsenter -t "$MNT_HOLDER" -m true || return 1
  nsenter -t "$MNT_HOLDER" -m mount -t bpf bpf /sys/fs/bpf || return 1
  srcapp_config
  wait_for 5 bash -c "ip netns exec $NS_C ss -Hltn 'sport = :7000' | grep -q LISTEN"
}

# vipad with the host's cgroup mounts (ip netns exec would hide them) in the holder's mounts.
start_vipad_srcsel() {
  VIPAD_STARTS=$((VIPAD_STARTS + 1))
  echo "===== start $VIPAD_STARTS: $* =====" >>"$LOG"
  nsenter -t "$MNT_HOLDER" -m --net="/run/netns/$NS_H" "$VIPAD" --config "$CONF" --socket "$SOCK" \
    --source-unit-cgroup "/$CGREL/units" "$@" >>"$LOG" 2>&1 &
  VIPAD_PID=$!
  VIPAD_RC=
  wait_for 5 vipad_ready_or_dead
  wait_for 5 vipad_socket_or_dead
  proc_alive "$VIPAD_PID" && vipa_addr_present
}
start_vipad_srcsel_without_bpf() {
  VIPAD_STARTS=$((VIPAD_STARTS + 1))
  echo "===== start $VIPAD_STARTS: without CAP_BPF =====" >>"$LOG"
  nsenter -t "$MNT_HOLDER" -m --net="/run/netns/$NS_H" setpriv --bounding-set=-bpf "$VIPAD" \
    --config "$CONF" --socket "$SOCK" --source-unit-cgroup "/$CGREL/units" >>"$LOG" 2>&1 &
  VIPAD_PID=$!
  wait_for 5 vipad_ready_or_dead
  wait_for 5 vipad_socket_or_dead
  proc_alive "$VIPAD_PID" && vipa_addr_present
}
run_vipad_srcsel() {
  timeout 20 nsenter -t "$MNT_HOLDER" -m --net="/run/netns/$NS_H" "$VIPAD" --config "$CONF" \
    --socket "$SOCK" --source-unit-cgroup "/$CGREL/units" "$@" >"$TMP/run.out" 2>"$TMP/run.err"
}

source_json() { "$VIPACTL" --socket "$SOCK" source --json; }
# jq_on FILTER CMD...: CMD must succeed and its JSON must satisfy FILTER.
jq_on() {
  local filter=$1 out
  shift
  out=$("$@") || return 1
  jq -e "$filter" <<<"$out" >/dev/null || {
    echo "$out" | head -c 2000
    return 1
  }
}
source_rule_state() { jq_on ".rules[$1].state == \"$2\"" source_json; }
counters_at_least() {
  jq_on ".rules[$1].connects >= $2 and .rules[$1].datagrams >= $3" source_json
}
source_test_says() {
  local want=$1
  shift
  jq_on ".source == \"$want\"" "$VIPACTL" --socket "$SOCK" source test --json "$@"
}
source_text_lists() {
  local out
  out=$("$VIPACTL" --socket "$SOCK" source) && grep -q "$1" <<<"$out"
}
link_id() {
  local out
  out=$(source_json) || return 1
  jq -r ".rules[$1].attached.links[] | select(.hook == \"$2\") | .id" <<<"$out"
}
link_ids() {
  local out
  out=$(source_json) || return 1
  jq -c '[.rules[].attached.links[]?.id] | sort' <<<"$out"
}
no_vipa_rules() { ! iph rule show | grep -q 'proto vipa\|proto 86' && ! iph -6 rule show | grep -q 'proto vipa\|proto 86'; }
no_pins() {
  local left
  left=$(nsenter -t "$MNT_HOLDER" -m find /sys/fs/bpf -mindepth 1 -name 'vipa-*')
  [ -z "$left" ] || {
    echo "left: $left"
    return 1
  }
}
# no_links_on CGROUP: nothing is attached to it (bpftool lists attachments).
no_links_on() { [ -z "$(bpftool cgroup show "$1" 2>&1)" ] || { bpftool cgroup show "$1"; return 1; }; }
no_sanitizer_reports() { ! grep -E "ERROR: AddressSanitizer|runtime error:|LeakSanitizer" "$LOG"; }

# A TCP stream from the unit's cgroup to c, echoed back.
src_stream_start() {
  SS_PORT=$1
  SS_DIR=$TMP/sstream.$1
  mkdir -p "$SS_DIR"
  bg inc socat TCP4-LISTEN:"$SS_PORT",bind=$REMOTE4,reuseaddr EXEC:cat
  wait_for 5 bash -c "ip netns exec $NS_C ss -Hltn 'sport = :$SS_PORT' | grep -q LISTEN" || return 1
  bg src_stream_client
  SS_CLI=$BG_LAST
}
src_stream_gen() {
  local i=0
  while [ ! -e "$SS_DIR/stop" ] && [ $i -lt 5000 ]; do
    i=$((i + 1))
    echo "line $i"
    sleep 0.02
  done
}
src_stream_client() {
  src_stream_gen | in_cg "$CG_UNIT" ip netns exec "$NS_H" timeout 120 socat -t 5 - \
    TCP:$REMOTE4:"$SS_PORT" >"$SS_DIR/out" 2>"$SS_DIR/err"
}
src_stream_lines() { wc -l <"$SS_DIR/out" 2>/dev/null || echo 0; }
src_stream_at_least() { [ "$(src_stream_lines)" -ge "$1" ]; }
src_stream_grows() {
  local target=$(($(src_stream_lines) + $1))
  wait_for 10 src_stream_at_least "$target"
}
stream_peer_is() {
  ip netns exec "$NS_C" ss -Htn state established "( sport = :$SS_PORT )" | grep -q " $1:"
}
src_stream_stop() {
  touch "$SS_DIR/stop"
  wait_for 20 pid_gone "$SS_CLI"
}
