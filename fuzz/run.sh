#!/bin/bash
# Runs every libFuzzer target for a bounded number of inputs (docs/fuzzing.md).
#   fuzz/run.sh [BUILD_DIR] [RUNS]        defaults: build-fuzz, 20000 (seconds, for CI)
#   RUNS=-1 with MAX_TIME=3600 fuzzes each target for an hour instead.
# The committed corpus (fuzz/corpus/<target>) only seeds the run: new inputs go to a scratch
# directory, crashes to fuzz/artifacts/<target>/ (kept for the report, not committed).
# The bounded run uses a fixed seed (FUZZ_SEED, default 1), so that two runs on one tree try the
# same inputs: a CI run fails on what the tree does, never on the luck of the draw. New bugs are
# found by the long run (random seed) and their inputs join the corpus.
#   fuzz/run.sh --long [BUILD_DIR]        a day's run: each target for LONG_HOURS (6) hours, no
#   input limit, one job per CPU; new inputs are kept in fuzz/found/<target>/ for review.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
long=0
if [ "${1:-}" = --long ]; then
  long=1
  shift
fi
build=${1:-build-fuzz}
runs=${2:-${RUNS:-20000}}
max_time=${MAX_TIME:-0}
jobs_args=()
if [ $long = 1 ]; then
  runs=-1
  max_time=$((${LONG_HOURS:-6} * 3600))
  jobs_args=(-jobs="$(nproc)" -workers="$(nproc)")
fi
targets=(config_fuzz control_fuzz netlink_fuzz dgd_fuzz)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
for t in "${targets[@]}"; do
  bin="$build/fuzz/$t"
  [ -x "$bin" ] || { echo "run.sh: $bin missing: build with -DVIPA_BUILD_FUZZ=ON (clang)" >&2; exit 2; }
  seeds="$here/corpus/${t%_fuzz}"
  art="$here/artifacts/$t"
  mkdir -p "$scratch/$t" "$art"
  args=(-runs="$runs" -max_len=65536 -artifact_prefix="$art/" -print_final_stats=1 "${jobs_args[@]}")
  if [ $long = 0 ]; then args+=(-seed="${FUZZ_SEED:-1}"); fi
  [ "$max_time" != 0 ] && args+=(-max_total_time="$max_time")
  echo "== $t ($runs runs)"
  out="$scratch/$t"
  if [ $long = 1 ]; then
    out="$here/found/$t"
    mkdir -p "$out"
  fi
  if ! "$bin" "${args[@]}" "$out" "$seeds" >"$scratch/$t.log" 2>&1; then
    status=1
    tail -n 60 "$scratch/$t.log"
    echo "== $t FAILED; reproduce with: $bin $art/<crash-file>"
  else
    grep -E "^stat::(number_of_executed_units|peak_rss_mb)|^Done" "$scratch/$t.log" || true
  fi
done
exit $status
