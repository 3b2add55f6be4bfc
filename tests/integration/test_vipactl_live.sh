#!/usr/bin/env bash
# Against the live kernel: vipactl's AIX views of the sample topology equal the sample's
# (the same goldens the unit tests use, tests/data/ctl/), and every changing command is
# validated, applied to the kernel and recorded in the drop-in without touching the
# administrator's file; bad changes alter nothing; a non-root peer changes nothing.
source "$(dirname "$0")/lib.sh" "$@"
GOLD=$(cd "$(dirname "$0")/../data/ctl" && pwd)

ctl() { ip netns exec "$NS_H" "$VIPACTL" --socket "$SOCK" "$@"; }
same_as() { # same_as GOLDEN CMD...: the command's output equals the golden file
  local g=$1
  shift
  "$@" >"$TMP/out" 2>&1 && diff -u "$GOLD/$g" "$TMP/out" >"$TMP/diff"
}
dropin() { echo "$(dirname "$CONF")/$(basename "$CONF").d/50-vipactl.toml"; }
kernel_has_addr() { iph addr show dev "$1" 2>/dev/null | grep -q "inet $2/"; }

[ -x "$VIPACTL" ] || { fail "vipactl binary (arg 2)"; finish; }
topo_up || {
  fail "topology"
  finish
}
CFG_V6=0 # IBM's sample itself is IPv4 only
sample_config
sed -i '1i # the administrator'"'"'s own comment' "$CONF"
cp "$CONF" "$TMP/conf.orig"
check "vipad-starts" start_vipad
check_within "sample-converged" 3 sample_converged

# the sample views, byte for byte.
check "ifconfig-vi0-is-the-samples" same_as ifconfig_vi0.golden ctl ifconfig vi0
show_output "$TMP/diff"
check "lsattr-El-vi0-is-the-samples" same_as lsattr_vi0.golden ctl lsattr -El vi0
show_output "$TMP/diff"
check "netstat-rn-inet-is-the-samples" same_as netstat_rn_inet.golden ctl netstat -rn -f inet
show_output "$TMP/diff"
check "lsattr-a-netaddr" same_as lsattr_vi0_netaddr.golden ctl lsattr -El vi0 -a netaddr
check "lsattr-R-state" same_as lsattr_R_state.golden ctl lsattr -R -l vi0 -a state
check "status-json-schema" bash -c "ip netns exec $NS_H $VIPACTL --socket $SOCK status --json |
  jq -e '.vipas[0].name == \"vi0\" and (.vipas[0].interfaces | length) == 2 and
         .vipas[0].interfaces[0].carrier == true and (.routes_owned | length) >= 2'"

# Bad changes: exit 2, one message, nothing changed in the kernel or the records.
kernel_snapshot "$TMP/k-before"
for bad in "netmask=255.0.255.0" "netaddr=10.68.6.300" "bogus=1" "state=sideways"; do
  ctl chdev -l vi0 -a "$bad" >"$TMP/bad.out" 2>&1
  rc=$?
  check "chdev-$bad-exit-2" test "$rc" = 2
  check "chdev-$bad-one-line" test "$(wc -l <"$TMP/bad.out")" -le 2
done
ctl mkdev -c if -s VI -t vi -w vi1 -a netaddr=10.68.6.1 -a interface_names=en9 >/dev/null 2>&1
check "mkdev-duplicate-address-exit-2" test $? = 2
ctl mkdev -c if -s VI -t vi -w vi1 -a netaddr=10.68.7.1 -a interface_names=en1 >/dev/null 2>&1
check "mkdev-interface-of-another-vipa-exit-2" test $? = 2
kernel_snapshot "$TMP/k-after"
check "bad-changes-left-kernel-alone" diff -q "$TMP/k-before" "$TMP/k-after"
check "bad-changes-left-no-record" test ! -e "$(dropin)"

