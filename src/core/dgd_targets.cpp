#include "core/dgd_targets.h"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/desired.h"
#include "core/route_iface.h"

namespace vipa {

const char* probe_method_name(ProbeMethod m) {
  switch (m) {
    case ProbeMethod::Arp:
      return "ARP";
    case ProbeMethod::Neighbour:
      return "NS";
    case ProbeMethod::Echo:
      return "ICMP echo";
  }
  return "?";
}

ProbeMethod probe_method(uint32_t link_flags, uint16_t link_type, int family) {
  // Links with an Ethernet header: veth, bridge, bond, vlan, vxlan, tap, gretap, macvlan.
  // Others (ARPHRD_NONE for tun and wireguard, ARPHRD_IPGRE, ARPHRD_TUNNEL, ARPHRD_SIT,
  // ARPHRD_PPP, ...) carry IP without a link-layer address.
  bool resolves = link_type == ARPHRD_ETHER && !(link_flags & (IFF_NOARP | IFF_POINTOPOINT));
  if (!resolves) return ProbeMethod::Echo;
  if (family == AF_INET) return ProbeMethod::Arp;
  // RFC 4861 sends solicitations to a multicast group: a link without multicast cannot do it.
  return (link_flags & IFF_MULTICAST) ? ProbeMethod::Neighbour : ProbeMethod::Echo;
}

IpAddr dgd_probe_source(const Config& cfg, const Observed& obs, int ifindex, const IpAddr& gw) {
  auto vipas = vipa_addresses(cfg);
  bool want_ll = gw.is_v6_link_local();
  const Address* first = nullptr;
  for (auto* a : obs.addrs_on(ifindex)) {
    if (a->family != gw.family || vipas.count(a->addr)) continue;
    // A tentative IPv6 address cannot be a source yet; a secondary IPv4 one is never the one
    // the kernel would pick.
    if (a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_SECONDARY)) continue;
    if (gw.is_v6() && a->addr.is_v6_link_local() != want_ll) continue;
    if (Prefix{a->addr, a->prefixlen}.contains(gw)) return a->addr;
    if (!first) first = a;
  }
  return first ? first->addr : IpAddr{};
}

std::vector<GatewayTarget> dgd_targets(const Config& cfg, const Observed& obs) {
  std::map<std::string, GatewayTarget> by_key;
  for (auto& rc : cfg.routes) {
    if (!rc.gateway || (!rc.active_dgd && !cfg.dgd.passive_dgd)) continue;
    const Link* l = obs.link(resolve_route_iface(cfg, obs, rc).oif);
    if (!l) continue;
    IpAddr src = dgd_probe_source(cfg, obs, l->ifindex, *rc.gateway);
    if (src.empty()) continue;
    std::string key = gateway_key(*rc.gateway, l->ifindex);
    auto [it, fresh] = by_key.try_emplace(key);
    GatewayTarget& t = it->second;
    if (fresh) {
      t.key = key;
      t.gateway = *rc.gateway;
      t.ifindex = l->ifindex;
      t.ifname = l->name;
      t.source = src;
      t.method = probe_method(l->flags, l->type, rc.gateway->family);
    }
    t.active |= rc.active_dgd;
    for (auto& a : rc.track)
      if (std::find(t.track.begin(), t.track.end(), a) == t.track.end()) t.track.push_back(a);
  }
  std::vector<GatewayTarget> out;
  for (auto& [k, t] : by_key) out.push_back(std::move(t));
  return out;
}

}  // namespace vipa
