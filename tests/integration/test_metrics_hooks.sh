#!/usr/bin/env bash
# The Prometheus endpoint and the notify hook, on a real failover in the sample lab.
# - `[daemon] metrics = "127.0.0.1:9469"`: scraped with curl on the host namespace's own
#   loopback (never the machine's); the text is checked by `promtool check metrics` (Debian's
#   prometheus package, fetched with `apt-get download` when not installed) and by a format
#   checker of our own; the gauges and counters follow the failover; other paths answer 404.
# - `notify = HOOK` on vi0: when en1 loses carrier the hook runs with the failover's arguments
#   and environment, directly (the script records what it got); a hook that fails is logged.
source "$(dirname "$0")/lib.sh" "$@"

URL=http://127.0.0.1:9469/metrics
HOOK=$TMP/hook.sh
HOOK_LOG=$TMP/hook.log
PROMTOOL_CACHE=/tmp/vipa-promtool

# ---------------------------------------------------------------- scraping and checking

scrape() { inh curl -sS --max-time 3 "$URL" >"$TMP/metrics.txt"; }
http_code() { inh curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$@"; }
# metric_is SERIES VALUE: the last scrape has exactly this sample line.
metric_is() { grep -Fxq -- "$1 $2" "$TMP/metrics.txt" || { grep -F -- "${1%%\{*}" "$TMP/metrics.txt"; return 1; }; }
# scraped_metric_is SERIES VALUE: a fresh scrape shows it (for use with check_within).
scraped_metric_is() { scrape && metric_is "$@"; }

# find_promtool: sets PROMTOOL, or returns 1. The prometheus package is only unpacked (its
# maintainer scripts would create a user and a service); promtool is a static binary.
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
promtool_ok() { "$PROMTOOL" check metrics <"$TMP/metrics.txt"; }

# The exposition format (text 0.0.4), checked line by line: HELP/TYPE before a family's
# samples and once each, valid names and label syntax, numeric values, counters named _total,
# histograms with buckets, _sum and _count and a +Inf bucket equal to _count, no duplicate series.
format_ok() {
  awk '
    function fail(m) { print "line " NR ": " m ": " $0; bad = 1 }
    function family(n) {
      if (n in type) return n
      b = n; sub(/_(bucket|sum|count)$/, "", b)
      if (b in type && type[b] == "histogram") return b
      return ""
    }
    /^# HELP / { if (($3 in help)) fail("second HELP"); help[$3] = 1; next }
    /^# TYPE / {
      if ($3 in type) fail("second TYPE")
      if ($4 !~ /^(counter|gauge|histogram|summary|untyped)$/) fail("bad type")
      if ($3 in seen_family) fail("TYPE after samples")
      if ($4 == "counter" && $3 !~ /_total$/) fail("counter without _total")
      type[$3] = $4; next
    }
    /^#/ { next }
    /^$/ { fail("empty line"); next }
    {
      if (!match($0, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)) { fail("bad name"); next }
      name = substr($0, 1, RLENGTH); rest = substr($0, RLENGTH + 1); labels = ""
      if (substr(rest, 1, 1) == "{") {
        if (!match(rest, /^\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*)?\}/)) {
          fail("bad labels"); next
        }
        labels = substr(rest, 1, RLENGTH); rest = substr(rest, RLENGTH + 1)
      }
      if (rest !~ /^ ([-+]?[0-9.]+([eE][-+]?[0-9]+)?|[-+]Inf|NaN)( -?[0-9]+)?$/) { fail("bad value"); next }
      f = family(name)
      if (f == "") { fail("sample without TYPE"); next }
      if (!(f in help)) fail("family without HELP")
      seen_family[f] = 1
      if ((name labels) in series) fail("duplicate series")
      series[name labels] = 1
      v = rest; sub(/^ /, "", v); sub(/ .*/, "", v)
      if (type[f] == "histogram") {
        if (name == f "_bucket" && labels ~ /le="\+Inf"/) inf[f] = v
        if (name == f "_count") cnt[f] = v
      }
    }
    END {
      for (f in type) if (type[f] == "histogram") {
        if (!(f in inf)) { print f ": no +Inf bucket"; bad = 1 }
        else if (inf[f] != cnt[f]) { print f ": +Inf bucket " inf[f] " != _count " cnt[f]; bad = 1 }
      }
      exit bad
    }' "$TMP/metrics.txt"
}

# ---------------------------------------------------------------- the hook

# One line per run: the arguments, then the environment it was given.
cat >"$HOOK" <<'HOOK'
#!/bin/sh
printf '%s|' "$@" >>"${0%.sh}.log"
printf 'env:%s|%s|%s|%s|%s|%s\n' "$VIPA" "$VIPA_EVENT" "$VIPA_INTERFACE" "$VIPA_OLD_STATE" \
  "$VIPA_NEW_STATE" "$PATH" >>"${0%.sh}.log"