# chdev: applied and recorded, the administrator's file untouched.
check "chdev-alias4" ctl chdev -l vi0 -a alias4=10.68.6.2,255.255.255.0
check_within "alias4-in-kernel" 2 kernel_has_addr vi0 10.68.6.2
check "alias4-recorded" grep -q '10.68.6.2,255.255.255.0' "$(dropin)"
check "admin-file-untouched" cmp -s "$CONF" "$TMP/conf.orig"
# -T: running only; -P: record only.
check "chdev-T-running-only" ctl chdev -l vi0 -a alias4= -T
check_within "alias4-gone-from-kernel" 2 bash -c "! ip -n $NS_H addr show dev vi0 | grep -q 10.68.6.2"
check "T-not-recorded" grep -q '10.68.6.2' "$(dropin)"
check "chdev-P-record-only" ctl chdev -l vi0 -a alias4=10.68.6.3,255.255.255.0 -P
check "P-recorded" grep -q '10.68.6.3' "$(dropin)"
check_stays "P-not-applied" 0.5 bash -c "! ip -n $NS_H addr show dev vi0 | grep -q 10.68.6.3"
check "reload-applies-record" ctl reload
check_within "P-applied-after-reload" 2 kernel_has_addr vi0 10.68.6.3

# mkdev / rmdev / mkdev -l, AIX's device life cycle.
check "mkdev-vi1" ctl mkdev -c if -s VI -t vi -w vi1 -a netaddr=10.68.7.1 -a netmask=255.255.255.255 -a interface_names=en9
check_within "vi1-in-kernel" 2 kernel_has_addr vi1 10.68.7.1
check "vi1-recorded" grep -q 'vipa.vi1' "$(dropin)"
check "rmdev-vi1-defined" bash -c "ip netns exec $NS_H $VIPACTL --socket $SOCK rmdev -l vi1 | grep -q 'vi1 Defined'"
check_within "vi1-gone-from-kernel" 2 bash -c "! ip -n $NS_H link show vi1 2>/dev/null"
check "vi1-still-defined" bash -c "ip netns exec $NS_H $VIPACTL --socket $SOCK lsattr -El vi1 | grep -q '^state *detach'"
check "mkdev-l-makes-it-available" ctl mkdev -l vi1
check_within "vi1-back-in-kernel" 2 kernel_has_addr vi1 10.68.7.1
check "rmdev-d-vi1" ctl rmdev -d -l vi1
check_within "vi1-deleted" 2 bash -c "! ip -n $NS_H link show vi1 2>/dev/null"
check "vi1-not-recorded" bash -c "! grep -q 'vipa.vi1' '$(dropin)'"
# The record survives a restart: vi0's alias from the drop-in is there after vipad restarts.
check "vipad-stops" stop_vipad
check "vipad-restarts" start_vipad
check_within "record-survives-restart" 3 kernel_has_addr vi0 10.68.6.3
check "admin-file-still-untouched" cmp -s "$CONF" "$TMP/conf.orig"

# A non-root peer: with the socket opened to everyone, reading works and changing is refused.
# (vi0 outlived the stop, so start_vipad returned before this vipad made its socket.)
check_within "socket-ready-after-restart" 5 test -S "$SOCK"
chmod 0666 "$SOCK"
chmod 0755 "$TMP" "$TMP/run" 2>/dev/null
as_nobody() { ip netns exec "$NS_H" setpriv --reuid=65534 --regid=65534 --clear-groups "$VIPACTL" --socket "$SOCK" "$@"; }
check "nobody-can-read" bash -c "$(declare -f as_nobody); NS_H=$NS_H VIPACTL=$VIPACTL SOCK=$SOCK; as_nobody ifconfig vi0 | grep -q 10.68.6.1"
as_nobody chdev -l vi0 -a state=down >"$TMP/nobody.out" 2>&1
check "nobody-cannot-change" test $? = 2
check "nobody-told-permission-denied" grep -qi "permission denied" "$TMP/nobody.out"
check_stays "vi0-stays-up" 0.3 link_is_up vi0

# Monitor: a failover is an event line.
ctl monitor >"$TMP/monitor.out" 2>&1 &
MON=$!
check "monitor-subscribed" monitor_subscribed "$TMP/monitor.out"
ipr1 link set r1h down
check_within "monitor-shows-failover" 3 grep -q "failover" "$TMP/monitor.out"
kill "$MON" 2>/dev/null
wait "$MON" 2>/dev/null
ipr1 link set r1h up

# vipad not running: one line, exit 1.
check "vipad-stops-again" stop_vipad
ctl status >"$TMP/down.out" 2>&1
check "not-running-exit-1" test $? = 1
check "not-running-one-line" bash -c "[ \$(wc -l <'$TMP/down.out') = 1 ] && grep -q 'not running' '$TMP/down.out'"
finish
