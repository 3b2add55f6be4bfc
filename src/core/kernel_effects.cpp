#include "core/kernel_effects.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>

namespace vipa {

namespace {

struct FateOf {
  const Route& r;
  const KernelView& after;

  // fib_sync_down_dev (net/ipv4/fib_semantics.c) and fib6_ifdown (net/ipv6/route.c): a route
  // whose nexthops are all dead is flushed; one with a live nexthop left keeps it. A link that is
  // unregistered kills every route through it, ECMP or not.
  RouteFate operator()(const LinkDown& c) const { return nexthops_dead_with(c.ifindex); }
  // A route through `ifindex` whose every other nexthop is on a link that is not up loses its
  // last live nexthop when `ifindex` is disabled.
  RouteFate nexthops_dead_with(int ifindex) const {
    auto oifs = r.oifs();
    if (oifs.empty() || std::find(oifs.begin(), oifs.end(), ifindex) == oifs.end())
      return RouteFate::Kept;
    for (int o : oifs) {
      if (o == ifindex) continue;
      auto it = after.links.find(o);
      if (it != after.links.end() && it->second.admin_up()) return RouteFate::Kept;
    }
    return RouteFate::Flushed;
  }
  RouteFate operator()(const LinkGone& c) const {
    auto oifs = r.oifs();
    return std::find(oifs.begin(), oifs.end(), c.ifindex) != oifs.end() ? RouteFate::Flushed
                                                                        : RouteFate::Kept;
  }
  bool has_ipv4_address(int ifindex) const {
    for (auto& x : after.addrs)
      if (x.family == AF_INET && x.ifindex == ifindex) return true;
    return false;
  }
  RouteFate operator()(const AddrGone& c) const {
    const Address& a = c.addr;
    // The address's own routes go with it (announced). fib_del_ifaddr deletes the IPv4 local
    // route only when no other address of the link has the same local address, and the prefix
    // route by fib_magic, which matches the source too: a connected route whose source was
    // rewritten (to a VIPA) stays behind.
    if (r.key() == local_route_of(a).key() && r.type == RTN_LOCAL) {
      if (a.family == AF_INET)
        for (auto& x : after.addrs)
          if (x.ifindex == a.ifindex && x.addr == a.addr) return RouteFate::Kept;
      return RouteFate::Flushed;
    }
    if (auto p = prefix_route_of(a); p && r.key() == p->key() && r.protocol == RTPROT_KERNEL &&
                                     (a.family != AF_INET || r.prefsrc == a.addr))
      return RouteFate::Flushed;
    if (a.family == AF_INET && r.family == AF_INET && !has_ipv4_address(a.ifindex)) {
      // fib_inetaddr_event: the link's last IPv4 address is gone, so fib_disable_ip flushes
      // (force) every IPv4 route whose nexthops were all on it, silently, as a link going down
      // would.
      if (nexthops_dead_with(a.ifindex) == RouteFate::Flushed) return RouteFate::Flushed;
    }
    if (r.prefsrc.empty() || r.prefsrc != a.addr) return RouteFate::Kept;
    if (a.family == AF_INET) {
      // fib_del_ifaddr: once the address is local nowhere any more, fib_sync_down_addr kills
      // every route that uses it as source, in every table, silently.
      for (auto& x : after.addrs)
        if (x.addr == a.addr) return RouteFate::Kept;
      return RouteFate::Flushed;
    }
    // rt6_remove_prefsrc (net/ipv6/route.c): only single-path routes through the address's own
    // link lose the source.
    if (r.nexthops.empty() && r.oif == a.ifindex) return RouteFate::SourceCleared;
    return RouteFate::Kept;
  }
};

}  // namespace

RouteFate route_fate(const KernelCause& cause, const Route& r, const KernelView& after) {
  return std::visit(FateOf{r, after}, cause);
}

std::vector<KernelCause> causes_of(const Op& op, const Observed& before) {
  std::vector<KernelCause> out;
  if (auto* d = op.as<Op::DeleteLink>()) {
    if (!before.link(d->ifindex)) return out;
    for (auto* a : before.addrs_on(d->ifindex)) out.push_back(AddrGone{*a});
    out.push_back(LinkGone{d->ifindex});
  } else if (auto* s = op.as<Op::SetLink>()) {
    const Link* l = before.link(s->ifindex);
    if (l && l->admin_up() && !s->up) out.push_back(LinkDown{s->ifindex});
  } else if (auto* del = op.as<Op::DelAddr>()) {
    for (auto& a : before.addrs)
      if (a.ifindex == del->addr.ifindex && a.addr == del->addr.addr) {
        out.push_back(AddrGone{a});
        break;
      }
  }
  return out;
}

Route local_route_of(const Address& a) {
  Route r;
  r.family = a.family;
  r.table = RT_TABLE_LOCAL;
  r.dst = a.addr;
  r.dst_len = static_cast<uint8_t>(a.addr.bits());
  r.protocol = RTPROT_KERNEL;
  r.scope = RT_SCOPE_HOST;
  r.type = RTN_LOCAL;
  r.oif = a.ifindex;
  if (a.family == AF_INET) r.prefsrc = a.addr;
  return r;
}

std::optional<Route> prefix_route_of(const Address& a) {
  if (a.flags & (IFA_F_NOPREFIXROUTE | IFA_F_SECONDARY)) return std::nullopt;
  if (a.prefixlen >= a.addr.bits()) return std::nullopt;
  Route r;
  r.family = a.family;
  r.table = RT_TABLE_MAIN;
  r.dst = a.addr.masked(a.prefixlen);
  r.dst_len = static_cast<uint8_t>(a.prefixlen);
  r.protocol = RTPROT_KERNEL;
  r.type = RTN_UNICAST;
  r.oif = a.ifindex;
  if (a.family == AF_INET) {
    r.scope = RT_SCOPE_LINK;
    r.prefsrc = a.addr;
  } else {
    r.scope = RT_SCOPE_UNIVERSE;
    r.priority = 256;
  }
  return r;
}

std::vector<RouteKey> apply_kernel_effects(const KernelCause& cause,
                                           std::map<RouteKey, Route>& routes,
                                           const KernelView& after, std::vector<Route>* flushed) {
  std::vector<RouteKey> changed;
  for (auto it = routes.begin(); it != routes.end();) {
    switch (route_fate(cause, it->second, after)) {
      case RouteFate::Kept:
        ++it;
        break;
      case RouteFate::Flushed:
        changed.push_back(it->first);
        if (flushed) flushed->push_back(std::move(it->second));
        it = routes.erase(it);
        break;
      case RouteFate::SourceCleared:
        changed.push_back(it->first);
        it->second.prefsrc = {};
        ++it;
        break;
    }
  }
  return changed;
}

}  // namespace vipa
