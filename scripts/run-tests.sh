#!/usr/bin/env bash
# The whole test suite, as CI runs it (README's `make test` after the dependencies):
#   1. a warning-free build (-Werror), every unit test and every integration test;
#   2. the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer, all but
#      the package test, which builds its own Release .deb;
#   3. the libFuzzer targets for a bounded number of runs (fuzz/run.sh; long runs: docs/fuzzing.md).
# Integration tests make their own network namespaces (root) and run one at a time: they time
# failovers, and a parallel compile would only add noise.
# Set VIPA_TEST_STAGES="main asan fuzz" (any subset) to run fewer stages.
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}
STAGES=${VIPA_TEST_STAGES:-main asan fuzz}
PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()
SKIPPED_NAMES=()
LOGDIR=$(mktemp -d)
trap 'rm -rf "$LOGDIR"' EXIT

# ctest with its output shown, then its counts added to the totals. A stage that runs no test
# fails (a broken glob or label must not pass as "0 failed"), and a skipped test (GTEST_SKIP,
# which gtest_discover_tests maps to ctest's Skipped) is counted and listed as skipped, never
# as passed.
run_ctest() {
  local label=$1
  shift
  local log="$LOGDIR/$label.log"
  ctest "$@" --output-on-failure 2>&1 | tee "$log"
  local line total failed skipped
  line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -n 1)
  if [ -z "$line" ]; then
    FAILED=$((FAILED + 1))
    if grep -q "No tests were found" "$log"; then
      FAILED_NAMES+=("$label: no tests were found")
    else
      FAILED_NAMES+=("$label: ctest did not finish")
    fi
    return 0
  fi
  failed=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
  total=$(echo "$line" | sed -E 's/.* out of ([0-9]+).*/\1/')
  if [ "$total" -eq 0 ]; then
    FAILED=$((FAILED + 1))
    FAILED_NAMES+=("$label: ran no test")
    return 0
  fi
  skipped=0
  while read -r name; do
    skipped=$((skipped + 1))
    SKIPPED_NAMES+=("$label: $name")
  done < <(sed -n '/The following tests did not run:/,/^$/p' "$log" |
    grep -E '^\s+[0-9]+ - .*\(Skipped\)' | sed -E 's/^\s+[0-9]+ - //; s/ \(Skipped\)//')
  PASSED=$((PASSED + total - failed - skipped))
  SKIPPED=$((SKIPPED + skipped))
  FAILED=$((FAILED + failed))
  while read -r name; do FAILED_NAMES+=("$label: $name"); done < <(
    sed -n '/The following tests FAILED:/,$p' "$log" | grep -E '^\s+[0-9]+ - ' | sed -E 's/^\s+[0-9]+ - //')
}

build() {
  local dir=$1
  shift
  echo "== configure $dir"
  # ccache, where installed, only caches compiler output (it changes no flag or result).
  local launcher=()
  command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$dir" "${launcher[@]}" "$@" >"$LOGDIR/cmake-$(basename "$dir").log" 2>&1 ||
    { cat "$LOGDIR/cmake-$(basename "$dir").log"; return 1; }
  echo "== build $dir"
  cmake --build "$dir" -j"$JOBS"
}

stage_failed() {
  FAILED=$((FAILED + 1))
  FAILED_NAMES+=("$1")
}

start=$(date +%s)
if [[ " $STAGES " == *" main "* ]]; then
  if build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIPA_WERROR=ON; then
    echo "== unit tests"
    run_ctest unit --test-dir build -LE 'integration|dvipa_lab|boot' -j"$JOBS" --timeout 300
    echo "== integration tests"
    run_ctest integration --test-dir build -L integration
  else
    stage_failed "build"
  fi
fi

if [[ " $STAGES " == *" asan "* ]]; then
  # halt_on_error: a sanitizer report fails the test that triggered it.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  if build build-asan -DCMAKE_BUILD_TYPE=Debug -DVIPA_SANITIZE=ON -DVIPA_BUILD_BENCH=OFF; then
    echo "== unit tests (ASan+UBSan)"
    run_ctest unit-asan --test-dir build-asan -LE 'integration|dvipa_lab|boot' -j"$JOBS" --timeout 300
    echo "== integration tests (ASan+UBSan)"
    # test_package and test_real_boot build and install their own Release package: the same
    # test again here would add nothing the sanitizers see. The three-host Dynamic VIPA scenes
    # (label dvipa_lab) run in the main stage only; vipad's DVIPA code
    # runs under the sanitizers in test_dvipa_one_router and test_dvipa_input.
    run_ctest integration-asan --test-dir build-asan -L integration -LE dvipa_lab \
      -E 'test_package|test_real_boot'
  else
    stage_failed "asan build"
  fi
  unset ASAN_OPTIONS UBSAN_OPTIONS
fi

if [[ " $STAGES " == *" fuzz "* ]]; then
  if CC=clang CXX=clang++ build build-fuzz -DVIPA_BUILD_FUZZ=ON -DVIPA_BUILD_TESTS=OFF \
    -DVIPA_BUILD_BENCH=OFF; then
    echo "== fuzzers (bounded runs)"
    if fuzz/run.sh build-fuzz "${FUZZ_RUNS:-20000}"; then
      PASSED=$((PASSED + 1))
    else
      stage_failed "fuzzers"
    fi
  else
    stage_failed "fuzz build"
  fi
fi

echo
echo "== summary ($(($(date +%s) - start)) s, stages: $STAGES)"
for n in "${SKIPPED_NAMES[@]}"; do echo "SKIPPED: $n"; done
for n in "${FAILED_NAMES[@]}"; do echo "FAILED: $n"; done
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
[ "$FAILED" -eq 0 ]
