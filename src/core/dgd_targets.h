// Which gateways dead gateway detection watches, computed purely from the config and the
// observed kernel: one target per "GATEWAY%IFINDEX" (the key desired.cpp looks up in
// Intent::dead_gateways), merged over the [[route]] entries that share it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/ipaddr.h"
#include "config/config.h"
#include "core/model.h"

namespace vipa {

// How a gateway is asked whether it is alive, by what its link can carry.
enum class ProbeMethod {
  Arp,        // IPv4 on a broadcast link that does ARP (Ethernet, bridge, vxlan, tap, vlan, bond)
  Neighbour,  // IPv6 neighbour solicitation on a multicast link that does neighbour discovery
  Echo,       // ICMP echo to the gateway itself, sent through the interface: NOARP,
              // point-to-point and L3 tunnel links (tun, gre, ipip, sit, wireguard, ppp), which
              // have no link-layer address to resolve and never answer ARP or NS
};
const char* probe_method_name(ProbeMethod m);  // "ARP", "NS", "ICMP echo"

// The method for a gateway of `family` on a link with these IFF_* flags and ARPHRD_* type. The
// kernel resolves neighbours only on links with a hardware header that are neither NOARP nor
// point-to-point (arp_constructor / ndisc_constructor give the others NUD_NOARP); a probe the
// kernel itself would never send would never be answered.
ProbeMethod probe_method(uint32_t link_flags, uint16_t link_type, int family);

struct GatewayTarget {
  std::string key;  // "GATEWAY%IFINDEX", e.g. "10.68.1.2%2"
  IpAddr gateway;   // IPv4 or IPv6 (link-local or global)
  int ifindex = 0;
  std::string ifname;
  IpAddr source;              // the physical interface's own address in that family, never a VIPA
  std::vector<IpAddr> track;  // ICMP echo targets beyond the gateway, sent through it only
  bool active = false;        // send probes; if false only passive (neighbour FAILED) applies
  ProbeMethod method = ProbeMethod::Arp;
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
