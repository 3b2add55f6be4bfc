// export_frr() / export_bird(): the snippets `vipactl export` prints. The lab
// (tests/integration/test_lab.sh) proves they work in FRR 8.4 and BIRD 2.0.12; these pin the
// text that made it work.
#include <gtest/gtest.h>

#include "config/config.h"
#include "core/export_snippets.h"

namespace vipa {
namespace {

const char* kSample = R"(
[vipa.vi0]
netaddr = "10.68.6.1"
netmask = "255.255.255.0"
interface_names = ["en1", "en5"]

[[route]]
destination = "default"
gateway = "10.68.1.2"
metric = 10

[[route]]
destination = "default"
gateway = "10.68.5.2"
metric = 20
)";

Config parse(const std::string& text) {
  auto c = parse_config_string(text, "vipa.conf");
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.ok() ? *c : Config{};
}

std::string frr(const std::string& text, ExportOptions opt = {}) {
  auto s = export_frr(parse(text), opt);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? *s : "";
}

std::string bird(const std::string& text, ExportOptions opt = {}) {
  auto s = export_bird(parse(text), opt);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return s.ok() ? *s : "";
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ExportFrr, SeedSetsTheVipaAsSourceOnEachListedInterface) {
  std::string s = frr(kSample);
  EXPECT_TRUE(has(s,
                  "route-map VIPA-SRC permit 10\n match interface en1\n set src 10.68.6.1\nexit\n"
                  "route-map VIPA-SRC permit 20\n match interface en5\n set src 10.68.6.1\nexit\n"
                  "route-map VIPA-SRC permit 65535\nexit\n"
                  "ip protocol static route-map VIPA-SRC\n"
                  "ip protocol ospf route-map VIPA-SRC\n"
                  "ip protocol isis route-map VIPA-SRC\n"
                  "ip protocol bgp route-map VIPA-SRC\n"))
      << s;
  EXPECT_FALSE(has(s, "VIPA-SRC6"));
}

TEST(ExportFrr, SeedImportsTableAndRedistributesIntoOspf) {
  std::string s = frr(kSample);
  EXPECT_TRUE(has(s, "\nip import-table 86\n")) << s;
  EXPECT_TRUE(has(s, "\nrouter ospf\n redistribute table 86\nexit\n")) << s;
  EXPECT_FALSE(has(s, "router bgp"));
  EXPECT_FALSE(has(s, "ospf6"));
}

TEST(ExportFrr, EveryLineIsCommentOrConfig) {
  // vtysh -f reads it as is: no blank lines or stray text from the generator.
  std::string s = frr(kSample);
  size_t pos = 0;
  while (pos < s.size()) {
    size_t end = s.find('\n', pos);
    ASSERT_NE(end, std::string::npos) << "last line without newline";
    std::string line = s.substr(pos, end - pos);
    EXPECT_FALSE(line.empty()) << "blank line at " << pos;
    pos = end + 1;
  }
}

TEST(ExportFrr, TableFollowsConfig) {
  std::string s = frr(std::string(kSample) + "\n[routing]\ntable = 100\n");
  EXPECT_TRUE(has(s, "ip import-table 100\n"));
  EXPECT_TRUE(has(s, " redistribute table 100\n"));
}

TEST(ExportFrr, TableBeyondFrrImportRangeIsAnError) {
  auto s = export_frr(parse(std::string(kSample) + "\n[routing]\ntable = 300\n"), {});
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(has(s.error().message, "1..252")) << s.error().message;
  // BIRD takes any table.
  EXPECT_TRUE(has(bird(std::string(kSample) + "\n[routing]\ntable = 300\n"), "kernel table 300;"));
}

TEST(ExportFrr, VipaWithoutInterfacesSetsSourceOnEveryRoute) {
  std::string s = frr("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\n");
  EXPECT_TRUE(has(s, "route-map VIPA-SRC permit 65535\n set src 10.68.6.1\nexit\n")) << s;
  EXPECT_FALSE(has(s, "match interface"));
}

TEST(ExportFrr, VipasNotUpAreLeftOutAndSaidSo) {
  std::string s = frr(std::string(kSample) +
                      "\n[vipa.vi1]\nnetaddr = \"10.68.7.1\"\ninterface_names = [\"en2\"]\n"
                      "state = \"down\"\n");
  EXPECT_FALSE(has(s, "10.68.7.1"));
  EXPECT_TRUE(has(s, "! left out: vi1 (state down)\n")) << s;
}

TEST(ExportFrr, NothingUpIsAnError) {
  auto s = export_frr(parse("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\nstate = \"detach\"\n"), {});
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(has(s.error().message, "nothing to export"));
}

TEST(ExportFrr, OddInterfaceNameIsRefused) {
  auto s = export_frr(parse("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\ninterface_names = "
                            "[\"en1\\\"x\"]\n"),
                      {});
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(has(s.error().message, "en1\"x"));
}

TEST(ExportFrr, Ipv6UsesItsOwnRouteMapAndConnectedPrefix) {
  std::string s =
      frr(std::string(kSample).insert(std::string(kSample).find("\n\n[[route]]"),
                                      "\nnetaddr6 = \"2001:db8:6::1\"\nprefixlen = 64"));
  EXPECT_TRUE(has(s,
                  "route-map VIPA-SRC6 permit 10\n match interface en1\n set src "
                  "2001:db8:6::1\nexit\n"))
      << s;
  EXPECT_TRUE(has(s, "ipv6 protocol ospf6 route-map VIPA-SRC6\n"));
  EXPECT_TRUE(has(s, "ipv6 protocol ripng route-map VIPA-SRC6\n"));
  EXPECT_FALSE(has(s, "protocol any"));
  // FRR 8.4 has no `ipv6 import-table`.
  EXPECT_FALSE(has(s, "\nipv6 import-table"));
  EXPECT_TRUE(has(s, "ipv6 prefix-list VIPA6 seq 5 permit 2001:db8:6::/64\n"));
  EXPECT_TRUE(has(s, "router ospf6\n redistribute connected route-map VIPA-ANNOUNCE6\n"));
}

TEST(ExportFrr, BgpPeersWithTheRouteGatewaysAndSendsOnlyTheVipa) {
  ExportOptions opt;
  opt.protocol = AnnounceProtocol::Bgp;
  opt.bgp_asn = 64600;
  std::string s = frr(kSample, opt);
  EXPECT_TRUE(has(s, "ip prefix-list VIPA4 seq 5 permit 10.68.6.1/32\n")) << s;
  EXPECT_TRUE(has(s,
                  "router bgp 64600\n neighbor 10.68.1.2 remote-as external\n"
                  " neighbor 10.68.5.2 remote-as external\n"));
  EXPECT_TRUE(has(s, "  redistribute table 86\n"));
  EXPECT_TRUE(has(s, "  neighbor 10.68.5.2 route-map VIPA-ANNOUNCE out\n"));
  EXPECT_TRUE(has(s, "  neighbor 10.68.5.2 route-map VIPA-BGP-IN in\n"));
  EXPECT_FALSE(has(s, "router ospf"));
}

TEST(ExportFrr, SubnetAdvertiseAnnouncesTheSubnet) {
  ExportOptions opt;
  opt.protocol = AnnounceProtocol::Bgp;
  std::string text = kSample;
  text.insert(text.find("\n\n[[route]]"), "\nadvertise = \"subnet\"");
  EXPECT_TRUE(has(frr(text, opt), "permit 10.68.6.0/24\n"));
}

TEST(ExportFrr, InterfaceAnnounceMakesTheVipaAPassiveOspfInterface) {
  ExportOptions opt;
  opt.via = AnnounceVia::Interface;
  std::string s = frr(kSample, opt);
  EXPECT_TRUE(has(s, "\ninterface vi0\n ip ospf area 0.0.0.0\n ip ospf passive\nexit\n")) << s;
  // Imported but not redistributed: vipad's refresh re-applies the import (FRR 8.4).
  EXPECT_TRUE(has(s, "\nip import-table 86\n"));
  EXPECT_FALSE(has(s, "redistribute"));
  // The source part does not depend on how the VIPA is announced.
  EXPECT_TRUE(has(s, "ip protocol ospf route-map VIPA-SRC\n"));
}

TEST(ExportFrr, InterfaceAnnounceIsOspfOnly) {
  ExportOptions opt;
  opt.via = AnnounceVia::Interface;
  opt.protocol = AnnounceProtocol::Bgp;
  EXPECT_FALSE(export_frr(parse(kSample), opt).ok());
  EXPECT_FALSE(export_bird(parse(kSample), opt).ok());
}

TEST(ExportBird, SeedLearnsTableAndSetsKrtPrefsrc) {
  std::string s = bird(kSample);
  EXPECT_TRUE(has(s,
                  "ipv4 table vipa4_table;\nprotocol kernel vipa4 {\n  kernel table 86;\n"
                  "  learn;"))
      << s;
  EXPECT_TRUE(has(s,
                  "protocol pipe vipa4_pipe {\n  table master4;\n  peer table vipa4_table;\n"
                  "  import all;\n  export none;\n}\n"));
  EXPECT_TRUE(has(s, "protocol kernel kernel4 {\n"));
  EXPECT_TRUE(has(s, "      if proto = \"vipa4\" then reject;"));
  EXPECT_TRUE(has(s,
                  "      if ifname = \"en1\" then krt_prefsrc = 10.68.6.1;\n"
                  "      if ifname = \"en5\" then krt_prefsrc = 10.68.6.1;\n"
                  "      accept;\n"));
  EXPECT_FALSE(has(s, "ipv6"));
}

TEST(ExportBird, OspfExportsOnlyTheVipas) {
  ExportOptions opt;
  opt.ospf_area = "0.0.0.1";
  std::string s = bird(kSample, opt);
  EXPECT_TRUE(has(s,
                  "filter vipa_announce {\n  if proto = \"vipa4\" || proto = \"vipa6\" then "
                  "accept;\n  reject;\n}\n"));
  EXPECT_TRUE(
      has(s,
          "protocol ospf v2 ospf4 {\n  stub router yes;  # a host: announce the VIPAs, never carry "
          "transit traffic\n  ipv4 { import all; export filter "
          "vipa_announce; };\n  area 0.0.0.1 {\n    interface \"en1\", \"en5\" {"))
      << s;
}

TEST(ExportBird, InterfaceAnnounceMakesTheVipaAStubInterface) {
  ExportOptions opt;
  opt.via = AnnounceVia::Interface;
  std::string s = bird(kSample, opt);
  EXPECT_TRUE(has(s, "  ipv4 { import all; export none; };\n")) << s;
  EXPECT_TRUE(has(s, "    interface \"vi0\" { stub yes; };\n"));
  EXPECT_FALSE(has(s, "  kernel table 86;"));
  EXPECT_FALSE(has(s, "filter vipa_announce"));
  EXPECT_TRUE(has(s, "protocol kernel kernel4 {\n"));
}

TEST(ExportBird, BgpOneProtocolPerGateway) {
  ExportOptions opt;
  opt.protocol = AnnounceProtocol::Bgp;
  std::string s = bird(kSample, opt);
  EXPECT_TRUE(has(s,
                  "protocol bgp vipa_bgp1 {\n  local as 65086;\n  neighbor 10.68.1.2 "
                  "external;\n"))
      << s;
  EXPECT_TRUE(has(s, "protocol bgp vipa_bgp2 {\n  local as 65086;\n  neighbor 10.68.5.2 "));
}

TEST(ExportBird, VipaWithoutInterfacesSetsSourceOnEveryRoute) {
  std::string s = bird("[vipa.vi0]\nnetaddr = \"10.68.6.1\"\n");
  EXPECT_TRUE(has(s,
                  "then reject;  # vipad's, in the kernel already\n      krt_prefsrc = "
                  "10.68.6.1;\n      accept;\n"))
      << s;
  EXPECT_FALSE(has(s, "ifname"));
}

}  // namespace
}  // namespace vipa
