// The observed kernel state, kept current from rtnetlink events and dumps.
#pragma once

#include <linux/netlink.h>

#include <functional>
#include <string>
#include <vector>

#include "core/model.h"
#include "nl/socket.h"

namespace vipa {

// What one message changed, for the daemon's bookkeeping and events.
struct CacheChange {
  enum class What { None, Link, LinkGone, Addr, AddrGone, Route, RouteGone } what = What::None;
  Link old_link, new_link;  // What::Link / LinkGone (old_link.ifindex == 0 when new)
  Address addr;             // Addr / AddrGone
  Route route;              // Route / RouteGone
};

class KernelCache {
 public:
  Observed& obs() { return obs_; }
  const Observed& obs() const { return obs_; }

  // Apply one RTM_NEW*/RTM_DEL* message.
  CacheChange apply(const nlmsghdr* nlh);

  // Replace the cached links, addresses and routes with fresh dumps.
  Status dump_all(nl::Socket& sock);
  Status dump_routes(nl::Socket& sock);

  // The kernel removes IPv4 routes without telling anyone when a link goes admin-down or away;
  // the daemon then re-dumps. This drops what certainly went with the link.
  void forget_link(int ifindex);

 private:
  Observed obs_;
};

}  // namespace vipa
