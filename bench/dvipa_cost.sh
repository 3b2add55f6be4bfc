#!/usr/bin/env bash
# What vipad costs with 100 Dynamic VIPAs, each with a health check every 200 ms (as root):
#
#   bench/dvipa_cost.sh [SECONDS] [VIPAD VIPACTL]     (default 30 s of measurement)
#
# In the lab of tests/integration/lib_dvipa.sh (OSPF), h1's vipad gets 100 DVIPAs
# 10.68.10.1-100 (ranks 200) with health checks every 200 ms: first `tcp` (a connect to a
# listener on the host, no process), then `exec` (/bin/true, a fork and exec per check).
# After it settled (every DVIPA announced), for SECONDS: vipad's CPU (its own, and its
# children's: the health commands and the vtysh calls it runs), its RSS at the end, and the
# announcements the routers hold. Prints a markdown block (and appends it to
# bench/dvipa_results.md unless DVIPA_BENCH_OUT says otherwise).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${1:-30}
export VIPAD=${2:-${VIPAD:-$ROOT/build/vipad}} VIPACTL=${3:-${VIPACTL:-$ROOT/build/vipactl}}
OUT=${DVIPA_BENCH_OUT:-$ROOT/bench/dvipa_results.md}
export DYN_MODE=ospf
source "$ROOT/tests/integration/lib_dvipa.sh"
dyn_traps
[ "$(id -u)" = 0 ] || { echo "dvipa_cost: run me as root" >&2; exit 1; }
N=100
CLK=$(getconf CLK_TCK)

many_conf() { # KIND
  local i
  {
    echo "[routing]"
    echo 'daemon = "frr"'
    echo 'announce = "ospf"'
    echo "vtysh = \"$(command -v vtysh)\""
    echo "daemon_args = [\"--vty_socket\", \"$DYN_DIR/h1\"]"
    for ((i = 1; i <= N; i++)); do
      echo
      echo "[dvipa.d$i]"
      echo "address = \"10.68.10.$i\""
      echo "rank = 200"
      echo 'interface_names = ["en1", "en2"]'
      echo "[dvipa.d$i.health]"
      if [ "$1" = tcp ]; then echo 'tcp = "127.0.0.1:8086"'; else echo 'exec = ["/bin/true"]'; fi
      echo "interval_ms = 200"
      echo "timeout_ms = 150"
    done
  } >"$DYN_DIR/h1/vipa.conf"
}
# ticks PID: utime stime cutime cstime of PID, in clock ticks.
ticks() { awk '{print $14, $15, $16, $17}' "/proc/$1/stat"; }
announced() { # routers' OSPF routes to the 10.68.10.0/24 DVIPAs through h1
  ip -n "$DYN-r1" route show proto ospf | grep -c "^10\.68\.10\.[0-9]* .*dev h1 "
}
all_announced() { [ "$(announced)" -ge $N ]; }

dyn_up || { echo "dvipa_cost: the lab did not come up" >&2; exit 1; }
dyn_bg dyn_in h1 "$DYN_PY" -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8086)); s.listen(4096)
while True:
    c, _ = s.accept(); c.close()'
rows=()
for kind in tcp exec; do
  dyn_vipad_stop h1
  many_conf $kind
  dyn_vipad_start h1 || { echo "dvipa_cost: vipad did not start" >&2; exit 1; }
  pid=${VIPAD_PIDS[h1]}
  dyn_wait 120 all_announced || echo "dvipa_cost: only $(announced) of $N announced" >&2
  sleep 3
  read -r u0 s0 cu0 cs0 < <(ticks "$pid")
  t0=$EPOCHREALTIME
  sleep "$SECS"
  read -r u1 s1 cu1 cs1 < <(ticks "$pid")
  t1=$EPOCHREALTIME
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
  rows+=("$(awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v cu=$((cu1 - cu0)) -v cs=$((cs1 - cs0)) \
    -v hz="$CLK" -v t0="$t0" -v t1="$t1" -v k="$kind" -v rss="$rss" -v hwm="$hwm" -v a="$(announced)" \
    'BEGIN { w = t1 - t0; printf "| %s | %.1f%% | %.1f%% | %.1f MiB | %.1f MiB | %d |", k, 100 * (u + s) / hz / w, 100 * (cu + cs) / hz / w, rss / 1024, hwm / 1024, a }')")
done
{
  echo
  echo "## vipad with $N DVIPAs, health every 200 ms"
  echo
  echo "\`bench/dvipa_cost.sh $SECS\` on $(date -u +%Y-%m-%d), $(nproc) CPUs, kernel $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "CPU in % of one core over $SECS s, once all were announced; children = the health"
  echo "commands and vtysh calls vipad ran (reaped)."
  echo
  echo "| health | vipad CPU | children CPU | RSS | peak RSS | announced at r1 |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} | tee -a "$OUT"
