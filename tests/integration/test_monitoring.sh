#!/usr/bin/env bash
# The dashboard and alerting rules shipped in /usr/share/vipa/: the rules pass
# `promtool check rules` and their unit test (`promtool test rules`, which fires each alert on
# series that mean trouble and keeps it quiet on healthy ones), and the dashboard is valid
# Grafana JSON whose panels all have queries. That they query only metrics vipad exports is
# checked against the metrics code itself in tests/unit/monitoring_test.cpp. Touches no network.
source "$(dirname "$0")/lib.sh" "$@"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
MON=$SRC/packaging/monitoring
PROMTOOL_CACHE=/tmp/vipa-promtool

# find_promtool: sets PROMTOOL, or returns 1. As in test_metrics_hooks.sh, the prometheus
# package is only unpacked (its maintainer scripts would create a user and a service).
find_promtool() {
  PROMTOOL=$(command -v promtool) && return 0
  PROMTOOL=$PROMTOOL_CACHE/usr/bin/promtool
  [ -x "$PROMTOOL" ] && return 0
  mkdir -p "$TMP/apt" && (cd "$TMP/apt" && timeout 120 apt-get download -q prometheus >/dev/null 2>&1) &&
    dpkg-deb -x "$TMP"/apt/prometheus_*.deb "$TMP/apt/x" &&
    mkdir -p "$PROMTOOL_CACHE/usr/bin" &&
    cp "$TMP/apt/x/usr/bin/promtool" "$PROMTOOL" &&
    [ -x "$PROMTOOL" ]
}

if find_promtool; then
  check "promtool-check-rules" "$PROMTOOL" check rules "$MON/vipa-alerts.yml"
  # promtool resolves rule_files relative to the test file's directory.
  check "promtool-test-rules" "$PROMTOOL" test rules "$MON/vipa-alerts.test.yml"
else
  fail "promtool-missing" "promtool not found and the prometheus package could not be fetched"
fi

dashboard_ok() {
  python3 - "$MON/vipa-dashboard.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["title"] and d["uid"], "title and uid"
ids = [p["id"] for p in d["panels"]]
assert len(ids) == len(set(ids)), "panel ids unique"
for p in d["panels"]:
    assert p["targets"], "panel %s has no query" % p["title"]
    for t in p["targets"]:
        assert t["expr"].strip(), "empty query in %s" % p["title"]
PY
}
check "dashboard-valid-json" dashboard_ok

finish
