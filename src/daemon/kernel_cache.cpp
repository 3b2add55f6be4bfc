#include "daemon/kernel_cache.h"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>

#include "core/desired.h"
#include "core/kernel_effects.h"
#include "nl/address.h"
#include "nl/link.h"
#include "nl/route.h"

namespace vipa {

CacheChange KernelCache::apply(const nlmsghdr* nlh) {
  CacheChange ch;
  // A bridge reports its ports with RTM_NEWLINK/RTM_DELLINK of family AF_BRIDGE; that DELLINK
  // means "left the bridge", not "deleted". The link's own messages (AF_UNSPEC) say the rest.
  if ((nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK) &&
      nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(ifinfomsg)) &&
      static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh))->ifi_family == AF_BRIDGE)
    return ch;
  switch (nlh->nlmsg_type) {
    case RTM_NEWLINK: {
      auto l = nl::decode_link(nlh);
      if (!l) break;
      auto it = obs_.links.find(l->ifindex);
      if (it != obs_.links.end()) {
        ch.old_link = it->second;
        // Events for a link often omit IFLA_LINKINFO; keep what the dump told us.
        if (l->kind.empty()) l->kind = it->second.kind;
      }
      ch.what = CacheChange::What::Link;
      ch.new_link = *l;
      obs_.links[l->ifindex] = *l;
      // Admin-down flushes IPv4 routes without RTM_DELROUTE.
      if (ch.old_link.admin_up() && !l->admin_up())
        (void)apply_kernel_effects(LinkDown{l->ifindex}, obs_.routes, {obs_.links, obs_.addrs});
      break;
    }
    case RTM_DELLINK: {
      auto l = nl::decode_link(nlh);
      if (!l) break;
      ch.what = CacheChange::What::LinkGone;
      auto it = obs_.links.find(l->ifindex);
      ch.old_link = it != obs_.links.end() ? it->second : *l;
      forget_link(l->ifindex);
      break;
    }
    case RTM_NEWADDR:
    case RTM_DELADDR: {
      auto a = nl::decode_address(nlh);
      if (!a) break;
      auto& v = obs_.addrs;
      auto it = std::find_if(v.begin(), v.end(), [&](const Address& x) {
        return x.ifindex == a->ifindex && x.addr == a->addr && x.prefixlen == a->prefixlen;
      });
      if (nlh->nlmsg_type == RTM_NEWADDR) {
        if (it != v.end())
          *it = *a;
        else
          v.push_back(*a);
        ch.what = CacheChange::What::Addr;
      } else {
        if (it != v.end()) v.erase(it);
        ch.what = CacheChange::What::AddrGone;
        // IPv4 flushes the routes that used it as source, and with the link's last IPv4 address
        // every IPv4 route through that link alone, silently; IPv6 clears some sources.
        (void)apply_kernel_effects(AddrGone{*a}, obs_.routes, {obs_.links, obs_.addrs});
      }
      ch.addr = *a;
      break;
    }
    case RTM_NEWROUTE:
    case RTM_DELROUTE: {
      // The kernel's filter has dropped these already; a dump or an older kernel has not.
      if (filter_ && !filter_->wants(nlh)) break;
      auto r = nl::decode_route(nlh);
      if (!r) break;
      if (nlh->nlmsg_type == RTM_NEWROUTE) {
        // NLM_F_REPLACE events stand for a route that took another's slot: drop the old one.
        if ((nlh->nlmsg_flags & NLM_F_REPLACE) && r->family == AF_INET) {
          // The slot's routes are adjacent in the map (RouteKey orders by family, table, dst,
          // length, tos and metric first): visit only them, not the whole table.
          RouteKey lo{r->family, r->table, r->dst, r->dst_len, r->tos, r->priority, INT_MIN, {}};
          for (auto it = obs_.routes.lower_bound(lo); it != obs_.routes.end();) {
            const Route& o = it->second;
            if (o.family != r->family || o.table != r->table || o.dst != r->dst ||
                o.dst_len != r->dst_len || o.tos != r->tos || o.priority != r->priority)
              break;
            if (o.key() != r->key())
              it = obs_.routes.erase(it);
            else
              ++it;
          }
        }
        obs_.routes[r->key()] = *r;
        ch.what = CacheChange::What::Route;
      } else {
        obs_.routes.erase(r->key());
        ch.what = CacheChange::What::RouteGone;
      }
      ch.route = *r;
      break;
    }
    default:
      break;
  }
  return ch;
}

