// Parsing of vipa.conf: the sample config, every value form, and each validation error with
// its exact FILE:LINE:COLUMN.
#include "config/config.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

namespace vipa {
namespace {

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}
Prefix pfx(const char* s) {
  return *Prefix::parse(s);
}

// The error message of parsing `text` as "t.conf", or "OK".
std::string err(std::string_view text) {
  auto c = parse_config_string(text, "t.conf");
  return c ? "OK" : c.error().message;
}

TEST(ConfigParse, SeedConfig) {
  auto c = parse_config_file(VIPA_TEST_DATA "/sample.conf");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->vipas.size(), 1u);
  const VipaConfig& v = c->vipas[0];
  EXPECT_EQ(v.name, "vi0");
  EXPECT_EQ(v.netaddr, ip("10.68.6.1"));
  EXPECT_EQ(v.netmask_len, 24);
  EXPECT_EQ(v.interface_names, (std::vector<std::string>{"en1", "en5"}));
  EXPECT_EQ(v.state, VipaState::Up);
  EXPECT_EQ(v.kind, LinkKind::Auto);
  EXPECT_EQ(v.advertise, Advertise::Host);
  EXPECT_FALSE(v.netaddr6);
  EXPECT_TRUE(v.alias4.empty());
  EXPECT_EQ(v.loc.str(), std::string(VIPA_TEST_DATA "/sample.conf:2:1"));

  ASSERT_EQ(c->routes.size(), 2u);
  EXPECT_EQ(c->routes[0].destination, (Prefix{IpAddr::v4(0), 0}));
  EXPECT_EQ(c->routes[0].family, AF_INET);
  EXPECT_EQ(c->routes[0].gateway, ip("10.68.1.2"));
  EXPECT_EQ(c->routes[0].metric, 10u);
  EXPECT_EQ(c->routes[0].loc.line, 9);
  EXPECT_EQ(c->routes[1].gateway, ip("10.68.5.2"));
  EXPECT_EQ(c->routes[1].metric, 20u);
  EXPECT_FALSE(c->routes[1].active_dgd);

  EXPECT_EQ(c->dgd.ping_time_ms, 100u);
  EXPECT_EQ(c->dgd.packets_lost, 3u);
  EXPECT_EQ(c->routing.daemon, "none");
  EXPECT_EQ(c->routing.table, 86u);
  EXPECT_EQ(c->daemon.metrics, "");
}

TEST(ConfigParse, EveryKey) {
  auto c = parse_config_file(VIPA_TEST_DATA "/full.conf");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->vipas.size(), 2u);
  const VipaConfig& v = c->vipas[0];
  EXPECT_EQ(v.interface_names, (std::vector<std::string>{"en1", "en5"}));
  EXPECT_EQ(v.state, VipaState::Down);
  EXPECT_EQ(v.alias4, (std::vector<Prefix>{pfx("10.68.6.2/24"), pfx("10.68.7.1/24")}));
  EXPECT_EQ(v.netaddr6, ip("2001:db8:6::1"));
  EXPECT_EQ(v.prefixlen, 64);
  EXPECT_EQ(v.alias6, (std::vector<Prefix>{pfx("2001:db8:6::2/64")}));
  EXPECT_EQ(v.kind, LinkKind::Ifb);
  EXPECT_EQ(v.advertise, Advertise::Subnet);
  EXPECT_EQ(v.notify, "/usr/local/bin/hook");
  EXPECT_EQ(c->vipas[1].name, "vi1");
  EXPECT_FALSE(c->vipas[1].netaddr);
  EXPECT_EQ(c->vipas[1].prefixlen, 48);

  ASSERT_EQ(c->routes.size(), 3u);
  const RouteConfig& r = c->routes[0];
  EXPECT_EQ(r.interface, "en1");
  EXPECT_TRUE(r.active_dgd);
  EXPECT_TRUE(r.multipath);
  EXPECT_EQ(r.track, (std::vector<IpAddr>{ip("10.68.200.1")}));
  EXPECT_EQ(c->routes[1].family, AF_INET6);
  EXPECT_TRUE(c->routes[1].destination->is_default());
  EXPECT_EQ(c->routes[2].destination, pfx("10.68.9.0/24"));
  EXPECT_FALSE(c->routes[2].gateway);

  EXPECT_EQ(c->dgd.ping_time_ms, 50u);
  EXPECT_EQ(c->dgd.packets_lost, 5u);
  EXPECT_EQ(c->dgd.retry_time_ms, 200u);
  EXPECT_TRUE(c->dgd.passive_dgd);
  EXPECT_EQ(c->routing.daemon, "frr");
  EXPECT_EQ(c->routing.table, 100u);
  EXPECT_EQ(c->routing.vtysh, "/usr/bin/vtysh");
  EXPECT_EQ(c->routing.birdc, "/usr/sbin/birdc");
  EXPECT_EQ(c->routing.daemon_args, (std::vector<std::string>{"--vty_socket", "/run/frr/ns1"}));
  EXPECT_EQ(c->daemon.metrics, "[::1]:9469");
}

