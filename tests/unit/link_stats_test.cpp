// decode_link_stats: what netstat -in and lsdev read from an RTM_NEWLINK (MTU, hardware
// address, IFLA_STATS64 counters), from a message built as the kernel lays it out.
#include "nl/link_stats.h"

#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

namespace vipa::nl {
namespace {

nlmsghdr* newlink(char* buf, bool with_stats) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_NEWLINK;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_index = 2;
  ifi->ifi_type = ARPHRD_ETHER;
  ifi->ifi_flags = IFF_UP | IFF_RUNNING;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, "en1");
  mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
  const unsigned char mac[6] = {0xbe, 0x02, 0x05, 0xa4, 0x01, 0x11};
  mnl_attr_put(nlh, IFLA_ADDRESS, sizeof mac, mac);
  nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
  mnl_attr_nest_end(nlh, info);
  if (with_stats) {
    rtnl_link_stats64 st{};
    st.rx_packets = 3385;
    st.tx_packets = 1737;
    st.rx_errors = 1;
    st.tx_errors = 2;
    st.collisions = 3;
    mnl_attr_put(nlh, IFLA_STATS64, sizeof st, &st);
  }
  return nlh;
}

TEST(LinkStats, DecodesWhatNetstatShows) {
  alignas(8) char buf[2048] = {};
  auto s = decode_link_stats(newlink(buf, true));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->ifindex, 2);
  EXPECT_EQ(s->name, "en1");
  EXPECT_EQ(s->kind, "veth");
  EXPECT_EQ(s->mtu, 1500u);
  EXPECT_EQ(s->address, "be.2.5.a4.1.11");  // AIX's form: no leading zeros, dots
  EXPECT_EQ(s->rx_packets, 3385u);
  EXPECT_EQ(s->tx_packets, 1737u);
  EXPECT_EQ(s->rx_errors, 1u);
  EXPECT_EQ(s->tx_errors, 2u);
  EXPECT_EQ(s->collisions, 3u);
}

TEST(LinkStats, NoStatsMeansZeroCounters) {
  alignas(8) char buf[2048] = {};
  auto s = decode_link_stats(newlink(buf, false));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->rx_packets, 0u);
}

TEST(LinkStats, RefusesTruncatedAndOtherMessages) {
  alignas(8) char buf[2048] = {};
  nlmsghdr* nlh = newlink(buf, true);
  nlh->nlmsg_len -= 7;  // the last attribute now runs past the message
  EXPECT_FALSE(decode_link_stats(nlh));
  nlh = newlink(buf, true);
  nlh->nlmsg_type = RTM_NEWADDR;
  EXPECT_FALSE(decode_link_stats(nlh));
}

}  // namespace
}  // namespace vipa::nl
