// What status reports about vipad's routes comes from the same desired state and dead gateway
// set converge() acts on: checked against the in-memory kernel after real converge passes.
#include "core/route_status.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "core/converge.h"
#include "fake_dataplane.h"

namespace vipa {
namespace {

constexpr std::string_view kConfig = R"(
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
netaddr6 = "2001:db8:6::1"
prefixlen = 64
interface_names = ["en1", "en5"]

[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10

[[route]]
destination = "default"
gateway = "10.68.5.2"
metric = 20

[[route]]
destination = "::/0"
gateway = "2001:db8:1::2"

[[route]]
destination = "10.68.100.0/24"
gateway = "10.68.1.2"
metric = 30
multipath = true

[[route]]
destination = "10.68.100.0/24"
gateway = "10.68.5.2"
metric = 30
multipath = true
)";

class RouteStatus : public ::testing::Test {
 protected:
  void SetUp() override {
    test::build_sample_host(k);
    k.add_addr("en1", "2001:db8:1::1/64");
    en1 = k.by_name("en1")->ifindex;
    en5 = k.by_name("en5")->ifindex;
    auto c = parse_config_string(kConfig, "t.conf");
    ASSERT_TRUE(c) << c.error().message;
    cfg = *c;
    intent.config = &cfg;
    converge_now();
  }
  void converge_now() {
    obs = k.observe();
    ConvergeResult r = converge(intent, obs, k);
    ASSERT_TRUE(r.converged);
    obs = k.observe();
  }
  ConfiguredRouteStatus status(size_t i) {
    return configured_route_status(intent, compute_desired(intent, obs), obs, cfg.routes.at(i));
  }
  void dead(const char* gw, int oif) {
    intent.dead_gateways.insert(std::string(gw) + "%" + std::to_string(oif));
  }

  test::FakeKernel k;
  Config cfg;
  Intent intent;
  Observed obs;
  int en1 = 0, en5 = 0;
};

TEST_F(RouteStatus, AllInstalledAndAlive) {
  for (size_t i = 0; i < cfg.routes.size(); ++i) {
    auto st = status(i);
    EXPECT_TRUE(st.desired) << i;
    EXPECT_TRUE(st.installed) << i;
    EXPECT_TRUE(st.alive) << i;
    EXPECT_FALSE(st.last_resort) << i;
  }
  EXPECT_EQ(status(0).oif, en1);
  EXPECT_EQ(status(1).oif, en5);
}

TEST_F(RouteStatus, Ipv6MetricZeroIsFoundAs1024) {
  auto st = status(2);
  EXPECT_EQ(st.metric, 1024u);
  EXPECT_TRUE(st.installed) << "an IPv6 route at metric 0 is the kernel's 1024";
}

TEST_F(RouteStatus, EcmpGatewaysFoundAmongTheNexthops) {
  bool multipath = false;
  for (auto& [key, r] : obs.routes) multipath |= r.nexthops.size() == 2;
  ASSERT_TRUE(multipath) << "the two multipath routes share one kernel route";
  EXPECT_TRUE(status(3).installed);
  EXPECT_TRUE(status(4).installed);
}

TEST_F(RouteStatus, DeadGatewayWithALiveAlternativeIsNeitherInstalledNorAlive) {
  dead("10.68.1.2", en1);
  converge_now();
  auto st = status(0);
  EXPECT_FALSE(st.desired);
  EXPECT_FALSE(st.installed);
  EXPECT_FALSE(st.alive);
  EXPECT_TRUE(status(1).installed);
  EXPECT_TRUE(status(1).alive);
  // Its ECMP partner carries the destination alone, as a plain route.
  EXPECT_FALSE(status(3).installed);
  EXPECT_TRUE(status(4).installed);
}

TEST_F(RouteStatus, LastResortRouteIsInstalledButNotAlive) {
  dead("10.68.1.2", en1);
  dead("10.68.5.2", en5);
  converge_now();
  for (size_t i : {0u, 1u}) {
    auto st = status(i);
    EXPECT_TRUE(st.installed) << i << ": kept at the worst metric";
    EXPECT_TRUE(st.last_resort) << i;
    EXPECT_FALSE(st.alive) << i;
    EXPECT_EQ(st.metric & 0xffff0000u, kDeadGatewayMetric) << i;
  }
  int owned = 0;
  for (auto& [key, r] : obs.routes) {
    if (r.protocol != kProtoVipa || r.family != AF_INET || r.dst_len != 0) continue;
    ++owned;
    EXPECT_FALSE(owned_route_alive(intent, r)) << "a last-resort route is not alive";
  }
  EXPECT_EQ(owned, 2);
}

TEST_F(RouteStatus, InstalledRouteAliveness) {
  for (auto& [key, r] : obs.routes) {
    if (r.protocol == kProtoVipa) {
      EXPECT_TRUE(owned_route_alive(intent, r));
    }
  }
  dead("10.68.1.2", en1);
  Route ecmp;
  for (auto& [key, r] : obs.routes)
    if (r.nexthops.size() == 2) ecmp = r;
  EXPECT_TRUE(owned_route_alive(intent, ecmp)) << "one live nexthop is enough";
  dead("10.68.5.2", en5);
  EXPECT_FALSE(owned_route_alive(intent, ecmp));
}

}  // namespace
}  // namespace vipa