TEST(ConfigParse, VipasKeepFileOrder) {
  auto c = parse_config_string(R"([vipa.vi9]
netaddr = "10.68.6.9"
interface_names = ["en9"]
[vipa.vi0]
netaddr = "10.68.6.1"
interface_names = ["en1"]
)",
                               "t.conf");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->vipas.size(), 2u);
  EXPECT_EQ(c->vipas[0].name, "vi9");
  EXPECT_EQ(c->vipas[1].name, "vi0");
  EXPECT_EQ(c->vipas[1].loc.str(), "t.conf:4:1");
}

TEST(ConfigParse, Defaults) {
  auto c = parse_config_string("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\n", "t.conf");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->vipas[0].netmask_len, 32);
  EXPECT_TRUE(c->vipas[0].interface_names.empty());
  EXPECT_EQ(c->vipas[0].state, VipaState::Up);
}

TEST(ConfigParse, EmptyConfigIsValid) {
  EXPECT_EQ(err(""), "OK");
}

TEST(ConfigParse, AixStringForms) {
  auto c = parse_config_string(R"([vipa.vi0]
netaddr = "10.68.6.1"
interface_names = "en1, en5"
alias4 = "10.68.6.2,255.255.255.0 10.68.6.3,255.255.255.128"
alias6 = "2001:db8::2/64"
)",
                               "t.conf");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->vipas[0].interface_names, (std::vector<std::string>{"en1", "en5"}));
  EXPECT_EQ(c->vipas[0].alias4, (std::vector<Prefix>{pfx("10.68.6.2/24"), pfx("10.68.6.3/25")}));
  EXPECT_EQ(c->vipas[0].alias6, (std::vector<Prefix>{pfx("2001:db8::2/64")}));
}

TEST(ConfigParse, EmptyInterfaceListMeansAll) {
  auto c =
      parse_config_string("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\ninterface_names = []\n", "t.conf");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->vipas[0].interface_names.empty());
}

TEST(ConfigParse, IPv6Destinations) {
  auto c = parse_config_string(R"([[route]]
destination = "::/0"
gateway = "2001:db8:1::2"
[[route]]
destination = "2001:db8:9::/48"
interface = "en1"
)",
                               "t.conf");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->routes[0].family, AF_INET6);
  EXPECT_TRUE(c->routes[0].destination->is_default());
  EXPECT_EQ(c->routes[1].destination, pfx("2001:db8:9::/48"));
}

TEST(ConfigParse, MissingFile) {
  auto c = parse_config_file("/nonexistent/vipa.conf");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "/nonexistent/vipa.conf: cannot read: No such file or directory");
}

// --- syntax, keys and types ---

