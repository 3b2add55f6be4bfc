# shellcheck shell=bash
# Shared by the integration tests: sourced as `source lib.sh "$@"` by each test_*.sh, which
# CMake runs as `bash test_X.sh /path/to/vipad /path/to/vipactl` (as root).
#
# It builds the sample topology (IBM AIX: Sample VIPA environment) in network namespaces
# named after this shell's PID, so tests can run in parallel and never touch the machine's own
# namespace:
#
#        10.68.1.0/24                 10.68.11.0/24
#   h:en1 ------------ r1:r1h  r1:r1c ------------ c:c1
#   h:vi0 10.68.6.1                                   c:lo 10.68.200.1/32
#   h:en5 ------------ r5:r5h  r5:r5c ------------ c:c5
#        10.68.5.0/24                 10.68.15.0/24
#
# IPv6 mirrors it: 2001:db8:N::/64 for each link above, VIPA6 2001:db8:6::1, c 2001:db8:200::1.
# c reaches the VIPA through r1 (metric 10) and r5 (metric 20); the routers forward both
# families. The host starts with rp_filter strict (as on RHEL) and no default route: the
# defaults are vipad's own routes in IBM's sample config.
#
# Everything started here is recorded by PID and killed by PID; the EXIT trap removes the
# namespaces and the temp dir even when a test fails or is interrupted.

set -u

VIPAD=${1:-}
VIPACTL=${2:-}

T=vt$$
NS_H=$T-h
NS_R1=$T-r1
NS_R5=$T-r5
NS_C=$T-c
ALL_NS=("$NS_H" "$NS_R1" "$NS_R5" "$NS_C")

VIPA4=10.68.6.1
VIPA6=2001:db8:6::1
REMOTE4=10.68.200.1
REMOTE6=2001:db8:200::1

TMP=$(mktemp -d /tmp/vipa-itest.XXXXXX)
CONF=$TMP/vipa.conf
SOCK=$TMP/run/vipad.sock
LOG=$TMP/vipad.log
mkdir -p "$TMP/run"

PASS=0
FAIL=0
FAILED=()
BG_PIDS=()
VIPAD_PID=
VIPAD_RC=
VIPAD_STARTS=0
WAITED_MS=0

inh() { ip netns exec "$NS_H" "$@"; }
inr1() { ip netns exec "$NS_R1" "$@"; }
inr5() { ip netns exec "$NS_R5" "$@"; }
inc() { ip netns exec "$NS_C" "$@"; }
iph() { ip -n "$NS_H" "$@"; }
ipr1() { ip -n "$NS_R1" "$@"; }
ipr5() { ip -n "$NS_R5" "$@"; }
ipc() { ip -n "$NS_C" "$@"; }

# ---------------------------------------------------------------- results

pass() {
  PASS=$((PASS + 1))
  echo "PASS $*"
}
fail() {
  FAIL=$((FAIL + 1))
  FAILED+=("$1")
  echo "FAIL $*"
}
note() { echo "     $*"; }

# check NAME CMD...: CMD (a command or a shell function) must succeed now. It runs in this
# shell, not a subshell, so it may set variables and start background processes.
check() {
  local name=$1
  shift
  if "$@" >"$TMP/check.out" 2>&1; then
    pass "$name"
  else
    fail "$name"
    show_output "$TMP/check.out"
  fi
  return 0
}
show_output() { [ -s "$1" ] && head -n 15 "$1" | sed 's/^/     | /'; }

# check_not NAME CMD...: CMD must fail now.
check_not() {
  local name=$1
  shift
  if "$@" >/dev/null 2>&1; then fail "$name"; else pass "$name"; fi
  return 0
}

