#include "dvipa/export.h"

#include <set>

#include "dvipa/metric.h"

namespace vipa::dvipa {

std::string export_frr(const Config& cfg) {
  if (cfg.dvipas.empty()) return "";
  std::string s = "!\n! Dynamic VIPAs (" + cfg.routing.announce +
                  "): vipad announces them itself through vtysh, with a metric from each "
                  "rank;\n! nothing below announces them on its own.\n";
  if (cfg.routing.announce == "ospf") {
    s += "! vipad runs `ip ospf cost M` + `ip ospf area " + cfg.routing.ospf_area +
         "` on the link to announce, `no ip ospf area` to withdraw.\n";
    for (auto& d : cfg.dvipas) {
      std::string link = dvipa_link_name(d.name);
      if (d.address.is_v6())
        s += "interface " + link + "\n ipv6 ospf6 passive\nexit\n";
      else
        s += "interface " + link + "\n ip ospf passive\nexit\n";
    }
    return s;
  }
  s += "! vipad points `network ADDRESS route-map VIPA-DV-M` at one of these (made beforehand:\n"
       "! FRR defers route-map edits by `bgp route-map delay-timer`, not a re-pointed network).\n";
  std::set<uint32_t> metrics;
  for (auto& d : cfg.dvipas)
    for (uint32_t m : {rank_metric(d.rank), yield_metric(d.rank), sticky_metric(d.rank),
                       override_metric(d.rank)})
      metrics.insert(m);
  for (uint32_t m : metrics)
    s += "route-map VIPA-DV-" + std::to_string(m) + " permit 10\n set metric " + std::to_string(m) +
         "\n set large-community 86:0:" + std::to_string(m) + "\nexit\n";
  // The static export's outbound policy (route-map VIPA-ANNOUNCE) lets only these lists out.
  int seq = 1000;
  for (auto& d : cfg.dvipas) {
    bool v6 = d.address.is_v6();
    s += std::string(v6 ? "ipv6" : "ip") + " prefix-list " + (v6 ? "VIPA6" : "VIPA4") + " seq " +
         std::to_string(seq) + " permit " + d.address.str() + (v6 ? "/128" : "/32") + "\n";
    seq += 5;
  }
  return s;
}

std::string export_bird(const Config& cfg) {
  if (cfg.dvipas.empty()) return "";
  return "#\n# Dynamic VIPAs: vipad announces them through FRR only ([routing] daemon = \"frr\");\n"
         "# BIRD cannot change an announcement's metric without `birdc configure`.\n";
}

}  // namespace vipa::dvipa
