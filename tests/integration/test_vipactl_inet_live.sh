#!/usr/bin/env bash
# AIX's network-wide commands against the live kernel in the sample's topology: lsdev -Cc if,
# netstat -in (counters that move with traffic), netstat -C, no, route and chdev/lsattr on
# inet0. Every change is validated, applied to the kernel and recorded in
# vipa.conf.d/50-vipactl-inet0.toml; a refused one changes neither; records survive a restart.
source "$(dirname "$0")/lib.sh" "$@"

ctl() { ip netns exec "$NS_H" "$VIPACTL" --socket "$SOCK" "$@"; }
out_has() { "${@:2}" >"$TMP/out" 2>&1 && grep -Eq -- "$1" "$TMP/out"; }
record() { echo "$CONF.d/50-vipactl-inet0.toml"; }
kroute_has() { iph -4 route show "$@" | grep -q .; }
en1_opkts() { ctl netstat -in | awk '$1 == "en1" && $3 == "10.68.1" {print $7}'; }
opkts_above() { [ "$(en1_opkts)" -gt "$1" ]; }

[ -x "$VIPACTL" ] || { fail "vipactl binary (arg 2)"; finish; }
topo_up || {
  fail "topology"
  finish
}
CFG_V6=0
sample_config
cp "$CONF" "$TMP/conf.orig"
check "vipad-starts" start_vipad
check_within "sample-converged" 3 sample_converged

# Views.
check "lsdev-vi0" out_has '^vi0 Available  Virtual IP Address Network Interface$' ctl lsdev -Cc if
check "lsdev-lo" out_has '^lo +Available  Loopback Network Interface$' ctl lsdev -C -c if
check "lsdev-en1" out_has '^en1 +Available  ' ctl lsdev -Cc if
check "netstat-in-header" out_has '^Name  Mtu   Network     Address +Ipkts Ierrs +Opkts Oerrs  Coll$' ctl netstat -in
check "netstat-in-vi0" out_has '^vi0 +[0-9]+ +10\.68\.6 +10\.68\.6\.1 ' ctl netstat -in
check "netstat-in-en1-link" out_has '^en1 +1500 +link#[0-9]+ +[0-9a-f.]+ ' ctl netstat -in
before=$(en1_opkts)
ping_from "$NS_H" 10.68.1.2 >/dev/null 2>&1
check_within "netstat-in-counters-move" 3 opkts_above "${before:-0}"
check "netstat-C-costs" out_has '^default +10\.68\.1\.2 +UG +1  - +en1 +10 +10  -$' ctl netstat -C -f inet
check "netstat-C-second" out_has '^default +10\.68\.5\.2 +UG +1  - +en5 +20 +20  -$' ctl netstat -C -f inet
check "no-a" out_has '^ +dgd_ping_time = 0\.1$' ctl no -a
check "lsattr-inet0-empty-record" out_has '^route net,-hopcount,10,,0,10\.68\.1\.2 ' ctl lsattr -El inet0

# Refusals: exit 2, nothing changed, nothing recorded.
kernel_snapshot "$TMP/k-before"
for bad in "no -o dgd_ping_time=0.001" "no -o tcp_sendspace=1" "no -p -o dgd_packets_lost=0" \
  "route add -net 10.68.7.0/24 10.68.5.300" "route add default 10.68.1.2" \
  "route add -net 10.68.7.0 10.68.5.2" "route delete -net 10.68.9.0/24 10.68.5.2" \
  "chdev -l inet0 -a route=net,-hopcount,x,,0,10.68.5.2" \
  "chdev -l inet0 -a route=net,-hopcount,1,,10.68.8.0/24,10.68.5.2 -a route=bogus"; do
  # shellcheck disable=SC2086
  ctl $bad >"$TMP/bad.out" 2>&1
  check "refused: $bad" test $? = 2
done
kernel_snapshot "$TMP/k-after"
check "refusals-left-kernel-alone" diff -q "$TMP/k-before" "$TMP/k-after"
check "refusals-left-no-record" test ! -e "$(record)"

# no: running only, -p now and recorded, -r recorded only.
check "no-set-running" out_has '^Setting dgd_ping_time to 0.5$' ctl no -o dgd_ping_time=0.5
check "no-running-value" out_has '^dgd_ping_time = 0\.5$' ctl no -o dgd_ping_time
check "no-running-not-recorded" test ! -e "$(record)"
check "no-p" out_has 'in nextboot file' ctl no -p -o dgd_packets_lost=4
check "no-p-recorded" grep -qx 'packets_lost = 4' "$(record)"
check "no-p-running" out_has '^dgd_packets_lost = 4$' ctl no -o dgd_packets_lost
check "no-r" ctl no -r -o passive_dgd=1
check "no-r-recorded" out_has '^passive_dgd = 1$' ctl no -r -o passive_dgd
check "no-r-not-running" out_has '^passive_dgd = 0$' ctl no -o passive_dgd
ctl no -p -o dgd_ping_time=0.0125 >"$TMP/out" 2>"$TMP/err"
check "no-rounding-notice" grep -q 'rounded to 13 ms' "$TMP/err"
check "no-rounded-recorded" grep -qx 'ping_time_ms = 13' "$(record)"

