# shellcheck shell=bash
# Shared by the bench/*.sh scripts (sourced after tests/integration/lib.sh, which builds the sample's
# namespaces vt<PID>-* and removes them on exit).

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# say LINE: the result block, on stdout and into $BENCH_OUT (a file the caller may keep).
BENCH_OUT=${BENCH_OUT:-$TMP/results.md}
say() { echo "$*" | tee -a "$BENCH_OUT"; }

machine_line() {
  local cpu
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  echo "machine: $(nproc) CPUs ($cpu), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' \
    /proc/meminfo), kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# vipad_times PID: utime+stime in clock ticks.
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# proc_cpu_ns PID: CPU time in ns (schedstat's first field).
proc_cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }
proc_status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
proc_ctxt() {
  awk '/^voluntary_ctxt_switches|^nonvoluntary_ctxt_switches/ {n += $2} END {print n}' \
    "/proc/$1/status"
}

# nl_listen_start: nl_events.py in the host namespace, at a real-time priority when the kernel
# allows it. NL_FILE gets its lines.
nl_listen_start() {
  NL_FILE=$TMP/nl.$RANDOM
  local prio=()
  chrt -f 50 true 2>/dev/null && prio=(chrt -f 50)
  rm -f "$TMP/nl.ready"
  bg ip netns exec "$NS_H" "${prio[@]}" python3 "$BENCH_DIR/nl_events.py" "$NL_FILE" \
    "$TMP/nl.ready"
  NL_PID=$BG_LAST
  wait_for 10 test -e "$TMP/nl.ready"
}
nl_listen_stop() { kill_pid "$NL_PID"; }

# pct P FILE: the P-th percentile (nearest rank) of the numbers in FILE, one per line.
pct() {
  sort -n "$2" | awk -v p="$1" '{a[NR] = $1} END {
    if (NR == 0) { print "-"; exit }
    r = int((p / 100) * NR + 0.999999); if (r < 1) r = 1; if (r > NR) r = NR; print a[r] }'
}
