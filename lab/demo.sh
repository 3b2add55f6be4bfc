#!/usr/bin/env bash
# `make demo` (as root): IBM's sample (IBM AIX: Sample VIPA environment) end to end, in network
# namespaces that are deleted again at the end. vipad gives the host its VIPA vi0 10.68.6.1
# for en1 and en5; FRR announces it to the routers; a remote system telnets to it; then a
# cable, a router's uplink and a silent path fail in turn, and the session carries on through
# en5 each time. A timeline picture of the packets is written to lab/out/timeline.svg.
#
# Options (environment): LAB_DAEMON=bird (BIRD 2 instead of FRR), LAB_ANNOUNCE=table (OSPF
# external route from vipad's table instead of vi0 as a stub network), VIPAD/VIPACTL.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1

if [ "$(id -u)" != 0 ]; then
  echo "demo: run me as root (sudo make demo): I build network namespaces." >&2
  exit 1
fi

# ---------------------------------------------------------------- what the demo needs

need_pkgs=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "$1" ]; }
have ip || need_pkgs+=(iproute2)
have socat || need_pkgs+=(socat)
have telnet || need_pkgs+=(telnet)
have /usr/sbin/telnetd || need_pkgs+=(inetutils-telnetd)
have python3 || need_pkgs+=(python3)
have ping || need_pkgs+=(iputils-ping)
have ss || need_pkgs+=(iproute2)
if [ "${LAB_DAEMON:-frr}" = bird ]; then
  have bird || need_pkgs+=(bird2)
else
  have /usr/lib/frr/zebra || need_pkgs+=(frr)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "demo: installing ${need_pkgs[*]} (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      "${need_pkgs[@]}" || exit 1
fi
# The packages start their system-wide daemons; the lab runs its own copies in namespaces.
for svc in frr bird; do
  systemctl is-active --quiet "$svc" 2>/dev/null && systemctl stop "$svc"
done

export VIPAD=${VIPAD:-$ROOT/build/vipad} VIPACTL=${VIPACTL:-$ROOT/build/vipactl}
if [ ! -x "$VIPAD" ] || [ ! -x "$VIPACTL" ]; then
  echo "demo: building vipad and vipactl (cmake)"
  { cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
    cmake --build build -j"$(nproc)" --target vipad vipactl >/dev/null; } || exit 1
fi

# vi0 as a stub network of the area by default: FRR 8.4 recomputes external routes (the
# other way, LAB_ANNOUNCE=table) on a fixed one-second timer, which the failovers would show.
export LAB_ANNOUNCE=${LAB_ANNOUNCE:-interface}
source "$ROOT/lab/lab.sh"
OUT=$ROOT/lab/out
mkdir -p "$OUT"

B=$(tput bold 2>/dev/null || true)
N=$(tput sgr0 2>/dev/null || true)
START=$(lab_now_ms)
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
run() {
  printf '%s# %s%s\n' "$B" "$*" "$N"
  "$@"
}
die() {
  echo "demo: $*" >&2
  echo "demo: logs are in $LAB_DIR (kept)" >&2
  LAB_KEEP=1
  exit 1
}
elapsed() { echo "$((($(lab_now_ms) - START) / 1000)) s"; }

# ---------------------------------------------------------------- 1. the network

say "1. the sample network, in namespaces $LAB-*"
cat <<'EOF'
   host h: vi0 10.68.6.1 (vipad), en1 10.68.1.1/24, en5 10.68.5.1/24
   r1 (10.68.1.2) behind en1, r5 (10.68.5.2) behind en5: the corporate routers
   c: the corporate network with the remote system 10.68.200.1; r1's uplink to it runs
      through a bridge (namespace br), so it can fail silently
   routing daemon everywhere: OSPF, BFD 100 ms x 3; the path through r5 costs more
EOF
lab_require || exit 1
lab_topology_up || die "topology"
lab_routers_up || die "routers' $LAB_DAEMON"
echo "   routers up ($LAB_DAEMON)"

# ---------------------------------------------------------------- 2. vipad

