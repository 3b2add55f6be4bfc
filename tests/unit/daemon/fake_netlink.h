// A fake kernel behind the kernel cache's netlink interface (nl::Rtnl), in the Open/R manner: the
// test changes the fake's tables through the kernel's own operations, and the fake sends the
// events the kernel sends, and leaves out the ones it leaves out. Its quirks, each from the
// kernel:
//   - an admin-down link loses its IPv4 routes with no RTM_DELROUTE (fib_sync_down_dev via
//     fib_netdev_event, NETDEV_DOWN); its IPv6 routes go too, each with an RTM_DELROUTE
//     (fib6_ifdown, fib6_del -> inet6_rt_notify);
//   - a deleted IPv4 address takes the routes with it as source, and the link's last IPv4
//     address every IPv4 route through that link alone, silently (fib_del_ifaddr,
//     fib_inetaddr_event -> fib_disable_ip);
//   - a receive buffer overrun drops events: the next read returns ENOBUFS;
//   - a dump the tables changed under stops half-way with EINTR (NLM_F_DUMP_INTR);
//   - a kernel before Linux 4.20 cannot filter route dumps (ENOPROTOOPT);
//   - a bridge reports its ports as AF_BRIDGE RTM_NEWLINK/RTM_DELLINK.
#pragma once

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "core/model.h"
#include "nl/address.h"
#include "nl/route.h"
#include "nl/socket.h"

namespace vipa::testing {

class FakeNetlink : public nl::Rtnl {
 public:
  using Msg = std::vector<char>;

  // The kernel's tables.
  std::map<int, Link> links;
  std::vector<Address> addrs;
  std::vector<Route> routes;
  bool filters_dumps = true;  // false: a kernel before 4.20
  int interrupt_dumps = 0;    // the next N dumps stop half-way with EINTR

  // ---------------------------------------------------------------- the kernel's operations

  void add_link(int ifindex, const std::string& name, bool up) {
    Link l;
    l.ifindex = ifindex;
    l.name = name;
    l.kind = "veth";
    l.type = ARPHRD_ETHER;
    l.flags = up ? IFF_UP | IFF_RUNNING | IFF_LOWER_UP : 0;
    links[ifindex] = l;
    queue(link_msg(RTM_NEWLINK, l, AF_UNSPEC));
  }
  void set_admin(int ifindex, bool up) {
    Link& l = links.at(ifindex);
    l.flags = up ? l.flags | IFF_UP | IFF_RUNNING | IFF_LOWER_UP
                 : l.flags & ~(IFF_UP | IFF_RUNNING | IFF_LOWER_UP);
    if (!up) {
      flush_v4_through(ifindex);  // no RTM_DELROUTE
      std::vector<Route> gone;
      for (auto& r : routes)
        if (r.family == AF_INET6 && r.oif == ifindex && r.nexthops.empty()) gone.push_back(r);
      for (auto& r : gone) del_route(r);
    }
    queue(link_msg(RTM_NEWLINK, l, AF_UNSPEC));
  }
  // A bridge's port event about `ifindex`: says nothing of the link itself.
  void bridge_port_event(int ifindex, uint16_t type) {
    queue(link_msg(type, links.at(ifindex), AF_BRIDGE));
  }
  void add_addr(const Address& a) {
    addrs.push_back(a);
    queue(addr_msg(RTM_NEWADDR, a));
  }
  void del_addr(const Address& a) {
    std::erase_if(addrs, [&](const Address& x) {
      return x.ifindex == a.ifindex && x.addr == a.addr && x.prefixlen == a.prefixlen;
    });
    if (a.family == AF_INET) {
      // fib_sync_down_addr: only once no other entry holds the same local address.
      bool held = std::any_of(addrs.begin(), addrs.end(),
                              [&](const Address& x) { return x.addr == a.addr; });
      if (!held)
        std::erase_if(routes,
                      [&](const Route& r) { return r.family == AF_INET && r.prefsrc == a.addr; });
      bool last = std::none_of(addrs.begin(), addrs.end(), [&](const Address& x) {
        return x.ifindex == a.ifindex && x.family == AF_INET;
      });
      if (last) flush_v4_through(a.ifindex);
    }
    queue(addr_msg(RTM_DELADDR, a));
  }
  void add_route(const Route& r) {
    routes.push_back(r);
    queue(route_msg(RTM_NEWROUTE, 0, r));
  }
  // `ip route replace` onto another route's slot: RTM_NEWROUTE with NLM_F_REPLACE.
  void replace_route(const Route& r) {
    std::erase_if(routes, [&](const Route& o) {
      return o.family == r.family && o.table == r.table && o.dst == r.dst &&
             o.dst_len == r.dst_len && o.tos == r.tos && o.priority == r.priority;
    });
    routes.push_back(r);
    queue(route_msg(RTM_NEWROUTE, NLM_F_REPLACE, r));
  }
  void del_route(const Route& r) {
    std::erase_if(routes, [&](const Route& o) { return o.key() == r.key(); });
    queue(route_msg(RTM_DELROUTE, 0, r));
  }
  // The receive buffer overflowed: the events queued so far are lost.
  void overrun() {
    events_.clear();
    overrun_ = true;
  }

