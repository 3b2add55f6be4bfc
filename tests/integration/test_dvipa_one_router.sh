#!/bin/bash
# A Dynamic VIPA announced over OSPF from one host to one FRR router: vipad's announce, metric
# change (a reload with another rank), withdraw and resume by hand, a hung health check
# (killed at its timeout, counted as a failure, withdrawn), adoption after kill -9 (no
# withdraw), and --cleanup (withdraw, then the link goes). The router's own OSPF route is the
# witness; the notify hook's calls and the vipa_dvipa_state metric follow the withdraw and the
# resume. The three-host scenarios are in the lab's tests.
source "$(dirname "$0")/lib.sh" "$@"

command -v curl >/dev/null || {
  echo "curl is not installed"
  exit 1
}
command -v vtysh >/dev/null && [ -x /usr/lib/frr/ospfd ] || {
  echo "FRR is not installed (scripts/install-deps.sh installs it)"
  exit 1
}
topo_up || { fail "topology"; finish; }
chmod 711 "$TMP" # FRR runs as user frr and keeps its sockets below
DV=10.68.9.1

# frr_up NODE NS: zebra and ospfd in NS, as user frr, every path under $TMP/frr-NODE.
frr_up() {
  local d=$TMP/frr-$1 ns=$2 dm
  mkdir -p "$d"
  : >"$d/empty.conf"
  chown -R frr:frr "$d"
  for dm in zebra ospfd; do
    ip netns exec "$ns" /usr/lib/frr/$dm -d -u frr -g frr --vty_socket "$d" -z "$d/zserv.api" \
      -i "$d/$dm.pid" -P 0 -f "$d/empty.conf" --log "file:$d/$dm.log" >>"$d/start.log" 2>&1 ||
      return 1
    wait_for 5 test -S "$d/$dm.vty" || return 1
    BG_PIDS+=("$(cat "$d/$dm.pid")")
  done
}
vt() {
  local node=$1 ns=$2
  shift 2
  local args=()
  for c in "$@"; do args+=(-c "$c"); done
  ip netns exec "$ns" vtysh --vty_socket "$TMP/frr-$node" "${args[@]}"
}
frr_up h "$NS_H" || { fail "FRR on the host"; finish; }
frr_up r1 "$NS_R1" || { fail "FRR on r1"; finish; }
for n in h:"$NS_H":en1:10.68.255.1 r1:"$NS_R1":r1h:10.68.255.11; do
  IFS=: read -r node ns ifc rid <<<"$n"
  vt "$node" "$ns" "configure terminal" "router ospf" "ospf router-id $rid" \
    "timers throttle lsa all 0" "timers lsa min-arrival 0" "timers throttle spf 0 50 500" "exit" \
    "interface $ifc" \
    "ip ospf area 0" "ip ospf network point-to-point" "ip ospf hello-interval 1" \
    "ip ospf dead-interval 3" "ip ospf cost 10" >/dev/null
done
# The way back out (delay_join): a default route through en1.
iph route add default via 10.68.1.2 proto static

# The notify hook records each call's arguments, comma-separated, one call a line.
HOOK=$TMP/dvipa-hook
HOOK_LOG=$TMP/dvipa-hook.log
cat >"$HOOK" <<EOT
#!/bin/sh
IFS=,
echo "\$*" >>"$HOOK_LOG"
EOT
chmod 755 "$HOOK"

write_conf() { # RANK [HEALTH-LINES]
  cat >"$CONF" <<EOT
[daemon]
metrics = "127.0.0.1:9469"
[routing]
daemon = "frr"
daemon_args = ["--vty_socket", "$TMP/frr-h"]
view_interval_ms = 200
[dvipa.web]
address = "$DV"
rank = $1
interface_names = ["en1"]
hold_down_ms = 500
notify = "$HOOK"
${2:-}
EOT
}
# r1's OSPF metric to the DVIPA (empty when it has no OSPF route).
r1_metric() {
  vt r1 "$NS_R1" "show ip route $DV/32 json" | python3 -c '
import json, sys
d = json.load(sys.stdin).get(sys.argv[1], [])
print(next((r["metric"] for r in d if r.get("protocol") == "ospf" and r.get("selected")), ""))' "$DV/32"
}
r1_metric_is() { [ "$(r1_metric)" = "$1" ]; }
r1_no_route() { [ -z "$(r1_metric)" ]; }
ctl() { ip netns exec "$NS_H" "$VIPACTL" --socket "$SOCK" "$@"; }
state_is() { ctl dvipa web --json | grep -q "\"state\": \"$1\""; }
log_has() { grep -q -- "$1" "$LOG"; }
dv_addr() { iph -4 addr show dev vd-web 2>/dev/null | grep -q "inet $DV/32"; }
hook_ran() { grep -q -- "^$1" "$HOOK_LOG" 2>/dev/null; }
# The scrape's vipa_dvipa_state for web is 1 for STATE (and so 0 for every other state).
metric_state_is() {
  inh curl -sS --max-time 3 http://127.0.0.1:9469/metrics >"$TMP/metrics.txt" &&
    grep -qx "vipa_dvipa_state{dvipa=\"web\",state=\"$1\"} 1" "$TMP/metrics.txt"
}

