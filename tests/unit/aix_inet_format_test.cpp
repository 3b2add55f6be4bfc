// Golden tests of AIX's network-wide commands (tests/data/ctl/*.golden) over the sample: lo, en1
// 10.68.1.1/24, en5 10.68.5.1/24, vi0 10.68.6.1/24 and a Defined vi1; default routes via
// 10.68.1.2 (dead, withdrawn) and 10.68.5.2 with active dead gateway detection.
#include "vipactl/format/aix_inet_format.h"

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

TEST(AixInetFormat, LsdevIf) {
  EXPECT_EQ(format_lsdev_if(read_json("sample_interfaces.json")), read_data("lsdev_Cc_if.golden"));
}

TEST(AixInetFormat, NetstatIn) {
  EXPECT_EQ(format_netstat_in(read_json("sample_interfaces.json"), RouteFamily::kAll),
            read_data("netstat_in.golden"));
}

TEST(AixInetFormat, NetstatInOneFamily) {
  std::string out = format_netstat_in(read_json("sample_interfaces.json"), RouteFamily::kInet);
  EXPECT_EQ(out.find("link#"), std::string::npos);
  EXPECT_EQ(out.find("2001:db8"), std::string::npos);
  EXPECT_NE(out.find("10.68.6.1"), std::string::npos);
}

TEST(AixInetFormat, NetstatCosts) {
  EXPECT_EQ(format_netstat_costs(read_json("sample_route_costs.json"), RouteFamily::kAll),
            read_data("netstat_C.golden"));
}

TEST(AixInetFormat, NoQueryAndAll) {
  json dgd = read_json("sample_inet0.json")["running"]["dgd"];
  EXPECT_EQ(format_no_query(*find_no_tunable("dgd_ping_time"), dgd), "dgd_ping_time = 0.1\n");
  // 2000 ms in AIX's minutes (IBM AIX: Dead gateway detection).
  EXPECT_EQ(format_no_query(*find_no_tunable("dgd_retry_time"), dgd), "dgd_retry_time = 0.03333\n");
  EXPECT_EQ(format_no_query(*find_no_tunable("passive_dgd"), dgd), "passive_dgd = 0\n");
  EXPECT_EQ(format_no_all(dgd), read_data("no_a.golden"));
  EXPECT_EQ(find_no_tunable("tcp_sendspace"), nullptr);
}

TEST(AixInetFormat, NoValuesInSeconds) {
  const NoTunable& ping = *find_no_tunable("dgd_ping_time");
  EXPECT_EQ(parse_no_value(ping, "2").value, 2000u);
  EXPECT_EQ(parse_no_value(ping, "0.5").value, 500u);
  EXPECT_TRUE(parse_no_value(ping, "0.5").notice.empty());
  NoValue r = parse_no_value(ping, "0.0125");
  EXPECT_EQ(r.value, 13u);
  EXPECT_EQ(r.notice,
            "dgd_ping_time 0.0125 s rounded to 13 ms ([dgd] ping_time_ms is in milliseconds)");
  EXPECT_FALSE(parse_no_value(ping, "0.001").value);  // 1 ms: below the config's 10 ms
  EXPECT_EQ(parse_no_value(ping, "0.001").error,
            "dgd_ping_time: '0.001' is below the minimum of 10 ms (0.01 s)");
  for (const char* bad : {"", "-1", "1e3", " 2", "2.", ".5", "abc", "99999999"})
    EXPECT_FALSE(parse_no_value(ping, bad).value) << bad;
  const NoTunable& lost = *find_no_tunable("dgd_packets_lost");
  EXPECT_EQ(parse_no_value(lost, "5").value, 5u);
  EXPECT_FALSE(parse_no_value(lost, "0").value);
  EXPECT_FALSE(parse_no_value(lost, "1.5").value);
  const NoTunable& passive = *find_no_tunable("passive_dgd");
  EXPECT_EQ(parse_no_value(passive, "1").value, 1u);
  EXPECT_FALSE(parse_no_value(passive, "2").value);
}

