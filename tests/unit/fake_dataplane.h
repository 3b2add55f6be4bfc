// An in-memory kernel behind vipa::Dataplane, for unit tests of the pure core.
//
// It is only worth having if it is as unforgiving as the real kernel in the ways the reconciler
// has to get right, so it copies these behaviours (net/ipv4/fib_frontend.c, fib_trie.c,
// net/ipv6/route.c):
//  - deleting an IPv4 address flushes every route whose preferred source it was, in every
//    table, without RTM_DELROUTE (fib_sync_down_addr); IPv6 only clears those sources on routes
//    through the address's link (rt6_remove_prefsrc);
//  - setting a link admin-down flushes the routes with no nexthop left up; deleting it, every
//    route through it (fib_sync_down_dev); setting it up again brings back
//    the local and prefix routes of its addresses (fib_add_ifaddr on NETDEV_UP), with the
//    interface's own source;
//  - creating a link assigns the next ifindex; a kernel without the dummy driver refuses
//    "dummy" with EOPNOTSUPP;
//  - an IPv4 route whose prefsrc is on no link is refused with EINVAL ("Invalid prefsrc
//    address"), one through an admin-down link with ENETDOWN, a gateway outside every prefix of
//    its link with ENETUNREACH;
//  - NLM_F_REPLACE replaces the *first* route of the slot (table, destination, tos, metric),
//    whatever its nexthop; a plain create puts the new route first in its slot and answers
//    EEXIST only for an identical route.
// What the kernel does besides a request comes from the one model of it, core/kernel_effects.h.
// It applies operations the way src/daemon/netlink_dataplane.cpp does (already-there and
// already-gone errnos are success; execute() in core/execute.h records the originals), then copies
// the kernel's tables into the Observed, as the kernel's echo would.
#pragma once

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/dataplane.h"
#include "core/desired.h"
#include "core/kernel_effects.h"

namespace vipa::test {

class FakeKernel : public Dataplane {
 public:
  bool has_dummy = false;  // this project's kernel has no dummy driver

  std::map<int, Link> links;
  std::vector<Address> addrs;
  std::map<std::string, std::string> sysctls;

  // What happened, for tests that count changes.
  std::vector<Op> applied;
  std::vector<Route> flushed;    // removed by the kernel as a side effect (no request named it)
  std::vector<Route> clobbered;  // overwritten by a REPLACE aimed at another route of the slot
  std::vector<Route> shadowed;   // added next to a same-key route (the kernel keeps both)
  int route_writes = 0;          // RTM_NEWROUTE/RTM_DELROUTE requests that changed something

  // ---- building a kernel -------------------------------------------------------------------

  Link& add_link(const std::string& name, const std::string& kind, bool up = true,
                 bool carrier = true) {
    Link l;
    l.ifindex = next_ifindex_++;
    l.name = name;
    l.kind = kind;
    l.flags = (up ? IFF_UP : 0) | (up && carrier ? IFF_LOWER_UP | IFF_RUNNING : 0);
    if (name == "lo") l.flags |= IFF_LOOPBACK;
    for (auto& [path, value] : default_sysctls(name)) sysctls[path] = value;
    return links[l.ifindex] = l;
  }

  // "10.68.1.1/24" on NAME, as `ip addr add` does (prefix route unless NOPREFIXROUTE).
  void add_addr(const std::string& ifname, const std::string& cidr, uint32_t flags = 0) {
    auto p = Prefix::parse(cidr);
    Address a;
    a.family = p->addr.family;
    a.ifindex = by_name(ifname)->ifindex;
    a.addr = p->addr;
    a.prefixlen = p->len;
    a.flags = flags;
    (void)kernel_add_addr(a);
  }

  // `ip route add`: returns 0 or the errno the kernel would answer.
  int add_route(Route r) {
    if (r.type == 0) r.type = RTN_UNICAST;
    if (r.table == 0) r.table = RT_TABLE_MAIN;
    if (r.dst.empty()) r.dst.family = r.family;
    return kernel_add_route(r, false);
  }

  void set_carrier(const std::string& ifname, bool on) {
    Link* l = by_name(ifname);
    l->flags =
        on ? (l->flags | IFF_LOWER_UP | IFF_RUNNING) : (l->flags & ~(IFF_LOWER_UP | IFF_RUNNING));
    for (auto& [slot, list] : table_)
      for (auto& r : list)
        for (int o : r.oifs())
          if (o == l->ifindex) {
            r.linkdown = !on;
            touched_.insert(r.key());
          }
  }

  void set_admin(const std::string& ifname, bool up) { kernel_set_up(*by_name(ifname), up); }