TEST(ConfigErrors, TomlSyntax) {
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\n"),
            "t.conf:2:21: Error while parsing string: unescaped control characters other than "
            "TAB (U+0009) are explicitly prohibited");
}

TEST(ConfigErrors, DuplicateTable) {
  std::string e = err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\n[vipa.vi0]\n");
  EXPECT_EQ(e.rfind("t.conf:3:", 0), 0u) << e;
}

TEST(ConfigErrors, UnknownTopLevelKey) {
  EXPECT_EQ(err("\nfoo = 1\n"),
            "t.conf:2:1: unknown key 'foo' (expected vipa, route, dgd, routing, daemon, source or "
            "dvipa)");
  EXPECT_EQ(err("[vipas.vi0]\n"),
            "t.conf:1:2: unknown key 'vipas' (expected vipa, route, dgd, routing, daemon, source "
            "or dvipa)");
}

TEST(ConfigErrors, UnknownKeyInVipa) {
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\n  colour = \"red\"\n"),
            "t.conf:3:3: unknown key 'colour' in [vipa.vi0]");
}

TEST(ConfigErrors, UnknownKeyInRoute) {
  EXPECT_EQ(err("[[route]]\ndestination = \"default\"\ngateway = \"10.68.1.2\"\ncost = 1\n"),
            "t.conf:4:1: unknown key 'cost' in [[route]]");
}

TEST(ConfigErrors, UnknownKeyInSections) {
  EXPECT_EQ(err("[dgd]\nping_time = 100\n"), "t.conf:2:1: unknown key 'ping_time' in [dgd]");
  EXPECT_EQ(err("[routing]\nprotocol = \"frr\"\n"),
            "t.conf:2:1: unknown key 'protocol' in [routing]");
  EXPECT_EQ(err("[daemon]\nsocket = \"/x\"\n"), "t.conf:2:1: unknown key 'socket' in [daemon]");
}

TEST(ConfigErrors, DeletedOnlyInDropins) {
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\ndeleted = true\n"),
            "t.conf:3:1: unknown key 'deleted' in [vipa.vi0]");
}

TEST(ConfigErrors, WrongTypes) {
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = 10\n"),
            "t.conf:2:11: netaddr: expected a string, got an integer");
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\nprefixlen = 64.0\n"),
            "t.conf:3:13: prefixlen: expected an integer, got a float");
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\ninterface_names = 1\n"),
            "t.conf:3:19: interface_names: expected a string or an array of strings, got an "
            "integer");
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\ninterface_names = [\"en1\", 5]\n"),
            "t.conf:3:27: interface_names: expected a string, got an integer");
  EXPECT_EQ(err("[[route]]\ndestination = \"default\"\ngateway = \"10.68.1.2\"\nmetric = \"10\"\n"),
            "t.conf:4:10: metric: expected an integer, got a string");
  EXPECT_EQ(err("[[route]]\ndestination = \"default\"\ngateway = \"10.68.1.2\"\nactive_dgd = "
                "\"yes\"\n"),
            "t.conf:4:14: active_dgd: expected true or false, got a string");
  EXPECT_EQ(err("[dgd]\npassive_dgd = 1\n"),
            "t.conf:2:15: passive_dgd: expected true or false, got an integer");
  EXPECT_EQ(err("[routing]\ndaemon_args = \"-x\"\n"),
            "t.conf:2:15: daemon_args: expected an array of strings, got a string");
  EXPECT_EQ(err("[daemon]\nmetrics = 9469\n"),
            "t.conf:2:11: metrics: expected a string, got an integer");
}

