// The pure core, one pass: the desired state computed from the sample config and a kernel
// (src/core/desired.cpp), and the plan that takes the kernel there (src/core/reconcile.cpp).
// Each test states one clause of the vipad contract.
#include <gtest/gtest.h>

#include "config/config.h"
#include "core/desired.h"
#include "core/execute.h"
#include "core/plan.h"
#include "fake_dataplane.h"

namespace vipa {
namespace {

using test::FakeKernel;

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

Config parse(std::string_view text) {
  auto c = parse_config_string(text, "t.conf");
  EXPECT_TRUE(c) << c.error().message;
  return c ? *c : Config{};
}

constexpr std::string_view kSample = R"(
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
interface_names = ["en1", "en5"]
state = "up"

[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10

[[route]]
destination = "default"
gateway = "10.68.5.2"
metric = 20
)";

std::string sample_with_state(const char* state) {
  std::string s(kSample);
  s.replace(s.find("state = \"up\""), 12, std::string("state = \"") + state + "\"");
  return s;
}

template <class T>
std::vector<T> of_kind(const Plan& p) {
  std::vector<T> out;
  for (auto& op : p.ops)
    if (auto* x = op.as<T>()) out.push_back(*x);
  return out;
}

std::string plan_str(const Plan& p) {
  std::string s;
  for (auto& op : p.ops) s += op.str() + "\n";
  return s;
}

Route connected(const FakeKernel& k, const char* dst, int oif) {
  Route r;
  r.family = AF_INET;
  r.table = RT_TABLE_MAIN;
  auto p = Prefix::parse(dst);
  r.dst = p->addr;
  r.dst_len = static_cast<uint8_t>(p->len);
  r.oif = oif;
  const Route* found = k.find_route(r.key());
  EXPECT_TRUE(found) << "no connected route " << dst;
  return found ? *found : r;
}

Route static_route(const char* dst, const char* gw, int oif, uint8_t proto = RTPROT_BOOT,
                   uint32_t metric = 0) {
  Route r;
  auto p = Prefix::parse(dst);
  r.family = p->addr.family;
  r.table = RT_TABLE_MAIN;
  r.dst = p->addr;
  r.dst_len = static_cast<uint8_t>(p->len);
  r.protocol = proto;
  r.type = RTN_UNICAST;
  r.scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  r.priority = metric;
  r.oif = oif;
  if (gw) r.gateway = ip(gw);
  return r;
}

// the sample's host with vi0 already holding the VIPA (as vipad leaves it, sources not yet set).
class SeedHost : public ::testing::Test {
 protected:
  void SetUp() override {
    test::build_sample_host(k);
    en1 = k.by_name("en1")->ifindex;
    en5 = k.by_name("en5")->ifindex;
  }
  void add_vi0(bool up = true) {
    Link& l = k.add_link("vi0", "ifb", up);
    l.alias = kLinkTag;
    vi0 = l.ifindex;
    k.add_addr("vi0", "10.68.6.1/24", IFA_F_NOPREFIXROUTE);
  }
  Desired desired(std::string_view text = kSample) {
    cfg = parse(text);
    intent.config = &cfg;
    obs = k.observe();
    obs.sysctl_originals = originals;
    obs.prefsrc_originals = prefsrc_originals;
    Desired d = compute_desired(intent, obs);
    k.read_sysctls(all_sysctl_paths(d), obs);
    return d;
  }
  // The plan, its slim source rewrites shown as the operations they stand for.
  Plan plan(std::string_view text = kSample) {
    Desired d = desired(text);
    Plan p = reconcile(d, obs);
    for (auto& w : p.rewrites) {
      auto op = w.as_op(obs);
      EXPECT_TRUE(op) << "a rewrite of a route not observed";
      if (op) p.ops.push_back(*op);
    }
    p.rewrites.clear();
    return p;
  }
  std::set<std::string> all_sysctl_paths(const Desired& d) {
    std::set<std::string> s;
    for (auto& [p, v] : d.sysctls) s.insert(p);
    for (auto& [p, v] : obs.sysctl_originals) s.insert(p);
    return s;
  }

