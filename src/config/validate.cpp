// Rules that hold for a whole config, whether it was read from files or changed in memory by
// vipactl mkdev/chdev. Each check reports the first offending value it meets, in file order.
#include <sys/socket.h>

#include <map>
#include <set>
#include <tuple>

#include "config/locations.h"
#include "config/sources.h"
#include "config/values.h"
#include "routing/daemons.h"

namespace vipa {
namespace {

class Checker {
 public:
  explicit Checker(const Locations* locs) : locs_(locs) {}

  // Location of `key`, or of the enclosing table when the key is unknown or absent.
  const SourceLoc& at(const std::string& key, const SourceLoc& table) const {
    return locs_ ? locs_->get(key, table) : table;
  }
  Status fail(const SourceLoc& where, const std::string& message) const {
    return located_error(where, message);
  }

 private:
  const Locations* locs_;
};

bool unicast(const IpAddr& a) {
  return !a.empty() && !a.is_unspecified() && !a.is_multicast() && !a.is_loopback();
}

std::string range_msg(const char* key, int64_t v, int64_t min, int64_t max) {
  return std::string(key) + ": " + std::to_string(v) + " is out of range (" + std::to_string(min) +
         ".." + std::to_string(max) + ")";
}

Status check_vipa_fields(const VipaConfig& v, const std::vector<VipaConfig>& all,
                         const Checker& ck) {
  const std::string sec = vipa_section(v.name);
  auto at = [&](const char* field) -> const SourceLoc& {
    return ck.at(loc_key(sec, field), v.loc);
  };
  auto at_item = [&](const char* field, size_t i) -> const SourceLoc& {
    return ck.at(loc_key(sec, field, i), at(field));
  };

  if (!valid_ifname(v.name))
    return ck.fail(v.loc, "VIPA name '" + v.name +
                              "' is not a valid interface name (1..15 bytes, no '/', ':' or "
                              "blanks)");
  if (!v.netaddr && !v.netaddr6)
    return ck.fail(v.loc, "[vipa." + v.name + "] needs netaddr or netaddr6");
  if (v.netaddr) {
    if (!v.netaddr->is_v4())
      return ck.fail(at("netaddr"), "netaddr: " + v.netaddr->str() + " is not an IPv4 address");
    if (!unicast(*v.netaddr))
      return ck.fail(at("netaddr"), "netaddr: " + v.netaddr->str() + " is not a unicast address");
  }
  if (v.netmask_len < 1 || v.netmask_len > 32)
    return ck.fail(at("netmask"), "netmask: " + prefixlen_to_netmask(v.netmask_len) +
                                      " is not a usable VIPA netmask");
  if (v.netaddr6) {
    if (!v.netaddr6->is_v6())
      return ck.fail(at("netaddr6"), "netaddr6: " + v.netaddr6->str() + " is not an IPv6 address");
    if (!unicast(*v.netaddr6) || v.netaddr6->is_v6_link_local())
      return ck.fail(at("netaddr6"),
                     "netaddr6: " + v.netaddr6->str() + " is not a global unicast address");
  }
  if (v.prefixlen < 1 || v.prefixlen > 128)
    return ck.fail(at("prefixlen"), range_msg("prefixlen", v.prefixlen, 1, 128));
  for (size_t i = 0; i < v.alias4.size(); ++i) {
    const Prefix& p = v.alias4[i];
    if (!p.addr.is_v4() || !unicast(p.addr) || p.len < 1 || p.len > 32)
      return ck.fail(at_item("alias4", i),
                     "alias4: " + p.str() + " is not a unicast IPv4 address with a netmask");
  }
  for (size_t i = 0; i < v.alias6.size(); ++i) {
    const Prefix& p = v.alias6[i];
    if (!p.addr.is_v6() || !unicast(p.addr) || p.addr.is_v6_link_local() || p.len < 1 ||
        p.len > 128)
      return ck.fail(at_item("alias6", i),
                     "alias6: " + p.str() + " is not a global unicast IPv6 address/length");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < v.interface_names.size(); ++i) {
    const std::string& n = v.interface_names[i];
    if (!valid_ifname(n))
      return ck.fail(at_item("interface_names", i),
                     "interface_names: '" + n + "' is not a valid interface name");
    for (auto& other : all)
      if (other.name == n)
        return ck.fail(at_item("interface_names", i),
                       "interface_names: '" + n + "' is a VIPA, not a physical interface");
    if (!seen.insert(n).second)
      return ck.fail(at_item("interface_names", i), "interface_names: '" + n + "' is listed twice");
  }
  if (!v.notify.empty() && v.notify[0] != '/')
    return ck.fail(at("notify"), "notify: '" + v.notify + "' is not an absolute path");
  return Ok{};
}

// The kernel keeps one copy of an address per namespace: a second VIPA holding the same one
// would fight the first over it.
Status check_addresses(const std::vector<VipaConfig>& vipas, const Checker& ck) {
  std::map<IpAddr, std::string> owner;  // address -> "vi0 (netaddr)"
  for (auto& v : vipas) {
    const std::string sec = vipa_section(v.name);
    auto claim = [&](const IpAddr& a, const char* field, const SourceLoc& where) -> Status {
      auto [it, fresh] = owner.emplace(a, v.name + " (" + field + ")");
      if (!fresh)
        return ck.fail(where,
                       std::string(field) + ": " + a.str() + " is already used by " + it->second);
      return Ok{};
    };
    if (v.netaddr)
      if (auto s = claim(*v.netaddr, "netaddr", ck.at(loc_key(sec, "netaddr"), v.loc)); !s)
        return s;
    for (size_t i = 0; i < v.alias4.size(); ++i)
      if (auto s = claim(v.alias4[i].addr, "alias4",
                         ck.at(loc_key(sec, "alias4", i), ck.at(loc_key(sec, "alias4"), v.loc)));
          !s)
        return s;
    if (v.netaddr6)
      if (auto s = claim(*v.netaddr6, "netaddr6", ck.at(loc_key(sec, "netaddr6"), v.loc)); !s)
        return s;
    for (size_t i = 0; i < v.alias6.size(); ++i)
      if (auto s = claim(v.alias6[i].addr, "alias6",
                         ck.at(loc_key(sec, "alias6", i), ck.at(loc_key(sec, "alias6"), v.loc)));
          !s)
        return s;
  }
  return Ok{};
}

// Each interface takes its source address from one VIPA; an empty list means "every
// interface" (AIX's behaviour when none is named), so it overlaps any other VIPA.
Status check_interfaces(const std::vector<VipaConfig>& vipas, const Checker& ck) {
  std::map<std::string, std::string> owner;
  const VipaConfig* all_owner = nullptr;
  const VipaConfig* first_listing = nullptr;
  for (auto& v : vipas) {
    const std::string sec = vipa_section(v.name);
    const SourceLoc& list_at = ck.at(loc_key(sec, "interface_names"), v.loc);
    if (v.interface_names.empty()) {
      if (all_owner)
        return ck.fail(list_at, "interface_names: " + v.name +
                                    " would use all interfaces (empty interface_names), as " +
                                    all_owner->name + " already does");
      if (first_listing)
        return ck.fail(list_at, "interface_names: " + v.name +
                                    " would use all interfaces (empty interface_names), "
                                    "overlapping " +
                                    first_listing->name + " (" +
                                    first_listing->interface_names.front() + ")");
      all_owner = &v;
      continue;
    }
    for (size_t i = 0; i < v.interface_names.size(); ++i) {
      const std::string& n = v.interface_names[i];
      const SourceLoc& where = ck.at(loc_key(sec, "interface_names", i), list_at);
      if (all_owner)
        return ck.fail(where, "interface_names: " + n + " is already used by " + all_owner->name +
                                  ", which uses all interfaces (empty interface_names)");
      auto [it, fresh] = owner.emplace(n, v.name);
      if (!fresh && it->second != v.name)
        return ck.fail(where, "interface_names: " + n + " is already used by " + it->second);
    }
    if (!first_listing) first_listing = &v;
  }
  return Ok{};
}

const char* family_name(int family) {
  return family == AF_INET6 ? "IPv6" : "IPv4";
}

std::string dest_str(const RouteConfig& r) {
  if (!r.destination->is_default()) return r.destination->str();
  return r.destination->addr.is_v6() ? "default6" : "default";
}

std::string describe(const RouteConfig& r) {
  std::string s = dest_str(r);
  if (r.gateway) s += " via " + r.gateway->str();
  if (!r.interface.empty()) s += " dev " + r.interface;
  return s + " metric " + std::to_string(r.metric);
}

Status check_route(const RouteConfig& r, size_t index, const Checker& ck) {
  const std::string sec = route_section(index);
  auto at = [&](const char* field) -> const SourceLoc& {
    return ck.at(loc_key(sec, field), r.loc);
  };
  if (!r.destination) return ck.fail(r.loc, "[[route]] is missing 'destination'");
  const Prefix& d = *r.destination;
  if (r.family != d.addr.family)
    return ck.fail(at("destination"), "destination: family does not match the route's");
  if (d.addr.masked(d.len) != d.addr)
    return ck.fail(at("destination"), "destination: " + d.str() +
                                          " has host bits set (did you mean " +
                                          Prefix{d.addr.masked(d.len), d.len}.str() + "?)");
  if (r.gateway) {
    const IpAddr& g = *r.gateway;
    if (g.family != d.addr.family) {
      std::string hint = d.is_default() && g.is_v6() ? " (use destination = \"default6\")" : "";
      return ck.fail(at("gateway"), "gateway: " + g.str() + " is " + family_name(g.family) +
                                        " but destination " + dest_str(r) + " is " +
                                        family_name(d.addr.family) + hint);
    }
    if (!unicast(g))
      return ck.fail(at("gateway"), "gateway: " + g.str() + " is not a unicast address");
    if (g.is_v6_link_local() && r.interface.empty())
      return ck.fail(at("gateway"),
                     "gateway: " + g.str() + " is link-local, so the route needs an interface");
  } else if (r.interface.empty()) {
    return ck.fail(r.loc, "[[route]] to " + dest_str(r) + " needs a gateway or an interface");
  }
  if (!r.interface.empty() && !valid_ifname(r.interface))
    return ck.fail(at("interface"),
                   "interface: '" + r.interface + "' is not a valid interface name");
  if (r.active_dgd && !r.gateway)
    return ck.fail(at("active_dgd"), "active_dgd: needs a gateway to probe");
  // ip route's `onlink`: the gateway is taken as reachable on the interface without a prefix
  // holding it (/32 addressing), so the interface must be named.
  if (r.onlink && (!r.gateway || r.interface.empty()))
    return ck.fail(at("onlink"), "onlink: needs a gateway and an interface");
  if (!r.track.empty() && !r.active_dgd)
    return ck.fail(at("track"), "track: needs active_dgd = true");
  for (size_t i = 0; i < r.track.size(); ++i) {
    const IpAddr& t = r.track[i];
    const SourceLoc& where = ck.at(loc_key(sec, "track", i), at("track"));
    if (t.family != d.addr.family)
      return ck.fail(where, "track: " + t.str() + " is " + family_name(t.family) +
                                " but the route is " + family_name(d.addr.family));
    if (!unicast(t)) return ck.fail(where, "track: " + t.str() + " is not a unicast address");
  }
  return Ok{};
}

Status check_routes(const std::vector<RouteConfig>& routes, const Checker& ck) {
  using Key = std::tuple<Prefix, std::optional<IpAddr>, std::string, uint32_t>;
  std::map<Key, const RouteConfig*> seen;
  for (size_t i = 0; i < routes.size(); ++i) {
    const RouteConfig& r = routes[i];
    if (auto s = check_route(r, i, ck); !s) return s;
    auto [it, fresh] = seen.emplace(Key{*r.destination, r.gateway, r.interface, r.metric}, &r);
    if (!fresh)
      return ck.fail(r.loc, "duplicate [[route]]: " + describe(r) + " is already defined at " +
                                it->second->loc.str());
  }
  return Ok{};
}

Status check_globals(const Config& c, const Checker& ck) {
  const SourceLoc file{c.path, 0, 0};
  auto at = [&](const char* sec, const char* field) -> const SourceLoc& {
    return ck.at(loc_key(sec, field), file);
  };
  if (c.dgd.ping_time_ms < 10)
    return ck.fail(at("dgd", "ping_time_ms"),
                   range_msg("ping_time_ms", c.dgd.ping_time_ms, 10, UINT32_MAX));
  if (c.dgd.packets_lost < 1)
    return ck.fail(at("dgd", "packets_lost"),
                   range_msg("packets_lost", c.dgd.packets_lost, 1, UINT32_MAX));
  if (c.dgd.retry_time_ms < 10)
    return ck.fail(at("dgd", "retry_time_ms"),
                   range_msg("retry_time_ms", c.dgd.retry_time_ms, 10, UINT32_MAX));
  const RoutingConfig& r = c.routing;
  if (r.daemon != "none" && !routing::find_daemon(r.daemon))
    return ck.fail(at("routing", "daemon"), "daemon: '" + r.daemon + "' is not one of " +
                                                routing::daemon_names() + ", none");
  if (r.table == 0) return ck.fail(at("routing", "table"), range_msg("table", 0, 1, UINT32_MAX));
  // 253..255 are the kernel's default, main and local tables: publishing VIPA routes there
  // would put them in the system-wide table IBM's sample says stays free of vi0.
  if (r.table >= 253 && r.table <= 255)
    return ck.fail(at("routing", "table"),
                   "table: " + std::to_string(r.table) +
                       " is a kernel table (253 default, 254 main, 255 local); choose another");
  if (r.vtysh.empty()) return ck.fail(at("routing", "vtysh"), "vtysh: must not be empty");
  if (r.birdc.empty()) return ck.fail(at("routing", "birdc"), "birdc: must not be empty");
  if (!c.daemon.metrics.empty() && !parse_host_port(c.daemon.metrics))
    return ck.fail(at("daemon", "metrics"),
                   "metrics: '" + c.daemon.metrics +
                       "' is not ADDRESS:PORT (e.g. 127.0.0.1:9469 or [::1]:9469)");
  return Ok{};
}

}  // namespace

Status validate_config_at(const Config& c, const Locations* locs) {
  Checker ck(locs);
  for (auto& v : c.vipas)
    if (auto s = check_vipa_fields(v, c.vipas, ck); !s) return s;
  std::set<std::string> names;
  for (auto& v : c.vipas)
    if (!names.insert(v.name).second) return ck.fail(v.loc, "VIPA " + v.name + " is defined twice");
  if (auto s = check_addresses(c.vipas, ck); !s) return s;
  if (auto s = check_interfaces(c.vipas, ck); !s) return s;
  if (auto s = check_routes(c.routes, ck); !s) return s;
  if (auto s = check_sources(c, locs); !s) return s;
  if (auto s = check_globals(c, ck); !s) return s;
  return validate_dvipas(c, locs);
}

Status validate_config(const Config& c) {
  return validate_config_at(c, nullptr);
}

}  // namespace vipa
