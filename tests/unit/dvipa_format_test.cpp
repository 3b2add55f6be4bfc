// vipactl's text for Dynamic VIPAs, from vipad's JSON answers (odd answers print "-").
#include <gtest/gtest.h>

#include "dvipa/format.h"

namespace vipa::dvipa {
namespace {

using nlohmann::json;

TEST(DvipaFormat, DvipaAndVipadyn) {
  json d = {
      {"name", "web"},
      {"address", "10.68.9.1"},
      {"prefixlen", 32},
      {"state", "active"},
      {"rank", 200},
      {"metric", 39808},
      {"takeback", "whenidle"},
      {"reason", "owner (the routers' choice)"},
      {"since", "2026-12-01T21:40:02.120Z"},
      {"view_ok", true},
      {"health", {{"kind", "exec"}, {"healthy", true}, {"passes", 3}, {"rise", 3}}},
      {"owner", {{"id", "10.68.255.1"}, {"self", true}}},
      {"announcers",
       {{{"id", "10.68.255.1"}, {"rank", 200}, {"metric", 39808}, {"kind", "rank"}, {"self", true}},
        {{"id", "10.68.255.2"},
         {"rank", 100},
         {"metric", 52608},
         {"kind", "rank"},
         {"self", false}}}},
      {"problems", json::array({"duplicate_rank"})}};
  std::string t = format_dvipas({{"dvipas", {d}}});
  EXPECT_NE(
      t.find("web    10.68.9.1       active    rank 200  metric 39808  health healthy (exec 3/3)  "
             "takeback whenidle\n"),
      std::string::npos)
      << t;
  EXPECT_NE(t.find("  owner       10.68.255.1 (this host)\n"), std::string::npos) << t;
  EXPECT_NE(t.find("              10.68.255.2     rank 100  metric 52608  rank\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("  problems    duplicate_rank\n"), std::string::npos) << t;
  EXPECT_EQ(format_dvipas({{"dvipas", json::array()}}), "no Dynamic VIPA is configured\n");
  EXPECT_NE(format_dvipas({{"dvipas", {{{"name", 5}}}}}).find("-"), std::string::npos);

  json v = {{"vipadyn",
             {{{"address", "10.68.9.1"},
               {"prefixlen", 32},
               {"status", "ACTIVE"},
               {"origin", "VIPADEFINE"},
               {"rank", 200},
               {"acttime", "2026-12-01T21:40:02.120Z"}}}}};
  EXPECT_EQ(format_vipadyn(v),
            "DYNAMIC VIPA:\n"
            "  IPADDR/PREFIXLEN: 10.68.9.1/32\n"
            "    STATUS: ACTIVE     ORIGIN: VIPADEFINE   RANK: 200   DISTSTAT:\n"
            "    ACTTIME: 12/01/2026 21:40:02\n");
  EXPECT_EQ(format_vipadyn(json::array()), "DYNAMIC VIPA:\n");
}

TEST(DvipaFormat, ConnectionsOfAnOldOwnerKeepingThemAfterAMove) {
  json r = {
      {"name", "web"},
      {"address", "10.68.100.1"},
      {"status", "MOVING"},
      {"owner_self", false},
      {"idle_ms", 1000},
      {"total", 3},
      {"connections",
       {{{"local", "10.68.100.1"},
         {"local_port", 8080},
         {"remote", "10.68.9.1"},
         {"remote_port", 40312},
         {"quiet_ms", 12},
         {"busy", true}},
        {{"local", "10.68.100.1"},
         {"local_port", 8080},
         {"remote", "10.68.9.1"},
         {"remote_port", 40314},
         {"quiet_ms", nullptr},
         {"busy", nullptr}}}},
      {"moving", true},
      {"forwarding_to", {{{"id", "10.68.255.12"}, {"address", "10.68.42.1"}, {"newest", true}}}}};
  EXPECT_EQ(
      format_connections(r),
      "DVIPA web 10.68.100.1: MOVING\n"
      "DYNAMIC VIPA CONNECTION ROUTING TABLE: 3 established here (idle after 1000 ms)\n"
      "  DEST                       SOURCE                                     LAST HEARD\n"
      "  10.68.100.1..8080          10.68.9.1..40312                           12 ms ago, busy\n"
      "  10.68.100.1..8080          10.68.9.1..40314                           -\n"
      "  (1 more not listed)\n"
      "MOVING: this host keeps these connections after the move; it no longer announces the "
      "DVIPA\n"
      "FORWARDING: packets of connections not established here go to\n"
      "  10.68.255.12 10.68.42.1 (newest: new connections)\n");
}

TEST(DvipaFormat, ConnectionsOfAnOwnerWithNone) {
  json r = {{"name", "web"},
            {"address", "10.68.100.1"},
            {"status", "ACTIVE"},
            {"owner_self", true},
            {"idle_ms", 2000},
            {"total", 0},
            {"connections", json::array()},
            {"moving", false},
            {"forwarding_to", json::array()}};
  EXPECT_EQ(format_connections(r),
            "DVIPA web 10.68.100.1: ACTIVE (this host owns it)\n"
            "DYNAMIC VIPA CONNECTION ROUTING TABLE: 0 established here (idle after 2000 ms)\n"
            "FORWARDING: none\n");
  EXPECT_EQ(format_connections(json::array()), "no answer\n");
  // Odd fields print as "-", never throw.
  EXPECT_NE(
      format_connections(json{{"connections", {{{"local", 1}}}}, {"total", "x"}}).find("-..-"),
      std::string::npos);
}

}  // namespace
}  // namespace vipa::dvipa
