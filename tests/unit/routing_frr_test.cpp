// The FRR adapter: the exact vtysh argv for each action, and the view parsed from answers
// captured from FRR 8.4 (tests/data/frr_*_view.txt: a host 10.68.255.1 / AS 65001 announcing
// 10.68.9.1 with metric 39808, a router 10.68.255.9 / AS 65000 announcing it with 52608;
// frr_bgp_view_v6.txt: the same host and router with two sessions, 10.68.1.2 carrying IPv4
// unicast and shut down, 2001:db8:1::2 carrying IPv6 unicast and established, the host
// announcing 10.68.9.1 and 2001:db8:9::1 with 39808, the router 2001:db8:9::1 with 52608).
#include <gtest/gtest.h>

#include <set>

#include "common/read_file.h"
#include "dvipa/metric.h"
#include "routing/adapter.h"
#include "routing/frr.h"

namespace vipa::routing {
namespace {

RoutingConfig frr(const char* announce) {
  RoutingConfig rc;
  rc.daemon = "frr";
  rc.announce = announce;
  rc.vtysh = "/usr/bin/vtysh";
  rc.daemon_args = {"--vty_socket", "/run/lab/h"};
  return rc;
}

DvipaConfig web() {
  DvipaConfig d;
  d.name = "web";
  d.address = *IpAddr::parse("10.68.9.1");
  d.rank = 200;
  return d;
}

Argv vt(std::vector<std::string> cmds) {
  Argv a{"/usr/bin/vtysh", "--vty_socket", "/run/lab/h"};
  for (auto& c : cmds) {
    a.push_back("-c");
    a.push_back(c);
  }
  return a;
}

TEST(RoutingFrr, OspfCommands) {
  auto a = make_adapter(frr("ospf"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name(), "frr/ospf");
  EXPECT_EQ(a->announce(web(), 39808),
            vt({"configure terminal", "interface vd-web", "ip ospf passive", "ip ospf cost 39808",
                "ip ospf area 0.0.0.0"}));
  EXPECT_EQ(a->withdraw(web()), vt({"configure terminal", "interface vd-web", "no ip ospf area"}));
  EXPECT_EQ(a->view({web()}), vt({"show ip ospf json", "show ip ospf database router json"}));
  EXPECT_TRUE(a->setup({web()}).empty());
  EXPECT_TRUE(a->nothing_to_do("Can't find specified interface area configuration.\n"));
  EXPECT_FALSE(a->nothing_to_do("% Unknown command\n"));
}

TEST(RoutingFrr, BgpCommands) {
  auto rc = frr("bgp");
  auto a = make_adapter(rc);
  EXPECT_EQ(a->announce(web(), 39808),
            vt({"configure terminal", "router bgp", "address-family ipv4 unicast",
                "network 10.68.9.1/32 route-map VIPA-DV-39808"}));
  EXPECT_EQ(a->withdraw(web()), vt({"configure terminal", "router bgp",
                                    "address-family ipv4 unicast", "no network 10.68.9.1/32"}));
  rc.bgp_asn = 65001;
  DvipaConfig v6 = web();
  v6.address = *IpAddr::parse("2001:db8:9::9");
  EXPECT_EQ(make_adapter(rc)->announce(v6, 1),
            vt({"configure terminal", "router bgp 65001", "address-family ipv6 unicast",
                "network 2001:db8:9::9/128 route-map VIPA-DV-1"}));
  EXPECT_EQ(make_adapter(rc)->withdraw(v6),
            vt({"configure terminal", "router bgp 65001", "address-family ipv6 unicast",
                "no network 2001:db8:9::9/128"}));
  EXPECT_EQ(a->view({web()}),
            vt({"show bgp ipv4 unicast summary json", "show bgp ipv4 unicast 10.68.9.1/32 json"}));
  // An IPv6 DVIPA counts the sessions of IPv6 unicast: that family's summary is read too.
  EXPECT_EQ(a->view({web(), v6}),
            vt({"show bgp ipv4 unicast summary json", "show bgp ipv6 unicast summary json",
                "show bgp ipv4 unicast 10.68.9.1/32 json",
                "show bgp ipv6 unicast 2001:db8:9::9/128 json"}));
  auto setup = a->setup({web()});
  ASSERT_EQ(setup.size(), 1u);
  // rank, yield, sticky and override metrics of rank 200: four route-maps made beforehand.
  std::string all;
  for (auto& s : setup[0])
    if (s != "-c") all += s + "\n";
  for (uint32_t m : {dvipa::rank_metric(200), dvipa::yield_metric(200), dvipa::sticky_metric(200),
                     dvipa::override_metric(200)}) {
    EXPECT_NE(all.find("route-map VIPA-DV-" + std::to_string(m) + " permit 10\nset metric " +
                       std::to_string(m) + "\nset large-community 86:0:" + std::to_string(m)),
              std::string::npos)
        << all;
  }
}

TEST(RoutingFrr, OspfViewFromRouterLsas) {
  auto text = read_file(VIPA_TEST_DATA "/frr_ospf_view.txt");
  ASSERT_TRUE(text);
  DvipaConfig other = web();
  other.name = "api";
  other.address = *IpAddr::parse("10.68.9.2");
  auto r = make_adapter(frr("ospf"))->parse_view(*text, {web(), other});
  ASSERT_TRUE(r.ok) << r.error;
  const dvipa::View& v = r.by_name.at("web");
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.self_id, "10.68.255.1");
  EXPECT_EQ(v.neighbours, 1u);
  ASSERT_EQ(v.announcers.size(), 2u);
  EXPECT_EQ(v.self_metric(), 39808u);
  const dvipa::Announcer* own = dvipa::owner_of(v);
  ASSERT_TRUE(own);
  EXPECT_TRUE(own->self);
  for (auto& a : v.announcers)
    if (!a.self) {
      EXPECT_EQ(a.id, "10.68.255.9");
      EXPECT_EQ(a.metric, 52608u);
    }
  EXPECT_TRUE(r.by_name.at("api").announcers.empty());
}

// A host that lost every link cannot flush its router-LSA: its stub stays in the database
// until MaxAge. Only routers reachable over two-way links count as announcers.
TEST(RoutingFrr, OspfViewIgnoresUnreachableRouters) {
  auto lsa = [](const char* id, std::vector<std::string> p2p, uint32_t stub) {
    std::string links;
    int i = 0;
    for (auto& n : p2p)
      links += "\"link" + std::to_string(i++) +
               "\":{\"linkType\":\"another Router (point-to-point)\",\"neighborRouterId\":\"" + n +
               "\",\"tos0Metric\":10},";
    if (stub)
      links += "\"link" + std::to_string(i++) +
               "\":{\"linkType\":\"Stub Network\",\"networkAddress\":\"10.68.9.1\","
               "\"networkMask\":\"255.255.255.255\",\"tos0Metric\":" +
               std::to_string(stub) + "},";
    if (!links.empty()) links.pop_back();
    return std::string("{\"lsaAge\":5,\"advertisingRouter\":\"") + id + "\",\"routerLinks\":{" +
           links + "}}";
  };
  auto view = [&](const std::string& r2_neighbours_of_r3) {
    std::vector<std::string> r2{"1.1.1.1"};
    if (!r2_neighbours_of_r3.empty()) r2.push_back(r2_neighbours_of_r3);
    std::string db =
        "{\"routerId\":\"1.1.1.1\",\"areas\":{\"0.0.0.0\":{\"nbrFullAdjacentCounter\":1}}}"
        "{\"routerLinkStates\":{\"areas\":{\"0.0.0.0\":[" +
        lsa("1.1.1.1", {"2.2.2.2"}, 52608) + "," + lsa("2.2.2.2", r2, 0) + "," +
        lsa("3.3.3.3", {"2.2.2.2"}, 39808) + "]}}}";
    auto r = make_adapter(frr("ospf"))->parse_view(db, {web()});
    EXPECT_TRUE(r.ok) << r.error;
    return r.by_name["web"];
  };
  dvipa::View stale = view("");  // r2 no longer lists 3.3.3.3: its LSA is a leftover
  ASSERT_EQ(stale.announcers.size(), 1u);
  EXPECT_TRUE(stale.announcers[0].self);
  // The hosts reached (what a forwarder asks of a peer that is gone), this one included.
  ASSERT_TRUE(stale.reachable);
  EXPECT_EQ(*stale.reachable, (std::set<std::string>{"1.1.1.1", "2.2.2.2"}));
  dvipa::View live = view("3.3.3.3");
  ASSERT_EQ(live.announcers.size(), 2u);
  EXPECT_EQ(dvipa::owner_of(live)->id, "3.3.3.3");
  ASSERT_TRUE(live.reachable);
  EXPECT_EQ(*live.reachable, (std::set<std::string>{"1.1.1.1", "2.2.2.2", "3.3.3.3"}));
}

TEST(RoutingFrr, BgpViewFromPaths) {
  auto text = read_file(VIPA_TEST_DATA "/frr_bgp_view.txt");
  ASSERT_TRUE(text);
  auto r = make_adapter(frr("bgp"))->parse_view(*text, {web()});
  ASSERT_TRUE(r.ok) << r.error;
  const dvipa::View& v = r.by_name.at("web");
  EXPECT_EQ(v.self_id, "65001");
  EXPECT_EQ(v.neighbours, 1u);
  // The router's own path (origin 65000, community 86:0:52608) and the local one; our own path
  // reflected back by the router (origin 65001) is not a second announcer.
  ASSERT_EQ(v.announcers.size(), 2u);
  EXPECT_EQ(v.self_metric(), 39808u);
  for (auto& a : v.announcers)
    if (!a.self) {
      EXPECT_EQ(a.id, "65000");
      EXPECT_EQ(a.metric, 52608u);
    }
  EXPECT_FALSE(v.routers_disagree);
  // BGP's paths name only the announcers: whom it reaches it does not say.
  EXPECT_FALSE(v.reachable);
}

TEST(RoutingFrr, BgpViewIpv6CountsIpv6Sessions) {
  auto text = read_file(VIPA_TEST_DATA "/frr_bgp_view_v6.txt");
  ASSERT_TRUE(text);
  DvipaConfig v6 = web();
  v6.name = "web6";
  v6.address = *IpAddr::parse("2001:db8:9::1");
  auto r = make_adapter(frr("bgp"))->parse_view(*text, {web(), v6});
  ASSERT_TRUE(r.ok) << r.error;
  // The IPv4 session is shut down: the IPv4 DVIPA has no neighbour, only its local path.
  const dvipa::View& v4 = r.by_name.at("web");
  EXPECT_TRUE(v4.ok);
  EXPECT_EQ(v4.neighbours, 0u);
  ASSERT_EQ(v4.announcers.size(), 1u);
  EXPECT_TRUE(v4.announcers[0].self);
  // The IPv6 session is established and brings the router's path.
  const dvipa::View& v = r.by_name.at("web6");
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.self_id, "65001");
  EXPECT_EQ(v.neighbours, 1u);
  ASSERT_EQ(v.announcers.size(), 2u);
  EXPECT_EQ(v.self_metric(), 39808u);
  const dvipa::Announcer* own = dvipa::owner_of(v);
  ASSERT_TRUE(own);
  EXPECT_TRUE(own->self);
  for (auto& a : v.announcers)
    if (!a.self) {
      EXPECT_EQ(a.id, "65000");
      EXPECT_EQ(a.metric, 52608u);
    }
  EXPECT_FALSE(v.routers_disagree);
}

TEST(RoutingFrr, BgpViewIpv6WithoutIpv6Neighbours) {
  DvipaConfig v6 = web();
  v6.address = *IpAddr::parse("2001:db8:9::1");
  auto bgp = make_adapter(frr("bgp"));
  // bgpd answers "{}" for a family no neighbour is activated in; the IPv4 summary names the AS.
  auto r = bgp->parse_view(
      "{\"as\":65001,\"peers\":{\"10.68.1.2\":{\"state\":\"Established\"}}} {} {}", {v6});
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.by_name.at("web").self_id, "65001");
  EXPECT_EQ(r.by_name.at("web").neighbours, 0u) << "an IPv4 session does not carry the /128";
  EXPECT_FALSE(bgp->parse_view("{} {} {}", {v6}).ok) << "no BGP instance";
  EXPECT_FALSE(bgp->parse_view("{\"as\":65001} {}", {v6}).ok) << "two answers for three commands";
  // Only IPv6 neighbours (no bgp default ipv4-unicast): the IPv6 summary names the AS.
  auto only6 = bgp->parse_view(
      "{} {\"as\":65001,\"peers\":{\"2001:db8:1::2\":{\"state\":\"Established\"}}} {}", {v6});
  ASSERT_TRUE(only6.ok) << only6.error;
  EXPECT_EQ(only6.by_name.at("web").neighbours, 1u);
}

