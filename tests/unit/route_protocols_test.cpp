// The one table of route protocol ids (common/route_protocols.h) and the iproute2 names vipad
// installs for its own.
#include "common/route_protocols.h"

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace vipa {
namespace {

TEST(RouteProtocols, IdsAndNamesAreUnique) {
  std::set<int> ids;
  std::set<std::string_view> names;
  for (auto& p : route_protocols()) {
    EXPECT_TRUE(ids.insert(p.id).second) << int(p.id);
    EXPECT_TRUE(names.insert(p.name).second) << p.name;
  }
}

TEST(RouteProtocols, NamesAsIpRoutePrintsThem) {
  EXPECT_EQ(route_protocol_name(RTPROT_KERNEL), "kernel");
  EXPECT_EQ(route_protocol_name(kProtoVipa), "vipa");
  EXPECT_EQ(route_protocol_name(kProtoVipaMoves), "vipa-moves");
  EXPECT_EQ(route_protocol_name(188), "ospf");
  EXPECT_EQ(route_protocol_name(250), "250") << "an unnamed id prints as its number";
}

TEST(RouteProtocols, RoutingDaemonsAreTheOnesThatSetTheirOwnSources) {
  for (uint8_t d : {11, 12, 18, 186, 188}) EXPECT_TRUE(is_routing_daemon_protocol(d)) << int(d);
  for (uint8_t p : {RTPROT_KERNEL, RTPROT_BOOT, RTPROT_STATIC, RTPROT_RA, RTPROT_DHCP})
    EXPECT_FALSE(is_routing_daemon_protocol(p)) << int(p);
  EXPECT_FALSE(is_routing_daemon_protocol(kProtoVipa)) << "vipad's own routes are its to manage";
  EXPECT_FALSE(is_routing_daemon_protocol(kProtoVipaMoves));
  auto list = routing_daemon_protocols();
  for (uint8_t d : list) EXPECT_TRUE(is_routing_daemon_protocol(d));
  EXPECT_EQ(list.size(), 16u);
}

// The rt_protos.d file the package installs names exactly vipad's own ids, as the table does.
TEST(RouteProtocols, PackagedRtProtosFileMatchesTheTable) {
  std::ifstream in(VIPA_TEST_DATA "/../../packaging/iproute2/rt_protos.d/vipa.conf");
  ASSERT_TRUE(in) << "packaging/iproute2/rt_protos.d/vipa.conf";
  std::map<int, std::string> file;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    int id = -1;
    std::string name;
    ASSERT_TRUE(ls >> id >> name) << line;
    file[id] = name;
  }
  std::map<int, std::string> want{{kProtoVipa, route_protocol_name(kProtoVipa)},
                                  {kProtoVipaMoves, route_protocol_name(kProtoVipaMoves)}};
  EXPECT_EQ(file, want);
}

}  // namespace
}  // namespace vipa
