# shellcheck shell=bash
# the sample network, live. Sourced by lab/demo.sh, tests/integration/test_lab.sh
# and bench/lab_outage.sh, as root. Every namespace carries the sourcing shell's PID in its
# name; every process started is recorded by PID (routing daemons: by the pid files we give
# them); lab_down removes it all and runs on EXIT, INT and TERM.
#
#                       10.68.1.0/24              10.68.11.0/24, through namespace br
#   h:vi0 10.68.6.1  h:en1 ------------ r1:r1h  r1:r1c ---[b1 br0 b2]--- c:c1
#   (vipad)                                                                c:lo 10.68.200.1
#                    h:en5 ------------ r5:r5h  r5:r5c ----------------- c:c5
#                       10.68.5.0/24              10.68.15.0/24
#
# h is the sample's host, r1 and r5 its routers, c the corporate network with its remote system
# (10.68.200.1). All four run a routing daemon: FRR (zebra, ospfd, bfdd) or, with
# LAB_DAEMON=bird, BIRD 2. OSPF area 0 over point-to-point links, BFD 100 ms x 3; the path
# through r5 costs more, so traffic takes r1 until something fails. The host's routing
# daemon config is lab/{frr,bird}/h.conf plus what `vipactl export` prints for vipad's config.
#
# Knobs (environment): VIPAD, VIPACTL (binaries; default: build/ of this checkout),
# LAB_DAEMON=frr|bird, LAB_ANNOUNCE=table|interface (vipactl export --announce),
# LAB_HOST_ROUTES=ospf|vipad (ospf: the host follows OSPF to the
# corporate network; vipad: it only announces the VIPA, and its own traffic follows vipad's
# [[route]] defaults), LAB_DGD=1 (those defaults with active_dgd and track = the remote
# system), LAB_VIPAD_EXTRA (lines appended to vipad's config), LAB_KEEP=1 (keep the work
# directory).

set -u

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_ROOT=$(cd "$LAB_SRC/.." && pwd)
VIPAD=${VIPAD:-$LAB_ROOT/build/vipad}
VIPACTL=${VIPACTL:-$LAB_ROOT/build/vipactl}
LAB_DAEMON=${LAB_DAEMON:-frr}
LAB_HOST_ROUTES=${LAB_HOST_ROUTES:-ospf}
LAB_ANNOUNCE=${LAB_ANNOUNCE:-table}
FRR_BIN=${FRR_BIN:-/usr/lib/frr}

LAB=lab$$
NS_H=$LAB-h
NS_R1=$LAB-r1
NS_R5=$LAB-r5
NS_C=$LAB-c
NS_BR=$LAB-br
LAB_NS=("$NS_H" "$NS_R1" "$NS_R5" "$NS_C" "$NS_BR")
LAB_NODES=(h r1 r5 c)

VIPA=10.68.6.1
REMOTE=10.68.200.1
TELNET_PORT=23

LAB_DIR=$(mktemp -d /tmp/vipa-lab.XXXXXX)
chmod 755 "$LAB_DIR"
VIPA_CONF=$LAB_DIR/vipa.conf
VIPA_SOCK=$LAB_DIR/run/vipad.sock
VIPAD_LOG=$LAB_DIR/vipad.log
SNIPPET=$LAB_DIR/snippet.conf
LAB_PIDS=()
VIPAD_PID=

ns_of() {
  case $1 in
  h) echo "$NS_H" ;;
  r1) echo "$NS_R1" ;;
  r5) echo "$NS_R5" ;;
  c) echo "$NS_C" ;;
  br) echo "$NS_BR" ;;
  *) return 1 ;;
  esac
}
# lab_in NODE CMD...: run CMD in NODE's namespace.
lab_in() {
  local ns
  ns=$(ns_of "$1") || return 1
  shift
  ip netns exec "$ns" "$@"
}
vipactl() { "$VIPACTL" --socket "$VIPA_SOCK" "$@"; }

# ---------------------------------------------------------------- time and waiting

