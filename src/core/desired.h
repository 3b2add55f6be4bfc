// The desired kernel state, computed purely from the config, the observed kernel and the
// daemon's runtime facts (gateway liveness, routes to bring back).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/model.h"

namespace vipa {

// What the daemon knows beyond the config and the kernel's tables.
struct Intent {
  const Config* config = nullptr;
  bool cleanup = false;  // `vipad --cleanup`: desire nothing, restore everything
  // Gateways that dead gateway detection declared dead, as "ADDR%IFINDEX".
  std::set<std::string> dead_gateways;
  // Foreign routes the kernel flushed together with a VIPA address (IPv4 deletes every route
  // whose prefsrc vanishes, without RTM_DELROUTE); they come back once the address does.
  std::vector<Route> remembered;
  // vipad stops (SIGTERM): the companions of advertised routes go, as they have no lifetime
  // of their own and would outlive a withdrawal while nobody watches (docs/ipv6-ra.md).
  bool stopping = false;
  // Dynamic VIPAs' links (src/dvipa): each virtual, holding one host address, never a source.
  struct DvipaLink {
    std::string name;  // "vd-web"
    IpAddr addr;
    std::vector<std::string> ifaces;  // get the same sysctls as a VIPA's interfaces
  };
  std::vector<DvipaLink> dvipa_links;
};

struct DesiredAddr {
  IpAddr addr;
  int prefixlen = 0;
  uint32_t flags = 0;  // IFA_F_NOPREFIXROUTE (+ IFA_F_NODAD for IPv6)
};

struct DesiredVipa {
  std::string name;
  LinkKind kind = LinkKind::Auto;
  bool present = true;  // false: detach (remove the link once no route uses its addresses)
  bool up = true;
  bool adopt = false;  // take over an untagged dummy/ifb link of this name ([vipa.X] adopt)
  std::vector<DesiredAddr> addrs;
  std::vector<std::string> ifaces;  // interfaces using the VIPA (listed, or all)
  IpAddr src4, src6;                // set when the VIPA can be used as a source right now
};

struct Desired {
  std::vector<DesiredVipa> vipas;
  std::map<int, IpAddr> src4_by_oif, src6_by_oif;  // interfaces whose routes take a VIPA source
  std::map<RouteKey, Route> owned;                 // every route carrying protocol vipa
  std::map<std::string, std::string> sysctls;      // path -> value
  // Addresses of VIPAs that are down, detached or swept: routes using them get their own
  // source back.
  std::set<IpAddr> retired_addrs;
  std::vector<Route> remembered;     // to re-add when missing
  std::vector<std::string> notices;  // what vipad will not do, for the plan's problems
};

Desired compute_desired(const Intent& intent, const Observed& obs);

// The sysctl paths vipad sets on an interface that uses a VIPA, with their values:
// loose rp_filter (replies may arrive on the other interface), arp_ignore/arp_announce (the
// VIPA is never answered or announced in ARP on the physical links, as on AIX), and
// ignore_routes_with_linkdown (a carrier-down nexthop is skipped at once by the kernel).
std::vector<std::pair<std::string, std::string>> iface_sysctls(const std::string& ifname);

// The metric (high 16 bits) of routes kept through a dead gateway because their destination has
// no live route left: worse than anything configured, so a live route wins as soon as it exists.
inline constexpr uint32_t kDeadGatewayMetric = 0xffff0000u;

// The interface a [[route]] leaves through, 0 if none: resolve_route_iface(...).oif (see
// core/route_iface.h). Shared with dead gateway detection so that both name a gateway by the
// same "ADDR%IFINDEX" key.
int route_oif(const Config& cfg, const Observed& obs, const RouteConfig& rc);

// The key of a gateway in Intent::dead_gateways: "ADDR%IFINDEX".
std::string gateway_key(const IpAddr& gw, int oif);

}  // namespace vipa
