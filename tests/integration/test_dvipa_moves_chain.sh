#!/usr/bin/env bash
# A chain of nondisruptive moves over OSPF (A -> B -> C while A and B both keep connections), in
# the lab of lib_dvipa.sh (ranks 200, 100, 50; every host a peer of the others):
#   streams "first" to h1, then `vipactl dvipa drain` on h1: h2 owns the DVIPA, h1 is MOVING;
#   streams "second" opened to h2, then `vipactl dvipa drain` on h2: h3 owns it, h1 and h2 are
#     both MOVING; h3 sends every flow it did not open to h2 (its newest target), and h2 sends
#     h1's flows on to h1 (its conntrack marked them for h1 while it owned the DVIPA);
#   both sets of streams go on: none breaks, no line is lost or duplicated, the first served by
#     h1 and the second by h2; each old owner's moving ends once its streams end.
# Run by ctest as `bash test_dvipa_moves_chain.sh VIPAD VIPACTL`, as root.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh" "$@"
export VIPAD VIPACTL
DYN_MODE=${DYN_MODE:-ospf}
DYN_TAKEBACK=immediate
# Two sets of streams at once: half as many in each as the other moves scenes open.
MV_STREAMS=${MV_STREAMS:-50}
source "$HERE/lib_dvipa.sh"
source "$HERE/lib_dvipa_checks.sh"
source "$HERE/lib_moves.sh"
mv_lab_up chain
check_within "chain-tables-made" 10 mv_table_present h3

# use_streams NAME: the set the mv_* helpers look at.
declare -A LOG PID
use_streams() { MV_LOG=${LOG[$1]}; MV_PID=${PID[$1]}; }
# flows NAME LINES: the set NAME echoes LINES more lines a stream, and none broke.
flows() {
  use_streams "$1"
  local e
  e=$(mv_echoed)
  check_within "$1-streams-flow-$3" 30 mv_echo_grows $((e + MV_STREAMS * $2))
  check "$1-no-stream-broken-$3" mv_no_broken_yet
}

# ---------------------------------------------------------------- A -> B

mv_streams_start first
LOG[first]=$MV_LOG PID[first]=$MV_PID
check_within "first-streams-on-h1" 10 mv_echo_grows $((MV_STREAMS * 50))
check "drain-h1" dvctl h1 dvipa drain web
check_within "h1-moving" 15 mv_moving h1
check_within "routers-choose-h2" 15 dyn_routers_choose h2
check_within "h2-forwards-to-h1" 15 mv_forwards h2 h1
check_within "new-connections-reach-h2" 15 dyn_probe_reaches h2
flows first 100 after-first-move

# ---------------------------------------------------------------- B -> C

mv_streams_start second
LOG[second]=$MV_LOG PID[second]=$MV_PID
check_within "second-streams-on-h2" 10 mv_echo_grows $((MV_STREAMS * 50))
F=$(mv_counter h2 forwarded)
check "drain-h2" dvctl h2 dvipa drain web
check_within "h2-moving" 15 mv_moving h2
check_within "routers-choose-h3" 15 dyn_routers_choose h3
check_within "h3-forwards-to-h2" 15 mv_forwards h3 h2
check_within "new-connections-reach-h3" 15 dyn_probe_reaches h3
check "h1-still-moving" mv_moving h1
flows first 200 after-second-move
flows second 200 after-second-move
# h2 no longer owns the DVIPA, and still forwards: the first set's packets come to it from h3.
check_within "h2-passes-h1s-flows-on" 10 mv_counter_above h2 forwarded "$F"
check_within "h3-forwarded-packets" 10 mv_counter_above h3 forwarded 0

# ---------------------------------------------------------------- the streams end

use_streams first
mv_streams_stop
check "first-streams-intact" mv_streams_intact
check "first-streams-served-by-h1" grep -q "^END .* hosts=h1$" "$MV_LOG"
check_within "h1-moving-ends" 15 dv_event_seen h1 dvipa_moving_done
check "h2-still-moving" mv_moving h2
use_streams second
mv_streams_stop
check "second-streams-intact" mv_streams_intact
check "second-streams-served-by-h2" grep -q "^END .* hosts=h2$" "$MV_LOG"
check_within "h2-moving-ends" 15 dv_event_seen h2 dvipa_moving_done
check_not "no-moving-timeout" dv_event_seen h1 dvipa_moving_timeout
check "logs-clean" dv_log_clean
dyn_finish
