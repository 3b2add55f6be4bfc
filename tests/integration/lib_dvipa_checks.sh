# shellcheck shell=bash
# The Dynamic VIPA checks shared by test_dvipa_lab_ospf.sh and test_dvipa_lab_bgp.sh (the same list
# over either protocol) and the other test_dvipa_*.sh: sourced after lib.sh and lib_dvipa.sh.
# Every check waits for an event (the client's answers, `vipactl dvipa --json`, the routers'
# routes); none asserts a latency. Times are printed as notes; bench/dvipa_takeover.sh measures.

# ---------------------------------------------------------------- what vipad says

dvj() { dvctl "$1" dvipa web --json 2>/dev/null; }
dv_field() { dvj "$1" | jq -r ".dvipas[0].$2 // \"none\""; }
dv_state() { dv_field "$1" state; }
dv_state_is() { # HOST STATE...
  local h=$1 s
  s=$(dv_state "$h")
  shift
  for want in "$@"; do [ "$s" = "$want" ] && return 0; done
  echo "$h is $s, not $*"
  return 1
}
dv_owner() { dv_field "$1" owner.id; }
dv_has_problem() { dvj "$1" | jq -e --arg p "$2" '.dvipas[0].problems | index($p) != null' >/dev/null; }

# dv_agree OWNER [HOST...]: OWNER says it is active (or sticky) and the owner; every HOST
# (default: every host) names the same owner, and only OWNER says "self". One vipactl call
# per host.
dv_agree() {
  local owner=$1 id h j st self oid
  shift
  local hosts=("$@")
  [ ${#hosts[@]} -eq 0 ] && hosts=("${DYN_HOSTS[@]}")
  j=$(dvj "$owner")
  read -r st self id < <(jq -r '.dvipas[0] | "\(.state) \(.owner.self // false) \(.owner.id // "none")"' <<<"$j")
  case $st in active | sticky) ;; *) echo "$owner is $st"; return 1 ;; esac
  [ "$self" = true ] || { echo "$owner: owner.self is not true"; return 1; }
  for h in "${hosts[@]}"; do
    [ "$h" = "$owner" ] && continue
    j=$(dvj "$h")
    read -r st self oid < <(jq -r '.dvipas[0] | "\(.state) \(.owner.self // false) \(.owner.id // "none")"' <<<"$j")
    [ "$oid" = "$id" ] || { echo "$h says the owner is $oid, $owner says $id"; return 1; }
    [ "$self" = false ] || { echo "$h says it owns it too"; return 1; }
    case $st in standby | withdrawn) ;; *) echo "$h is $st"; return 1 ;; esac
  done
}
# dv_owned_by HOST [HOST...]: the client, both routers and the vipads named agree on HOST.
dv_owned_by() {
  local owner=$1
  dyn_probe_reaches "$owner" || { echo "the client reaches $(dyn_probe last)"; return 1; }
  dyn_routers_choose "$owner" || { echo "routers: r1 -> $(dyn_choice r1), r2 -> $(dyn_choice r2)"; return 1; }
  dv_agree "$@"
}
# dv_steady: h1 owns it and every BFD session is up (so the next failure is seen by BFD).
dv_steady() { dv_owned_by h1 && dyn_all_routing_up; }
dv_addr_held() { ip -n "$DYN-$1" -4 addr show dev vd-web 2>/dev/null | grep -q "inet $DVIPA/32"; }

# vipad's event stream of a host, to a file (dvipa, dvipa_announce, dvipa_problem ...).
dv_monitor_start() {
  local h=$1
  : >"$DYN_DIR/$h/monitor.json"
  dyn_bg bash -c "exec '$VIPACTL' --socket '$DYN_DIR/$h/run/vipad.sock' monitor --json >>'$DYN_DIR/$h/monitor.json' 2>&1"
  eval "DV_MON_$h=$DYN_LAST"
  sleep 0.2
}
dv_monitor_stop() { local v="DV_MON_$1"; [ -n "${!v:-}" ] && dyn_kill "${!v}"; eval "DV_MON_$1="; }
dv_events() { # HOST EVENT: the number of EVENT lines seen so far
  grep -c "\"event\":\"$2\"" "$DYN_DIR/$1/monitor.json" 2>/dev/null || true
}
dv_event_seen() { grep "\"event\":\"$2\"" "$DYN_DIR/$1/monitor.json" 2>/dev/null | grep -q "${3:-}"; }