lab_now_ms() {
  local t=${EPOCHREALTIME//[.,]/}
  echo $((10#$t / 1000))
}
lab_to_ms() { # "1.5" -> 1500
  local int=${1%.*} frac=
  [[ $1 == *.* ]] && frac=${1#*.}
  frac=${frac}000
  echo $((10#${int:-0} * 1000 + 10#${frac:0:3}))
}
# lab_wait SECONDS CMD...: poll CMD every 10 ms until it succeeds; LAB_WAITED_MS = how long.
lab_wait() {
  local start end
  start=$(lab_now_ms)
  end=$((start + $(lab_to_ms "$1")))
  shift
  while :; do
    if "$@" >/dev/null 2>&1; then
      LAB_WAITED_MS=$(($(lab_now_ms) - start))
      return 0
    fi
    if [ "$(lab_now_ms)" -ge "$end" ]; then
      LAB_WAITED_MS=$(($(lab_now_ms) - start))
      return 1
    fi
    sleep 0.01
  done
}

# ---------------------------------------------------------------- processes

lab_alive() {
  local state
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] || return 1
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != Z ]
}
lab_gone() { ! lab_alive "$1"; }

# lab_kill PID: TERM, KILL after 3 s; reaped when it is our child.
lab_kill() {
  local pid=$1
  if lab_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    lab_wait 3 lab_gone "$pid" || kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}

# lab_bg CMD...: CMD in the background, recorded for lab_down; LAB_LAST = its PID.
lab_bg() {
  "$@" &
  LAB_LAST=$!
  LAB_PIDS+=("$LAB_LAST")
}

lab_down() {
  trap - EXIT INT TERM
  local pid ns f
  {
    [ -n "$VIPAD_PID" ] && lab_kill "$VIPAD_PID"
    VIPAD_PID=
    for pid in "${LAB_PIDS[@]}"; do lab_kill "$pid"; done
    LAB_PIDS=()
    # The routing daemons daemonize: their PIDs are in the pid files we named.
    for f in "$LAB_DIR"/*/*.pid; do
      [ -s "$f" ] && lab_kill "$(cat "$f")"
    done
    for ns in "${LAB_NS[@]}"; do
      # Safety net: these namespaces carry our PID in their names, so whatever still runs
      # inside was started by this lab.
      for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
      ip netns del "$ns" 2>/dev/null
    done
  } >/dev/null 2>&1
  if [ "${LAB_KEEP:-0}" = 1 ]; then
    echo "lab: kept $LAB_DIR"
  else
    rm -rf "$LAB_DIR"
  fi
  return 0
}
lab_traps() {
  trap 'lab_down' EXIT
  trap 'echo "lab: interrupted"; lab_down; exit 130' INT TERM
}
lab_traps

# lab_require: what the lab needs; prints what is missing and returns 1.
lab_require() {
  local missing=() t
  [ "$(id -u)" = 0 ] || missing+=("root")
  [ -x "$VIPAD" ] || missing+=("vipad ($VIPAD)")
  [ -x "$VIPACTL" ] || missing+=("vipactl ($VIPACTL)")
  for t in ip socat telnet python3; do command -v $t >/dev/null || missing+=("$t"); done
  [ -x /usr/sbin/telnetd ] || missing+=("telnetd (inetutils-telnetd)")
  if [ "$LAB_DAEMON" = bird ]; then
    for t in bird birdc; do command -v $t >/dev/null || missing+=("$t (bird2)"); done
  else
    for t in zebra ospfd bfdd; do [ -x "$FRR_BIN/$t" ] || missing+=("$FRR_BIN/$t (frr)"); done
    command -v vtysh >/dev/null || missing+=("vtysh (frr)")
  fi
  [ "$LAB_DAEMON" = bird ] && [ "$LAB_HOST_ROUTES" = vipad ] &&
    missing+=("LAB_HOST_ROUTES=vipad (FRR only)")
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "lab: missing: ${missing[*]}" >&2
  return 1
}

# ---------------------------------------------------------------- topology

lab_topology_up() {
  local ns
  for ns in "${LAB_NS[@]}"; do
    ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up
  done
  for n in r1 r5 c; do
    lab_in $n sysctl -qw net.ipv4.ip_forward=1
    # c answers on c1 what arrived on c5 and the other way round while paths move.
    lab_in $n sysctl -qw net.ipv4.conf.all.rp_filter=0
    lab_in $n sysctl -qw net.ipv4.conf.default.rp_filter=0
  done
  ip link add en1 netns "$NS_H" type veth peer name r1h netns "$NS_R1" || return 1
  ip link add en5 netns "$NS_H" type veth peer name r5h netns "$NS_R5" || return 1
  ip link add r1c netns "$NS_R1" type veth peer name b1 netns "$NS_BR" || return 1
  ip link add c1 netns "$NS_C" type veth peer name b2 netns "$NS_BR" || return 1
  ip link add r5c netns "$NS_R5" type veth peer name c5 netns "$NS_C" || return 1
  # The silent failure: a bridge in the middle of r1's uplink whose port can be detached
  # without any carrier change (this kernel has no netem and no tc classifiers).
  ip -n "$NS_BR" link add br0 type bridge || return 1
  ip -n "$NS_BR" link set b1 master br0
  ip -n "$NS_BR" link set b2 master br0
  for l in br0 b1 b2; do ip -n "$NS_BR" link set $l up; done

  ip -n "$NS_H" addr add 10.68.1.1/24 dev en1
  ip -n "$NS_H" addr add 10.68.5.1/24 dev en5
  ip -n "$NS_R1" addr add 10.68.1.2/24 dev r1h
  ip -n "$NS_R1" addr add 10.68.11.1/24 dev r1c
  ip -n "$NS_R5" addr add 10.68.5.2/24 dev r5h
  ip -n "$NS_R5" addr add 10.68.15.1/24 dev r5c
  ip -n "$NS_C" addr add 10.68.11.2/24 dev c1
  ip -n "$NS_C" addr add 10.68.15.2/24 dev c5
  ip -n "$NS_C" addr add $REMOTE/32 dev lo
  ip -n "$NS_H" link set en1 up
  ip -n "$NS_H" link set en5 up
  for l in r1h r1c; do ip -n "$NS_R1" link set $l up; done
  for l in r5h r5c; do ip -n "$NS_R5" link set $l up; done
  for l in c1 c5; do ip -n "$NS_C" link set $l up; done
  mkdir -p "$LAB_DIR/run"
  return 0
}

# ---------------------------------------------------------------- routing daemons

# frr_start NODE: zebra, bfdd and ospfd in NODE's namespace, as user frr, with every path
# (vty sockets, zserv socket, pid files, bfdd's control socket, logs) in $LAB_DIR/NODE.
frr_start() {
  local node=$1 d=$LAB_DIR/$1 dm extra
  mkdir -p "$d"
  : >"$d/empty.conf"
  chown -R frr:frr "$d"
  for dm in zebra bfdd ospfd; do
    extra=()
    [ $dm = bfdd ] && extra=(--bfdctl "$d/bfdd.sock")
    lab_in "$node" "$FRR_BIN/$dm" -d -u frr -g frr --vty_socket "$d" -z "$d/zserv.api" \
      -i "$d/$dm.pid" -P 0 -f "$d/empty.conf" --log "file:$d/$dm.log" "${extra[@]}" \
      >>"$d/start.log" 2>&1 || return 1
    lab_wait 5 test -S "$d/$dm.vty" || return 1
  done
}
# lab_vtysh NODE ARGS...: vtysh against NODE's daemons.
lab_vtysh() {
  local node=$1
  shift
  lab_in "$node" vtysh --vty_socket "$LAB_DIR/$node" "$@"
}

bird_start() {
  local node=$1 d=$LAB_DIR/$1
  mkdir -p "$d"
  lab_in "$node" bird -c "$d/bird.conf" -s "$d/bird.ctl" -P "$d/bird.pid" >>"$d/start.log" 2>&1 ||
    return 1
  lab_wait 5 test -S "$d/bird.ctl"
}
lab_birdc() {
  local node=$1
  shift
  lab_in "$node" birdc -s "$LAB_DIR/$node/bird.ctl" "$@"
}

# lab_routers_up: r1, r5 and c with their routing daemon and config.
lab_routers_up() {
  local n d
  for n in r1 r5 c; do
    d=$LAB_DIR/$n
    mkdir -p "$d"
    if [ "$LAB_DAEMON" = bird ]; then
      sed "s#@DIR@#$d#g" "$LAB_SRC/bird/$n.conf" >"$d/bird.conf"
      bird_start $n || return 1
    else
      frr_start $n || return 1
      lab_vtysh $n -f "$LAB_SRC/frr/$n.conf" >"$d/vtysh.out" 2>&1 || {
        cat "$d/vtysh.out" >&2
        return 1
      }
    fi
  done
}

# lab_host_config: the host's routing daemon config = lab part + `vipactl export` of vipad's
# config (the snippet under test). Written to $LAB_DIR/h/.
lab_host_config() {
  local d=$LAB_DIR/h
  mkdir -p "$d"
  "$VIPACTL" export "$LAB_DAEMON" --config "$VIPA_CONF" --announce "$LAB_ANNOUNCE" \
    >"$SNIPPET" || return 1
  if [ "$LAB_DAEMON" = bird ]; then
    {
      sed "s#@DIR@#$d#g" "$LAB_SRC/bird/h.conf"
      cat "$SNIPPET"
    } >"$d/bird.conf"
  else
    {
      cat "$LAB_SRC/frr/h.conf" "$SNIPPET"
      [ "$LAB_HOST_ROUTES" = vipad ] && cat "$LAB_SRC/frr/h-announce-only.conf"
    } >"$d/frr.conf"
  fi
  return 0
}

# lab_host_routing_up: after vipad holds the VIPA (zebra refuses `set src` for an address the
# host does not have).
lab_host_routing_up() {
  local d=$LAB_DIR/h
  lab_host_config || return 1
  if [ "$LAB_DAEMON" = bird ]; then
    bird_start h
  else
    frr_start h || return 1
    lab_vtysh h -f "$d/frr.conf" >"$d/vtysh.out" 2>&1 || {
      cat "$d/vtysh.out" >&2
      return 1
    }
  fi
}

# ---------------------------------------------------------------- vipad

# lab_vipad_config: the sample config (tests/data/sample.conf) with the routing daemon named.
lab_vipad_config() {
  {
    if [ "${LAB_DGD:-0}" = 1 ]; then
      # Dead gateway detection on both default routes, tracking the remote system beyond.
      sed "s/^metric = .*/&\nactive_dgd = true\ntrack = [\"$REMOTE\"]/" \
        "$LAB_ROOT/tests/data/sample.conf"
    else
      cat "$LAB_ROOT/tests/data/sample.conf"
    fi
    echo
    echo "# The lab: the routing daemon vipad asks to reinstall its routes after a VIPA returns."
    echo "[routing]"
    if [ "$LAB_DAEMON" = bird ]; then
      echo 'daemon = "bird"'
      echo "birdc = \"$(command -v birdc)\""
      echo "daemon_args = [\"-s\", \"$LAB_DIR/h/bird.ctl\"]"
    else
      echo 'daemon = "frr"'
      echo "vtysh = \"$(command -v vtysh)\""
      echo "daemon_args = [\"--vty_socket\", \"$LAB_DIR/h\"]"
    fi
    [ -n "${LAB_VIPAD_EXTRA:-}" ] && printf '\n%s\n' "$LAB_VIPAD_EXTRA"
  } >"$VIPA_CONF"
}

vipa_present() { ip -n "$NS_H" -4 addr show dev vi0 2>/dev/null | grep -q "inet $VIPA/"; }

lab_vipad_up() {
  lab_vipad_config
  ip netns exec "$NS_H" "$VIPAD" --config "$VIPA_CONF" --socket "$VIPA_SOCK" >>"$VIPAD_LOG" 2>&1 &
  VIPAD_PID=$!
  lab_wait 10 vipa_present && lab_alive "$VIPAD_PID"
}

# ---------------------------------------------------------------- what the network knows

# learned NODE: NODE has a route to the VIPA from OSPF (FRR installs proto ospf, BIRD proto
# bird): 10.68.6.1/32 with --announce table, vi0's 10.68.6.0/24 with --announce interface.
learned() {
  local proto=ospf
  [ "$LAB_DAEMON" = bird ] && proto=bird
  ip -n "$(ns_of "$1")" route show match $VIPA proto $proto 2>/dev/null | grep -q .
}
routers_learned() { learned r1 && learned r5 && learned c; }

# The network's normal state: c reaches the VIPA through r1, the host reaches c through r1
# with the VIPA as source, and every BFD session is up (so the next failure is seen by BFD).
c_via_r1() { ip -n "$NS_C" route get $VIPA 2>/dev/null | grep -q "via 10.68.11.1 "; }
c_via_r5() { ip -n "$NS_C" route get $VIPA 2>/dev/null | grep -q "via 10.68.15.1 "; }
h_via_en1() {
  ip -n "$NS_H" route get $REMOTE 2>/dev/null | grep -Eq "via 10.68.1.2 dev en1 .*src $VIPA "
}
h_via_en5() {
  ip -n "$NS_H" route get $REMOTE 2>/dev/null | grep -Eq "via 10.68.5.2 dev en5 .*src $VIPA "
}
bfd_up_count() {
  if [ "$LAB_DAEMON" = bird ]; then
    lab_birdc "$1" show bfd sessions 2>/dev/null | grep -c " Up "
  else
    lab_vtysh "$1" -c "show bfd peers brief" 2>/dev/null | grep -c " up "
  fi
}
all_bfd_up() {
  local n
  for n in "${LAB_NODES[@]}"; do [ "$(bfd_up_count $n)" -ge 2 ] || return 1; done
}
lab_normal() { c_via_r1 && h_via_en1 && all_bfd_up; }

# lab_up: the whole lab: topology, routers, vipad, the host's routing daemon; waits until the
# routers learned the VIPA and the network is in its normal state.
lab_up() {
  lab_require || return 1
  lab_topology_up || { echo "lab: topology failed" >&2; return 1; }
  lab_routers_up || { echo "lab: routers failed" >&2; return 1; }
  lab_vipad_up || { echo "lab: vipad did not start (see $VIPAD_LOG)" >&2; return 1; }
  lab_host_routing_up || { echo "lab: the host's $LAB_DAEMON failed" >&2; return 1; }
  lab_wait 90 routers_learned || { echo "lab: the routers did not learn the VIPA" >&2; return 1; }
  lab_wait 60 lab_normal || { echo "lab: the network did not settle" >&2; return 1; }
}

# ---------------------------------------------------------------- failures

# lab_fail / lab_restore link|uplink|silent. LAB_FAIL_T = when the failure was made (epoch s).
lab_fail() {
  LAB_FAIL_T=$EPOCHREALTIME
  case $1 in
  link) ip -n "$NS_R1" link set r1h down ;;   # en1 loses carrier
  uplink) ip -n "$NS_R1" link set r1c down ;; # r1 is cut off; en1 keeps carrier
  silent) ip -n "$NS_BR" link set b1 nomaster ;; # nothing changes carrier anywhere
  esac
}
lab_restore() {
  case $1 in
  link) ip -n "$NS_R1" link set r1h up ;;
  uplink) ip -n "$NS_R1" link set r1c up ;;
  silent) ip -n "$NS_BR" link set b1 master br0 ;;
  esac
}
en1_no_carrier() { ip -n "$NS_H" link show en1 | grep -q NO-CARRIER; }

