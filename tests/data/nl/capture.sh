#!/bin/bash
# Regenerates the golden rtnetlink messages in this directory from the running kernel.
# Needs root; everything happens in a network namespace made for it and deleted afterwards.
#   tests/data/nl/capture.sh OUTDIR
# Writes OUTDIR/NNN.bin (one message each) and OUTDIR/index.txt ("NNN.bin: ip monitor line").
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: capture.sh OUTDIR}
mkdir -p "$out"
ns=vt$$-nlcap
tool=$(mktemp)
cleanup() {
  [ -n "${cap:-}" ] && kill "$cap" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -f "$tool" "${fifo:-}"
}
trap cleanup EXIT
g++ -std=c++20 -o "$tool" "$here/capture.cpp" -lmnl
ip netns add "$ns"
run() { ip netns exec "$ns" "$@"; sleep 0.05; }
fifo=$(mktemp -u)
mkfifo "$fifo"
ip netns exec "$ns" "$tool" "$out" >"$fifo" &
cap=$!
read -r _ <"$fifo"
rm -f "$fifo"

run ip link add en1 type veth peer name en1p
run ip link set en1p up
run ip link set en1 up
run ip addr add 10.68.1.1/24 dev en1
run ip link add vi0 type ifb
run ip link set vi0 alias vipa:managed
run ip link set vi0 up
run ip addr add 10.68.6.1/24 dev vi0 noprefixroute
run ip -6 addr add 2001:db8:6::1/64 dev vi0 nodad noprefixroute
run ip route add default via 10.68.1.2 dev en1 proto 86 metric 10 src 10.68.6.1
run ip route replace 10.68.1.0/24 dev en1 proto kernel scope link src 10.68.6.1
run ip route add 10.68.100.0/24 via 10.68.1.2 dev en1 mtu lock 1400
run ip -6 addr add 2001:db8:1::1/64 dev en1 nodad
run ip -6 route add 2001:db8:99::/48 via 2001:db8:1::2 dev en1
run ip link add en5 type veth peer name en5p
run ip link set en5p up
run ip link set en5 up
run ip addr add 10.68.5.1/24 dev en5
run ip route add 10.68.200.0/24 nexthop via 10.68.1.2 dev en1 nexthop via 10.68.5.2 dev en5
run ip route add 10.68.6.1/32 dev vi0 table 86 proto 86 scope link
run ip route del default via 10.68.1.2 dev en1 metric 10
run ip link set en5p down
run ip link set en1 down
run ip addr del 10.68.6.1/24 dev vi0
run ip link del vi0
run ip addr add 10.68.9.1 peer 10.68.9.2/32 dev en5
sleep 0.2
kill "$cap"
wait "$cap" 2>/dev/null || true
cap=
# `ip monitor file` names interfaces by looking their index up where it runs: give it a
# namespace holding links with the captured indexes and names (ifb, whatever they were).
ip netns del "$ns"
ip netns add "$ns"
for l in 2:en1p 3:en1 4:vi0 5:en5p 6:en5; do
  ip netns exec "$ns" ip link add "${l#*:}" index "${l%%:*}" type ifb
done
: >"$out/index.txt"
for f in "$out"/*.bin; do
  line=$(ip netns exec "$ns" ip monitor file "$f" 2>&1 | tr -s ' \t\n' ' ' | sed 's/ *$//')
  echo "$(basename "$f"): $line" >>"$out/index.txt"
done
