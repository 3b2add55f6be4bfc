#include "core/route_status.h"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>

namespace vipa {

namespace {

bool carries(const Route& r, int oif, const std::optional<IpAddr>& gw) {
  IpAddr g = gw ? *gw : IpAddr{};
  if (r.nexthops.empty()) return r.oif == oif && r.gateway == g;
  return std::find(r.nexthops.begin(), r.nexthops.end(), Nexthop{oif, g}) != r.nexthops.end();
}

bool same_destination(const Route& r, const RouteConfig& rc) {
  return r.family == rc.family && r.table == RT_TABLE_MAIN && r.dst_len == rc.destination->len &&
         r.dst == rc.destination->addr.masked(rc.destination->len);
}

}  // namespace

ConfiguredRouteStatus configured_route_status(const Intent& intent, const Desired& desired,
                                              const Observed& obs, const RouteConfig& rc) {
  ConfiguredRouteStatus st;
  st.metric = (rc.family == AF_INET6 && rc.metric == 0) ? 1024 : rc.metric;
  if (!rc.destination) return st;
  const Config& cfg = *intent.config;
  st.oif = route_oif(cfg, obs, rc);
  st.alive = !rc.gateway || !intent.dead_gateways.count(gateway_key(*rc.gateway, st.oif));
  for (auto& [k, r] : desired.owned) {
    if (!same_destination(r, rc) || !carries(r, st.oif, rc.gateway)) continue;
    // Its own metric, or the last-resort one derived from it (an ECMP route of the same
    // destination at another metric is another [[route]]'s).
    bool last = (r.priority & 0xffff0000u) == kDeadGatewayMetric &&
                (r.priority & 0xffff) == (st.metric & 0xffff);
    if (r.priority != st.metric && !last) continue;
    st.desired = true;
    st.last_resort = last && r.priority != st.metric;
    st.metric = r.priority;
    auto it = obs.routes.find(k);
    st.installed = it != obs.routes.end() && it->second.protocol == kProtoVipa &&
                   carries(it->second, st.oif, rc.gateway);
    break;
  }
  return st;
}

bool owned_route_alive(const Intent& intent, const Route& r) {
  if ((r.priority & 0xffff0000u) == kDeadGatewayMetric) return false;
  if (r.nexthops.empty())
    return r.gateway.empty() || !intent.dead_gateways.count(gateway_key(r.gateway, r.oif));
  for (auto& nh : r.nexthops)
    if (nh.gateway.empty() || !intent.dead_gateways.count(gateway_key(nh.gateway, nh.oif)))
      return true;
  return false;
}

}  // namespace vipa