# dv_log_clean: no sanitizer report in any vipad log.
dv_log_clean() {
  ! grep -El "AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:" \
    "$DYN_DIR"/h*/vipad.log 2>/dev/null | grep -q .
}

dyn_finish() {
  check "vipad-logs-free-of-sanitizer-reports" dv_log_clean
  [ "$FAIL" -gt 0 ] && dyn_diag
  dyn_down
  finish
}
dyn_test_traps() {
  trap 'dyn_down; cleanup' EXIT
  trap 'echo "interrupted"; dyn_down; cleanup; exit 130' INT TERM
}

# ---------------------------------------------------------------- the scenarios

# Each starts and ends with h1 the owner and everything healthy.

dv_check_ownership() {
  check_within "$DYN_MODE-ownership-every-vipad-agrees-h1" 30 dv_agree h1
  check_within "$DYN_MODE-ownership-client-reaches-h1" 10 dyn_probe_reaches h1
  check "$DYN_MODE-ownership-routers-kernel-choose-h1" dyn_routers_choose h1
  frr_rib_h1() { [ "$(dyn_frr_choice r1)" = h1 ] && [ "$(dyn_frr_choice r2)" = h1 ]; }
  check "$DYN_MODE-ownership-routers-rib-choose-h1" frr_rib_h1
  check "$DYN_MODE-ownership-h1-active" dv_state_is h1 active
  check "$DYN_MODE-ownership-backups-hold-address" dv_addr_held h3
}

# dv_check_takeover carrier|silent
dv_check_takeover() {
  local how=$1
  check_within "$DYN_MODE-takeover-$how-steady-before" 40 dv_steady
  dyn_fail h1 "$how"
  local t=$DYN_FAIL_T
  check_within "$DYN_MODE-takeover-$how-client-reaches-h2" 15 dyn_probe_reaches h2
  note "$how: first new connection answered by h2 $(dyn_probe first "$t" h2) ms after the failure"
  check_within "$DYN_MODE-takeover-$how-h2-h3-agree" 15 dv_agree h2 h2 h3
  check "$DYN_MODE-takeover-$how-routers-choose-h2" dyn_routers_choose h2
  dyn_restore h1 "$how"
  check_within "$DYN_MODE-takeover-$how-h1-returns" 40 dv_owned_by h1
}

# dv_check_health: needs DYN_HEALTH=1 (the check fails while $DYN_DIR/h1/sick exists).
dv_check_health() {
  local t
  check_within "$DYN_MODE-health-steady-before" 40 dv_steady
  t=$EPOCHREALTIME
  touch "$DYN_DIR/h1/sick"
  check_within "$DYN_MODE-health-withdraw-client-reaches-h2" 15 dyn_probe_reaches h2
  note "health: h2 answers $(dyn_probe first "$t" h2) ms after the check started failing"
  check_within "$DYN_MODE-health-h1-withdrawn" 5 dv_state_is h1 withdrawn
  check "$DYN_MODE-health-address-kept-on-h1" dv_addr_held h1
  zero_fails() { [ "$(dyn_probe fails "$t")" = 0 ]; }
  check "$DYN_MODE-health-withdraw-0-failed-connections" zero_fails
  check_within "$DYN_MODE-health-routers-choose-h2" 5 dyn_routers_choose h2
  t=$EPOCHREALTIME
  rm -f "$DYN_DIR/h1/sick"
  check_within "$DYN_MODE-health-recovered-h1-owner-again" 40 dv_owned_by h1
  check "$DYN_MODE-health-return-0-failed-connections" zero_fails
}

