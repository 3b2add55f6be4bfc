#include "core/failover_story.h"

#include <algorithm>

#include "core/vipa_ifaces.h"

namespace vipa {

using nlohmann::json;

FailoverStory link_story(const Config& cfg, const Observed& obs, const Link& old_link,
                         const Link& new_link, const std::string& now) {
  FailoverStory story;
  bool was = alive_link(old_link), is = alive_link(new_link);
  if (was == is || old_link.ifindex == 0) return story;
  for (auto& v : cfg.vipas) {
    if (v.state != VipaState::Up) continue;
    auto ifs = vipa_interfaces(cfg, obs, v);
    if (std::find(ifs.begin(), ifs.end(), new_link.name) == ifs.end()) continue;
    std::string other;
    for (auto& n : ifs) {
      const Link* l = obs.link_by_name(n);
      if (n != new_link.name && l && alive_link(*l)) {
        other = n;
        break;
      }
    }
    std::string why = !new_link.admin_up() ? "was set down" : "lost carrier";
    auto tell = [&](const char* event, std::string message, json extra) {
      story.events.push_back({event, v.name, std::move(message), std::move(extra)});
    };
    if (!is) {
      tell("link_down", new_link.name + " " + why, {{"interface", new_link.name}});
      if (!other.empty()) {
        story.failovers.push_back({v.name,
                                   {{"time", now},
                                    {"from", new_link.name},
                                    {"to", other},
                                    {"reason", new_link.name + " " + why}}});
        tell("failover", new_link.name + " " + why + "; traffic now leaves through " + other,
             {{"interface", new_link.name}, {"from", new_link.name}, {"to", other}});
      } else {
        tell("failover", new_link.name + " " + why + "; no interface left for " + v.name,
             {{"interface", new_link.name}, {"from", new_link.name}, {"to", ""}});
      }
    } else {
      tell("link_up", new_link.name + " is up with carrier", {{"interface", new_link.name}});
      tell("restore", new_link.name + " carries traffic again",
           {{"interface", new_link.name}, {"to", new_link.name}});
    }
  }
  return story;
}

FailoverStory gateway_story(const Config& cfg, const Observed& obs, const std::string& ifname,
                            const IpAddr& gateway, bool alive, const std::string& reason,
                            const std::string& now) {
  FailoverStory story;
  // The last VIPA that uses the interface names the event; the first live other interface
  // found is where the traffic goes.
  std::string vipa, other;
  for (auto& v : cfg.vipas) {
    auto ifs = vipa_interfaces(cfg, obs, v);
    if (std::find(ifs.begin(), ifs.end(), ifname) == ifs.end()) continue;
    vipa = v.name;
    for (auto& n : ifs) {
      const Link* l = obs.link_by_name(n);
      if (n != ifname && l && alive_link(*l)) {
        other = n;
        break;
      }
    }
  }
  std::string gw = gateway.str();
  json extra = {{"interface", ifname}, {"gateway", gw}, {"reason", reason}};
  if (!alive) {
    story.events.push_back({"gateway_dead", vipa,
                            "gateway " + gw + " on " + ifname + " is dead (" + reason + ")",
                            extra});
    if (!vipa.empty() && !other.empty()) {
      story.failovers.push_back({vipa,
                                 {{"time", now},
                                  {"from", ifname},
                                  {"to", other},
                                  {"reason", "gateway " + gw + " dead"}}});
      story.events.push_back({"failover",
                              vipa,
                              "gateway " + gw + " on " + ifname +
                                  " is dead; traffic moves to the next live route (" + other + ")",
                              {{"interface", ifname}, {"from", ifname}, {"to", other}}});
    }
  } else {
    story.events.push_back({"gateway_alive", vipa,
                            "gateway " + gw + " on " + ifname + " answers again (" + reason + ")",
                            extra});
  }
  return story;
}

HookStates hook_states(const std::string& event) {
  if (event == "link_down" || event == "failover") return {"up", "down"};
  if (event == "link_up" || event == "restore") return {"down", "up"};
  if (event == "gateway_dead") return {"alive", "dead"};
  if (event == "gateway_alive") return {"dead", "alive"};
  return {};
}

}  // namespace vipa
