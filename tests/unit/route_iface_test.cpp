// How a [[route]]'s interface is found on every kind of link, how each kind is probed, and how
// interfaces that come and go are reported.
#include "core/route_iface.h"

#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <string>

#include "config/config.h"
#include "core/desired.h"
#include "core/dgd_packet.h"
#include "core/dgd_targets.h"
#include "core/iface_watch.h"

namespace vipa {
namespace {

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

Config config(const std::string& routes, const std::string& names = R"(["en1", "en5"])") {
  std::string text = R"(
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
netaddr6 = "2001:db8:6::1"
interface_names = )" +
                     names + "\n" + routes;
  auto c = parse_config_string(text, "test.conf");
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.ok() ? *c : Config{};
}

constexpr uint32_t kEther = IFF_UP | IFF_LOWER_UP | IFF_BROADCAST | IFF_MULTICAST;
// A point-to-point link as tun, wireguard, ppp or an `arp off` veth with peer addressing has it.
constexpr uint32_t kPtp = IFF_UP | IFF_LOWER_UP | IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST;

// en1 (2) a bridge 10.68.1.1/24; en5 (3) point-to-point 10.68.5.1 peer 10.68.5.2/32 and
// 2001:db8:5::1 peer 2001:db8:5::2/128; vi0 (4) with the VIPA (noprefixroute).
Observed host() {
  Observed o;
  o.links[2] = Link{2, "en1", "bridge", kEther, "", ARPHRD_ETHER};
  o.links[3] = Link{3, "en5", "", kPtp, "", ARPHRD_NONE};
  o.links[4] = Link{4, "vi0", "ifb", kEther | IFF_NOARP, kLinkTag, ARPHRD_ETHER};
  auto add = [&](int ifindex, const char* a, int len, const char* peer = nullptr,
                 uint32_t flags = 0) {
    Address x{ip(a).family, ifindex, ip(a), len, flags, 0};
    if (peer) x.peer = ip(peer);
    o.addrs.push_back(x);
  };
  add(2, "10.68.1.1", 24);
  add(2, "2001:db8:1::1", 64);
  add(3, "10.68.5.1", 32, "10.68.5.2");
  add(3, "2001:db8:5::1", 128, "2001:db8:5::2");
  add(4, "10.68.6.1", 24, nullptr, IFA_F_NOPREFIXROUTE);
  add(4, "2001:db8:6::1", 64, nullptr, IFA_F_NOPREFIXROUTE | IFA_F_NODAD);
  return o;
}

const char* kTwoDefaults = R"(
[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10

[[route]]
destination = "default"
gateway = "10.68.5.2"
metric = 20
)";

TEST(RouteIface, PrefixAndPointToPointPeer) {
  Config c = config(kTwoDefaults);
  Observed o = host();
  EXPECT_EQ(resolve_route_iface(c, o, c.routes[0]).oif, 2);
  RouteIface p = resolve_route_iface(c, o, c.routes[1]);
  EXPECT_EQ(p.oif, 3) << p.problem;
  EXPECT_FALSE(p.onlink);
  EXPECT_EQ(route_oif(c, o, c.routes[1]), 3);
}

TEST(RouteIface, Ipv6PointToPointPeer) {
  Config c = config(R"(
[[route]]
destination = "::/0"
gateway = "2001:db8:5::2"
)");
  EXPECT_EQ(resolve_route_iface(c, host(), c.routes[0]).oif, 3);
}

TEST(RouteIface, PeerPrefixIsThePeersNotTheLocalAddresss) {
  // `ip addr add 10.68.5.1 peer 10.68.5.2/30`: the kernel's connected route is 10.68.5.0/30.
  Config c = config(R"(
[[route]]
destination = "default"
gateway = "10.68.5.3"
)");
  Observed o = host();
  o.addrs[2].prefixlen = 30;
  o.addrs[2].addr = ip("192.0.2.1");  // local outside the peer prefix, as is allowed
  EXPECT_EQ(resolve_route_iface(c, o, c.routes[0]).oif, 3);
}

TEST(RouteIface, OnlinkNeedsTheInterfaceAndSetsTheFlag) {
  Config c = config(R"(
[[route]]
destination = "default"
gateway = "100.64.0.1"
interface = "en5"
onlink = true
)");
  RouteIface r = resolve_route_iface(c, host(), c.routes[0]);
  EXPECT_EQ(r.oif, 3);
  EXPECT_TRUE(r.onlink);
  auto d = compute_desired(Intent{&c}, host());
  bool found = false;
  for (auto& [k, rt] : d.owned)
    if (rt.gateway == ip("100.64.0.1")) {
      found = true;
      EXPECT_EQ(rt.rtm_flags & RTNH_F_ONLINK, unsigned(RTNH_F_ONLINK));
      EXPECT_EQ(rt.prefsrc, ip("10.68.6.1"));
    }
  EXPECT_TRUE(found);

  auto bad = parse_config_string(R"(
[[route]]
destination = "default"
gateway = "100.64.0.1"
onlink = true
)",
                                 "x.conf");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("x.conf:5:"), std::string::npos) << bad.error().message;
  EXPECT_NE(bad.error().message.find("onlink: needs a gateway and an interface"),
            std::string::npos);
}