# kill -9 of the owner's vipad: FRR keeps the announcement, the next vipad adopts it; the
# routers see no route change at all.
dv_check_kill9() {
  check_within "$DYN_MODE-kill9-steady-before" 20 dv_owned_by h1
  dyn_monitor_start r1
  dyn_monitor_start r2
  sleep 0.3
  dyn_vipad_kill9 h1
  check "$DYN_MODE-kill9-vipad-started-again" dyn_vipad_start h1
  check_within "$DYN_MODE-kill9-adopted-active" 20 dv_state_is h1 active
  check_within "$DYN_MODE-kill9-all-agree" 20 dv_agree h1
  # A withdrawal and re-announcement would show within a view interval or two.
  check_stays "$DYN_MODE-kill9-still-active" 2 dv_state_is h1 active
  no_route_changes() {
    local a b
    a=$(dyn_route_changes r1)
    b=$(dyn_route_changes r2)
    echo "route changes for $DVIPA: r1 $a, r2 $b"
    [ "$a" = 0 ] && [ "$b" = 0 ]
  }
  check "$DYN_MODE-kill9-routers-saw-0-route-changes" no_route_changes
  check "$DYN_MODE-kill9-client-still-h1" dyn_probe_reaches h1
}

# FRR restarted on the owner: the announcement is gone with it; vipad puts it back.
dv_check_frr_restart() {
  check_within "$DYN_MODE-frr-restart-steady-before" 20 dv_owned_by h1
  dyn_frr_stop h1
  check_within "$DYN_MODE-frr-stopped-client-reaches-h2" 15 dyn_probe_reaches h2
  if dyn_frr_start h1 && dyn_frr_load h1 "$DYN_DIR/h1/frr.conf"; then
    pass "$DYN_MODE-frr-restarted"
  else
    fail "$DYN_MODE-frr-restarted"
  fi
  check_within "$DYN_MODE-frr-restart-announcement-back-h1-owner" 60 dv_owned_by h1
}

# dv_set_rank HOST RANK: a reload with another rank.
dv_set_rank() {
  local h=$1
  sed -i "s/^rank = .*/rank = $2/" "$DYN_DIR/$h/vipa.conf"
  dvctl "$h" reload
}
dv_check_reload_rank() {
  check_within "$DYN_MODE-reload-steady-before" 20 dv_owned_by h1
  check "$DYN_MODE-reload-h3-rank-250" dv_set_rank h3 250
  check_within "$DYN_MODE-reload-h3-becomes-owner" 20 dv_owned_by h3
  check "$DYN_MODE-reload-h3-rank-50" dv_set_rank h3 50
  check_within "$DYN_MODE-reload-h1-owner-again" 20 dv_owned_by h1
}

# Nobody announces while h1 is eligible: h2 and h3 withdrawn by hand, then h1's announcement
# removed from its FRR behind vipad's back. vipad reports it, and puts the announcement back.
dv_remove_announcement() {
  local h=$1 i=${DYN_IDX[$1]}
  if [ "$DYN_MODE" = ospf ]; then
    dyn_vtysh "$h" -c "configure terminal" -c "interface vd-web" -c "no ip ospf area"
  else
    dyn_vtysh "$h" -c "configure terminal" -c "router bgp 6508$i" \
      -c "address-family ipv4 unicast" -c "no network $DVIPA/32"
  fi
}
dv_check_unannounced() {
  check_within "$DYN_MODE-truth-steady-before" 20 dv_owned_by h1
  check "$DYN_MODE-truth-withdraw-h2-by-hand" dvctl h2 dvipa withdraw web
  check "$DYN_MODE-truth-withdraw-h3-by-hand" dvctl h3 dvipa withdraw web
  both_withdrawn() { dv_state_is h2 withdrawn && dv_state_is h3 withdrawn; }
  check_within "$DYN_MODE-truth-h2-h3-withdrawn" 10 both_withdrawn
  # A withdraw by hand outlives a vipad restart (kill -9 here): h3 comes back withdrawn.
  dyn_vipad_kill9 h3
  check "$DYN_MODE-restart-vipad-started-again-on-h3" dyn_vipad_start h3
  by_hand() { dv_state_is h3 withdrawn && [ "$(dv_field h3 withdrawn_by_hand)" = true ]; }
  check_within "$DYN_MODE-restart-withdrawn-by-hand-kept" 20 by_hand
  kept_off() { by_hand && ! dv_announced_in_frr h3; }
  check_stays "$DYN_MODE-restart-withdrawn-h3-announces-nothing" 2 kept_off
  dv_monitor_start h1
  dv_remove_announcement h1 >/dev/null
  check_within "$DYN_MODE-truth-unannounced-reported" 15 dv_event_seen h1 dvipa_problem unannounced
  check_within "$DYN_MODE-truth-reasserted-h1-owner" 20 dv_owned_by h1
  dv_monitor_stop h1
  check "$DYN_MODE-truth-resume-h2" dvctl h2 dvipa resume web
  check "$DYN_MODE-truth-resume-h3" dvctl h3 dvipa resume web
  check_within "$DYN_MODE-truth-h2-standby-again" 30 dv_state_is h2 standby
  check_within "$DYN_MODE-truth-h3-standby-again" 30 dv_state_is h3 standby
}

