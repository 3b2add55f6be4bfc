// The failover and restore story: what a change of an interface or a gateway means for each
// VIPA, told as events (log, `vipactl monitor`, notify hooks). The kernel itself moves the
// traffic (ignore_routes_with_linkdown, and the owned routes converge() withdraws); this only
// says what happened. Pure: the caller gives the time.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/model.h"

namespace vipa {

struct StoryEvent {
  std::string event;  // link_down, link_up, failover, restore, gateway_dead, gateway_alive
  std::string vipa;
  std::string message;
  nlohmann::json extra;  // interface, from, to, gateway, reason
};

struct FailoverStory {
  std::vector<StoryEvent> events;  // in the order they are told
  // The failovers that found another interface: the VIPA and its record for `status`
  // ({time, from, to, reason}).
  std::vector<std::pair<std::string, nlohmann::json>> failovers;
};

// A link changed from old_link to new_link (a deleted link: new_link with only ifindex and
// name). obs is the kernel's view after the change.
FailoverStory link_story(const Config& cfg, const Observed& obs, const Link& old_link,
                         const Link& new_link, const std::string& now);

// Dead gateway detection declared a gateway on ifname dead or alive again.
FailoverStory gateway_story(const Config& cfg, const Observed& obs, const std::string& ifname,
                            const IpAddr& gateway, bool alive, const std::string& reason,
                            const std::string& now);

// The state change a notify hook is told for an event ("" for events without one).
struct HookStates {
  std::string old_state, new_state;
};
HookStates hook_states(const std::string& event);

}  // namespace vipa
