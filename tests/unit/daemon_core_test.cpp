// The decisions the daemon used to make inline: which interfaces use a VIPA, the failover
// story and its hook states, the routes the kernel flushed with a VIPA address, and when the
// tables are read again. Each over a hand-built kernel view.
#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "config/config.h"
#include "core/failover_story.h"
#include "core/remembered_routes.h"
#include "core/resync_policy.h"
#include "core/vipa_ifaces.h"

namespace vipa {
namespace {

constexpr uint32_t kUp = IFF_UP | IFF_LOWER_UP;

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

Config config(std::string_view text) {
  auto c = parse_config_string(text, "t.conf");
  EXPECT_TRUE(c) << c.error().message;
  return c ? *c : Config{};
}

// lo; en1, en5, en6 up with carrier; vi0, a VIPA's link vipad has not tagged yet (adopt), and
// vd-web, a link vipad made (a Dynamic VIPA's).
Observed host() {
  Observed o;
  o.links[1] = {1, "lo", "", IFF_UP | IFF_LOOPBACK | IFF_LOWER_UP};
  o.links[2] = {2, "en1", "veth", kUp};
  o.links[3] = {3, "en5", "veth", kUp};
  o.links[4] = {4, "en6", "veth", kUp};
  o.links[5] = {5, "vi0", "dummy", kUp};
  o.links[6] = {6, "vd-web", "dummy", kUp, kLinkTag};
  return o;
}

constexpr std::string_view kAll = R"(
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
)";

// vi0 over en1 and en5; vi1 over en6 alone.
constexpr std::string_view kTwo = R"(
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
interface_names = ["en1", "en5"]

[vipa.vi1]
netaddr = "10.68.7.1"
netmask = "255.255.255.0"
interface_names = ["en6"]
)";

TEST(VipaInterfaces, NoneNamedMeansEveryPhysicalInterface) {
  Config all = config(kAll);
  Observed o = host();
  // Not loopback, not a VIPA's link, not a link vipad made.
  EXPECT_EQ(vipa_interfaces(all, o, all.vipas[0]), (std::vector<std::string>{"en1", "en5", "en6"}));
  Config two = config(kTwo);
  EXPECT_EQ(vipa_interfaces(two, o, two.vipas[0]), (std::vector<std::string>{"en1", "en5"}));
  EXPECT_EQ(vipa_interfaces(two, o, two.vipas[1]), (std::vector<std::string>{"en6"}));
}

TEST(VipaInterfaces, AliveNeedsIndexAdminAndCarrier) {
  EXPECT_TRUE(alive_link({2, "en1", "", kUp}));
  EXPECT_FALSE(alive_link({2, "en1", "", IFF_UP}));
  EXPECT_FALSE(alive_link({2, "en1", "", IFF_LOWER_UP}));
  EXPECT_FALSE(alive_link({0, "en1", "", kUp}));
}

TEST(FailoverStory, CarrierLossMovesToTheOtherInterface) {
  Config cfg = config(kTwo);
  Observed o = host();
  Link before = o.links[2];
  o.links[2].flags = IFF_UP;  // en1 lost carrier
  FailoverStory s = link_story(cfg, o, before, o.links[2], "T");
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].event, "link_down");
  EXPECT_EQ(s.events[0].vipa, "vi0");
  EXPECT_EQ(s.events[0].message, "en1 lost carrier");
  EXPECT_EQ(s.events[1].event, "failover");
  EXPECT_EQ(s.events[1].message, "en1 lost carrier; traffic now leaves through en5");
  EXPECT_EQ(s.events[1].extra["to"], "en5");
  ASSERT_EQ(s.failovers.size(), 1u);
  EXPECT_EQ(s.failovers[0].first, "vi0");
  EXPECT_EQ(s.failovers[0].second["time"], "T");
  EXPECT_EQ(s.failovers[0].second["reason"], "en1 lost carrier");
}

TEST(FailoverStory, LastInterfaceGoneIsAFailoverWithNowhereToGo) {
  Config cfg = config(kTwo);
  Observed o = host();
  Link before = o.links[4];
  o.links[4].flags = 0;  // en6 set down: vi1 has no interface left
  FailoverStory s = link_story(cfg, o, before, o.links[4], "T");
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].vipa, "vi1");
  EXPECT_EQ(s.events[0].message, "en6 was set down");
  EXPECT_EQ(s.events[1].message, "en6 was set down; no interface left for vi1");
  EXPECT_EQ(s.events[1].extra["to"], "");
  EXPECT_TRUE(s.failovers.empty());  // a failover record needs somewhere to go
}

