// The metrics snapshot, taken from the same view as `vipactl status`.
#include <set>

#include "daemon/daemon.h"

namespace vipa {

MetricsSnapshot Daemon::metrics_snapshot() const {
  MetricsSnapshot m;
  m.version = VIPA_VERSION;
  m.repairs = repairs_;
  m.netlink_resyncs = resyncs_;
  m.reconcile = reconcile_hist_;
  m.converged = converged_now_;
  std::set<std::pair<std::string, std::string>> gws;
  for (auto& v : cfg_.vipas) {
    nlohmann::json j = vipa_json(v);
    auto f = failovers_by_vipa_.find(v.name);
    m.vipas.push_back({v.name, j["present"].get<bool>() && j["link_up"].get<bool>(),
                       f == failovers_by_vipa_.end() ? 0 : f->second});
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
