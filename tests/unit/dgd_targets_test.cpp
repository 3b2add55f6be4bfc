// Which gateways are watched, and from where.
#include "core/dgd_targets.h"

#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "core/desired.h"

namespace vipa {
namespace {

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

Config config(const std::string& extra) {
  std::string text = R"(
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
netaddr6 = "2001:db8:6::1"
interface_names = ["en1", "en5"]
)" + extra;
  auto c = parse_config_string(text, "test.conf");
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.ok() ? *c : Config{};
}

// the sample's host: en1 (2) 10.68.1.1/24 2001:db8:1::1/64 fe80::1:1, en5 (3) 10.68.5.1/24
// 2001:db8:5::1/64, vi0 (4) with the VIPAs.
Observed sample() {
  Observed o;
  uint32_t up = IFF_UP | IFF_LOWER_UP;
  // Ethernet links (ARPHRD_ETHER) that resolve neighbours: ARP and NS are their probes.
  o.links[2] = Link{2, "en1", "veth", up | IFF_BROADCAST | IFF_MULTICAST, "", 1};
  o.links[3] = Link{3, "en5", "veth", up | IFF_BROADCAST | IFF_MULTICAST, "", 1};
  o.links[4] = Link{4, "vi0", "ifb", up, kLinkTag};
  auto add = [&](int ifindex, const char* a, int len, uint32_t flags = 0) {
    IpAddr x = ip(a);
    o.addrs.push_back(Address{x.family, ifindex, x, len, flags, 0});
  };
  add(2, "10.68.1.1", 24);
  add(2, "fe80::1:1", 64);
  add(2, "2001:db8:1::1", 64);
  add(3, "10.68.5.1", 24);
  add(3, "2001:db8:5::1", 64);
  add(4, "10.68.6.1", 24);
  add(4, "2001:db8:6::1", 64);
  return o;
}

TEST(DgdTargets, ActiveRoutesOnly) {
  Config c = config(R"(
[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10
active_dgd = true
track = ["10.68.200.1"]

[[route]]
destination = "default"
gateway = "10.68.5.2"
metric = 20
)");
  auto t = dgd_targets(c, sample());
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].key, "10.68.1.2%2");
  EXPECT_EQ(t[0].key, gateway_key(ip("10.68.1.2"), 2));
  EXPECT_EQ(t[0].gateway, ip("10.68.1.2"));
  EXPECT_EQ(t[0].ifindex, 2);
  EXPECT_EQ(t[0].ifname, "en1");
  EXPECT_EQ(t[0].source, ip("10.68.1.1"));
  EXPECT_TRUE(t[0].active);
  ASSERT_EQ(t[0].track.size(), 1u);
  EXPECT_EQ(t[0].track[0], ip("10.68.200.1"));
}

TEST(DgdTargets, PassiveDgdAddsEveryGateway) {
  Config c = config(R"(
[[route]]
destination = "default"
gateway = "10.68.1.2"
active_dgd = true

[[route]]
destination = "default"
gateway = "10.68.5.2"
metric = 20

[[route]]
destination = "10.68.9.0/24"
interface = "en5"

[dgd]
passive_dgd = true
)");
  auto t = dgd_targets(c, sample());
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].key, "10.68.1.2%2");
  EXPECT_TRUE(t[0].active);
  EXPECT_EQ(t[1].key, "10.68.5.2%3");
  EXPECT_FALSE(t[1].active);
  EXPECT_EQ(t[1].source, ip("10.68.5.1"));
}

TEST(DgdTargets, RoutesSharingAGatewayMerge) {
  Config c = config(R"(
[[route]]
destination = "default"
gateway = "10.68.1.2"
active_dgd = true
track = ["10.68.200.1"]

[[route]]
destination = "10.68.100.0/24"
gateway = "10.68.1.2"
active_dgd = true
track = ["10.68.200.2", "10.68.200.1"]

[[route]]
destination = "10.68.101.0/24"
gateway = "10.68.1.2"

[dgd]
passive_dgd = true
)");
  auto t = dgd_targets(c, sample());
  ASSERT_EQ(t.size(), 1u);
  EXPECT_TRUE(t[0].active);
  ASSERT_EQ(t[0].track.size(), 2u);
  EXPECT_EQ(t[0].track[1], ip("10.68.200.2"));
}

TEST(DgdTargets, Ipv6GlobalAndLinkLocal) {
  Config c = config(R"(
[[route]]
destination = "::/0"
gateway = "2001:db8:1::2"
active_dgd = true

[[route]]
destination = "2001:db8:99::/64"
gateway = "fe80::2"
interface = "en1"
active_dgd = true
)");
  auto t = dgd_targets(c, sample());
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].key, "2001:db8:1::2%2");
  EXPECT_EQ(t[0].source, ip("2001:db8:1::1"));
  EXPECT_EQ(t[1].key, "fe80::2%2");
  EXPECT_EQ(t[1].source, ip("fe80::1:1"));
}

TEST(DgdTargets, UnresolvableGatewaysAreLeftOut) {
  Config c = config(R"(
[[route]]
destination = "default"
gateway = "10.68.77.2"
active_dgd = true

[[route]]
destination = "10.68.100.0/24"
gateway = "10.68.1.2"
interface = "en9"
active_dgd = true
)");
  EXPECT_TRUE(dgd_targets(c, sample()).empty());
}

TEST(DgdTargets, SourceIsNeverTheVipaNorTentative) {
  Config c = config("");
  Observed o = sample();
  // The VIPA on en1 itself (some setups put it there), and a tentative address first.
  o.addrs.insert(o.addrs.begin(), Address{AF_INET, 2, ip("10.68.6.1"), 24, 0, 0});
  o.addrs.insert(o.addrs.begin(),
                 Address{AF_INET6, 2, ip("2001:db8:1::7"), 64, IFA_F_TENTATIVE, 0});
  o.addrs.insert(o.addrs.begin(), Address{AF_INET, 2, ip("10.68.1.9"), 24, IFA_F_SECONDARY, 0});
  EXPECT_EQ(dgd_probe_source(c, o, 2, ip("10.68.1.2")), ip("10.68.1.1"));
  EXPECT_EQ(dgd_probe_source(c, o, 2, ip("2001:db8:1::2")), ip("2001:db8:1::1"));
  // A gateway outside every prefix of the interface: its first usable address.
  EXPECT_EQ(dgd_probe_source(c, o, 2, ip("192.0.2.1")), ip("10.68.1.1"));
  EXPECT_EQ(dgd_probe_source(c, o, 2, ip("2001:db8:77::1")), ip("2001:db8:1::1"));
  // vi0 holds only the VIPA: no source there.
  EXPECT_TRUE(dgd_probe_source(c, o, 4, ip("10.68.1.2")).empty());
  Observed bare = sample();
  std::erase_if(bare.addrs, [](const Address& a) { return a.ifindex == 3 && a.family == AF_INET; });
  EXPECT_TRUE(dgd_probe_source(c, bare, 3, ip("10.68.5.2")).empty());
}

}  // namespace
}  // namespace vipa