TEST(RouteIface, OutsideEveryPrefixIsAProblemNamingTheFix) {
  Config c = config(R"(
[[route]]
destination = "default"
gateway = "100.64.0.1"

[[route]]
destination = "default"
gateway = "100.64.0.1"
interface = "en5"
)");
  RouteIface a = resolve_route_iface(c, host(), c.routes[0]);
  EXPECT_EQ(a.oif, 0);
  EXPECT_NE(a.problem.find("onlink = true"), std::string::npos) << a.problem;
  RouteIface b = resolve_route_iface(c, host(), c.routes[1]);
  EXPECT_EQ(b.oif, 0);
  EXPECT_NE(b.problem.find("no prefix or peer of en5"), std::string::npos) << b.problem;
  auto p = route_iface_problems(c, host());
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].rfind("test.conf:", 0), 0u) << p[0];
  EXPECT_NE(p[0].find("[[route]] default via 100.64.0.1"), std::string::npos) << p[0];
}

TEST(RouteIface, MissingInterfaceIsNoConfigErrorButNotInstalled) {
  Config c = config(R"(
[[route]]
destination = "default"
gateway = "10.68.9.2"
interface = "tun7"
)");
  RouteIface r = resolve_route_iface(c, host(), c.routes[0]);
  EXPECT_EQ(r.oif, 0);
  EXPECT_NE(r.problem.find("tun7 does not exist"), std::string::npos);
  Observed o = host();
  o.links[9] = Link{9, "tun7", "tun", kPtp, "", ARPHRD_NONE};
  o.addrs.push_back(Address{AF_INET, 9, ip("10.68.9.1"), 32, 0, 0, ip("10.68.9.2")});
  EXPECT_EQ(resolve_route_iface(c, o, c.routes[0]).oif, 9);
}

TEST(RouteIface, LinkLocalGatewayTakesTheInterface) {
  Config c = config(R"(
[[route]]
destination = "::/0"
gateway = "fe80::2"
interface = "en5"
)");
  EXPECT_EQ(resolve_route_iface(c, host(), c.routes[0]).oif, 3);
}

TEST(RouteIface, AmbiguousUnlessInterfaceSays) {
  Config c = config(R"(
[[route]]
destination = "default"
gateway = "10.68.1.2"

[[route]]
destination = "default"
gateway = "10.68.1.2"
interface = "en5"
onlink = true
)");
  Observed o = host();
  o.addrs.push_back(Address{AF_INET, 3, ip("10.68.1.9"), 24, 0, 0});
  RouteIface a = resolve_route_iface(c, o, c.routes[0]);
  EXPECT_EQ(a.oif, 0);
  EXPECT_NE(a.problem.find("on-link on en1 and en5"), std::string::npos) << a.problem;
  EXPECT_EQ(resolve_route_iface(c, o, c.routes[1]).oif, 3);
}

TEST(RouteIface, LongestPrefixAndVipaUsersWin) {
  Config c = config(kTwoDefaults);
  Observed o = host();
  // A longer prefix elsewhere wins, as in the kernel's lookup.
  o.links[7] = Link{7, "eth9", "veth", kEther, "", ARPHRD_ETHER};
  o.addrs.push_back(Address{AF_INET, 7, ip("10.68.1.77"), 25, 0, 0});
  EXPECT_EQ(resolve_route_iface(c, o, c.routes[0]).oif, 7);
  // Equally long: the interface that uses a VIPA.
  o.addrs.back().prefixlen = 24;
  EXPECT_EQ(resolve_route_iface(c, o, c.routes[0]).oif, 2);
}

TEST(RouteIface, DeviceRoutesAndNoPrefixRoute) {
  Config c = config(R"(
[[route]]
destination = "default"
gateway = "10.68.9.1"

[[route]]
destination = "default"
gateway = "10.68.6.2"
)");
  Observed o = host();
  Route r;
  r.family = AF_INET;
  r.table = RT_TABLE_MAIN;
  r.type = RTN_UNICAST;
  r.dst = ip("10.68.9.0");
  r.dst_len = 24;
  r.oif = 3;
  o.routes[r.key()] = r;
  EXPECT_EQ(resolve_route_iface(c, o, c.routes[0]).oif, 3);
  // The VIPA's own prefix is noprefixroute: the kernel reaches nothing through vi0.
  EXPECT_EQ(resolve_route_iface(c, o, c.routes[1]).oif, 0);
}

