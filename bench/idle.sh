#!/usr/bin/env bash
# Idle, one command, as root:
#
#   bench/idle.sh [VIPAD [VIPACTL]]     (defaults: build/vipad, build/vipactl)
#
# Knobs: SECS (30), BENCH_OUT=FILE keeps the markdown it prints.
#
# vipad with IBM's sample config (no dead gateway detection) in the sample's namespaces
# (tests/integration/lib.sh, vt<PID>-*, deleted on exit), converged and left alone. Counted over
# SECS seconds: its context switches (voluntary + nonvoluntary from /proc/PID/status: every wake-up
# is one), its CPU time, then over another SECS seconds the system calls it makes (strace -c -f -p,
# when strace is installed). The timers it holds are listed from /proc/PID/fdinfo (armed or not).
# Expected: 0 wake-ups, 0 system calls.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
VIPAD_BIN=${1:-$ROOT/build/vipad}
VIPACTL_BIN=${2:-$ROOT/build/vipactl}
SECS=${SECS:-30}

# shellcheck source=../tests/integration/lib.sh
source "$ROOT/tests/integration/lib.sh" "$VIPAD_BIN" "$VIPACTL_BIN"
# shellcheck source=lib_bench.sh
source "$HERE/lib_bench.sh"

die() {
  echo "idle: $*" >&2
  exit 1
}

topo_up || die "topology failed"
sample_config
start_vipad || die "vipad did not start"
wait_for 5 sample_converged || die "vipad did not converge"
# Its start-up echoes and the link-local addresses' last events are over.
sleep 3

cs0=$(proc_ctxt "$VIPAD_PID")
ns0=$(proc_cpu_ns "$VIPAD_PID")
sleep "$SECS"
cs1=$(proc_ctxt "$VIPAD_PID")
ns1=$(proc_cpu_ns "$VIPAD_PID")
wakeups=$((cs1 - cs0))

timers=0 armed=0
for fd in /proc/"$VIPAD_PID"/fd/*; do
  [ "$(readlink "$fd")" = "anon_inode:[timerfd]" ] || continue
  timers=$((timers + 1))
  grep -q 'it_value: (0, 0)' "/proc/$VIPAD_PID/fdinfo/${fd##*/}" || armed=$((armed + 1))
done

strace_line="strace not installed"
if command -v strace >/dev/null; then
  timeout -s INT "$SECS" strace -c -f -p "$VIPAD_PID" -o "$TMP/strace.txt" 2>/dev/null
  calls=$(awk '$NF == "total" {print $4}' "$TMP/strace.txt")
  # An idle vipad sits in one epoll_wait the whole time; strace counts no completed call then.
  strace_line="${calls:-0} system calls in $SECS s (strace -c -f -p)"
  [ -n "$calls" ] && [ "$calls" != 0 ] && strace_line="$strace_line: $(awk 'NR > 2 && $NF != "total" &&
    $NF !~ /^-/ {printf "%s%s x%s", sep, $NF, $4; sep = ", "}' "$TMP/strace.txt")"
fi
# A last check that strace's attach and detach changed nothing.
alive=no
vipad_alive && alive=yes

say ""
say "### Idle ($(date -u +%Y-%m-%d), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))"
say ""
say "$(machine_line)"
say ""
say "| measure over $SECS s, sample config, no DGD | value |"
say "|---|---|"
say "| context switches (voluntary + nonvoluntary) | $wakeups ($(awk -v n="$wakeups" -v s="$SECS" 'BEGIN {printf "%.2f", n / s}')/s) |"
say "| CPU time (schedstat) | $(((ns1 - ns0) / 1000)) µs |"
say "| system calls | $strace_line |"
say "| timerfds held / armed | $timers / $armed |"
say "| vipad alive after | $alive |"
say ""
if [ "$wakeups" = 0 ]; then
  say "Target 0 wake-ups/s: met."
else
  say "Target 0 wake-ups/s: MISSED ($wakeups in $SECS s)."
fi
