# shellcheck shell=bash
# Nondisruptive moves in the Dynamic VIPA lab (lib_dvipa.sh): peers for every host, many
# long-lived streams from the client, and what vipad and the kernel say about the forwarding.
# Sourced after lib.sh, lib_dvipa.sh and lib_dvipa_checks.sh by test_dvipa_moves_*.sh.

MV_STREAMS=${MV_STREAMS:-100}

# [dvipa.web] peers: each host by its routing protocol's id (OSPF router ID, BGP AS) and its en1
# address, the tunnel endpoint.
mv_peers_conf() {
  local h i id list=
  for h in "${DYN_HOSTS[@]}"; do
    i=${DYN_IDX[$h]}
    if [ "$DYN_MODE" = ospf ]; then id=10.68.255.1$i; else id=6508$i; fi
    list+="${list:+, }{ id = \"$id\", address = \"10.68.4$i.1\" }"
  done
  printf 'peers = [%s]\nmoving_timeout_ms = %s\n' "$list" "${MV_TIMEOUT_MS:-120000}"
}
# mv_lab_up NAME: the lab with every host a peer of the others, the client's probe and every
# host's monitor; checks NAME-lab-up and NAME-steady. Without delay_join: the scenes are about
# moves, not joining (and the engine's delay_join reads a route out only where vipad's kernel
# cache holds the routing daemon's routes).
mv_lab_up() {
  local h
  DYN_DVIPA_EXTRA="delay_join = false
$(mv_peers_conf)"
  dyn_test_traps
  if dyn_up; then pass "$1-lab-up"; else
    fail "$1-lab-up"
    dyn_finish
  fi
  dyn_probe_start
  check_within "$1-steady" 40 dv_steady
  for h in "${DYN_HOSTS[@]}"; do dv_monitor_start "$h"; done
}
mv_id() { if [ "$DYN_MODE" = ospf ]; then echo "10.68.255.1${DYN_IDX[$1]}"; else echo "6508${DYN_IDX[$1]}"; fi; }

# mv_streams_start NAME: MV_STREAMS streams from the client; waits until all are open.
mv_streams_start() {
  MV_LOG=$DYN_DIR/streams.$1
  : >"$MV_LOG"
  rm -f "$MV_LOG.stop"
  dyn_bg dyn_in c "$DYN_PY" "$DYN_SRC/moves_streams.py" $DVIPA $((DVIPA_PORT + 1)) "$MV_STREAMS" \
    "$MV_LOG" "$MV_LOG.stop"
  MV_PID=$DYN_LAST
  dyn_wait 30 grep -q "^UP " "$MV_LOG"
}
mv_echoed() { grep '^ECHO ' "$MV_LOG" | tail -1 | awk '{print $2}'; }
# mv_echo_grows N: the streams' echoes passed N lines.
mv_echo_grows() { [ "$(mv_echoed)" -gt "$1" ]; }
mv_streams_stop() {
  touch "$MV_LOG.stop"
  dyn_wait 30 grep -q '^END ' "$MV_LOG"
  dyn_kill "$MV_PID"
  echo "streams $(basename "$MV_LOG"): $(grep '^END ' "$MV_LOG")"
}
mv_streams_intact() {
  grep '^END ' "$MV_LOG"
  grep -q "^END streams=$MV_STREAMS broken=0 lost=0 dup=0 " "$MV_LOG"
}
mv_no_broken_yet() { ! grep -q BROKEN "$MV_LOG"; }
mv_all_broken() { [ "$(grep -c '^BROKEN' "$MV_LOG")" -ge "$MV_STREAMS" ]; }

mv_moving() { dvj "$1" | jq -e '.dvipas[0].moves.moving == true' >/dev/null; }
mv_not_moving() { dvj "$1" | jq -e '.dvipas[0].moves.moving == false' >/dev/null; }
# mv_forwards HOST TO: HOST forwards new-here flows to TO.
mv_forwards() {
  dvj "$1" | jq -e --arg id "$(mv_id "$2")" \
    '.dvipas[0].moves.forwarding_to | map(select(.newest and .id == $id)) | length == 1' >/dev/null
}
# mv_not_a_target HOST TO: HOST no longer forwards anything to TO.
mv_not_a_target() {
  dvj "$1" | jq -e --arg id "$(mv_id "$2")" \
    '.dvipas[0].moves.forwarding_to | map(select(.id == $id)) | length == 0' >/dev/null
}
mv_counter() { # HOST NAME: packets counted by vipad's nftables counter NAME
  dyn_in "$1" nft -j list counter inet vipa_moves "$2" 2>/dev/null |
    jq -r '[.nftables[] | select(.counter) | .counter.packets][0] // -1'
}
mv_counter_above() { [ "$(mv_counter "$1" "$2")" -gt "${3:-0}" ]; }
mv_table_present() { dyn_in "$1" nft list table inet vipa_moves >/dev/null 2>&1; }
mv_rules_present() { dyn_in "$1" ip rule show | grep -q 'fwmark 0x767'; }
mv_tunnel_present() { dyn_in "$1" ip link show vipamv0 >/dev/null 2>&1; }
# mv_kernel_clean HOST: nothing of vipad's moves left: table, rules, tunnel, route tables.
mv_kernel_clean() {
  local ok=0
  mv_table_present "$1" && { echo "table inet vipa_moves left"; ok=1; }
  mv_rules_present "$1" && { echo "policy rules left"; ok=1; }
  mv_tunnel_present "$1" && { echo "link vipamv0 left"; ok=1; }
  dyn_in "$1" ip -4 route show table all | grep -q 'table 767' && { echo "route tables left"; ok=1; }
  dyn_in "$1" ip rule show | grep -q 'lookup local' || { echo "the local table's rule is gone"; ok=1; }
  return $ok
}

# mv_forge FROM TO: one VXLAN packet to TO's tunnel port from FROM, which is no peer, carrying
# a TCP ACK for the DVIPA.
mv_forge() {
  dyn_in "$1" "$DYN_PY" - "$2" "$DVIPA" <<'PY'
import socket, struct, sys
to, dvipa = sys.argv[1], sys.argv[2]
eth = bytes.fromhex("02760a442901") + bytes.fromhex("02760a442a01") + b"\x08\x00"
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0, socket.inet_aton("10.68.40.10"),
                 socket.inet_aton(dvipa))
tcp = struct.pack("!HHIIBBHHH", 5555, 81, 1, 1, 5 << 4, 0x10, 1000, 0, 0)
vxlan = struct.pack("!II", 0x08000000, 7670 << 8)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    s.sendto(vxlan + eth + ip + tcp, (to, 4790))
PY
}