void KernelCache::forget_link(int ifindex) {
  std::vector<KernelCause> causes;
  for (auto* a : obs_.addrs_on(ifindex)) causes.push_back(AddrGone{*a});
  causes.push_back(LinkGone{ifindex});
  obs_.links.erase(ifindex);
  std::erase_if(obs_.addrs, [&](const Address& a) { return a.ifindex == ifindex; });
  for (auto& c : causes) (void)apply_kernel_effects(c, obs_.routes, {obs_.links, obs_.addrs});
}

namespace {

// A dump the kernel interrupted (the table changed meanwhile) is simply redone.
Status dump_retry(nl::Rtnl& sock, uint16_t type, const nl::MessageFn& fn,
                  const std::function<void()>& reset) {
  for (int attempt = 0;; ++attempt) {
    reset();
    Status s = sock.dump(type, AF_UNSPEC, fn);
    if (s.ok() || s.error().errnum != EINTR || attempt >= 8) return s;
  }
}

}  // namespace

nl::RouteFilter KernelCache::filter_for(uint32_t publish_table) {
  nl::RouteFilter f;
  f.drop_protocols = routing_daemon_protocols();
  f.keep_protocol = kProtoVipa;
  f.tables = {RT_TABLE_MAIN, RT_TABLE_LOCAL};
  if (publish_table != RT_TABLE_MAIN && publish_table != RT_TABLE_LOCAL)
    f.tables.push_back(publish_table);
  return f;
}

// Only the tables vipad looks at, each a dump the kernel filters (a routing daemon's own tables
// are never read), plus vipad's own routes wherever they are. The main table still comes whole:
// a dump filter matches one protocol, and the protocols vipad rewrites are "all but the
// daemons'"; their routes are skipped before decoding.
Status KernelCache::dump_filtered(nl::Rtnl& sock, std::map<RouteKey, Route>& routes) {
  auto keep = [&](const nlmsghdr* nlh) {
    if (!filter_->wants(nlh)) return;
    if (auto r = nl::decode_route(nlh)) routes[r->key()] = std::move(*r);
  };
  for (uint8_t family : {uint8_t{AF_INET}, uint8_t{AF_INET6}}) {
    for (uint32_t table : filter_->tables) {
      Status s = sock.dump_routes(family, table, 0, keep);
      if (!s.ok() && s.error().errnum != ENOENT) return s;
    }
    Status s = sock.dump_routes(family, 0, filter_->keep_protocol, keep);
    if (!s.ok()) return s;
  }
  return Ok{};
}

Status KernelCache::dump_routes(nl::Rtnl& sock) {
  std::map<RouteKey, Route> routes;
  Status s = Error::sys(ENOPROTOOPT, "no filter");
  if (filter_) {
    for (int attempt = 0; attempt < 8; ++attempt) {
      routes.clear();
      s = dump_filtered(sock, routes);
      if (s.ok() || s.error().errnum != EINTR) break;
    }
  }
  if (!s.ok() && s.error().errnum == ENOPROTOOPT) {
    s = dump_retry(
        sock, RTM_GETROUTE,
        [&](const nlmsghdr* nlh) {
          if (filter_ && !filter_->wants(nlh)) return;
          if (auto r = nl::decode_route(nlh)) routes[r->key()] = std::move(*r);
        },
        [&] { routes.clear(); });
  }
  if (!s.ok()) return s;
  obs_.routes = std::move(routes);
  return Ok{};
}

Status KernelCache::dump_all(nl::Rtnl& sock) {
  std::map<int, Link> links;
  Status s = dump_retry(
      sock, RTM_GETLINK,
      [&](const nlmsghdr* nlh) {
        if (auto l = nl::decode_link(nlh)) links[l->ifindex] = *l;
      },
      [&] { links.clear(); });
  if (!s.ok()) return s;
  std::vector<Address> addrs;
  s = dump_retry(
      sock, RTM_GETADDR,
      [&](const nlmsghdr* nlh) {
        if (auto a = nl::decode_address(nlh)) addrs.push_back(*a);
      },
      [&] { addrs.clear(); });
  if (!s.ok()) return s;
  obs_.links = std::move(links);
  obs_.addrs = std::move(addrs);
  return dump_routes(sock);
}

}  // namespace vipa
