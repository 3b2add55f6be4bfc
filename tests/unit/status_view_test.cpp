// What status, show, netstat -rn and the metrics say, computed from a hand-built view.
#include "core/status_view.h"

#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

namespace vipa {
namespace {

using nlohmann::json;

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

TEST_F(StatusView, RoutesArePagedWithTotalAndNext) {
  auto all = routes_json(cfg, o, "");
  EXPECT_EQ(all["total"], 2);
  EXPECT_FALSE(all.contains("next"));
  auto first = routes_json(cfg, o, "", Page{0, 1});
  ASSERT_EQ(first["routes"].size(), 1u);
  EXPECT_EQ(first["total"], 2);
  EXPECT_EQ(first["next"], 1);
  auto second = routes_json(cfg, o, "", Page{1, 1});
  ASSERT_EQ(second["routes"].size(), 1u);
  EXPECT_FALSE(second.contains("next"));
  EXPECT_EQ(first["routes"][0], all["routes"][0]);
  EXPECT_EQ(second["routes"][0], all["routes"][1]);
  auto past = routes_json(cfg, o, "", Page{7, 1});
  EXPECT_TRUE(past["routes"].empty());
  EXPECT_EQ(past["total"], 2);
  EXPECT_FALSE(past.contains("next"));
}

// A config whose second route is not in the kernel (its gateway is dead), and a third that
// waits for an interface that is not there.
constexpr std::string_view kCostConfig = R"(
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
interface_names = ["en1", "en5"]

[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10
active_dgd = true

[[route]]
destination = "10.68.20.0/24"
gateway = "10.68.1.3"
metric = 20
active_dgd = true

[[route]]
destination = "2001:db8:30::/64"
gateway = "2001:db8:1::3"
interface = "en9"
metric = 30
)";

class RouteCosts : public StatusView {
 protected:
  void SetUp() override {
    StatusView::SetUp();
    auto c = parse_config_string(kCostConfig, "t.conf");
    ASSERT_TRUE(c) << c.error().message;
    cfg = *c;
    // Kernel routes of others: main-table unicast ones are shown with no cost of vipad's.
    for (int i = 1; i <= 4; ++i) {
      Route r;
      r.family = AF_INET;
      r.table = RT_TABLE_MAIN;
      r.dst = ip(("10.68." + std::to_string(100 + i) + ".0").c_str());
      r.dst_len = 24;
      r.protocol = RTPROT_STATIC;
      r.type = RTN_UNICAST;
      r.oif = 2;
      r.gateway = ip("10.68.1.9");
      o.routes[r.key()] = r;
    }
    dead.insert(gateway_key(ip("10.68.1.3"), 2));
  }
  std::set<std::string> dead;
};

TEST_F(RouteCosts, JoinsTheConfiguredCostsAndShowsTheWithdrawnRoutes) {
  auto j = route_costs_json(cfg, o, dead, "");
  EXPECT_EQ(j["total"], 7);  // 5 main-table unicast routes + 2 not installed; local is left out
  EXPECT_FALSE(j.contains("next"));
  auto& rows = j["routes"];
  ASSERT_EQ(rows.size(), 7u);
  size_t installed = 0;
  for (auto& r : rows) {
    EXPECT_EQ(r["table"], "main");
    EXPECT_EQ(r["type"], "unicast");
    if (r.value("installed", true)) ++installed;
  }
  EXPECT_EQ(installed, 5u);
  const json* def = nullptr;
  for (auto& r : rows)
    if (r["destination"] == "0.0.0.0") def = &r;
  ASSERT_NE(def, nullptr);
  EXPECT_EQ((*def)["config_cost"], 10);
  EXPECT_TRUE((*def)["active_dgd"].get<bool>());
  EXPECT_EQ((*def)["gateway_state"], "alive");
  EXPECT_EQ((*def)["interface"], "en1");
  for (auto& r : rows) {
    if (r["protocol"] == "static") {
      EXPECT_FALSE(r.contains("config_cost")) << r.dump();
    }
  }
  // The configured routes not in the kernel come last, in config order.
  EXPECT_EQ(rows[5]["destination"], "10.68.20.0");
  EXPECT_FALSE(rows[5]["installed"].get<bool>());
  EXPECT_EQ(rows[5]["config_cost"], 20);
  EXPECT_EQ(rows[5]["gateway_state"], "dead");
  EXPECT_EQ(rows[5]["interface"], "en1");
  EXPECT_EQ(rows[6]["destination"], "2001:db8:30::");
  EXPECT_EQ(rows[6]["family"], "inet6");
  EXPECT_EQ(rows[6]["interface"], "en9");
  EXPECT_FALSE(rows[6].contains("gateway_state"));  // no active dead gateway detection
}

TEST_F(RouteCosts, FamilyFilterCoversBothParts) {
  auto v4 = route_costs_json(cfg, o, dead, "inet");
  EXPECT_EQ(v4["total"], 6);
  for (auto& r : v4["routes"]) EXPECT_EQ(r["family"], "inet");
  auto v6 = route_costs_json(cfg, o, dead, "inet6");
  EXPECT_EQ(v6["total"], 1);
  ASSERT_EQ(v6["routes"].size(), 1u);
  EXPECT_FALSE(v6["routes"][0]["installed"].get<bool>());
}

TEST_F(RouteCosts, PagesAreSlicesOfTheWholeAnswer) {
  auto whole = route_costs_json(cfg, o, dead, "");
  for (size_t limit = 1; limit <= 8; ++limit) {
    json joined = json::array();
    size_t offset = 0, pages = 0;
    for (;;) {
      auto p = route_costs_json(cfg, o, dead, "", Page{offset, limit});
      ++pages;
      EXPECT_EQ(p["total"], 7);
      EXPECT_LE(p["routes"].size(), limit);
      for (auto& r : p["routes"]) joined.push_back(r);
      if (!p.contains("next")) break;
      ASSERT_EQ(p["next"], offset + p["routes"].size());
      offset = p["next"].get<size_t>();
      ASSERT_LE(pages, 7u);
    }
    EXPECT_EQ(joined, whole["routes"]) << "limit " << limit;
    EXPECT_EQ(pages, (7 + limit - 1) / limit) << "limit " << limit;
  }
  // A page across the border between the kernel's routes and the withdrawn ones.
  auto border = route_costs_json(cfg, o, dead, "", Page{4, 2});
  ASSERT_EQ(border["routes"].size(), 2u);
  EXPECT_EQ(border["routes"][0], whole["routes"][4]);
  EXPECT_EQ(border["routes"][1], whole["routes"][5]);
  EXPECT_EQ(border["next"], 6);
  auto past = route_costs_json(cfg, o, dead, "", Page{7, 3});
  EXPECT_TRUE(past["routes"].empty());
  EXPECT_EQ(past["total"], 7);
  EXPECT_FALSE(past.contains("next"));
}

TEST_F(RouteCosts, AWithdrawnRouteBeyondThePageStillKeepsItsKernelTwinOut) {
  // The installed default route is matched to its [[route]] entry even when the page ends
  // before it: it never shows up again as "not installed" on a later page.
  auto last = route_costs_json(cfg, o, dead, "", Page{5, 10});
  ASSERT_EQ(last["routes"].size(), 2u);
  for (auto& r : last["routes"]) EXPECT_NE(r["destination"], "0.0.0.0");
}

}  // namespace
}  // namespace vipa
