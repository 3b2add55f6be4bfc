#!/bin/bash
# Regenerates dgd_fuzz's captured corpus (fuzz/corpus/dgd/cap-*.bin) from the running kernel:
# the answers a real gateway's kernel gives to vipad's probes, and the neighbour events they
# cause. Needs root; everything happens in two network namespaces made for it and deleted
# afterwards.
#   fuzz/capture-dgd.sh [OUTDIR]      default: fuzz/corpus/dgd
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/corpus/dgd}
a=vt$$-dgda
b=vt$$-dgdb
cleanup() {
  ip netns del "$a" 2>/dev/null || true
  ip netns del "$b" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
ip -n "$a" link add a0 type veth peer name b0 netns "$b"
ip -n "$a" addr add 10.68.70.1/24 dev a0
ip -n "$b" addr add 10.68.70.2/24 dev b0
ip -n "$a" -6 addr add 2001:db8:70::1/64 dev a0 nodad
ip -n "$b" -6 addr add 2001:db8:70::2/64 dev b0 nodad
ip -n "$a" link set a0 up
ip -n "$b" link set b0 up
ip -n "$a" link set lo up
ip -n "$b" link set lo up
# Until both links' IPv6 link-local addresses are past DAD: a solicitation sent earlier is lost.
for _ in $(seq 100); do
  ip -n "$a" -6 addr show dev a0 | grep -q tentative || ip -n "$b" -6 addr show dev b0 | grep -q tentative || break
  sleep 0.05
done
ip netns exec "$a" python3 "$here/capture_dgd.py" "$out"