  // The kernel's IPv4 address deletion (e.g. an administrator's `ip addr del`).
  // addr is an address, or address/prefixlen to pick one of several IPv4 entries of it.
  void del_addr(const std::string& ifname, const std::string& addr) {
    auto p = Prefix::parse(addr);
    bool with_len = addr.find('/') != std::string::npos;
    for (auto& x : addrs)
      if (x.ifindex == by_name(ifname)->ifindex && x.addr == p->addr &&
          (!with_len || x.prefixlen == p->len)) {
        Address copy = x;
        kernel_del_addr(copy);
        return;
      }
  }

  Link* by_name(const std::string& name) {
    for (auto& [i, l] : links)
      if (l.name == name) return &l;
    return nullptr;
  }

  // Every route, in the kernel's order.
  std::vector<Route> routes() const {
    std::vector<Route> out;
    for (auto& [slot, list] : table_) out.insert(out.end(), list.begin(), list.end());
    return out;
  }

  const Route* find_route(const RouteKey& k) const {
    auto it = table_.find(slot_of(k));
    if (it == table_.end()) return nullptr;
    for (auto& r : it->second)
      if (r.key() == k) return &r;
    return nullptr;
  }

  // Routes gone without a trace (no flush recorded), as when a test plays another tool.
  void erase_routes(const std::function<bool(const Route&)>& pred) {
    for (auto& [slot, list] : table_) std::erase_if(list, pred);
    std::erase_if(table_, [](const auto& kv) { return kv.second.empty(); });
  }

  // What the daemon's kernel cache would hold after a full dump.
  Observed observe() const {
    Observed o;
    o.links = links;
    o.addrs = addrs;
    for (auto& [slot, list] : table_)
      for (auto& r : list) o.routes.emplace(r.key(), r);  // a dump lists the first one first
    return o;
  }

  // ---- vipa::Dataplane -----------------------------------------------------------------------

  Status apply(const Op& op, Observed& obs) override {
    touched_.clear();
    int e = std::visit([&](const auto& p) { return apply_errno(p); }, op.what);
    echo(obs);
    if (e) return Error::sys(e, op.str());
    applied.push_back(op);
    return Ok{};
  }

  void read_sysctls(const std::set<std::string>& paths, Observed& obs) override {
    obs.sysctls.clear();
    for (auto& p : paths)
      if (auto it = sysctls.find(p); it != sysctls.end()) obs.sysctls[p] = it->second;
  }

  static std::vector<std::pair<std::string, std::string>> default_sysctls(const std::string& n) {
    // rp_filter strict, as on RHEL hosts.
    return {{"/proc/sys/net/ipv4/conf/" + n + "/rp_filter", "1"},
            {"/proc/sys/net/ipv4/conf/" + n + "/arp_ignore", "0"},
            {"/proc/sys/net/ipv4/conf/" + n + "/arp_announce", "0"},
            {"/proc/sys/net/ipv4/conf/" + n + "/ignore_routes_with_linkdown", "0"},
            {"/proc/sys/net/ipv6/conf/" + n + "/ignore_routes_with_linkdown", "0"}};
  }

 private:
  int next_ifindex_ = 1;

  // Routes the kernel treats as one slot for NLM_F_REPLACE: same table, destination, tos,
  // metric. Kept per slot, in kernel order within it, so that a test or a benchmark with 100k
  // routes does not scan them all for each request.
  using Slot = std::tuple<uint8_t, uint32_t, IpAddr, uint8_t, uint8_t, uint32_t>;
  static Slot slot_of(const Route& r) {
    return {r.family, r.table, r.dst, r.dst_len, r.tos, r.priority};
  }
  static Slot slot_of(const RouteKey& k) {
    return {k.family, k.table, k.dst, k.dst_len, k.tos, k.priority};
  }
  std::map<Slot, std::list<Route>> table_;
  std::set<RouteKey> touched_;  // routes changed by the request being applied

  // The kernel's notifications: the Observed learns every route the request changed.
  void echo(Observed& o) const {
    o.links = links;
    o.addrs = addrs;
    for (auto& k : touched_) {
      if (const Route* r = find_route(k))
        o.routes[k] = *r;
      else
        o.routes.erase(k);
    }
  }

  static bool same_route(const Route& a, const Route& b) {
    return a.key() == b.key() && a.prefsrc == b.prefsrc && a.protocol == b.protocol &&
           a.type == b.type && a.scope == b.scope;
  }

  bool is_local_addr(const IpAddr& a) const {
    return std::any_of(addrs.begin(), addrs.end(), [&](const Address& x) { return x.addr == a; });
  }