TEST(RoutingFrr, BadAnswersAreErrors) {
  auto ospf = make_adapter(frr("ospf"));
  EXPECT_FALSE(ospf->parse_view("", {web()}).ok);
  EXPECT_FALSE(ospf->parse_view("ospfd is not running\n", {web()}).ok);
  EXPECT_FALSE(ospf->parse_view("{\"routerId\": 5} {}", {web()}).ok);
  EXPECT_FALSE(ospf->parse_view("{} {}", {web()}).ok);
  auto odd = ospf->parse_view(
      "{\"routerId\":\"1.1.1.1\"} "
      "{\"routerLinkStates\":{\"areas\":{\"0.0.0.0\":[{\"lsaAge\":\"x\"}]}}}",
      {web()});
  EXPECT_FALSE(odd.ok);
  auto bgp = make_adapter(frr("bgp"));
  EXPECT_FALSE(bgp->parse_view("{\"as\":65001}", {web()}).ok) << "one answer for two commands";
  auto empty = bgp->parse_view("{\"as\":65001,\"peers\":{}} {}", {web()});
  ASSERT_TRUE(empty.ok);
  EXPECT_TRUE(empty.by_name.at("web").ok);
  EXPECT_TRUE(empty.by_name.at("web").announcers.empty());
}

TEST(RoutingFrr, SplitJsonValues) {
  EXPECT_EQ(split_json_values("noise {\"a\":\"}{\"} x [1,[2]] {}"),
            (std::vector<std::string>{"{\"a\":\"}{\"}", "[1,[2]]", "{}"}));
}

}  // namespace
}  // namespace vipa::routing