TEST(ConfigErrors, WrongSectionShapes) {
  EXPECT_EQ(err("dgd = 5\n"), "t.conf:1:7: dgd: expected a [dgd] table, got an integer");
  EXPECT_EQ(err("vipa = \"vi0\"\n"), "t.conf:1:8: vipa: expected a [vipa] table, got a string");
  EXPECT_EQ(err("[route]\ndestination = \"default\"\n"),
            "t.conf:1:1: route: expected [[route]] tables, got a table");
  EXPECT_EQ(err("route = [1]\n"), "t.conf:1:10: route: expected a [[route]] table, got an integer");
  // The usual slip: the VIPA's settings directly under [vipa].
  EXPECT_EQ(err("[vipa]\nnetaddr = \"10.68.6.1\"\n"),
            "t.conf:2:11: netaddr: expected a [vipa.NAME] table (e.g. [vipa.vi0]), got a string");
}

// --- single values ---

TEST(ConfigErrors, BadAddress) {
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.300\"\n"),
            "t.conf:2:11: netaddr: '10.68.6.300' is not a valid IPv4 address");
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr6 = \"2001:db8::g\"\n"),
            "t.conf:2:12: netaddr6: '2001:db8::g' is not a valid IPv6 address");
  EXPECT_EQ(err("[[route]]\ndestination = \"default\"\ngateway = \"10.68.1\"\n"),
            "t.conf:3:11: gateway: '10.68.1' is not a valid IP address");
}

TEST(ConfigErrors, AddressFamilyOfField) {
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"2001:db8::1\"\n"),
            "t.conf:2:11: netaddr: '2001:db8::1' is an IPv6 address; use netaddr6");
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr6 = \"10.68.6.1\"\n"),
            "t.conf:2:12: netaddr6: '10.68.6.1' is an IPv4 address; use netaddr");
}

TEST(ConfigErrors, NotUnicast) {
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"224.0.0.1\"\n"),
            "t.conf:2:11: netaddr: 224.0.0.1 is not a unicast address");
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr6 = \"fe80::1\"\n"),
            "t.conf:2:12: netaddr6: fe80::1 is not a global unicast address");
}

TEST(ConfigErrors, Netmask) {
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\nnetmask = \"255.0.255.0\"\n"),
            "t.conf:3:11: netmask: 255.0.255.0 is not contiguous");
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\nnetmask = \"24\"\n"),
            "t.conf:3:11: netmask: '24' is not a dotted IPv4 netmask");
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\nnetmask = \"0.0.0.0\"\n"),
            "t.conf:3:11: netmask: 0.0.0.0 is not a usable VIPA netmask");
}

TEST(ConfigErrors, PrefixlenRange) {
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr6 = \"2001:db8::1\"\nprefixlen = 129\n"),
            "t.conf:3:13: prefixlen: 129 is out of range (1..128)");
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr6 = \"2001:db8::1\"\nprefixlen = 0\n"),
            "t.conf:3:13: prefixlen: 0 is out of range (1..128)");
}

TEST(ConfigErrors, Aliases) {
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\nalias4 = [\"10.68.6.2,255.255.0.255\"]\n"),
            "t.conf:3:11: alias4: 255.255.0.255 is not contiguous");
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\nalias4 = [\"2001:db8::2/64\"]\n"),
            "t.conf:3:11: alias4: '2001:db8::2/64' is not an IPv4 'address,netmask' pair");
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr6 = \"2001:db8::1\"\nalias6 = [\"2001:db8::2/129\"]\n"),
            "t.conf:3:11: alias6: '2001:db8::2/129' is not an IPv6 'address/length'");
}

TEST(ConfigErrors, EnumValues) {
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\nstate = \"sideways\"\n"),
            "t.conf:3:9: state: 'sideways' is not one of up, down, detach");
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\nkind = \"veth\"\n"),
            "t.conf:3:8: kind: 'veth' is not one of auto, dummy, ifb");
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\nadvertise = \"all\"\n"),
            "t.conf:3:13: advertise: 'all' is not one of host, subnet");
  EXPECT_EQ(err("[routing]\ndaemon = \"quagga\"\n"),
            "t.conf:2:10: daemon: 'quagga' is not one of frr, bird, none");
}

