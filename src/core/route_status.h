// What `status`, `show` and the metrics say about vipad's own routes, derived from the same
// desired state (compute_desired) and dead gateway set the daemon acts on, so that what it
// reports cannot drift from what it does: an IPv6 metric 0 is desired (and found) as 1024, a
// route kept through a dead gateway as the last resort is found at its worst metric and is not
// alive, and a gateway that shares an ECMP route is found among its nexthops.
#pragma once

#include "core/desired.h"

namespace vipa {

struct ConfiguredRouteStatus {
  int oif = 0;               // the interface it leaves through (route_oif), 0 if none
  bool desired = false;      // vipad wants it in the kernel now
  bool installed = false;    // and the kernel has it, as desired
  bool alive = true;         // its gateway is not declared dead
  bool last_resort = false;  // kept through a dead gateway at the worst metric
  uint32_t metric = 0;       // the kernel metric it is desired at (configured if not desired)
};

ConfiguredRouteStatus configured_route_status(const Intent& intent, const Desired& desired,
                                              const Observed& obs, const RouteConfig& rc);

// An installed route of vipad's: alive unless it is a last-resort route or all its gateways
// are declared dead.
bool owned_route_alive(const Intent& intent, const Route& r);

}  // namespace vipa
