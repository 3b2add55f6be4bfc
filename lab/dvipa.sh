#!/usr/bin/env bash
# `make dvipa-lab` (as root): the Dynamic VIPA lab, live. Three hosts h1, h2, h3 (ranks 200,
# 100, 50) each run vipad, FRR and a small server on the DVIPA 10.68.9.1 that answers with the
# host's name; two FRR routers and a client network (tests/integration/lib_dvipa.sh draws it).
# A client opens a connection every 10 ms while the owner loses its links, freezes, fails its
# health check and comes back; `vipactl dvipa` on every host and the routers' routes are shown
# at each step. Everything lives in namespaces dyn<PID>-* and goes away at the end.
#
# Options (environment): DYN_MODE=ospf|bgp (default ospf), DYN_TAKEBACK=immediate|whenidle|
# manual, DYN_HAND=1 (no vipad: FRR announces by hand-made metrics), DYN_HOLD=1 (keep the lab
# up at the end until Ctrl-C, to explore it), VIPAD/VIPACTL.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
if [ "$(id -u)" != 0 ]; then
  echo "dvipa-lab: run me as root: I build network namespaces." >&2
  exit 1
fi
export VIPAD=${VIPAD:-$ROOT/build/vipad} VIPACTL=${VIPACTL:-$ROOT/build/vipactl}
DYN_HEALTH=1
DYN_DVIPA_EXTRA=${DYN_DVIPA_EXTRA:-hold_down_ms = 2000}
source "$ROOT/tests/integration/lib_dvipa.sh"
dyn_traps

B=$(tput bold 2>/dev/null || true)
N=$(tput sgr0 2>/dev/null || true)
say() { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }
die() {
  echo "dvipa-lab: $*" >&2
  DYN_KEEP=1
  exit 1
}
show() {
  local h r
  for r in r1 r2; do echo "  $r sends $DVIPA to: $(dyn_choice $r)"; done
  if [ "${DYN_HAND:-0}" != 1 ]; then
    for h in "${DYN_HOSTS[@]}"; do
      dvctl "$h" dvipa web 2>&1 | head -n 1 | sed "s/^/  $h: /"
    done
  fi
  echo "  the client's last answer: $(dyn_probe last)"
}
# step TITLE WHO SECS CMD...: do CMD, wait until the client is answered by WHO.
step() {
  local title=$1 who=$2 secs=$3 t
  shift 3
  say "$title"
  t=$EPOCHREALTIME
  "$@"
  if dyn_wait "$secs" dyn_probe_reaches "$who"; then
    echo "  new connections reach $who: first one $(dyn_probe first "$t" "$who") ms after," \
      "$(dyn_probe fails "$t" 2>/dev/null) failed connections"
  else
    echo "  !! the client did not reach $who within $secs s"
  fi
  show
}
sick() { touch "$DYN_DIR/$1/sick"; }
well() { rm -f "$DYN_DIR/$1/sick"; }
hand_sick() { dyn_hand_withdraw "$1" >/dev/null; }
hand_well() { dyn_hand_announce "$1" >/dev/null; }

say "1. The lab ($DYN_MODE$([ "${DYN_HAND:-0}" = 1 ] && echo ", hand-made announcements")), namespaces $DYN-*"
sed -n '/^#            10.68.9.1/,/^#$/p' "$ROOT/tests/integration/lib_dvipa.sh" | sed 's/^#/ /'
dyn_up || die "the lab did not come up (logs kept in $DYN_DIR)"
dyn_probe_start
dyn_wait 10 dyn_probe_reaches h1 || die "the client does not reach h1"
show
[ "${DYN_HAND:-0}" != 1 ] && { echo; dvctl h1 dvipa web; echo; dvctl h1 netstat vipadyn; }

step "2. h1's links lose carrier" h2 15 dyn_fail h1 carrier
step "   ... and come back" h1 40 dyn_restore h1 carrier
step "3. h1 dies silently (every process stopped, carrier up)" h2 15 dyn_fail h1 silent
step "   ... and thaws" h1 40 dyn_restore h1 silent
if [ "${DYN_HAND:-0}" = 1 ]; then
  step "4. h1 withdraws (by hand)" h2 15 hand_sick h1
  step "   ... and announces again" h1 40 hand_well h1
else
  step "4. h1's health check fails (the address stays; the announcement goes first)" h2 15 sick h1
  step "   ... and passes again (after the hold-down)" h1 40 well h1
fi
dyn_probe_stop
say "Done: $(grep -c . "$DYN_PROBE") connections, $(dyn_probe fails 0 2>/dev/null) failed"
if [ "${DYN_HOLD:-0}" = 1 ]; then
  echo "The lab stays up. Try:"
  echo "  ip netns exec $DYN-c $DYN_PY $ROOT/lab/dvipa_probe.py probe $DVIPA 80 /dev/stdout"
  echo "  $VIPACTL --socket $DYN_DIR/h2/run/vipad.sock dvipa"
  echo "  ip netns exec $DYN-r1 vtysh --vty_socket $DYN_DIR/r1 -c 'show ip route'"
  echo "Ctrl-C ends it and removes everything."
  while :; do sleep 3600; done
fi
