#!/usr/bin/env bash
# the CLI contract: --check and bad configs touch nothing (exit 0 / 2 with
# FILE:LINE:COLUMN); starting over an already-correct kernel makes zero changes (RTM messages
# counted with `ip monitor`); SIGTERM and kill -9 leave the VIPA and routes in place, so a TCP
# session to it survives the daemon, and the next start adopts them; SIGHUP reloads, and an
# invalid new config is refused with the error logged and the running state untouched;
# state = "down" takes vi0 down, "detach" removes it and restores the sysctls.
source "$(dirname "$0")/lib.sh" "$@"

same_kernel() { diff "$1" "$2"; }
vi0_down() { link_exists vi0 && ! link_is_up vi0; }
vi0_gone() { ! link_exists vi0; }
route77_ok() { iph route show 10.68.77.0/24 | grep -Eq "via 10\.68\.5\.2 dev en5 .*src $VIPA4 metric 5( |$)"; }
hup_vipad() { kill -HUP "$VIPAD_PID" 2>/dev/null; }
log_size() { stat -c %s "$LOG"; }

# restart_adopts NAME BARRIER_NET: start vipad over the state a previous one left and count
# what it changes. A route added after the start serves as a barrier: once vipad has given it
# the VIPA source, its initial reconcile is done; the barrier's own lines are not counted.
restart_adopts() {
  local name=$1 net=$2
  check "$name-monitor-ready" monitor_start
  check "$name-vipad-starts" start_vipad
  iph route add 10.68.$net.0/24 via 10.68.5.2
  check_within "$name-barrier-seen" 3 bash -c \
    "ip -n $NS_H route show 10.68.$net.0/24 | grep -q 'src $VIPA4'"
  sleep 0.3 # a short tail, for changes made after the barrier (e.g. a deferred flush)
  MON_IGNORE_RE="10\.68\.$net\.0/24" monitor_stop
  check "$name-zero-changes" monitor_quiet
  iph route del 10.68.$net.0/24
}

# expect_bad NAME LINE TOML: vipad --check and a real start both exit 2 with FILE:LINE:COLUMN.
expect_bad() {
  local name=$1 line=$2 f=$TMP/bad-$1.conf rc
  printf '%s\n' "$3" >"$f"
  run_vipad --check --config "$f" --socket "$SOCK"
  rc=$?
  check "bad-$name-check-exit-2" test $rc = 2
  run_vipad --config "$f" --socket "$SOCK"
  rc=$?
  check "bad-$name-start-exit-2" test $rc = 2
  check "bad-$name-file-line-column" grep -Eq "bad-$name\.conf:$line:[0-9]+: *[^ ]" "$TMP/run.err"
}

topo_up || {
  fail "topology"
  finish
}

