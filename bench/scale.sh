#!/usr/bin/env bash
# Scale, one command, as root:
#
#   bench/scale.sh [VIPAD [VIPACTL]]     (defaults: build/vipad, build/vipactl)
#
# Knobs: ROUTES (100000), BENCH_OUT=FILE keeps the markdown it prints.
#
# In the sample's namespaces (tests/integration/lib.sh, vt<PID>-*, deleted on exit):
# 1. Idle memory: vipad with IBM's sample config and no other route; VmRSS/VmHWM once converged.
# 2. ROUTES IPv4 routes (bench/gen_routes.py: distinct prefixes in 10.68.32.0-10.68.255.255,
#    half via en1's router, half via en5's, none with a source) are in the host's main table
#    before vipad starts. vipad starts with IBM's sample config and NOTIFY_SOCKET pointing at
#    bench/notify_wait.py; reported: start -> READY=1 (its first converge is done), start -> the
#    moment `ip route` shows every one of them with src 10.68.6.1, vipad's CPU time, and its
#    VmHWM/VmRSS once it is idle again.
# 3. The iproute2 baseline, in the same run: the same routes in a fresh namespace with the same
#    interfaces and addresses, and `ip -batch` applying the same `route replace ... src
#    10.68.6.1` lines (wall time, CPU, peak RSS from /usr/bin/time).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
VIPAD_BIN=${1:-$ROOT/build/vipad}
VIPACTL_BIN=${2:-$ROOT/build/vipactl}
ROUTES=${ROUTES:-100000}

# shellcheck source=../tests/integration/lib.sh
source "$ROOT/tests/integration/lib.sh" "$VIPAD_BIN" "$VIPACTL_BIN"
# shellcheck source=lib_bench.sh
source "$HERE/lib_bench.sh"
NS_B=$T-ipb

