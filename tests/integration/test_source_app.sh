#!/usr/bin/env bash
# [[source]] (z/OS SRCIP): which VIPA a program's connections come from, as seen by the remote
# server (its peer address). A unit's processes leave from vi1, another user's from vi2, a
# listed destination is reached from vi3, everything else from vi0; an explicit bind wins;
# the choice holds through a carrier-loss failover; IPv6 and UDP too. The lifecycle (a VIPA
# down, re-assertion, restart, --cleanup, no cgroup BPF) is test_source_app_lifecycle.sh.
#
# Only this test's processes are affected: the BPF programs attach to cgroups this test makes
# (<v2root>/vipa-srcsel-PID/...), only its own clients are moved into them (a wrapper writes its
# PID to cgroup.procs before exec), vipad's programs act only on sockets of vipad's network
# namespace (its netns cookie), and vipad pins its links in a bpffs mounted in a private mount
# namespace held by this test, so they go away with it whatever happens.
source "$(dirname "$0")/lib.sh" "$@"
source "$(dirname "$0")/lib_source_app.sh"

srcapp_setup || {
  fail "setup"
  finish
}
check "vipad-starts" start_vipad_srcsel
check_within "sample-converged" 5 sample_converged
check_within "rules-attached" 5 source_rule_state 0 active

# 1. Who connects from where (TCP, IPv4).
check "unit-client-from-vi1" peer_is "$VI1_4" in_cg "$CG_UNIT" tcp_peer $REMOTE4 7000
check "plain-client-from-vi0" peer_is $VIPA4 tcp_peer $REMOTE4 7000
check "user-client-from-vi2" peer_is "$VI2_4" as_nobody tcp_peer $REMOTE4 7000
check "destination-from-vi3" peer_is "$VI3_4" tcp_peer $REMOTE4B 7000
check "cgroup-rule-from-vi2" peer_is "$VI2_4" in_cg "$CG_APP" tcp_peer $REMOTE4 7000
check "deepest-cgroup-wins" peer_is "$VI1_4" in_cg "$CG_APP/deep" tcp_peer $REMOTE4 7000
check "unit-beats-destination" peer_is "$VI1_4" in_cg "$CG_UNIT" tcp_peer $REMOTE4B 7000
check "user-beats-destination" peer_is "$VI2_4" as_nobody tcp_peer $REMOTE4B 7000
check "explicit-bind-wins" peer_is $VIPA4 in_cg "$CG_UNIT" tcp_peer $REMOTE4 7000 ",bind=$VIPA4"
check "explicit-bind-other-vipa-wins" peer_is "$VI2_4" in_cg "$CG_UNIT" tcp_peer $REMOTE4 7000 ",bind=$VI2_4"

# 2. IPv6 and UDP (unconnected datagrams take the sendmsg hooks).
check "unit-client6-from-vi1" peer_is "$VI1_6" in_cg "$CG_UNIT" tcp_peer $REMOTE6 7000
check "plain-client6-from-vi0" peer_is $VIPA6 tcp_peer $REMOTE6 7000
check "user-client6-from-vi2" peer_is "$VI2_6" as_nobody tcp_peer $REMOTE6 7000
check "destination6-from-vi3" peer_is "$VI3_6" tcp_peer $REMOTE6B 7000
check "unit-udp-from-vi1" peer_is "$VI1_4" in_cg "$CG_UNIT" udp_peer $REMOTE4 7001
check "unit-udp6-from-vi1" peer_is "$VI1_6" in_cg "$CG_UNIT" udp_peer $REMOTE6 7001
check "plain-udp-from-vi0" peer_is $VIPA4 udp_peer $REMOTE4 7001
check "counters-count" counters_at_least 0 3 2

# 3. What vipactl says.
check "source-test-unit" source_test_says "$VI1_4" --unit db.service $REMOTE4
check "source-test-user" source_test_says "$VI2_4" --user nobody $REMOTE4
check "source-test-dest" source_test_says "$VI3_4" --user root $REMOTE4B
check "source-test-none" source_test_says "$VIPA4" --user root $REMOTE4
check "source-text" source_text_lists db.service

# 4. Failover: a stream from the unit keeps vi1 through en1's carrier loss; new ones too.
check "stream-starts" src_stream_start 7002
check_within "stream-flows" 5 src_stream_grows 20
check "stream-peer-is-vi1" stream_peer_is "$VI1_4"
ipr1 link set r1h down
remote_route_del r1
srcapp_remote_routes del r1
check_within "out-via-en5" 3 route_get_has $REMOTE4 "dev en5"
check_within "stream-carries-on" 10 src_stream_grows 30
check "stream-peer-still-vi1" stream_peer_is "$VI1_4"
check "unit-client-from-vi1-after-failover" peer_is "$VI1_4" in_cg "$CG_UNIT" tcp_peer $REMOTE4 7000
check "user-client-from-vi2-after-failover" peer_is "$VI2_4" as_nobody tcp_peer $REMOTE4 7000
src_stream_stop
ipr1 link set r1h up
router_routes r1
srcapp_router_routes r1
remote_route_add r1
srcapp_remote_routes add r1
check "no-sanitizer-reports" no_sanitizer_reports
finish
