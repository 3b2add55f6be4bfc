#!/usr/bin/env bash
# Interface names are bytes: the kernel accepts a name that is not UTF-8, and vipad must carry
# it through its state record, its control answers and its metrics as escaped text
# (docs/security.md), never die on it, and restore the link's sysctls from the record after a
# restart. With interface_names = [] every link uses the VIPA, so the odd pair is vipad's too.
source "$(dirname "$0")/lib.sh" "$@"

BAD=$'bad\xff'
PEER=$'bad\xfe'
STATE=$TMP/run/vipad.state.json
arp_ignore_of() { inh cat "/proc/sys/net/ipv4/conf/$1/arp_ignore"; }

topo_up || {
  fail "topology"
  finish
}
CFG_IFNAMES='[]' sample_config
check "bad-name-link-created" iph link add "$BAD" type veth peer name "$PEER"
iph link set "$BAD" up
iph link set "$PEER" up
inh sysctl -qw "net.ipv4.conf.all.arp_ignore=0"
ORIG=$(arp_ignore_of "$BAD")
note "arp_ignore of bad\\xff before vipad: $ORIG"

# Present before vipad starts (the restart case), then renamed links appear while it runs.
check "vipad-starts" start_vipad
check_within "converged" 10 sample_converged
record_has_bad() { grep -qF '"/proc/sys/net/ipv4/conf/bad\\xff/arp_ignore"' "$STATE"; }
check_within "state-record-holds-escaped-name" 10 record_has_bad
check_within "bad-name-sysctl-set" 10 test "$(arp_ignore_of "$BAD")" = 1
check "status-answers" bash -c '"$1" --socket "$2" status --json >"$3"' _ "$VIPACTL" "$SOCK" \
  "$TMP/status.json"
check "status-is-utf8-json" python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8", errors="strict"))' "$TMP/status.json"
check "status-names-escaped" grep -qF '"bad\\xff"' "$TMP/status.json"

# A new odd link while vipad runs: its events and the record it causes.
check "second-bad-link" iph link add $'odd\x80' type veth peer name $'odd\x81'
iph link set $'odd\x80' up
record_has_odd() { grep -qF 'odd\\x80' "$STATE"; }
check_within "record-has-second" 10 record_has_odd
check "vipad-alive-after-new-link" vipad_alive

check "vipad-stops" stop_vipad
check "vipad-exit-0" test "$VIPAD_RC" = 0
check "vipad-restarts" start_vipad
check_within "converged-after-restart" 10 sample_converged
check "stops-again" stop_vipad
check "cleanup-runs" run_vipad --config "$CONF" --socket "$SOCK" --cleanup
show_output "$TMP/run.err"
check "cleanup-restored-bad-name-sysctl" test "$(arp_ignore_of "$BAD")" = "$ORIG"
finish
