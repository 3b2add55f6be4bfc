// The one model of what the kernel does besides a request (core/kernel_effects.h), and the one
// place originals are recorded (core/execute.h).
#include "core/kernel_effects.h"

#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "core/execute.h"
#include "fake_dataplane.h"

namespace vipa {
namespace {

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

Link link(int ifindex, bool up) {
  Link l;
  l.ifindex = ifindex;
  l.name = "en" + std::to_string(ifindex);
  l.flags = up ? IFF_UP | IFF_LOWER_UP : 0;
  return l;
}

Address addr(int ifindex, const char* cidr) {
  auto p = Prefix::parse(cidr);
  return Address{p->addr.family, ifindex, p->addr, p->len, 0, 0, {}};
}

Route via(const char* dst, int oif, const char* src = nullptr) {
  auto p = Prefix::parse(dst);
  Route r;
  r.family = p->addr.family;
  r.table = RT_TABLE_MAIN;
  r.dst = p->addr;
  r.dst_len = static_cast<uint8_t>(p->len);
  r.protocol = RTPROT_BOOT;
  r.type = RTN_UNICAST;
  r.oif = oif;
  if (src) r.prefsrc = ip(src);
  return r;
}

Route ecmp(const char* dst, std::vector<int> oifs) {
  Route r = via(dst, oifs[0]);
  for (int o : oifs) r.nexthops.push_back({o, {}});
  return r;
}

struct World {
  std::map<int, Link> links{{1, link(1, true)}, {2, link(2, true)}, {3, link(3, false)}};
  std::vector<Address> addrs{addr(1, "10.68.1.1/24"), addr(2, "10.68.5.1/24")};
  KernelView view() const { return {links, addrs}; }
};

TEST(KernelEffects, AdminDownFlushesRoutesWithNoNexthopLeftUp) {
  World w;
  w.links[1].flags &= ~IFF_UP;  // after the cause
  LinkDown c{1};
  EXPECT_EQ(route_fate(c, via("10.68.100.0/24", 1), w.view()), RouteFate::Flushed);
  EXPECT_EQ(route_fate(c, via("10.68.100.0/24", 2), w.view()), RouteFate::Kept);
  EXPECT_EQ(route_fate(c, ecmp("10.68.100.0/24", {1, 2}), w.view()), RouteFate::Kept)
      << "en2 still carries it";
  EXPECT_EQ(route_fate(c, ecmp("10.68.100.0/24", {2, 1}), w.view()), RouteFate::Kept)
      << "the link is not the first nexthop";
  EXPECT_EQ(route_fate(c, ecmp("10.68.100.0/24", {3, 1}), w.view()), RouteFate::Flushed)
      << "en3 was down already: no nexthop left";
  Route blackhole = via("10.68.100.0/24", 0);
  blackhole.type = RTN_BLACKHOLE;
  EXPECT_EQ(route_fate(c, blackhole, w.view()), RouteFate::Kept);
}

TEST(KernelEffects, DeletedLinkFlushesEveryRouteThroughItEcmpIncluded) {
  World w;
  w.links.erase(2);
  LinkGone c{2};
  EXPECT_EQ(route_fate(c, via("10.68.100.0/24", 2), w.view()), RouteFate::Flushed);
  EXPECT_EQ(route_fate(c, ecmp("10.68.100.0/24", {1, 2}), w.view()), RouteFate::Flushed)
      << "a nexthop other than the first";
  EXPECT_EQ(route_fate(c, via("10.68.100.0/24", 1), w.view()), RouteFate::Kept);
}

TEST(KernelEffects, RemovedIpv4AddressFlushesItsRoutesAndEveryRouteUsingItAsSource) {
  World w;
  Address vipa = addr(4, "10.68.6.1/24");
  w.addrs.push_back(addr(4, "10.68.6.9/24"));  // not the link's last IPv4 address
  AddrGone c{vipa};
  Route uses = via("10.68.100.0/24", 1, "10.68.6.1");
  EXPECT_EQ(route_fate(c, uses, w.view()), RouteFate::Flushed);
  Route other_table = uses;
  other_table.table = 100;
  EXPECT_EQ(route_fate(c, other_table, w.view()), RouteFate::Flushed) << "every table";
  EXPECT_EQ(route_fate(c, local_route_of(vipa), w.view()), RouteFate::Flushed);
  EXPECT_EQ(route_fate(c, *prefix_route_of(vipa), w.view()), RouteFate::Flushed);
  Route boot_same_prefix = *prefix_route_of(vipa);
  boot_same_prefix.protocol = RTPROT_BOOT;
  boot_same_prefix.prefsrc = {};
  EXPECT_EQ(route_fate(c, boot_same_prefix, w.view()), RouteFate::Kept)
      << "only the kernel's own prefix route is the address's";
  EXPECT_EQ(route_fate(c, via("10.68.100.0/24", 1, "10.68.1.1"), w.view()), RouteFate::Kept);
  // Still local on another link: the kernel flushes nothing that uses it.
  w.addrs.push_back(addr(2, "10.68.6.1/32"));
  EXPECT_EQ(route_fate(c, uses, w.view()), RouteFate::Kept);
}

TEST(KernelEffects, RemovedIpv4AddressLeavesAConnectedRouteWithAnotherSourceBehind) {
  World w;
  Address a = addr(2, "10.68.5.1/24");
  w.addrs = {addr(1, "10.68.1.1/24"), addr(2, "10.68.5.1/32")};  // the /32 stays
  AddrGone c{a};
  Route rewritten = *prefix_route_of(a);
  rewritten.prefsrc = ip("10.68.6.1");
  EXPECT_EQ(route_fate(c, rewritten, w.view()), RouteFate::Kept)
      << "fib_magic deletes the prefix route by its source too";
  EXPECT_EQ(route_fate(c, *prefix_route_of(a), w.view()), RouteFate::Flushed);
  EXPECT_EQ(route_fate(c, local_route_of(a), w.view()), RouteFate::Kept)
      << "10.68.5.1 is still local on the link, through the /32";
  w.addrs = {addr(1, "10.68.1.1/24"), addr(1, "10.68.5.1/32")};
  EXPECT_EQ(route_fate(c, local_route_of(a), w.view()), RouteFate::Flushed)
      << "the local route is the link's: the same address on another link does not keep it";
}

TEST(KernelEffects, LastIpv4AddressOfALinkGoneFlushesTheIpv4RoutesThroughIt) {
  World w;
  Address a = addr(2, "10.68.5.1/24");
  w.addrs = {addr(1, "10.68.1.1/24")};  // en2 has no IPv4 address left
  AddrGone c{a};
  EXPECT_EQ(route_fate(c, via("10.68.77.0/24", 2), w.view()), RouteFate::Flushed)
      << "an onlink route through en2 goes with its last address";
  EXPECT_EQ(route_fate(c, via("10.68.77.0/24", 1), w.view()), RouteFate::Kept);
  EXPECT_EQ(route_fate(c, ecmp("10.68.77.0/24", {2, 1}), w.view()), RouteFate::Kept)
      << "en1 still carries it";
  EXPECT_EQ(route_fate(c, ecmp("10.68.77.0/24", {2, 3}), w.view()), RouteFate::Flushed)
      << "en3 is down: no nexthop left";
  EXPECT_EQ(route_fate(c, via("2001:db8:77::/64", 2), w.view()), RouteFate::Kept)
      << "IPv6 does not depend on the link's IPv4 addresses";
  w.addrs.push_back(addr(2, "10.68.5.9/24"));
  EXPECT_EQ(route_fate(c, via("10.68.77.0/24", 2), w.view()), RouteFate::Kept)
      << "another IPv4 address is still on en2";
  w.addrs = {addr(1, "10.68.1.1/24"), addr(2, "2001:db8:5::1/64")};
  EXPECT_EQ(route_fate(c, via("10.68.77.0/24", 2), w.view()), RouteFate::Flushed)
      << "an IPv6 address does not keep IPv4 enabled";
}

TEST(KernelEffects, RemovedIpv6AddressClearsTheSourceOnlyOnRoutesThroughItsLink) {
  World w;
  Address a = addr(1, "2001:db8:1::1/64");
  AddrGone c{a};
  EXPECT_EQ(route_fate(c, via("2001:db8:100::/48", 1, "2001:db8:1::1"), w.view()),
            RouteFate::SourceCleared);
  EXPECT_EQ(route_fate(c, via("2001:db8:100::/48", 2, "2001:db8:1::1"), w.view()), RouteFate::Kept);
  EXPECT_EQ(route_fate(c, via("2001:db8:100::/48", 1, "2001:db8:1::2"), w.view()), RouteFate::Kept);
  EXPECT_EQ(route_fate(c, local_route_of(a), w.view()), RouteFate::Flushed);
}

TEST(KernelEffects, CausesOfOperations) {
  Observed obs;
  obs.links = World{}.links;
  obs.addrs = {addr(1, "10.68.1.1/24"), addr(1, "2001:db8:1::1/64"), addr(2, "10.68.5.1/24")};
  auto del = causes_of(Op{Op::DeleteLink{1, "en1"}, {}}, obs);
  ASSERT_EQ(del.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<AddrGone>(del[0]));
  EXPECT_TRUE(std::holds_alternative<AddrGone>(del[1]));
  ASSERT_TRUE(std::holds_alternative<LinkGone>(del[2]));
  EXPECT_EQ(std::get<LinkGone>(del[2]).ifindex, 1);
  auto down = causes_of(Op{Op::SetLink{2, "en2", false, {}}, {}}, obs);
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(std::get<LinkDown>(down[0]).ifindex, 2);
  EXPECT_TRUE(causes_of(Op{Op::SetLink{2, "en2", true, {}}, {}}, obs).empty());
  EXPECT_TRUE(causes_of(Op{Op::SetLink{3, "en3", false, {}}, {}}, obs).empty()) << "down already";
  auto gone = causes_of(Op{Op::DelAddr{addr(2, "10.68.5.1/24")}, {}}, obs);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(std::get<AddrGone>(gone[0]).addr.addr, ip("10.68.5.1"));
  EXPECT_TRUE(causes_of(Op{Op::AddRoute{via("10.68.100.0/24", 1)}, {}}, obs).empty());
}

TEST(KernelEffects, ApplyingToAnObservedTableReportsWhatChanged) {
  World w;
  std::map<RouteKey, Route> routes;
  for (Route r : {via("10.68.100.0/24", 1, "10.68.6.1"), via("10.68.101.0/24", 1),
                  ecmp("10.68.102.0/24", {2, 1})})
    routes[r.key()] = r;
  std::vector<Route> flushed;
  w.links.erase(1);
  auto changed = apply_kernel_effects(LinkGone{1}, routes, w.view(), &flushed);
  EXPECT_EQ(changed.size(), 3u);
  EXPECT_EQ(flushed.size(), 3u);
  EXPECT_TRUE(routes.empty());
}

// The fake kernel follows the same model: an ECMP route keeps living through an admin-down
// nexthop and dies with a deleted one.
TEST(KernelEffects, FakeKernelFollowsTheModel) {
  test::FakeKernel k;
  test::build_sample_host(k);
  k.add_link("en9", "veth");
  k.add_addr("en9", "10.68.9.1/24");
  Route r;
  r.family = AF_INET;
  r.dst = ip("10.68.100.0");
  r.dst_len = 24;
  r.table = RT_TABLE_MAIN;
  r.type = RTN_UNICAST;
  r.protocol = RTPROT_BOOT;
  r.oif = k.by_name("en5")->ifindex;
  r.nexthops = {{k.by_name("en5")->ifindex, {}}, {k.by_name("en9")->ifindex, {}}};
  ASSERT_EQ(k.add_route(r), 0);
  RouteKey key = r.key();
  Observed obs = k.observe();
  int en9 = k.by_name("en9")->ifindex;
  ASSERT_TRUE(k.apply(Op{Op::SetLink{en9, "en9", false, {}}, {}}, obs).ok());
  EXPECT_TRUE(k.find_route(key)) << "en5 still carries it";
  EXPECT_TRUE(obs.routes.count(key));
  ASSERT_TRUE(k.apply(Op{Op::DeleteLink{en9, "en9"}, {}}, obs).ok());
  EXPECT_FALSE(k.find_route(key));
  EXPECT_FALSE(obs.routes.count(key)) << "the echo tells";
}

// A dataplane that keeps count, and can refuse to save.
struct Recording : test::FakeKernel {
  int saves = 0;
  bool save_fails = false;
  Status save_originals(const Observed&) override {
    ++saves;
    if (save_fails) return Error::msg("disk full");
    return Ok{};
  }
};

TEST(Execute, RecordsAndSavesTheOriginalBeforeTheChange) {
  Recording k;
  test::build_sample_host(k);
  k.add_link("vi0", "dummy");
  k.add_addr("vi0", "10.68.6.1/24");
  Route r;
  r.family = AF_INET;
  r.dst = ip("10.68.100.0");
  r.dst_len = 24;
  r.table = RT_TABLE_MAIN;
  r.type = RTN_UNICAST;
  r.protocol = RTPROT_BOOT;
  r.gateway = ip("10.68.1.2");
  r.oif = k.by_name("en1")->ifindex;
  r.prefsrc = ip("10.68.1.1");
  ASSERT_EQ(k.add_route(r), 0);
  Observed obs = k.observe();
  const Route old = obs.routes.at(r.key());
  Route to = old;
  to.prefsrc = ip("10.68.6.1");
  Op op{Op::ReplaceRoute{to, old, false}, "VIPA source"};

  k.save_fails = true;
  EXPECT_FALSE(execute(k, op, obs).ok());
  EXPECT_TRUE(obs.prefsrc_originals.empty());
  EXPECT_EQ(k.find_route(r.key())->prefsrc, ip("10.68.1.1")) << "nothing changed unrecorded";

  k.save_fails = false;
  ASSERT_TRUE(execute(k, op, obs).ok());
  EXPECT_EQ(obs.prefsrc_originals.at(r.key()), ip("10.68.1.1"));
  EXPECT_EQ(k.find_route(r.key())->prefsrc, ip("10.68.6.1"));
  int saves = k.saves;

  // Giving the source back forgets the original, and says so to the store.
  Route now = obs.routes.at(r.key());
  Route back = now;
  back.prefsrc = ip("10.68.1.1");
  ASSERT_TRUE(execute(k, Op{Op::ReplaceRoute{back, now, false}, {}}, obs).ok());
  EXPECT_TRUE(obs.prefsrc_originals.empty());
  EXPECT_GT(k.saves, saves);
}

TEST(Execute, SysctlOriginalRecordedOnceAndForgottenOnRestore) {
  Recording k;
  test::build_sample_host(k);
  Observed obs = k.observe();
  std::string rp = "/proc/sys/net/ipv4/conf/en1/rp_filter";
  k.read_sysctls({rp}, obs);
  ASSERT_TRUE(execute(k, Op{Op::SetSysctl{rp, "2", false}, {}}, obs).ok());
  EXPECT_EQ(obs.sysctl_originals.at(rp), "1");
  ASSERT_TRUE(execute(k, Op{Op::SetSysctl{rp, "0", false}, {}}, obs).ok());
  EXPECT_EQ(obs.sysctl_originals.at(rp), "1") << "the first value is the original";
  ASSERT_TRUE(execute(k, Op{Op::SetSysctl{rp, "1", true}, {}}, obs).ok());
  EXPECT_TRUE(obs.sysctl_originals.empty());
  EXPECT_EQ(k.sysctls.at(rp), "1");
  EXPECT_FALSE(execute(k, Op{Op::SetSysctl{"/proc/sys/none", "1", false}, {}}, obs).ok());
}

TEST(Execute, RewritesRecordAllOriginalsInOneSave) {
  Recording k;
  test::build_sample_host(k);
  k.add_link("vi0", "dummy");
  k.add_addr("vi0", "10.68.6.1/24");
  std::vector<SourceRewrite> rw;
  for (int i = 0; i < 3; ++i) {
    Route r;
    r.family = AF_INET;
    r.dst = ip(("10.68.10" + std::to_string(i) + ".0").c_str());
    r.dst_len = 24;
    r.table = RT_TABLE_MAIN;
    r.type = RTN_UNICAST;
    r.protocol = RTPROT_BOOT;
    r.oif = k.by_name("en1")->ifindex;
    r.prefsrc = ip("10.68.1.1");
    ASSERT_EQ(k.add_route(r), 0);
    rw.push_back({r.key(), ip("10.68.6.1"), false});
  }
  Observed obs = k.observe();
  std::vector<std::pair<size_t, Error>> failed;
  EXPECT_EQ(execute_rewrites(k, rw, obs, failed), 3u);
  EXPECT_TRUE(failed.empty());
  EXPECT_EQ(k.saves, 1);
  EXPECT_EQ(obs.prefsrc_originals.size(), 3u);

  // The originals are known already: nothing new to save, so a store that fails stops nothing.
  k.save_fails = true;
  k.add_addr("vi0", "10.68.6.2/24");
  for (auto& w : rw) w.src = ip("10.68.6.2");
  EXPECT_EQ(execute_rewrites(k, rw, obs, failed), 3u);
  EXPECT_EQ(k.saves, 1);
  // A fresh start that must record them and cannot: nothing changes.
  Observed fresh = k.observe();
  for (auto& w : rw) w.src = ip("10.68.6.1");
  EXPECT_EQ(execute_rewrites(k, rw, fresh, failed), 0u);
  EXPECT_EQ(failed.size(), 3u);
  EXPECT_TRUE(fresh.prefsrc_originals.empty());
}

}  // namespace
}  // namespace vipa
