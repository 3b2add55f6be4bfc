#!/usr/bin/env bash
# Nondisruptive moves across vipad restarts, over OSPF, in the lab of lib_dvipa.sh (ranks 200,
# 100, 50; every host a peer of the others):
#   MV_STREAMS long-lived streams to h1, then `vipactl dvipa drain` on h1: h1 MOVING, h2 the
#   owner, forwarding the streams' packets to h1.
#   kill -9 of h1's vipad, started again: MOVING again (its connections are an old owner's),
#     the streams go on.
#   kill -9 of h2's vipad while it forwards, started again: it adopts the forwarding the kernel
#     kept, the streams go on.
#   the streams end: none broke, no line lost or duplicated, all served by h1; h1's moving
#     ends (dvipa_moving_done), nobody is moving; --cleanup leaves nothing.
# Run by ctest as `bash test_dvipa_moves_restart.sh VIPAD VIPACTL`, as root.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh" "$@"
export VIPAD VIPACTL
DYN_MODE=${DYN_MODE:-ospf}
DYN_TAKEBACK=immediate
source "$HERE/lib_dvipa.sh"
source "$HERE/lib_dvipa_checks.sh"
source "$HERE/lib_moves.sh"
mv_lab_up restart
check_within "restart-tables-made" 10 mv_table_present h2

# restart_vipad HOST: kill -9 of HOST's vipad (by its PID), started again as dyn_up starts it,
# with a new monitor.
restart_vipad() {
  dyn_vipad_kill9 "$1"
  dv_monitor_stop "$1"
  dyn_vipad_start "$1" && dv_monitor_start "$1"
}
# streams_flow NAME: every stream sends another second's worth of lines, none broke.
streams_flow() {
  local e
  e=$(mv_echoed)
  check_within "$1-streams-flow" 30 mv_echo_grows $((e + MV_STREAMS * 100))
  check "$1-no-stream-broken" mv_no_broken_yet
}

# ---------------------------------------------------------------- drain

mv_streams_start restart
check_within "drain-streams-flow" 10 mv_echo_grows $((MV_STREAMS * 50))
check "drain-vipactl" dvctl h1 dvipa drain web
check_within "drain-h1-moving" 15 mv_moving h1
check_within "drain-h2-forwards-to-h1" 15 mv_forwards h2 h1
check_within "drain-routers-choose-h2" 15 dyn_routers_choose h2
check_within "drain-h2-forwarded-packets" 10 mv_counter_above h2 forwarded 0

# ---------------------------------------------------------------- the old owner's vipad

# The address stays through the restart (vipad adopts its link): ip monitor would show a delete.
: >"$DYN_DIR/h1.addrs"
dyn_bg bash -c "exec ip -n $DYN-h1 -4 monitor address >>'$DYN_DIR/h1.addrs'"
AMON=$DYN_LAST
check "h1-kill9-started-again" restart_vipad h1
check_within "h1-kill9-moving-again" 15 mv_moving h1
# In the log: the event may come before the new monitor listens.
check_within "h1-kill9-moving-logged" 5 grep -q "not the owner at start; keeping" "$DYN_DIR/h1/vipad.log"
dyn_kill "$AMON"
check_not "h1-kill9-address-kept" grep -q "Deleted.*inet $DVIPA/" "$DYN_DIR/h1.addrs"
not_owner() { dvj "$1" | jq -e '.dvipas[0].owner.self != true' >/dev/null; }
check "h1-kill9-still-withdrawn" not_owner h1
check "h1-kill9-routers-still-choose-h2" dyn_routers_choose h2
streams_flow "h1-kill9"

# ---------------------------------------------------------------- the forwarder's vipad

F=$(mv_counter h2 forwarded)
check "h2-kill9-started-again" restart_vipad h2
check_within "h2-kill9-adopted-the-forwarding" 15 grep -q "adopted the forwarding to $(mv_id h1)" "$DYN_DIR/h2/vipad.log"
check_within "h2-kill9-forwards-to-h1" 15 mv_forwards h2 h1
check_within "h2-kill9-owner-again" 15 dv_agree h2 h2 h3
streams_flow "h2-kill9"
check_within "h2-kill9-forwarded-packets-grow" 10 mv_counter_above h2 forwarded "$F"
check "h2-kill9-h1-still-moving" mv_moving h1

# ---------------------------------------------------------------- the streams end

mv_streams_stop
check "end-streams-intact" mv_streams_intact
check "end-streams-served-by-h1" grep -q "^END .* hosts=h1$" "$MV_LOG"
check_within "end-h1-moving-ends" 1 dv_event_seen h1 dvipa_moving_done
note "h1's dvipa_moving_done came ${WAITED_MS} ms after the streams' END was read"
nobody_moving() { for h in "${DYN_HOSTS[@]}"; do mv_not_moving "$h" || { echo "$h is moving"; return 1; }; done; }
check "end-nobody-moving" nobody_moving
check_not "end-no-moving-timeout" dv_event_seen h1 dvipa_moving_timeout

# ---------------------------------------------------------------- cleanup

dyn_vipad_stop h1
ip netns exec "$DYN-h1" "$VIPAD" --config "$DYN_DIR/h1/vipa.conf" --cleanup >>"$DYN_DIR/h1/vipad.log" 2>&1
check "cleanup-leaves-nothing" mv_kernel_clean h1
dyn_finish
