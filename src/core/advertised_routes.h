// Routes the kernel manages from IPv6 router advertisements, and the companion routes that give
// traffic along them the VIPA as source while the kernel keeps managing the originals
// (docs/ipv6-ra.md).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/model.h"

namespace vipa {

// Routes the kernel installs from router advertisements and keeps itself, finding them again
// by flags netlink can neither show nor set (RTF_ADDRCONF with RTF_DEFAULT, RTF_ROUTEINFO,
// RTF_PREFIX_RT; net/ipv6/ndisc.c, route.c, addrconf.c): default routes and RFC 4191
// route-information routes (protocol ra), and routes of advertised on-link prefixes (protocol
// kernel, with a lifetime). A route rewritten through netlink loses those flags: the next
// advertisement only refreshes its lifetime, and a router lifetime of 0 no longer removes it.
bool is_advertised(const Route& r);

// A companion's metric lies in [metric - kCompanionSpan, metric): better than the advertised
// route's, so the kernel prefers it, and distinct for each advertised route of one destination
// and metric, because IPv6 joins gateway routes of equal metric into one ECMP route.
inline constexpr uint32_t kCompanionSpan = 16;

struct Companions {
  std::map<RouteKey, Route> routes;  // by the companion's key
  std::vector<std::string> refused;  // advertised routes left with the kernel's source, and why
};

// One companion for every main-table advertised route through an interface whose routes take a
// VIPA source: protocol vipa, the same destination, gateway and interface, the VIPA as source,
// the advertised route's metrics and preference, no lifetime (it goes when the original goes).
// Within a destination and metric, advertised routes are ranked by RFC 4191 preference (high
// first), then interface and gateway; rank N gets metric - kCompanionSpan + N. `owned` holds
// vipad's configured routes: a companion never shares a slot with one of them or with a
// foreign route (the kernel would join them into one ECMP route).
Companions advertised_companions(const Observed& obs, const std::map<int, IpAddr>& src6_by_oif,
                                 const std::map<RouteKey, Route>& owned);

}  // namespace vipa
