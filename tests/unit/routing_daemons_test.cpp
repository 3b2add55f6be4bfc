// The routing daemons' registry: every name the config accepts has an entry, and each entry's
// parts are the ones vipad and vipactl use.
#include <gtest/gtest.h>

#include "core/routing_refresh.h"
#include "routing/daemons.h"

namespace vipa::routing {
namespace {

TEST(RoutingDaemons, RegistryNamesEachDaemonOnce) {
  EXPECT_EQ(daemon_names(), "frr, bird");
  EXPECT_EQ(find_daemon("frr"), &kFrr);
  EXPECT_EQ(find_daemon("bird"), &kBird);
  EXPECT_EQ(find_daemon("none"), nullptr);
  EXPECT_EQ(find_daemon("FRR"), nullptr);
  EXPECT_EQ(kFrr.id, DaemonId::Frr);
  EXPECT_EQ(kBird.id, DaemonId::Bird);
  EXPECT_EQ(kFrr.socket_group, "frrvty");
  EXPECT_EQ(kBird.socket_group, "bird");
  EXPECT_TRUE(kFrr.dynamic_vipas);
  EXPECT_FALSE(kBird.dynamic_vipas);
}

TEST(RoutingDaemons, ValidationListsTheRegistry) {
  auto c = parse_config_string("[routing]\ndaemon = \"quagga\"\n", "t.conf");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("daemon: 'quagga' is not one of frr, bird, none"),
            std::string::npos)
      << c.error().message;
}

TEST(RoutingDaemons, RefreshGoesThroughTheEntry) {
  RoutingConfig rc;
  rc.daemon = "bird";
  rc.birdc = "/usr/sbin/birdc";
  auto v4 = refresh_commands(rc, {*IpAddr::parse("10.68.6.1")});
  EXPECT_EQ(v4, kBird.refresh(rc, true, false));
  ASSERT_EQ(v4.size(), 1u);
  EXPECT_EQ(v4[0], (std::vector<std::string>{"/usr/sbin/birdc", "reload", "out", "kernel4"}));
}

TEST(RoutingDaemons, ExportHeaderNamesTheDaemon) {
  auto c = parse_config_string(R"(
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
)",
                               "t.conf");
  ASSERT_TRUE(c) << c.error().message;
  ExportOptions opt;
  auto frr = kFrr.export_static(*c, opt);
  ASSERT_TRUE(frr) << frr.error().message;
  EXPECT_NE(frr->find("! vipa: FRR configuration"), std::string::npos);
  EXPECT_NE(frr->find("printed by `vipactl export frr`"), std::string::npos);
  auto bird = kBird.export_static(*c, opt);
  ASSERT_TRUE(bird) << bird.error().message;
  EXPECT_NE(bird->find("# vipa: BIRD configuration"), std::string::npos);
  EXPECT_NE(bird->find("printed by `vipactl export bird`"), std::string::npos);
}

}  // namespace
}  // namespace vipa::routing
