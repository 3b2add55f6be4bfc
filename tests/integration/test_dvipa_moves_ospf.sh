#!/usr/bin/env bash
# Nondisruptive moves over OSPF (DYN_MODE=bgp: BGP with BFD), in the lab of lib_dvipa.sh (ranks
# 200, 100, 50; every host a peer of the others):
#   drain: MV_STREAMS long-lived streams (a line every 10 ms each) to h1, then `vipactl dvipa
#     drain` on h1: h2 owns the DVIPA and forwards the streams' packets to h1 (MOVING), new
#     connections reach h2; no stream breaks, no line is lost or duplicated; h1 stops moving
#     once the last stream ends.
#   immediate takeback: streams opened to h2, then h1 resumes (takeback = "immediate"): h1
#     owns it again and forwards them to h2; none breaks.
#   a forged tunnel packet from the client (no peer) is dropped and counted; a deleted table is
#     put back;
#   a gone peer: streams to h1, a drain (h2 forwards them to h1), then h1 loses both links: h2
#     cuts its forwarding to h1 once OSPF no longer reaches h1 (over BGP: once h1 answers no
#     echoes), reports it, and answers the streams' packets with resets instead of sending them
#     into the void;
#   --cleanup leaves no table, rule, route table or tunnel.
# Run by ctest as `bash test_dvipa_moves_ospf.sh VIPAD VIPACTL`, as root.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh" "$@"
export VIPAD VIPACTL
DYN_MODE=${DYN_MODE:-ospf}
DYN_TAKEBACK=immediate
source "$HERE/lib_dvipa.sh"
source "$HERE/lib_dvipa_checks.sh"
source "$HERE/lib_moves.sh"
mv_lab_up moves
check_within "moves-tables-made" 10 mv_table_present h2
check "moves-nobody-moving" mv_not_moving h1

# ---------------------------------------------------------------- drain

mv_streams_start drain
check "drain-streams-up" grep -q "^UP $MV_STREAMS" "$MV_LOG"
check_within "drain-streams-flow" 10 mv_echo_grows $((MV_STREAMS * 50))
check "drain-vipactl" dvctl h1 dvipa drain web
check_within "drain-h1-moving" 15 mv_moving h1
check_within "drain-h2-forwards-to-h1" 15 mv_forwards h2 h1
check_within "drain-routers-choose-h2" 15 dyn_routers_choose h2
check_within "drain-new-connections-reach-h2" 15 dyn_probe_reaches h2
check "drain-vipadyn-moving" bash -c "'$VIPACTL' --socket '$DYN_DIR/h1/run/vipad.sock' netstat vipadyn | grep -q MOVING"
E=$(mv_echoed)
# Two more seconds' worth of lines from every stream, all through h2's forwarding.
check_within "drain-streams-flow-after" 30 mv_echo_grows $((E + MV_STREAMS * 200))
check_within "drain-h2-forwarded-packets" 10 mv_counter_above h2 forwarded 0
check "drain-no-stream-broken-while-moving" mv_no_broken_yet
# The connection routing table (z/OS NETSTAT VCRT): h1 lists the streams, established here with
# the client, and says it is MOVING; h2 lists where it forwards the flows it did not open.
vcrt() { dvctl "$1" dvipa connections web --json; }
vcrt_lists_streams() {
  vcrt h1 | jq -e --arg d "$DVIPA" --arg c "$DYN_CLIENT" --argjson n "$MV_STREAMS" \
    '.moving == true and ([.connections[] | select(.local == $d and .remote == $c)] | length) >= $n' \
    >/dev/null
}
check "vcrt-h1-lists-the-streams" vcrt_lists_streams
vcrt_forwards() {
  vcrt h2 | jq -e --arg id "$(mv_id h1)" \
    '.moving == false and (.forwarding_to | map(select(.newest and .id == $id)) | length == 1)' >/dev/null
}
check "vcrt-h2-forwards-to-h1" vcrt_forwards
check "vcrt-text" bash -c "'$VIPACTL' --socket '$DYN_DIR/h1/run/vipad.sock' dvipa connections web | grep -q '^  $DVIPA\.\.[0-9]* *$DYN_CLIENT\.\.'"
check "vcrt-unknown-name-refused" bash -c "! '$VIPACTL' --socket '$DYN_DIR/h1/run/vipad.sock' dvipa connections nosuch 2>/dev/null"
mv_streams_stop
check "drain-streams-intact" mv_streams_intact
check "drain-streams-served-by-h1" grep -q "^END .* hosts=h1$" "$MV_LOG"
check_within "drain-h1-moving-ends" 15 dv_event_seen h1 dvipa_moving_done
check "drain-h1-not-moving" mv_not_moving h1

