// The kernel cache against a fake kernel (fake_netlink.h): after any sequence of the kernel's
// operations and the events they send, the cache holds what a fresh dump would read, including
// the routes the kernel removes without telling anyone.
#include "daemon/kernel_cache.h"

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <set>

#include "common/route_protocols.h"
#include "fake_netlink.h"

namespace vipa {
namespace {

using testing::FakeNetlink;

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

Address addr(int ifindex, const char* a, int len) {
  Address x;
  x.ifindex = ifindex;
  x.addr = ip(a);
  x.family = x.addr.family;
  x.prefixlen = len;
  x.scope = RT_SCOPE_UNIVERSE;
  return x;
}

Route route(const char* dst, int len, int oif, const char* gw, const char* src, uint8_t proto,
            uint32_t metric = 0, uint32_t table = RT_TABLE_MAIN) {
  Route r;
  r.dst = ip(dst);
  r.family = r.dst.family;
  r.dst_len = static_cast<uint8_t>(len);
  r.oif = oif;
  if (gw) r.gateway = ip(gw);
  if (src) r.prefsrc = ip(src);
  r.protocol = proto;
  r.priority = metric;
  r.table = table;
  r.type = RTN_UNICAST;
  r.scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  return r;
}

// IBM's sample host: en1 (2) and en5 (3), vipad's default routes with the VIPA as source, the
// connected routes, an administrator's static route, an IPv6 route, a routing daemon's route
// (which vipad never reads) and vipad's table 86.
struct Lab {
  FakeNetlink k;
  KernelCache cache;
  Lab() {
    k.add_link(2, "en1", true);
    k.add_link(3, "en5", true);
    k.add_addr(addr(2, "10.68.1.1", 24));
    k.add_addr(addr(3, "10.68.5.1", 24));
    k.add_addr(addr(2, "2001:db8:1::1", 64));
    k.add_route(route("0.0.0.0", 0, 2, "10.68.1.2", "10.68.6.1", kProtoVipa, 10));
    k.add_route(route("0.0.0.0", 0, 3, "10.68.5.2", "10.68.6.1", kProtoVipa, 20));
    k.add_route(route("10.68.1.0", 24, 2, nullptr, "10.68.1.1", RTPROT_KERNEL));
    k.add_route(route("10.68.5.0", 24, 3, nullptr, "10.68.5.1", RTPROT_KERNEL));
    k.add_route(route("10.68.100.0", 24, 2, "10.68.1.2", nullptr, RTPROT_BOOT));
    k.add_route(route("2001:db8:99::", 48, 2, "2001:db8:1::2", nullptr, RTPROT_BOOT, 1024));
    k.add_route(route("10.68.77.0", 24, 3, "10.68.5.2", nullptr, RTPROT_BGP, 20));
    k.add_route(route("10.68.6.1", 32, 2, nullptr, nullptr, kProtoVipa, 0, 86));
    cache.set_route_filter(KernelCache::filter_for(86));
    drain();  // the events of building it: the cache starts from a dump
    EXPECT_TRUE(cache.dump_all(k).ok());
  }
  void drain() {
    Status s = k.read_events([](const nlmsghdr*) {});
    (void)s;
  }
  // Feeds the queued events to the cache; the read's status.
  Status pump() {
    return k.read_events([&](const nlmsghdr* nlh) { (void)cache.apply(nlh); });
  }
  // What a fresh dump reads now.
  Observed truth() {
    KernelCache fresh;
    fresh.set_route_filter(KernelCache::filter_for(86));
    EXPECT_TRUE(fresh.dump_all(k).ok());
    return fresh.obs();
  }
};

std::set<std::string> route_set(const Observed& o) {
  std::set<std::string> out;
  for (auto& [k, r] : o.routes)
    out.insert(std::to_string(r.table) + " " + r.dst.str() + "/" + std::to_string(r.dst_len) +
               " via " + r.gateway.str() + " dev " + std::to_string(r.oif) + " src " +
               r.prefsrc.str() + " proto " + std::to_string(r.protocol) + " metric " +
               std::to_string(r.priority));
  return out;
}
std::set<std::string> addr_set(const Observed& o) {
  std::set<std::string> out;
  for (auto& a : o.addrs)
    out.insert(std::to_string(a.ifindex) + " " + a.addr.str() + "/" + std::to_string(a.prefixlen));
  return out;
}
std::set<std::string> link_set(const Observed& o) {
  std::set<std::string> out;
  for (auto& [i, l] : o.links) out.insert(l.name + " " + std::to_string(l.flags));
  return out;
}
void expect_true_to_the_kernel(Lab& lab) {
  Observed t = lab.truth();
  EXPECT_EQ(route_set(lab.cache.obs()), route_set(t));
  EXPECT_EQ(addr_set(lab.cache.obs()), addr_set(t));
  EXPECT_EQ(link_set(lab.cache.obs()), link_set(t));
}
bool has_route(const Observed& o, const char* dst, int len, int oif) {
  for (auto& [k, r] : o.routes)
    if (r.dst == ip(dst) && r.dst_len == len && r.oif == oif) return true;
  return false;
}

TEST(KernelCacheFake, DumpReadsTheTablesVipadLooksAt) {
  Lab lab;
  const Observed& o = lab.cache.obs();
  EXPECT_EQ(o.links.size(), 2u);
  EXPECT_EQ(o.addrs.size(), 3u);
  EXPECT_TRUE(has_route(o, "0.0.0.0", 0, 2));
  EXPECT_TRUE(has_route(o, "10.68.6.1", 32, 2));  // vipad's table 86
  EXPECT_TRUE(has_route(o, "2001:db8:99::", 48, 2));
  EXPECT_FALSE(has_route(o, "10.68.77.0", 24, 3)) << "a routing daemon's route was read";
}

// NETDEV_DOWN: the kernel drops the IPv4 routes through the link and sends only RTM_NEWLINK
// (the IPv6 ones go with an RTM_DELROUTE each).
TEST(KernelCacheFake, AdminDownFlushIsFollowedWithoutDelRoute) {
  Lab lab;
  lab.k.set_admin(2, false);
  ASSERT_TRUE(lab.pump().ok());
  EXPECT_FALSE(has_route(lab.cache.obs(), "0.0.0.0", 0, 2));
  EXPECT_FALSE(has_route(lab.cache.obs(), "10.68.100.0", 24, 2));
  EXPECT_FALSE(has_route(lab.cache.obs(), "2001:db8:99::", 48, 2));
  EXPECT_TRUE(has_route(lab.cache.obs(), "0.0.0.0", 0, 3));
  expect_true_to_the_kernel(lab);
}

// fib_del_ifaddr and, for the link's last IPv4 address, fib_disable_ip: silent flushes.
TEST(KernelCacheFake, AddressDeleteFlushIsFollowed) {
  Lab lab;
  lab.k.del_addr(addr(3, "10.68.5.1", 24));
  ASSERT_TRUE(lab.pump().ok());
  EXPECT_FALSE(has_route(lab.cache.obs(), "10.68.5.0", 24, 3));
  EXPECT_FALSE(has_route(lab.cache.obs(), "0.0.0.0", 0, 3)) << "en5 has no IPv4 address left";
  EXPECT_TRUE(has_route(lab.cache.obs(), "0.0.0.0", 0, 2));
  expect_true_to_the_kernel(lab);
}

// ENOBUFS: events were lost; what the daemon does next (a dump) restores the truth.
TEST(KernelCacheFake, OverrunThenDumpRestoresTheTruth) {
  Lab lab;
  lab.k.del_route(route("10.68.100.0", 24, 2, "10.68.1.2", nullptr, RTPROT_BOOT));
  lab.k.add_route(route("10.68.101.0", 24, 3, "10.68.5.2", nullptr, RTPROT_BOOT));
  lab.k.overrun();
  lab.k.set_admin(3, false);  // after the overrun: its event is lost too
  Status s = lab.pump();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().errnum, ENOBUFS);
  EXPECT_TRUE(has_route(lab.cache.obs(), "10.68.100.0", 24, 2)) << "stale until the dump";
  ASSERT_TRUE(lab.cache.dump_all(lab.k).ok());
  EXPECT_FALSE(has_route(lab.cache.obs(), "10.68.100.0", 24, 2));
  EXPECT_FALSE(has_route(lab.cache.obs(), "10.68.101.0", 24, 3)) << "flushed with en5";
  expect_true_to_the_kernel(lab);
}

// NLM_F_DUMP_INTR: the dump is redone from scratch, never half of one and all of the next.
TEST(KernelCacheFake, InterruptedDumpsAreRedone) {
  Lab lab;
  lab.k.interrupt_dumps = 3;
  int before = lab.k.dumps;
  ASSERT_TRUE(lab.cache.dump_all(lab.k).ok());
  EXPECT_GT(lab.k.dumps - before, 3);
  expect_true_to_the_kernel(lab);
  EXPECT_EQ(lab.cache.obs().links.size(), 2u);
  EXPECT_EQ(lab.cache.obs().addrs.size(), 3u);
}

// Before Linux 4.20 the kernel cannot filter route dumps: one whole dump, filtered here.
TEST(KernelCacheFake, KernelWithoutDumpFiltersIsFilteredHere) {
  Lab lab;
  lab.k.filters_dumps = false;
  ASSERT_TRUE(lab.cache.dump_all(lab.k).ok());
  EXPECT_FALSE(has_route(lab.cache.obs(), "10.68.77.0", 24, 3));
  EXPECT_TRUE(has_route(lab.cache.obs(), "10.68.6.1", 32, 2));
  lab.k.filters_dumps = true;
  expect_true_to_the_kernel(lab);
}

// `ip route replace` onto another route's slot: one RTM_NEWROUTE with NLM_F_REPLACE, no delete.
TEST(KernelCacheFake, ReplaceEventDropsTheSlotsOtherRoute) {
  Lab lab;
  lab.k.replace_route(route("0.0.0.0", 0, 3, "10.68.5.2", "10.68.6.1", kProtoVipa, 10));
  ASSERT_TRUE(lab.pump().ok());
  EXPECT_FALSE(has_route(lab.cache.obs(), "0.0.0.0", 0, 2));
  expect_true_to_the_kernel(lab);
}

// A bridge's AF_BRIDGE DELLINK means "left the bridge": the link and its routes stay.
TEST(KernelCacheFake, BridgePortEventsLeaveTheLinkAlone) {
  Lab lab;
  lab.k.bridge_port_event(2, RTM_DELLINK);
  lab.k.bridge_port_event(2, RTM_NEWLINK);
  ASSERT_TRUE(lab.pump().ok());
  EXPECT_EQ(lab.cache.obs().links.count(2), 1u);
  EXPECT_TRUE(has_route(lab.cache.obs(), "0.0.0.0", 0, 2));
  expect_true_to_the_kernel(lab);
}

}  // namespace
}  // namespace vipa
