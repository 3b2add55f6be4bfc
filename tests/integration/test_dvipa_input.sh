#!/usr/bin/env bash
# Dynamic VIPA bad input: each bad rank, address (an IPv6 one over OSPF too), health setting and
# routing setting is refused by `vipad --check` with FILE:LINE:COLUMN on the offending line
# (exit 2); a reload with one is refused and changes nothing; a health command that hangs is killed at its timeout and counts
# as a failure; vipactl dvipa of an unknown name exits 2.
# Run by ctest as `bash test_dvipa_input.sh VIPAD VIPACTL`, as root.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh" "$@"
export VIPAD VIPACTL
source "$HERE/lib_dvipa.sh"
source "$HERE/lib_dvipa_checks.sh"
dyn_test_traps

if ! dv_engine_present; then
  fail "vipad-knows-dvipa" "vipad --check refuses a [dvipa.*] table"
  dyn_finish
fi

# bad_conf NAME 'LINE TO BREAK' 'REPLACEMENT': a good config with one line replaced; the error
# must name the file and the replaced line.
GOOD=$DYN_DIR/good.conf
cat >"$GOOD" <<'EOF'
[routing]
daemon = "frr"
announce = "ospf"
view_interval_ms = 500

[dvipa.web]
address = "10.68.9.1"
rank = 200
takeback = "whenidle"
interface_names = ["en1"]

[dvipa.web.health]
exec = ["/bin/true"]
interval_ms = 200
timeout_ms = 150
rise = 3
fall = 2
EOF
check "input-good-config-accepted" "$VIPAD" --check --config "$GOOD"
bad_conf() {
  local name=$1 from=$2 to=$3 f=$DYN_DIR/bad-$1.conf line out rc
  line=$(grep -nxF -- "$from" "$GOOD" | cut -d: -f1)
  [ -n "$line" ] || { echo "no line '$from'"; return 1; }
  awk -v n="$line" -v t="$to" 'NR == n {print t; next} {print}' "$GOOD" >"$f"
  out=$("$VIPAD" --check --config "$f" 2>&1)
  rc=$?
  echo "exit $rc: $out"
  [ $rc = 2 ] && grep -Eq "^$f:$line:[0-9]+: " <<<"$out"
}
while IFS='|' read -r name from to; do
  check "input-$name" bad_conf "$name" "$from" "$to"
done <<'EOF'
rank-0|rank = 200|rank = 0
rank-255|rank = 200|rank = 255
rank-string|rank = 200|rank = "high"
address-bad|address = "10.68.9.1"|address = "10.68.9.300"
address-multicast|address = "10.68.9.1"|address = "224.0.0.18"
address-not-ip|address = "10.68.9.1"|address = "web.example"
address-ipv6-over-ospf|address = "10.68.9.1"|address = "2001:db8:9::1"
takeback-unknown|takeback = "whenidle"|takeback = "later"
health-interval-too-short|interval_ms = 200|interval_ms = 5
health-timeout-over-interval|timeout_ms = 150|timeout_ms = 300
health-rise-0|rise = 3|rise = 0
health-fall-negative|fall = 2|fall = -1
health-exec-empty|exec = ["/bin/true"]|exec = []
health-tcp-not-literal|exec = ["/bin/true"]|tcp = "localhost:80"
health-http-not-http|exec = ["/bin/true"]|http = "ftp://127.0.0.1/"
routing-announce-unknown|announce = "ospf"|announce = "rip"
routing-view-interval|view_interval_ms = 500|view_interval_ms = 1
dvipa-name-too-long|[dvipa.web]|[dvipa.web-with-a-long-name]
EOF
# Two kinds of health check at once: the error names the table or the second key.
both() {
  local f=$DYN_DIR/bad-both.conf out line hdr
  sed 's#^exec = .*#&\ntcp = "127.0.0.1:80"#' "$GOOD" >"$f"
  line=$(grep -n '^tcp = ' "$f" | cut -d: -f1)
  hdr=$(grep -n '^\[dvipa.web.health\]' "$f" | cut -d: -f1)
  out=$("$VIPAD" --check --config "$f" 2>&1)
  echo "exit $?: $out"
  grep -Eq "^$f:($hdr|$line):[0-9]+: " <<<"$out"
}
check "input-health-exec-and-tcp" both
# An IPv6 DVIPA over OSPF is refused with a reason (OSPFv3 is not supported); over BGP it is
# accepted.
v6_ospf_says_why() {
  local f=$DYN_DIR/bad-address-ipv6-over-ospf.conf
  "$VIPAD" --check --config "$f" 2>&1 | grep -q 'is IPv6, which \[routing\] announce = "ospf" cannot carry'
}
check "input-ipv6-over-ospf-says-why" v6_ospf_says_why
sed -e 's/^announce = .*/announce = "bgp"/' -e 's/^address = .*/address = "2001:db8:9::1"/' \
  "$GOOD" >"$DYN_DIR/v6-bgp.conf"
check "input-ipv6-over-bgp-accepted" "$VIPAD" --check --config "$DYN_DIR/v6-bgp.conf"

# A running vipad: a health command that hangs (sleep 30, timeout 100 ms) is killed each time
# and counts as a failure; a bad reload changes nothing.
ip netns add "$DYN-h1" && ip -n "$DYN-h1" link set lo up &&
  ip -n "$DYN-h1" link add en1 type veth peer name en1p && ip -n "$DYN-h1" link set en1 up &&
  ip -n "$DYN-h1" link set en1p up
mkdir -p "$DYN_DIR/h1/run"
sed -e 's#^exec = .*#exec = ["/bin/sleep", "30"]#' -e 's/^interval_ms = .*/interval_ms = 300/' \
  -e 's/^timeout_ms = .*/timeout_ms = 100/' -e 's/^fall = .*/fall = 1/' \
  -e "s#^daemon = .*#&\nvtysh = \"$(command -v vtysh)\"\ndaemon_args = [\"--vty_socket\", \"$DYN_DIR/h1\"]#" \
  "$GOOD" >"$DYN_DIR/h1/vipa.conf"
check "input-vipad-starts" dyn_vipad_start h1
failures_at_least() { [ "$(dv_field h1 health.failures)" -ge "$1" ]; }
check_within "input-hanging-check-counts-as-failure" 15 failures_at_least 3
check "input-hanging-check-unhealthy" bash -c "[ \"\$('$VIPACTL' --socket '$DYN_DIR/h1/run/vipad.sock' dvipa web --json | jq -r '.dvipas[0].health.healthy')\" = false ]"
# At most the one check in flight is alive: every earlier one was killed at its timeout.
sleeps() { ip netns pids "$DYN-h1" | xargs -r ps -o args= -p | grep -c '^/bin/sleep 30' || true; }
few_sleeps() {
  local n
  n=$(sleeps)
  echo "sleep 30 processes alive: $n"
  [ "$n" -le 1 ]
}
check "input-hanging-checks-killed" few_sleeps
rank_before=$(dv_field h1 rank)
sed -i 's/^rank = .*/rank = 999/' "$DYN_DIR/h1/vipa.conf"
check_not "input-bad-reload-refused" dvctl h1 reload
same_rank() { [ "$(dv_field h1 rank)" = "$rank_before" ]; }
check "input-bad-reload-changes-nothing" same_rank
unknown_name() {
  dvctl h1 dvipa nosuch >/dev/null 2>&1
  [ $? = 2 ]
}
check "input-vipactl-unknown-dvipa-exit-2" unknown_name
dyn_finish