TEST(ConfigErrors, NotifyMustBeAbsolute) {
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\nnotify = \"hook.sh\"\n"),
            "t.conf:3:10: notify: 'hook.sh' is not an absolute path");
}

// --- VIPA rules ---

TEST(ConfigErrors, VipaNeedsAnAddress) {
  EXPECT_EQ(err("\n[vipa.vi0]\ninterface_names = [\"en1\"]\n"),
            "t.conf:2:1: [vipa.vi0] needs netaddr or netaddr6");
}

TEST(ConfigErrors, VipaNameMustBeIfname) {
  EXPECT_EQ(err("[vipa.\"vi/0\"]\nnetaddr = \"10.68.6.1\"\n"),
            "t.conf:1:1: VIPA name 'vi/0' is not a valid interface name (1..15 bytes, no '/', "
            "':' or blanks)");
  EXPECT_EQ(err("[vipa.averyveryverylongname]\nnetaddr = \"10.68.6.1\"\n"),
            "t.conf:1:1: VIPA name 'averyveryverylongname' is not a valid interface name "
            "(1..15 bytes, no '/', ':' or blanks)");
}

TEST(ConfigErrors, InterfaceNameInvalid) {
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\ninterface_names = [\"en1\", \"en 5\"]\n"),
            "t.conf:3:27: interface_names: 'en 5' is not a valid interface name");
}

TEST(ConfigErrors, InterfaceNameIsAVipa) {
  EXPECT_EQ(err(R"([vipa.vi0]
netaddr = "10.68.6.1"
interface_names = ["en1"]
[vipa.vi1]
netaddr = "10.68.7.1"
interface_names = ["en2", "vi0"]
)"),
            "t.conf:6:27: interface_names: 'vi0' is a VIPA, not a physical interface");
}

TEST(ConfigErrors, InterfaceListedTwiceInOneVipa) {
  EXPECT_EQ(err("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\ninterface_names = [\"en1\", \"en1\"]\n"),
            "t.conf:3:27: interface_names: 'en1' is listed twice");
}

TEST(ConfigErrors, DuplicateAddressAcrossVipas) {
  EXPECT_EQ(err(R"([vipa.vi0]
netaddr = "10.68.6.1"
interface_names = ["en1"]
[vipa.vi1]
netaddr = "10.68.7.1"
alias4 = ["10.68.7.2,255.255.255.0", "10.68.6.1,255.255.255.0"]
interface_names = ["en2"]
)"),
            "t.conf:6:38: alias4: 10.68.6.1 is already used by vi0 (netaddr)");
  EXPECT_EQ(err(R"([vipa.vi0]
netaddr6 = "2001:db8::1"
interface_names = ["en1"]
[vipa.vi1]
netaddr6 = "2001:db8::1"
interface_names = ["en2"]
)"),
            "t.conf:5:12: netaddr6: 2001:db8::1 is already used by vi0 (netaddr6)");
}

TEST(ConfigErrors, DuplicateAddressInOneVipa) {
  EXPECT_EQ(err(R"([vipa.vi0]
netaddr6 = "2001:db8::1"
alias6 = ["2001:db8::1/64"]
)"),
            "t.conf:3:11: alias6: 2001:db8::1 is already used by vi0 (netaddr6)");
}

TEST(ConfigErrors, InterfaceUsedByTwoVipas) {
  EXPECT_EQ(err(R"([vipa.vi0]
netaddr = "10.68.6.1"
interface_names = ["en1", "en5"]
[vipa.vi1]
netaddr = "10.68.7.1"
interface_names = "en2,en5"
)"),
            "t.conf:6:19: interface_names: en5 is already used by vi0");
}

