#include "core/status_view.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <set>

#include "common/bytes_text.h"
#include "core/route_iface.h"
#include "core/route_status.h"
#include "core/vipa_ifaces.h"

namespace vipa {

using nlohmann::json;

namespace {

std::string type_name(uint8_t t) {
  switch (t) {
    case RTN_UNICAST:
      return "unicast";
    case RTN_LOCAL:
      return "local";
    case RTN_BROADCAST:
      return "broadcast";
    case RTN_MULTICAST:
      return "multicast";
    case RTN_BLACKHOLE:
      return "blackhole";
    case RTN_UNREACHABLE:
      return "unreachable";
    case RTN_PROHIBIT:
      return "prohibit";
    case RTN_ANYCAST:
      return "anycast";
    default:
      return std::to_string(t);
  }
}

std::string scope_name(uint8_t s) {
  switch (s) {
    case RT_SCOPE_UNIVERSE:
      return "global";
    case RT_SCOPE_LINK:
      return "link";
    case RT_SCOPE_HOST:
      return "host";
    default:
      return std::to_string(s);
  }
}

std::string table_name(uint32_t t, uint32_t vipa_table) {
  if (t == RT_TABLE_MAIN) return "main";
  if (t == RT_TABLE_LOCAL) return "local";
  if (t == vipa_table) return "vipa";
  return std::to_string(t);
}

// The view converge() acts on: the intent with this config, and the desired state from it.
struct View {
  Intent intent;
  Desired desired;
};

View view_of(const StatusInput& in) {
  View w{in.intent, {}};
  w.intent.config = &in.cfg;
  w.desired = compute_desired(w.intent, in.obs);
  return w;
}

json vipa_json(const StatusInput& in, const View& w, const VipaConfig& v) {
  const Config& cfg = in.cfg;
  const Observed& obs = in.obs;
  const Link* l = obs.link_by_name(v.name);
  json j;
  j["name"] = v.name;
  j["state"] = to_string(v.state);
  j["kind"] = l ? l->kind : std::string(to_string(v.kind));
  j["present"] = l != nullptr;
  j["ifindex"] = l ? l->ifindex : 0;
  j["link_up"] = l && l->admin_up();
  j["netaddr"] = v.netaddr ? v.netaddr->str() : "";
  j["netmask"] = v.netaddr ? prefixlen_to_netmask(v.netmask_len) : "";
  j["prefixlen4"] = v.netmask_len;
  j["alias4"] = json::array();
  for (auto& a : v.alias4) j["alias4"].push_back(a.str());
  j["netaddr6"] = v.netaddr6 ? v.netaddr6->str() : "";
  j["prefixlen"] = v.prefixlen;
  j["alias6"] = json::array();
  for (auto& a : v.alias6) j["alias6"].push_back(a.str());
  j["interface_names"] = v.interface_names;
  j["addresses"] = json::array();
  if (l)
    for (auto* a : obs.addrs_on(l->ifindex))
      j["addresses"].push_back(a->addr.str() + "/" + std::to_string(a->prefixlen));
  j["interfaces"] = json::array();
  for (auto& name : vipa_interfaces(cfg, obs, v)) {
    const Link* x = obs.link_by_name(name);
    bool carrier = x && x->carrier();
    bool admin = x && x->admin_up();
    bool uses = false;  // some installed route sends traffic out through it
    if (x)
      for (auto& [k, r] : obs.routes)
        if (r.table == RT_TABLE_MAIN && r.oif == x->ifindex && !r.linkdown) uses = true;
    j["interfaces"].push_back({{"name", escape_bytes(name)},
                               {"ifindex", x ? x->ifindex : 0},
                               {"present", x != nullptr},
                               {"admin_up", admin},
                               {"carrier", carrier},
                               {"active", admin && carrier && uses}});
  }
  j["routes_owned"] = json::array();
  for (auto& rc : cfg.routes) {
    if (!rc.destination) continue;
    ConfiguredRouteStatus st = configured_route_status(w.intent, w.desired, obs, rc);
    bool installed = st.installed;
    std::string ifname;
    if (auto* x = obs.link(st.oif)) ifname = x->name;
    bool uses_vipa = false;
    for (auto& n : vipa_interfaces(cfg, obs, v)) uses_vipa |= n == ifname || n == rc.interface;
    RouteIface via = resolve_route_iface(cfg, obs, rc);
    if (!installed || uses_vipa)
      j["routes_owned"].push_back(
          {{"destination", rc.destination->len == 0 ? "default" : rc.destination->str()},
           {"gateway", rc.gateway ? rc.gateway->str() : ""},
           {"interface", ifname.empty() ? rc.interface : escape_bytes(ifname)},
           {"metric", rc.metric},
           {"installed", installed},
           {"last_resort", st.last_resort},
           {"alive", st.alive},
           {"problem", via.problem.empty() ? "" : rc.loc.str() + ": " + via.problem}});
  }
  auto it = in.last_failover.find(v.name);
  j["last_failover"] = it == in.last_failover.end() ? json(nullptr) : it->second;
  return j;
}

}  // namespace

json vipa_status(const StatusInput& in, const VipaConfig& v) {
  return vipa_json(in, view_of(in), v);
}

json status_json(const StatusInput& in) {
  const Config& cfg = in.cfg;
  json j;
  j["config"] = in.config_path;
  j["vipas"] = json::array();
  View w = view_of(in);
  for (auto& v : cfg.vipas) j["vipas"].push_back(vipa_json(in, w, v));
  j["routes_owned"] = json::array();
  for (auto& [k, r] : in.obs.routes) {
    if (r.protocol != kProtoVipa) continue;
    const Link* x = in.obs.link(r.oif);
    j["routes_owned"].push_back(
        {{"destination",
          r.dst_len == 0 ? "default" : r.dst.str() + "/" + std::to_string(r.dst_len)},
         {"gateway", r.gateway.str()},
         {"interface", x ? escape_bytes(x->name) : ""},
         {"metric", r.priority},
         {"table", table_name(r.table, cfg.routing.table)},
         {"prefsrc", r.prefsrc.str()},
         {"installed", true},
         {"alive", owned_route_alive(w.intent, r)}});
  }
  j["gateways"] = in.gateways;
  j["counters"] = {{"converges", in.counters.converges},
                   {"repairs", in.counters.repairs},
                   {"resyncs", in.counters.resyncs},
                   {"failovers", in.counters.failovers},
                   {"daemon_routes_left_alone", in.counters.daemon_routes_left_alone}};
  return j;
}

namespace {

bool in_family(const Route& r, const std::string& family) {
  if (family == "inet") return r.family == AF_INET;
  if (family == "inet6") return r.family == AF_INET6;
  return true;
}

// One kernel route as `routes` and `route_costs` show it.
json route_row(const Config& cfg, const Observed& obs, const Route& r,
               const std::set<IpAddr>& vipa_addrs) {
  const Link* x = obs.link(r.oif);
  IpAddr ifaddr;
  if (x)
    for (auto* a : obs.addrs_on(x->ifindex))
      if (a->family == r.family && (a->flags & IFA_F_SECONDARY) == 0 &&
          Prefix{a->addr, a->prefixlen}.contains(r.dst) && ifaddr.empty())
        ifaddr = a->addr;
  json flags = json::array();
  if (r.linkdown) flags.push_back("linkdown");
  return {{"family", r.family == AF_INET ? "inet" : "inet6"},
          {"table", table_name(r.table, cfg.routing.table)},
          {"type", type_name(r.type)},
          {"destination", r.dst_len == 0 && r.dst.empty() ? (r.family == AF_INET ? "0.0.0.0" : "::")
                                                          : r.dst.str()},
          {"prefixlen", r.dst_len},
          {"gateway", r.gateway.str()},
          {"interface", x ? escape_bytes(x->name) : ""},
          {"metric", r.priority},
          {"protocol", route_protocol_name(r.protocol)},
          {"scope", scope_name(r.scope)},
          {"prefsrc", r.prefsrc.str()},
          {"ifaddr", ifaddr.str()},
          {"vipa", r.type == RTN_LOCAL && vipa_addrs.count(r.dst) > 0},
          {"flags", flags}};
}

// The [[route]] entry a kernel route of vipad's is, if any: same destination and gateway.
const RouteConfig* configured_route(const Config& cfg, const Route& r, size_t* index) {
  for (size_t i = 0; i < cfg.routes.size(); ++i) {
    const RouteConfig& rc = cfg.routes[i];
    if (!rc.destination || rc.destination->len != r.dst_len ||
        (rc.destination->len > 0 && rc.destination->addr.str() != r.dst.str()) ||
        (rc.gateway ? rc.gateway->str() : "") != r.gateway.str())
      continue;
    *index = i;
    return &rc;
  }
  return nullptr;
}

}  // namespace

json routes_json(const Config& cfg, const Observed& obs, const std::string& family,
                 const Page& page) {
  json out = json::array();
  size_t seen = 0;
  const std::set<IpAddr> vipa_addrs = vipa_addresses(cfg);
  for (auto& [k, r] : obs.routes) {
    if (!in_family(r, family)) continue;
    if (page.holds(seen++)) out.push_back(route_row(cfg, obs, r, vipa_addrs));
  }
  json answer = {{"routes", out}};
  add_page_fields(answer, page, out.size(), seen);
  return answer;
}

json route_costs_json(const Config& cfg, const Observed& obs,
                      const std::set<std::string>& dead_gateways, const std::string& family,
                      const Page& page) {
  json out = json::array();
  size_t seen = 0;
  const std::set<IpAddr> vipa_addrs = vipa_addresses(cfg);
  std::vector<bool> matched(cfg.routes.size(), false);
  auto gateway_state = [&](const RouteConfig& rc, int oif) {
    return dead_gateways.count(gateway_key(*rc.gateway, oif)) ? "dead" : "alive";
  };
  for (auto& [k, r] : obs.routes) {
    if (!in_family(r, family) || r.table != RT_TABLE_MAIN || r.type != RTN_UNICAST) continue;
    size_t i = 0;
    const RouteConfig* rc = r.protocol == kProtoVipa ? configured_route(cfg, r, &i) : nullptr;
    if (rc) matched[i] = true;
    if (!page.holds(seen++)) continue;
    json row = route_row(cfg, obs, r, vipa_addrs);
    if (rc) {
      row["config_cost"] = rc->metric;
      row["active_dgd"] = rc->active_dgd;
      if (rc->gateway && rc->active_dgd)
        row["gateway_state"] = gateway_state(*rc, route_oif(cfg, obs, *rc));
    }
    out.push_back(std::move(row));
  }
  for (size_t i = 0; i < cfg.routes.size(); ++i) {
    const RouteConfig& rc = cfg.routes[i];
    if (matched[i] || !rc.destination) continue;
    const char* fam = rc.family == AF_INET6 ? "inet6" : "inet";
    if (!family.empty() && family != fam) continue;
    if (!page.holds(seen++)) continue;
    int oif = route_oif(cfg, obs, rc);
    const Link* l = obs.link(oif);
    json row = {{"family", fam},
                {"table", "main"},
                {"type", "unicast"},
                {"destination", rc.destination->addr.str()},
                {"prefixlen", rc.destination->len},
                {"gateway", rc.gateway ? rc.gateway->str() : ""},
                {"interface", l ? l->name : rc.interface},
                {"metric", rc.metric},
                {"config_cost", rc.metric},
                {"protocol", "vipa"},
                {"installed", false},
                {"active_dgd", rc.active_dgd},
                {"flags", json::array()}};
    if (rc.gateway && rc.active_dgd) row["gateway_state"] = gateway_state(rc, oif);
    out.push_back(std::move(row));
  }
  json answer = {{"routes", out}};
  add_page_fields(answer, page, out.size(), seen);
  return answer;
}

MetricsSnapshot metrics_snapshot(const StatusInput& in, const MetricsInput& mi) {
  MetricsSnapshot m;
  m.version = VIPA_VERSION;
  m.repairs = in.counters.repairs;
  m.netlink_resyncs = in.counters.resyncs;
  m.reconcile = mi.reconcile;
  m.converged = mi.converged;
  View w = view_of(in);
  std::set<std::pair<std::string, std::string>> gws;
  for (auto& v : in.cfg.vipas) {
    json j = vipa_json(in, w, v);
    auto f = mi.failovers_by_vipa.find(v.name);
    m.vipas.push_back({v.name, j["present"].get<bool>() && j["link_up"].get<bool>(),
                       f == mi.failovers_by_vipa.end() ? 0 : f->second});
    for (auto& i : j["interfaces"])
      m.interfaces.push_back({v.name, i["name"].get<std::string>(),
                              i["admin_up"].get<bool>() && i["carrier"].get<bool>(),
                              i["active"].get<bool>()});
    for (auto& r : j["routes_owned"]) {
      std::string gw = r["gateway"].get<std::string>(), ifn = r["interface"].get<std::string>();
      if (gw.empty() || !gws.insert({gw, ifn}).second) continue;
      m.gateways.push_back({gw, ifn, r["alive"].get<bool>()});
    }
  }
  return m;
}

}  // namespace vipa
