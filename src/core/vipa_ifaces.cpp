#include "core/vipa_ifaces.h"

namespace vipa {

std::vector<std::string> vipa_interfaces(const Config& cfg, const Observed& obs,
                                         const VipaConfig& v) {
  if (!v.interface_names.empty()) return v.interface_names;
  std::vector<std::string> out;
  for (auto& [i, l] : obs.links) {
    bool is_vipa = false;
    for (auto& x : cfg.vipas) is_vipa |= x.name == l.name;
    if (!l.is_loopback() && !is_vipa && l.alias != kLinkTag) out.push_back(l.name);
  }
  return out;
}

bool alive_link(const Link& l) {
  return l.ifindex && l.admin_up() && l.carrier();
}

}  // namespace vipa
