// Which route messages vipad wants at all, and the classic BPF program that tells the kernel, so
// that the rest never reach vipad: a routing daemon's full table churning all day costs nothing.
#pragma once

#include <linux/filter.h>
#include <linux/netlink.h>

#include <cstdint>
#include <vector>

namespace vipa::nl {

struct RouteFilter {
  // Routes of these protocols are never wanted (routing daemons program their own sources)...
  std::vector<uint8_t> drop_protocols;
  // ...routes of this one always (vipad's own, in any table)...
  uint8_t keep_protocol = 0;
  // ...and the others only in these tables (main, local, the table vipad publishes in).
  std::vector<uint32_t> tables;

  // The reference the BPF program implements: a route message's rtm_protocol and rtm_table
  // (RT_TABLE_COMPAT for tables above 255; `table` is then RTA_TABLE).
  bool wants(uint8_t protocol, uint8_t rtm_table, uint32_t table) const;
  // The same for a whole message: anything but RTM_NEWROUTE/RTM_DELROUTE is wanted.
  bool wants(const nlmsghdr* nlh) const;
};

// The program for SO_ATTACH_FILTER on an rtnetlink event socket. Every multicast notification
// is an skb of its own, so looking at the first message's header decides for the whole skb.
// Netlink headers are host-endian while BPF loads are big-endian: constants are swapped to match.
std::vector<sock_filter> route_event_program(const RouteFilter& f);

}  // namespace vipa::nl
