// AIX attributes as mkdev/chdev take them and lsattr shows them.
#include "config/attrs.h"

#include <gtest/gtest.h>

namespace vipa {
namespace {

std::string apply_err(VipaConfig& v, std::string_view attr, std::string_view value) {
  auto s = apply_aix_attr(v, attr, value);
  return s ? "OK" : s.error().message;
}

// the sample's mkdev: -a netaddr=10.68.6.1 -a netmask=255.255.255.0 -a interface_names=en1,en5
TEST(AixAttrs, SeedMkdev) {
  VipaConfig v;
  v.name = "vi0";
  ASSERT_TRUE(apply_aix_attr(v, "netaddr", "10.68.6.1"));
  ASSERT_TRUE(apply_aix_attr(v, "netmask", "255.255.255.0"));
  ASSERT_TRUE(apply_aix_attr(v, "interface_names", "en1,en5"));
  EXPECT_EQ(v.netaddr, IpAddr::parse("10.68.6.1"));
  EXPECT_EQ(v.netmask_len, 24);
  EXPECT_EQ(v.interface_names, (std::vector<std::string>{"en1", "en5"}));
  EXPECT_TRUE(validate_config(Config{.vipas = {v}}));

  std::vector<std::pair<std::string, std::string>> want{{"netaddr", "10.68.6.1"},
                                                        {"state", "up"},
                                                        {"netmask", "255.255.255.0"},
                                                        {"netaddr6", ""},
                                                        {"alias6", ""},
                                                        {"prefixlen", ""},
                                                        {"alias4", ""},
                                                        {"interface_names", "en1,en5"}};
  EXPECT_EQ(aix_attrs(v), want);
}

TEST(AixAttrs, EveryAttribute) {
  VipaConfig v;
  v.name = "vi0";
  ASSERT_TRUE(apply_aix_attr(v, "state", "down"));
  ASSERT_TRUE(apply_aix_attr(v, "alias4", "10.68.6.2,255.255.255.0 10.68.6.3,255.255.255.128"));
  ASSERT_TRUE(apply_aix_attr(v, "netaddr6", "2001:db8:6::1"));
  ASSERT_TRUE(apply_aix_attr(v, "prefixlen", "48"));
  ASSERT_TRUE(apply_aix_attr(v, "alias6", "2001:db8:6::2/64 2001:db8:6::3/64"));
  EXPECT_EQ(v.state, VipaState::Down);
  EXPECT_EQ(v.alias4,
            (std::vector<Prefix>{*Prefix::parse("10.68.6.2/24"), *Prefix::parse("10.68.6.3/25")}));
  EXPECT_EQ(v.prefixlen, 48);
  auto attrs = aix_attrs(v);
  ASSERT_EQ(attrs.size(), 8u);
  EXPECT_EQ(attrs[1].second, "down");
  EXPECT_EQ(attrs[3].second, "2001:db8:6::1");
  EXPECT_EQ(attrs[4].second, "2001:db8:6::2/64 2001:db8:6::3/64");
  EXPECT_EQ(attrs[5].second, "48");
  EXPECT_EQ(attrs[6].second, "10.68.6.2,255.255.255.0 10.68.6.3,255.255.255.128");
  EXPECT_EQ(attrs[7].second, "");
}

TEST(AixAttrs, EmptyValueClears) {
  VipaConfig v;
  v.netaddr = IpAddr::parse("10.68.6.1");
  v.netaddr6 = IpAddr::parse("2001:db8::1");
  v.netmask_len = 24;
  v.prefixlen = 48;
  v.interface_names = {"en1"};
  v.alias4 = {*Prefix::parse("10.68.6.2/24")};
  for (auto attr : {"netaddr6", "prefixlen", "netmask", "interface_names", "alias4", "alias6"})
    ASSERT_TRUE(apply_aix_attr(v, attr, "")) << attr;
  EXPECT_FALSE(v.netaddr6);
  EXPECT_EQ(v.prefixlen, 64);
  EXPECT_EQ(v.netmask_len, 32);
  EXPECT_TRUE(v.interface_names.empty());
  EXPECT_TRUE(v.alias4.empty());
  ASSERT_TRUE(apply_aix_attr(v, "netaddr", ""));
  EXPECT_FALSE(v.netaddr);
}

TEST(AixAttrs, Errors) {
  VipaConfig v;
  EXPECT_EQ(apply_err(v, "foo", "1"),
            "unknown attribute 'foo' (known: netaddr, state, netmask, netaddr6, alias6, "
            "prefixlen, alias4, interface_names)");
  EXPECT_EQ(apply_err(v, "netmask", "255.0.255.0"), "netmask: 255.0.255.0 is not contiguous");
  EXPECT_EQ(apply_err(v, "netaddr", "10.68.6.300"),
            "netaddr: '10.68.6.300' is not a valid IPv4 address");
  EXPECT_EQ(apply_err(v, "netaddr", "2001:db8::1"),
            "netaddr: '2001:db8::1' is an IPv6 address; use netaddr6");
  EXPECT_EQ(apply_err(v, "netaddr6", "10.68.6.1"),
            "netaddr6: '10.68.6.1' is an IPv4 address; use netaddr");
  EXPECT_EQ(apply_err(v, "state", "sideways"), "state: 'sideways' is not one of up, down, detach");
  EXPECT_EQ(apply_err(v, "prefixlen", "129"), "prefixlen: 129 is out of range (1..128)");
  EXPECT_EQ(apply_err(v, "prefixlen", "6x"), "prefixlen: '6x' is not a number");
  EXPECT_EQ(apply_err(v, "alias4", "10.68.6.2,255.255.255.0 10.68.6.3,255.0.255.0"),
            "alias4: 255.0.255.0 is not contiguous");
  EXPECT_EQ(apply_err(v, "alias6", "2001:db8::2/64 10.68.6.2/24"),
            "alias6: '10.68.6.2/24' is not an IPv6 'address/length'");
  EXPECT_EQ(apply_err(v, "interface_names", "en1,en/5"),
            "interface_names: 'en/5' is not a valid interface name");
  // A failed attribute leaves the VIPA as it was.
  EXPECT_FALSE(v.netaddr);
  EXPECT_TRUE(v.alias4.empty());
  EXPECT_TRUE(v.interface_names.empty());
}

}  // namespace
}  // namespace vipa
