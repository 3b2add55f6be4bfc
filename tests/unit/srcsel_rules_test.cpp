// The pure side of [[source]]: which rules serve, the policy rules and tables they become,
// the precedence of `vipactl source test`, and the cgroup and mount parsers.
#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "config/config.h"
#include "srcsel/cgroup_paths.h"
#include "srcsel/source_rules.h"

namespace vipa::srcsel {
namespace {

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

constexpr const char* kConf = R"([vipa.vi0]
netaddr = "10.68.6.1"
netaddr6 = "2001:db8:6::1"
interface_names = ["en1"]
[vipa.vi1]
netaddr = "10.68.7.1"
netaddr6 = "2001:db8:7::1"
interface_names = ["en7"]
[vipa.vi2]
netaddr = "10.68.8.1"
interface_names = ["en8"]
[[source]]
unit = "db.service"
vipa = "vi1"
[[source]]
cgroup = "/system.slice/db.service/worker"
vipa = "vi2"
[[source]]
user = "1000-1999"
vipa = "vi2"
[[source]]
user = "1500"
vipa = "vi1"
[[source]]
destination = "192.0.2.0/24"
vipa = "vi1"
[[source]]
destination = "192.0.2.128/25"
vipa = "vi2"
)";

struct World {
  Config cfg;
  Observed obs;
  World() {
    auto c = parse_config_string(kConf, "t.conf");
    EXPECT_TRUE(c) << c.error().message;
    cfg = *c;
    obs.links[1] = Link{1, "lo", "", IFF_UP | IFF_LOOPBACK | IFF_LOWER_UP, ""};
    obs.links[2] = Link{2, "en1", "veth", IFF_UP | IFF_LOWER_UP, ""};
    obs.links[10] = Link{10, "vi0", "dummy", IFF_UP | IFF_LOWER_UP, kLinkTag};
    obs.links[11] = Link{11, "vi1", "dummy", IFF_UP | IFF_LOWER_UP, kLinkTag};
    obs.links[12] = Link{12, "vi2", "dummy", IFF_UP | IFF_LOWER_UP, kLinkTag};
    add_addr(10, "10.68.6.1");
    add_addr(10, "2001:db8:6::1");
    add_addr(11, "10.68.7.1");
    add_addr(11, "2001:db8:7::1");
    add_addr(12, "10.68.8.1");
    add_route(route("0.0.0.0", 0, 2, "10.68.1.2", "10.68.6.1"));
    add_route(route("10.68.1.0", 24, 2, "", "10.68.6.1"));
  }
  void add_addr(int ifindex, const char* a) {
    IpAddr x = ip(a);
    obs.addrs.push_back(Address{x.family, ifindex, x, x.is_v4() ? 32 : 128, 0, 0});
  }
  static Route route(const char* dst, int len, int oif, const char* gw, const char* src) {
    Route r;
    r.dst = ip(dst);
    r.family = r.dst.family;
    r.dst_len = static_cast<uint8_t>(len);
    r.table = RT_TABLE_MAIN;
    r.type = RTN_UNICAST;
    r.protocol = RTPROT_STATIC;
    r.oif = oif;
    if (*gw) r.gateway = ip(gw);
    r.prefsrc = ip(src);
    return r;
  }
  void add_route(const Route& r) { obs.routes[r.key()] = r; }
  Desired desired() const {
    Desired d;
    d.src4_by_oif[2] = ip("10.68.6.1");
    d.src6_by_oif[2] = ip("2001:db8:6::1");
    return d;
  }
};

TEST(SourceRules, StatesFollowTheVipa) {
  World w;
  auto st = rule_states(w.cfg, w.obs);
  ASSERT_EQ(st.size(), 6u);
  EXPECT_TRUE(st[0].active());
  EXPECT_EQ(st[0].v4, ip("10.68.7.1"));
  EXPECT_EQ(st[0].v6, ip("2001:db8:7::1"));
  EXPECT_EQ(st[1].v6, IpAddr{});  // vi2 has no IPv6 address
  EXPECT_EQ(st[4].v6, IpAddr{});  // an IPv4 destination takes the IPv4 address only
  // vi1 down: its rules stop, and say why.
  w.cfg.vipas[1].state = VipaState::Down;
  st = rule_states(w.cfg, w.obs);
  EXPECT_FALSE(st[0].active());
  EXPECT_EQ(st[0].suspended, "vi1 is down");
  w.cfg.vipas[1].state = VipaState::Detach;
  EXPECT_EQ(rule_states(w.cfg, w.obs)[0].suspended, "vi1 is detached");
  // Up in the config, but its address is not on the link (yet): not served either.
  w.cfg.vipas[1].state = VipaState::Up;
  std::erase_if(w.obs.addrs, [](const Address& a) { return a.ifindex == 11; });
  EXPECT_EQ(rule_states(w.cfg, w.obs)[0].suspended, "vi1 does not hold its address yet");
}

TEST(SourceRules, PolicyRulesInPrecedenceOrder) {
  World w;
  auto rules = desired_fib_rules(rule_states(w.cfg, w.obs));
  std::vector<std::string> got;
  for (auto& r : rules) got.push_back(r.str());
  EXPECT_EQ(got, (std::vector<std::string>{
                     "32000: inet uidrange 1500-1500 from all lookup 8603",
                     "32001: inet uidrange 1000-1999 from all lookup 8602",
                     "32307: inet to 192.0.2.128/25 lookup 8605",
                     "32308: inet to 192.0.2.0/24 lookup 8604",
                     "32000: inet6 uidrange 1500-1500 from all lookup 8603",
                 }));
}

TEST(SourceRules, TablesMirrorTheMainTable) {
  World w;
  // A route through an interface that uses no VIPA keeps its own source: a throw.
  w.obs.links[3] = Link{3, "mgmt", "veth", IFF_UP | IFF_LOWER_UP, ""};
  w.add_route(World::route("172.16.0.0", 12, 3, "", "172.16.0.5"));
  w.add_route(World::route("192.0.2.0", 24, 2, "10.68.1.3", "10.68.6.1"));
  Desired d = w.desired();
  add_source_tables(w.cfg, w.obs, d);
  std::map<uint32_t, std::vector<std::string>> by_table;
  for (auto& [k, r] : d.owned) by_table[r.table].push_back(route_to_string(r));
  // The user rule's table: every main route, with vi2's address.
  ASSERT_EQ(by_table[8602].size(), 4u);
  for (auto& [k, r] : d.owned) {
    if (r.table != 8602) continue;
    EXPECT_EQ(r.protocol, kProtoVipa);
    if (r.dst_len == 12)
      EXPECT_EQ(r.type, RTN_THROW) << route_to_string(r);
    else
      EXPECT_EQ(r.prefsrc, ip("10.68.8.1")) << route_to_string(r);
  }
  // A destination rule's table: only the routes that overlap its prefix.
  ASSERT_EQ(by_table[8604].size(), 2u) << ::testing::PrintToString(by_table[8604]);
  for (auto& line : by_table[8604]) EXPECT_NE(line.find("src 10.68.7.1"), std::string::npos);
  // vi1 down: its rules' tables go.
  w.cfg.vipas[1].state = VipaState::Down;
  Desired d2 = w.desired();
  add_source_tables(w.cfg, w.obs, d2);
  for (auto& [k, r] : d2.owned) EXPECT_NE(r.table, 8603u);
  for (auto& [k, r] : d2.owned) EXPECT_NE(r.table, 8604u);
}

TEST(SourceRules, DecidePrecedence) {
  World w;
  auto st = rule_states(w.cfg, w.obs);
  std::map<size_t, std::string> cg = {{0, "system.slice/db.service"},
                                      {1, "system.slice/db.service/worker"}};
  auto src = [&](std::optional<std::string> cgroup, std::optional<uint32_t> uid, const char* dst) {
    return decide(st, cg, Identity{cgroup, uid}, ip(dst), w.obs).source.str();
  };
  // 2. unit or cgroup, the deepest first.
  EXPECT_EQ(src("system.slice/db.service", 1500, "192.0.2.200"), "10.68.7.1");
  EXPECT_EQ(src("system.slice/db.service/worker/x", 1500, "192.0.2.200"), "10.68.8.1");
  EXPECT_EQ(src("system.slice/db.service", std::nullopt, "2001:db8:99::1"), "2001:db8:7::1");
  // 3. user, the narrowest range first.
  EXPECT_EQ(src("user.slice", 1500, "192.0.2.1"), "10.68.7.1");
  EXPECT_EQ(src("user.slice", 1001, "192.0.2.1"), "10.68.8.1");
  // 4. destination, the longest prefix first.
  EXPECT_EQ(src(std::nullopt, 0, "192.0.2.1"), "10.68.7.1");
  EXPECT_EQ(src(std::nullopt, 0, "192.0.2.200"), "10.68.8.1");
  // 5. the interface's VIPA, from the route.
  Decision d = decide(st, cg, Identity{std::nullopt, 0}, ip("198.51.100.1"), w.obs);
  EXPECT_EQ(d.source, ip("10.68.6.1"));
  EXPECT_EQ(d.mechanism, "route");
  EXPECT_EQ(d.rule, -1);
  // Loopback keeps the kernel's choice even inside the unit.
  EXPECT_EQ(src("system.slice/db.service", 1500, "127.0.0.1"), "");
  // The deepest cgroup rule has no IPv6 address: no bind; the user rule decides.
  EXPECT_EQ(src("system.slice/db.service/worker", 1500, "2001:db8:99::1"), "2001:db8:7::1");
  EXPECT_EQ(
      decide(st, cg, Identity{"system.slice/db.service/worker", 1500}, ip("2001:db8:99::1"), w.obs)
          .mechanism,
      "ip rule");
}

TEST(CgroupPaths, UnitsAsSystemdNamesThem) {
  EXPECT_EQ(unit_cgroup_path("postgresql.service"), "system.slice/postgresql.service");
  EXPECT_EQ(unit_cgroup_path("getty@tty1.service"),
            "system.slice/system-getty.slice/getty@tty1.service");
  EXPECT_EQ(unit_cgroup_path("app.slice"), "app.slice");
  EXPECT_EQ(unit_cgroup_path("a-b-c.slice"), "a.slice/a-b.slice/a-b-c.slice");
  EXPECT_EQ(unit_cgroup_path("-.slice"), "");
  EXPECT_TRUE(cgroup_within("a/b/c", "a/b"));
  EXPECT_TRUE(cgroup_within("a/b", "a/b"));
  EXPECT_FALSE(cgroup_within("a/bc", "a/b"));
  EXPECT_TRUE(cgroup_within("a", ""));
}

TEST(CgroupPaths, Mountinfo) {
  const char* hybrid =
      "25 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
      "30 25 0:26 / /sys/fs/cgroup ro - tmpfs tmpfs ro\n"
      "31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
      "32 30 0:28 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
  EXPECT_EQ(parse_mountinfo(hybrid).cgroup2, "/sys/fs/cgroup/unified");
  EXPECT_EQ(parse_mountinfo(hybrid).bpffs, "");
  const char* pure =
      "30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n"
      "40 25 0:30 / /sys/fs/bpf rw - bpf bpf rw,mode=700\n";
  EXPECT_EQ(parse_mountinfo(pure).cgroup2, "/sys/fs/cgroup");
  EXPECT_EQ(parse_mountinfo(pure).bpffs, "/sys/fs/bpf");
  EXPECT_EQ(parse_mountinfo("garbage\n\n - \n").cgroup2, "");
}

TEST(CgroupPaths, ProcFiles) {
  EXPECT_EQ(parse_proc_cgroup("4:memory:/x\n0::/system.slice/db.service\n"),
            "system.slice/db.service");
  EXPECT_EQ(parse_proc_cgroup("0::/\n"), "");
  EXPECT_FALSE(parse_proc_cgroup("1:cpu:/\n"));
  EXPECT_EQ(parse_status_fsuid("Name:\tx\nUid:\t1000\t1000\t1000\t1001\nGid:\t1\t1\t1\t1\n"),
            1001u);
  EXPECT_FALSE(parse_status_fsuid("Uid:\t1\n"));
}

}  // namespace
}  // namespace vipa::srcsel