write_conf 200
ip netns exec "$NS_H" "$VIPAD" --config "$CONF" --socket "$SOCK" >>"$LOG" 2>&1 &
VIPAD_PID=$!
check_within "the DVIPA's link holds the address" 10 dv_addr
# Cost 39808 (rank 200) + the host link's 10.
check_within "r1 learns the DVIPA with rank 200's metric" 20 r1_metric_is 39818
check_within "the host sees itself owner in OSPF's database" 5 state_is active
check "vipactl dvipa shows r1's view" bash -c "ctl() { ip netns exec $NS_H $VIPACTL --socket $SOCK \"\$@\"; }; ctl dvipa | grep -q 'owner       10.68.255.1 (this host)'"
check "netstat vipadyn: ACTIVE, rank 200" bash -c "ip netns exec $NS_H $VIPACTL --socket $SOCK netstat vipadyn | grep -q 'STATUS: ACTIVE .*RANK: 200'"

write_conf 100
kill -HUP "$VIPAD_PID"
check_within "a reload to rank 100 changes r1's metric" 10 r1_metric_is 52618

check_within "the metrics say active" 5 metric_state_is active
check "the notify hook saw the DVIPA become active" hook_ran "dvipa,web,,[a-z]*,active$"

check "vipactl dvipa withdraw" ctl dvipa withdraw web
check_within "withdrawn: r1 has no route to the DVIPA" 10 r1_no_route
check "the address stays on the host while withdrawn" dv_addr
check_within "the notify hook ran for active -> withdrawn" 5 hook_ran "dvipa,web,,active,withdrawn$"
check_within "the metrics say withdrawn" 5 metric_state_is withdrawn
check "vipactl dvipa resume" ctl dvipa resume web
check_within "resumed: r1 learns it again" 10 r1_metric_is 52618
check_within "the notify hook ran for leaving withdrawn" 5 hook_ran "dvipa,web,,withdrawn,[a-z]*$"
check_within "the metrics say active again" 5 metric_state_is active

# A health check that hangs: killed at timeout_ms, each a failure; fall 2 withdraws.
write_conf 100 "[dvipa.web.health]
exec = [\"/bin/sleep\", \"30\"]
interval_ms = 200
timeout_ms = 100
rise = 1
fall = 2"
kill -HUP "$VIPAD_PID"
check_within "a hung health check withdraws the DVIPA" 10 r1_no_route
check "the vipad log says the check was killed" log_has "health check unhealthy (killed after 100 ms (timeout))"
# Every timed-out check is killed: at most the one in flight (checks run every 200 ms) is alive.
check "no hung check left running" bash -c "[ \$(ip netns pids $NS_H | xargs -r -n1 ps -o comm= -p | grep -cx sleep) -le 1 ]"
write_conf 100
kill -HUP "$VIPAD_PID"
check_within "healthy again: r1 learns it after the hold-down" 10 r1_metric_is 52618

# kill -9: FRR keeps announcing; the next vipad adopts it without a withdraw.
WITHDRAWS_BEFORE=$(grep -c "web: withdrawn (frr/ospf)" "$LOG")
kill -KILL "$VIPAD_PID"
wait "$VIPAD_PID" 2>/dev/null
check "after kill -9 r1 still has the DVIPA" r1_metric_is 52618
ip netns exec "$NS_H" "$VIPAD" --config "$CONF" --socket "$SOCK" >>"$LOG" 2>&1 &
VIPAD_PID=$!
check_within "the next vipad adopts the announcement" 10 log_has "adopted the announcement frr/ospf kept (metric 52608)"
check_within "and is active" 5 state_is active
check "no withdraw at the restart" test "$(grep -c "web: withdrawn (frr/ospf)" "$LOG")" = "$WITHDRAWS_BEFORE"

# FRR loses the announcement (as after its restart): vipad puts it back.
vt h "$NS_H" "configure terminal" "interface vd-web" "no ip ospf area" >/dev/null
check_within "vipad re-asserts a lost announcement" 10 log_has "putting it back"
check_within "r1 learns it again" 10 r1_metric_is 52618

stop_vipad
check "SIGTERM leaves the announcement" r1_metric_is 52618
run_vipad --cleanup --config "$CONF" --socket "$SOCK"
check "--cleanup succeeds" test $? -eq 0
check_within "--cleanup withdrew it" 10 r1_no_route
check_not "--cleanup removed the DVIPA's link" iph link show vd-web
check_not "no sanitizer report" grep -Eq "AddressSanitizer|runtime error|LeakSanitizer" "$LOG" "$TMP/run.err"
finish
