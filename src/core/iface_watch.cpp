#include "core/iface_watch.h"

#include <algorithm>

namespace vipa {

bool config_names_interface(const Config& cfg, const std::string& name) {
  for (auto& v : cfg.vipas) {
    if (v.name == name) return false;
    if (v.interface_names.empty()) return true;
    if (std::find(v.interface_names.begin(), v.interface_names.end(), name) !=
        v.interface_names.end())
      return true;
  }
  for (auto& r : cfg.routes)
    if (r.interface == name) return true;
  return false;
}

std::optional<std::string> IfaceWatch::on_link(const Config& cfg, const Observed& obs,
                                               const Link& old_link, const Link& new_link,
                                               bool gone) {
  auto ours = [&](const Link& l) {
    return !l.name.empty() && l.alias != kLinkTag && !l.is_loopback() &&
           config_names_interface(cfg, l.name);
  };
  auto idx = [](const Link& l) { return " (ifindex " + std::to_string(l.ifindex) + ")"; };
  if (gone) {
    if (!ours(old_link)) return std::nullopt;
    last_ifindex_[old_link.name] = old_link.ifindex;
    return "interface " + old_link.name + idx(old_link) +
           " was deleted: its routes wait for it to come back";
  }
  if (old_link.ifindex == 0) {
    if (!ours(new_link)) return std::nullopt;
    auto it = last_ifindex_.find(new_link.name);
    if (it != last_ifindex_.end() && it->second != new_link.ifindex) {
      std::string was = std::to_string(it->second);
      last_ifindex_.erase(it);
      return "interface " + new_link.name + " was created again with ifindex " +
             std::to_string(new_link.ifindex) + " (was " + was +
             "): its routes and VIPA source follow it";
    }
    return "interface " + new_link.name + " appeared" + idx(new_link) +
           ": its routes and VIPA source are set up";
  }
  if (old_link.name != new_link.name) {
    if (ours(new_link))
      return "interface " + old_link.name + " was renamed " + new_link.name + idx(new_link) +
             ": it takes the place of the configured " + new_link.name;
    if (ours(old_link))
      return "interface " + old_link.name + " was renamed " + new_link.name + idx(new_link) +
             ": it is no longer the configured " + old_link.name +
             ", whose routes and VIPA source wait for it";
    return std::nullopt;
  }
  if (old_link.master != new_link.master && ours(new_link)) {
    const Link* m = obs.link(new_link.master ? new_link.master : old_link.master);
    std::string mname = m ? m->name : "ifindex " + std::to_string(new_link.master);
    std::string mkind = m && !m->kind.empty() ? m->kind : "master";
    if (new_link.master == 0)
      return "interface " + new_link.name + " is no longer a port of " + mname +
             ": it carries its own addresses and routes again";
    if (mkind == "vrf")
      return "interface " + new_link.name + " is now in VRF " + mname +
             ": its routes live in the VRF's table, which vipad leaves alone";
    return "interface " + new_link.name + " is now a port of " + mkind + " " + mname + ": " +
           mname + " carries its addresses, routes and VIPA source in its place";
  }
  return std::nullopt;
}

}  // namespace vipa