// dgd_retry_time is in minutes on AIX, vipa.conf's retry_time_ms in milliseconds.
TEST(AixInetFormat, NoRetryTimeInMinutes) {
  const NoTunable& retry = *find_no_tunable("dgd_retry_time");
  EXPECT_EQ(parse_no_value(retry, "5").value, 300000u);  // AIX's default: 5 minutes
  EXPECT_EQ(parse_no_value(retry, "0.5").value, 30000u);
  EXPECT_TRUE(parse_no_value(retry, "0.5").notice.empty());
  EXPECT_EQ(parse_no_value(retry, "0.05").value, 3000u);
  NoValue r = parse_no_value(retry, "0.00167");  // 100.2 ms
  EXPECT_EQ(r.value, 100u);
  EXPECT_EQ(r.notice,
            "dgd_retry_time 0.00167 min rounded to 100 ms ([dgd] retry_time_ms is in "
            "milliseconds)");
  EXPECT_EQ(parse_no_value(retry, "0.0001").error,
            "dgd_retry_time: '0.0001' is below the minimum of 10 ms (0.00017 min)");
  EXPECT_EQ(parse_no_value(retry, "x").error,
            "dgd_retry_time: 'x' is not a number of minutes (e.g. 5 or 0.5)");
  EXPECT_FALSE(parse_no_value(retry, "71583").value);  // more than UINT32_MAX ms
  EXPECT_EQ(parse_no_value(retry, "71582").value, 4294920000u);
  auto shown = [&](uint32_t ms) { return no_value_text(retry, json{{"retry_time_ms", ms}}); };
  EXPECT_EQ(shown(300000), "5");
  EXPECT_EQ(shown(90000), "1.5");
  EXPECT_EQ(shown(100), "0.00167");
  // What is shown sets the same milliseconds again, for every value up to a minute.
  for (uint32_t ms = 10; ms <= 60000; ++ms)
    ASSERT_EQ(parse_no_value(retry, shown(ms)).value, ms) << shown(ms);
}

TEST(AixInetFormat, LsattrInet0) {
  EXPECT_EQ(format_lsattr_inet0(read_json("sample_inet0.json")), read_data("lsattr_inet0.golden"));
  json none = {{"recorded", {{"routes", json::array()}}}};
  EXPECT_EQ(format_lsattr_inet0(none, "route"), "route  Route True\n");
}

TEST(AixInetFormat, RouteAttributeRoundTrips) {
  std::string err;
  auto r = parse_route_attr("net,-hopcount,0,,0,10.68.1.2", &err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->destination, "default");
  EXPECT_EQ(r->gateway, "10.68.1.2");
  EXPECT_EQ(format_route_attr(r->to_json()), "net,-hopcount,0,,0,10.68.1.2");

  r = parse_route_attr(
      "net,-hopcount,1,-netmask,255.255.255.0,-if,en5,-active_dgd,,,,10.68.7.0,"
      "10.68.5.2",
      &err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->destination, "10.68.7.0/24");
  EXPECT_EQ(r->hopcount, 1u);
  EXPECT_EQ(r->interface, "en5");
  EXPECT_TRUE(r->active_dgd);
  EXPECT_EQ(format_route_attr(r->to_json()),
            "net,-hopcount,1,-netmask,255.255.255.0,-if,en5,-active_dgd,,10.68.7.0,10.68.5.2");

  r = parse_route_attr("host,-hopcount,0,,10.68.7.9,10.68.1.2", &err);
  ASSERT_TRUE(r) << err;
  EXPECT_TRUE(r->host);
  EXPECT_EQ(r->destination, "10.68.7.9");

  r = parse_route_attr("net,-hopcount,0,,0,2001:db8:1::2", &err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->destination, "default6");
}

TEST(AixInetFormat, RouteAttributeRefusals) {
  std::string err;
  EXPECT_FALSE(parse_route_attr("net,10.68.1.2", &err));
  EXPECT_EQ(err, "route=net,10.68.1.2: expected TYPE,OPTIONS...,DESTINATION,GATEWAY");
  EXPECT_FALSE(parse_route_attr("link,-hopcount,0,,0,10.68.1.2", &err));
  EXPECT_FALSE(parse_route_attr("net,-hopcount,x,,0,10.68.1.2", &err));
  EXPECT_FALSE(parse_route_attr("net,-netmask,255.0.255.0,,10.68.7.0,10.68.1.2", &err));
  EXPECT_EQ(err,
            "route=net,-netmask,255.0.255.0,,10.68.7.0,10.68.1.2: -netmask 255.0.255.0 is not a "
            "contiguous IPv4 mask");
  EXPECT_FALSE(parse_route_attr("net,-mtu,1500,,0,10.68.1.2", &err));
  EXPECT_FALSE(parse_route_attr("net,-hopcount,0,,0,", &err));
}

}  // namespace
}  // namespace vipa::ctl
