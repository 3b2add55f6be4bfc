// Kernel neighbour table events as passive dead gateway detection reads them: which address on
// which interface, and in which NUD state. Plain values: nl::decode_neighbour()
// (src/nl/neighbour.h) fills them from RTM_NEWNEIGH/RTM_DELNEIGH.
#pragma once

#include <cstdint>
#include <vector>

#include "common/ipaddr.h"

namespace vipa {

// The kernel's NUD_* state bits and NTF_* flags that are read here (<linux/neighbour.h>; the
// decoder checks that the values agree).
inline constexpr uint16_t kNudReachable = 0x02;
inline constexpr uint16_t kNudFailed = 0x20;
inline constexpr uint8_t kNtfProxy = 0x08;

struct NeighbourEvent {
  bool deleted = false;  // RTM_DELNEIGH
  int ifindex = 0;
  uint16_t state = 0;  // NUD_* bits
  uint8_t flags = 0;   // NTF_* bits
  IpAddr dst;
  std::vector<uint8_t> lladdr;  // empty where the kernel sends none (FAILED, INCOMPLETE)
  bool proxy() const;           // a proxy ARP/NDP entry, not a neighbour
  bool failed() const;          // NUD_FAILED: the kernel's own probes went unanswered
  bool reachable() const;       // NUD_REACHABLE: confirmed by a reply or by upper layers
};

}  // namespace vipa