die() {
  echo "scale: $*" >&2
  [ -s "$LOG" ] && tail -n 20 "$LOG" >&2
  exit 1
}
# routes_without_src: how many of the host's routes via en1/en5's routers lack the VIPA source.
routes_without_src() {
  ip -n "$1" -4 route show | awk '/^10\.68\.([3-9][0-9]|1[0-9][0-9]|2[0-9][0-9])\./ &&
    !/ src 10\.68\.6\.1( |$)/ {n++} END {print n + 0}'
}
all_have_src() { [ "$(routes_without_src "$NS_H")" = 0 ]; }
route_count() { ip -n "$1" -4 route show | grep -c '^10\.68\.\([3-9][0-9]\|1[0-9][0-9]\|2[0-9][0-9]\)\.'; }
secs_since() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", (b - a) / 1e9}'; }
now_ns() { echo $((10#${EPOCHREALTIME//[.,]/} * 1000)); }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
# cpu_settled PID: its CPU time did not move for 1 s.
wait_cpu_settled() {
  local a b
  b=$(proc_ticks "$1")
  for _ in $(seq 1 120); do
    sleep 1
    a=$b
    b=$(proc_ticks "$1")
    [ "$a" = "$b" ] && return 0
  done
  return 1
}

topo_up || die "topology failed"
ALL_NS+=("$NS_B") # the baseline's namespace: topo_down removes it with the others
python3 "$HERE/gen_routes.py" "$ROUTES" add >"$TMP/add.batch"
python3 "$HERE/gen_routes.py" "$ROUTES" replace >"$TMP/replace.batch"

# ---- 1. idle with IBM's sample config
sample_config
start_vipad || die "vipad did not start"
wait_for 5 sample_converged || die "vipad did not converge"
wait_cpu_settled "$VIPAD_PID"
sleep 2
IDLE_RSS=$(proc_status_kb "$VIPAD_PID" VmRSS)
IDLE_HWM=$(proc_status_kb "$VIPAD_PID" VmHWM)
IDLE_ANON=$(proc_status_kb "$VIPAD_PID" RssAnon)
IDLE_FILE=$(proc_status_kb "$VIPAD_PID" RssFile)
stop_vipad

# ---- 2. vipad over ROUTES routes
iph -batch "$TMP/add.batch" || die "adding the routes failed"
n_before=$(route_count "$NS_H")
[ "$n_before" -ge "$ROUTES" ] || die "only $n_before routes in the host"
rm -f "$TMP/notify" "$TMP/notify.bound" "$TMP/ready"
bg python3 "$HERE/notify_wait.py" "$TMP/notify" "$TMP/ready" 300
wait_for 30 test -e "$TMP/notify.bound" || die "notify receiver did not start"
echo "===== scale start =====" >>"$LOG"
t_start=$(now_ns)
NOTIFY_SOCKET=$TMP/notify ip netns exec "$NS_H" "$VIPAD_BIN" --config "$CONF" --socket "$SOCK" \
  >>"$LOG" 2>&1 &
VIPAD_PID=$!
# Every route shown with its source: polled (each poll lists the whole table, ~0.3 s).
while ! all_have_src; do
  proc_alive "$VIPAD_PID" || die "vipad died"
  [ $(($(now_ns) - t_start)) -gt 300000000000 ] && die "not converged after 300 s"
  sleep 0.2
done
t_all=$(now_ns)
wait_for 60 test -s "$TMP/ready" || die "no READY=1"
t_ready=$(cat "$TMP/ready")
wait_cpu_settled "$VIPAD_PID"
V_TICKS=$(proc_ticks "$VIPAD_PID")
V_HWM=$(proc_status_kb "$VIPAD_PID" VmHWM)
V_RSS=$(proc_status_kb "$VIPAD_PID" VmRSS)
V_ANON=$(proc_status_kb "$VIPAD_PID" RssAnon)
n_after=$(route_count "$NS_H")
overruns=$(grep -c 'receive buffer overrun' "$LOG")
V_LEFT=$(routes_without_src "$NS_H")
stop_vipad

# ---- 3. ip -batch on a fresh identical table
ip netns add "$NS_B" || die "netns $NS_B"
ip -n "$NS_B" link set lo up
ip -n "$NS_B" link add en1 type veth peer name r1h
ip -n "$NS_B" link add en5 type veth peer name r5h
ip -n "$NS_B" link add vi0 type ifb
ip -n "$NS_B" addr add 10.68.1.1/24 dev en1
ip -n "$NS_B" addr add 10.68.5.1/24 dev en5
ip -n "$NS_B" addr add 10.68.6.1/24 dev vi0 noprefixroute
for l in en1 en5 r1h r5h vi0; do ip -n "$NS_B" link set "$l" up; done
ip -n "$NS_B" -batch "$TMP/add.batch" || die "baseline: adding the routes failed"
t0=$(now_ns)
/usr/bin/time -f '%e %U %S %M' -o "$TMP/ipb.time" ip -n "$NS_B" -batch "$TMP/replace.batch" ||
  die "ip -batch replace failed"
t1=$(now_ns)
read -r _ IPB_USER IPB_SYS IPB_MAXRSS <"$TMP/ipb.time"
ipb_left=$(routes_without_src "$NS_B")

V_READY=$(secs_since "$t_start" "$t_ready")
V_ALL=$(secs_since "$t_start" "$t_all")
IPB_WALL=$(secs_since "$t0" "$t1")
V_CPU=$(awk -v t="$V_TICKS" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}')

say ""
say "### Scale: $ROUTES routes ($(date -u +%Y-%m-%d), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))"
say ""
say "$(machine_line)"
say ""
say "| measure | vipad | ip -batch (same replacements, fresh identical table) |"
say "|---|---|---|"
say "| start -> READY=1 (first converge done) | $V_READY s | |"
say "| start (or first line) -> every route shows src 10.68.6.1 | $V_ALL s (polled every ~0.5 s) | $IPB_WALL s |"
say "| CPU (user+sys) | $V_CPU s (whole run up to idle) | $(awk -v u="$IPB_USER" -v s="$IPB_SYS" 'BEGIN {printf "%.2f", u + s}') s |"
say "| peak RSS | VmHWM $(mib "$V_HWM") MiB | $(mib "$IPB_MAXRSS") MiB |"
say "| RSS when idle again | VmRSS $(mib "$V_RSS") MiB (anon $(mib "$V_ANON") MiB) | |"
say "| routes without src at the end | $V_LEFT | $ipb_left |"
say ""
say "Routes in the host before/after: $n_before/$n_after; vipad logged $overruns netlink overrun(s)."
say "Sample config, idle, no other route: VmRSS $(mib "$IDLE_RSS") MiB (anon $(mib "$IDLE_ANON") MiB, file $(mib "$IDLE_FILE") MiB), VmHWM $(mib "$IDLE_HWM") MiB."
say ""
verdict() { awk -v a="$1" -v b="$2" 'BEGIN {exit !(a <= b)}' && echo met || echo MISSED; }
say "Targets: no slower than ip -batch: $(verdict "$V_ALL" "$IPB_WALL") ($V_ALL s vs $IPB_WALL s);" \
  "RSS < 64 MiB with $ROUTES routes: $(verdict "$V_HWM" 65536) ($(mib "$V_HWM") MiB);" \
  "< 8 MiB idle (sample): $(verdict "$IDLE_RSS" 8192) ($(mib "$IDLE_RSS") MiB)."
