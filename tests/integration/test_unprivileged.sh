#!/usr/bin/env bash
# vipad as the service runs it (packaging/vipad.service): an unprivileged user with only
# ambient CAP_NET_ADMIN and CAP_NET_RAW. It must converge the sample (links, addresses, routes,
# and the net sysctls, which CAP_NET_ADMIN in the namespace may write), answer on its socket,
# keep no other capability, and be unable to write a kernel tunable outside net.*.
source "$(dirname "$0")/lib.sh" "$@"

if ! command -v setpriv >/dev/null; then
  fail "prerequisites: setpriv"
  finish
fi
topo_up || {
  fail "topology"
  finish
}
sample_config
# nobody owns the runtime directory, as systemd's RuntimeDirectory= gives it to User=.
chown nobody:nogroup "$TMP/run"
chmod o+rx "$TMP"
chmod o+r "$CONF"
cp "$VIPAD" "$TMP/vipad"
chmod 755 "$TMP/vipad"
VIPAD_REAL=$VIPAD
VIPAD=$TMP/vipad
start_unprivileged() {
  VIPAD_STARTS=$((VIPAD_STARTS + 1))
  echo "===== start $VIPAD_STARTS (unprivileged) =====" >>"$LOG"
  ip netns exec "$NS_H" setpriv --reuid=nobody --regid=nogroup --clear-groups \
    --inh-caps=+net_admin,+net_raw --ambient-caps=+net_admin,+net_raw \
    "$VIPAD" --config "$CONF" --socket "$SOCK" >>"$LOG" 2>&1 &
  VIPAD_PID=$!
  wait_for 10 vipad_socket_or_dead
  proc_alive "$VIPAD_PID"
}
check "starts-unprivileged" start_unprivileged
check_within "sample-converged" 20 sample_converged
check_within "rp-filter-loosened" 10 sysctl_is ipv4/conf/en1/rp_filter 2
check "arp-ignore-set" sysctl_is ipv4/conf/en5/arp_ignore 1
uid_is_nobody() { [ "$(awk '/^Uid:/ {print $2}' "/proc/$VIPAD_PID/status")" = "$(id -u nobody)" ]; }
check "runs-as-nobody" uid_is_nobody
cap_set() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$VIPAD_PID/status"; }
check "only-net-admin-raw" test "$(cap_set CapEff)" = 0000000000003000
check "no-ambient-left-for-hooks" test "$(cap_set CapAmb)" = 0000000000000000
# A kernel tunable outside net.* stays out of reach: what uid 0 could do with core_pattern.
not_core_pattern() {
  ! nsenter -t "$VIPAD_PID" -S "$(id -u nobody)" -G "$(id -g nobody)" \
    sh -c 'echo x >/proc/sys/kernel/core_pattern' 2>/dev/null
}
check "cannot-write-core-pattern" not_core_pattern
check "status-answers" "$VIPACTL" --socket "$SOCK" status
check "state-record-written" test -s "$TMP/run/vipad.state.json"
VIPAD=$VIPAD_REAL
finish
