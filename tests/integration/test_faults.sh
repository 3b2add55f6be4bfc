#!/usr/bin/env bash
# Vipad killed mid-reconcile, a link flap storm, another manager fighting it,
# and restarts under a live TCP session. Each part ends with the kernel in the exact desired
# state and the TCP session to the VIPA intact (every line back, in order, no reset).
#
# Timing figures (kill points, status latency during the storm, restore times) are printed as
# "note" lines; docs/benchmarks.md keeps a run of them.
source "$(dirname "$0")/lib.sh" "$@"
# shellcheck source=lib_faults.sh
source "$(dirname "$0")/lib_faults.sh"

command -v python3 >/dev/null || {
  fail "prerequisites: python3"
  finish
}

# ---------------------------------------------------------------- kill -9 mid-reconcile

# Calibration on its own topology: how long a start over the table takes until every route has
# the source, so that the kill points fall inside it. A first start (vi0 made, sysctls set) and a
# restart (the VIPA in place) differ: both are measured.
topo_up || {
  fail "topology"
  finish
}
make_table_batches
iph -batch "$TMP/add.batch"
sample_config
for kind in FIRST RESTART; do
  t0=$(now_ms)
  launch_vipad
  wait_for 30 table_all_src
  printf -v "CAL_$kind" %d $(($(now_ms) - t0))
  stop_vipad
  iph -batch "$TMP/strip.batch"
done
note "a start over $TABLE_N routes takes until every one has the source: first $CAL_FIRST ms, restart $CAL_RESTART ms"

topo_up || {
  fail "topology-kill"
  finish
}
iph -batch "$TMP/add.batch"
snapshot_routes "$TMP/before"
check "monitor-listening" monitor_start
kill_points=()
mid_kills=0
for round in 1 2 3 4 5; do
  # Random points spread over the calibrated time: the first start in round 1, then one in each
  # quarter of a restart's time.
  if [ $round = 1 ]; then
    delay=$((CAL_FIRST / 4 + RANDOM % (CAL_FIRST / 2 + 1)))
  else
    delay=$(((round - 2) * CAL_RESTART / 4 + RANDOM % (CAL_RESTART / 4 + 1)))
  fi
  launch_vipad
  sleep "$(ms_to_s "$delay")"
  kill -KILL "$VIPAD_PID" 2>/dev/null
  wait "$VIPAD_PID" 2>/dev/null
  VIPAD_PID=
  done_at_kill=$(table_src_count)
  kill_points+=("${delay}ms:$done_at_kill/$TABLE_N")
  [ "$done_at_kill" -gt 0 ] && [ "$done_at_kill" -lt "$TABLE_N" ] && mid_kills=$((mid_kills + 1))
  check "kill-$round-restart" start_vipad
  check_within "kill-$round-converged" 30 all_converged
  check "kill-$round-same-routes" same_routes "$TMP/before"
  check "kill-$round-one-owned-default-each" owned_defaults_once
  # Stopped cleanly, the routes stay; take the source away again for the next kill.
  stop_vipad
  [ $round -lt 5 ] && iph -batch "$TMP/strip.batch"
  [ $round -eq 1 ] && stream_start 7001 # the VIPA exists from here on
done
check "kill-stream-flowing" stream_grows 5 5
check "kill-last-restart" start_vipad
check_within "kill-final-converged" 30 all_converged
monitor_stop
note "kill points (delay:routes with source at the kill): ${kill_points[*]}"
# A check of this test's own coverage, not of vipad: under ASan the reconcile's timing differs
# from the measured start time, so there a miss is reported rather than failed.
if ldd "$VIPAD" 2>/dev/null | grep -q libasan && [ "$mid_kills" -lt 1 ]; then
  note "no kill landed mid-reconcile this time (ASan build): the restarts were still checked"
else
  check "kill-some-mid-reconcile" test "$mid_kills" -ge 1
fi
check "kill-owned-routes-never-flapped" owned_never_deleted "$MON_FILE"
stream_stop
check "kill-stream-intact" stream_intact
check "kill-stream-no-reset" stream_no_reset
stop_vipad

# ---------------------------------------------------------------- link flap storm

