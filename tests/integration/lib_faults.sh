# shellcheck shell=bash
# Helpers of test_faults.sh (sourced after lib.sh).

TABLE_N=${TABLE_N:-10000}

now_us() { echo $((10#${EPOCHREALTIME//[.,]/})); }
ms_to_s() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# make_table_batches: TABLE_N /32s in 10.68.32.0-10.68.71.255, alternately via en1's and en5's
# router, as `ip -batch` files: add.batch adds them, strip.batch takes their source away again.
make_table_batches() {
  local i gw dev p
  : >"$TMP/add.batch"
  : >"$TMP/strip.batch"
  for ((i = 0; i < TABLE_N; i++)); do
    if ((i % 2)); then gw=10.68.5.2 dev=en5; else gw=10.68.1.2 dev=en1; fi
    p="10.68.$((32 + i / 256)).$((i % 256))/32 via $gw dev $dev"
    echo "route add $p" >>"$TMP/add.batch"
    echo "route replace $p" >>"$TMP/strip.batch"
  done
}
table_lines() { iph -4 route show | grep -E '^10\.68\.(3[2-9]|[4-6][0-9]|7[01])\.'; }
table_src_count() { table_lines | grep -c " src $VIPA4 "; }
table_all_src() { [ "$(table_src_count)" = "$TABLE_N" ]; }
all_converged() { table_all_src && sample_converged; }

# launch_vipad: vipad in the background without waiting for anything (start_vipad waits).
launch_vipad() {
  echo "===== launch (to be killed) =====" >>"$LOG"
  ip netns exec "$NS_H" "$VIPAD" --config "$CONF" --socket "$SOCK" >>"$LOG" 2>&1 &
  VIPAD_PID=$!
}

# snapshot_routes FILE: the host's main tables, both families, without the preferred sources
# and without vipad's own routes: what vipad must leave as it found it.
snapshot_routes() {
  {
    iph -4 route show
    iph -6 route show
  } 2>/dev/null | grep -v ' proto 86 ' | sed -E 's/ src [^ ]+//; s/ +$//' | sort >"$1"
}
# same_routes FILE: the same route set as FILE, and no route twice.
same_routes() {
  snapshot_routes "$TMP/after"
  diff "$1" "$TMP/after" || return 1
  local d
  d=$({
    iph -4 route show
    iph -6 route show
  } | sort | uniq -d)
  [ -z "$d" ] || {
    echo "duplicates: $d"
    return 1
  }
}
# same_snapshot FILE: FILE was taken by snapshot_routes when the state was right: the same routes
# now, and the sample's own checks (sources, vipad's routes once each).
same_snapshot() { same_routes "$1" && sample_converged && owned_defaults_once; }

# owned_defaults_once: each of vipad's default routes exactly once per family.
owned_defaults_once() {
  local n4 n6
  n4=$(iph -4 route show default proto 86 | wc -l)
  n6=$(iph -6 route show default proto 86 | wc -l)
  local want6=2
  [ "${CFG_V6:-1}" = 1 ] || want6=0
  [ "$n4" = 2 ] && [ "$n6" = "$want6" ] || {
    echo "owned defaults: $n4 IPv4, $n6 IPv6"
    return 1
  }
}
# owned_never_deleted MONITOR_FILE: no deletion of a proto 86 route was seen.
owned_never_deleted() {
  local d
  d=$(grep -E '^Deleted.* proto (86|vipa) ' "$1")
  [ -z "$d" ] || {
    echo "$d" | head -n 5
    return 1
  }
}

# flap_storm IFACE SECONDS COUNTFILE: IFACE down and up again every 5 ms, through one `ip -batch`
# fed by a pacing loop (a new `ip` per change could not keep the pace). COUNTFILE gets the number
# of changes sent.
flap_storm() {
  python3 - "$1" "$2" "$3" <<'EOF' | iph -force -batch - >/dev/null 2>&1
import sys, time
dev, secs, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
n, start = 0, time.monotonic()
while time.monotonic() - start < secs:
    print("link set %s %s" % (dev, "down" if n % 2 == 0 else "up"), flush=True)
    n += 1
    time.sleep(max(0.0, start + n * 0.005 - time.monotonic()))
if n % 2:
    print("link set %s up" % dev, flush=True)
    n += 1
open(out, "w").write("%d\n" % n)
EOF
}

# latency_summary FILE: "n=.. p50=.. p90=.. max=.." of the integers in FILE.
latency_summary() {
  sort -n "$1" | awk 'function at(p, r) {r = int(NR * p + 0.999); return a[r < 1 ? 1 : r]}
    {a[NR] = $1} END {
      if (NR == 0) { print "none"; exit }
      printf "n=%d min=%d p50=%d p90=%d p99=%d max=%d", NR, a[1], at(0.5), at(0.9), at(0.99), a[NR] }'
}

# top_repeat FILE / repeats_at_most N FILE: identical log lines.
top_repeat() { sort "$1" | uniq -c | sort -rn | head -n 1 | sed 's/^ *//'; }
repeats_at_most() {
  local top
  top=$(sort "$2" | uniq -c | sort -rn | head -n 1 | awk '{print $1}')
  [ "${top:-0}" -le "$1" ] || {
    sort "$2" | uniq -c | sort -rn | head -n 3
    return 1
  }
}

# tcp_retrans NS: the namespace's TCP retransmitted segments so far.
tcp_retrans() {
  ip netns exec "$1" awk '/^Tcp:/ {if (!h) {for (i = 1; i <= NF; i++) c[$i] = i; h = 1}
    else print $c["RetransSegs"]}' /proc/net/snmp
}
