// RTM_NEWLINK -> what AIX's `netstat -in` and `lsdev -Cc if` show of an interface: MTU, the
// hardware address and the packet counters (IFLA_STATS64). Read on demand, not cached: the
// counters change with every packet and only these commands want them.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <string>

namespace vipa::nl {

struct LinkStats {
  int ifindex = 0;
  std::string name;
  std::string kind;    // IFLA_INFO_KIND ("" for a physical NIC)
  uint16_t type = 0;   // ARPHRD_*
  uint32_t flags = 0;  // IFF_*
  uint32_t mtu = 0;
  std::string address;  // "0:2:55:6a:a5:dc"-style as AIX prints it; "" when none
  uint64_t rx_packets = 0, rx_errors = 0, tx_packets = 0, tx_errors = 0, collisions = 0;
};

// nullopt for a message that is malformed or not a link.
std::optional<LinkStats> decode_link_stats(const nlmsghdr* nlh);

}  // namespace vipa::nl
