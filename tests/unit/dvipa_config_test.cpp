// [dvipa.NAME] and the [routing] keys for Dynamic VIPAs: every value, defaults, and each bad
// value's FILE:LINE:COLUMN.
#include <gtest/gtest.h>

#include "config/config.h"

namespace vipa {
namespace {

std::string err(std::string_view text) {
  auto c = parse_config_string(text, "t.conf");
  return c ? "OK" : c.error().message;
}

constexpr const char* kHead = "[routing]\ndaemon = \"frr\"\n";

TEST(DvipaConfig, EveryKey) {
  auto c = parse_config_string(R"([routing]
daemon = "frr"
announce = "bgp"
ospf_area = "0.0.0.1"
bgp_asn = 65001
view_interval_ms = 250

[dvipa.web]
address = "10.68.9.1"
rank = 200
takeback = "whenidle"
delay_join = false
interface_names = ["en1", "en5"]
hold_down_ms = 1000
idle_ms = 500
notify = "/usr/local/bin/hook"

[dvipa.web.health]
exec = ["/usr/local/bin/check-web", "--quick"]
interval_ms = 200
timeout_ms = 150
rise = 3
fall = 2

[dvipa.api]
address = "2001:db8::9"
rank = 100
[dvipa.api.health]
http = "http://[::1]:8080/healthz"
)",
                               "t.conf");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->routing.announce, "bgp");
  EXPECT_EQ(c->routing.ospf_area, "0.0.0.1");
  EXPECT_EQ(c->routing.bgp_asn, 65001u);
  EXPECT_EQ(c->routing.view_interval_ms, 250u);
  ASSERT_EQ(c->dvipas.size(), 2u);
  const DvipaConfig& w = c->dvipas[0];  // file order, not toml++'s
  EXPECT_EQ(w.name, "web");
  EXPECT_EQ(w.address, *IpAddr::parse("10.68.9.1"));
  EXPECT_EQ(w.rank, 200u);
  EXPECT_EQ(w.takeback, Takeback::Whenidle);
  EXPECT_FALSE(w.delay_join);
  EXPECT_EQ(w.interface_names, (std::vector<std::string>{"en1", "en5"}));
  EXPECT_EQ(w.hold_down_ms, 1000u);
  EXPECT_EQ(w.idle_ms, 500u);
  EXPECT_EQ(w.health.kind, HealthKind::Exec);
  EXPECT_EQ(w.health.exec, (std::vector<std::string>{"/usr/local/bin/check-web", "--quick"}));
  EXPECT_EQ(w.health.interval_ms, 200u);
  EXPECT_EQ(w.health.timeout_ms, 150u);
  EXPECT_EQ(w.line, 8);
  const DvipaConfig& a = c->dvipas[1];
  EXPECT_EQ(a.takeback, Takeback::Immediate);
  EXPECT_TRUE(a.delay_join);
  EXPECT_EQ(a.health.kind, HealthKind::Http);
  EXPECT_EQ(a.health.addr, *IpAddr::parse("::1"));
  EXPECT_EQ(a.health.port, 8080);
  EXPECT_EQ(a.health.http_path, "/healthz");
  EXPECT_EQ(a.health.http_host, "[::1]:8080");
  EXPECT_EQ(a.health.interval_ms, 1000u);
  EXPECT_EQ(a.health.timeout_ms, 500u);
}

TEST(DvipaConfig, Defaults) {
  auto c =
      parse_config_string(std::string(kHead) +
                              "[dvipa.web]\naddress = \"10.68.9.1\"\nrank = 1\n"
                              "[dvipa.web.health]\ntcp = \"127.0.0.1:80\"\ninterval_ms = 100\n",
                          "t.conf");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->routing.announce, "ospf");
  EXPECT_EQ(c->dvipas[0].health.kind, HealthKind::Tcp);
  EXPECT_EQ(c->dvipas[0].health.port, 80);
  EXPECT_EQ(c->dvipas[0].health.timeout_ms, 100u);  // min(500, interval)
  EXPECT_EQ(c->dvipas[0].health.rise, 3u);
  EXPECT_EQ(c->dvipas[0].health.fall, 2u);
}

