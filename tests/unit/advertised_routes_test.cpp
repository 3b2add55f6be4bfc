// Routes the kernel manages from IPv6 router advertisements (src/core/advertised_routes.cpp):
// vipad leaves them exactly as the kernel keeps them and gives the traffic along each the VIPA
// as source through a companion route of its own, which goes when the original goes.
#include "core/advertised_routes.h"

#include <gtest/gtest.h>
#include <linux/netlink.h>

#include <cstring>

#include "config/config.h"
#include "core/converge.h"
#include "core/desired.h"
#include "core/plan.h"
#include "fake_dataplane.h"

namespace vipa {
namespace {

using test::FakeKernel;

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

constexpr std::string_view kConf = R"(
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
netaddr6 = "2001:db8:6::1"
prefixlen = 64
interface_names = ["en1", "en5"]
)";

// An attribute as the kernel sends it: header, payload, padding.
std::string attr(uint16_t type, const void* data, uint16_t len) {
  nlattr a{static_cast<uint16_t>(NLA_HDRLEN + len), type};
  std::string s(reinterpret_cast<const char*>(&a), sizeof a);
  s.append(static_cast<const char*>(data), len);
  s.append(NLA_ALIGN(s.size()) - s.size(), '\0');
  return s;
}

// What the kernel installs from an advertisement: `default via GW dev OIF proto ra metric 1024
// expires 20sec hoplimit 64 pref PREF` (decoded as src/nl/route.cpp does).
Route advertised(const char* dst, const char* gw, int oif, uint8_t pref = 0, uint32_t metric = 1024,
                 uint8_t proto = RTPROT_RA) {
  Route r;
  auto p = Prefix::parse(dst);
  r.family = AF_INET6;
  r.table = RT_TABLE_MAIN;
  r.dst = p->addr;
  r.dst_len = static_cast<uint8_t>(p->len);
  r.protocol = proto;
  r.type = RTN_UNICAST;
  r.priority = metric;
  r.oif = oif;
  if (gw) r.gateway = ip(gw);
  r.expires = 20;
  r.pref = pref;
  uint32_t secs = 20;
  std::string hoplimit = attr(RTAX_HOPLIMIT, &secs, 4);  // any u32 metric will do
  r.passthrough = attr(RTA_METRICS, hoplimit.data(), static_cast<uint16_t>(hoplimit.size())) +
                  attr(RTA_PREF, &pref, 1) + attr(RTA_EXPIRES, &secs, 4);
  return r;
}

class RaHost : public ::testing::Test {
 protected:
  void SetUp() override {
    test::build_sample_host(k);
    en1 = k.by_name("en1")->ifindex;
    en5 = k.by_name("en5")->ifindex;
    k.add_addr("en1", "fe80::1:1/64", IFA_F_NODAD);
    k.add_addr("en5", "fe80::5:1/64", IFA_F_NODAD);
    Link& l = k.add_link("vi0", "ifb");
    l.alias = kLinkTag;
    k.add_addr("vi0", "10.68.6.1/24", IFA_F_NOPREFIXROUTE);
    k.add_addr("vi0", "2001:db8:6::1/64", IFA_F_NOPREFIXROUTE | IFA_F_NODAD);
    auto c = parse_config_string(kConf, "t.conf");
    ASSERT_TRUE(c) << c.error().message;
    cfg = *c;
    intent.config = &cfg;
  }
  Desired desired() {
    obs = k.observe();
    return compute_desired(intent, obs);
  }
  Plan plan() {
    Desired d = desired();
    return reconcile(d, obs);
  }
  ConvergeResult run() {
    obs = k.observe();
    obs.sysctl_originals = originals;
    auto r = converge(intent, obs, k);
    originals = obs.sysctl_originals;
    return r;
  }
  // The routes vipad holds with protocol vipa in the main table, by key.
  std::vector<Route> companions() const {
    std::vector<Route> out;
    for (auto& r : k.routes())
      if (r.protocol == kProtoVipa && r.table == RT_TABLE_MAIN) out.push_back(r);
    return out;
  }
  const Route* companion_of(const Route& original) const {
    for (auto& r : k.routes())
      if (r.protocol == kProtoVipa && r.dst == original.dst && r.dst_len == original.dst_len &&
          r.oif == original.oif && r.gateway == original.gateway)
        return k.find_route(r.key());
    return nullptr;
  }
  size_t route_ops(const std::vector<Op>& ops) const {
    size_t n = 0;
    for (auto& op : ops)
      n += op.is<Op::AddRoute>() || op.is<Op::ReplaceRoute>() || op.is<Op::DelRoute>();
    return n;
  }