# A failing hook, to see vipad log it.
[ "$1" = restore ] && exit 3
exit 0
HOOK
chmod 755 "$HOOK"

hook_ran() { grep -Fxq -- "$1" "$HOOK_LOG" 2>/dev/null; }
hook_failure_logged() { grep -q "hook $HOOK restore exited with status 3" "$LOG"; }

# ---------------------------------------------------------------- the test

command -v curl >/dev/null || {
  fail "prerequisites: curl missing"
  finish
}
topo_up || {
  fail "topology"
  finish
}
CFG_VI0_EXTRA="notify = \"$HOOK\"" CFG_EXTRA=$'[daemon]\nmetrics = "127.0.0.1:9469"' sample_config
check "vipad-starts" start_vipad
check_within "sample-converged" 3 sample_converged

check_within "scrape" 3 scrape
check "format-valid" format_ok
if find_promtool; then
  check "promtool-check-metrics" promtool_ok
else
  note "promtool unavailable (no prometheus package reachable): format checked by format_ok only"
fi
check "build-info" grep -Eq '^vipa_build_info\{version="[0-9][^"]*"\} 1$' "$TMP/metrics.txt"
check "vipa-up" metric_is 'vipa_up{vipa="vi0"}' 1
check "en1-up" metric_is 'vipa_interface_up{vipa="vi0",interface="en1"}' 1
check "en5-up" metric_is 'vipa_interface_up{vipa="vi0",interface="en5"}' 1
check "en1-active" metric_is 'vipa_interface_active{vipa="vi0",interface="en1"}' 1
check "gateway-alive" metric_is 'vipa_gateway_alive{gateway="10.68.1.2",interface="en1"}' 1
check "no-failover-yet" metric_is 'vipa_failovers_total{vipa="vi0"}' 0
check "reconciles-counted" grep -Eq '^vipa_reconcile_duration_seconds_count [1-9]' "$TMP/metrics.txt"
check "root-is-404" test "$(http_code http://127.0.0.1:9469/)" = 404
check "post-is-405" test "$(http_code -X POST "$URL")" = 405
check "no-hook-at-start" test ! -e "$HOOK_LOG"

# en1 loses carrier: r1's side of the link goes down.
ipr1 link set r1h down
check_within "hook-failover" 3 hook_ran "failover|vi0|en1|up|down|env:vi0|failover|en1|up|down|/usr/sbin:/usr/bin:/sbin:/bin"
check "hook-link-down" hook_ran "link_down|vi0|en1|up|down|env:vi0|link_down|en1|up|down|/usr/sbin:/usr/bin:/sbin:/bin"
check_within "failover-counted" 3 scraped_metric_is 'vipa_failovers_total{vipa="vi0"}' 1
check "en1-down-metric" metric_is 'vipa_interface_up{vipa="vi0",interface="en1"}' 0
check "en1-inactive-metric" metric_is 'vipa_interface_active{vipa="vi0",interface="en1"}' 0
check "en5-still-up" metric_is 'vipa_interface_up{vipa="vi0",interface="en5"}' 1
check "format-valid-after-failover" format_ok

# en1 comes back; this hook exits 3 on restore, which vipad must log and survive.
ipr1 link set r1h up
router_routes r1
check_within "hook-restore" 3 hook_ran "restore|vi0|en1|down|up|env:vi0|restore|en1|down|up|/usr/sbin:/usr/bin:/sbin:/bin"
check_within "hook-failure-logged" 3 hook_failure_logged
check_within "en1-up-again" 3 scraped_metric_is 'vipa_interface_up{vipa="vi0",interface="en1"}' 1
check "vipad-alive" vipad_alive
note "hook calls: $(wc -l <"$HOOK_LOG" 2>/dev/null)"

# The metrics address need not be up when vipad starts (IP_FREEBIND): vipad starts, and serves
# it once the address appears. IPv6, so the IPV6_FREEBIND path is the one taken.
check "vipad-stops" stop_vipad TERM
CFG_EXTRA=$'[daemon]\nmetrics = "[2001:db8:77::1]:9470"' sample_config
check "nonlocal-metrics-vipad-starts" start_vipad
check_within "nonlocal-metrics-converged" 3 sample_converged
check "nonlocal-metrics-vipad-alive" vipad_alive
iph addr add 2001:db8:77::1/128 dev lo nodad
scrape6() { inh curl -sS -g --max-time 3 "http://[2001:db8:77::1]:9470/metrics" >"$TMP/metrics6.txt"; }
check_within "nonlocal-metrics-served-once-up" 10 scrape6
check "nonlocal-metrics-body" grep -q '^vipa_up{vipa="vi0"} 1$' "$TMP/metrics6.txt"

finish