TEST(DvipaConfig, BadValuesAreLocated) {
  auto with = [](const std::string& body) {
    return err(std::string(kHead) + "[dvipa.web]\n" + body);
  };
  EXPECT_EQ(with("address = \"10.68.9.1\"\nrank = 0\n"),
            "t.conf:5:8: rank: 0 is out of range (1..254)");
  EXPECT_EQ(with("address = \"10.68.9.1\"\nrank = 255\n"),
            "t.conf:5:8: rank: 255 is out of range (1..254)");
  EXPECT_EQ(with("address = \"10.68.9.1\"\nrank = \"high\"\n"),
            "t.conf:5:8: rank: expected an integer");
  EXPECT_EQ(with("address = \"10.68.9\"\nrank = 5\n"),
            "t.conf:4:11: address: '10.68.9' is not a valid IP address");
  EXPECT_EQ(with("address = \"224.0.0.1\"\nrank = 5\n"),
            "t.conf:4:11: address: 224.0.0.1 is not a unicast address");
  EXPECT_EQ(with("rank = 5\n"), "t.conf:3:1: [dvipa.web] is missing 'address'");
  EXPECT_EQ(with("address = \"10.68.9.1\"\n"),
            "t.conf:3:1: [dvipa.web] is missing 'rank' (1..254)");
  EXPECT_EQ(with("address = \"10.68.9.1\"\nrank = 5\ntakeback = \"later\"\n"),
            "t.conf:6:12: takeback: 'later' is not one of immediate, whenidle, manual");
  EXPECT_EQ(with("address = \"10.68.9.1\"\nrank = 5\ncolour = 1\n"),
            "t.conf:6:1: unknown key 'colour' in [dvipa.web]");
  EXPECT_EQ(with("address = \"10.68.9.1\"\nrank = 5\ninterface_names = [\"en1\", \"en1\"]\n"),
            "t.conf:6:27: interface_names: 'en1' is listed twice");
  // Health.
  std::string ok = "address = \"10.68.9.1\"\nrank = 5\n[dvipa.web.health]\n";
  EXPECT_EQ(with(ok + "exec = [\"check\"]\n"),
            "t.conf:7:8: exec: 'check' is not an absolute path (the command runs without a shell)");
  EXPECT_EQ(with(ok + "exec = []\n"),
            "t.conf:7:8: exec: expected a non-empty array of strings (argv, no shell)");
  EXPECT_EQ(with(ok + "tcp = \"localhost:80\"\n"),
            "t.conf:7:7: tcp: 'localhost:80' is not ADDRESS:PORT (e.g. 127.0.0.1:80 or [::1]:80)");
  EXPECT_EQ(with(ok + "http = \"https://127.0.0.1/\"\n"),
            "t.conf:7:8: http: 'https://127.0.0.1/' is not http://ADDRESS[:PORT]/PATH with an IP "
            "address (no https)");
  EXPECT_EQ(with(ok + "tcp = \"127.0.0.1:80\"\nhttp = \"http://127.0.0.1/\"\n"),
            "t.conf:6:1: [dvipa.web.health] takes only one of exec, tcp or http");
  EXPECT_EQ(with(ok + "interval_ms = 100\n"),
            "t.conf:6:1: [dvipa.web.health] needs one of exec, tcp or http");
  EXPECT_EQ(with(ok + "tcp = \"127.0.0.1:80\"\ninterval_ms = 100\ntimeout_ms = 200\n"),
            "t.conf:9:14: timeout_ms: 200 is longer than interval_ms (100)");
  EXPECT_EQ(with(ok + "tcp = \"127.0.0.1:80\"\nrise = 0\n"),
            "t.conf:8:8: rise: 0 is out of range (1..100)");
  EXPECT_EQ(with(ok + "tcp = \"127.0.0.1:80\"\ninterval_ms = 5\n"),
            "t.conf:8:15: interval_ms: 5 is out of range (10..3600000)");
}

TEST(DvipaConfig, WholeConfigRules) {
  EXPECT_EQ(
      err("[dvipa.web]\naddress = \"10.68.9.1\"\nrank = 5\n"),
      "t.conf:1:1: [dvipa.web] needs FRR to announce it: set [routing] daemon = \"frr\" (BIRD "
      "cannot change an announcement's metric at run time without a reconfiguration)");
  EXPECT_EQ(err(std::string(kHead) + "announce = \"rip\"\n"),
            "t.conf:3:12: announce: 'rip' is not one of ospf, bgp");
  EXPECT_EQ(err(std::string(kHead) + "ospf_area = \"0\"\n"),
            "t.conf:3:13: ospf_area: '0' is not an area ID (A.B.C.D)");
  EXPECT_EQ(err(std::string(kHead) + "[vipa.vi0]\nnetaddr = \"10.68.9.1\"\n[dvipa.web]\n"
                                     "address = \"10.68.9.1\"\nrank = 5\n"),
            "t.conf:6:11: address: 10.68.9.1 is already used by another VIPA or DVIPA");
  EXPECT_EQ(
      err(std::string(kHead) + "[dvipa.a-very-long-name]\naddress = \"10.68.9.1\"\nrank = 5\n"),
      "t.conf:3:1: [dvipa.a-very-long-name]: the name must be 1..12 letters, digits, '_' or "
      "'-' (its link is vd-NAME)");
  EXPECT_EQ(err(std::string(kHead) + "[dvipa.web]\naddress = \"10.68.9.1\"\nrank = 5\n[dvipa.api]\n"
                                     "address = \"10.68.9.1\"\nrank = 6\n"),
            "t.conf:7:11: address: 10.68.9.1 is already used by another VIPA or DVIPA");
  // IPv6 DVIPAs go over BGP only; OSPF (the default) refuses them at the address.
  const std::string v6 = "[dvipa.web]\naddress = \"2001:db8:9::1\"\nrank = 5\n";
  const char* no_ospf6 =
      "address: 2001:db8:9::1 is IPv6, which [routing] announce = \"ospf\" cannot carry "
      "(OSPFv3 is not supported): use announce = \"bgp\"";
  EXPECT_EQ(err(std::string(kHead) + v6), std::string("t.conf:4:11: ") + no_ospf6);
  EXPECT_EQ(err(std::string(kHead) + "announce = \"ospf\"\n" + v6),
            std::string("t.conf:5:11: ") + no_ospf6);
  EXPECT_EQ(err(std::string(kHead) + "announce = \"bgp\"\n" + v6), "OK");
}

}  // namespace
}  // namespace vipa
