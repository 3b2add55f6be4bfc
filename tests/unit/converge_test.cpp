// Repeated reconcile passes over the in-memory kernel (fake_dataplane.h): the sample's host goes
// to the sample's desired state, stays there at restart, survives what other tools and the kernel
// do to it, and is given back intact by --cleanup and detach.
#include "core/converge.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "fake_dataplane.h"

namespace vipa {
namespace {

using test::FakeKernel;

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
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

// Pass 1 creates vi0, pass 2 sets it up with the VIPA, pass 3 gives routes the source, pass 4
// finds nothing left to do.
constexpr int kSamplePasses = 4;

std::string applied_str(const ConvergeResult& r) {
  std::string s;
  for (auto& op : r.applied) s += "  " + op.str() + "\n";
  for (auto& [op, e] : r.failed) s += "  FAILED " + op.str() + ": " + e.message + "\n";
  return s;
}

class Converge : public ::testing::Test {
 protected:
  void SetUp() override {
    test::build_sample_host(k);
    en1 = k.by_name("en1")->ifindex;
    en5 = k.by_name("en5")->ifindex;
    load(kSample);
    original_sysctls = k.sysctls;
  }
  void load(std::string_view text) {
    auto c = parse_config_string(text, "t.conf");
    ASSERT_TRUE(c) << c.error().message;
    cfg = *c;
    intent.config = &cfg;
  }
  void load_state(const char* state) {
    std::string s(kSample);
    s.replace(s.find("state = \"up\""), 12, std::string("state = \"") + state + "\"");
    load(s);
  }
  // A daemon start: a fresh dump of the kernel, the recorded originals from the state file.
  ConvergeResult run() {
    Observed fresh = k.observe();
    fresh.sysctl_originals = obs.sysctl_originals;
    fresh.prefsrc_originals = obs.prefsrc_originals;
    obs = fresh;
    k.applied.clear();
    return converge(intent, obs, k);
  }
  void converge_sample() {
    auto r = run();
    ASSERT_TRUE(r.converged) << applied_str(r);
    ASSERT_TRUE(r.failed.empty()) << applied_str(r);
  }

  const Route* route(const char* dst, int oif, uint32_t table = RT_TABLE_MAIN,
                     const char* gw = nullptr, uint32_t metric = 0) {
    RouteKey key;
    auto p = Prefix::parse(dst);
    key.family = p->addr.family;
    key.table = table;
    key.dst = p->addr;
    key.dst_len = static_cast<uint8_t>(p->len);
    key.priority = metric;
    key.oif = oif;
    if (gw) key.gateway = ip(gw);
    return k.find_route(key);
  }
  const Route* default_via(const char* gw, int oif, uint32_t metric) {
    return route("0.0.0.0/0", oif, RT_TABLE_MAIN, gw, metric);
  }

  // The kernel as IBM's sample wants it.
  void expect_sample_state() {
    Link* vi0 = k.by_name("vi0");
    ASSERT_TRUE(vi0);
    EXPECT_EQ(vi0->kind, "ifb") << "this kernel has no dummy driver";
    EXPECT_TRUE(vi0->admin_up());
    EXPECT_EQ(vi0->alias, kLinkTag);
    std::vector<Address> on_vi0;
    for (auto& a : k.addrs)
      if (a.ifindex == vi0->ifindex) on_vi0.push_back(a);
    ASSERT_EQ(on_vi0.size(), 1u);
    EXPECT_EQ(on_vi0[0].addr, ip("10.68.6.1"));
    EXPECT_EQ(on_vi0[0].prefixlen, 24);
    for (auto& r : k.routes()) {
      if (r.table == RT_TABLE_LOCAL) continue;
      EXPECT_FALSE(r.dst == ip("10.68.6.0") && r.dst_len == 24)
          << "no interface route for the VIPA's subnet: " << route_to_string(r);
    }
    for (auto* r : {route("10.68.1.0/24", en1), route("10.68.5.0/24", en5),
                    default_via("10.68.1.2", en1, 10), default_via("10.68.5.2", en5, 20)}) {
      ASSERT_TRUE(r);
      EXPECT_EQ(r->prefsrc, ip("10.68.6.1")) << route_to_string(*r);
    }
    EXPECT_EQ(default_via("10.68.1.2", en1, 10)->protocol, kProtoVipa);
    const Route* pub = route("10.68.6.1/32", vi0->ifindex, 86);
    ASSERT_TRUE(pub) << "the VIPA published in table 86";
    EXPECT_EQ(pub->protocol, kProtoVipa);
    for (const char* n : {"en1", "en5"}) {
      std::string v4 = std::string("/proc/sys/net/ipv4/conf/") + n + "/";
      EXPECT_EQ(k.sysctls[v4 + "rp_filter"], "2");
      EXPECT_EQ(k.sysctls[v4 + "arp_ignore"], "1");
      EXPECT_EQ(k.sysctls[v4 + "arp_announce"], "2");
      EXPECT_EQ(k.sysctls[v4 + "ignore_routes_with_linkdown"], "1");
    }
    EXPECT_TRUE(k.clobbered.empty()) << route_to_string(k.clobbered[0]);
    EXPECT_TRUE(k.shadowed.empty()) << route_to_string(k.shadowed[0]);
  }

