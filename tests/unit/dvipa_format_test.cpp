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

}  // namespace
}  // namespace vipa::dvipa
