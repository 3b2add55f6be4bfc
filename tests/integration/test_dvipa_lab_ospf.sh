#!/usr/bin/env bash
# Dynamic VIPA over OSPF (a passive interface per DVIPA, its cost the rank's metric):
# three hosts (ranks 200, 100, 50), two FRR routers, a client (tests/integration/lib_dvipa.sh).
# Ownership, takeover on carrier loss and on a silent death, health withdraw (0 failed
# connections, address kept), kill -9 of vipad adopted without a route change, FRR restarted,
# a reload that changes a rank, nobody announcing (tests/integration/lib_dvipa_checks.sh).
# Run by ctest as `bash test_dvipa_lab_ospf.sh VIPAD VIPACTL`, as root.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh" "$@"
export VIPAD VIPACTL
DYN_MODE=ospf
DYN_HEALTH=1
DYN_DVIPA_EXTRA='hold_down_ms = 2000'
source "$HERE/lib_dvipa.sh"
source "$HERE/lib_dvipa_checks.sh"
dyn_test_traps
dv_suite