TEST(FailoverStory, CarrierBackIsARestore) {
  Config cfg = config(kTwo);
  Observed o = host();
  Link before = o.links[2];
  before.flags = IFF_UP;
  FailoverStory s = link_story(cfg, o, before, o.links[2], "T");
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].event, "link_up");
  EXPECT_EQ(s.events[1].event, "restore");
  EXPECT_EQ(s.events[1].extra["to"], "en1");
  EXPECT_TRUE(s.failovers.empty());
}

TEST(FailoverStory, NothingToTellForNewLinksOrUnchangedLiveness) {
  Config cfg = config(kTwo);
  Observed o = host();
  EXPECT_TRUE(link_story(cfg, o, {}, o.links[2], "T").events.empty());  // a new link
  Link renamed = o.links[2];
  renamed.alias = "x";
  EXPECT_TRUE(link_story(cfg, o, o.links[2], renamed, "T").events.empty());
  // A VIPA that is down tells nothing.
  Config down = config(kTwo);
  down.vipas[0].state = VipaState::Down;
  Link before = o.links[2];
  o.links[2].flags = IFF_UP;
  EXPECT_TRUE(link_story(down, o, before, o.links[2], "T").events.empty());
}

TEST(FailoverStory, DeadGatewayFailsOverWhileAnotherInterfaceLives) {
  Config cfg = config(kTwo);
  Observed o = host();
  FailoverStory s = gateway_story(cfg, o, "en1", ip("10.68.1.2"), false, "no ARP reply", "T");
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[0].event, "gateway_dead");
  EXPECT_EQ(s.events[0].message, "gateway 10.68.1.2 on en1 is dead (no ARP reply)");
  EXPECT_EQ(s.events[0].extra["gateway"], "10.68.1.2");
  EXPECT_EQ(s.events[1].event, "failover");
  EXPECT_EQ(s.events[1].extra["to"], "en5");
  ASSERT_EQ(s.failovers.size(), 1u);
  EXPECT_EQ(s.failovers[0].second["reason"], "gateway 10.68.1.2 dead");

  s = gateway_story(cfg, o, "en1", ip("10.68.1.2"), true, "ARP reply", "T");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].event, "gateway_alive");
  EXPECT_EQ(s.events[0].message, "gateway 10.68.1.2 on en1 answers again (ARP reply)");
  EXPECT_TRUE(s.failovers.empty());
}

TEST(FailoverStory, DeadGatewayWithNoOtherInterfaceIsOnlyReported) {
  Config cfg = config(kTwo);
  Observed o = host();
  FailoverStory s = gateway_story(cfg, o, "en6", ip("10.68.16.2"), false, "timeout", "T");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].vipa, "vi1");
  EXPECT_TRUE(s.failovers.empty());
  o.links[3].flags = IFF_UP;  // en5 has no carrier: nowhere to go from en1 either
  s = gateway_story(cfg, o, "en1", ip("10.68.1.2"), false, "timeout", "T");
  ASSERT_EQ(s.events.size(), 1u);
  EXPECT_EQ(s.events[0].vipa, "vi0");
}

TEST(FailoverStory, HookStates) {
  EXPECT_EQ(hook_states("failover").old_state, "up");
  EXPECT_EQ(hook_states("link_down").new_state, "down");
  EXPECT_EQ(hook_states("restore").new_state, "up");
  EXPECT_EQ(hook_states("link_up").old_state, "down");
  EXPECT_EQ(hook_states("gateway_dead").new_state, "dead");
  EXPECT_EQ(hook_states("gateway_alive").new_state, "alive");
  EXPECT_EQ(hook_states("repair").old_state, "");
}

Route route(const char* dst, int len, uint8_t proto, const char* src, int oif = 2) {
  Route r;
  r.family = AF_INET;
  r.table = RT_TABLE_MAIN;
  r.dst = ip(dst);
  r.dst_len = len;
  r.protocol = proto;
  r.oif = oif;
  r.prefsrc = ip(src);
  return r;
}

