#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "dvipa/metric.h"
#include "routing/frr.h"

namespace vipa::routing {

using nlohmann::json;

namespace {

std::string host_prefix(const DvipaConfig& d) {
  return d.address.str() + (d.address.is_v6() ? "/128" : "/32");
}
std::string family(const DvipaConfig& d) {
  return d.address.is_v6() ? "ipv6" : "ipv4";
}

// The origin AS of a path: the last AS of its last segment; "" for a local path.
std::string origin_as(const json& path) {
  if (!path.contains("aspath") || !path["aspath"].is_object()) return "";
  const json& asp = path["aspath"];
  if (!asp.contains("segments") || !asp["segments"].is_array()) return "";
  std::string last;
  for (auto& seg : asp["segments"])
    if (seg.is_object() && seg.contains("list") && seg["list"].is_array() && !seg["list"].empty() &&
        seg["list"].back().is_number_unsigned())
      last = std::to_string(seg["list"].back().get<uint64_t>());
  return last;
}

// The DVIPA metric a path carries in its large community 86:0:M.
std::optional<uint32_t> community_metric(const json& path) {
  if (!path.contains("largeCommunity") || !path["largeCommunity"].is_object()) return std::nullopt;
  const json& lc = path["largeCommunity"];
  if (!lc.contains("list") || !lc["list"].is_array()) return std::nullopt;
  const std::string prefix = kDvipaCommunityPrefix;
  for (auto& c : lc["list"]) {
    if (!c.is_string()) continue;
    std::string s = c.get<std::string>();
    if (s.compare(0, prefix.size(), prefix) != 0) continue;
    std::string num = s.substr(prefix.size());
    if (num.empty() || num.size() > 9 || num.find_first_not_of("0123456789") != std::string::npos)
      continue;
    return static_cast<uint32_t>(std::stoul(num));
  }
  return std::nullopt;
}

}  // namespace

std::string FrrBgp::router_bgp() const {
  return rc_.bgp_asn ? "router bgp " + std::to_string(rc_.bgp_asn) : "router bgp";
}

std::vector<Argv> FrrBgp::setup(const std::vector<DvipaConfig>& dvipas) const {
  std::set<uint32_t> metrics;
  for (auto& d : dvipas)
    for (uint32_t m : {dvipa::rank_metric(d.rank), dvipa::yield_metric(d.rank),
                       dvipa::sticky_metric(d.rank), dvipa::override_metric(d.rank)})
      metrics.insert(m);
  if (metrics.empty()) return {};
  std::vector<std::string> cmds{"configure terminal"};
  for (uint32_t m : metrics) {
    cmds.push_back("route-map " + frr_route_map(m) + " permit 10");
    cmds.push_back("set metric " + std::to_string(m));
    cmds.push_back("set large-community " + std::string(kDvipaCommunityPrefix) + std::to_string(m));
    cmds.push_back("exit");
  }
  return {vtysh(cmds)};
}

Argv FrrBgp::announce(const DvipaConfig& d, uint32_t metric) const {
  return vtysh({"configure terminal", router_bgp(), "address-family " + family(d) + " unicast",
                "network " + host_prefix(d) + " route-map " + frr_route_map(metric)});
}

Argv FrrBgp::withdraw(const DvipaConfig& d) const {
  return vtysh({"configure terminal", router_bgp(), "address-family " + family(d) + " unicast",
                "no network " + host_prefix(d)});
}

namespace {

bool any_v6(const std::vector<DvipaConfig>& dvipas) {
  for (auto& d : dvipas)
    if (d.address.is_v6()) return true;
  return false;
}

// Established sessions in one address family's summary; nullopt for an answer without an
// instance ("{}": bgpd prints that for a family no neighbour is activated in).
std::optional<uint32_t> established_in(const json& sum, std::string* as) {
  if (sum.is_discarded() || !sum.is_object() || !sum.contains("as") ||
      !sum["as"].is_number_unsigned())
    return std::nullopt;
  if (as->empty()) *as = std::to_string(sum["as"].get<uint64_t>());
  uint32_t n = 0;
  if (sum.contains("peers") && sum["peers"].is_object())
    for (auto& p : sum["peers"])
      if (p.is_object() && p.value("state", "") == "Established") ++n;
  return n;
}

}  // namespace

// The IPv4 unicast summary always (it names the AS whenever a neighbour exists), the IPv6 one
// when an IPv6 DVIPA is configured: a DVIPA counts the sessions of the family carrying it.
Argv FrrBgp::view(const std::vector<DvipaConfig>& dvipas) const {
  std::vector<std::string> cmds{"show bgp ipv4 unicast summary json"};
  if (any_v6(dvipas)) cmds.push_back("show bgp ipv6 unicast summary json");
  for (auto& d : dvipas)
    cmds.push_back("show bgp " + family(d) + " unicast " + host_prefix(d) + " json");
  return vtysh(cmds);
}

ViewRead FrrBgp::parse_view(const std::string& output,
                            const std::vector<DvipaConfig>& dvipas) const {
  try {
    return parse(output, dvipas);
  } catch (const json::exception& e) {
    ViewRead r;
    r.error = std::string("bgpd's answer is not the JSON expected: ") + e.what();
    return r;
  }
}

ViewRead FrrBgp::parse(const std::string& output, const std::vector<DvipaConfig>& dvipas) const {
  ViewRead r;
  auto docs = split_json_values(output);
  const size_t summaries = any_v6(dvipas) ? 2 : 1;
  if (docs.size() < summaries + dvipas.size()) {
    r.error = "bgpd gave " + std::to_string(docs.size()) + " JSON answers for " +
              std::to_string(summaries + dvipas.size()) + " commands (is it running?)";
    return r;
  }
  std::string self;
  std::optional<uint32_t> v4 = established_in(json::parse(docs[0], nullptr, false), &self);
  std::optional<uint32_t> v6 =
      summaries == 2 ? established_in(json::parse(docs[1], nullptr, false), &self) : std::nullopt;
  if (!v4 && !v6) {
    r.error = "bgpd has no BGP instance (no `router bgp`?)";
    return r;
  }
  r.ok = true;
  for (size_t i = 0; i < dvipas.size(); ++i) {
    dvipa::View v;
    v.self_id = self;
    v.neighbours = dvipas[i].address.is_v6() ? v6.value_or(0) : v4.value_or(0);
    json doc = json::parse(docs[summaries + i], nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      r.by_name[dvipas[i].name] = v;  // not ok
      continue;
    }
    v.ok = true;
    std::map<std::string, uint32_t> best;  // announcer -> lowest metric
    std::map<std::string, std::string> origin_by_peer;
    bool addpath = false, disagree = false;
    if (doc.contains("paths") && doc["paths"].is_array()) {
      for (auto& p : doc["paths"]) {
        if (!p.is_object()) continue;
        bool local = p.value("sourced", false) || p.value("local", false);
        std::string id = local ? self : origin_as(p);
        // Our own path coming back from a router (allowas-in): the local one says it better.
        if (id.empty() || (!local && id == self)) continue;
        std::optional<uint32_t> m = community_metric(p);
        if (!m && p.contains("metric") && p["metric"].is_number_unsigned())
          m = p["metric"].get<uint32_t>();
        if (!m) m = UINT32_MAX;  // announced without a DVIPA metric: decodes as unknown
        auto [it, fresh] = best.emplace(id, *m);
        if (!fresh && *m < it->second) it->second = *m;
        if (!local && p.contains("peer") && p["peer"].is_object()) {
          if (p.value("addpathRxId", 0) != 0) addpath = true;
          std::string peer = p["peer"].value("peerId", "");
          auto [o, fresh_peer] = origin_by_peer.emplace(peer, id);
          (void)fresh_peer;
          if (o->second != id) addpath = true;  // several paths from one router
        }
      }
    }
    // Without add-path each router sends its best path only: two routers naming different
    // origins disagree on the owner.
    if (!addpath) {
      std::set<std::string> origins;
      for (auto& [peer, id] : origin_by_peer) origins.insert(id);
      disagree = origins.size() > 1;
    }
    v.routers_disagree = disagree;
    for (auto& [id, m] : best) v.announcers.push_back({id, m, id == self});
    r.by_name[dvipas[i].name] = std::move(v);
  }
  return r;
}

}  // namespace vipa::routing
