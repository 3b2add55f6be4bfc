#!/usr/bin/env bash
# One vipad per network namespace: a second one, even with another control socket and state
# record, is refused and changes nothing; the lock goes with the process (kill -9 leaves no
# stale lock); the pid file is not a symlink target.
source "$(dirname "$0")/lib.sh" "$@"

topo_up || {
  fail "topology"
  finish
}
sample_config
check "vipad-starts" start_vipad
check_within "converged" 10 sample_converged
FIRST=$VIPAD_PID
kernel_snapshot "$TMP/k.before"

# The second instance: its own socket and state record, same namespace.
mkdir -p "$TMP/other"
second_refused() {
  run_vipad --config "$CONF" --socket "$TMP/other/vipad.sock" --state "$TMP/other/state.json"
  local rc=$?
  cat "$TMP/run.err"
  [ "$rc" != 0 ] && grep -q "another vipad (pid $FIRST) is running in this network namespace" \
    "$TMP/run.err"
}
check "second-instance-refused" second_refused
check "second-made-no-socket" test ! -e "$TMP/other/vipad.sock"
kernel_snapshot "$TMP/k.after"
check "second-changed-nothing" diff "$TMP/k.before" "$TMP/k.after"
check "first-still-serves" "$VIPACTL" --socket "$SOCK" status

# A vipad in another namespace is not affected by this one's lock.
ip netns add "$T-x" && ALL_NS+=("$T-x")
mkdir -p "$TMP/x"
printf '[vipa.vx0]\nnetaddr = "10.68.99.1"\nnetmask = "255.255.255.255"\ninterface_names = []\n' \
  >"$TMP/x/vipa.conf"
ip netns exec "$T-x" "$VIPAD" --config "$TMP/x/vipa.conf" --socket "$TMP/x/vipad.sock" \
  >>"$LOG" 2>&1 &
XPID=$!
BG_PIDS+=("$XPID")
check_within "other-namespace-runs" 10 test -S "$TMP/x/vipad.sock"
kill_pid "$XPID"

# kill -9: the namespace lock goes with the process.
check "kill-9" stop_vipad KILL
check "restart-after-kill-9" start_vipad
check_within "converged-after-kill-9" 10 sample_converged
check "stops" stop_vipad

# A symlink where the pid file goes is refused, and its target left alone.
echo keep >"$TMP/target"
rm -f "$SOCK.pid"
ln -s "$TMP/target" "$SOCK.pid"
symlink_refused() {
  run_vipad --config "$CONF" --socket "$SOCK"
  local rc=$?
  cat "$TMP/run.err"
  [ "$rc" != 0 ] && [ "$(cat "$TMP/target")" = keep ]
}
check "pid-file-symlink-refused" symlink_refused
rm -f "$SOCK.pid"

finish
