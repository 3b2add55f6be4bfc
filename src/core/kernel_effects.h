// What the kernel does to routes besides the change a request names. One model, used three ways:
// the rtnetlink dataplane keeps its Observed true until the kernel's echo arrives, the kernel
// cache follows events that come without RTM_DELROUTE, and the fake kernel of the unit tests
// behaves like the real one.
#pragma once

#include <map>
#include <optional>
#include <variant>
#include <vector>

#include "core/model.h"
#include "core/plan.h"

namespace vipa {

// A link set admin-down (NETDEV_DOWN).
struct LinkDown {
  int ifindex = 0;
};
// A link deleted (NETDEV_UNREGISTER).
struct LinkGone {
  int ifindex = 0;
};
// An address removed from its link.
struct AddrGone {
  Address addr;
};
using KernelCause = std::variant<LinkDown, LinkGone, AddrGone>;

enum class RouteFate {
  Kept,
  Flushed,        // removed; IPv4 sends no RTM_DELROUTE for it
  SourceCleared,  // kept without its preferred source (IPv6, no notification)
};

// The kernel's links and addresses once the cause has happened (the link already down or gone,
// the address already removed).
struct KernelView {
  const std::map<int, Link>& links;
  const std::vector<Address>& addrs;
};

RouteFate route_fate(const KernelCause& cause, const Route& r, const KernelView& after);

// The causes an operation sets off when it succeeds, judged on the state before it.
std::vector<KernelCause> causes_of(const Op& op, const Observed& before);

// The routes the kernel makes for an address on a link that is up (fib_add_ifaddr,
// addrconf_prefix_route): its local route, and its prefix route unless the address asks for none.
Route local_route_of(const Address& a);
std::optional<Route> prefix_route_of(const Address& a);

// The routes of `routes` the cause flushes are removed (and appended to `flushed` when given);
// cleared sources are cleared. Returns the keys of the routes changed or removed.
std::vector<RouteKey> apply_kernel_effects(const KernelCause& cause,
                                           std::map<RouteKey, Route>& routes,
                                           const KernelView& after,
                                           std::vector<Route>* flushed = nullptr);

}  // namespace vipa
