# shellcheck shell=bash
# Dead gateway detection helpers, sourced after lib.sh by test_dgd*.sh and bench/dgd_*.sh.
#
# IBM's sample topology already has what DGD needs: two routers, each with an uplink to c, whose
# loopback 10.68.200.1 / 2001:db8:200::1 is the tracked target. What it lacks is c's way back
# to the host's physical addresses (only the VIPA is routed there): the probes' echoes come from
# 10.68.1.1 / 10.68.5.1, never from the VIPA, as corporate routers would know these subnets.

DGD_PING_MS=${DGD_PING_MS:-50}
DGD_LOST=${DGD_LOST:-3}
DGD_RETRY_MS=${DGD_RETRY_MS:-100}

# dgd_back_routes_add r1|r5: c reaches that router's host-side subnet through it.
dgd_back_routes_add() {
  local n=${1#r}
  ipc route replace 10.68.$n.0/24 via 10.68.1$n.1
  ipc -6 route replace 2001:db8:$n::/64 via 2001:db8:1$n::1
}

# dgd_config [FILE]: the sample's VIPA; defaults via r1 (metric 10) and r5 (metric 20) in both
# families, all with active_dgd and c's loopback tracked; the [dgd] timers from DGD_*.
# DGD_EXTRA: more lines at the end (more routes, passive_dgd).
dgd_config() {
  local f=${1:-$CONF} gw m fam
  {
    echo '[vipa.vi0]'
    echo "netaddr = \"$VIPA4\""
    echo 'netmask = "255.255.255.0"'
    echo 'interface_names = ["en1", "en5"]'
    echo "netaddr6 = \"$VIPA6\""
    echo 'prefixlen = 64'
    for gw in 10.68.1.2:10 10.68.5.2:20 2001:db8:1::2:10 2001:db8:5::2:20; do
      m=${gw##*:}
      gw=${gw%:*}
      fam=4
      [[ $gw == *:* ]] && fam=6
      echo
      echo '[[route]]'
      [ $fam = 4 ] && echo 'destination = "default"' || echo 'destination = "::/0"'
      echo "gateway = \"$gw\""
      echo "metric = $m"
      echo 'active_dgd = true'
      [ $fam = 4 ] && echo "track = [\"$REMOTE4\"]" || echo "track = [\"$REMOTE6\"]"
    done
    echo
    echo '[dgd]'
    echo "ping_time_ms = $DGD_PING_MS"
    echo "packets_lost = $DGD_LOST"
    echo "retry_time_ms = $DGD_RETRY_MS"
    [ -n "${DGD_EXTRA:-}" ] && printf '\n%s\n' "$DGD_EXTRA"
  } >"$f"
}

# dgd_converged: both families' defaults via both routers, with the VIPA source.
dgd_converged() {
  owned_default 10.68.1.2 en1 10 && owned_default 10.68.5.2 en5 20 &&
    owned_default 2001:db8:1::2 en1 10 && owned_default 2001:db8:5::2 en5 20
}

# no_default_via GW: no default route via GW in the host's main table (withdrawn by DGD).
no_default_via() {
  local fam=-4
  [[ $1 == *:* ]] && fam=-6
  ! iph $fam route show default | grep -q "via $1 "
}

# leaves_via DST GW DEV SRC: the host sends to DST through GW on DEV from SRC.
leaves_via() {
  route_get_has "$1" "via ${2//./\\.} dev $3 .*src ${4//./\\.} "
}

carrier_on() { ! iph link show "$1" | grep -q NO-CARRIER; }

# ---------------------------------------------------------------- vipad's view

# events_start: `vipactl monitor --json` into EVENTS_FILE.
events_start() {
  EVENTS_FILE=$TMP/events.$RANDOM
  bg "$VIPACTL" --socket "$SOCK" monitor --json >"$EVENTS_FILE" 2>&1
  EVENTS_PID=$BG_LAST
  monitor_subscribed "$EVENTS_FILE"
}
# event_seen NAME REGEX: an event NAME whose line matches REGEX was received.
event_seen() { grep "\"event\":\"$1\"" "$EVENTS_FILE" 2>/dev/null | grep -Eq -- "$2"; }
# event_count NAME REGEX
event_count() { grep "\"event\":\"$1\"" "$EVENTS_FILE" 2>/dev/null | grep -Ec -- "$2"; }

# gateway_json KEY_PREFIX: the status "gateways" entry whose key starts with KEY_PREFIX ("%").
gateway_json() {
  "$VIPACTL" --socket "$SOCK" status --json 2>/dev/null |
    jq -c --arg k "$1%" '.gateways[]? | select(.key | startswith($k))'
}
# gateway_field_is GW FIELD VALUE (jq's rendering, e.g. true, "ARP ...")
gateway_field_is() { [ "$(gateway_json "$1" | jq -c ".$2")" = "$3" ]; }
gateway_reason_has() { gateway_json "$1" | jq -r .reason | grep -Eq -- "$2"; }