  // ---------------------------------------------------------------- nl::Rtnl

  Status read_events(const nl::MessageFn& fn) override {
    if (overrun_) {
      overrun_ = false;
      return Error::sys(ENOBUFS, "netlink receive buffer");
    }
    auto evs = std::move(events_);
    events_.clear();
    for (auto& m : evs) fn(reinterpret_cast<const nlmsghdr*>(m.data()));
    return Ok{};
  }
  Status dump(uint16_t type, uint8_t family, const nl::MessageFn& fn) override {
    std::vector<Msg> out;
    if (type == RTM_GETLINK)
      for (auto& [i, l] : links) out.push_back(link_msg(RTM_NEWLINK, l, AF_UNSPEC));
    if (type == RTM_GETADDR)
      for (auto& a : addrs) out.push_back(addr_msg(RTM_NEWADDR, a));
    if (type == RTM_GETROUTE)
      for (auto& r : routes)
        if (family == AF_UNSPEC || r.family == family) out.push_back(route_msg(RTM_NEWROUTE, 0, r));
    ++dumps;
    return deliver(out, fn);
  }
  Status dump_routes(uint8_t family, uint32_t table, uint8_t protocol,
                     const nl::MessageFn& fn) override {
    if (!filters_dumps) return Error::sys(ENOPROTOOPT, "NETLINK_GET_STRICT_CHK");
    bool any = table == 0 || std::any_of(routes.begin(), routes.end(),
                                         [&](const Route& r) { return r.table == table; });
    if (!any) return Error::sys(ENOENT, "no such table");
    std::vector<Msg> out;
    for (auto& r : routes)
      if (r.family == family && (table == 0 || r.table == table) &&
          (protocol == 0 || r.protocol == protocol))
        out.push_back(route_msg(RTM_NEWROUTE, 0, r));
    ++dumps;
    return deliver(out, fn);
  }
  int dumps = 0;

 private:
  std::vector<Msg> events_;
  bool overrun_ = false;

  void queue(Msg m) {
    if (!overrun_) events_.push_back(std::move(m));
  }
  // Half the messages, then EINTR, while interrupt_dumps lasts.
  Status deliver(const std::vector<Msg>& out, const nl::MessageFn& fn) {
    size_t n = interrupt_dumps > 0 ? out.size() / 2 : out.size();
    for (size_t i = 0; i < n; ++i) fn(reinterpret_cast<const nlmsghdr*>(out[i].data()));
    if (interrupt_dumps > 0) {
      --interrupt_dumps;
      return Error::sys(EINTR, "dump interrupted");
    }
    return Ok{};
  }
  void flush_v4_through(int ifindex) {
    std::erase_if(routes, [&](const Route& r) {
      if (r.family != AF_INET || r.table == RT_TABLE_LOCAL) return false;
      std::vector<int> oifs = r.oifs();
      return !oifs.empty() &&
             std::all_of(oifs.begin(), oifs.end(), [&](int o) { return o == ifindex; });
    });
  }
  static Msg link_msg(uint16_t type, const Link& l, uint8_t family) {
    Msg buf(1024);
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = type;
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = family;
    ifi->ifi_type = l.type;
    ifi->ifi_index = l.ifindex;
    ifi->ifi_flags = l.flags;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, l.name.c_str());
    nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, l.kind.c_str());
    mnl_attr_nest_end(nlh, info);
    buf.resize(nlh->nlmsg_len);
    return buf;
  }
  static Msg addr_msg(uint16_t type, const Address& a) {
    Msg buf(1024);
    nlmsghdr* nlh = nl::encode_address(buf.data(), type, a);
    buf.resize(nlh->nlmsg_len);
    return buf;
  }
  static Msg route_msg(uint16_t type, uint16_t flags, const Route& r) {
    Msg buf(nl::route_request_size(r) + 64);
    nlmsghdr* nlh = nl::encode_route(buf.data(), type, flags, r);
    buf.resize(nlh->nlmsg_len);
    return buf;
  }
};

}  // namespace vipa::testing