# route: applied with the VIPA as source, recorded, shown by lsattr; delete undoes both.
check "route-add" out_has '^net 10\.68\.7\.0/24: gateway 10\.68\.5\.2$' \
  ctl route add -net 10.68.7.0 -netmask 255.255.255.0 10.68.5.2 -hopcount 5
check_within "route-in-kernel" 3 kroute_has 10.68.7.0/24 via 10.68.5.2 src 10.68.6.1 metric 5
check "route-recorded" grep -q 'destination = "10.68.7.0/24"' "$(record)"
check "lsattr-inet0-shows-it" out_has '^route net,-hopcount,5,-netmask,255\.255\.255\.0,,10\.68\.7\.0,10\.68\.5\.2 ' \
  ctl lsattr -El inet0 -a route
check "route-delete" ctl route delete -net 10.68.7.0/24 10.68.5.2
check_within "route-gone-from-kernel" 3 bash -c "! ip -n $NS_H -4 route show 10.68.7.0/24 | grep -q ."
check "route-delete-unrecorded" bash -c "! grep -q '10.68.7.0/24' '$(record)'"
# -host, -if and -active_dgd: a host route through en5 with dead gateway detection of its own;
# netstat -C follows its gateway from alive to dead (the router's address gone) and back.
check "route-add-host-dgd" ctl route add -host 10.68.7.9 10.68.5.2 -if en5 -active_dgd -hopcount 3
check_within "host-route-in-kernel" 3 kroute_has 10.68.7.9 via 10.68.5.2 dev en5 metric 3
check "host-route-recorded" grep -q 'destination = "10.68.7.9/32"' "$(record)"
check "lsattr-shows-if-and-dgd" out_has '^route host,-hopcount,3,-if,en5,-active_dgd,,10\.68\.7\.9,10\.68\.5\.2 ' \
  ctl lsattr -El inet0
dgd_line_is() { out_has "^10\.68\.7\.9 +10\.68\.5\.2 .* en5 .* $1\$" ctl netstat -C -f inet; }
check_within "netstat-C-alive" 5 dgd_line_is alive
ipr5 addr del 10.68.5.2/24 dev r5h
check_within "netstat-C-dead" 10 dgd_line_is dead
ipr5 addr add 10.68.5.2/24 dev r5h
check_within "netstat-C-alive-again" 10 dgd_line_is alive
check "route-delete-host" ctl route delete -host 10.68.7.9 10.68.5.2
check_within "host-route-gone" 3 bash -c "! ip -n $NS_H -4 route show 10.68.7.9 | grep -q ."
# A route of the administrator's file: deleted by a recorded tombstone; the file is untouched.
check "route-delete-main-file-route" ctl route delete default 10.68.5.2
check_within "default-via-r5-gone" 3 bash -c "! ip -n $NS_H -4 route show default | grep -q 10.68.5.2"
check "tombstone-recorded" grep -q 'deleted = true' "$(record)"
check "admin-file-untouched" cmp -s "$CONF" "$TMP/conf.orig"
check "chdev-inet0-route" ctl chdev -l inet0 -a route=net,-hopcount,0,-netmask,255.255.255.0,,10.68.8.0,10.68.1.2
check_within "chdev-route-in-kernel" 3 kroute_has 10.68.8.0/24 via 10.68.1.2
check "chdev-inet0-P" ctl chdev -l inet0 -a route=net,-hopcount,0,-netmask,255.255.255.0,,10.68.9.0,10.68.1.2 -P
check_stays "P-not-applied" 0.5 bash -c "! ip -n $NS_H -4 route show 10.68.9.0/24 | grep -q ."

# The records survive a restart: 10.68.8/24 and 10.68.9/24 in, default via r5 out, tunables.
check "vipad-stops" stop_vipad
check "vipad-restarts" start_vipad
check_within "recorded-route-after-restart" 5 kroute_has 10.68.9.0/24 via 10.68.1.2
check_within "deleted-route-stays-deleted" 5 bash -c "! ip -n $NS_H -4 route show default | grep -q 10.68.5.2"
check "recorded-tunable-after-restart" out_has '^dgd_packets_lost = 4$' ctl no -o dgd_packets_lost
check "delroute" ctl chdev -l inet0 -a delroute=net,-hopcount,0,-netmask,255.255.255.0,,10.68.9.0,10.68.1.2
check_within "delroute-applied" 3 bash -c "! ip -n $NS_H -4 route show 10.68.9.0/24 | grep -q ."
check "vipad-still-alive" vipad_alive
check "no-sanitizer-reports" bash -c "! grep -q 'ERROR: AddressSanitizer\|runtime error:' '$LOG'"
finish