# ---------------------------------------------------------------- the telnet session

# lab_session_start NAME: a telnet server on the VIPA (inetutils telnetd, inetd-style under
# socat, running lab/session.sh instead of login), the real telnet client in c bound to the
# remote system's address, fed a line every 10 ms; every line echoed back is time-stamped.
# A packet capture on en1 and en5 records where the session's packets go.
lab_session_start() {
  SESSION=$LAB_DIR/session.$1
  mkdir -p "$SESSION"
  if [ -z "${TELNETD_PID:-}" ] || ! lab_alive "$TELNETD_PID"; then
    lab_bg ip netns exec "$NS_H" socat \
      TCP-LISTEN:$TELNET_PORT,bind=$VIPA,reuseaddr,fork \
      EXEC:"/usr/sbin/telnetd -h -E $LAB_SRC/session.sh",nofork 2>>"$LAB_DIR/telnetd.log"
    TELNETD_PID=$LAB_LAST
    lab_wait 30 telnetd_listening || return 1
  fi
  lab_bg ip netns exec "$NS_H" python3 "$LAB_SRC/sniff.py" "$SESSION/packets" $TELNET_PORT en1 en5
  SNIFF_PID=$LAB_LAST
  # Generous: python and the capture start slowly on a loaded machine; a pass returns at once.
  lab_wait 30 test -s "$SESSION/packets" || return 1
  lab_bg session_client
  SESSION_PID=$LAB_LAST
  # The network path alone, without TCP's retransmission timer (200 ms at least): a ping every
  # 10 ms from the remote system, time-stamped on receipt.
  lab_bg ip netns exec "$NS_C" stdbuf -oL ping -D -n -i 0.01 -I $REMOTE $VIPA \
    >"$SESSION/ping" 2>&1
  PING_PID=$LAB_LAST
  lab_wait 30 session_lines_at_least 5
}
telnetd_listening() { ip netns exec "$NS_H" ss -Hltn "sport = :$TELNET_PORT" | grep -q LISTEN; }
session_client() {
  python3 "$LAB_SRC/stream.py" gen "$SESSION/stop" "$SESSION/sent" |
    ip netns exec "$NS_C" telnet -b $REMOTE $VIPA $TELNET_PORT 2>"$SESSION/telnet.err" |
    python3 "$LAB_SRC/stream.py" stamp >"$SESSION/received"
}
session_lines() { grep -c ' L[0-9]' "$SESSION/received" 2>/dev/null || echo 0; }
session_lines_at_least() { [ "$(session_lines)" -ge "$1" ]; }
# session_flowing [SECONDS]: 20 more lines come back within SECONDS (default 5).
session_flowing() {
  local want=$(($(session_lines) + 20))
  lab_wait "${1:-5}" session_lines_at_least $want
}
# lab_session_stop: the client sends its last line, waits for the echoes, and closes.
lab_session_stop() {
  touch "$SESSION/stop"
  lab_wait 20 lab_gone "$SESSION_PID"
  wait "$SESSION_PID" 2>/dev/null
  lab_kill "$PING_PID"
  lab_kill "$SNIFF_PID"
}
# Reports from the captures (lab/analyze.py): outage around LAB_FAIL_T, where the packets went,
# whether the session came through whole.
session_outage_ms() { python3 "$LAB_SRC/analyze.py" gap "$SESSION/received" "$LAB_FAIL_T"; }
ping_outage_ms() { python3 "$LAB_SRC/analyze.py" gap "$SESSION/ping" "$LAB_FAIL_T"; }
session_where() {
  python3 "$LAB_SRC/analyze.py" where "$SESSION/packets" "$LAB_FAIL_T" "${1:-2}"
}
# session_where_recent SECONDS: the same counts for the last SECONDS ("after:" part).
session_where_recent() {
  local t
  t=$(awk -v now="$EPOCHREALTIME" -v s="$1" 'BEGIN { printf "%.6f", now - s }')
  python3 "$LAB_SRC/analyze.py" where "$SESSION/packets" "$t" "$1"
}
session_intact() { python3 "$LAB_SRC/analyze.py" intact "$SESSION/received" "$SESSION/sent"; }
session_resets() { python3 "$LAB_SRC/analyze.py" resets "$SESSION/packets"; }
