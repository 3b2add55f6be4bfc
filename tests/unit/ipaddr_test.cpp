// IpAddr and Prefix: parsing, printing, masks and netmask conversion.
#include "common/ipaddr.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

namespace vipa {
namespace {

TEST(IpAddr, ParseAndFormat) {
  auto a = IpAddr::parse("10.68.6.1");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_v4());
  EXPECT_EQ(a->family, AF_INET);
  EXPECT_EQ(a->str(), "10.68.6.1");
  EXPECT_EQ(a->v4_host_order(), 0x0a440601u);
  EXPECT_EQ(*a, IpAddr::v4(0x0a440601u));
  EXPECT_EQ(a->bits(), 32);
  EXPECT_EQ(a->size(), 4u);

  auto b = IpAddr::parse("2001:DB8:0:0::1");
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->is_v6());
  EXPECT_EQ(b->str(), "2001:db8::1");
  EXPECT_EQ(b->bits(), 128);
  uint8_t raw[16] = {0x20, 0x01, 0x0d, 0xb8};
  raw[15] = 1;
  EXPECT_EQ(*b, IpAddr::from_bytes(AF_INET6, raw));
}

TEST(IpAddr, Rejects) {
  for (const char* bad :
       {"", "10.68.6.300", "10.68.6", "10.68.6.1.", "010.68.6.1", " 10.68.6.1", "10.68.6.1 ",
        "2001:db8::g", "fe80::1%eth0", "1:2:3:4:5:6:7:8:9", "10.68.6.1/32", "default"})
    EXPECT_FALSE(IpAddr::parse(bad)) << bad;
  EXPECT_FALSE(IpAddr::parse(std::string_view("10.68.6.1\0junk", 14)));
  EXPECT_FALSE(IpAddr::parse(std::string(100, '1')));
}

TEST(IpAddr, Classes) {
  EXPECT_TRUE(IpAddr::parse("fe80::1")->is_v6_link_local());
  EXPECT_TRUE(IpAddr::parse("febf::1")->is_v6_link_local());
  EXPECT_FALSE(IpAddr::parse("fec0::1")->is_v6_link_local());
  EXPECT_TRUE(IpAddr::parse("224.0.0.5")->is_multicast());
  EXPECT_TRUE(IpAddr::parse("ff02::1")->is_multicast());
  EXPECT_FALSE(IpAddr::parse("10.68.6.1")->is_multicast());
  EXPECT_TRUE(IpAddr::parse("127.0.0.1")->is_loopback());
  EXPECT_TRUE(IpAddr::parse("::1")->is_loopback());
  EXPECT_FALSE(IpAddr::parse("::2")->is_loopback());
  EXPECT_TRUE(IpAddr::parse("0.0.0.0")->is_unspecified());
  EXPECT_TRUE(IpAddr::parse("::")->is_unspecified());
  EXPECT_FALSE(IpAddr::parse("10.0.0.0")->is_unspecified());
  EXPECT_TRUE(IpAddr{}.empty());
  EXPECT_EQ(IpAddr{}.str(), "");
}

TEST(IpAddr, Masked) {
  EXPECT_EQ(IpAddr::parse("10.68.6.77")->masked(24).str(), "10.68.6.0");
  EXPECT_EQ(IpAddr::parse("10.68.6.77")->masked(20).str(), "10.68.0.0");
  EXPECT_EQ(IpAddr::parse("10.68.6.77")->masked(0).str(), "0.0.0.0");
  EXPECT_EQ(IpAddr::parse("10.68.6.77")->masked(32).str(), "10.68.6.77");
  EXPECT_EQ(IpAddr::parse("2001:db8:6:7::1")->masked(48).str(), "2001:db8:6::");
  EXPECT_EQ(IpAddr::parse("2001:db8:6:7::1")->masked(63).str(), "2001:db8:6:6::");
  EXPECT_EQ(IpAddr::parse("2001:db8::1")->masked(128).str(), "2001:db8::1");
}

TEST(IpAddr, OrderedAndComparable) {
  EXPECT_LT(*IpAddr::parse("10.0.0.1"), *IpAddr::parse("10.0.0.2"));
  EXPECT_LT(*IpAddr::parse("255.255.255.255"), *IpAddr::parse("::"));  // AF_INET < AF_INET6
  EXPECT_NE(*IpAddr::parse("::ffff:10.0.0.1"), *IpAddr::parse("10.0.0.1"));
}

TEST(Prefix, ParseAndFormat) {
  auto p = Prefix::parse("10.68.1.0/24");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->len, 24);
  EXPECT_EQ(p->str(), "10.68.1.0/24");
  EXPECT_EQ(Prefix::parse("10.68.6.1")->len, 32);
  EXPECT_EQ(Prefix::parse("2001:db8::1")->len, 128);
  EXPECT_EQ(Prefix::parse("::/0")->str(), "::/0");
  EXPECT_TRUE(Prefix::parse("0.0.0.0/0")->is_default());
  for (const char* bad : {"10.68.1.0/33", "10.68.1.0/", "10.68.1.0/x", "10.68.1.0/24/1",
                          "2001:db8::/129", "/24", "10.68.1.0/0024", "10.68.1.0/-1", "default"})
    EXPECT_FALSE(Prefix::parse(bad)) << bad;
}

TEST(Prefix, Contains) {
  auto p = *Prefix::parse("10.68.1.0/24");
  EXPECT_TRUE(p.contains(*IpAddr::parse("10.68.1.200")));
  EXPECT_FALSE(p.contains(*IpAddr::parse("10.68.2.1")));
  EXPECT_FALSE(p.contains(*IpAddr::parse("::a44:101")));
  EXPECT_TRUE(Prefix::parse("0.0.0.0/0")->contains(*IpAddr::parse("1.2.3.4")));
  EXPECT_TRUE(Prefix::parse("2001:db8::/32")->contains(*IpAddr::parse("2001:db8:ffff::1")));
}

TEST(Netmask, ToPrefixlen) {
  EXPECT_EQ(netmask_to_prefixlen("255.255.255.0"), 24);
  EXPECT_EQ(netmask_to_prefixlen("255.255.255.255"), 32);
  EXPECT_EQ(netmask_to_prefixlen("255.255.255.128"), 25);
  EXPECT_EQ(netmask_to_prefixlen("0.0.0.0"), 0);
  EXPECT_EQ(netmask_to_prefixlen("128.0.0.0"), 1);
  EXPECT_FALSE(netmask_to_prefixlen("255.0.255.0"));
  EXPECT_FALSE(netmask_to_prefixlen("0.255.255.255"));
  EXPECT_FALSE(netmask_to_prefixlen("255.255.255.1"));
  EXPECT_FALSE(netmask_to_prefixlen("ffff::"));
  EXPECT_FALSE(netmask_to_prefixlen("24"));
}

TEST(Netmask, FromPrefixlen) {
  EXPECT_EQ(prefixlen_to_netmask(24), "255.255.255.0");
  EXPECT_EQ(prefixlen_to_netmask(32), "255.255.255.255");
  EXPECT_EQ(prefixlen_to_netmask(25), "255.255.255.128");
  EXPECT_EQ(prefixlen_to_netmask(1), "128.0.0.0");
  EXPECT_EQ(prefixlen_to_netmask(0), "0.0.0.0");
  for (int len = 0; len <= 32; ++len)
    EXPECT_EQ(netmask_to_prefixlen(prefixlen_to_netmask(len)), len) << len;
}

}  // namespace
}  // namespace vipa
