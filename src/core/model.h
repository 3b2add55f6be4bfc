// The kernel objects vipad observes, as plain values (decoded from rtnetlink by src/nl/).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/ipaddr.h"
#include "common/route_protocols.h"

namespace vipa {

// Interface alias that marks a link as created and owned by vipad.
inline constexpr const char* kLinkTag = "vipa:managed";

struct Link {
  int ifindex = 0;
  std::string name;
  std::string kind;    // IFLA_INFO_KIND: "dummy", "ifb", "veth", "" ...
  uint32_t flags = 0;  // IFF_*
  std::string alias;
  uint16_t type = 0;  // ARPHRD_* (ifi_type): Ethernet, IP tunnel, none (tun, wireguard) ...
  int master = 0;     // IFLA_MASTER: the bridge, bond or VRF this link is a port of
  bool is_loopback() const;
  bool admin_up() const;
  bool carrier() const;  // IFF_LOWER_UP
};

struct Address {
  uint8_t family = 0;
  int ifindex = 0;
  IpAddr addr;  // IFA_LOCAL (IFA_ADDRESS for IPv6)
  int prefixlen = 0;
  uint32_t flags = 0;  // IFA_F_* (from IFA_FLAGS when present)
  uint8_t scope = 0;
  // Point-to-point: IFA_ADDRESS where it differs from IFA_LOCAL. The kernel's connected route is
  // then peer/prefixlen, not addr/prefixlen.
  IpAddr peer;
  bool operator==(const Address&) const = default;
};

// Identity of a route in the kernel's eyes (close enough for IPv4 and IPv6 unicast routes).
struct RouteKey {
  uint8_t family = 0;
  uint32_t table = 0;
  IpAddr dst;
  uint8_t dst_len = 0;
  uint8_t tos = 0;
  uint32_t priority = 0;
  int oif = 0;
  IpAddr gateway;
  auto operator<=>(const RouteKey&) const = default;
};

struct Nexthop {
  int oif = 0;
  IpAddr gateway;
  auto operator<=>(const Nexthop&) const = default;
};

struct Route {
  uint8_t family = 0;
  uint32_t table = 0;
  IpAddr dst;
  uint8_t dst_len = 0;
  uint8_t tos = 0;
  uint8_t protocol = 0;
  uint8_t scope = 0;
  uint8_t type = 0;  // RTN_*
  uint32_t rtm_flags = 0;
  uint32_t priority = 0;
  int oif = 0;
  IpAddr gateway;
  IpAddr prefsrc;
  std::vector<Nexthop> nexthops;  // RTA_MULTIPATH nexthops (sorted), empty if single path
  bool linkdown = false;          // RTNH_F_LINKDOWN on the (first) nexthop
  // Seconds of lifetime left (RTA_CACHEINFO) when decoded, rounded up; 1 for a route past its
  // lifetime that the kernel has not collected yet; 0: no lifetime.
  uint32_t expires = 0;
  uint8_t pref = 0;  // RTA_PREF (RFC 4191): 0 medium, 1 high, 3 low
  // Attributes carried through unchanged when vipad rewrites the route's source
  // (RTA_METRICS, RTA_MULTIPATH, RTA_PREF, RTA_ENCAP*, RTA_EXPIRES, ...), as raw
  // netlink attribute bytes.
  std::string passthrough;

  RouteKey key() const { return {family, table, dst, dst_len, tos, priority, oif, gateway}; }
  // The interfaces the route's packets leave through.
  std::vector<int> oifs() const;
};

struct Observed {
  std::map<int, Link> links;  // by ifindex
  std::vector<Address> addrs;
  std::map<RouteKey, Route> routes;            // every table
  std::map<std::string, std::string> sysctls;  // path -> current value (the paths of interest)
  std::map<std::string, std::string> sysctl_originals;  // recorded before vipad changed them
  std::map<RouteKey, IpAddr> prefsrc_originals;  // foreign routes' src before vipad rewrote it

  const Link* link_by_name(const std::string& name) const;
  const Link* link(int ifindex) const;
  std::vector<const Address*> addrs_on(int ifindex) const;
  bool has_addr(int ifindex, const IpAddr& a) const;
};

std::string route_to_string(const Route& r);  // "ip route"-like, for logs and tests

}  // namespace vipa