# --- validation touches nothing
kernel_snapshot "$TMP/k0"
sample_config
run_vipad --check --config "$CONF" --socket "$SOCK"
check "check-good-config-exit-0" test $? = 0
V='[vipa.vi0]'
expect_bad address 2 "$V
netaddr = \"10.68.6.300\"
netmask = \"255.255.255.0\"
interface_names = [\"en1\"]"
expect_bad netmask 3 "$V
netaddr = \"10.68.6.1\"
netmask = \"255.0.255.0\"
interface_names = [\"en1\"]"
expect_bad unknown-key 4 "$V
netaddr = \"10.68.6.1\"
netmask = \"255.255.255.0\"
interface_nmes = [\"en1\"]"
expect_bad wrong-type 3 "$V
netaddr = \"10.68.6.1\"
netmask = 24"
expect_bad prefixlen 4 "$V
netaddr = \"10.68.6.1\"
netaddr6 = \"2001:db8:6::1\"
prefixlen = 129"
expect_bad same-address '[0-9]+' "$V
netaddr = \"10.68.6.1\"
interface_names = [\"en1\"]
[vipa.vi1]
netaddr = \"10.68.6.1\"
interface_names = [\"en5\"]"
expect_bad same-interface '[0-9]+' "$V
netaddr = \"10.68.6.1\"
interface_names = [\"en1\"]
[vipa.vi1]
netaddr = \"10.68.7.1\"
interface_names = \"en5,en1\""
expect_bad route-gateway 3 "[[route]]
destination = \"default\"
gateway = \"10.68.1.300\""
kernel_snapshot "$TMP/k1"
check "check-and-bad-configs-touch-nothing" same_kernel "$TMP/k0" "$TMP/k1"

# --- first start, then a TCP session that must outlive two daemons
check "vipad-starts" start_vipad
check_within "sample-converged" 3 sample_converged
check "stream-starts" stream_start 2525
check_within "stream-flows" 5 stream_at_least 20

check "sigterm-exits" stop_vipad TERM
check "sigterm-exit-status-0" test "$VIPAD_RC" = 0
check "sigterm-leaves-vipa-and-routes" sample_converged
check "sigterm-leaves-vi0-up" link_is_up vi0
check "stream-flows-without-daemon" stream_grows 20 5
restart_adopts restart-after-sigterm 97
iph route del default via 10.68.1.2 metric 10
check_within "restarted-daemon-repairs" 2 owned_default 10.68.1.2 en1 10

check "kill-9-exits" stop_vipad KILL
check "kill-9-leaves-vipa-and-routes" sample_converged
check "stream-flows-after-crash" stream_grows 20 5
restart_adopts restart-after-crash 96
check "sample-converged-after-adoption" sample_converged
stream_stop
check "stream-no-reset" stream_no_reset
check "stream-no-lost-or-duplicated-line" stream_intact

# --- SIGHUP
CFG_EXTRA='[[route]]
destination = "10.68.77.0/24"
gateway = "10.68.5.2"
metric = 5' sample_config
hup_vipad
check_within "sighup-applies-new-route" 3 route77_ok
check "sighup-keeps-sample" sample_converged
check "vipad-alive-after-sighup" vipad_alive

kernel_snapshot "$TMP/k2"
size=$(log_size)
cp "$CONF" "$TMP/good.conf"
printf '[vipa.vi0]\nnetaddr = "10.68.6.1"\nnetmask = "255.255.255.0"\nstate = "sideways"\n' >"$CONF"
hup_vipad
check_within "sighup-invalid-config-logged" 3 bash -c \
  "tail -c +$((size + 1)) '$LOG' | grep -Eq 'vipa\.conf:[0-9]+:[0-9]+'"
check_stays "sighup-invalid-vipad-keeps-running" 0.5 vipad_alive
kernel_snapshot "$TMP/k3"
check "sighup-invalid-state-untouched" same_kernel "$TMP/k2" "$TMP/k3"
iph route del 10.68.77.0/24
check_within "sighup-invalid-old-config-still-enforced" 2 route77_ok

# state = "down", then "detach"
CFG_STATE=down sample_config
hup_vipad
check_within "state-down-takes-vi0-down" 3 vi0_down
check_stays "state-down-stays-down" 0.3 vi0_down
check "vipad-alive-after-state-down" vipad_alive
CFG_STATE=detach sample_config
hup_vipad
check_within "state-detach-removes-vi0" 3 vi0_gone
check_within "state-detach-restores-rp_filter" 2 bash -c \
  "[ \$(ip netns exec $NS_H cat /proc/sys/net/ipv4/conf/en1/rp_filter) = 1 ] &&
   [ \$(ip netns exec $NS_H cat /proc/sys/net/ipv4/conf/en5/rp_filter) = 1 ]"
check "state-detach-restores-arp" bash -c \
  "[ \$(ip netns exec $NS_H cat /proc/sys/net/ipv4/conf/en1/arp_ignore) = 0 ] &&
   [ \$(ip netns exec $NS_H cat /proc/sys/net/ipv4/conf/en5/arp_announce) = 0 ]"
check "connected-route-kept-after-detach" route_get_has 10.68.1.2 "dev en1 "
check_stays "state-detach-vi0-stays-gone" 0.3 vi0_gone
stop_vipad TERM
finish