  FakeKernel k;
  Config cfg;
  Intent intent;
  Observed obs;
  std::map<std::string, std::string> originals;
  int en1 = 0, en5 = 0;
};

TEST(Advertised, WhatTheKernelManagesFromAdvertisements) {
  Route r = advertised("::/0", "fe80::2", 2);
  EXPECT_TRUE(is_advertised(r));  // default and route-information routes: protocol ra
  r.protocol = RTPROT_KERNEL;
  EXPECT_TRUE(is_advertised(r));  // an advertised on-link prefix: protocol kernel, a lifetime
  r.expires = 0;
  EXPECT_FALSE(is_advertised(r));  // the prefix route of a configured address
  r = advertised("::/0", "fe80::2", 2, 0, 1024, RTPROT_BOOT);
  EXPECT_FALSE(is_advertised(r));  // `ip route add ... expires 20` by an administrator
  r.family = AF_INET;
  r.protocol = RTPROT_RA;
  EXPECT_FALSE(is_advertised(r));
}

TEST_F(RaHost, AdvertisedDefaultRouteIsLeftAloneAndACompanionCarriesTheVipa) {
  Route ra = advertised("::/0", "fe80::2", en1);
  ASSERT_EQ(k.add_route(ra), 0);
  auto res = run();
  ASSERT_TRUE(res.converged);
  for (auto& op : res.applied)
    if (auto* r = op.as<Op::ReplaceRoute>()) {
      EXPECT_NE(r->old.key(), ra.key()) << "the advertised route was rewritten: " << op.str();
    }
  const Route* kept = k.find_route(ra.key());
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->protocol, RTPROT_RA);
  EXPECT_TRUE(kept->prefsrc.empty());
  const Route* c = companion_of(ra);
  ASSERT_TRUE(c) << "no companion";
  EXPECT_EQ(c->prefsrc, ip("2001:db8:6::1"));
  EXPECT_EQ(c->priority, 1024 - kCompanionSpan);
  EXPECT_EQ(c->gateway, ip("fe80::2"));
  EXPECT_EQ(c->oif, en1);
}

TEST_F(RaHost, CompanionKeepsMetricsAndPreferenceButNoLifetime) {
  ASSERT_EQ(k.add_route(advertised("::/0", "fe80::2", en1, 1)), 0);
  Desired d = desired();
  Route c;
  for (auto& [key, r] : d.owned)
    if (r.family == AF_INET6 && r.dst_len == 0) c = r;
  ASSERT_FALSE(c.passthrough.empty());
  EXPECT_EQ(c.pref, 1);
  std::vector<uint16_t> types;
  for (size_t off = 0; off + NLA_HDRLEN <= c.passthrough.size();) {
    nlattr a;
    std::memcpy(&a, c.passthrough.data() + off, sizeof a);
    types.push_back(a.nla_type);
    off += NLA_ALIGN(a.nla_len);
  }
  EXPECT_EQ(types, (std::vector<uint16_t>{RTA_METRICS, RTA_PREF}));
}

TEST_F(RaHost, RoutersOfOneDestinationGetDistinctMetricsHighPreferenceFirst) {
  // Equal metrics would make the kernel join the companions into one ECMP route.
  ASSERT_EQ(k.add_route(advertised("::/0", "fe80::2", en1, 0)), 0);
  ASSERT_EQ(k.add_route(advertised("::/0", "fe80::3", en1, 3)), 0);  // low
  ASSERT_EQ(k.add_route(advertised("::/0", "fe80::5", en5, 1)), 0);  // high
  ASSERT_TRUE(run().converged);
  auto* high = companion_of(advertised("::/0", "fe80::5", en5));
  auto* medium = companion_of(advertised("::/0", "fe80::2", en1));
  auto* low = companion_of(advertised("::/0", "fe80::3", en1));
  ASSERT_TRUE(high && medium && low);
  EXPECT_EQ(high->priority, 1024 - kCompanionSpan);
  EXPECT_EQ(medium->priority, 1024 - kCompanionSpan + 1);
  EXPECT_EQ(low->priority, 1024 - kCompanionSpan + 2);
}