# ---------------------------------------------------------------- immediate takeback

mv_streams_start takeback
check_within "takeback-streams-flow" 10 mv_echo_grows $((MV_STREAMS * 50))
check "takeback-streams-on-h2" grep -q "^UP " "$MV_LOG"
check "takeback-resume-h1" dvctl h1 dvipa resume web
check_within "takeback-routers-choose-h1" 30 dyn_routers_choose h1
check_within "takeback-h1-forwards-to-h2" 15 mv_forwards h1 h2
check_within "takeback-h2-moving" 15 mv_moving h2
check_within "takeback-new-connections-reach-h1" 15 dyn_probe_reaches h1
E=$(mv_echoed)
check_within "takeback-streams-flow-after" 30 mv_echo_grows $((E + MV_STREAMS * 200))
mv_streams_stop
check "takeback-streams-intact" mv_streams_intact
check "takeback-streams-served-by-h2" grep -q "^END .* hosts=h2$" "$MV_LOG"
check_within "takeback-h2-moving-ends" 15 dv_event_seen h2 dvipa_moving_done

# ---------------------------------------------------------------- the tunnel's guard

F=$(mv_counter h1 forged)
mv_forge c 10.68.41.1
check_within "forged-from-a-non-peer-counted" 10 mv_counter_above h1 forged "$F"

# ---------------------------------------------------------------- re-assert

dyn_in h1 nft delete table inet vipa_moves
check_within "reassert-table-back" 15 mv_table_present h1

# ---------------------------------------------------------------- a peer that is gone

mv_streams_start gone
check_within "gone-streams-flow" 10 mv_echo_grows $((MV_STREAMS * 50))
check "gone-drain-h1" dvctl h1 dvipa drain web
check_within "gone-h2-forwards-to-h1" 15 mv_forwards h2 h1
check_within "gone-h1-moving" 15 mv_moving h1
E=$(mv_echoed)
check_within "gone-streams-flow-through-h2" 30 mv_echo_grows $((E + MV_STREAMS * 50))
check "gone-no-stream-broken-before" mv_no_broken_yet
no_cut_yet() { for h in "${DYN_HOSTS[@]}"; do ! dv_event_seen "$h" dvipa_forward_cut || return 1; done; }
check "gone-no-cut-before" no_cut_yet
dyn_fail h1 carrier
check_within "gone-h2-reports-the-cut" 15 dv_event_seen h2 dvipa_forward_cut "$(mv_id h1)"
T=${DYN_FAIL_T//[.,]/}
echo "gone: h2 reported the cut $(($(dyn_ms) - 10#$T / 1000)) ms after h1's links went down"
check "gone-h2-forwards-nothing-to-h1" mv_not_a_target h2 h1
check "gone-h2-counts-the-cut" bash -c "dvj h2 | jq -e '.dvipas[0].moves.forward_cuts == 1' >/dev/null"
# The streams' next packets meet h2's own stack: resets, not a wait for the retransmission timeout.
check_within "gone-streams-reset" 15 mv_all_broken
# h1 was h2's only target: no fwmark rule is left on h2.
check_within "gone-h2-rules-gone" 10 bash -c "! ip -n '$DYN-h2' rule show | grep -q 'fwmark 0x767'"
mv_streams_stop
dyn_restore h1 carrier

# ---------------------------------------------------------------- cleanup

dyn_vipad_stop h1
ip netns exec "$DYN-h1" "$VIPAD" --config "$DYN_DIR/h1/vipa.conf" --cleanup >>"$DYN_DIR/h1/vipad.log" 2>&1
check "cleanup-leaves-nothing" mv_kernel_clean h1
dyn_finish
