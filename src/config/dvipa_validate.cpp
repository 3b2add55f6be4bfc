// Whole-config rules for Dynamic VIPAs: unique names, links and addresses (also against the
// static VIPAs), interfaces, and a routing daemon that can announce them.
#include <set>

#include "config/locations.h"
#include "routing/daemons.h"

namespace vipa {
namespace {

bool dotted_quad(const std::string& s) {
  auto a = IpAddr::parse(s);
  return a && a->is_v4() && a->str() == s;
}

}  // namespace

Status validate_dvipas(const Config& c, const Locations* locs) {
  const SourceLoc file{c.path, 0, 0};
  auto at_routing = [&](const char* key) -> SourceLoc {
    return locs ? locs->get(loc_key("routing", key), file) : file;
  };
  const RoutingConfig& r = c.routing;
  if (r.announce != "ospf" && r.announce != "bgp")
    return located_error(at_routing("announce"),
                         "announce: '" + r.announce + "' is not one of ospf, bgp");
  if (!dotted_quad(r.ospf_area))
    return located_error(at_routing("ospf_area"),
                         "ospf_area: '" + r.ospf_area + "' is not an area ID (A.B.C.D)");
  if (r.view_interval_ms < 50 || r.view_interval_ms > 60000)
    return located_error(
        at_routing("view_interval_ms"),
        "view_interval_ms: " + std::to_string(r.view_interval_ms) + " is out of range (50..60000)");

  std::set<std::string> names, links;
  std::set<IpAddr> addrs = vipa_addresses(c);
  for (auto& v : c.vipas) links.insert(v.name);
  for (auto& d : c.dvipas) {
    const std::string sec = dvipa_section(d.name);
    const SourceLoc table{c.path, d.line, d.column};
    auto at = [&](const std::string& key) -> SourceLoc {
      return locs ? locs->get(loc_key(sec, key), table) : table;
    };
    if (!valid_dvipa_name(d.name))
      return located_error(
          table, "[dvipa." + d.name + "]: the name must be 1..12 letters, digits, '_' or '-'");
    if (!names.insert(d.name).second)
      return located_error(table, "DVIPA " + d.name + " is defined twice");
    if (!links.insert(dvipa_link_name(d.name)).second)
      return located_error(table, "[dvipa." + d.name + "]: its link " + dvipa_link_name(d.name) +
                                      " has the name of a static VIPA");
    const IpAddr& a = d.address;
    if (a.empty() || a.is_unspecified() || a.is_multicast() || a.is_loopback() ||
        a.is_v6_link_local())
      return located_error(at("address"),
                           "address: " + (a.empty() ? std::string("(none)") : a.str()) +
                               " is not a unicast address");
    // OSPFv3's database (ospf6d) is not read: vipad could announce an IPv6 DVIPA but never
    // see who owns it, nor whether a neighbour carries it (docs/dynamic-vipa.md).
    if (a.is_v6() && r.announce == "ospf")
      return located_error(at("address"),
                           "address: " + a.str() +
                               " is IPv6, which [routing] announce = \"ospf\" cannot carry "
                               "(OSPFv3 is not supported): use announce = \"bgp\"");
    if (!addrs.insert(a).second)
      return located_error(at("address"),
                           "address: " + a.str() + " is already used by another VIPA or DVIPA");
    if (d.rank < 1 || d.rank > 254)
      return located_error(at("rank"),
                           "rank: " + std::to_string(d.rank) + " is out of range (1..254)");
    std::set<std::string> seen;
    for (size_t i = 0; i < d.interface_names.size(); ++i) {
      const std::string& n = d.interface_names[i];
      SourceLoc where = locs ? locs->get(loc_key(sec, "interface_names", i), at("interface_names"))
                             : at("interface_names");
      if (!valid_ifname(n))
        return located_error(where, "interface_names: '" + n + "' is not a valid interface name");
      if (links.count(n))
        return located_error(where, "interface_names: '" + n + "' is a VIPA, not an interface");
      if (!seen.insert(n).second)
        return located_error(where, "interface_names: '" + n + "' is listed twice");
    }
    if (!d.notify.empty() && d.notify[0] != '/')
      return located_error(at("notify"), "notify: '" + d.notify + "' is not an absolute path");
    const HealthConfig& h = d.health;
    if (h.kind != HealthKind::None && h.timeout_ms > h.interval_ms)
      return located_error(at("health.timeout_ms"), "timeout_ms: " + std::to_string(h.timeout_ms) +
                                                        " is longer than interval_ms (" +
                                                        std::to_string(h.interval_ms) + ")");
    if (auto* rd = routing::find_daemon(r.daemon); !rd || !rd->dynamic_vipas)
      return located_error(table, "[dvipa." + d.name +
                                      "] needs FRR to announce it: set [routing] daemon = "
                                      "\"frr\" (BIRD cannot change an announcement's metric "
                                      "at run time without a reconfiguration)");
  }
  return Ok{};
}

}  // namespace vipa