TEST(ConfigErrors, TwoVipasForAllInterfaces) {
  EXPECT_EQ(err(R"([vipa.vi0]
netaddr = "10.68.6.1"
[vipa.vi1]
netaddr = "10.68.7.1"
)"),
            "t.conf:3:1: interface_names: vi1 would use all interfaces (empty interface_names), "
            "as vi0 already does");
}

TEST(ConfigErrors, AllInterfacesOverlapsAList) {
  EXPECT_EQ(err(R"([vipa.vi0]
netaddr = "10.68.6.1"
interface_names = ["en1"]
[vipa.vi1]
netaddr = "10.68.7.1"
interface_names = []
)"),
            "t.conf:6:19: interface_names: vi1 would use all interfaces (empty "
            "interface_names), overlapping vi0 (en1)");
  EXPECT_EQ(err(R"([vipa.vi0]
netaddr = "10.68.6.1"
[vipa.vi1]
netaddr = "10.68.7.1"
interface_names = ["en1"]
)"),
            "t.conf:5:20: interface_names: en1 is already used by vi0, which uses all "
            "interfaces (empty interface_names)");
}

// --- routes ---

TEST(ConfigErrors, RouteMissingDestination) {
  EXPECT_EQ(err("[[route]]\ngateway = \"10.68.1.2\"\n"),
            "t.conf:1:1: [[route]] is missing 'destination'");
}

TEST(ConfigErrors, RouteBadDestination) {
  EXPECT_EQ(err("[[route]]\ndestination = \"everywhere\"\n"),
            "t.conf:2:15: destination: 'everywhere' is not a prefix (e.g. 10.68.1.0/24) or "
            "default/default6");
}

TEST(ConfigErrors, RouteHostBitsSet) {
  EXPECT_EQ(err("[[route]]\ndestination = \"10.68.1.1/24\"\ngateway = \"10.68.5.2\"\n"),
            "t.conf:2:15: destination: 10.68.1.1/24 has host bits set (did you mean "
            "10.68.1.0/24?)");
}

TEST(ConfigErrors, RouteFamilyMismatch) {
  EXPECT_EQ(err("[[route]]\ndestination = \"default\"\ngateway = \"2001:db8::2\"\n"),
            "t.conf:3:11: gateway: 2001:db8::2 is IPv6 but destination default is IPv4 (use "
            "destination = \"default6\")");
  EXPECT_EQ(err("[[route]]\ndestination = \"2001:db8:9::/48\"\ngateway = \"10.68.1.2\"\n"),
            "t.conf:3:11: gateway: 10.68.1.2 is IPv4 but destination 2001:db8:9::/48 is IPv6");
}

TEST(ConfigErrors, RouteNeedsGatewayOrInterface) {
  EXPECT_EQ(err("\n[[route]]\ndestination = \"10.68.9.0/24\"\nmetric = 5\n"),
            "t.conf:2:1: [[route]] to 10.68.9.0/24 needs a gateway or an interface");
}

TEST(ConfigErrors, RouteLinkLocalGatewayNeedsInterface) {
  EXPECT_EQ(err("[[route]]\ndestination = \"default6\"\ngateway = \"fe80::1\"\n"),
            "t.conf:3:11: gateway: fe80::1 is link-local, so the route needs an interface");
}

TEST(ConfigErrors, RouteGatewayNotUnicast) {
  EXPECT_EQ(err("[[route]]\ndestination = \"default\"\ngateway = \"0.0.0.0\"\n"),
            "t.conf:3:11: gateway: 0.0.0.0 is not a unicast address");
}

TEST(ConfigErrors, RouteBadInterface) {
  EXPECT_EQ(err("[[route]]\ndestination = \"default\"\ninterface = \"en1/x\"\n"),
            "t.conf:3:13: interface: 'en1/x' is not a valid interface name");
}