# Two hosts with one rank: h3 reloaded with h2's rank while h1 is withdrawn by hand. Both report
# duplicate_rank; the one with the higher ID (h3: router ID 10.68.255.13, AS 65083) keeps the
# rank's metric, h2 yields, so the routers send the DVIPA to h3 alone (one path, no ECMP).
dv_single_path_to() { # HOST: both routers' kernels have exactly one path for the DVIPA, to HOST
  local r
  for r in r1 r2; do
    ip -n "$DYN-$r" -4 route show $DVIPA/32 | grep -q nexthop && { echo "$r: ECMP"; return 1; }
  done
  dyn_routers_choose "$1"
}
dv_check_duplicate_rank() {
  check_within "$DYN_MODE-duprank-steady-before" 40 dv_owned_by h1
  check "$DYN_MODE-duprank-withdraw-h1-by-hand" dvctl h1 dvipa withdraw web
  check_within "$DYN_MODE-duprank-h2-owner" 20 dv_owned_by h2 h2 h3
  check "$DYN_MODE-duprank-h3-rank-100" dv_set_rank h3 100
  both_report() { dv_has_problem h2 duplicate_rank && dv_has_problem h3 duplicate_rank; }
  check_within "$DYN_MODE-duprank-reported-by-both" 20 both_report
  yields() { [ "$(dv_field h2 metric)" = $((32768 + 155 * 128 + 64)) ]; }
  check_within "$DYN_MODE-duprank-lower-id-h2-yields" 10 yields
  check_within "$DYN_MODE-duprank-one-path-to-h3" 20 dv_single_path_to h3
  check_within "$DYN_MODE-duprank-h3-owner" 20 dv_owned_by h3 h2 h3
  check "$DYN_MODE-duprank-h3-rank-50" dv_set_rank h3 50
  cleared() { ! dv_has_problem h2 duplicate_rank && ! dv_has_problem h3 duplicate_rank; }
  check_within "$DYN_MODE-duprank-cleared" 20 cleared
  check "$DYN_MODE-duprank-resume-h1" dvctl h1 dvipa resume web
  check_within "$DYN_MODE-duprank-h1-owner-again" 40 dv_owned_by h1
}

# ip_ts_first LOG PATTERN: the epoch time of the first line of an `ip -ts monitor` LOG that
# matches PATTERN (extended regex), or nothing.
ip_ts_first() {
  local ts
  ts=$(grep -E -- "$2" "$1" 2>/dev/null | head -n 1 | sed -n 's/^\[\([^]]*\)\].*/\1/p')
  [ -n "$ts" ] && date -d "$ts" +%s.%N
}
# ev_time HOST EVENT [TEXT]: the time of vipad's first EVENT (with TEXT) in HOST's monitor log.
ev_time() {
  local t
  t=$(grep "\"event\":\"$2\"" "$DYN_DIR/$1/monitor.json" | grep -- "${3:-}" | head -n 1 |
    jq -r '.time' 2>/dev/null)
  [ -n "$t" ] && [ "$t" != null ] && date -d "$t" +%s.%N
}
before() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && a < b) }'; }

