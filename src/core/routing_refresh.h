// The kernel trap: when a VIPA address disappears, even for a moment, the kernel
// deletes every IPv4 route that uses it as preferred source, the routing daemon's too, without
// telling anyone (no RTM_DELROUTE), and re-adding the address brings none back. FRR keeps
// believing its routes are installed; BIRD notices at its next kernel scan (60 s by default).
// After vipad restores a VIPA address it runs these commands so the configured daemon
// reinstalls them at once (measured: within ~150 ms, docs/routing.md).
#pragma once

#include <string>
#include <vector>

#include "common/ipaddr.h"
#include "config/config.h"

namespace vipa {

// The argv lists to run (directly, no shell; in order) after the addresses `vipas` came back;
// empty with [routing] daemon = "none" or no address.
//
// Each daemon's commands are its entry's (routing/daemons.h):
// FRR: one vtysh session that removes and re-applies each per-protocol source route-map the
// `vipactl export frr` snippet installed; that marks the protocols' routes changed, and zebra
// installs them again (also those it had marked rejected, when the kernel refused them while
// the VIPA was missing). An `ip protocol any` route-map would not do: FRR 8.4 marks nothing
// when it changes. The same session imports vipad's table afresh (`ip import-table`), which
// FRR 8.4 otherwise loses in that sequence, leaving the VIPA unannounced.
// BIRD: `birdc reload out` of the main-table kernel protocol re-sends every exported route,
// which BIRD writes with NLM_F_REPLACE (re-created when missing).
std::vector<std::vector<std::string>> refresh_commands(const RoutingConfig& rc,
                                                       const std::vector<IpAddr>& vipas);

}  // namespace vipa
