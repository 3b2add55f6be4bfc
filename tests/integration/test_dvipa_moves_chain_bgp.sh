#!/usr/bin/env bash
# test_dvipa_moves_chain.sh over BGP with BFD: the same scenes, the routers' choice made by MED.
# Run by ctest as `bash test_dvipa_moves_chain_bgp.sh VIPAD VIPACTL`, as root.
DYN_MODE=bgp exec bash "$(dirname "$0")/test_dvipa_moves_chain.sh" "$@"