# Order 1: withdraw before removing the address. h1's DVIPA leaves its config (reload): the
# routers move to h2 before h1's kernel loses the address, and no connection fails.
dv_check_remove_order() {
  check_within "$DYN_MODE-order-steady-before" 40 dv_steady
  cp "$DYN_DIR/h1/vipa.conf" "$DYN_DIR/h1/vipa.conf.full"
  : >"$DYN_DIR/h1.addr"
  dyn_bg bash -c "exec chrt -f 20 ip -ts -n $DYN-h1 monitor address >>$DYN_DIR/h1.addr"
  local mon=$DYN_LAST
  dyn_monitor_start r1
  sleep 0.3
  local t=$EPOCHREALTIME
  sed -i '/^\[dvipa\.web/,$d' "$DYN_DIR/h1/vipa.conf"
  check "$DYN_MODE-order-reload-without-the-dvipa" dvctl h1 reload
  check_within "$DYN_MODE-order-client-reaches-h2" 15 dyn_probe_reaches h2
  gone() { ! dv_addr_held h1; }
  check_within "$DYN_MODE-order-address-removed-after" 15 gone
  withdrawn_first() {
    local tr ta
    tr=$(ip_ts_first "$DYN_DIR/r1.routes" "$DVIPA .*dev h2")
    ta=$(ip_ts_first "$DYN_DIR/h1.addr" "Deleted.*$DVIPA/32")
    echo "r1 moved to h2 at $tr, h1 lost the address at $ta"
    before "$tr" "$ta"
  }
  check_within "$DYN_MODE-order-withdraw-before-address-removal" 5 withdrawn_first
  zero_fails() { [ "$(dyn_probe fails "$t")" = 0 ]; }
  check "$DYN_MODE-order-removal-0-failed-connections" zero_fails
  dyn_kill "$mon"
  cp "$DYN_DIR/h1/vipa.conf.full" "$DYN_DIR/h1/vipa.conf"
  check "$DYN_MODE-order-reload-with-the-dvipa" dvctl h1 reload
  check_within "$DYN_MODE-order-h1-owner-again" 40 dv_owned_by h1
}