  // The host as it was before vipad (--cleanup "restore what it changed").
  void expect_given_back() {
    EXPECT_FALSE(k.by_name("vi0")) << "no vi0";
    for (auto& r : k.routes()) EXPECT_NE(r.protocol, kProtoVipa) << route_to_string(r);
    EXPECT_EQ(k.sysctls, original_sysctls);
    EXPECT_TRUE(obs.sysctl_originals.empty());
    const Route* c1 = route("10.68.1.0/24", en1);
    const Route* c5 = route("10.68.5.0/24", en5);
    ASSERT_TRUE(c1 && c5);
    EXPECT_EQ(c1->prefsrc, ip("10.68.1.1"));
    EXPECT_EQ(c5->prefsrc, ip("10.68.5.1"));
  }

  FakeKernel k;
  Config cfg;
  Intent intent;
  Observed obs;
  std::map<std::string, std::string> original_sysctls;
  int en1 = 0, en5 = 0;
};

TEST_F(Converge, SeedHostReachesTheSeedState) {
  auto r = run();
  EXPECT_TRUE(r.converged) << applied_str(r);
  EXPECT_LE(r.passes, kSamplePasses) << applied_str(r);
  EXPECT_TRUE(r.failed.empty()) << applied_str(r);
  EXPECT_TRUE(r.problems.empty());
  expect_sample_state();
  EXPECT_EQ(obs.sysctl_originals.size(), 10u);
  EXPECT_EQ(obs.sysctl_originals["/proc/sys/net/ipv4/conf/en1/rp_filter"], "1");
  EXPECT_TRUE(obs.prefsrc_originals.empty()) << "connected routes are not recorded";
}

TEST_F(Converge, ObservedAgreesWithTheKernelAfterConverging) {
  converge_sample();
  Observed dump = k.observe();
  EXPECT_EQ(obs.links.size(), dump.links.size());
  EXPECT_EQ(obs.addrs, dump.addrs);
  ASSERT_EQ(obs.routes.size(), dump.routes.size());
  for (auto& [key, r] : dump.routes)
    EXPECT_EQ(route_to_string(obs.routes[key]), route_to_string(r));
}

TEST_F(Converge, RestartOverTheResultChangesNothing) {
  converge_sample();
  int writes = k.route_writes;
  auto r = run();
  EXPECT_TRUE(r.converged);
  EXPECT_EQ(r.passes, 1);
  EXPECT_TRUE(r.applied.empty()) << applied_str(r);
  EXPECT_EQ(k.route_writes, writes) << "no route flap at restart";
}

TEST_F(Converge, RestartWithoutTheStateFileChangesNothing) {
  converge_sample();
  obs.sysctl_originals.clear();  // state file lost: nothing to restore, still nothing to do
  auto r = run();
  EXPECT_TRUE(r.applied.empty()) << applied_str(r);
}

TEST_F(Converge, KernelWithDummyGetsADummy) {
  k.has_dummy = true;
  converge_sample();
  EXPECT_EQ(k.by_name("vi0")->kind, "dummy");
}

TEST_F(Converge, AdoptsAnExistingIfbWithoutRecreatingIt) {
  Link& l = k.add_link("vi0", "ifb", false, false);
  int idx = l.ifindex;
  std::string adopting(kSample);
  adopting.replace(adopting.find("[vipa.vi0]\n"), 11, "[vipa.vi0]\nadopt = true\n");
  load(adopting);
  converge_sample();
  EXPECT_EQ(k.by_name("vi0")->ifindex, idx);
  expect_sample_state();
}

TEST_F(Converge, RefusesAVethNamedVi0AndStillDoesTheRest) {
  k.add_link("vi0", "veth");
  auto r = run();
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(k.by_name("vi0")->kind, "veth");
  EXPECT_TRUE(r.failed.empty()) << applied_str(r);
  EXPECT_EQ(k.sysctls["/proc/sys/net/ipv4/conf/en1/rp_filter"], "2");
  EXPECT_TRUE(default_via("10.68.1.2", en1, 10)) << "owned routes, without a VIPA source";
}

TEST_F(Converge, VipaAddressDeletedByAnAdministratorComesBackWithItsRoutes) {
  converge_sample();
  k.flushed.clear();
  k.del_addr("vi0", "10.68.6.1");  // the kernel flushes every route with src 10.68.6.1
  ASSERT_FALSE(route("10.68.1.0/24", en1));
  ASSERT_FALSE(default_via("10.68.1.2", en1, 10));
  auto r = run();
  EXPECT_TRUE(r.converged) << applied_str(r);
  EXPECT_TRUE(r.failed.empty()) << applied_str(r);
  expect_sample_state();
}

TEST_F(Converge, RememberedForeignRouteComesBackAfterTheFlush) {
  converge_sample();
  Route admin;
  admin.family = AF_INET;
  admin.dst = ip("10.68.100.0");
  admin.dst_len = 24;
  admin.protocol = RTPROT_BOOT;
  admin.scope = RT_SCOPE_UNIVERSE;
  admin.gateway = ip("10.68.1.2");
  admin.oif = en1;
  admin.prefsrc = ip("10.68.6.1");
  ASSERT_EQ(k.add_route(admin), 0);
  k.del_addr("vi0", "10.68.6.1");
  ASSERT_FALSE(route("10.68.100.0/24", en1, RT_TABLE_MAIN, "10.68.1.2"));
  // The daemon remembers what the kernel flushed with the VIPA (it sees the address go).
  auto lost = std::find_if(k.flushed.begin(), k.flushed.end(),
                           [&](const Route& x) { return x.dst == ip("10.68.100.0"); });
  ASSERT_NE(lost, k.flushed.end());
  intent.remembered = {*lost};
  converge_sample();
  const Route* back = route("10.68.100.0/24", en1, RT_TABLE_MAIN, "10.68.1.2");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->prefsrc, ip("10.68.6.1"));
  EXPECT_EQ(back->protocol, RTPROT_BOOT);
}

TEST_F(Converge, StrippedSourceIsRestored) {
  converge_sample();
  Route c1 = *route("10.68.1.0/24", en1);
  c1.prefsrc = ip("10.68.1.1");
  ASSERT_TRUE(k.apply(Op{Op::ReplaceRoute{c1, c1, false}, {}}, obs).ok());
  auto r = run();
  EXPECT_EQ(r.applied.size(), 1u) << applied_str(r);
  expect_sample_state();
}

TEST_F(Converge, DeletedOwnedRouteIsReadded) {
  converge_sample();
  k.erase_routes([](const Route& r) { return r.protocol == kProtoVipa && r.priority == 10; });
  auto r = run();
  EXPECT_EQ(r.applied.size(), 1u) << applied_str(r);
  expect_sample_state();
}

TEST_F(Converge, CarrierLossMovesTrafficToEn5AndBack) {
  converge_sample();
  k.set_carrier("en1", false);
  auto r = run();
  EXPECT_TRUE(r.failed.empty()) << applied_str(r);
  EXPECT_FALSE(default_via("10.68.1.2", en1, 10)) << "withdrawn with en1's carrier";
  ASSERT_TRUE(default_via("10.68.5.2", en5, 20));
  EXPECT_EQ(default_via("10.68.5.2", en5, 20)->prefsrc, ip("10.68.6.1"));
  ASSERT_TRUE(route("10.68.6.1/32", k.by_name("vi0")->ifindex, 86)) << "en5 still carries";

  k.set_carrier("en1", true);
  converge_sample();
  expect_sample_state();
}

TEST_F(Converge, BothLinksLostWithdrawsThePublishedVipa) {
  converge_sample();
  k.set_carrier("en1", false);
  k.set_carrier("en5", false);
  auto r = run();
  EXPECT_TRUE(r.failed.empty()) << applied_str(r);
  EXPECT_FALSE(route("10.68.6.1/32", k.by_name("vi0")->ifindex, 86));
}

TEST_F(Converge, AdminDownAndUpBringsBackTheSourceOnTheReaddedConnectedRoute) {
  converge_sample();
  k.set_admin("en1", false);  // the kernel flushes en1's IPv4 routes without RTM_DELROUTE
  auto r = run();
  EXPECT_TRUE(r.failed.empty()) << applied_str(r);
  EXPECT_FALSE(default_via("10.68.1.2", en1, 10));
  k.set_admin("en1", true);  // the kernel re-adds 10.68.1.0/24 with src 10.68.1.1
  ASSERT_EQ(route("10.68.1.0/24", en1)->prefsrc, ip("10.68.1.1"));
  converge_sample();
  expect_sample_state();
}

TEST_F(Converge, DeadGatewayWithdrawsItsRouteUntilItLives) {
  converge_sample();
  intent.dead_gateways.insert("10.68.1.2%" + std::to_string(en1));
  converge_sample();
  EXPECT_FALSE(default_via("10.68.1.2", en1, 10));
  EXPECT_TRUE(default_via("10.68.5.2", en5, 20));
  intent.dead_gateways.clear();
  converge_sample();
  expect_sample_state();
}

TEST_F(Converge, TwoOwnedRoutesInOneSlotBothGetTheVipa) {
  // Equal-cost defaults through both routers: one kernel slot, so NLM_F_REPLACE is unsafe.
  std::string text(kSample);
  text.replace(text.find("metric = 20"), 11, "metric = 10");
  load(text);
  auto r = run();
  EXPECT_TRUE(r.converged) << applied_str(r);
  EXPECT_TRUE(r.failed.empty()) << applied_str(r);
  EXPECT_TRUE(k.clobbered.empty())
      << "a REPLACE hit the other route of the slot: " << route_to_string(k.clobbered[0]) << "\n"
      << applied_str(r);
  for (auto* d : {default_via("10.68.1.2", en1, 10), default_via("10.68.5.2", en5, 10)}) {
    ASSERT_TRUE(d) << applied_str(r);
    EXPECT_EQ(d->prefsrc, ip("10.68.6.1"));
  }
}

TEST_F(Converge, OwnedEcmpRouteFollowsItsLiveGateways) {
  std::string text(kSample);
  text.replace(text.find("metric = 20"), 11, "metric = 10");
  text.replace(text.find("metric = 10\n"), 12, "metric = 10\nmultipath = true\n");
  text.replace(text.rfind("metric = 10\n"), 12, "metric = 10\nmultipath = true\n");
  load(text);
  converge_sample();
  RouteKey ecmp{AF_INET, RT_TABLE_MAIN, ip("0.0.0.0"), 0, 0, 10, 0, IpAddr{}};
  const Route* m = k.find_route(ecmp);
  ASSERT_TRUE(m) << "one default route over both gateways";
  EXPECT_EQ(m->nexthops, (std::vector<Nexthop>{{en1, ip("10.68.1.2")}, {en5, ip("10.68.5.2")}}));
  EXPECT_EQ(m->prefsrc, ip("10.68.6.1"));
  EXPECT_EQ(run().applied.size(), 0u);

  k.set_carrier("en1", false);
  converge_sample();
  EXPECT_FALSE(k.find_route(ecmp));
  ASSERT_TRUE(default_via("10.68.5.2", en5, 10)) << "the one live gateway, as a plain route";
  EXPECT_EQ(default_via("10.68.5.2", en5, 10)->prefsrc, ip("10.68.6.1"));

  k.set_carrier("en1", true);
  converge_sample();
  EXPECT_TRUE(k.find_route(ecmp));
  EXPECT_FALSE(default_via("10.68.5.2", en5, 10));
}

TEST_F(Converge, CleanupGivesEverythingBack) {
  Route admin;
  admin.family = AF_INET;
  admin.dst = ip("10.68.100.0");
  admin.dst_len = 24;
  admin.protocol = RTPROT_BOOT;
  admin.gateway = ip("10.68.1.2");
  admin.oif = en1;
  admin.prefsrc = ip("10.68.1.1");
  ASSERT_EQ(k.add_route(admin), 0);
  converge_sample();
  ASSERT_EQ(route("10.68.100.0/24", en1, RT_TABLE_MAIN, "10.68.1.2")->prefsrc, ip("10.68.6.1"));
  ASSERT_EQ(obs.prefsrc_originals.size(), 1u);

  intent.cleanup = true;
  auto r = run();
  EXPECT_TRUE(r.converged) << applied_str(r);
  EXPECT_TRUE(r.failed.empty()) << applied_str(r);
  expect_given_back();
  EXPECT_EQ(route("10.68.100.0/24", en1, RT_TABLE_MAIN, "10.68.1.2")->prefsrc, ip("10.68.1.1"))
      << "the administrator's own source";
  EXPECT_TRUE(obs.prefsrc_originals.empty());
  EXPECT_TRUE(k.clobbered.empty());
}

TEST_F(Converge, CleanupNeverFlushesAForeignRoute) {
  converge_sample();
  k.flushed.clear();
  intent.cleanup = true;
  run();
  for (auto& r : k.flushed)
    EXPECT_TRUE(r.protocol == kProtoVipa || r.table == RT_TABLE_LOCAL)
        << "flushed with the VIPA: " << route_to_string(r);
}

TEST_F(Converge, DetachGivesEverythingBackButTheConfig) {
  converge_sample();
  k.flushed.clear();
  load_state("detach");
  auto r = run();
  EXPECT_TRUE(r.converged) << applied_str(r);
  EXPECT_TRUE(r.failed.empty()) << applied_str(r);
  EXPECT_FALSE(k.by_name("vi0"));
  const Route* d1 = default_via("10.68.1.2", en1, 10);
  ASSERT_TRUE(d1) << "owned routes stay, with no VIPA source";
  EXPECT_TRUE(d1->prefsrc.empty());
  EXPECT_EQ(route("10.68.1.0/24", en1)->prefsrc, ip("10.68.1.1"));
  EXPECT_EQ(k.sysctls, original_sysctls) << "sysctls restored on detach";
  for (auto& f : k.flushed)
    EXPECT_NE(f.table, RT_TABLE_MAIN)
        << "main-table route flushed with vi0: " << route_to_string(f);
}

TEST_F(Converge, StateDownTakesVi0DownAfterGivingSourcesBack) {
  converge_sample();
  k.flushed.clear();
  load_state("down");
  auto r = run();
  EXPECT_TRUE(r.converged) << applied_str(r);
  EXPECT_TRUE(r.failed.empty()) << applied_str(r);
  ASSERT_TRUE(k.by_name("vi0"));
  EXPECT_FALSE(k.by_name("vi0")->admin_up());
  EXPECT_EQ(route("10.68.1.0/24", en1)->prefsrc, ip("10.68.1.1"));
  EXPECT_EQ(route("10.68.5.0/24", en5)->prefsrc, ip("10.68.5.1"));
  ASSERT_TRUE(default_via("10.68.1.2", en1, 10));
  EXPECT_TRUE(default_via("10.68.1.2", en1, 10)->prefsrc.empty());
  for (auto& f : k.flushed) EXPECT_NE(f.table, RT_TABLE_MAIN) << route_to_string(f);

  load_state("up");
  converge_sample();
  expect_sample_state();
}

TEST_F(Converge, RemovedVipaIsSwept) {
  converge_sample();
  // A config without vi0: the tagged link is vipad's to remove, routes given back first.
  load("[vipa.vi1]\nnetaddr = \"10.68.7.1\"\ninterface_names = [\"en9\"]\n");
  auto r = run();
  EXPECT_TRUE(r.failed.empty()) << applied_str(r);
  EXPECT_FALSE(k.by_name("vi0"));
  EXPECT_EQ(route("10.68.1.0/24", en1)->prefsrc, ip("10.68.1.1"));
  EXPECT_FALSE(default_via("10.68.1.2", en1, 10));
}

TEST_F(Converge, Ipv6VipaOnTheSeedHost) {
  k.add_addr("en1", "2001:db8:1::1/64", IFA_F_NODAD);
  std::string text(kSample);
  text.insert(text.find("state ="), "netaddr6 = \"2001:db8:6::1\"\nprefixlen = 64\n");
  text += "[[route]]\ndestination = \"default6\"\ngateway = \"2001:db8:1::2\"\n";
  load(text);
  auto r = run();
  EXPECT_TRUE(r.converged) << applied_str(r);
  EXPECT_TRUE(r.failed.empty()) << applied_str(r);
  const Link* vi0 = k.by_name("vi0");
  ASSERT_TRUE(vi0);
  bool v6 = false;
  for (auto& a : k.addrs)
    if (a.ifindex == vi0->ifindex && a.addr == ip("2001:db8:6::1")) {
      v6 = true;
      EXPECT_FALSE(a.flags & IFA_F_TENTATIVE) << "no DAD delay";
    }
  EXPECT_TRUE(v6);
  const Route* c6 = route("2001:db8:1::/64", en1, RT_TABLE_MAIN, nullptr, 256);
  ASSERT_TRUE(c6);
  EXPECT_EQ(c6->prefsrc, ip("2001:db8:6::1"));
  const Route* d6 = route("::/0", en1, RT_TABLE_MAIN, "2001:db8:1::2", 1024);
  ASSERT_TRUE(d6) << applied_str(r);
  EXPECT_EQ(d6->prefsrc, ip("2001:db8:6::1"));
  EXPECT_EQ(run().applied.size(), 0u);
}

}  // namespace
}  // namespace vipa
