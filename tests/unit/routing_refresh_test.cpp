// After a VIPA address came back, the routing daemon must reinstall the routes the kernel
// flushed with it: the commands vipad runs for that (src/core/routing_refresh.cpp).
#include "core/routing_refresh.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace vipa {
namespace {

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

bool has_pair(const std::vector<std::string>& argv, const std::string& a, const std::string& b) {
  for (size_t i = 0; i + 1 < argv.size(); ++i)
    if (argv[i] == a && argv[i + 1] == b) return true;
  return false;
}

TEST(RoutingRefresh, NoneRunsNothing) {
  RoutingConfig rc;
  EXPECT_TRUE(refresh_commands(rc, {ip("10.68.6.1")}).empty());
  rc.daemon = "frr";
  EXPECT_TRUE(refresh_commands(rc, {}).empty());
}

TEST(RoutingRefresh, FrrReappliesTheSourceRouteMapPerProtocolAndReimportsTheTable) {
  RoutingConfig rc;
  rc.daemon = "frr";
  rc.vtysh = "/usr/bin/vtysh";
  rc.daemon_args = {"--vty_socket", "/run/lab/h"};
  auto cmds = refresh_commands(rc, {ip("10.68.6.1")});
  ASSERT_EQ(cmds.size(), 1u);
  const auto& argv = cmds[0];
  EXPECT_EQ(argv[0], "/usr/bin/vtysh");
  EXPECT_EQ(argv[1], "--vty_socket");
  EXPECT_EQ(argv[2], "/run/lab/h");
  // Removing and re-applying marks the protocol's routes changed; the same map alone would not.
  EXPECT_TRUE(has_pair(argv, "-c", "no ip protocol ospf route-map VIPA-SRC"));
  EXPECT_TRUE(has_pair(argv, "-c", "ip protocol ospf route-map VIPA-SRC"));
  auto no_pos = std::find(argv.begin(), argv.end(), "no ip protocol ospf route-map VIPA-SRC");
  auto yes_pos = std::find(argv.begin(), argv.end(), "ip protocol ospf route-map VIPA-SRC");
  EXPECT_LT(no_pos, yes_pos);
  EXPECT_TRUE(has_pair(argv, "-c", "ip import-table 86"));
  // Only IPv4 came back: no IPv6 route-map lines.
  for (auto& a : argv) EXPECT_EQ(a.find("ipv6 protocol"), std::string::npos) << a;
}

TEST(RoutingRefresh, BirdReloadsItsKernelProtocolOutNotRestart) {
  RoutingConfig rc;
  rc.daemon = "bird";
  rc.birdc = "/usr/sbin/birdc";
  auto cmds = refresh_commands(rc, {ip("10.68.6.1"), ip("2001:db8:6::1")});
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(cmds[0], (std::vector<std::string>{"/usr/sbin/birdc", "reload", "out", "kernel4"}));
  EXPECT_EQ(cmds[1][0], "/usr/sbin/birdc");
  EXPECT_EQ(cmds[1][1], "reload");
  // No shell anywhere: every argument is its own argv element.
  for (auto& c : cmds)
    for (auto& a : c) EXPECT_EQ(a.find(';'), std::string::npos);
}

}  // namespace
}  // namespace vipa