topo_up || {
  fail "topology-flap"
  finish
}
sample_config
check "flap-vipad-starts" start_vipad
check_within "flap-converged" 5 sample_converged
snapshot_routes "$TMP/before"
# c sends to the VIPA through r5 only; the host's replies leave by whichever default is there.
remote_route_del r1
check "flap-stream" stream_start 7002
check "flap-stream-flowing" stream_grows 5 5
bg flap_storm en1 10 "$TMP/flaps"
FLAP_PID=$BG_LAST
: >"$TMP/status.ms"
status_fail=0
while proc_alive "$FLAP_PID"; do
  t0=$(now_us)
  timeout 5 "$VIPACTL" --socket "$SOCK" status >/dev/null 2>&1 || status_fail=$((status_fail + 1))
  echo $((($(now_us) - t0) / 1000)) >>"$TMP/status.ms"
  sleep 0.1
done
wait "$FLAP_PID" 2>/dev/null
note "$(cat "$TMP/flaps" 2>/dev/null) link changes sent to en1 in 10 s"
note "vipactl status during the storm, ms: $(latency_summary "$TMP/status.ms")"
check "flap-status-all-answered" test "$status_fail" = 0
# How fast it answers under the storm is a benchmark (bench/churn.sh, docs/benchmarks.md), not
# a pass/fail limit here: the figures above are notes.
check "flap-vipad-alive" vipad_alive
check "flap-en1-up" link_is_up en1
check_within "flap-converged-after" 5 sample_converged
check_within "flap-same-routes" 5 same_snapshot "$TMP/before"
check "flap-stream-flowing-after" stream_grows 10 10
stream_stop
check "flap-stream-intact" stream_intact
check "flap-stream-no-reset" stream_no_reset
remote_route_add r1

# ---------------------------------------------------------------- another manager fights

log_mark=$(wc -l <"$LOG")
check "fight-stream" stream_start 7003
: >"$TMP/restore.ms"
fight_fail=0
end=$(($(now_ms) + 10000))
i=0
while [ "$(now_ms)" -lt "$end" ]; do
  i=$((i + 1))
  case $((i % 3)) in
    0) iph -4 addr del $VIPA4/24 dev vi0 ;;
    1) iph route replace 10.68.1.0/24 dev en1 proto kernel scope link src 10.68.1.1 ;;
    2) iph route del default via 10.68.1.2 dev en1 proto 86 ;;
  esac
  # Restored at all is the check (20 s: a loaded machine, ASan); how fast is the note below.
  if wait_for 20 sample_converged; then
    echo "$WAITED_MS" >>"$TMP/restore.ms"
  else
    fight_fail=$((fight_fail + 1))
  fi
done
note "$i attacks in 10 s; restored after, ms: $(latency_summary "$TMP/restore.ms")"
check "fight-restored-every-time" test "$fight_fail" = 0
check "fight-vipad-alive" vipad_alive
check "fight-same-routes" same_snapshot "$TMP/before"
tail -n +"$((log_mark + 1))" "$LOG" >"$TMP/fight.log"
note "log: $(wc -l <"$TMP/fight.log") lines in the fight; most repeated: $(top_repeat "$TMP/fight.log")"
# vipad logs an identical line at most 5 times per 10 s window, then one summary; the fight
# may straddle two windows.
check "fight-log-rate-limited" repeats_at_most 10 "$TMP/fight.log"
check "fight-stream-flowing-after" stream_grows 10 10
stream_stop
check "fight-stream-intact" stream_intact
check "fight-stream-no-reset" stream_no_reset

# ---------------------------------------------------------------- restarts under a session

check "restart-stream" stream_start 7004
check "restart-stream-flowing" stream_grows 5 5
check "restart-monitor" monitor_start
retrans0=$(tcp_retrans "$NS_C")$'/'$(tcp_retrans "$NS_H")
for round in 1 2 3; do
  check "restart-$round-stops" stop_vipad TERM
  check "restart-$round-exit-0" test "$VIPAD_RC" = 0
  check "restart-$round-starts" start_vipad
  check_within "restart-$round-converged" 5 sample_converged
  check "restart-$round-stream-flowing" stream_grows 5 5
done
monitor_stop
retrans1=$(tcp_retrans "$NS_C")$'/'$(tcp_retrans "$NS_H")
check "restart-owned-routes-never-flapped" owned_never_deleted "$MON_FILE"
check "restart-same-routes" same_snapshot "$TMP/before"
stream_stop
check "restart-stream-intact" stream_intact
check "restart-stream-no-reset" stream_no_reset
check "restart-no-retransmission" test "$retrans0" = "$retrans1"
note "TCP retransmitted segments client/server before and after the restarts: $retrans0 -> $retrans1"
finish
