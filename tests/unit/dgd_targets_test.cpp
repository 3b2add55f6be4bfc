// Which gateways are watched, from where, and how neighbour events are read.
#include "core/dgd_targets.h"

#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "config/config.h"
#include "core/desired.h"
#include "core/dgd_neigh.h"

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
Observed seed() {
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
  auto t = dgd_targets(c, seed());
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
  auto t = dgd_targets(c, seed());
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
  auto t = dgd_targets(c, seed());
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
  auto t = dgd_targets(c, seed());
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
  EXPECT_TRUE(dgd_targets(c, seed()).empty());
}

TEST(DgdTargets, SourceIsNeverTheVipaNorTentative) {
  Config c = config("");
  Observed o = seed();
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
  Observed bare = seed();
  std::erase_if(bare.addrs, [](const Address& a) { return a.ifindex == 3 && a.family == AF_INET; });
  EXPECT_TRUE(dgd_probe_source(c, bare, 3, ip("10.68.5.2")).empty());
}

std::vector<uint8_t> unhex(const std::string& h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}
const nlmsghdr* msg(const std::vector<uint8_t>& b) {
  return reinterpret_cast<const nlmsghdr*>(b.data());
}

// Captured from RTNLGRP_NEIGH (Linux 6.18) while pinging from x0 (ifindex 2):
// `10.68.1.2 dev x0 lladdr 02:00:00:00:01:02 REACHABLE`
const char* kReachable =
    "4c0000001c0000000000000000000000020000000200000002000001080001000a4401020a00020002000000"
    "0102000008000400040000001400030000000000000000000000000002000000";
// `10.68.1.9 dev x0 FAILED` (nobody there)
const char* kFailed4 =
    "400000001c0000000000000000000000020000000200000020000001080001000a440109080004000600000014"
    "000300a3180000330100000000000001000000";
// `2001:db8:1::9 dev x0 FAILED`
const char* kFailed6 =
    "4c0000001c00000000000000000000000a00000002000000200000011400010020010db80001000000000000"
    "00000009080004000600000014000300a3180000330100000000000001000000";

TEST(DgdNeigh, ParsesKernelEvents) {
  auto r = unhex(kReachable);
  auto e = parse_neighbour_event(msg(r));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->ifindex, 2);
  EXPECT_EQ(e->dst, ip("10.68.1.2"));
  EXPECT_TRUE(e->reachable());
  EXPECT_FALSE(e->failed());

  auto f4 = unhex(kFailed4);
  e = parse_neighbour_event(msg(f4));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->dst, ip("10.68.1.9"));
  EXPECT_TRUE(e->failed());
  EXPECT_FALSE(e->reachable());

  auto f6 = unhex(kFailed6);
  e = parse_neighbour_event(msg(f6));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->dst, ip("2001:db8:1::9"));
  EXPECT_TRUE(e->failed());
}

TEST(DgdNeigh, DeletedIsNeitherFailedNorReachable) {
  auto b = unhex(kFailed4);
  b[4] = RTM_DELNEIGH;
  auto e = parse_neighbour_event(msg(b));
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->deleted);
  EXPECT_FALSE(e->failed());
}

TEST(DgdNeigh, Rejects) {
  auto b = unhex(kFailed4);
  auto bad = b;
  bad[4] = RTM_NEWROUTE;
  EXPECT_FALSE(parse_neighbour_event(msg(bad)));
  bad = b;
  bad[16] = AF_BRIDGE;
  EXPECT_FALSE(parse_neighbour_event(msg(bad)));
  bad = b;
  bad[26] = NTF_PROXY;
  EXPECT_FALSE(parse_neighbour_event(msg(bad)));
  // Truncated: the header says less than an ndmsg; or the address attribute is cut off.
  for (uint32_t len : {16u, 20u, 28u, 34u}) {
    bad = b;
    bad[0] = static_cast<uint8_t>(len);
    EXPECT_FALSE(parse_neighbour_event(msg(bad))) << len;
  }
  // An IPv6-sized address in an IPv4 message.
  bad = b;
  bad[28] = 20;
  EXPECT_FALSE(parse_neighbour_event(msg(bad)));
}

}  // namespace
}  // namespace vipa