say "2. vipad starts in the host with the sample configuration"
lab_vipad_config
sed 's/^/   /' "$VIPA_CONF"
lab_vipad_up || die "vipad did not start"
run vipactl ifconfig vi0
run vipactl lsattr -El vi0
run vipactl netstat -rn

# ---------------------------------------------------------------- 3. the routing daemon

say "3. The host's $LAB_DAEMON, configured with what 'vipactl export $LAB_DAEMON' prints"
lab_host_config || die "vipactl export"
grep -v '^[!#]' "$SNIPPET" | sed 's/^/   /'
lab_host_routing_up || die "the host's $LAB_DAEMON"
printf '   waiting for the routers to learn the VIPA...'
lab_wait 90 routers_learned || die "the routers did not learn the VIPA"
echo " learned after $((LAB_WAITED_MS / 1000)).$(((LAB_WAITED_MS % 1000) / 100)) s"
lab_wait 60 lab_normal || die "the network did not settle"
for n in r1 r5 c; do
  printf '   %-3s %s\n' "$n:" "$(ip -n "$(ns_of $n)" route show match $VIPA proto \
    "$([ "$LAB_DAEMON" = bird ] && echo bird || echo ospf)" | head -n1)"
done
echo "   the host's way to 10.68.200.1: $(ip -n "$NS_H" route get $REMOTE | head -n1)"

# ---------------------------------------------------------------- 4. telnet and failures

say "4. telnet from the remote system 10.68.200.1 to the VIPA, a line every 10 ms"
lab_session_start demo || die "the telnet session did not start"
EVENTS=$SESSION/events
: >"$EVENTS"
echo "   telnet 10.68.6.1: $(grep -c ' L[0-9]' "$SESSION/received") lines echoed so far;" \
  "last: $(tail -n1 "$SESSION/received" | cut -d' ' -f2-)"

describe() {
  case $1 in
  link) echo "r1's side of en1 goes down: en1 loses carrier" ;;
  uplink) echo "r1's uplink to the corporate network dies: en1 keeps carrier, r1 is cut off" ;;
  silent) echo "r1's uplink is cut in the middle (bridge port detached): no carrier changes" ;;
  esac
}
failures=0
for sc in link uplink silent; do
  say "failure: $sc: $(describe $sc)"
  lab_fail $sc
  sleep 2
  s_ms=$(session_outage_ms)
  p_ms=$(ping_outage_ms)
  echo "$sc $LAB_FAIL_T $s_ms $p_ms" >>"$EVENTS"
  if session_flowing 3; then
    alive="alive"
  else
    alive="NOT flowing"
    failures=$((failures + 1))
  fi
  echo "   telnet session: $alive; it stalled for $s_ms ms (TCP retransmits after 200 ms or more)"
  echo "   network path: ping every 10 ms lost $p_ms ms"
  echo "   session packets, 2 s before and after: $(session_where 2)"
  echo "   host -> c now: $(ip -n "$NS_H" route get $REMOTE | head -n1 | sed 's/ uid 0//')"
  echo "   c -> VIPA now: $(ip -n "$NS_C" route get $VIPA | head -n1 | sed 's/ uid 0//')"
  lab_restore $sc
  if lab_wait 40 lab_normal; then
    echo "   restored: traffic is back on en1 after $LAB_WAITED_MS ms"
  else
    echo "   restored, but the network did not settle back on en1"
    failures=$((failures + 1))
  fi
done

# ---------------------------------------------------------------- 5. the end

say "5. The session ends"
lab_session_stop
if msg=$(session_intact); then
  echo "   $msg"
else
  echo "   NOT intact: $msg"
  failures=$((failures + 1))
fi
echo "   TCP resets seen on the host: $(session_resets)"
grep -q "reset" "$SESSION/telnet.err" && failures=$((failures + 1))
python3 "$LAB_SRC/timeline.py" "$OUT/timeline.svg" "$SESSION/packets" "$SESSION/received" \
  "$EVENTS" &&
  echo "   timeline of the packets around each failure: $OUT/timeline.svg"
cp "$SESSION/events" "$OUT/events.txt" 2>/dev/null
run vipactl status
say "done in $(elapsed); tearing the lab down"
exit $((failures > 0))