# Order 2: announce only once the way back exists (delay_join). h3's links go down, its vipad
# restarts: joining, nothing announced; the links return: the default route from the routers
# comes first, the announcement after.
dv_announced_in_frr() { # HOST: FRR's running config announces the DVIPA
  if [ "$DYN_MODE" = ospf ]; then
    dyn_vtysh "$1" -c "show running-config" | sed -n '/^interface vd-web/,/^exit/p' | grep -q "ip ospf area"
  else
    dyn_vtysh "$1" -c "show running-config" | grep -q "network $DVIPA/32"
  fi
}
# dyn_shun HOST no|yes: the routers stop (no) or resume (yes) speaking their protocol to HOST.
dyn_shun() {
  local h=$1 i=${DYN_IDX[$1]} r n neg=""
  [ "$2" = yes ] && neg="no "
  for r in r1 r2; do
    n=${r#r}
    if [ "$DYN_MODE" = ospf ]; then
      dyn_vtysh $r -c "configure terminal" -c "interface $h" -c "${neg}ip ospf passive" >/dev/null
    else
      local peer=10.68.4$i.1
      [ $r = r2 ] && peer=10.68.5$i.1
      dyn_vtysh $r -c "configure terminal" -c "router bgp 6510$n" -c "${neg}neighbor $peer shutdown" >/dev/null
    fi
  done
}
dv_check_delay_join() {
  check_within "$DYN_MODE-delayjoin-steady-before" 40 dv_steady
  dyn_vipad_stop h3
  # The routers stop speaking to h3 (carrier stays up: h3 stays eligible, only routing is
  # missing). What the old vipad announced is taken back by hand so that the new one starts
  # from nothing (an announcement FRR still has would be adopted).
  dyn_shun h3 no
  dv_remove_announcement h3 >/dev/null 2>&1
  : >"$DYN_DIR/h3.routes"
  dyn_bg bash -c "exec chrt -f 20 ip -ts -n $DYN-h3 monitor route >>$DYN_DIR/h3.routes"
  local mon=$DYN_LAST
  nodefault() { ! ip -n "$DYN-h3" route show default | grep -q .; }
  check_within "$DYN_MODE-delayjoin-h3-has-no-way-back" 15 nodefault
  check "$DYN_MODE-delayjoin-vipad-started" dyn_vipad_start h3
  dv_monitor_start h3
  check_within "$DYN_MODE-delayjoin-h3-joining" 15 dv_state_is h3 joining
  not_announced() { dv_state_is h3 joining && ! dv_announced_in_frr h3; }
  check_stays "$DYN_MODE-delayjoin-nothing-announced-without-a-way-back" 2 not_announced
  dyn_shun h3 yes
  check_within "$DYN_MODE-delayjoin-h3-standby" 40 dv_state_is h3 standby
  way_back_first() {
    local td ta
    # The way back to the client: the routing daemon's first route that covers it (the default,
    # or over OSPF the client's own network, an intra-area route that can arrive before the
    # external default). vipad counts any route the routing daemon installed through the
    # DVIPA's interfaces (docs/dynamic-vipa.md, delay_join).
    local lan=${DYN_CLIENT%.*}
    td=$(ip_ts_first "$DYN_DIR/h3.routes" "^\[[^]]*\] (default|${lan//./\\.}\.0/24) .*proto (ospf|bgp)")
    # The first announcement with a metric (vipad also reports its withdrawals as
    # dvipa_announce, with metric null, and withdraws once at start).
    ta=$(grep '"event":"dvipa_announce"' "$DYN_DIR/h3/monitor.json" |
      jq -r 'select(.metric != null) | .time' 2>/dev/null | head -n 1)
    [ -n "$ta" ] && ta=$(date -d "$ta" +%s.%N)
    echo "way back to the client at $td, announced at $ta"
    before "$td" "$ta"
  }
  check_within "$DYN_MODE-delayjoin-way-back-before-announcement" 5 way_back_first
  dv_monitor_stop h3
  dyn_kill "$mon"
}

# dv_engine_present: this vipad knows [dvipa.*] (vipad --check accepts a DVIPA).
dv_engine_present() {
  local f=$DYN_DIR/probe-engine.conf
  printf '[routing]\ndaemon = "frr"\n\n[dvipa.web]\naddress = "%s"\nrank = 100\ninterface_names = ["lo"]\n' \
    "$DVIPA" >"$f"
  "$VIPAD" --check --config "$f" >/dev/null 2>&1
}

# The lab itself, without vipad: FRR announces at hand-made metrics (lib_dvipa.sh). Ownership
# follows the metric, and moves on carrier loss, a silent death and a withdrawal.
dv_hand_suite() {
  DYN_HAND=1
  if dyn_up; then pass "$DYN_MODE-hand-lab-up"; else
    fail "$DYN_MODE-hand-lab-up"
    dyn_finish
  fi
  dyn_probe_start
  check_within "$DYN_MODE-hand-client-reaches-h1" 10 dyn_probe_reaches h1
  check "$DYN_MODE-hand-routers-choose-h1" dyn_routers_choose h1
  local how t
  for how in carrier silent; do
    check_within "$DYN_MODE-hand-$how-routing-up-before" 40 dyn_all_routing_up
    dyn_fail h1 $how
    t=$DYN_FAIL_T
    check_within "$DYN_MODE-hand-$how-client-reaches-h2" 15 dyn_probe_reaches h2
    note "$how: h2 answers $(dyn_probe first "$t" h2) ms after the failure"
    dyn_restore h1 $how
    check_within "$DYN_MODE-hand-$how-h1-returns" 40 dyn_probe_reaches h1
  done
  t=$EPOCHREALTIME
  dyn_hand_withdraw h1 >/dev/null
  check_within "$DYN_MODE-hand-withdraw-client-reaches-h2" 15 dyn_probe_reaches h2
  dyn_hand_announce h1 >/dev/null
  check_within "$DYN_MODE-hand-announce-h1-returns" 15 dyn_probe_reaches h1
  zero_fails() { [ "$(dyn_probe fails "$t")" = 0 ]; }
  check "$DYN_MODE-hand-withdraw-0-failed-connections" zero_fails
  dyn_probe_stop
}

# dv_suite: the issue's list over $DYN_MODE, on one lab built once.
dv_suite() {
  if ! dv_engine_present; then
    fail "vipad-knows-dvipa" "vipad --check refuses a [dvipa.*] table"
    dyn_finish
  fi
  if dyn_up; then
    pass "$DYN_MODE-lab-up"
  else
    fail "$DYN_MODE-lab-up"
    dyn_finish
  fi
  dyn_probe_start
  dv_check_ownership
  dv_check_takeover carrier
  dv_check_takeover silent
  dv_check_health
  dv_check_kill9
  dv_check_frr_restart
  dv_check_reload_rank
  dv_check_duplicate_rank
  dv_check_remove_order
  dv_check_delay_join
  dv_check_unannounced
  dyn_probe_stop
  dyn_finish
}