TEST(RememberedRoutes, KeepsOthersRoutesThatUsedTheVipaAddress) {
  Config cfg = config(kTwo);
  Observed o = host();
  for (auto r : {route("10.68.50.0", 24, RTPROT_STATIC, "10.68.6.1"),   // remembered
                 route("10.68.51.0", 24, RTPROT_BOOT, "10.68.6.1"),     // remembered
                 route("10.68.52.0", 24, kProtoVipa, "10.68.6.1"),      // vipad's own
                 route("10.68.1.0", 24, RTPROT_KERNEL, "10.68.6.1"),    // the kernel's
                 route("10.68.53.0", 24, 186, "10.68.6.1"),             // bgp re-adds its own
                 route("10.68.54.0", 24, RTPROT_STATIC, "10.68.1.1")})  // another source
    o.routes[r.key()] = r;
  std::vector<Route> remembered;
  Address gone{AF_INET, 4, ip("10.68.6.1"), 24};
  remember_flushed_routes(cfg, o, gone, remembered);
  ASSERT_EQ(remembered.size(), 2u);
  remember_flushed_routes(cfg, o, gone, remembered);  // once only
  EXPECT_EQ(remembered.size(), 2u);

  // Not a VIPA address, or IPv6 (which flushes nothing): nothing remembered.
  std::vector<Route> none;
  remember_flushed_routes(cfg, o, {AF_INET, 2, ip("10.68.1.1"), 24}, none);
  remember_flushed_routes(cfg, o, {AF_INET6, 4, ip("2001:db8::1"), 64}, none);
  EXPECT_TRUE(none.empty());
}

TEST(RememberedRoutes, ForgottenOnceBackOrTheirInterfaceIsGone) {
  Observed o = host();
  Route back = route("10.68.50.0", 24, RTPROT_STATIC, "10.68.6.1");
  Route waiting = route("10.68.51.0", 24, RTPROT_STATIC, "10.68.6.1");
  Route orphan = route("10.68.52.0", 24, RTPROT_STATIC, "10.68.6.1", 99);
  o.routes[back.key()] = back;
  std::vector<Route> remembered{back, waiting, orphan};
  forget_settled_routes(o, remembered);
  ASSERT_EQ(remembered.size(), 1u);
  EXPECT_EQ(remembered[0].key(), waiting.key());
}

TEST(ResyncPolicy, FullDumpCoversRoutesAndAFailureAsksForAFullOne) {
  ResyncPolicy p;
  EXPECT_EQ(p.take(), ResyncPolicy::Dump::None);
  p.routes_stale();
  EXPECT_TRUE(p.pending());
  EXPECT_EQ(p.take(), ResyncPolicy::Dump::Routes);
  EXPECT_FALSE(p.pending());
  p.routes_stale();
  p.all_stale();
  EXPECT_EQ(p.take(), ResyncPolicy::Dump::Full);
  EXPECT_EQ(p.take(), ResyncPolicy::Dump::None);
  p.routes_stale();
  EXPECT_EQ(p.take(), ResyncPolicy::Dump::Routes);
  p.dump_failed();
  EXPECT_EQ(p.take(), ResyncPolicy::Dump::Full);
}

TEST(ResyncPolicy, LinkChanges) {
  Link up{2, "en1", "veth", kUp};
  Link down = up;
  down.flags = IFF_LOWER_UP;
  // Admin-down: the kernel drops the IPv4 routes silently.
  LinkChangeEffect e = link_change_effect(up, down, false);
  EXPECT_TRUE(e.dump_routes);
  EXPECT_FALSE(e.sysctls_stale);
  EXPECT_TRUE(e.converge);
  // Carrier loss: the routes stay (linkdown), no dump.
  Link nocarrier = up;
  nocarrier.flags = IFF_UP;
  e = link_change_effect(up, nocarrier, false);
  EXPECT_FALSE(e.dump_routes);
  EXPECT_TRUE(e.converge);
  // A new or renamed link needs its sysctls read again.
  EXPECT_TRUE(link_change_effect({}, up, false).sysctls_stale);
  Link renamed = up;
  renamed.name = "en9";
  EXPECT_TRUE(link_change_effect(up, renamed, false).sysctls_stale);
  // Same link, only statistics changed: nothing to do.
  e = link_change_effect(up, up, false);
  EXPECT_FALSE(e.dump_routes || e.sysctls_stale || e.converge);
  Link enslaved = up;
  enslaved.master = 7;
  EXPECT_TRUE(link_change_effect(up, enslaved, false).converge);
  e = link_change_effect(up, {}, true);
  EXPECT_TRUE(e.dump_routes && e.sysctls_stale && e.converge);
}

}  // namespace
}  // namespace vipa