TEST_F(RaHost, CompanionGoesTheMomentTheKernelRemovesTheOriginal) {
  Route a = advertised("::/0", "fe80::2", en1);
  Route b = advertised("::/0", "fe80::5", en5);
  ASSERT_EQ(k.add_route(a), 0);
  ASSERT_EQ(k.add_route(b), 0);
  ASSERT_TRUE(run().converged);
  ASSERT_EQ(companions().size(), 2u);
  // Router lifetime 0 from the router on en1: the kernel deletes its route (ndisc.c).
  k.erase_routes([&](const Route& r) { return r.key() == a.key(); });
  auto res = run();
  ASSERT_TRUE(res.converged);
  EXPECT_FALSE(companion_of(a));
  ASSERT_TRUE(companion_of(b));
  // The survivor ranks first now.
  EXPECT_EQ(companion_of(b)->priority, 1024 - kCompanionSpan);
  EXPECT_TRUE(k.find_route(b.key()));
}

TEST_F(RaHost, RouteInformationAndOnLinkPrefixRoutesGetCompanions) {
  Route rio = advertised("2001:db8:71::/48", "fe80::2", en1);
  Route pio = advertised("2001:db8:a1::/64", nullptr, en1, 0, 256, RTPROT_KERNEL);
  ASSERT_EQ(k.add_route(rio), 0);
  ASSERT_EQ(k.add_route(pio), 0);
  ASSERT_TRUE(run().converged);
  ASSERT_TRUE(companion_of(rio));
  ASSERT_TRUE(companion_of(pio));
  EXPECT_EQ(companion_of(pio)->priority, 256 - kCompanionSpan);
  EXPECT_TRUE(k.find_route(rio.key())->prefsrc.empty());
  EXPECT_TRUE(k.find_route(pio.key())->prefsrc.empty());
}

TEST_F(RaHost, ConfiguredAddressPrefixRouteIsStillRewritten) {
  k.add_addr("en1", "2001:db8:1::1/64", IFA_F_NODAD);  // no lifetime: not advertised
  ASSERT_TRUE(run().converged);
  Route pr = advertised("2001:db8:1::/64", nullptr, en1, 0, 256, RTPROT_KERNEL);
  const Route* r = k.find_route(pr.key());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->prefsrc, ip("2001:db8:6::1"));
  EXPECT_FALSE(companion_of(pr));
}

TEST_F(RaHost, LinkLocalAndOtherInterfacesGetNoCompanion) {
  k.add_link("en9", "veth");
  ASSERT_EQ(k.add_route(advertised("::/0", "fe80::9", k.by_name("en9")->ifindex)), 0);
  ASSERT_EQ(k.add_route(advertised("fe80::/64", nullptr, en1, 0, 300, RTPROT_KERNEL)), 0);
  ASSERT_TRUE(run().converged);
  EXPECT_TRUE(companions().empty());
}

TEST_F(RaHost, NoFreeMetricIsRefusedWithANotice) {
  ASSERT_TRUE(run().converged);
  Route low = advertised("::/0", "fe80::2", en1, 0, 5);
  ASSERT_EQ(k.add_route(low), 0);
  Plan p = plan();
  EXPECT_TRUE(p.empty());
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_NE(p.problems[0].find("no free metric"), std::string::npos) << p.problems[0];
}

TEST_F(RaHost, SlotOfAnotherRouteIsRefusedWithANotice) {
  // An administrator's route at the companion's metric: adding one would join them (ECMP).
  Route admin = advertised("::/0", "fe80::9", en5, 0, 1024 - kCompanionSpan, RTPROT_BOOT);
  admin.expires = 0;
  admin.passthrough.clear();
  ASSERT_EQ(k.add_route(admin), 0);
  ASSERT_EQ(k.add_route(advertised("::/0", "fe80::2", en1)), 0);
  Plan p = plan();
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_NE(p.problems[0].find("is taken"), std::string::npos) << p.problems[0];
  for (auto& op : p.ops) {
    auto* add = op.as<Op::AddRoute>();
    EXPECT_FALSE(add && add->route.dst_len == 0 && add->route.family == AF_INET6) << op.str();
  }
}

