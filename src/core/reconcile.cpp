// The pure reconciler: desired + observed -> plan. No syscalls, no clock, no globals.
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <climits>
#include <map>
#include <tuple>

#include "core/advertised_routes.h"
#include "core/desired.h"
#include "core/plan.h"

namespace vipa {

namespace {

bool is_virtual_kind(const std::string& kind) {
  return kind == "dummy" || kind == "ifb";
}

// The source a route should carry: the VIPA of its interfaces when all of them use the same one.
IpAddr wanted_source(const Desired& d, const Route& r) {
  auto& by_oif = r.family == AF_INET ? d.src4_by_oif : d.src6_by_oif;
  IpAddr src;
  auto oifs = r.oifs();
  if (oifs.empty()) return {};
  for (int oif : oifs) {
    auto it = by_oif.find(oif);
    if (it == by_oif.end()) return {};
    if (!src.empty() && src != it->second) return {};
    src = it->second;
  }
  return src;
}

// The kernel's own source for a connected IPv4 route: the interface's primary address there.
IpAddr kernel_source(const Observed& obs, const Route& r) {
  for (auto* a : obs.addrs_on(r.oif)) {
    if (a->family != r.family || (a->flags & IFA_F_SECONDARY)) continue;
    const IpAddr& base = a->peer.empty() ? a->addr : a->peer;  // point-to-point: the peer's
    if (a->prefixlen == r.dst_len && base.masked(a->prefixlen) == r.dst) return a->addr;
  }
  return {};
}

bool rewritable(const Route& r) {
  if (r.table != RT_TABLE_MAIN || r.type != RTN_UNICAST) return false;
  // Link-local and multicast destinations must keep a link-local source.
  if (r.dst_len > 0 && (r.dst.is_v6_link_local() || r.dst.is_multicast())) return false;
  return true;
}

// Whether a route vipad can rewrite (its own included) still uses one of the link's addresses
// as its source: removing the address now would make the kernel flush it.
bool routes_use(const Observed& obs, int ifindex) {
  auto addrs = obs.addrs_on(ifindex);
  for (auto& [k, r] : obs.routes) {
    if (r.table != RT_TABLE_MAIN || r.prefsrc.empty() || is_routing_daemon_protocol(r.protocol))
      continue;
    for (auto* a : addrs)
      if (a->addr == r.prefsrc) return true;
  }
  return false;
}

void plan_links(const Desired& d, const Observed& obs, Plan& plan) {
  for (auto& dv : d.vipas) {
    const Link* l = obs.link_by_name(dv.name);
    if (!dv.present) {
      if (!l || l->alias != kLinkTag) continue;
      // Deleting the address would make the kernel flush every IPv4 route using it as source:
      // first give those routes their own source back (plan_sources does), then remove the link.
      if (!routes_use(obs, l->ifindex)) {
        plan.ops.push_back({Op::DeleteLink{l->ifindex, l->name}, "detach " + dv.name});
      }
      continue;
    }
    if (!l) {
      plan.ops.push_back({Op::CreateLink{dv.name, dv.kind, dv.up}, "create " + dv.name});
      continue;
    }
    if (!is_virtual_kind(l->kind)) {
      plan.problems.push_back(dv.name + " exists and is a '" + l->kind +
                              "' link, not dummy or ifb: vipad will not use it");
      continue;
    }
    if (l->alias != kLinkTag && !dv.adopt) {
      // Someone else's link: its alias, addresses and life are not vipad's to change.
      plan.problems.push_back(dv.name + " exists and was not created by vipad (no '" +
                              std::string(kLinkTag) +
                              "' alias): vipad will not use it; set adopt = true in [vipa." +
                              dv.name + "] to take it over");
      continue;
    }
    bool going_down = l->admin_up() && !dv.up && routes_use(obs, l->ifindex);
    if (l->alias != kLinkTag || (l->admin_up() != dv.up && !going_down)) {
      plan.ops.push_back(
          {Op::SetLink{l->ifindex, l->name, going_down ? true : dv.up, kLinkTag},
           l->alias != kLinkTag ? "adopt " + dv.name : (dv.up ? "set up" : "set down")});
    }
    // Addresses: vi0 is ours, so it holds exactly the VIPA addresses.
    auto have = obs.addrs_on(l->ifindex);
    for (auto& want : dv.addrs) {
      const Address* match = nullptr;
      for (auto* a : have)
        if (a->addr == want.addr) match = a;
      uint32_t need = want.flags & IFA_F_NOPREFIXROUTE;
      if (match && match->prefixlen == want.prefixlen && (match->flags & need) == need) continue;
      if (match) {
        plan.ops.push_back({Op::DelAddr{*match}, "fix " + want.addr.str() + " on " + dv.name});
      }
      Address a{want.addr.family, l->ifindex, want.addr, want.prefixlen, want.flags, 0, {}};
      plan.ops.push_back({Op::AddAddr{a}, "VIPA " + want.addr.str() + " on " + dv.name});
    }
    for (auto* a : have) {
      bool wanted = false;
      for (auto& want : dv.addrs) wanted |= want.addr == a->addr;
      if (wanted) continue;
      plan.ops.push_back({Op::DelAddr{*a}, "not a VIPA address of " + dv.name});
    }
  }
}

void plan_sysctls(const Desired& d, const Observed& obs, Plan& plan) {
  for (auto& [path, value] : d.sysctls) {
    auto it = obs.sysctls.find(path);
    if (it == obs.sysctls.end() || it->second == value) continue;  // absent: no such interface
    plan.ops.push_back({Op::SetSysctl{path, value, false}, "was " + it->second});
  }
  for (auto& [path, original] : obs.sysctl_originals) {
    if (d.sysctls.count(path)) continue;
    plan.ops.push_back({Op::SetSysctl{path, original, true}, "restore original"});
  }
}

// Whether the kernel holds more than one route in this route's slot (main table only, where
// sources are rewritten). obs.routes is ordered by RouteKey, whose leading fields are the slot:
// the slot's routes are adjacent, so this is a lookup, not a count over the table.
bool shares_slot(const Observed& obs, const RouteKey& k) {
  if (k.table != RT_TABLE_MAIN) return false;
  RouteKey lo{k.family, k.table, k.dst, k.dst_len, k.tos, k.priority, INT_MIN, {}};
  int n = 0;
  for (auto it = obs.routes.lower_bound(lo); it != obs.routes.end() && n < 2; ++it, ++n) {
    const RouteKey& o = it->first;
    if (std::tie(o.family, o.table, o.dst, o.dst_len, o.tos, o.priority) !=
        std::tie(k.family, k.table, k.dst, k.dst_len, k.tos, k.priority))
      break;
  }
  return n > 1;
}

void plan_owned_routes(const Desired& d, const Observed& obs, Plan& plan) {
  for (auto& [k, r] : obs.routes) {
    if (r.protocol != kProtoVipa || d.owned.count(k)) continue;
    plan.ops.push_back({Op::DelRoute{r}, "not desired"});
  }
  for (auto& [k, want] : d.owned) {
    auto it = obs.routes.find(k);
    if (it == obs.routes.end()) {
      plan.ops.push_back({Op::AddRoute{want}, "owned route missing"});
    } else if (it->second.prefsrc != want.prefsrc || it->second.scope != want.scope ||
               it->second.type != want.type || it->second.nexthops != want.nexthops) {
      plan.ops.push_back({Op::ReplaceRoute{want, it->second, shares_slot(obs, want.key())},
                          "owned route differs"});
    }
  }
}

// A connected IPv4 route whose source vipad rewrote to a VIPA, left behind by its address: the
// kernel deletes an address's prefix route by its source too (fib_magic), so the rewritten one
// survives the address (10.68.5.1/24 replaced by 10.68.5.1/32), and a gateway behind it looks
// on-link when it is not. The VIPA source is vipad's mark: it deletes what its rewrite kept.
// An administrator's own route in the kernel's name looks the same but for its source, so vipad
// rewrites a kernel route's source only while the address that makes it is there.
bool addressless_connected(const Observed& obs, const Route& r) {
  if (r.family != AF_INET || r.protocol != RTPROT_KERNEL || r.scope != RT_SCOPE_LINK) return false;
  if (!r.gateway.empty() || !r.nexthops.empty()) return false;
  return kernel_source(obs, r).empty();
}

bool orphaned_connected(const Desired& d, const Observed& obs, const Route& r) {
  if (r.prefsrc.empty() || !addressless_connected(obs, r)) return false;
  return r.prefsrc == wanted_source(d, r) || d.retired_addrs.count(r.prefsrc) > 0;
}

void plan_sources(const Desired& d, const Observed& obs, Plan& plan) {
  for (auto& [k, r] : obs.routes) {
    if (r.protocol == kProtoVipa || !rewritable(r)) continue;
    if (orphaned_connected(d, obs, r)) {
      plan.ops.push_back({Op::DelRoute{r}, "connected route outlived its address"});
      continue;
    }
    if (addressless_connected(obs, r)) continue;
    // Advertised routes keep the kernel's management: their companions carry the VIPA.
    IpAddr want = is_advertised(r) ? IpAddr{} : wanted_source(d, r);
    if (is_routing_daemon_protocol(r.protocol)) {
      if (!want.empty() && r.prefsrc != want) ++plan.daemon_routes_left_alone;
      continue;
    }
    IpAddr target = want;
    if (want.empty()) {
      // Not (or no longer) a VIPA route: give back a source vipad put there.
      if (r.prefsrc.empty() || !d.retired_addrs.count(r.prefsrc)) continue;
      if (r.protocol == RTPROT_KERNEL && r.family == AF_INET) {
        target = kernel_source(obs, r);
      } else if (auto o = obs.prefsrc_originals.find(k); o != obs.prefsrc_originals.end()) {
        target = o->second;
      }
    }
    if (r.prefsrc == target) continue;
    if (!shares_slot(obs, k)) {
      plan.rewrites.push_back({k, target, want.empty()});
      continue;
    }
    Route to = r;
    to.prefsrc = target;
    plan.ops.push_back({Op::ReplaceRoute{std::move(to), r, true},
                        want.empty() ? "restore source" : "VIPA source"});
  }

  // Connected IPv4 routes flushed with the VIPA address are not re-added by the kernel when
  // the address returns; neither are foreign routes that used it. Bring them back.
  for (auto& [oif, src] : d.src4_by_oif) {
    const Link* l = obs.link(oif);
    if (!l || !l->admin_up()) continue;
    for (auto* a : obs.addrs_on(oif)) {
      // A point-to-point address's connected route is its peer's (a host route at /32).
      const IpAddr& base = a->peer.empty() ? a->addr : a->peer;
      if (a->family != AF_INET || (a->prefixlen >= 32 && a->peer.empty()) ||
          (a->flags & (IFA_F_SECONDARY | IFA_F_NOPREFIXROUTE)))
        continue;
      Route r;
      r.family = AF_INET;
      r.table = RT_TABLE_MAIN;
      r.dst = base.masked(a->prefixlen);
      r.dst_len = static_cast<uint8_t>(a->prefixlen);
      r.protocol = RTPROT_KERNEL;
      r.scope = RT_SCOPE_LINK;
      r.type = RTN_UNICAST;
      r.oif = oif;
      r.prefsrc = src;
      if (obs.routes.count(r.key())) continue;
      // Exclusive: the kernel's own prefix route may be on its way (RTM_NEWROUTE follows
      // RTM_NEWADDR); a second route behind it would leave the interface's address the source.
      plan.ops.push_back({Op::AddRoute{r, true}, "connected route lost with the VIPA address"});
    }
  }
  for (auto& r : d.remembered) {
    if (obs.routes.count(r.key())) continue;
    IpAddr want = wanted_source(d, r);
    if (want.empty()) continue;
    bool links_up = true;
    for (int oif : r.oifs())
      if (auto* l = obs.link(oif); !l || !l->admin_up()) links_up = false;
    if (!links_up) continue;
    Route back = r;
    back.prefsrc = want;
    plan.ops.push_back({Op::AddRoute{std::move(back)}, "route lost with the VIPA address"});
  }
}

}  // namespace

Plan reconcile(const Desired& d, const Observed& obs) {
  Plan plan;
  plan.problems = d.notices;
  plan_links(d, obs, plan);
  plan_sysctls(d, obs, plan);
  plan_owned_routes(d, obs, plan);
  plan_sources(d, obs, plan);
  return plan;
}

std::optional<Op> SourceRewrite::as_op(const Observed& obs) const {
  auto it = obs.routes.find(key);
  if (it == obs.routes.end()) return std::nullopt;
  Route to = it->second;
  to.prefsrc = src;
  return Op{Op::ReplaceRoute{std::move(to), it->second, false},
            restore ? "restore source" : "VIPA source"};
}

namespace {
std::string addr_str(const Address& a) {
  return a.addr.str() + "/" + std::to_string(a.prefixlen) + " ifindex " + std::to_string(a.ifindex);
}
}  // namespace

std::string Op::CreateLink::str() const {
  return "create link " + name + " (" + to_string(link_kind) + ")";
}
std::string Op::DeleteLink::str() const {
  return "delete link " + name;
}
std::string Op::SetLink::str() const {
  return "set link " + name + (up ? " up" : " down") + " alias " + alias;
}
std::string Op::AddAddr::str() const {
  return "add address " + addr_str(addr);
}
std::string Op::DelAddr::str() const {
  return "delete address " + addr_str(addr);
}
std::string Op::AddRoute::str() const {
  return "add route " + route_to_string(route);
}
std::string Op::ReplaceRoute::str() const {
  return "replace route " + route_to_string(route);
}
std::string Op::DelRoute::str() const {
  return "delete route " + route_to_string(route);
}
std::string Op::SetSysctl::str() const {
  return "sysctl " + path + "=" + value;
}
std::string Op::str() const {
  return std::visit([](const auto& p) { return p.str(); }, what);
}

}  // namespace vipa
