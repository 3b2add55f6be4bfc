// Which interface a [[route]] leaves through, found the way the kernel finds a nexthop's device
// (fib_check_nh for IPv4, ip6_route_check_nh for IPv6), purely over the observed kernel. The one
// answer both the desired state and dead gateway detection use, so both name a gateway by the
// same "ADDR%IFINDEX" key.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "core/model.h"

namespace vipa {

struct RouteIface {
  int oif = 0;          // 0: no interface (the route cannot be installed now)
  bool onlink = false;  // the route carries RTNH_F_ONLINK (`onlink = true`)
  std::string problem;  // why oif is 0, for the status and a notice; empty when there is none
};

// A [[route]] with `interface`: that link (its bridge or bond when it has become a port of one),
// which must reach the gateway unless `onlink = true` or the gateway is IPv6 link-local; a link
// that does not exist (yet) is no config error: interfaces come and go.
// Without `interface`: the link whose on-link prefix holds the gateway, longest prefix first, as
// the kernel's lookup does. On-link prefixes are the interfaces' connected prefixes (for a
// point-to-point address, its peer's prefix), and main-table device routes. Among equally long
// matches the interfaces that use a VIPA win; two of them left is ambiguous, and `interface`
// must say which.
RouteIface resolve_route_iface(const Config& cfg, const Observed& obs, const RouteConfig& rc);

// The link that carries `l`'s IP traffic: its master when `l` is a bridge or bond port (the
// master then holds the addresses and routes), else `l` itself. nullptr stays nullptr.
const Link* ip_link_of(const Observed& obs, const Link* l);

// Whether `gw` is on-link on `ifindex` by a connected prefix, a point-to-point peer or a
// main-table device route.
bool gateway_on_link(const Observed& obs, int ifindex, const IpAddr& gw);

}  // namespace vipa

namespace vipa {

// One notice per [[route]] whose interface cannot be found now ("FILE:LINE:COLUMN: [[route]]
// DEST via GW: why"), for the daemon to log once each.
std::vector<std::string> route_iface_problems(const Config& cfg, const Observed& obs);

}  // namespace vipa
