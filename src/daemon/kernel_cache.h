// The observed kernel state, kept current from rtnetlink events and dumps.
#pragma once

#include <linux/netlink.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "nl/route_filter.h"
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

  // The routes vipad keeps at all: its own, and the others of the tables it looks at, except
  // routing daemons'. Unset: every route.
  static nl::RouteFilter filter_for(uint32_t publish_table);
  void set_route_filter(nl::RouteFilter f) { filter_ = std::move(f); }
  const std::optional<nl::RouteFilter>& route_filter() const { return filter_; }

  // Apply one RTM_NEW*/RTM_DEL* message.
  CacheChange apply(const nlmsghdr* nlh);

  // Replace the cached links, addresses and routes with fresh dumps.
  Status dump_all(nl::Rtnl& sock);
  Status dump_routes(nl::Rtnl& sock);

  // The kernel removes IPv4 routes without telling anyone when a link goes admin-down or away and
  // when an address goes; the cache follows the model of it (core/kernel_effects.h), and the
  // daemon re-dumps. This drops what went with the link.
  void forget_link(int ifindex);

 private:
  Status dump_filtered(nl::Rtnl& sock, std::map<RouteKey, Route>& routes);
  Observed obs_;
  std::optional<nl::RouteFilter> filter_;
};

}  // namespace vipa
