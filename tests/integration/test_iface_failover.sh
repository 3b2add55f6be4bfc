#!/usr/bin/env bash
# "Any mixture of IP interfaces": for en5 of each device kind in turn (see lib_iface.sh), a TCP
# session from c to the VIPA survives failover onto en5 when en1 loses carrier, and back when en1
# returns, every line echoed once and in order, with no reset. Kinds whose driver this kernel
# lacks are printed as SKIPPED by name and counted nowhere. Routes and probes over each kind:
# test_iface_kinds.sh.
source "$(dirname "$0")/lib.sh" "$@"
source "$(dirname "$0")/lib_dgd.sh"
source "$(dirname "$0")/lib_iface.sh"

command -v jq >/dev/null || {
  fail "prerequisites: jq"
  finish
}
topo_up || {
  fail "topology"
  finish
}
iface_config
check "vipad-starts" start_vipad
check_within "sample-converged" 5 sample_converged

PORT=2500
stream_over() {
  local k=$1
  check_within "$k-route-with-vipa-source" 10 owned_default 10.68.5.2 en5 20
  PORT=$((PORT + 1))
  check "$k-stream-starts" stream_start $PORT
  check_within "$k-stream-flows" 5 stream_at_least 10
  ipr1 link set r1h down
  remote_route_del r1
  check_within "$k-failover-onto-en5" 5 out_via_en5
  check "$k-stream-on-en5" stream_grows 15 15
  ipr1 link set r1h up
  router_routes r1
  remote_route_add r1
  check_within "$k-back-on-en1" 5 out_via_en1
  check "$k-stream-back-on-en1" stream_grows 15 15
  stream_stop
  check "$k-stream-no-reset" stream_no_reset
  check "$k-stream-intact" stream_intact
}
for_each_kind stream_over

check "vipad-still-running" vipad_alive
check "no-sanitizer-report" no_sanitizer_report
[ ${#SKIPPED[@]} -gt 0 ] && note "SKIPPED (not counted as passed): ${SKIPPED[*]}"
finish