  int apply_errno(const Op::CreateLink& op) {
    if (by_name(op.name)) return 0;  // EEXIST: the daemon then looks the link up
    std::string kind = op.link_kind == LinkKind::Ifb ? "ifb" : "dummy";
    if (kind == "dummy" && !has_dummy) {
      if (op.link_kind != LinkKind::Auto) return EOPNOTSUPP;
      kind = "ifb";
    }
    Link& l = add_link(op.name, kind, false, false);
    l.flags |= IFF_NOARP;
    l.alias = kLinkTag;
    return 0;
  }
  int apply_errno(const Op::DeleteLink& op) {
    auto it = links.find(op.ifindex);
    if (it == links.end()) return 0;  // ENODEV: already gone
    std::vector<Address> mine;
    for (auto& a : addrs)
      if (a.ifindex == op.ifindex) mine.push_back(a);
    for (auto& a : mine) kernel_del_addr(a);
    std::erase_if(sysctls, [&](const auto& kv) {
      return kv.first.find("/conf/" + it->second.name + "/") != std::string::npos;
    });
    links.erase(it);
    kernel_effect(LinkGone{op.ifindex});
    return 0;
  }
  int apply_errno(const Op::SetLink& op) {
    auto it = links.find(op.ifindex);
    if (it == links.end()) return ENODEV;
    if (!op.alias.empty()) it->second.alias = op.alias;
    kernel_set_up(it->second, op.up);
    return 0;
  }
  int apply_errno(const Op::AddAddr& op) {
    int e = kernel_add_addr(op.addr);
    return e == EEXIST ? 0 : e;
  }
  int apply_errno(const Op::DelAddr& op) {
    for (auto& a : addrs)
      if (a.ifindex == op.addr.ifindex && a.addr == op.addr.addr) {
        Address copy = a;
        kernel_del_addr(copy);
        return 0;
      }
    return 0;  // EADDRNOTAVAIL: already gone
  }
  int apply_errno(const Op::AddRoute& op) {
    int e = kernel_add_route(op.route, false);
    return e == EEXIST ? 0 : e;
  }
  int apply_errno(const Op::ReplaceRoute& op) {
    if (op.replace_by_delete_add) {
      int e = kernel_del_route(op.old);
      if (e == 0 || e == ESRCH) e = kernel_add_route(op.route, false);
      return e;
    }
    return kernel_add_route(op.route, true);
  }
  int apply_errno(const Op::DelRoute& op) {
    int e = kernel_del_route(op.route);
    return e == ESRCH ? 0 : e;
  }
  int apply_errno(const Op::SetSysctl& op) {
    auto it = sysctls.find(op.path);
    if (op.restore) {
      if (it != sysctls.end()) it->second = op.value;
      return 0;  // an interface that went away took its sysctls with it
    }
    if (it == sysctls.end()) return ENOENT;
    it->second = op.value;
    return 0;
  }

  // ---- the kernel ----------------------------------------------------------------------------

  static Route local_route(const Address& a) { return local_route_of(a); }
  static std::optional<Route> prefix_route(const Address& a) { return prefix_route_of(a); }

  void install(const Route& r) {
    // A create goes in front of its slot (fib_table_insert without NLM_F_APPEND).
    table_[slot_of(r)].push_front(r);
    touched_.insert(r.key());
  }

  void ifaddr_routes(const Address& a) {
    Link& l = links[a.ifindex];
    if (!l.admin_up()) return;
    if (!find_route(local_route(a).key())) install(local_route(a));
    if (auto p = prefix_route(a); p && !find_route(p->key())) {
      p->linkdown = !l.carrier();
      install(*p);
    }
  }

  int kernel_add_addr(const Address& a) {
    if (!links.count(a.ifindex)) return ENODEV;
    for (auto& x : addrs)
      if (same_entry(x, a)) return EEXIST;
    Address n = a;
    if (n.family == AF_INET)
      for (auto& x : addrs)
        if (x.ifindex == n.ifindex && x.family == AF_INET && x.prefixlen == n.prefixlen &&
            x.addr.masked(x.prefixlen) == n.addr.masked(n.prefixlen))
          n.flags |= IFA_F_SECONDARY;
    if (n.family == AF_INET6 && !(n.flags & IFA_F_NODAD)) n.flags |= IFA_F_TENTATIVE;
    addrs.push_back(n);
    ifaddr_routes(n);
    return 0;
  }

