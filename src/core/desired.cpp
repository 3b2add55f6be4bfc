#include "core/desired.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "core/advertised_routes.h"
#include "core/route_iface.h"
#include "core/vipa_ifaces.h"
#include "srcsel/source_rules.h"

namespace vipa {

namespace {

bool has_name(const std::vector<std::string>& v, const std::string& n) {
  return std::find(v.begin(), v.end(), n) != v.end();
}

// IPv6 has no route scopes: the kernel reports every IPv6 route as universe. Desiring "link"
// for one would never match and would rewrite it for ever.
uint8_t route_scope(uint8_t family, bool device_route) {
  return family == AF_INET && device_route ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
}

std::vector<DesiredAddr> vipa_addrs_of(const VipaConfig& v) {
  std::vector<DesiredAddr> out;
  uint32_t f4 = IFA_F_NOPREFIXROUTE;
  // NODAD: the VIPA is usable at once (no tentative period); it lives on no shared link.
  uint32_t f6 = IFA_F_NOPREFIXROUTE | IFA_F_NODAD;
  if (v.netaddr) out.push_back({*v.netaddr, v.netmask_len, f4});
  for (auto& a : v.alias4) out.push_back({a.addr, a.len, f4});
  if (v.netaddr6) out.push_back({*v.netaddr6, v.prefixlen, f6});
  for (auto& a : v.alias6) out.push_back({a.addr, a.len, f6});
  return out;
}

}  // namespace

std::string gateway_key(const IpAddr& gw, int oif) {
  return gw.str() + "%" + std::to_string(oif);
}

std::vector<std::pair<std::string, std::string>> iface_sysctls(const std::string& ifname) {
  std::string v4 = "/proc/sys/net/ipv4/conf/" + ifname + "/";
  std::string v6 = "/proc/sys/net/ipv6/conf/" + ifname + "/";
  return {
      {v4 + "rp_filter", "2"},
      {v4 + "arp_ignore", "1"},
      {v4 + "arp_announce", "2"},
      {v4 + "ignore_routes_with_linkdown", "1"},
      {v6 + "ignore_routes_with_linkdown", "1"},
  };
}

Desired compute_desired(const Intent& intent, const Observed& obs) {
  Desired d;
  const Config& cfg = *intent.config;

  std::vector<std::string> vipa_names;
  for (auto& v : cfg.vipas) vipa_names.push_back(v.name);

  for (auto& v : cfg.vipas) {
    DesiredVipa dv;
    dv.name = v.name;
    dv.kind = v.kind;
    dv.adopt = v.adopt;
    dv.present = !intent.cleanup && v.state != VipaState::Detach;
    dv.up = v.state == VipaState::Up;
    dv.addrs = vipa_addrs_of(v);
    if (!dv.present || !dv.up)
      for (auto& a : dv.addrs) d.retired_addrs.insert(a.addr);
    dv.ifaces = vipa_interfaces(cfg, obs, v);
    const Link* link = obs.link_by_name(v.name);
    if (dv.present && dv.up && link && link->admin_up()) {
      if (v.netaddr && obs.has_addr(link->ifindex, *v.netaddr)) dv.src4 = *v.netaddr;
      if (v.netaddr6 && obs.has_addr(link->ifindex, *v.netaddr6)) dv.src6 = *v.netaddr6;
    }
    d.vipas.push_back(std::move(dv));
  }

  for (auto& x : intent.dvipa_links) {
    DesiredVipa dv;
    dv.name = x.name;
    dv.present = !intent.cleanup;
    dv.addrs.push_back(
        {x.addr, x.addr.bits(), IFA_F_NOPREFIXROUTE | (x.addr.is_v6() ? IFA_F_NODAD : 0u)});
    if (!dv.present) d.retired_addrs.insert(x.addr);
    dv.ifaces = x.ifaces;
    vipa_names.push_back(x.name);
    d.vipas.push_back(std::move(dv));
  }

  // Links vipad made for VIPAs that are no longer configured: sweep them, restoring routes.
  for (auto& [i, l] : obs.links) {
    if (l.alias != kLinkTag || has_name(vipa_names, l.name)) continue;
    DesiredVipa dv;
    dv.name = l.name;
    dv.present = false;
    for (auto* a : obs.addrs_on(l.ifindex)) d.retired_addrs.insert(a->addr);
    d.vipas.push_back(std::move(dv));
  }

  for (auto& dv : d.vipas) {
    if (!dv.present) continue;
    for (auto& name : dv.ifaces) {
      // A listed interface that became a bridge or bond port hands its role to the master.
      const Link* l = ip_link_of(obs, obs.link_by_name(name));
      if (!l || l->is_loopback()) continue;
      if (!dv.src4.empty()) d.src4_by_oif[l->ifindex] = dv.src4;
      if (!dv.src6.empty()) d.src6_by_oif[l->ifindex] = dv.src6;
      for (auto& [path, value] : iface_sysctls(l->name)) d.sysctls[path] = value;
    }
  }

  if (intent.cleanup) return d;

  // Owned routes ([[route]]): installed while their way out is alive.
  // multipath = true: the live gateways of one destination and metric share one ECMP route.
  std::map<std::tuple<int, IpAddr, int, uint32_t>, Route> ecmp;
  // A destination keeps its routes through dead gateways, at the worst metric, while it has no
  // live one: withdrawing them all would leave no route back to a tracked target (loose
  // rp_filter then drops its echo replies), so the gateways could never be seen alive again;
  // and the least bad route is better than none (AIX uses it too).
  std::set<std::tuple<int, IpAddr, int>> has_live;
  std::vector<RouteIface> via;  // per [[route]], resolved once
  for (auto& rc : cfg.routes) via.push_back(resolve_route_iface(cfg, obs, rc));
  for (size_t i = 0; i < cfg.routes.size(); ++i) {
    const RouteConfig& rc = cfg.routes[i];
    if (!rc.destination) continue;
    int oif = via[i].oif;
    const Link* l = obs.link(oif);
    if (!l || !l->admin_up() || !l->carrier()) continue;
    if (!rc.gateway || !intent.dead_gateways.count(gateway_key(*rc.gateway, oif)))
      has_live.insert(
          {rc.family, rc.destination->addr.masked(rc.destination->len), rc.destination->len});
  }
  for (size_t i = 0; i < cfg.routes.size(); ++i) {
    const RouteConfig& rc = cfg.routes[i];
    if (!rc.destination) continue;
    int oif = via[i].oif;
    const Link* l = obs.link(oif);
    if (!l || !l->admin_up() || !l->carrier()) continue;
    bool dead = rc.gateway && intent.dead_gateways.count(gateway_key(*rc.gateway, oif));
    bool last_resort =
        dead && !has_live.count({rc.family, rc.destination->addr.masked(rc.destination->len),
                                 rc.destination->len});
    if (dead && !last_resort) continue;
    Route r;
    r.family = static_cast<uint8_t>(rc.family);
    r.table = RT_TABLE_MAIN;
    r.dst = rc.destination->addr.masked(rc.destination->len);
    r.dst_len = static_cast<uint8_t>(rc.destination->len);
    r.protocol = kProtoVipa;
    r.type = RTN_UNICAST;
    r.scope = route_scope(r.family, !rc.gateway);
    // The kernel stores IPv6 metric 0 as 1024; desire what it will report.
    r.priority = (rc.family == AF_INET6 && rc.metric == 0) ? 1024 : rc.metric;
    if (last_resort) r.priority = kDeadGatewayMetric | (rc.metric & 0xffff);
    r.oif = oif;
    if (rc.gateway) r.gateway = *rc.gateway;
    if (via[i].onlink) r.rtm_flags = RTNH_F_ONLINK;
    auto& srcs = rc.family == AF_INET ? d.src4_by_oif : d.src6_by_oif;
    if (auto it = srcs.find(oif); it != srcs.end()) r.prefsrc = it->second;
    if (!rc.multipath || last_resort) {
      d.owned.emplace(r.key(), r);
      continue;
    }
    auto [it, fresh] = ecmp.try_emplace({r.family, r.dst, r.dst_len, r.priority}, r);
    Route& m = it->second;
    if (fresh) m.nexthops.clear();
    m.nexthops.push_back({r.oif, r.gateway});
    // One source for the whole route: only when every nexthop uses the same VIPA.
    if (m.prefsrc != r.prefsrc) m.prefsrc = IpAddr{};
  }
  for (auto& [k, m] : ecmp) {
    Route r = m;
    if (r.nexthops.size() > 1) {
      std::sort(r.nexthops.begin(), r.nexthops.end());
      r.oif = 0;
      r.gateway = IpAddr{};
    } else {
      r.nexthops.clear();  // one live gateway left: a plain route
    }
    d.owned.emplace(r.key(), r);
  }

  // Publish each usable VIPA in vipad's own table, for routing daemons to announce; withdrawn
  // when no interface using it can carry traffic (routers should stop sending to us).
  for (size_t i = 0; i < cfg.vipas.size(); ++i) {
    const VipaConfig& v = cfg.vipas[i];
    const DesiredVipa& dv = d.vipas[i];
    const Link* vl = obs.link_by_name(v.name);
    if (!dv.present || !dv.up || !vl || !vl->admin_up()) continue;
    bool any_alive = false;
    for (auto& n : dv.ifaces)
      if (auto* l = ip_link_of(obs, obs.link_by_name(n)); l && l->admin_up() && l->carrier())
        any_alive = true;
    if (!any_alive) continue;
    for (auto& a : dv.addrs) {
      if (!obs.has_addr(vl->ifindex, a.addr)) continue;
      Route r;
      r.family = a.addr.family;
      r.table = cfg.routing.table;
      int len = v.advertise == Advertise::Subnet ? a.prefixlen : a.addr.bits();
      r.dst = a.addr.masked(len);
      r.dst_len = static_cast<uint8_t>(len);
      r.protocol = kProtoVipa;
      r.type = RTN_UNICAST;
      r.scope = route_scope(r.family, true);
      r.oif = vl->ifindex;
      r.priority = a.addr.is_v6() ? 1024 : 0;  // the kernel's IPv6 default metric
      d.owned.emplace(r.key(), r);
    }
  }

  // Routes the kernel manages from router advertisements are left to it; a companion of
  // vipad's own gives the traffic along each the VIPA as source (docs/ipv6-ra.md).
  if (!intent.stopping) {
    Companions c = advertised_companions(obs, d.src6_by_oif, d.owned);
    d.owned.merge(c.routes);
    d.notices = std::move(c.refused);
  }

  srcsel::add_source_tables(cfg, obs, d);  // [[source]] user and destination rules
  d.remembered = intent.remembered;
  return d;
}

}  // namespace vipa