TEST(RouteIface, BridgePortHandsItsRoleToTheMaster) {
  Config c = config(R"(
[[route]]
destination = "default"
gateway = "10.68.1.2"
interface = "en1"
)",
                    R"(["en1", "en5"])");
  Observed o = host();
  // en1 (2) was made a port of br0 (8), which took over its address.
  o.links[8] = Link{8, "br0", "bridge", kEther, "", ARPHRD_ETHER};
  o.links[2].kind = "veth";
  o.links[2].master = 8;
  o.addrs[0].ifindex = 8;
  EXPECT_EQ(ip_link_of(o, o.link(2))->ifindex, 8);
  EXPECT_EQ(resolve_route_iface(c, o, c.routes[0]).oif, 8);
  auto d = compute_desired(Intent{&c}, o);
  EXPECT_EQ(d.src4_by_oif.count(8), 1u);
  EXPECT_EQ(d.src4_by_oif.count(2), 0u);
  EXPECT_EQ(d.sysctls.count("/proc/sys/net/ipv4/conf/br0/rp_filter"), 1u);
  // A port's own leftover address is dead: the kernel never delivers to it.
  o.addrs.push_back(Address{AF_INET, 2, ip("10.68.1.1"), 24, 0, 0});
  Config c2 = config(kTwoDefaults);
  EXPECT_EQ(resolve_route_iface(c2, o, c2.routes[0]).oif, 8);
  // A VRF port keeps its addresses.
  o.links[8].kind = "vrf";
  EXPECT_EQ(ip_link_of(o, o.link(2))->ifindex, 2);
}

TEST(RouteIface, PointToPointRoutesTakeTheVipaSource) {
  Config c = config(kTwoDefaults);
  auto d = compute_desired(Intent{&c}, host());
  int through_en5 = 0;
  for (auto& [k, r] : d.owned)
    if (r.oif == 3) {
      ++through_en5;
      EXPECT_EQ(r.gateway, ip("10.68.5.2"));
      EXPECT_EQ(r.prefsrc, ip("10.68.6.1"));
    }
  EXPECT_EQ(through_en5, 1);
  // The kernel's own routes through en5 (the peer host routes) take it too.
  EXPECT_EQ(d.src4_by_oif.at(3), ip("10.68.6.1"));
  EXPECT_EQ(d.src6_by_oif.at(3), ip("2001:db8:6::1"));
}

// ---------------------------------------------------------------- probe methods

TEST(ProbeMethod, ByLinkFlagsAndType) {
  constexpr uint32_t bc = IFF_BROADCAST | IFF_MULTICAST;
  // veth, bridge, bond, vlan, vxlan, tap, gretap: Ethernet that resolves neighbours.
  EXPECT_EQ(probe_method(bc, ARPHRD_ETHER, AF_INET), ProbeMethod::Arp);
  EXPECT_EQ(probe_method(bc, ARPHRD_ETHER, AF_INET6), ProbeMethod::Neighbour);
  // `ip link set en5 arp off`: the kernel never sends ARP or NS there.
  EXPECT_EQ(probe_method(bc | IFF_NOARP, ARPHRD_ETHER, AF_INET), ProbeMethod::Echo);
  EXPECT_EQ(probe_method(bc | IFF_NOARP, ARPHRD_ETHER, AF_INET6), ProbeMethod::Echo);
  // tun and wireguard (ARPHRD_NONE), gre (ARPHRD_IPGRE), ipip (ARPHRD_TUNNEL), ppp.
  for (uint16_t t : {ARPHRD_NONE, ARPHRD_IPGRE, ARPHRD_TUNNEL, ARPHRD_SIT, ARPHRD_PPP})
    for (int fam : {AF_INET, AF_INET6}) {
      EXPECT_EQ(probe_method(IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST, t, fam),
                ProbeMethod::Echo);
      EXPECT_EQ(probe_method(IFF_NOARP, t, fam), ProbeMethod::Echo);
    }
  // Ethernet without multicast cannot send a solicitation to a solicited-node group.
  EXPECT_EQ(probe_method(IFF_BROADCAST, ARPHRD_ETHER, AF_INET6), ProbeMethod::Echo);
  EXPECT_STREQ(probe_method_name(ProbeMethod::Arp), "ARP");
  EXPECT_STREQ(probe_method_name(ProbeMethod::Neighbour), "NS");
  EXPECT_STREQ(probe_method_name(ProbeMethod::Echo), "ICMP echo");
}