  // What the kernel does to its routes on its own (core/kernel_effects.h): flushes are recorded.
  void kernel_effect(const KernelCause& cause) {
    KernelView after{links, addrs};
    for (auto& [slot, list] : table_)
      std::erase_if(list, [&](Route& r) {
        switch (route_fate(cause, r, after)) {
          case RouteFate::Kept:
            return false;
          case RouteFate::SourceCleared:
            r.prefsrc = {};
            touched_.insert(r.key());
            return false;
          case RouteFate::Flushed:
            flushed.push_back(r);
            touched_.insert(r.key());
            return true;
        }
        return false;
      });
    std::erase_if(table_, [](const auto& kv) { return kv.second.empty(); });
  }

  // IPv4 keys an address by its prefix length too (10.68.5.1/24 and 10.68.5.1/32 can both be
  // on a link); IPv6 by the address alone.
  static bool same_entry(const Address& x, const Address& a) {
    return x.ifindex == a.ifindex && x.addr == a.addr &&
           (a.family != AF_INET || x.prefixlen == a.prefixlen);
  }
  void kernel_del_addr(const Address& a) {
    std::erase_if(addrs, [&](const Address& x) { return same_entry(x, a); });
    kernel_effect(AddrGone{a});
  }

  void kernel_set_up(Link& l, bool up) {
    bool virt = l.kind == "dummy" || l.kind == "ifb";
    if (!up && l.admin_up()) {
      l.flags &= ~IFF_UP;
      if (virt) l.flags &= ~(IFF_LOWER_UP | IFF_RUNNING);
      // No RTM_DELROUTE for the IPv4 ones: the daemon has to notice on its own.
      kernel_effect(LinkDown{l.ifindex});
    } else if (up && !l.admin_up()) {
      l.flags |= IFF_UP;
      if (virt) l.flags |= IFF_LOWER_UP | IFF_RUNNING;
      for (auto& a : std::vector<Address>(addrs))
        if (a.ifindex == l.ifindex) ifaddr_routes(a);
    }
  }

  int kernel_add_route(Route r, bool replace) {
    for (int oif : r.oifs()) {
      auto it = links.find(oif);
      if (it == links.end()) return ENODEV;
      if (r.family == AF_INET && !it->second.admin_up()) return ENETDOWN;
      r.linkdown = !it->second.carrier();
    }
    if (!r.prefsrc.empty() && r.type != RTN_LOCAL && !is_local_addr(r.prefsrc)) return EINVAL;
    if (!r.gateway.empty() && !r.gateway.is_v6_link_local() && !(r.rtm_flags & RTNH_F_ONLINK)) {
      bool reachable = false;
      for (auto& a : addrs)
        if (a.ifindex == r.oif && a.family == r.family &&
            Prefix{a.addr, a.prefixlen}.contains(r.gateway))
          reachable = true;
      if (!reachable) return ENETUNREACH;
    }
    auto slot = table_.find(slot_of(r));
    if (replace) {
      // NLM_F_REPLACE without NLM_F_CREATE: ENOENT when the slot is empty.
      if (slot == table_.end() || slot->second.empty()) return ENOENT;
      for (auto& x : slot->second)
        if (same_route(x, r)) return 0;  // an identical route anywhere in the slot: no change
      Route& first = slot->second.front();
      if (first.key() != r.key()) clobbered.push_back(first);
      touched_.insert(first.key());
      first = r;
      touched_.insert(r.key());
      ++route_writes;
      return 0;
    }
    if (slot != table_.end())
      for (auto& x : slot->second) {
        if (same_route(x, r)) return EEXIST;
        if (x.key() == r.key()) shadowed.push_back(r);
      }
    install(r);
    ++route_writes;
    return 0;
  }

  int kernel_del_route(const Route& want) {
    // fib_table_delete: the first route matching what the request names (no prefsrc sent).
    auto slot = table_.find(slot_of(want));
    if (slot == table_.end()) return ESRCH;
    auto& list = slot->second;
    for (auto it = list.begin(); it != list.end(); ++it) {
      if (it->key() != want.key()) continue;
      if (want.protocol && it->protocol != want.protocol) continue;
      if (want.type && it->type != want.type) continue;
      touched_.insert(it->key());
      list.erase(it);
      if (list.empty()) table_.erase(slot);
      ++route_writes;
      return 0;
    }
    return ESRCH;
  }
};

// the sample's host before vipad runs: lo, and en1 10.68.1.1/24 and en5 10.68.5.1/24 up with
// carrier, each with the connected route the kernel adds (source: the interface's own address).
inline void build_sample_host(FakeKernel& k) {
  k.add_link("lo", "");
  k.add_link("en1", "veth");
  k.add_link("en5", "veth");
  k.add_addr("en1", "10.68.1.1/24");
  k.add_addr("en5", "10.68.5.1/24");
}

}  // namespace vipa::test
