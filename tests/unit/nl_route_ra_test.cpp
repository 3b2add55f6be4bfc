// The route decoder's view of an advertised route: its lifetime (RTA_CACHEINFO) and RFC 4191
// preference (RTA_PREF), which core/advertised_routes.cpp needs to tell advertised routes from
// others and to rank a destination's routers.
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "nl/route.h"

namespace vipa {
namespace {

// `default via fe80::1 dev 2 proto ra metric 1024 expires 29sec pref high`, as the kernel
// reports it (rta_expires in clock_t at USER_HZ 100).
std::vector<char> ra_default(int32_t expires_ticks, bool with_pref) {
  std::vector<char> buf(512);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_NEWROUTE;
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = AF_INET6;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_RA;
  rtm->rtm_type = RTN_UNICAST;
  mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
  mnl_attr_put_u32(nlh, RTA_PRIORITY, 1024);
  unsigned char gw[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  mnl_attr_put(nlh, RTA_GATEWAY, sizeof gw, gw);
  mnl_attr_put_u32(nlh, RTA_OIF, 2);
  rta_cacheinfo ci{};
  ci.rta_expires = expires_ticks;
  mnl_attr_put(nlh, RTA_CACHEINFO, sizeof ci, &ci);
  if (with_pref) mnl_attr_put_u8(nlh, RTA_PREF, 1);
  buf.resize(nlh->nlmsg_len);
  return buf;
}

TEST(NlRouteAdvertised, LifetimeAndPreferenceAreDecoded) {
  auto msg = ra_default(2901, true);
  auto r = nl::decode_route(reinterpret_cast<const nlmsghdr*>(msg.data()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->protocol, RTPROT_RA);
  EXPECT_EQ(r->expires, 30u);  // 29.01 s left: rounded up, never to 0 while it lasts
  EXPECT_EQ(r->pref, 1);
  EXPECT_NE(r->passthrough.size(), 0u);  // RTA_PREF and RTA_EXPIRES still carried through
}

TEST(NlRouteAdvertised, NoLifetimeIsZeroAndMediumIsTheDefault) {
  auto msg = ra_default(0, false);
  auto r = nl::decode_route(reinterpret_cast<const nlmsghdr*>(msg.data()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->expires, 0u);
  EXPECT_EQ(r->pref, 0);
}

TEST(NlRouteAdvertised, PastItsLifetimeStillCountsAsHavingOne) {
  // The kernel reports a route it has not yet collected with a negative lifetime: it is still
  // the kernel's (an advertised route), not one vipad may rewrite.
  auto msg = ra_default(-500, false);
  auto r = nl::decode_route(reinterpret_cast<const nlmsghdr*>(msg.data()));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->expires, 1u);
}

}  // namespace
}  // namespace vipa
