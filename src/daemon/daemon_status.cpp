// Read-only control commands: status, show, routes, version; and the request dispatcher.
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>

#include "common/bytes_text.h"
#include "core/desired.h"
#include "core/route_iface.h"
#include "core/route_status.h"
#include "ctl/request.h"
#include "daemon/daemon.h"

namespace vipa {

using nlohmann::json;

namespace {

std::string proto_name(uint8_t p) {
  switch (p) {
    case RTPROT_KERNEL:
      return "kernel";
    case RTPROT_BOOT:
      return "boot";
    case RTPROT_STATIC:
      return "static";
    case RTPROT_RA:
      return "ra";
    case RTPROT_DHCP:
      return "dhcp";
    case RTPROT_REDIRECT:
      return "redirect";
    case kProtoVipa:
      return "vipa";
    case 11:
      return "zebra";
    case 12:
      return "bird";
    case 186:
      return "bgp";
    case 187:
      return "isis";
    case 188:
      return "ospf";
    case 189:
      return "rip";
    default:
      return std::to_string(p);
  }
}

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

}  // namespace

json Daemon::vipa_json(const VipaConfig& v) const {
  const Observed& obs = cache_.obs();
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
  for (auto& name : ifaces_of(v)) {
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
  // The same desired state and dead gateway set converge() acts on (core/route_status.h).
  Intent in = intent_;
  in.config = &cfg_;
  Desired desired = compute_desired(in, obs);
  for (auto& rc : cfg_.routes) {
    if (!rc.destination) continue;
    ConfiguredRouteStatus st = configured_route_status(in, desired, obs, rc);
    bool installed = st.installed;
    std::string ifname;
    if (auto* x = obs.link(st.oif)) ifname = x->name;
    bool uses_vipa = false;
    for (auto& n : ifaces_of(v)) uses_vipa |= n == ifname || n == rc.interface;
    RouteIface via = resolve_route_iface(cfg_, obs, rc);
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
  auto it = last_failover_.find(v.name);
  j["last_failover"] = it == last_failover_.end() ? json(nullptr) : it->second;
  return j;
}

json Daemon::status_json() const {
  json j;
  j["config"] = opt_.config_path;
  j["vipas"] = json::array();
  for (auto& v : cfg_.vipas) j["vipas"].push_back(vipa_json(v));
  j["routes_owned"] = json::array();
  for (auto& [k, r] : cache_.obs().routes) {
    if (r.protocol != kProtoVipa) continue;
    const Link* x = cache_.obs().link(r.oif);
    j["routes_owned"].push_back(
        {{"destination",
          r.dst_len == 0 ? "default" : r.dst.str() + "/" + std::to_string(r.dst_len)},
         {"gateway", r.gateway.str()},
         {"interface", x ? escape_bytes(x->name) : ""},
         {"metric", r.priority},
         {"table", table_name(r.table, cfg_.routing.table)},
         {"prefsrc", r.prefsrc.str()},
         {"installed", true},
         {"alive", owned_route_alive(intent_, r)}});
  }
  j["gateways"] = json::array();
  if (gw_)
    for (auto& g : gw_->status()) j["gateways"].push_back(g);
  j["counters"] = {{"converges", converges_},
                   {"repairs", repairs_},
                   {"resyncs", resyncs_},
                   {"failovers", failovers_},
                   {"daemon_routes_left_alone", daemon_routes_left_alone_}};
  return j;
}

json Daemon::routes_json(const std::string& family, size_t offset, size_t limit) const {
  json out = json::array();
  size_t seen = 0;
  std::set<IpAddr> vipa_addrs;
  for (auto& v : cfg_.vipas) {
    if (v.netaddr) vipa_addrs.insert(*v.netaddr);
    if (v.netaddr6) vipa_addrs.insert(*v.netaddr6);
    for (auto& a : v.alias4) vipa_addrs.insert(a.addr);
    for (auto& a : v.alias6) vipa_addrs.insert(a.addr);
  }
  for (auto& [k, r] : cache_.obs().routes) {
    if (family == "inet" && r.family != AF_INET) continue;
    if (family == "inet6" && r.family != AF_INET6) continue;
    if (seen++ < offset || out.size() >= limit) continue;  // counted for "total" only
    const Link* x = cache_.obs().link(r.oif);
    IpAddr ifaddr;
    if (x)
      for (auto* a : cache_.obs().addrs_on(x->ifindex))
        if (a->family == r.family && (a->flags & IFA_F_SECONDARY) == 0 &&
            Prefix{a->addr, a->prefixlen}.contains(r.dst) && ifaddr.empty())
          ifaddr = a->addr;
    json flags = json::array();
    if (r.linkdown) flags.push_back("linkdown");
    out.push_back(
        {{"family", r.family == AF_INET ? "inet" : "inet6"},
         {"table", table_name(r.table, cfg_.routing.table)},
         {"type", type_name(r.type)},
         {"destination",
          r.dst_len == 0 && r.dst.empty() ? (r.family == AF_INET ? "0.0.0.0" : "::") : r.dst.str()},
         {"prefixlen", r.dst_len},
         {"gateway", r.gateway.str()},
         {"interface", x ? escape_bytes(x->name) : ""},
         {"metric", r.priority},
         {"protocol", proto_name(r.protocol)},
         {"scope", scope_name(r.scope)},
         {"prefsrc", r.prefsrc.str()},
         {"ifaddr", ifaddr.str()},
         {"vipa", r.type == RTN_LOCAL && vipa_addrs.count(r.dst) > 0},
         {"flags", flags}});
  }
  json page = {{"routes", out}, {"total", seen}};
  if (offset + out.size() < seen) page["next"] = offset + out.size();
  return page;
}

json Daemon::handle_request(const json& req, bool privileged) {
  const std::string cmd = req["cmd"].get<std::string>();
  auto ok = [](json result) { return json{{"v", 1}, {"ok", true}, {"result", std::move(result)}}; };
  if (cmd.rfind("dvipa", 0) == 0 || cmd == "netstat_vipadyn") return dvipa_request(req, privileged);
  static const std::set<std::string> kChanging = {"mkdev",  "chdev", "rmdev",
                                                  "reload", "route", "no"};
  static const std::set<std::string> kReading = {"version", "status",     "show",
                                                 "routes",  "interfaces", "route_costs",
                                                 "inet0",   "source",     "source_test"};
  if (kChanging.count(cmd) && !privileged)
    return error_answer("permission_denied",
                        cmd + ": permission denied (only root may change VIPAs)");
  if (!kChanging.count(cmd) && !kReading.count(cmd))
    return error_answer("unknown_command", "unknown command '" + cmd + "'");
  try {
    if (cmd == "version") return ok({{"version", VIPA_VERSION}, {"protocol", 1}});
    if (cmd == "status") return ok(status_json());
    if (cmd == "show") {
      if (!req.contains("name") || !req["name"].is_string())
        return error_answer("bad_request", "show: missing \"name\"");
      for (auto& v : cfg_.vipas)
        if (v.name == req["name"]) return ok(vipa_json(v));
      return error_answer("not_found", "no VIPA named " + req["name"].get<std::string>());
    }
    if (cmd == "routes") {
      std::string fam = req.contains("family") && req["family"].is_string()
                            ? req["family"].get<std::string>()
                            : "";
      // One answer holds at most ctl::kRoutesPerAnswer routes; a client pages with "offset".
      size_t page[2] = {0, ctl::kRoutesPerAnswer};
      const char* names[2] = {"offset", "limit"};
      for (int i = 0; i < 2; ++i) {
        if (!req.contains(names[i])) continue;
        if (!req[names[i]].is_number_unsigned() || (i == 1 && req[names[i]] == 0))
          return error_answer("bad_request", std::string("routes: \"") + names[i] +
                                                 "\" must be a " +
                                                 (i ? "positive" : "non-negative") + " integer");
        page[i] = req[names[i]].get<size_t>();
      }
      return ok(routes_json(fam, page[0], std::min(page[1], ctl::kRoutesPerAnswer)));
    }
    if (cmd == "source" && srcsel_) return ok(srcsel_->status(cfg_, cache_.obs()));
    if (cmd == "source_test" && srcsel_) {
      std::string err;
      json r = srcsel_->test(req, cfg_, cache_.obs(), &err);
      return err.empty() ? ok(r) : error_answer("bad_request", err);
    }
    if (cmd == "mkdev") return cmd_mkdev(req);
    if (cmd == "chdev") return cmd_chdev(req);
    if (cmd == "rmdev") return cmd_rmdev(req);
    if (cmd == "reload") return cmd_reload();
    if (cmd == "interfaces") return cmd_interfaces();
    if (cmd == "route_costs") return cmd_route_costs(req.value("family", std::string()));
    if (cmd == "inet0") return cmd_inet0();
    if (cmd == "route") return cmd_route(req);
    if (cmd == "no") return cmd_no(req);
  } catch (const json::exception& e) {
    return error_answer("bad_request", std::string("malformed request: ") + e.what());
  }
  return error_answer("internal", "unhandled command");
}

}  // namespace vipa