TEST(ConfigErrors, RouteMetricRange) {
  EXPECT_EQ(err("[[route]]\ndestination = \"default\"\ngateway = \"10.68.1.2\"\nmetric = "
                "4294967296\n"),
            "t.conf:4:10: metric: 4294967296 is out of range (0..4294967295)");
  EXPECT_EQ(err("[[route]]\ndestination = \"default\"\ngateway = \"10.68.1.2\"\nmetric = -1\n"),
            "t.conf:4:10: metric: -1 is out of range (0..4294967295)");
}

TEST(ConfigErrors, DuplicateRoute) {
  EXPECT_EQ(err(R"([[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10
[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 20
[[route]]
destination = "0.0.0.0/0"
gateway = "10.68.1.2"
metric = 10
)"),
            "t.conf:9:1: duplicate [[route]]: default via 10.68.1.2 metric 10 is already "
            "defined at t.conf:1:1");
}

TEST(ConfigErrors, TrackFamily) {
  EXPECT_EQ(err(R"([[route]]
destination = "default"
gateway = "10.68.1.2"
active_dgd = true
track = ["10.68.200.1", "2001:db8::9"]
)"),
            "t.conf:5:25: track: 2001:db8::9 is IPv6 but the route is IPv4");
  EXPECT_EQ(err(R"([[route]]
destination = "default"
gateway = "10.68.1.2"
active_dgd = true
track = ["10.68.200"]
)"),
            "t.conf:5:10: track: '10.68.200' is not a valid IP address");
}

TEST(ConfigErrors, TrackNeedsActiveDgd) {
  EXPECT_EQ(err("[[route]]\ndestination = \"default\"\ngateway = \"10.68.1.2\"\ntrack = "
                "[\"10.68.200.1\"]\n"),
            "t.conf:4:9: track: needs active_dgd = true");
}

TEST(ConfigErrors, ActiveDgdNeedsGateway) {
  EXPECT_EQ(err("[[route]]\ndestination = \"10.68.9.0/24\"\ninterface = \"en1\"\nactive_dgd = "
                "true\n"),
            "t.conf:4:14: active_dgd: needs a gateway to probe");
}

// --- [dgd], [routing], [daemon] ---

TEST(ConfigErrors, DgdMinimums) {
  EXPECT_EQ(err("[dgd]\nping_time_ms = 5\n"),
            "t.conf:2:16: ping_time_ms: 5 is out of range (10..4294967295)");
  EXPECT_EQ(err("[dgd]\npackets_lost = 0\n"),
            "t.conf:2:16: packets_lost: 0 is out of range (1..4294967295)");
  EXPECT_EQ(err("[dgd]\nretry_time_ms = 9\n"),
            "t.conf:2:17: retry_time_ms: 9 is out of range (10..4294967295)");
}

TEST(ConfigErrors, RoutingTable) {
  EXPECT_EQ(err("[routing]\ntable = 254\n"),
            "t.conf:2:9: table: 254 is a kernel table (253 default, 254 main, 255 local); "
            "choose another");
  EXPECT_EQ(err("[routing]\ntable = 0\n"), "t.conf:2:9: table: 0 is out of range (1..4294967295)");
  EXPECT_EQ(err("[routing]\nvtysh = \"\"\n"), "t.conf:2:9: vtysh: must not be empty");
}

TEST(ConfigErrors, MetricsAddress) {
  const char* msg = "' is not ADDRESS:PORT (e.g. 127.0.0.1:9469 or [::1]:9469)";
  EXPECT_EQ(err("[daemon]\nmetrics = \"localhost:9469\"\n"),
            std::string("t.conf:2:11: metrics: 'localhost:9469") + msg);
  EXPECT_EQ(err("[daemon]\nmetrics = \"127.0.0.1\"\n"),
            std::string("t.conf:2:11: metrics: '127.0.0.1") + msg);
  EXPECT_EQ(err("[daemon]\nmetrics = \"::1:9469\"\n"),
            std::string("t.conf:2:11: metrics: '::1:9469") + msg);
  EXPECT_EQ(err("[daemon]\nmetrics = \"127.0.0.1:0\"\n"),
            std::string("t.conf:2:11: metrics: '127.0.0.1:0") + msg);
  EXPECT_EQ(err("[daemon]\nmetrics = \"127.0.0.1:9469\"\n"), "OK");
  EXPECT_EQ(err("[daemon]\nmetrics = \"\"\n"), "OK");
}

TEST(HostPort, Forms) {
  auto a = parse_host_port("127.0.0.1:9469");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->addr, ip("127.0.0.1"));
  EXPECT_EQ(a->port, 9469);
  auto b = parse_host_port("[::1]:80");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->addr, ip("::1"));
  EXPECT_EQ(b->port, 80);
  EXPECT_FALSE(parse_host_port("[127.0.0.1]:80"));
  EXPECT_FALSE(parse_host_port("[::1]80"));
  EXPECT_FALSE(parse_host_port("1.2.3.4:65536"));
  EXPECT_FALSE(parse_host_port(""));
}