now_ms() {
  local t=${EPOCHREALTIME//[.,]/}
  echo $((10#$t / 1000))
}

# to_ms SECONDS: "1.5" -> 1500.
to_ms() {
  local int=${1%.*} frac=
  [[ $1 == *.* ]] && frac=${1#*.}
  frac=${frac}000
  echo $((10#${int:-0} * 1000 + 10#${frac:0:3}))
}

# wait_for SECONDS CMD...: poll CMD every 10 ms until it succeeds or the deadline passes.
# Sets WAITED_MS to the time it took. Every deadline is stretched by VIPA_WAIT_SCALE (default
# 2): a deadline is how long to wait for an event before calling it lost, never a latency
# limit, and a loaded machine or a sanitizer build must not turn a slow event into a failure.
# Success returns at once, so only a failing check pays for the margin.
VIPA_WAIT_SCALE=${VIPA_WAIT_SCALE:-2}
wait_for() {
  local start end
  start=$(now_ms)
  end=$((start + $(to_ms "$1") * VIPA_WAIT_SCALE))
  shift
  while :; do
    if "$@" >/dev/null 2>&1; then
      WAITED_MS=$(($(now_ms) - start))
      return 0
    fi
    if [ "$(now_ms)" -ge "$end" ]; then
      WAITED_MS=$(($(now_ms) - start))
      return 1
    fi
    sleep 0.01
  done
}

# check_within NAME SECONDS CMD...: CMD must become true before the deadline. SECONDS is what
# is expected; the deadline is at least VIPA_WAIT_FLOOR (20) seconds all the same, because a
# correctness check must not fail on a loaded machine or under ASan for being late (how long it
# took is printed; latency is measured in bench/). A check that passes returns as soon as CMD
# holds, so the floor costs nothing then.
check_within() {
  local name=$1 secs=$2
  shift 2
  [ "$(to_ms "$secs")" -lt "$(to_ms "${VIPA_WAIT_FLOOR:-20}")" ] && secs=${VIPA_WAIT_FLOOR:-20}
  if wait_for "$secs" "$@"; then
    pass "$name (${WAITED_MS} ms)"
  else
    fail "$name (not within ${secs} s x ${VIPA_WAIT_SCALE})"
    "$@" >"$TMP/check.out" 2>&1
    show_output "$TMP/check.out"
  fi
  return 0
}

# check_stays NAME SECONDS CMD...: CMD must stay true for the whole window (a negative
# property cannot be awaited; keep windows short).
check_stays() {
  local name=$1 secs=$2
  shift 2
  local end=$(($(now_ms) + $(to_ms "$secs")))
  while [ "$(now_ms)" -lt "$end" ]; do
    if ! "$@" >/dev/null 2>&1; then
      fail "$name"
      return 0
    fi
    sleep 0.02
  done
  pass "$name"
}

# diagnostics: on failure, what the lead needs to see (before the namespaces go away).
diagnostics() {
  if [ "$FAIL" -gt 0 ]; then
    if [ -s "$LOG" ]; then
      echo "----- vipad log (last 40 lines) -----"
      tail -n 40 "$LOG"
      echo "----- host routes -----"
      iph -4 route show table all 2>/dev/null | grep -v "table local" | head -n 30
      iph -6 route show 2>/dev/null | head -n 20
      echo "-----"
    fi
  fi
}

summary() {
  [ "$FAIL" -gt 0 ] && echo "failed: ${FAILED[*]}"
  echo "$PASS passed, $FAIL failed"
}

# vipad_health: every test, whatever it checks, fails if a vipad it started died on its own
# (VIPAD_UNEXPECTED, filled by start_vipad and here), exited non-zero when finish stopped it,
# or left a sanitizer report or an uncaught exception in its log. Tests that stop vipad with a
# signal themselves judge that exit; tests that expect a death on their own clear VIPAD_PID.
VIPAD_UNEXPECTED=()
SANITIZER_RE='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|terminate called|stack-overflow'
note_unexpected_exit() {
  [ -n "$VIPAD_PID" ] || return 0
  proc_alive "$VIPAD_PID" && return 0
  wait "$VIPAD_PID" 2>/dev/null
  VIPAD_UNEXPECTED+=("vipad $VIPAD_PID exited on its own with status $?")
  VIPAD_PID=
}
vipad_health() {
  note_unexpected_exit
  if [ -n "$VIPAD_PID" ]; then
    if stop_vipad TERM; then
      [ "$VIPAD_RC" = 0 ] || VIPAD_UNEXPECTED+=("vipad exited with status $VIPAD_RC on SIGTERM")
    else
      VIPAD_UNEXPECTED+=("vipad did not stop within 5 s of SIGTERM")
    fi
  fi
  local u
  for u in "${VIPAD_UNEXPECTED[@]}"; do fail "vipad-health: $u"; done
  if [ -s "$LOG" ] && grep -Eq "$SANITIZER_RE" "$LOG"; then
    fail "vipad-health: sanitizer report or abort in vipad's log"
    grep -E -m 5 -A 3 "$SANITIZER_RE" "$LOG" | sed 's/^/     | /'
  fi
  return 0
}

# finish: tear everything down, print the summary line last, exit non-zero on any failure.
finish() {
  vipad_health
  diagnostics
  cleanup
  summary
  [ "$FAIL" -eq 0 ] && exit 0
  exit 1
}

# ---------------------------------------------------------------- processes

proc_alive() {
  local pid=$1 state
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] && [ -n "$state" ]
}

pid_gone() { ! proc_alive "$1"; }

# bg CMD...: start CMD in the background and record its PID for the trap.
bg() {
  "$@" &
  BG_PIDS+=($!)
  BG_LAST=$!
}

# kill_pid PID: TERM, then KILL if it lingers; reaps it when it is our child.
kill_pid() {
  local pid=$1
  proc_alive "$pid" || {
    wait "$pid" 2>/dev/null
    return 0
  }
  kill -TERM "$pid" 2>/dev/null
  wait_for 3 pid_gone "$pid" || kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

cleanup() {
  trap - EXIT INT TERM
  {
    [ -n "$VIPAD_PID" ] && kill_pid "$VIPAD_PID"
    VIPAD_PID=
    local pid
    for pid in "${BG_PIDS[@]}"; do kill_pid "$pid"; done
    BG_PIDS=()
    topo_down
  } >/dev/null 2>&1
  if [ -n "${KEEP_TMP:-}" ]; then
    echo "kept $TMP"
  else
    rm -rf "$TMP"
  fi
}

trap 'cleanup' EXIT
trap 'echo "interrupted"; cleanup; exit 130' INT TERM

# ---------------------------------------------------------------- topology

topo_down() {
  local ns pid
  for ns in "${ALL_NS[@]}"; do
    # Safety net: these namespaces carry our PID in their name, so anything still inside
    # them was started by this test (a socat whose parent we already killed).
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  return 0
}

# topo_up: the sample network. Fails loudly (and the test stops) if any step fails.
topo_up() {
  topo_down
  local ns
  for ns in "${ALL_NS[@]}"; do
    ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up
    # Kept IPv6 addresses across down/up, as NetworkManager/networkd would re-add them; without
    # this the kernel drops static IPv6 addresses on admin-down and the flap tests test nothing.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.keep_addr_on_down=1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.keep_addr_on_down=1
  done
  local r
  for ns in "$NS_R1" "$NS_R5" "$NS_C"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0
    # c receives replies on c1 to requests it sent on c5 (asymmetric paths are the point).
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0
    ip netns exec "$ns" sysctl -qw net.ipv4.conf.default.rp_filter=0
  done
  ip link add en1 netns "$NS_H" type veth peer name r1h netns "$NS_R1" || return 1
  ip link add en5 netns "$NS_H" type veth peer name r5h netns "$NS_R5" || return 1
  ip link add c1 netns "$NS_C" type veth peer name r1c netns "$NS_R1" || return 1
  ip link add c5 netns "$NS_C" type veth peer name r5c netns "$NS_R5" || return 1

  iph addr add 10.68.1.1/24 dev en1
  iph addr add 10.68.5.1/24 dev en5
  iph addr add 2001:db8:1::1/64 dev en1 nodad
  iph addr add 2001:db8:5::1/64 dev en5 nodad
  ipr1 addr add 10.68.1.2/24 dev r1h
  ipr1 addr add 10.68.11.1/24 dev r1c
  ipr1 addr add 2001:db8:1::2/64 dev r1h nodad
  ipr1 addr add 2001:db8:11::1/64 dev r1c nodad
  ipr5 addr add 10.68.5.2/24 dev r5h
  ipr5 addr add 10.68.15.1/24 dev r5c
  ipr5 addr add 2001:db8:5::2/64 dev r5h nodad
  ipr5 addr add 2001:db8:15::1/64 dev r5c nodad
  ipc addr add 10.68.11.2/24 dev c1
  ipc addr add 10.68.15.2/24 dev c5
  ipc addr add 2001:db8:11::2/64 dev c1 nodad
  ipc addr add 2001:db8:15::2/64 dev c5 nodad
  ipc addr add $REMOTE4/32 dev lo
  ipc addr add $REMOTE6/128 dev lo nodad
  iph link set en1 up
  iph link set en5 up
  for r in r1h r1c; do ipr1 link set $r up; done
  for r in r5h r5c; do ipr5 link set $r up; done
  ipc link set c1 up
  ipc link set c5 up

  for ns in "$NS_R1" "$NS_R5"; do
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.forwarding=1
  done
  router_routes r1 || return 1
  router_routes r5 || return 1
  remote_route_add r1
  remote_route_add r5

  # The first IPv6 packets after the links come up can be lost; settle before any test.
  local dst
  for r in inr1 inr5; do
    for dst in $REMOTE4 $REMOTE6; do wait_for 20 $r ping -c1 -W1 $dst || return 1; done
  done

  # The host's link-local addresses finish DAD a moment later, with address and route events
  # that would pollute the tests that count vipad's changes.
  wait_for 20 no_tentative || return 1

  # A strict rp_filter before vipad starts, as on RHEL: vipad must loosen it on en1/en5.
  for ns in all en1 en5; do inh sysctl -qw net.ipv4.conf.$ns.rp_filter=1; done
  return 0
}

# router_routes r1|r5: the router's routes to the VIPA (via the host) and to c. `replace`, so
# it also serves to restore them after the router's link went down and the kernel dropped them.
router_routes() {
  local n=${1#r} ns
  ns=$([ "$1" = r1 ] && echo "$NS_R1" || echo "$NS_R5")
  ip -n "$ns" route replace $VIPA4/32 via 10.68.$n.1 &&
    ip -n "$ns" route replace $REMOTE4/32 via 10.68.1$n.2 &&
    ip -n "$ns" -6 route replace $VIPA6/128 via 2001:db8:$n::1 &&
    ip -n "$ns" -6 route replace $REMOTE6/128 via 2001:db8:1$n::2
}

# remote_route_add/del r1|r5: c's path to the VIPA through that router (r1 metric 10, r5 20).
remote_route_add() {
  local n=${1#r} m
  m=$([ "$1" = r1 ] && echo 10 || echo 20)
  ipc route replace $VIPA4/32 via 10.68.1$n.1 metric $m
  ipc -6 route replace $VIPA6/128 via 2001:db8:1$n::1 metric $m
}
remote_route_del() {
  local n=${1#r} m
  m=$([ "$1" = r1 ] && echo 10 || echo 20)
  ipc route del $VIPA4/32 via 10.68.1$n.1 metric $m 2>/dev/null
  ipc -6 route del $VIPA6/128 via 2001:db8:1$n::1 metric $m 2>/dev/null
  return 0
}

# ---------------------------------------------------------------- config

# sample_config [FILE]: the sample's VIPA and its two default routes, IPv4 and IPv6.
# Knobs: CFG_IFNAMES (TOML value), CFG_STATE, CFG_V6=0 to leave IPv6 out, CFG_VI0_EXTRA (lines
# inside [vipa.vi0]), CFG_EXTRA (lines at the end).
# The Release .deb of this source tree (packaging/build-deb.sh), built once per source state and
# kept in the build directory: test_package and test_real_boot install the same package, and the
# second finds the first's (a package build is the slowest step of either). Prints its path.
# VIPA_DEB=path.deb uses a built package instead.
built_deb() {
  if [ -n "${VIPA_DEB:-}" ]; then
    [ -f "$VIPA_DEB" ] && echo "$VIPA_DEB"
    return
  fi
  local src build cache key deb
  src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  build=$(cd "$(dirname "${VIPAD:-.}")" && pwd)
  cache=$build/deb-cache
  key=$( (git -C "$src" rev-parse HEAD && git -C "$src" diff HEAD) 2>/dev/null | sha256sum | cut -c1-16)
  deb=$(ls "$cache/$key"/vipa_*.deb 2>/dev/null | head -n 1)
  if [ -z "$deb" ]; then
    mkdir -p "$cache" && rm -rf "${cache:?}"/*
    deb=$("$src/packaging/build-deb.sh" -o "$cache/$key.part" -j 2 | tail -n 1) || return 1
    mv "$cache/$key.part" "$cache/$key" || return 1
    deb=$cache/$key/$(basename "$deb")
  fi
  [ -f "$deb" ] && echo "$deb"
}

sample_config() {
  local f=${1:-$CONF}
  {
    echo '# The sample: VIPA vi0 used by en1 and en5, default routes via both routers.'
    echo '[vipa.vi0]'
    echo "netaddr = \"$VIPA4\""
    echo 'netmask = "255.255.255.0"'
    echo "interface_names = ${CFG_IFNAMES:-[\"en1\", \"en5\"]}"
    echo "state = \"${CFG_STATE:-up}\""
    if [ "${CFG_V6:-1}" = 1 ]; then
      echo "netaddr6 = \"$VIPA6\""
      echo 'prefixlen = 64'
    fi
    [ -n "${CFG_VI0_EXTRA:-}" ] && echo "$CFG_VI0_EXTRA"
    echo
    echo '[[route]]'
    echo 'destination = "default"'
    echo 'gateway = "10.68.1.2"'
    echo 'metric = 10'
    echo
    echo '[[route]]'
    echo 'destination = "default"'
    echo 'gateway = "10.68.5.2"'
    echo 'metric = 20'
    if [ "${CFG_V6:-1}" = 1 ]; then
      echo
      echo '[[route]]'
      echo 'destination = "::/0"'
      echo 'gateway = "2001:db8:1::2"'
      echo 'metric = 10'
      echo
      echo '[[route]]'
      echo 'destination = "::/0"'
      echo 'gateway = "2001:db8:5::2"'
      echo 'metric = 20'
    fi
    [ -n "${CFG_EXTRA:-}" ] && printf '\n%s\n' "$CFG_EXTRA"
  } >"$f"
}

# ---------------------------------------------------------------- vipad

vipa_addr_present() { iph -4 addr show dev vi0 2>/dev/null | grep -q "inet $VIPA4/"; }

# start_vipad [ARGS...]: vipad in the host namespace with $CONF, in the background; waits up
# to 30 s (a loaded machine, ASan) for vi0 to hold the VIPA. Returns 1 if it does not (or vipad
# died).
start_vipad() {
  note_unexpected_exit
  VIPAD_STARTS=$((VIPAD_STARTS + 1))
  echo "===== start $VIPAD_STARTS: $* =====" >>"$LOG"
  # `ip netns exec` execs the command, so $! is vipad itself.
  ip netns exec "$NS_H" "$VIPAD" --config "$CONF" --socket "$SOCK" "$@" >>"$LOG" 2>&1 &
  VIPAD_PID=$!
  VIPAD_RC=
  wait_for 30 vipad_ready_or_dead
  # vi0 may have outlived a previous vipad: also wait for this one's control socket.
  wait_for 30 vipad_socket_or_dead
  proc_alive "$VIPAD_PID" && vipa_addr_present
}
vipad_socket_or_dead() { [ -S "$SOCK" ] || ! proc_alive "$VIPAD_PID"; }
vipad_ready_or_dead() { vipa_addr_present || ! proc_alive "$VIPAD_PID"; }

# stop_vipad [SIGNAL]: signal vipad (default TERM), wait up to 20 s, reap; VIPAD_RC = its exit
# status (128+N for a signal). Returns 1 if it did not exit in time (then it is killed).
stop_vipad() {
  local sig=${1:-TERM} pid=$VIPAD_PID
  [ -n "$pid" ] || return 1
  kill -"$sig" "$pid" 2>/dev/null
  if ! wait_for 20 pid_gone "$pid"; then
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    VIPAD_PID=
    return 1
  fi
  wait "$pid" 2>/dev/null
  VIPAD_RC=$?
  VIPAD_PID=
  return 0
}
vipad_alive() { proc_alive "$VIPAD_PID"; }

# run_vipad ARGS...: vipad in the foreground in the host namespace (for --check, --cleanup and
# bad configs); its stderr goes to $TMP/run.err, and its exit status is returned.
run_vipad() {
  local rc
  timeout 20 ip netns exec "$NS_H" "$VIPAD" "$@" >"$TMP/run.out" 2>"$TMP/run.err"
  rc=$?
  # Into the log as well, so vipad_health sees a sanitizer report from a foreground run.
  { echo "===== run: $* (exit $rc) ====="; cat "$TMP/run.err"; } >>"$LOG"
  return $rc
}

# ---------------------------------------------------------------- kernel predicates

# route_get_has DST REGEX: `ip route get DST` in the host matches REGEX (ERE).
route_get_has() { iph route get "$1" 2>&1 | grep -Eq -- "$2"; }
# src_is DST SRC: the host would send to DST from SRC.
src_is() { iph route get "$1" 2>&1 | grep -Eq -- " src ${2//./\\.}( |$)"; }
# route_show_has REGEX SELECTOR...: some line of `ip route show SELECTOR` matches REGEX.
route_show_has() {
  local re=$1
  shift
  iph route show "$@" 2>&1 | grep -Eq -- "$re"
}
route6_show_has() {
  local re=$1
  shift
  iph -6 route show "$@" 2>&1 | grep -Eq -- "$re"
}
# owned_default GW DEV METRIC: vipad's default route via GW is installed with the VIPA source.
owned_default() {
  local gw=$1 dev=$2 metric=$3 src=$VIPA4 fam=-4
  [[ $gw == *:* ]] && src=$VIPA6 fam=-6
  iph $fam route show default 2>&1 | grep -Eq -- "via $gw dev $dev .*src $src metric $metric( |$)"
}
# connected_src DEV PREFIX SRC: the kernel's connected route carries SRC.
connected_src() {
  local fam=-4
  [[ $2 == *:* ]] && fam=-6
  iph $fam route show "$2" dev "$1" 2>&1 | grep -Eq -- " src $3( |$)"
}
sysctl_is() { [ "$(inh cat "/proc/sys/net/$1" 2>/dev/null)" = "$2" ]; }
link_is_up() { iph link show "$1" 2>/dev/null | grep -q '[<,]UP[,>]'; }
link_exists() { iph link show "$1" >/dev/null 2>&1; }

# sample_converged: the whole sample state is in the kernel (both families).
sample_converged() {
  vipa_addr_present &&
    owned_default 10.68.1.2 en1 10 && owned_default 10.68.5.2 en5 20 &&
    connected_src en1 10.68.1.0/24 $VIPA4 && connected_src en5 10.68.5.0/24 $VIPA4 &&
    src_is $REMOTE4 $VIPA4 &&
    { [ "${CFG_V6:-1}" != 1 ] || {
      owned_default 2001:db8:1::2 en1 10 && owned_default 2001:db8:5::2 en5 20 &&
        src_is $REMOTE6 $VIPA6
    }; }
}

no_tentative() { [ -z "$(iph -6 addr show tentative)" ]; }

# kernel_snapshot FILE: what a "touch nothing" check compares.
kernel_snapshot() {
  {
    iph -o link show | sed 's/^[0-9]*: //; s/ qlen [0-9]*//'
    iph -o addr show | sed 's/^[0-9]*: //; s/valid_lft.*//'
    iph route show table all
    iph -6 route show table all
    local f
    for f in all/rp_filter en1/rp_filter en5/rp_filter en1/arp_ignore en5/arp_ignore \
      en1/arp_announce en5/arp_announce; do
      echo "$f=$(inh cat /proc/sys/net/ipv4/conf/$f)"
    done
  } >"$1" 2>/dev/null # ip's "Peer netns reference is invalid" when other tests' namespaces go
}

# ping_from NS DST [ARGS]: one echo from namespace NS answered within a second.
ping_from() {
  local ns=$1 dst=$2
  shift 2
  ip netns exec "$ns" ping -c1 -W1 "$@" "$dst"
}

# ---------------------------------------------------------------- ip monitor

# monitor_start: `ip monitor route address link` in the host; returns once it is listening
# (proved by a marker change it must report). MON_FILE holds its output.
# monitor_subscribed FILE: a `vipactl monitor` writing to FILE has subscribed. vipactl prints
# nothing until an event, so ask for a harmless one (a reload of the unchanged configuration)
# until it arrives: waiting for the event, not for the clock.
monitor_subscribed() {
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    "$VIPACTL" --socket "$SOCK" reload >/dev/null 2>&1
    wait_for 1 grep -q 'reload' "$1" && return 0
  done
  return 1
}
monitor_start() {
  wait_for 5 no_tentative
  MON_FILE=$TMP/monitor.$VIPAD_STARTS.$RANDOM
  # stderr apart: ip prints "Peer netns reference is invalid" when another test's namespace
  # disappears while it maps netns ids; that is not a change in ours.
  bg ip netns exec "$NS_H" ip -o monitor route address link >"$MON_FILE" 2>"$MON_FILE.err"
  MON_PID=$BG_LAST
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    iph addr add 127.0.0.99/32 dev lo 2>/dev/null
    iph addr del 127.0.0.99/32 dev lo 2>/dev/null
    wait_for 3 grep -q 'Deleted.*127\.0\.0\.99' "$MON_FILE" && return 0
  done
  return 1
}
# monitor_stop: stops it; MON_LINES = how many lines it reported besides the marker and
# lines matching MON_IGNORE_RE (a test's own deliberate changes); MON_OTHER = those lines.
monitor_stop() {
  kill_pid "$MON_PID"
  MON_OTHER=$(grep -v -e '127\.0\.0\.99' -e '^$' "$MON_FILE" |
    grep -Ev -- "${MON_IGNORE_RE:-^\$}")
  MON_LINES=0
  [ -n "$MON_OTHER" ] && MON_LINES=$(printf '%s\n' "$MON_OTHER" | wc -l)
  return 0
}
# monitor_quiet: the check that nothing else changed (prints the changes when there were some).
monitor_quiet() {
  [ "$MON_LINES" -eq 0 ] && return 0
  echo "$MON_LINES changes:"
  printf '%s\n' "$MON_OTHER"
  return 1
}

# ---------------------------------------------------------------- a TCP stream to the VIPA

# stream_start PORT: an echo server on VIPA:PORT in the host, and a client in c (from
# 10.68.200.1) that sends "line N" every 20 ms until stream_stop, then at least 100 lines in all.
stream_start() {
  STREAM_PORT=$1
  STREAM_DIR=$TMP/stream.$1
  mkdir -p "$STREAM_DIR"
  bg ip netns exec "$NS_H" socat TCP-LISTEN:"$STREAM_PORT",bind=$VIPA4,reuseaddr EXEC:cat \
    >"$STREAM_DIR/server.log" 2>&1
  STREAM_SRV=$BG_LAST
  wait_for 20 bash -c "ip netns exec $NS_H ss -Hltn 'sport = :$STREAM_PORT' | grep -q LISTEN" ||
    return 1
  bg stream_client
  STREAM_CLI=$BG_LAST
  return 0
}
stream_generator() {
  local i=0
  while :; do
    i=$((i + 1))
    echo "line $i"
    { [ -e "$STREAM_DIR/stop" ] && [ $i -ge 100 ]; } || [ $i -ge 3000 ] && break
    sleep 0.02
  done
  echo $i >"$STREAM_DIR/sent"
}
# The client's exit status is socat's: a reset or a timeout makes it non-zero.
stream_client() {
  stream_generator |
    timeout 120 ip netns exec "$NS_C" socat -t 10 - TCP:$VIPA4:"$STREAM_PORT",bind=$REMOTE4 \
      >"$STREAM_DIR/out" 2>"$STREAM_DIR/err"
}
stream_lines() { wc -l <"$STREAM_DIR/out" 2>/dev/null || echo 0; }
stream_at_least() { [ "$(stream_lines)" -ge "$1" ]; }
# stream_grows N SECONDS: N more lines arrive back within SECONDS.
stream_grows() {
  local target=$(($(stream_lines) + $1)) secs=$2
  # At least 60 s: after an outage TCP resends only when its backed-off timer fires, seconds
  # later on a loaded machine; "carries on" is the property, how soon is not.
  [ "$secs" -ge 60 ] || secs=60
  wait_for "$secs" stream_at_least "$target"
}
# stream_stop: lets the client finish; STREAM_RC is its exit status.
stream_stop() {
  touch "$STREAM_DIR/stop"
  wait_for 60 pid_gone "$STREAM_CLI"
  wait "$STREAM_CLI" 2>/dev/null
  STREAM_RC=$?
  kill_pid "$STREAM_SRV"
}
# stream_intact: every line sent came back once, in order, and nothing else.
stream_intact() {
  local n
  n=$(cat "$STREAM_DIR/sent" 2>/dev/null) || {
    echo "generator did not finish"
    return 1
  }
  seq 1 "$n" | sed 's/^/line /' >"$STREAM_DIR/expected"
  if ! cmp -s "$STREAM_DIR/expected" "$STREAM_DIR/out"; then
    echo "sent $n lines, got $(stream_lines) back"
    diff "$STREAM_DIR/expected" "$STREAM_DIR/out" | head -n 5
    return 1
  fi
}
stream_no_reset() {
  [ "$STREAM_RC" = 0 ] || {
    echo "client exit $STREAM_RC: $(head -c 300 "$STREAM_DIR/err")"
    return 1
  }
}

# ---------------------------------------------------------------- prerequisites

require() {
  local missing=()
  [ "$(id -u)" = 0 ] || missing+=("root")
  [ -n "$VIPAD" ] && [ -x "$VIPAD" ] || missing+=("vipad binary (arg 1: '$VIPAD')")
  local t
  for t in ip socat ping ss timeout; do command -v $t >/dev/null || missing+=("$t"); done
  if [ ${#missing[@]} -gt 0 ]; then
    fail "prerequisites: missing ${missing[*]}"
    finish
  fi
}

# kernel_has_dummy: probed in our own namespace; the answer decides what vi0 must be.
kernel_has_dummy() {
  ip -n "$NS_H" link add vtprobe0 type dummy 2>/dev/null || return 1
  ip -n "$NS_H" link del vtprobe0
  return 0
}

require