TEST_F(RaHost, LifetimesCountingDownAndRefreshingChangeNothing) {
  Route ra = advertised("::/0", "fe80::2", en1);
  ASSERT_EQ(k.add_route(ra), 0);
  ASSERT_TRUE(run().converged);
  size_t before = k.applied.size();
  for (uint32_t left : {19u, 7u, 20u, 1u}) {
    k.erase_routes([&](const Route& r) { return r.key() == ra.key(); });
    Route again = ra;
    again.expires = left;
    ASSERT_EQ(k.add_route(again), 0);
    auto res = run();
    EXPECT_TRUE(res.converged);
  }
  EXPECT_EQ(k.applied.size(), before);
}

TEST_F(RaHost, SlaacTemporaryFailedAndExpiringAddressesChangeNothing) {
  ASSERT_EQ(k.add_route(advertised("::/0", "fe80::2", en1)), 0);
  ASSERT_EQ(k.add_route(advertised("2001:db8:a1::/64", nullptr, en1, 0, 256, RTPROT_KERNEL)), 0);
  ASSERT_TRUE(run().converged);
  size_t before = k.applied.size();
  auto settle = [&] {
    auto res = run();
    EXPECT_TRUE(res.converged);
    EXPECT_EQ(res.applied_count, 0u);
  };
  // SLAAC and temporary addresses carry no prefix route of their own (the prefix's is
  // advertised); a DAD failure leaves the address tentative; expiry removes it.
  k.add_addr("en1", "2001:db8:a1::fcee:1bff:fe6e:a815/64",
             IFA_F_NOPREFIXROUTE | IFA_F_MANAGETEMPADDR);
  settle();
  k.add_addr("en1", "2001:db8:a1::1234:5678:9abc:def0/64",
             IFA_F_NOPREFIXROUTE | IFA_F_TEMPORARY | IFA_F_NODAD);
  settle();
  k.add_addr("en5", "2001:db8:a5::1/64", IFA_F_NOPREFIXROUTE | IFA_F_DADFAILED);
  settle();
  k.del_addr("en1", "2001:db8:a1::1234:5678:9abc:def0");
  settle();
  k.del_addr("en1", "2001:db8:a1::fcee:1bff:fe6e:a815");
  settle();
  EXPECT_EQ(k.applied.size(), before);
}

TEST_F(RaHost, StoppingAndCleanupRemoveTheCompanionsAndLeaveTheAdvertisedRoutes) {
  Route ra = advertised("::/0", "fe80::2", en1);
  ASSERT_EQ(k.add_route(ra), 0);
  ASSERT_TRUE(run().converged);
  ASSERT_EQ(companions().size(), 1u);
  intent.stopping = true;
  ASSERT_TRUE(run().converged);
  EXPECT_TRUE(companions().empty());
  ASSERT_TRUE(k.find_route(ra.key()));
  EXPECT_EQ(k.find_route(ra.key())->protocol, RTPROT_RA);

  intent.stopping = false;
  ASSERT_TRUE(run().converged);
  ASSERT_EQ(companions().size(), 1u);
  intent.cleanup = true;
  ASSERT_TRUE(run().converged);
  EXPECT_TRUE(companions().empty());
  ASSERT_TRUE(k.find_route(ra.key()));
  EXPECT_TRUE(k.find_route(ra.key())->prefsrc.empty());
}

TEST_F(RaHost, AdvertisedRouteRewrittenEarlierGetsItsSourceBackOnCleanup) {
  Route ra = advertised("::/0", "fe80::2", en1);
  ra.prefsrc = ip("2001:db8:6::1");
  ASSERT_EQ(k.add_route(ra), 0);
  Plan p = plan();
  for (auto& op : p.ops)
    if (auto* r = op.as<Op::ReplaceRoute>()) {
      EXPECT_NE(r->old.key(), ra.key()) << op.str();
    }
  intent.cleanup = true;
  ASSERT_TRUE(run().converged);
  ASSERT_TRUE(k.find_route(ra.key()));
  EXPECT_TRUE(k.find_route(ra.key())->prefsrc.empty());
}

}  // namespace
}  // namespace vipa