TEST(Ifname, Rules) {
  EXPECT_TRUE(valid_ifname("vi0"));
  EXPECT_TRUE(valid_ifname("eth0.100"));
  EXPECT_TRUE(valid_ifname("abcdefghijklmno"));  // 15 bytes
  EXPECT_FALSE(valid_ifname("abcdefghijklmnop"));
  EXPECT_FALSE(valid_ifname(""));
  EXPECT_FALSE(valid_ifname("."));
  EXPECT_FALSE(valid_ifname(".."));
  EXPECT_FALSE(valid_ifname("a/b"));
  EXPECT_FALSE(valid_ifname("a b"));
  EXPECT_FALSE(valid_ifname("en1:1"));
  EXPECT_FALSE(valid_ifname(std::string_view("a\0b", 3)));
}

TEST(ToString, Enums) {
  EXPECT_STREQ(to_string(VipaState::Detach), "detach");
  EXPECT_STREQ(to_string(LinkKind::Ifb), "ifb");
  EXPECT_STREQ(to_string(Advertise::Subnet), "subnet");
  EXPECT_EQ((SourceLoc{"a.conf", 3, 7}).str(), "a.conf:3:7");
}

// vipactl builds configs in memory: same rules, and without a file the message has no
// location prefix.
TEST(ValidateConfig, InMemoryConfig) {
  Config c;
  VipaConfig a;
  a.name = "vi0";
  a.netaddr = ip("10.68.6.1");
  a.interface_names = {"en1"};
  VipaConfig b = a;
  b.name = "vi1";
  b.interface_names = {"en2"};
  c.vipas = {a, b};
  auto s = validate_config(c);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "netaddr: 10.68.6.1 is already used by vi0 (netaddr)");
  c.vipas[1].netaddr = ip("10.68.7.1");
  EXPECT_TRUE(validate_config(c));
  c.vipas[1].interface_names = {"en1"};
  s = validate_config(c);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "interface_names: en1 is already used by vi0");
}

TEST(ValidateConfig, ErrorPointsAtTableWhenValueHasNoLocation) {
  auto c = parse_config_file(VIPA_TEST_DATA "/sample.conf");
  ASSERT_TRUE(c);
  VipaConfig extra;
  extra.name = "vi1";
  extra.netaddr = ip("10.68.6.1");
  extra.interface_names = {"en2"};
  c->vipas.push_back(extra);
  auto s = validate_config(*c);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message, "netaddr: 10.68.6.1 is already used by vi0 (netaddr)");
  c->vipas[1].netaddr = ip("10.68.7.1");
  c->vipas[0].prefixlen = 200;
  s = validate_config(*c);
  ASSERT_FALSE(s);
  EXPECT_EQ(
      s.error().message,
      std::string(VIPA_TEST_DATA "/sample.conf:2:1: prefixlen: 200 is out of range (1..128)"));
}

}  // namespace
}  // namespace vipa