  FakeKernel k;
  Config cfg;
  Intent intent;
  Observed obs;
  std::map<std::string, std::string> originals;
  std::map<RouteKey, IpAddr> prefsrc_originals;
  int en1 = 0, en5 = 0, vi0 = 0;
};

// ---- desired state ---------------------------------------------------------------------------

TEST_F(SeedHost, DesiredSourcesAreTheVipaOnEn1AndEn5) {
  add_vi0();
  Desired d = desired();
  EXPECT_EQ(d.src4_by_oif, (std::map<int, IpAddr>{{en1, ip("10.68.6.1")}, {en5, ip("10.68.6.1")}}));
  EXPECT_TRUE(d.src6_by_oif.empty());
  ASSERT_EQ(d.vipas.size(), 1u);
  EXPECT_EQ(d.vipas[0].ifaces, (std::vector<std::string>{"en1", "en5"}));
  ASSERT_EQ(d.vipas[0].addrs.size(), 1u);
  EXPECT_EQ(d.vipas[0].addrs[0].addr, ip("10.68.6.1"));
  EXPECT_EQ(d.vipas[0].addrs[0].prefixlen, 24);
  EXPECT_TRUE(d.retired_addrs.empty());
}

TEST_F(SeedHost, DesiredNoSourceUntilTheVipaIsOnAnUpLink) {
  add_vi0(false);
  EXPECT_TRUE(desired().src4_by_oif.empty()) << "vi0 is down";
  k.set_admin("vi0", true);
  k.del_addr("vi0", "10.68.6.1");
  EXPECT_TRUE(desired().src4_by_oif.empty()) << "vi0 lacks the address";
}

TEST_F(SeedHost, DesiredSysctlsForEveryListedInterface) {
  add_vi0();
  Desired d = desired();
  std::map<std::string, std::string> want;
  for (const char* n : {"en1", "en5"}) {
    std::string v4 = std::string("/proc/sys/net/ipv4/conf/") + n + "/";
    want[v4 + "rp_filter"] = "2";
    want[v4 + "arp_ignore"] = "1";
    want[v4 + "arp_announce"] = "2";
    want[v4 + "ignore_routes_with_linkdown"] = "1";
    want[std::string("/proc/sys/net/ipv6/conf/") + n + "/ignore_routes_with_linkdown"] = "1";
  }
  EXPECT_EQ(d.sysctls, want);
}

TEST_F(SeedHost, DesiredOwnedRoutesResolveToTheGatewaysSubnet) {
  add_vi0();
  Desired d = desired();
  Route via1 = static_route("0.0.0.0/0", "10.68.1.2", en1, kProtoVipa, 10);
  Route via5 = static_route("0.0.0.0/0", "10.68.5.2", en5, kProtoVipa, 20);
  ASSERT_TRUE(d.owned.count(via1.key())) << "default via 10.68.1.2 dev en1 metric 10";
  ASSERT_TRUE(d.owned.count(via5.key())) << "default via 10.68.5.2 dev en5 metric 20";
  EXPECT_EQ(d.owned[via1.key()].prefsrc, ip("10.68.6.1"));
  EXPECT_EQ(d.owned[via5.key()].prefsrc, ip("10.68.6.1"));
  EXPECT_EQ(d.owned[via1.key()].protocol, kProtoVipa);
  EXPECT_EQ(d.owned[via1.key()].scope, RT_SCOPE_UNIVERSE);
}

TEST_F(SeedHost, DesiredOwnedRouteOnAnUnlistedInterfaceHasNoVipaSource) {
  k.add_link("eth9", "veth");
  k.add_addr("eth9", "10.68.9.1/24");
  add_vi0();
  std::string text(kSample);
  text += "[[route]]\ndestination = \"10.68.200.0/24\"\ngateway = \"10.68.9.254\"\n";
  Desired d = desired(text);
  Route r = static_route("10.68.200.0/24", "10.68.9.254", k.by_name("eth9")->ifindex, kProtoVipa);
  ASSERT_TRUE(d.owned.count(r.key()));
  EXPECT_TRUE(d.owned[r.key()].prefsrc.empty());
}

TEST(Desired, GatewayInTwoPrefixesResolvesToTheListedInterface) {
  // 10.68.1.2 is inside eth0's 10.68.0.0/16 (listed first by the kernel) and en1's /24: the
  // owned route goes out through the interface that uses the VIPA.
  FakeKernel k;
  k.add_link("eth0", "veth");
  k.add_addr("eth0", "10.68.0.1/16");
  test::build_sample_host(k);
  Link& vi0 = k.add_link("vi0", "ifb");
  vi0.alias = kLinkTag;
  k.add_addr("vi0", "10.68.6.1/24", IFA_F_NOPREFIXROUTE);
  Config cfg = parse(kSample);
  Intent intent;
  intent.config = &cfg;
  Desired d = compute_desired(intent, k.observe());
  Route via1 = static_route("0.0.0.0/0", "10.68.1.2", k.by_name("en1")->ifindex, kProtoVipa, 10);
  ASSERT_TRUE(d.owned.count(via1.key()));
  EXPECT_EQ(d.owned[via1.key()].prefsrc, ip("10.68.6.1"));
}

TEST_F(SeedHost, DesiredPublishesTheVipaInTable86) {
  add_vi0();
  Desired d = desired();
  Route pub;
  pub.family = AF_INET;
  pub.table = 86;
  pub.dst = ip("10.68.6.1");
  pub.dst_len = 32;
  pub.oif = vi0;
  ASSERT_TRUE(d.owned.count(pub.key()));
  EXPECT_EQ(d.owned[pub.key()].protocol, kProtoVipa);
  EXPECT_EQ(d.owned[pub.key()].scope, RT_SCOPE_LINK);
  EXPECT_EQ(d.owned.size(), 3u);
}

TEST_F(SeedHost, DesiredPublishRouteWithdrawnWhenNoListedInterfaceCarries) {
  add_vi0();
  k.set_carrier("en1", false);
  k.set_carrier("en5", false);
  Desired d = desired();
  for (auto& [key, r] : d.owned) EXPECT_NE(r.table, 86u) << route_to_string(r);
}

TEST_F(SeedHost, DesiredEmptyInterfaceNamesMeansEveryNonLoopbackNonVipaLink) {
  k.add_link("eth7", "veth");
  Link& other = k.add_link("vi9", "ifb");  // a VIPA vipad made for a config since removed
  other.alias = kLinkTag;
  add_vi0();
  std::string text(kSample);
  text.replace(text.find("interface_names = [\"en1\", \"en5\"]\n"), 33, "");
  Desired d = desired(text);
  ASSERT_FALSE(d.vipas.empty());
  EXPECT_EQ(d.vipas[0].ifaces, (std::vector<std::string>{"en1", "en5", "eth7"}));
  int eth7 = k.by_name("eth7")->ifindex;
  EXPECT_EQ(d.src4_by_oif.count(eth7), 1u);
  EXPECT_EQ(d.src4_by_oif.count(vi0), 0u);
  EXPECT_EQ(d.src4_by_oif.count(k.by_name("lo")->ifindex), 0u);
}

TEST_F(SeedHost, OwnedRouteWithdrawnWhenItsLinkLosesCarrier) {
  add_vi0();
  k.add_route(static_route("0.0.0.0/0", "10.68.1.2", en1, kProtoVipa, 10));
  k.set_carrier("en1", false);
  Desired d = desired();
  Route via1 = static_route("0.0.0.0/0", "10.68.1.2", en1, kProtoVipa, 10);
  EXPECT_FALSE(d.owned.count(via1.key()));
  auto dels = of_kind<Op::DelRoute>(reconcile(d, obs));
  ASSERT_EQ(dels.size(), 1u);
  EXPECT_EQ(dels[0].route.key(), via1.key());
}

TEST_F(SeedHost, OwnedRouteWithdrawnWhenItsLinkIsAdminDown) {
  add_vi0();
  k.by_name("en1")->flags &= ~IFF_UP;  // the flush is the kernel's business; only the flag here
  Route via1 = static_route("0.0.0.0/0", "10.68.1.2", en1, kProtoVipa, 10);
  EXPECT_FALSE(desired().owned.count(via1.key()));
}

TEST_F(SeedHost, OwnedRouteWithdrawnWhenItsGatewayIsDead) {
  add_vi0();
  k.add_route(static_route("0.0.0.0/0", "10.68.1.2", en1, kProtoVipa, 10));
  intent.dead_gateways.insert("10.68.1.2%" + std::to_string(en1));
  Desired d = desired();
  Route via1 = static_route("0.0.0.0/0", "10.68.1.2", en1, kProtoVipa, 10);
  Route via5 = static_route("0.0.0.0/0", "10.68.5.2", en5, kProtoVipa, 20);
  EXPECT_FALSE(d.owned.count(via1.key()));
  EXPECT_TRUE(d.owned.count(via5.key()));
  auto dels = of_kind<Op::DelRoute>(reconcile(d, obs));
  ASSERT_EQ(dels.size(), 1u);
  EXPECT_EQ(dels[0].route.key(), via1.key());
}

TEST_F(SeedHost, EveryGatewayDeadKeepsTheRoutesAtTheWorstMetric) {
  add_vi0();
  intent.dead_gateways.insert("10.68.1.2%" + std::to_string(en1));
  intent.dead_gateways.insert("10.68.5.2%" + std::to_string(en5));
  Desired d = desired();
  Route via1 = static_route("0.0.0.0/0", "10.68.1.2", en1, kProtoVipa, 10);
  Route via5 = static_route("0.0.0.0/0", "10.68.5.2", en5, kProtoVipa, 20);
  EXPECT_FALSE(d.owned.count(via1.key()));
  EXPECT_FALSE(d.owned.count(via5.key()));
  via1.priority = kDeadGatewayMetric | 10;
  via5.priority = kDeadGatewayMetric | 20;
  EXPECT_TRUE(d.owned.count(via1.key()));  // a way back for the probes' answers
  EXPECT_TRUE(d.owned.count(via5.key()));
  // One gateway alive again: the dead one's route goes, the live one is at its own metric.
  intent.dead_gateways.erase("10.68.5.2%" + std::to_string(en5));
  d = desired();
  EXPECT_FALSE(d.owned.count(via1.key()));
  EXPECT_TRUE(d.owned.count(static_route("0.0.0.0/0", "10.68.5.2", en5, kProtoVipa, 20).key()));
}

TEST_F(SeedHost, DeadGatewayOnAnotherInterfaceDoesNotWithdraw) {
  add_vi0();
  intent.dead_gateways.insert("10.68.1.2%" + std::to_string(en5));
  Route via1 = static_route("0.0.0.0/0", "10.68.1.2", en1, kProtoVipa, 10);
  EXPECT_TRUE(desired().owned.count(via1.key()));
}

TEST_F(SeedHost, Ipv6MetricZeroIsDesiredAs1024) {
  k.add_addr("en1", "2001:db8:1::1/64");
  add_vi0();
  std::string text(kSample);
  text += "[[route]]\ndestination = \"2001:db8:99::/48\"\ngateway = \"2001:db8:1::2\"\n";
  Desired d = desired(text);
  Route r = static_route("2001:db8:99::/48", "2001:db8:1::2", en1, kProtoVipa, 1024);
  ASSERT_TRUE(d.owned.count(r.key())) << "IPv6 metric 0 must be desired as the kernel's 1024";
  EXPECT_EQ(d.owned[r.key()].priority, 1024u);
}

// ---- links and addresses ---------------------------------------------------------------------

TEST_F(SeedHost, CreatesTheLinkWhenMissing) {
  Plan p = plan();
  auto c = of_kind<Op::CreateLink>(p);
  ASSERT_EQ(c.size(), 1u) << plan_str(p);
  EXPECT_EQ(c[0].name, "vi0");
  EXPECT_EQ(c[0].link_kind, LinkKind::Auto);
  EXPECT_TRUE(of_kind<Op::AddAddr>(p).empty()) << "no ifindex to add to yet";
  EXPECT_TRUE(p.problems.empty());
}

std::string sample_adopting() {
  std::string s(kSample);
  s.replace(s.find("[vipa.vi0]\n"), 11, "[vipa.vi0]\nadopt = true\n");
  return s;
}

TEST_F(SeedHost, LeavesAnUntaggedDummyAlone) {
  // Someone else's dummy vi0: its alias, addresses and life are not vipad's unless told.
  k.add_link("vi0", "dummy");
  k.add_addr("vi0", "192.0.2.1/24");
  Plan p = plan();
  ASSERT_EQ(p.problems.size(), 1u) << plan_str(p);
  EXPECT_NE(p.problems[0].find("adopt = true"), std::string::npos) << p.problems[0];
  for (auto& op : p.ops) {
    EXPECT_FALSE(op.is<Op::SetLink>()) << op.str();
    EXPECT_FALSE(op.is<Op::DelAddr>()) << op.str();
    EXPECT_FALSE(op.is<Op::AddAddr>()) << op.str();
    EXPECT_FALSE(op.is<Op::DeleteLink>()) << op.str();
    EXPECT_FALSE(op.is<Op::CreateLink>()) << op.str();
  }
}

TEST_F(SeedHost, LeavesAnUntaggedIfbAloneAtCleanup) {
  k.add_link("vi0", "ifb");
  intent.cleanup = true;
  Plan p = plan();
  EXPECT_TRUE(of_kind<Op::DeleteLink>(p).empty()) << plan_str(p);
}

TEST_F(SeedHost, AdoptsAnUntaggedDummyWhenTold) {
  Link& l = k.add_link("vi0", "dummy");
  Plan p = plan(sample_adopting());
  auto s = of_kind<Op::SetLink>(p);
  ASSERT_EQ(s.size(), 1u) << plan_str(p);
  EXPECT_EQ(s[0].ifindex, l.ifindex);
  EXPECT_EQ(s[0].alias, kLinkTag);
  EXPECT_TRUE(s[0].up);
  EXPECT_TRUE(of_kind<Op::CreateLink>(p).empty());
  EXPECT_TRUE(of_kind<Op::DeleteLink>(p).empty());
  EXPECT_EQ(of_kind<Op::AddAddr>(p).size(), 1u);
}

TEST_F(SeedHost, AdoptsAnUntaggedIfbWhenTold) {
  Link& l = k.add_link("vi0", "ifb", false, false);
  Plan p = plan(sample_adopting());
  auto s = of_kind<Op::SetLink>(p);
  ASSERT_EQ(s.size(), 1u) << plan_str(p);
  EXPECT_EQ(s[0].ifindex, l.ifindex);
  EXPECT_EQ(s[0].alias, kLinkTag);
  EXPECT_TRUE(s[0].up);
}

TEST_F(SeedHost, RefusesAVethNamedVi0) {
  Link& l = k.add_link("vi0", "veth");
  k.add_addr("vi0", "192.0.2.1/24");
  Plan p = plan();
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_NE(p.problems[0].find("veth"), std::string::npos) << p.problems[0];
  for (auto& op : p.ops) {
    EXPECT_FALSE(op.is<Op::CreateLink>()) << op.str();
    EXPECT_FALSE(op.is<Op::DeleteLink>()) << op.str();
    auto* set = op.as<Op::SetLink>();
    EXPECT_FALSE(set && set->ifindex == l.ifindex) << op.str();
    auto* add = op.as<Op::AddAddr>();
    auto* del = op.as<Op::DelAddr>();
    EXPECT_FALSE((add && add->addr.ifindex == l.ifindex) || (del && del->addr.ifindex == l.ifindex))
        << op.str();
  }
}

TEST_F(SeedHost, AddsVipaAddressesWithoutPrefixRouteAndIpv6WithoutDad) {
  Link& l = k.add_link("vi0", "ifb");
  l.alias = kLinkTag;
  std::string text(kSample);
  text.insert(text.find("state ="),
              "alias4 = [\"10.68.7.1,255.255.255.0\"]\nnetaddr6 = \"2001:db8:6::1\"\n"
              "prefixlen = 64\n");
  Plan p = plan(text);
  auto adds = of_kind<Op::AddAddr>(p);
  ASSERT_EQ(adds.size(), 3u) << plan_str(p);
  std::map<std::string, Address> by;
  for (auto& op : adds) by[op.addr.addr.str()] = op.addr;
  ASSERT_TRUE(by.count("10.68.6.1") && by.count("10.68.7.1") && by.count("2001:db8:6::1"));
  EXPECT_EQ(by["10.68.6.1"].flags, uint32_t{IFA_F_NOPREFIXROUTE});
  EXPECT_EQ(by["10.68.6.1"].prefixlen, 24);
  EXPECT_EQ(by["10.68.6.1"].ifindex, l.ifindex);
  EXPECT_EQ(by["10.68.7.1"].flags, uint32_t{IFA_F_NOPREFIXROUTE});
  EXPECT_EQ(by["2001:db8:6::1"].flags, uint32_t{IFA_F_NOPREFIXROUTE | IFA_F_NODAD});
  EXPECT_EQ(by["2001:db8:6::1"].prefixlen, 64);
}

TEST_F(SeedHost, RemovesStrayAddressesOnVi0) {
  add_vi0();
  k.add_addr("vi0", "192.0.2.9/24");
  Plan p = plan();
  auto dels = of_kind<Op::DelAddr>(p);
  ASSERT_EQ(dels.size(), 1u) << plan_str(p);
  EXPECT_EQ(dels[0].addr.addr, ip("192.0.2.9"));
  EXPECT_TRUE(of_kind<Op::AddAddr>(p).empty()) << plan_str(p);
}

TEST_F(SeedHost, ReaddsTheVipaWhenItCarriesAPrefixRoute) {
  Link& l = k.add_link("vi0", "ifb");
  l.alias = kLinkTag;
  k.add_addr("vi0", "10.68.6.1/24");  // by hand, so the kernel added 10.68.6.0/24 dev vi0
  Plan p = plan();
  auto dels = of_kind<Op::DelAddr>(p);
  auto adds = of_kind<Op::AddAddr>(p);
  ASSERT_EQ(dels.size(), 1u) << plan_str(p);
  ASSERT_EQ(adds.size(), 1u) << plan_str(p);
  EXPECT_EQ(adds[0].addr.flags & IFA_F_NOPREFIXROUTE, uint32_t{IFA_F_NOPREFIXROUTE});
  // The delete must come first: the add would be refused with EEXIST otherwise.
  size_t di = 0, ai = 0;
  for (size_t i = 0; i < p.ops.size(); ++i) {
    if (p.ops[i].is<Op::DelAddr>()) di = i;
    if (p.ops[i].is<Op::AddAddr>()) ai = i;
  }
  EXPECT_LT(di, ai);
}

TEST_F(SeedHost, FixesTheVipaPrefixLength) {
  Link& l = k.add_link("vi0", "ifb");
  l.alias = kLinkTag;
  k.add_addr("vi0", "10.68.6.1/32", IFA_F_NOPREFIXROUTE);
  Plan p = plan();
  ASSERT_EQ(of_kind<Op::DelAddr>(p).size(), 1u) << plan_str(p);
  auto adds = of_kind<Op::AddAddr>(p);
  ASSERT_EQ(adds.size(), 1u);
  EXPECT_EQ(adds[0].addr.prefixlen, 24);
}

// ---- sources ---------------------------------------------------------------------------------

TEST_F(SeedHost, RewritesTheSourceOfConnectedAndForeignRoutesViaListedInterfaces) {
  add_vi0();
  k.add_link("eth9", "veth");
  k.add_addr("eth9", "10.68.9.1/24");
  k.add_route(static_route("10.68.100.0/24", "10.68.1.2", en1, RTPROT_BOOT));
  k.add_route(static_route("10.68.101.0/24", "10.68.5.2", en5, RTPROT_DHCP));
  k.add_route(static_route("10.68.102.0/24", "10.68.9.254", k.by_name("eth9")->ifindex));
  Plan p = plan();
  std::map<std::string, Op::ReplaceRoute> by;
  for (auto& op : of_kind<Op::ReplaceRoute>(p)) by[route_to_string(op.old)] = op;
  std::vector<std::string> want = {
      route_to_string(connected(k, "10.68.1.0/24", en1)),
      route_to_string(connected(k, "10.68.5.0/24", en5)),
      route_to_string(static_route("10.68.100.0/24", "10.68.1.2", en1, RTPROT_BOOT)),
      route_to_string(static_route("10.68.101.0/24", "10.68.5.2", en5, RTPROT_DHCP)),
  };
  for (auto& w : want) {
    ASSERT_TRUE(by.count(w)) << "not rewritten: " << w << "\nplan:\n" << plan_str(p);
    EXPECT_EQ(by[w].route.prefsrc, ip("10.68.6.1")) << w;
    EXPECT_FALSE(by[w].replace_by_delete_add) << w;
    // Everything but the source is carried over.
    Route expect = by[w].old;
    expect.prefsrc = ip("10.68.6.1");
    EXPECT_EQ(route_to_string(by[w].route), route_to_string(expect));
  }
  EXPECT_EQ(by.size(), want.size()) << "eth9 and the local table are not vipad's:\n" << plan_str(p);
}

TEST_F(SeedHost, CorrectRoutesAreLeftAlone) {
  add_vi0();
  for (const char* d : {"10.68.1.0/24", "10.68.5.0/24"}) {
    Route r = connected(k, d, d[6] == '1' ? en1 : en5);
    r.prefsrc = ip("10.68.6.1");
    ASSERT_TRUE(execute(k, Op{Op::ReplaceRoute{r, r, false}, {}}, obs).ok());
  }
  Plan p = plan();
  EXPECT_TRUE(of_kind<Op::ReplaceRoute>(p).empty()) << plan_str(p);
}

// 10.68.5.1/24 replaced by 10.68.5.1/32 (the /32 first): the kernel deletes the /24's prefix
// route by its source, so the copy vipad gave the VIPA source stays, and 10.68.5.2 would look
// on-link through it.
TEST_F(SeedHost, DeletesAConnectedRouteItsRewriteKeptPastItsAddress) {
  add_vi0();
  Route c5 = connected(k, "10.68.5.0/24", en5);
  c5.prefsrc = ip("10.68.6.1");
  ASSERT_TRUE(execute(k, Op{Op::ReplaceRoute{c5, c5, false}, {}}, obs).ok());
  k.add_addr("en5", "10.68.5.1/32");
  k.del_addr("en5", "10.68.5.1/24");
  ASSERT_TRUE(k.find_route(c5.key())) << "the kernel keeps the rewritten route";
  Plan p = plan();
  auto dels = of_kind<Op::DelRoute>(p);
  ASSERT_EQ(dels.size(), 1u) << plan_str(p);
  EXPECT_EQ(route_to_string(dels[0].route), route_to_string(c5));
  for (auto& a : of_kind<Op::AddRoute>(p))
    EXPECT_NE(a.route.dst_len, 24) << "nothing re-adds it:\n" << plan_str(p);
  // The /24 back: the route is the address's again, and only its source is set right.
  k.add_addr("en5", "10.68.5.1/24");
  p = plan();
  EXPECT_TRUE(of_kind<Op::DelRoute>(p).empty()) << plan_str(p);
}

TEST_F(SeedHost, LeavesAnAdministratorsAddresslessKernelRouteAlone) {
  add_vi0();
  // An administrator's route in the kernel's name, on no address's prefix: vipad neither
  // rewrites its source (which would make it look like its own leftover) nor deletes it.
  k.add_route([&] {
    Route r = static_route("10.68.44.0/24", nullptr, en5, RTPROT_KERNEL);
    r.prefsrc = ip("10.68.5.1");
    return r;
  }());
  Route r44 = static_route("10.68.44.0/24", nullptr, en5, RTPROT_KERNEL);
  for (int pass = 0; pass < 2; ++pass) {
    Plan p = plan();
    for (auto& op : p.ops) {
      auto* del = op.as<Op::DelRoute>();
      auto* rep = op.as<Op::ReplaceRoute>();
      EXPECT_FALSE(del && del->route.key() == r44.key()) << plan_str(p);
      EXPECT_FALSE(rep && rep->old.key() == r44.key()) << plan_str(p);
      ASSERT_TRUE(execute(k, op, obs).ok()) << op.str();
    }
  }
}

TEST_F(SeedHost, LeavesRoutingDaemonRoutesAloneAndCountsThem) {
  add_vi0();
  const uint8_t daemons[] = {186 /*bgp*/,  188 /*ospf*/, 12 /*bird*/, 11 /*zebra*/,
                             187 /*isis*/, 189 /*rip*/,  42 /*babel*/};
  int n = 0;
  for (uint8_t proto : daemons) {
    std::string dst = "10.68." + std::to_string(110 + n++) + ".0/24";
    ASSERT_EQ(k.add_route(static_route(dst.c_str(), "10.68.1.2", en1, proto)), 0);
  }
  // A daemon route that already carries the VIPA (set in the daemon's config) is no news.
  Route done = static_route("10.68.120.0/24", "10.68.5.2", en5, 186);
  done.prefsrc = ip("10.68.6.1");
  ASSERT_EQ(k.add_route(done), 0);
  Plan p = plan();
  for (auto& op : of_kind<Op::ReplaceRoute>(p))
    EXPECT_FALSE(is_routing_daemon_protocol(op.old.protocol)) << op.str();
  EXPECT_EQ(p.daemon_routes_left_alone, std::size(daemons));
  for (uint8_t proto : daemons) EXPECT_TRUE(is_routing_daemon_protocol(proto)) << int(proto);
  for (uint8_t proto : {RTPROT_KERNEL, RTPROT_BOOT, RTPROT_STATIC, RTPROT_DHCP, RTPROT_RA})
    EXPECT_FALSE(is_routing_daemon_protocol(proto)) << int(proto);
}

// A source rewrite is a route key and a source, not an operation carrying two routes; where the
// slot holds several routes (NLM_F_REPLACE would hit the first), a full delete-and-add.
TEST_F(SeedHost, SourceRewritesAreSlimUnlessTheSlotIsShared) {
  add_vi0();
  ASSERT_EQ(k.add_route(static_route("10.68.100.0/24", "10.68.1.2", en1)), 0);
  ASSERT_EQ(k.add_route(static_route("10.68.101.0/24", "10.68.1.2", en1)), 0);
  ASSERT_EQ(k.add_route(static_route("10.68.101.0/24", "10.68.5.2", en5)), 0);
  Desired d = desired();
  Plan p = reconcile(d, obs);
  bool slim = false;
  for (auto& w : p.rewrites) {
    EXPECT_NE(w.key.dst, ip("10.68.101.0"));
    if (w.key.dst == ip("10.68.100.0")) {
      slim = true;
      EXPECT_EQ(w.src, ip("10.68.6.1"));
      EXPECT_FALSE(w.restore);
    }
  }
  EXPECT_TRUE(slim);
  int shared = 0;
  for (auto& op : of_kind<Op::ReplaceRoute>(p))
    if (op.old.dst == ip("10.68.101.0")) {
      EXPECT_TRUE(op.replace_by_delete_add);
      ++shared;
    }
  EXPECT_EQ(shared, 2);
  EXPECT_LE(sizeof(SourceRewrite), 96u) << "the point of a rewrite is to be small";
}

TEST_F(SeedHost, SkipsLinkLocalAndMulticastDestinations) {
  k.add_addr("en1", "2001:db8:1::1/64");
  Link& l = k.add_link("vi0", "ifb");
  l.alias = kLinkTag;
  vi0 = l.ifindex;
  k.add_addr("vi0", "10.68.6.1/24", IFA_F_NOPREFIXROUTE);
  k.add_addr("vi0", "2001:db8:6::1/64", IFA_F_NOPREFIXROUTE | IFA_F_NODAD);
  Route ll = static_route("fe80::/64", nullptr, en1, RTPROT_KERNEL, 256);
  ll.scope = RT_SCOPE_UNIVERSE;
  ASSERT_EQ(k.add_route(ll), 0);
  ASSERT_EQ(k.add_route(static_route("224.0.0.0/4", nullptr, en1, RTPROT_BOOT)), 0);
  std::string text(kSample);
  text.insert(text.find("state ="), "netaddr6 = \"2001:db8:6::1\"\nprefixlen = 64\n");
  Plan p = plan(text);
  bool v6_connected = false;
  for (auto& op : of_kind<Op::ReplaceRoute>(p)) {
    EXPECT_FALSE(op.old.dst.is_v6_link_local()) << op.str();
    EXPECT_FALSE(op.old.dst.is_multicast()) << op.str();
    if (op.old.dst == ip("2001:db8:1::")) {
      v6_connected = true;
      EXPECT_EQ(op.route.prefsrc, ip("2001:db8:6::1"));
    }
  }
  EXPECT_TRUE(v6_connected) << "IPv6 connected route via en1 takes the IPv6 VIPA:\n" << plan_str(p);
}

TEST_F(SeedHost, DeleteAndAddWhenTwoRoutesShareASlot) {
  add_vi0();
  // Same destination and metric through both interfaces: NLM_F_REPLACE would hit whichever
  // the kernel lists first, so each must be rewritten by deleting and re-adding it.
  ASSERT_EQ(k.add_route(static_route("10.68.100.0/24", "10.68.1.2", en1, RTPROT_BOOT)), 0);
  ASSERT_EQ(k.add_route(static_route("10.68.100.0/24", "10.68.5.2", en5, RTPROT_BOOT)), 0);
  ASSERT_EQ(k.add_route(static_route("10.68.100.0/24", "10.68.5.2", en5, RTPROT_BOOT, 5)), 0);
  Plan p = plan();
  int shared = 0;
  for (auto& op : of_kind<Op::ReplaceRoute>(p)) {
    if (op.old.dst != ip("10.68.100.0")) continue;
    if (op.old.priority == 0) {
      ++shared;
      EXPECT_TRUE(op.replace_by_delete_add) << op.str();
    } else {
      EXPECT_FALSE(op.replace_by_delete_add) << "alone in its slot: " << op.str();
    }
  }
  EXPECT_EQ(shared, 2) << plan_str(p);
}

// ---- giving back: state down, detach ---------------------------------------------------------

// vi0 as vipad left it: the VIPA in use by connected and foreign routes.
class VipaInUse : public SeedHost {
 protected:
  void SetUp() override {
    SeedHost::SetUp();
    add_vi0();
    foreign = static_route("10.68.100.0/24", "10.68.1.2", en1, RTPROT_BOOT);
    foreign.prefsrc = ip("10.68.1.1");  // the administrator chose a source; vipad records it
    ASSERT_EQ(k.add_route(foreign), 0);
    plain = static_route("10.68.101.0/24", "10.68.5.2", en5, RTPROT_BOOT);
    ASSERT_EQ(k.add_route(plain), 0);
    Plan p = plan();
    for (auto& op : of_kind<Op::ReplaceRoute>(p)) ASSERT_TRUE(execute(k, Op{op, {}}, obs).ok());
    prefsrc_originals = obs.prefsrc_originals;
    ASSERT_EQ(prefsrc_originals.size(), 1u);
    EXPECT_EQ(prefsrc_originals[foreign.key()], ip("10.68.1.1"));
    ASSERT_EQ(k.find_route(plain.key())->prefsrc, ip("10.68.6.1"));
  }
  // The source each route is given back.
  std::map<std::string, IpAddr> restored(const Plan& p) {
    std::map<std::string, IpAddr> m;
    for (auto& op : of_kind<Op::ReplaceRoute>(p)) m[op.old.dst.str()] = op.route.prefsrc;
    return m;
  }
  Route foreign, plain;
};

TEST_F(VipaInUse, StateDownRestoresSourcesBeforeTakingTheLinkDown) {
  Plan p = plan(sample_with_state("down"));
  auto m = restored(p);
  EXPECT_EQ(m["10.68.1.0"], ip("10.68.1.1")) << plan_str(p);
  EXPECT_EQ(m["10.68.5.0"], ip("10.68.5.1"));
  EXPECT_EQ(m["10.68.100.0"], ip("10.68.1.1")) << "the recorded original";
  EXPECT_TRUE(m.count("10.68.101.0") && m["10.68.101.0"].empty()) << "had none before";
  for (auto& op : of_kind<Op::SetLink>(p)) EXPECT_TRUE(op.up) << "routes still use vi0";
  EXPECT_TRUE(of_kind<Op::DelAddr>(p).empty()) << plan_str(p);

  for (auto& op : of_kind<Op::ReplaceRoute>(p)) ASSERT_TRUE(execute(k, Op{op, {}}, obs).ok());
  prefsrc_originals = obs.prefsrc_originals;
  EXPECT_TRUE(prefsrc_originals.empty());
  Plan p2 = plan(sample_with_state("down"));
  auto down = of_kind<Op::SetLink>(p2);
  ASSERT_EQ(down.size(), 1u) << plan_str(p2);
  EXPECT_FALSE(down[0].up);
  EXPECT_EQ(down[0].ifindex, vi0);
  EXPECT_TRUE(of_kind<Op::DeleteLink>(p2).empty());
}

TEST_F(VipaInUse, DetachDeletesTheLinkOnlyOnceNoRouteUsesTheVipa) {
  Plan p = plan(sample_with_state("detach"));
  EXPECT_TRUE(of_kind<Op::DeleteLink>(p).empty()) << plan_str(p);
  auto m = restored(p);
  EXPECT_EQ(m["10.68.1.0"], ip("10.68.1.1")) << plan_str(p);
  EXPECT_EQ(m["10.68.100.0"], ip("10.68.1.1"));

  for (auto& op : of_kind<Op::ReplaceRoute>(p)) ASSERT_TRUE(execute(k, Op{op, {}}, obs).ok());
  prefsrc_originals = obs.prefsrc_originals;
  Plan p2 = plan(sample_with_state("detach"));
  auto del = of_kind<Op::DeleteLink>(p2);
  ASSERT_EQ(del.size(), 1u) << plan_str(p2);
  EXPECT_EQ(del[0].ifindex, vi0);
}

TEST_F(VipaInUse, DetachNeverDeletesALinkVipadDidNotTag) {
  k.by_name("vi0")->alias = "";
  Plan p = plan(sample_with_state("detach"));
  EXPECT_TRUE(of_kind<Op::DeleteLink>(p).empty()) << plan_str(p);
}

TEST_F(SeedHost, DetachWaitsForOwnedRoutesUsingTheVipa) {
  // Owned routes carry the VIPA as source too; deleting vi0 under them makes the kernel flush
  // them (the sample's default route would vanish until the next pass re-adds it).
  add_vi0();
  Route via1 = static_route("0.0.0.0/0", "10.68.1.2", en1, kProtoVipa, 10);
  via1.prefsrc = ip("10.68.6.1");
  ASSERT_EQ(k.add_route(via1), 0);
  Plan p = plan(sample_with_state("detach"));
  bool restored = false;
  for (auto& op : of_kind<Op::ReplaceRoute>(p))
    if (op.old.key() == via1.key()) restored = op.route.prefsrc.empty();
  EXPECT_TRUE(restored) << plan_str(p);
  EXPECT_TRUE(of_kind<Op::DeleteLink>(p).empty())
      << "vi0 deleted in the same pass that takes the VIPA off an owned route:\n"
      << plan_str(p);
}

// ---- bringing back what the kernel flushed ---------------------------------------------------

TEST_F(SeedHost, ReaddsConnectedRoutesLostWithTheVipaAddress) {
  add_vi0();
  // The kernel flushed 10.68.1.0/24 with the VIPA it used as source, and does not re-add it.
  Route c1 = connected(k, "10.68.1.0/24", en1);
  k.erase_routes([&](const Route& r) { return r.key() == c1.key(); });
  Plan p = plan();
  auto adds = of_kind<Op::AddRoute>(p);
  bool found = false;
  for (auto& op : adds)
    if (op.route.key() == c1.key()) {
      found = true;
      EXPECT_EQ(op.route.prefsrc, ip("10.68.6.1"));
      EXPECT_EQ(op.route.protocol, RTPROT_KERNEL);
      EXPECT_EQ(op.route.scope, RT_SCOPE_LINK);
    }
  EXPECT_TRUE(found) << plan_str(p);
  // Kernel routes that are still there are not added again.
  for (auto& op : adds) EXPECT_NE(op.route.dst, ip("10.68.5.0")) << op.str();
}

TEST_F(SeedHost, ReaddsRememberedRoutes) {
  add_vi0();
  Route lost = static_route("10.68.100.0/24", "10.68.1.2", en1, RTPROT_BOOT);
  lost.prefsrc = ip("10.68.6.1");
  intent.remembered.push_back(lost);
  Plan p = plan();
  auto adds = of_kind<Op::AddRoute>(p);
  bool found = false;
  for (auto& op : adds)
    if (op.route.key() == lost.key()) {
      found = true;
      EXPECT_EQ(op.route.prefsrc, ip("10.68.6.1"));
      EXPECT_EQ(op.route.protocol, RTPROT_BOOT);
    }
  EXPECT_TRUE(found) << plan_str(p);

  ASSERT_EQ(k.add_route(lost), 0);
  for (auto& op : of_kind<Op::AddRoute>(plan()))
    EXPECT_NE(op.route.key(), lost.key()) << "already back";
}

TEST_F(SeedHost, RememberedRoutesWaitForTheirLink) {
  add_vi0();
  Route lost = static_route("10.68.100.0/24", "10.68.1.2", en1, RTPROT_BOOT);
  intent.remembered.push_back(lost);
  k.set_admin("en1", false);
  for (auto& op : of_kind<Op::AddRoute>(plan()))
    EXPECT_NE(op.route.key(), lost.key()) << "en1 is down: " << op.str();
}

// ---- sysctls and owned routes ----------------------------------------------------------------

TEST_F(SeedHost, SetsDifferingSysctlsAndRestoresOriginalsNoLongerDesired) {
  add_vi0();
  k.add_link("eth9", "veth");
  std::string rp1 = "/proc/sys/net/ipv4/conf/en1/rp_filter";
  std::string rp9 = "/proc/sys/net/ipv4/conf/eth9/rp_filter";
  k.sysctls["/proc/sys/net/ipv4/conf/en1/arp_ignore"] = "1";  // already as desired
  k.sysctls[rp9] = "2";
  originals[rp9] = "1";  // vipad set it when eth9 was listed
  Plan p = plan();
  std::map<std::string, Op::SetSysctl> by;
  for (auto& op : of_kind<Op::SetSysctl>(p)) by[op.path] = op;
  ASSERT_TRUE(by.count(rp1)) << plan_str(p);
  EXPECT_EQ(by[rp1].value, "2");
  EXPECT_FALSE(by[rp1].restore);
  EXPECT_FALSE(by.count("/proc/sys/net/ipv4/conf/en1/arp_ignore"));
  ASSERT_TRUE(by.count(rp9));
  EXPECT_EQ(by[rp9].value, "1");
  EXPECT_TRUE(by[rp9].restore);
  EXPECT_EQ(by.size(), 10u) << "9 of en1/en5's to set, eth9's to restore";
}

TEST_F(SeedHost, SysctlOfAMissingInterfaceIsNotWritten) {
  add_vi0();
  std::erase_if(k.sysctls,
                [](const auto& kv) { return kv.first.find("/en5/") != std::string::npos; });
  for (auto& op : of_kind<Op::SetSysctl>(plan()))
    EXPECT_EQ(op.path.find("/en5/"), std::string::npos) << op.str();
}

TEST_F(SeedHost, OwnedRoutesAddedReplacedAndSwept) {
  add_vi0();
  Route via1 = static_route("0.0.0.0/0", "10.68.1.2", en1, kProtoVipa, 10);  // no source yet
  ASSERT_EQ(k.add_route(via1), 0);
  Route stale = static_route("10.68.200.0/24", "10.68.1.2", en1, kProtoVipa);
  ASSERT_EQ(k.add_route(stale), 0);
  Route other = static_route("10.68.201.0/24", "10.68.1.2", en1, RTPROT_STATIC);
  ASSERT_EQ(k.add_route(other), 0);
  Plan p = plan();
  auto dels = of_kind<Op::DelRoute>(p);
  ASSERT_EQ(dels.size(), 1u) << plan_str(p) << "only routes carrying protocol vipa are swept";
  EXPECT_EQ(dels[0].route.key(), stale.key());
  bool replaced = false;
  for (auto& op : of_kind<Op::ReplaceRoute>(p))
    if (op.old.key() == via1.key()) {
      replaced = true;
      EXPECT_EQ(op.route.prefsrc, ip("10.68.6.1"));
    }
  EXPECT_TRUE(replaced) << plan_str(p);
  int added = 0;
  for (auto& op : of_kind<Op::AddRoute>(p))
    if (op.route.protocol == kProtoVipa) ++added;
  EXPECT_EQ(added, 2) << "default via 10.68.5.2 and the table-86 route\n" << plan_str(p);
}

}  // namespace
}  // namespace vipa
