// Route protocol ids (rtm_protocol, also FRA_PROTOCOL of rules): the ones vipad tags what it
// owns with, the names `ip route` prints for the rest (iproute2's rt_protos), and which of them
// are routing daemons that program their own sources. One table for all three.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vipa {

// Routes, rules and the local-rule stand-in vipad owns; registered as "vipa" in
// /etc/iproute2/rt_protos.d/vipa.conf.
inline constexpr uint8_t kProtoVipa = 86;
// The routes of the nondisruptive-move tables ("vipa-moves"): not kProtoVipa, which the
// reconciler of the static VIPAs sweeps; they live in tables it never reads.
inline constexpr uint8_t kProtoVipaMoves = 87;

struct RouteProtocol {
  uint8_t id;
  std::string_view name;
  bool routing_daemon;  // programs its own sources: vipad leaves its routes alone and counts them
};

std::span<const RouteProtocol> route_protocols();
// The name `ip route` prints (with vipad's rt_protos.d file installed), else the number.
std::string route_protocol_name(uint8_t id);
bool is_routing_daemon_protocol(uint8_t id);
std::vector<uint8_t> routing_daemon_protocols();

}  // namespace vipa
