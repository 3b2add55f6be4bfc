// Kernel neighbour table events (RTM_NEWNEIGH/RTM_DELNEIGH) as passive dead gateway detection
// reads them: which address on which interface, and in which NUD state.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>

#include "common/ipaddr.h"

namespace vipa {

struct NeighbourEvent {
  bool deleted = false;  // RTM_DELNEIGH
  int ifindex = 0;
  uint16_t state = 0;  // NUD_* bits
  IpAddr dst;
  bool failed() const;     // NUD_FAILED: the kernel's own probes went unanswered
  bool reachable() const;  // NUD_REACHABLE: confirmed by a reply or by upper layers
};

// IPv4/IPv6 unicast neighbour messages; nullopt for anything else (bridge FDB entries, proxy
// entries, truncated messages).
std::optional<NeighbourEvent> parse_neighbour_event(const nlmsghdr* nlh);

}  // namespace vipa
