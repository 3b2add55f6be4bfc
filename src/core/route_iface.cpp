#include "core/route_iface.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <map>

#include "core/desired.h"

namespace vipa {

namespace {

bool is_port(const Observed& obs, const Link& l);

// Interfaces that use a VIPA by the config (all but the VIPAs' own links when a VIPA names none),
// and the bridges and bonds that took over for a listed port.
bool uses_a_vipa(const Config& cfg, const Observed& obs, const Link& l) {
  auto listed = [&](const std::string& name) {
    for (auto& v : cfg.vipas) {
      if (v.interface_names.empty() && v.name != name) return true;
      if (std::find(v.interface_names.begin(), v.interface_names.end(), name) !=
          v.interface_names.end())
        return true;
    }
    return false;
  };
  if (listed(l.name)) return true;
  for (auto& [i, port] : obs.links)
    if (port.master == l.ifindex && is_port(obs, port) && listed(port.name)) return true;
  return false;
}

// A bridge or bond port hands every frame to its master (rx_handler): its own addresses are
// dead, and the master's are the ones in use. A VRF port keeps its addresses.
bool is_port(const Observed& obs, const Link& l) {
  const Link* m = l.master ? obs.link(l.master) : nullptr;
  return m && (m->kind == "bridge" || m->kind == "bond" || m->kind == "team");
}

// The on-link prefixes of every usable interface that hold `gw`: ifindex -> longest length.
std::map<int, int> on_link_matches(const Observed& obs, const IpAddr& gw) {
  std::map<int, int> best;
  auto offer = [&](int ifindex, int len) {
    const Link* l = obs.link(ifindex);
    if (!l || l->is_loopback() || is_port(obs, *l)) return;
    auto [it, fresh] = best.try_emplace(ifindex, len);
    if (!fresh) it->second = std::max(it->second, len);
  };
  for (auto& a : obs.addrs) {
    if (a.family != gw.family) continue;
    // The kernel adds a connected route for peer/prefixlen on a point-to-point address, and for
    // addr/prefixlen otherwise; none with noprefixroute (as on a VIPA's own link).
    if (!a.peer.empty()) {
      if (Prefix{a.peer, a.prefixlen}.contains(gw)) offer(a.ifindex, a.prefixlen);
      continue;
    }
    if (a.flags & IFA_F_NOPREFIXROUTE) continue;
    if (Prefix{a.addr, a.prefixlen}.contains(gw)) offer(a.ifindex, a.prefixlen);
  }
  // Device routes (an administrator's `ip route add 10.68.9.0/24 dev en5`, the kernel's own):
  // the kernel resolves a gateway through any of them.
  for (auto& [k, r] : obs.routes) {
    if (r.family != gw.family || r.table != RT_TABLE_MAIN || r.type != RTN_UNICAST) continue;
    if (!r.gateway.empty() || !r.nexthops.empty() || !r.oif) continue;
    if (Prefix{r.dst, r.dst_len}.contains(gw)) offer(r.oif, r.dst_len);
  }
  return best;
}

std::string names(const Observed& obs, const std::vector<int>& ifindexes) {
  std::string s;
  for (size_t i = 0; i < ifindexes.size(); ++i) {
    const Link* l = obs.link(ifindexes[i]);
    s += (i == 0 ? "" : i + 1 == ifindexes.size() ? " and " : ", ") + (l ? l->name : "?");
  }
  return s;
}

}  // namespace

const Link* ip_link_of(const Observed& obs, const Link* l) {
  if (l && is_port(obs, *l)) return obs.link(l->master);
  return l;
}

bool gateway_on_link(const Observed& obs, int ifindex, const IpAddr& gw) {
  return on_link_matches(obs, gw).count(ifindex) > 0;
}

RouteIface resolve_route_iface(const Config& cfg, const Observed& obs, const RouteConfig& rc) {
  RouteIface out;
  if (!rc.interface.empty()) {
    const Link* l = ip_link_of(obs, obs.link_by_name(rc.interface));
    if (!l) {
      out.problem = "interface " + rc.interface + " does not exist";
      return out;
    }
    if (!rc.gateway || rc.gateway->is_v6_link_local()) {
      out.oif = l->ifindex;
      return out;
    }
    if (rc.onlink) {
      out.oif = l->ifindex;
      out.onlink = true;
      return out;
    }
    if (!gateway_on_link(obs, l->ifindex, *rc.gateway)) {
      out.problem = "gateway " + rc.gateway->str() + " is on no prefix or peer of " + l->name +
                    " (with /32 addressing, set onlink = true)";
      return out;
    }
    out.oif = l->ifindex;
    return out;
  }
  if (!rc.gateway) return out;  // refused by the config check: a device route names its link
  auto matches = on_link_matches(obs, *rc.gateway);
  int longest = -1;
  for (auto& [i, len] : matches) longest = std::max(longest, len);
  std::vector<int> vipa_users, others;
  for (auto& [i, len] : matches) {
    if (len != longest) continue;
    (uses_a_vipa(cfg, obs, *obs.link(i)) ? vipa_users : others).push_back(i);
  }
  const auto& pick = vipa_users.empty() ? others : vipa_users;
  if (pick.size() == 1) {
    out.oif = pick.front();
  } else if (pick.empty()) {
    out.problem = "gateway " + rc.gateway->str() +
                  " is on no interface's prefix or point-to-point peer (outside every prefix, "
                  "set interface and onlink = true)";
  } else {
    out.problem = "gateway " + rc.gateway->str() + " is on-link on " + names(obs, pick) +
                  ": set interface to say which";
  }
  return out;
}

int route_oif(const Config& cfg, const Observed& obs, const RouteConfig& rc) {
  return resolve_route_iface(cfg, obs, rc).oif;
}

}  // namespace vipa

namespace vipa {

std::vector<std::string> route_iface_problems(const Config& cfg, const Observed& obs) {
  std::vector<std::string> out;
  for (auto& rc : cfg.routes) {
    if (!rc.destination) continue;
    RouteIface via = resolve_route_iface(cfg, obs, rc);
    if (via.problem.empty()) continue;
    std::string what = rc.destination->len == 0 ? "default" : rc.destination->str();
    if (rc.gateway) what += " via " + rc.gateway->str();
    out.push_back(rc.loc.str() + ": [[route]] " + what + ": " + via.problem +
                  "; not installed until that changes");
  }
  return out;
}

}  // namespace vipa
