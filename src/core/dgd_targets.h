// Which gateways dead gateway detection watches, computed purely from the config and the
// observed kernel: one target per "GATEWAY%IFINDEX" (the key desired.cpp looks up in
// Intent::dead_gateways), merged over the [[route]] entries that share it.
#pragma once

#include <string>
#include <vector>

#include "common/ipaddr.h"
#include "config/config.h"
#include "core/model.h"

namespace vipa {

struct GatewayTarget {
  std::string key;  // "GATEWAY%IFINDEX", e.g. "10.68.1.2%2"
  IpAddr gateway;   // IPv4 or IPv6 (link-local or global)
  int ifindex = 0;
  std::string ifname;
  IpAddr source;              // the physical interface's own address in that family, never a VIPA
  std::vector<IpAddr> track;  // ICMP echo targets beyond the gateway, sent through it only
  bool active = false;        // send probes; if false only passive (neighbour FAILED) applies
  bool operator==(const GatewayTarget&) const = default;
};

// Routes with active_dgd = true become active targets; with [dgd] passive_dgd = true every
// other route with a gateway becomes a passive one. A gateway whose interface cannot be
// resolved (no such link, no connected prefix holding it) or that has no usable source address
// is left out: its routes cannot be installed anyway.
std::vector<GatewayTarget> dgd_targets(const Config& cfg, const Observed& obs);

// The source of probes to `gw` on `ifindex`: an address of that interface in the gateway's
// family whose prefix holds the gateway, else its first primary one (a link-local one for a
// link-local IPv6 gateway); never a tentative address or a configured VIPA address.
IpAddr dgd_probe_source(const Config& cfg, const Observed& obs, int ifindex, const IpAddr& gw);

}  // namespace vipa