TEST(ProbeMethod, TargetsCarryTheirLinksMethod) {
  Config c = config(R"(
[[route]]
destination = "default"
gateway = "10.68.1.2"
active_dgd = true

[[route]]
destination = "default"
gateway = "10.68.5.2"
active_dgd = true

[[route]]
destination = "::/0"
gateway = "2001:db8:5::2"
active_dgd = true
)");
  auto t = dgd_targets(c, host());
  ASSERT_EQ(t.size(), 3u);
  for (auto& x : t) {
    if (x.ifindex == 2) {
      EXPECT_EQ(x.method, ProbeMethod::Arp);
    }
    if (x.ifindex == 3) {
      EXPECT_EQ(x.method, ProbeMethod::Echo) << x.key;
      EXPECT_EQ(x.source, x.gateway.is_v4() ? ip("10.68.5.1") : ip("2001:db8:5::1"));
    }
  }
}

TEST(ProbeMethod, EchoRequestMessage) {
  uint8_t buf[dgd::kEchoMsgLen];
  dgd::EchoCookie ck{7, 9};
  ASSERT_EQ(dgd::build_echo_request(buf, AF_INET, 0x1234, 5, ck), dgd::kEchoMsgLen);
  EXPECT_EQ(buf[0], 8);                   // echo request
  EXPECT_EQ(dgd::inet_checksum(buf), 0);  // a valid checksum sums to zero
  ASSERT_EQ(dgd::build_echo_request(buf, AF_INET6, 0x1234, 5, ck), dgd::kEchoMsgLen);
  EXPECT_EQ(buf[0], 128);
  EXPECT_EQ(buf[2] | buf[3], 0);  // the kernel fills it in on raw ICMPv6 sockets
  uint8_t small[8];
  EXPECT_EQ(dgd::build_echo_request(small, AF_INET, 1, 1, ck), 0u);
  // A reply to it (type 0, the same body) parses back to the cookie.
  uint8_t pkt[20 + dgd::kEchoMsgLen] = {0x45};
  dgd::build_echo_request({pkt + 20, dgd::kEchoMsgLen}, AF_INET, 0x1234, 5, ck);
  pkt[20] = 0;
  pkt[9] = 1;
  auto r = dgd::parse_echo_reply4(pkt);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->cookie.serial, 7u);
  EXPECT_EQ(r->cookie.round, 9u);
}

// ---------------------------------------------------------------- interfaces that come and go

TEST(IfaceWatch, EachCaseOnce) {
  Config c = config(kTwoDefaults);
  Observed o = host();
  IfaceWatch w;
  Link en5 = o.links[3];
  auto s = w.on_link(c, o, Link{}, en5, false);
  ASSERT_TRUE(s);
  EXPECT_NE(s->find("interface en5 appeared (ifindex 3)"), std::string::npos) << *s;
  s = w.on_link(c, o, en5, {}, true);
  ASSERT_TRUE(s);
  EXPECT_NE(s->find("en5 (ifindex 3) was deleted"), std::string::npos) << *s;
  Link again = en5;
  again.ifindex = 11;
  s = w.on_link(c, o, Link{}, again, false);
  ASSERT_TRUE(s);
  EXPECT_NE(s->find("created again with ifindex 11 (was 3)"), std::string::npos) << *s;
  // A flag change is no lifecycle event.
  Link down = again;
  down.flags &= ~IFF_LOWER_UP;
  EXPECT_FALSE(w.on_link(c, o, again, down, false));
  // Renamed away, and back.
  Link renamed = again;
  renamed.name = "ppp0";
  s = w.on_link(c, o, again, renamed, false);
  ASSERT_TRUE(s);
  EXPECT_NE(s->find("en5 was renamed ppp0"), std::string::npos) << *s;
  EXPECT_NE(s->find("no longer the configured en5"), std::string::npos) << *s;
  s = w.on_link(c, o, renamed, again, false);
  ASSERT_TRUE(s);
  EXPECT_NE(s->find("takes the place of the configured en5"), std::string::npos) << *s;
  // Enslaved to a bridge, then released.
  o.links[8] = Link{8, "br0", "bridge", kEther, "", ARPHRD_ETHER};
  Link port = o.links[2];
  port.master = 8;
  s = w.on_link(c, o, o.links[2], port, false);
  ASSERT_TRUE(s);
  EXPECT_NE(s->find("en1 is now a port of bridge br0"), std::string::npos) << *s;
  s = w.on_link(c, o, port, o.links[2], false);
  ASSERT_TRUE(s);
  EXPECT_NE(s->find("no longer a port of br0"), std::string::npos) << *s;
  // Interfaces the config does not name are none of its business.
  Link other{20, "eth7", "veth", kEther, "", ARPHRD_ETHER};
  EXPECT_FALSE(w.on_link(c, o, Link{}, other, false));
}

}  // namespace
}  // namespace vipa
