#include <nlohmann/json.hpp>
#include <set>

#include "routing/frr.h"

namespace vipa::routing {

using nlohmann::json;

std::string frr_route_map(uint32_t metric) {
  return "VIPA-DV-" + std::to_string(metric);
}

Argv FrrBase::vtysh(const std::vector<std::string>& commands) const {
  Argv a{rc_.vtysh};
  a.insert(a.end(), rc_.daemon_args.begin(), rc_.daemon_args.end());
  for (auto& c : commands) {
    a.push_back("-c");
    a.push_back(c);
  }
  return a;
}

bool FrrBase::nothing_to_do(const std::string& output) const {
  // `no ip ospf area` on an interface without one; `no network` of a network not configured.
  return output.find("Can't find specified interface area configuration") != std::string::npos ||
         output.find("Can't find static route specified") != std::string::npos ||
         output.find("Can't find the specified") != std::string::npos;
}

Argv FrrOspf::announce(const DvipaConfig& d, uint32_t metric) const {
  std::string link = dvipa_link_name(d.name);
  // The cost before the area: the first router-LSA already carries the right metric.
  if (d.address.is_v6())
    return vtysh({"configure terminal", "interface " + link, "ipv6 ospf6 passive",
                  "ipv6 ospf6 cost " + std::to_string(metric), "ipv6 ospf6 area " + rc_.ospf_area});
  return vtysh({"configure terminal", "interface " + link, "ip ospf passive",
                "ip ospf cost " + std::to_string(metric), "ip ospf area " + rc_.ospf_area});
}

Argv FrrOspf::withdraw(const DvipaConfig& d) const {
  std::string link = dvipa_link_name(d.name);
  if (d.address.is_v6())
    return vtysh(
        {"configure terminal", "interface " + link, "no ipv6 ospf6 area " + rc_.ospf_area});
  return vtysh({"configure terminal", "interface " + link, "no ip ospf area"});
}

Argv FrrOspf::view(const std::vector<DvipaConfig>&) const {
  return vtysh({"show ip ospf json", "show ip ospf database router json"});
}

namespace {

// {"link0": {...}, ...} or, in other FRR versions, an array.
template <typename F>
void each_link(const json& links, F f) {
  if (links.is_object() || links.is_array())
    for (auto& l : links) f(l);
}

}  // namespace

ViewRead FrrOspf::parse_view(const std::string& output,
                             const std::vector<DvipaConfig>& dvipas) const {
  // value() throws on a field of another type: a daemon's odd answer is an error value here.
  try {
    return parse(output, dvipas);
  } catch (const json::exception& e) {
    ViewRead r;
    r.error = std::string("ospfd's answer is not the JSON expected: ") + e.what();
    return r;
  }
}

ViewRead FrrOspf::parse(const std::string& output, const std::vector<DvipaConfig>& dvipas) const {
  ViewRead r;
  auto docs = split_json_values(output);
  if (docs.size() < 2) {
    r.error = "ospfd gave no JSON answer (is it running?)";
    return r;
  }
  json info = json::parse(docs[0], nullptr, false);
  json db = json::parse(docs[1], nullptr, false);
  if (info.is_discarded() || db.is_discarded() || !info.is_object() || !db.is_object()) {
    r.error = "ospfd's answer is not the JSON expected";
    return r;
  }
  std::string self = info.value("routerId", "");
  if (self.empty()) {
    r.error = "ospfd has no router ID (no `router ospf`?)";
    return r;
  }
  uint32_t full = 0;
  if (info.contains("areas") && info["areas"].is_object())
    for (auto& a : info["areas"])
      if (a.is_object() && a.contains("nbrFullAdjacentCounter") &&
          a["nbrFullAdjacentCounter"].is_number_unsigned())
        full += a["nbrFullAdjacentCounter"].get<uint32_t>();

  // host prefix -> router ID -> lowest metric
  std::map<std::string, std::map<std::string, uint32_t>> stubs;
  // Router graph, for reachability: p2p neighbours, and the transit networks (by the DR's
  // address) each router lists.
  std::map<std::string, std::set<std::string>> p2p;
  std::map<std::string, std::set<std::string>> transit;  // network -> routers listing it
  std::map<std::string, std::set<std::string>> nets_of;  // router -> networks it lists
  const json* areas = nullptr;
  if (db.contains("routerLinkStates") && db["routerLinkStates"].is_object() &&
      db["routerLinkStates"].contains("areas"))
    areas = &db["routerLinkStates"]["areas"];
  if (areas && areas->is_object()) {
    for (auto& lsas : *areas) {
      if (!lsas.is_array()) continue;
      for (auto& lsa : lsas) {
        if (!lsa.is_object()) continue;
        // An LSA at MaxAge is being flushed: its router no longer announces it.
        if (lsa.value("lsaAge", 0) >= 3600) continue;
        std::string adv = lsa.value("advertisingRouter", "");
        if (adv.empty() || !lsa.contains("routerLinks")) continue;
        each_link(lsa["routerLinks"], [&](const json& l) {
          if (!l.is_object()) return;
          std::string type = l.value("linkType", "");
          if (type.find("point-to-point") != std::string::npos) {
            p2p[adv].insert(l.value("neighborRouterId", ""));
            return;
          }
          if (type.find("Transit") != std::string::npos) {
            std::string net = l.value("designatedRouterAddress", "");
            transit[net].insert(adv);
            nets_of[adv].insert(net);
            return;
          }
          if (type != "Stub Network") return;
          if (l.value("networkMask", "") != "255.255.255.255") return;
          if (!l.contains("tos0Metric") || !l["tos0Metric"].is_number_unsigned()) return;
          uint32_t m = l["tos0Metric"].get<uint32_t>();
          auto& by_router = stubs[l.value("networkAddress", "")];
          auto [it, fresh] = by_router.emplace(adv, m);
          if (!fresh && m < it->second) it->second = m;
        });
      }
    }
  }
  // A host that lost every link cannot flush its router-LSA: it stays in every database until
  // MaxAge (an hour), stub links and all. Only routers reachable from this one count, over
  // links both ends list (RFC 2328 16.1's two-way check).
  std::set<std::string> reachable{self};
  std::vector<std::string> todo{self};
  while (!todo.empty()) {
    std::string a = todo.back();
    todo.pop_back();
    std::set<std::string> next;
    for (auto& b : p2p[a])
      if (p2p[b].count(a)) next.insert(b);
    for (auto& net : nets_of[a])
      for (auto& b : transit[net]) next.insert(b);
    for (auto& b : next)
      if (reachable.insert(b).second) todo.push_back(b);
  }
  r.ok = true;
  for (auto& d : dvipas) {
    dvipa::View v;
    v.self_id = self;
    v.neighbours = full;
    v.reachable = reachable;
    // OSPFv3's view is not read (ospf6d): an IPv6 DVIPA's view stays unreadable.
    v.ok = d.address.is_v4();
    if (auto it = stubs.find(d.address.str()); it != stubs.end() && v.ok)
      for (auto& [id, m] : it->second)
        if (reachable.count(id)) v.announcers.push_back({id, m, id == self});
    r.by_name[d.name] = std::move(v);
  }
  return r;
}

}  // namespace vipa::routing
