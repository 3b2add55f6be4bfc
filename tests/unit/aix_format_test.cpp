// Golden tests of vipactl's output against IBM's sample (tests/data/ctl/*.golden): vi0 10.68.6.1/24
// over en1 10.68.1.1/24 and en5 10.68.5.1/24, default via 10.68.1.2 and 10.68.5.2.
#include "vipactl/format/aix_format.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace vipa::ctl {
namespace {

using nlohmann::json;

std::string read_data(const std::string& name) {
  std::ifstream in(std::string(VIPA_TEST_DATA) + "/ctl/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json read_json(const std::string& name) {
  return json::parse(read_data(name));
}

TEST(AixFormat, LsattrSeed) {
  EXPECT_EQ(format_lsattr(read_json("sample_show_vi0.json")), read_data("lsattr_vi0.golden"));
}

TEST(AixFormat, LsattrOneAttributeKeepsTheAttributeColumn) {
  EXPECT_EQ(format_lsattr(read_json("sample_show_vi0.json"), "netaddr"),
            read_data("lsattr_vi0_netaddr.golden"));
}

TEST(AixFormat, LsattrAliasesAndIpv6) {
  EXPECT_EQ(format_lsattr(read_json("failover_show_vi0.json")),
            read_data("lsattr_failover.golden"));
}

TEST(AixFormat, LsattrLegalValues) {
  EXPECT_EQ(format_lsattr_legal("state"), read_data("lsattr_R_state.golden"));
  EXPECT_EQ(format_lsattr_legal("prefixlen"), "1...128 (+1)\n");
  EXPECT_NE(format_lsattr_legal("netmask").find("255.255.255.0"), std::string::npos);
  EXPECT_EQ(format_lsattr_legal("mtu"), "");
}

TEST(AixFormat, AttributeNamesInSeedOrder) {
  std::vector<std::string_view> want = {"netaddr", "state",     "netmask", "netaddr6",
                                        "alias6",  "prefixlen", "alias4",  "interface_names"};
  EXPECT_EQ(aix_attribute_names(), want);
  EXPECT_TRUE(is_aix_attribute("alias4"));
  EXPECT_FALSE(is_aix_attribute("mtu"));
}

TEST(AixFormat, IfconfigSeed) {
  EXPECT_EQ(format_ifconfig(read_json("sample_show_vi0.json")), read_data("ifconfig_vi0.golden"));
}

TEST(AixFormat, IfconfigDownWithAliasesListsEveryInterface) {
  EXPECT_EQ(format_ifconfig(read_json("failover_show_vi0.json")),
            read_data("ifconfig_failover.golden"));
}

TEST(AixFormat, IfconfigFlagsFollowLiveState) {
  json v = read_json("sample_show_vi0.json");
  v["state"] = "down";
  v["link_up"] = false;
  EXPECT_EQ(format_ifconfig(v).substr(0, 31), "vi0: flags=84000000<64BIT>\n    ");
  v["state"] = "up";
  v["link_up"] = false;  // administratively up but the kernel link is not: no UP, no RUNNING
  EXPECT_EQ(format_ifconfig(v).substr(0, 26), "vi0: flags=84000000<64BIT>");
  v["state"] = "down";
  v["link_up"] = true;
  EXPECT_EQ(format_ifconfig(v).substr(0, 34), "vi0: flags=84000040<RUNNING,64BIT>");
}

TEST(AixFormat, IfconfigNetmaskFromDottedWhenNoPrefixlen4) {
  json v = read_json("sample_show_vi0.json");
  v.erase("prefixlen4");
  v["netmask"] = "255.255.0.0";
  EXPECT_NE(format_ifconfig(v).find("inet 10.68.6.1 netmask 0xffff0000\n"), std::string::npos);
}

TEST(AixFormat, AbbreviatedDestinations) {
  EXPECT_EQ(abbreviate_destination("10.68.1.0", 24), "10.68.1/24");
  EXPECT_EQ(abbreviate_destination("127.0.0.0", 8), "127/8");
  EXPECT_EQ(abbreviate_destination("10.0.0.0", 8), "10/8");
  EXPECT_EQ(abbreviate_destination("0.0.0.0", 0), "default");
  EXPECT_EQ(abbreviate_destination("default", 0), "default");
  EXPECT_EQ(abbreviate_destination("10.68.6.1", 32), "10.68.6.1");
  EXPECT_EQ(abbreviate_destination("10.0.0.0", 32), "10.0.0.0");
  EXPECT_EQ(abbreviate_destination("10.68.1.128", 25), "10.68.1.128/25");
  EXPECT_EQ(abbreviate_destination("192.168.0.0", 16), "192.168/16");
  EXPECT_EQ(abbreviate_destination("0.0.0.0", 8), "0/8");
  EXPECT_EQ(abbreviate_destination("::", 0), "default");
  EXPECT_EQ(abbreviate_destination("::1", 128), "::1");
  EXPECT_EQ(abbreviate_destination("fe80::", 64), "fe80::/64");
}

TEST(AixFormat, NetstatSeed) {
  EXPECT_EQ(format_netstat(read_json("sample_routes.json"), RouteFamily::kAll),
            read_data("netstat_rn.golden"));
  EXPECT_EQ(format_netstat(read_json("sample_routes.json"), RouteFamily::kInet),
            read_data("netstat_rn_inet.golden"));
}

TEST(AixFormat, NetstatFlags) {
  json routes = {{"routes", json::array()}};
  auto add = [&](json r) { routes["routes"].push_back(r); };
  add({{"family", "inet"},
       {"table", "main"},
       {"type", "unicast"},
       {"destination", "10.1.0.0"},
       {"prefixlen", 16},
       {"gateway", "10.68.1.2"},
       {"interface", "en1"},
       {"protocol", "static"},
       {"flags", {"linkdown"}}});
  add({{"family", "inet"},
       {"table", "main"},
       {"type", "unicast"},
       {"destination", "10.2.0.7"},
       {"prefixlen", 32},
       {"gateway", "10.68.1.2"},
       {"interface", "en1"},
       {"protocol", "redirect"}});
  add({{"family", "inet"},
       {"table", "main"},
       {"type", "unreachable"},
       {"destination", "10.3.0.0"},
       {"prefixlen", 16},
       {"gateway", ""},
       {"interface", ""},
       {"protocol", "boot"}});
  add({{"family", "inet"},
       {"table", "86"},
       {"type", "unicast"},
       {"destination", "10.4.0.0"},
       {"prefixlen", 16},
       {"gateway", "10.68.1.2"},
       {"interface", "en1"}});
  add({{"family", "inet6"},
       {"table", "main"},
       {"type", "unicast"},
       {"destination", "2001:db8::"},
       {"prefixlen", 32},
       {"gateway", "fe80::1"},
       {"interface", "en1"},
       {"protocol", "ra"}});
  std::string out = format_netstat(routes, RouteFamily::kAll);
  EXPECT_NE(
      out.find("\n10.1/16            10.68.1.2         GS        -        -  en1     -   -\n"),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("\n10.2.0.7           10.68.1.2         UGHD"), std::string::npos) << out;
  EXPECT_NE(
      out.find("\n10.3/16            -                 R         -        -  -       -   -\n"),
      std::string::npos)
      << out;
  EXPECT_EQ(out.find("10.4/16"), std::string::npos) << "only main and local tables are shown";
  EXPECT_NE(out.find("\n2001:db8::/32      fe80::1           UGD  "), std::string::npos) << out;
}

TEST(AixFormat, NetstatLongDestinationKeepsASeparator) {
  json routes = {{"routes",
                  {{{"family", "inet6"},
                    {"table", "main"},
                    {"type", "unicast"},
                    {"destination", "2001:db8:1234:5678::"},
                    {"prefixlen", 64},
                    {"gateway", ""},
                    {"interface", "en1"},
                    {"ifaddr", "2001:db8:1234:5678::1"}}}}};
  std::string out = format_netstat(routes, RouteFamily::kInet6);
  EXPECT_NE(out.find("\n2001:db8:1234:5678::/64 2001:db8:1234:5678::1 U "), std::string::npos)
      << out;
  EXPECT_EQ(out.find("Family 2 "), std::string::npos);
}

TEST(AixFormat, StatusSeed) {
  EXPECT_EQ(format_status(read_json("sample_status.json")), read_data("status.golden"));
}

TEST(AixFormat, ShowAfterFailover) {
  EXPECT_EQ(format_vipa(read_json("failover_show_vi0.json")), read_data("show_failover.golden"));
}

TEST(AixFormat, StatusWithoutVipas) {
  EXPECT_EQ(format_status(json{{"vipas", json::array()}}), "no VIPA configured\n");
}

TEST(AixFormat, Event) {
  json e =
      json::parse(R"({"v":1,"event":"failover","time":"2026-11-27T20:41:07.123Z","vipa":"vi0",)"
                  R"("interface":"en1","from":"en1","to":"en5",)"
                  R"("message":"en1 lost carrier; traffic now leaves through en5"})");
  EXPECT_EQ(format_event(e),
            "2026-11-27T20:41:07.123Z failover vi0: en1 lost carrier; traffic now leaves through "
            "en5\n");
  EXPECT_EQ(format_event(json{{"event", "resync"}, {"time", "T"}, {"message", "overrun"}}),
            "T resync: overrun\n");
}

TEST(AixFormat, WrongTypesDoNotThrow) {
  json garbage = {{"name", 5},        {"state", json::array()}, {"alias4", "x"},
                  {"interfaces", 3},  {"routes_owned", {1, 2}}, {"last_failover", "no"},
                  {"prefixlen4", "x"}};
  EXPECT_NO_THROW(format_lsattr(garbage));
  EXPECT_NO_THROW(format_ifconfig(garbage));
  EXPECT_NO_THROW(format_vipa(garbage));
  EXPECT_NO_THROW(format_status(json::array()));
  EXPECT_NO_THROW(format_netstat(json{{"routes", {1, "x", json::object()}}}, RouteFamily::kAll));
  EXPECT_NO_THROW(format_event(json(nullptr)));
}

}  // namespace
}  // namespace vipa::ctl
