#include "common/route_protocols.h"

#include <linux/rtnetlink.h>

#include <algorithm>
#include <array>

namespace vipa {

namespace {

// iproute2's rt_protos (and rt_protos.d) names; the daemons are those that set their routes'
// sources themselves.
constexpr std::array kProtocols = {
    RouteProtocol{RTPROT_REDIRECT, "redirect", false},
    RouteProtocol{RTPROT_KERNEL, "kernel", false},
    RouteProtocol{RTPROT_BOOT, "boot", false},
    RouteProtocol{RTPROT_STATIC, "static", false},
    RouteProtocol{8, "gated", true},
    RouteProtocol{RTPROT_RA, "ra", false},
    RouteProtocol{10, "mrt", true},
    RouteProtocol{11, "zebra", true},
    RouteProtocol{12, "bird", true},
    RouteProtocol{13, "dnrouted", true},
    RouteProtocol{14, "xorp", true},
    RouteProtocol{15, "ntk", true},
    RouteProtocol{RTPROT_DHCP, "dhcp", false},
    RouteProtocol{17, "mrouted", true},
    RouteProtocol{18, "keepalived", true},
    RouteProtocol{42, "babel", true},
    RouteProtocol{kProtoVipa, "vipa", false},
    RouteProtocol{kProtoVipaMoves, "vipa-moves", false},
    RouteProtocol{99, "openr", true},
    RouteProtocol{186, "bgp", true},
    RouteProtocol{187, "isis", true},
    RouteProtocol{188, "ospf", true},
    RouteProtocol{189, "rip", true},
    RouteProtocol{192, "eigrp", true},
};

const RouteProtocol* find(uint8_t id) {
  auto it = std::find_if(kProtocols.begin(), kProtocols.end(),
                         [&](const RouteProtocol& p) { return p.id == id; });
  return it == kProtocols.end() ? nullptr : &*it;
}

}  // namespace

std::span<const RouteProtocol> route_protocols() {
  return kProtocols;
}

std::string route_protocol_name(uint8_t id) {
  const RouteProtocol* p = find(id);
  return p ? std::string(p->name) : std::to_string(id);
}

bool is_routing_daemon_protocol(uint8_t id) {
  const RouteProtocol* p = find(id);
  return p && p->routing_daemon;
}

std::vector<uint8_t> routing_daemon_protocols() {
  std::vector<uint8_t> out;
  for (auto& p : kProtocols)
    if (p.routing_daemon) out.push_back(p.id);
  return out;
}

}  // namespace vipa
