// What status, show, netstat -rn and the metrics say, computed from a hand-built view.
#include "core/status_view.h"

#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

namespace vipa {
namespace {

constexpr uint32_t kUp = IFF_UP | IFF_LOWER_UP;

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

constexpr std::string_view kConfig = R"(
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
interface_names = ["en1", "en5"]

[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10
)";

class StatusView : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = parse_config_string(kConfig, "t.conf");
    ASSERT_TRUE(c) << c.error().message;
    cfg = *c;
    o.links[2] = {2, "en1", "veth", kUp};
    o.links[3] = {3, "en5", "veth", IFF_UP};  // no carrier
    o.links[4] = {4, "vi0", "dummy", kUp, kLinkTag};
    o.addrs.push_back({AF_INET, 2, ip("10.68.1.1"), 24});
    o.addrs.push_back({AF_INET, 4, ip("10.68.6.1"), 24});
    Route r;
    r.family = AF_INET;
    r.table = RT_TABLE_MAIN;
    r.dst = ip("0.0.0.0");
    r.protocol = kProtoVipa;
    r.type = RTN_UNICAST;
    r.priority = 10;
    r.oif = 2;
    r.gateway = ip("10.68.1.2");
    r.prefsrc = ip("10.68.6.1");
    o.routes[r.key()] = r;
    Route local = r;
    local.table = RT_TABLE_LOCAL;
    local.type = RTN_LOCAL;
    local.dst = ip("10.68.6.1");
    local.dst_len = 32;
    local.protocol = RTPROT_KERNEL;
    local.gateway = {};
    local.oif = 4;
    o.routes[local.key()] = local;
  }
  StatusInput input() {
    StatusInput in{cfg, o, intent, last_failover};
    in.counters.repairs = 3;
    in.config_path = "/etc/vipa/vipa.conf";
    return in;
  }
  Config cfg;
  Observed o;
  Intent intent;
  std::map<std::string, nlohmann::json> last_failover;
};

TEST_F(StatusView, ShowTellsInterfacesRoutesAndTheLastFailover) {
  last_failover["vi0"] = {{"from", "en5"}, {"to", "en1"}};
  auto j = vipa_status(input(), cfg.vipas[0]);
  EXPECT_EQ(j["name"], "vi0");
  EXPECT_EQ(j["netmask"], "255.255.255.0");
  EXPECT_TRUE(j["link_up"].get<bool>());
  ASSERT_EQ(j["interfaces"].size(), 2u);
  EXPECT_TRUE(j["interfaces"][0]["active"].get<bool>());   // en1 carries the default route
  EXPECT_FALSE(j["interfaces"][1]["active"].get<bool>());  // en5 has no carrier
  EXPECT_FALSE(j["interfaces"][1]["carrier"].get<bool>());
  ASSERT_EQ(j["routes_owned"].size(), 1u);
  EXPECT_EQ(j["routes_owned"][0]["interface"], "en1");
  EXPECT_TRUE(j["routes_owned"][0]["installed"].get<bool>());
  EXPECT_TRUE(j["routes_owned"][0]["alive"].get<bool>());
  EXPECT_EQ(j["last_failover"]["to"], "en1");
}

TEST_F(StatusView, DeadGatewayShowsInStatusAndMetrics) {
  intent.dead_gateways.insert(gateway_key(ip("10.68.1.2"), 2));
  auto j = status_json(input());
  EXPECT_EQ(j["config"], "/etc/vipa/vipa.conf");
  EXPECT_EQ(j["counters"]["repairs"], 3);
  ASSERT_EQ(j["routes_owned"].size(), 1u);
  EXPECT_EQ(j["routes_owned"][0]["table"], "main");
  EXPECT_FALSE(j["routes_owned"][0]["alive"].get<bool>());
  EXPECT_TRUE(j["vipas"][0]["last_failover"].is_null());

  std::map<std::string, uint64_t> failovers{{"vi0", 2}};
  DurationHistogram h;
  MetricsSnapshot m = metrics_snapshot(input(), {failovers, h, true});
  EXPECT_EQ(m.repairs, 3u);
  ASSERT_EQ(m.vipas.size(), 1u);
  EXPECT_TRUE(m.vipas[0].up);
  EXPECT_EQ(m.vipas[0].failovers, 2u);
  ASSERT_EQ(m.gateways.size(), 1u);
  EXPECT_EQ(m.gateways[0].gateway, "10.68.1.2");
  EXPECT_FALSE(m.gateways[0].alive);
  ASSERT_EQ(m.interfaces.size(), 2u);
  EXPECT_TRUE(m.interfaces[0].active);
}

TEST_F(StatusView, NetstatNamesProtocolsAndMarksTheVipa) {
  auto routes = routes_json(cfg, o, "inet")["routes"];
  ASSERT_EQ(routes.size(), 2u);
  bool saw_local = false, saw_default = false;
  for (auto& r : routes) {
    if (r["type"] == "local") {
      saw_local = true;
      EXPECT_EQ(r["table"], "local");
      EXPECT_EQ(r["protocol"], "kernel");
      EXPECT_TRUE(r["vipa"].get<bool>());
      EXPECT_EQ(r["scope"], "global");
    } else {
      saw_default = true;
      EXPECT_EQ(r["destination"], "0.0.0.0");
      EXPECT_EQ(r["protocol"], "vipa");
      EXPECT_EQ(r["interface"], "en1");
      EXPECT_EQ(r["ifaddr"], "");  // no address of en1's holds the default route's destination
    }
  }
  EXPECT_TRUE(saw_local && saw_default);
  EXPECT_TRUE(routes_json(cfg, o, "inet6")["routes"].empty());
}

}  // namespace
}  // namespace vipa
