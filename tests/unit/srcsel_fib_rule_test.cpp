// The policy-rule codec: what vipad writes reads back the same; rules not tagged as vipad's,
// or shaped unlike vipad's, are never taken for its own (and so never deleted).
#include <gtest/gtest.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "srcsel/kernel/fib_rules.h"

namespace vipa::srcsel {
namespace {

FibRule user_rule() {
  FibRule r;
  r.family = AF_INET;
  r.priority = 32000;
  r.table = 8601;
  r.has_uid = true;
  r.uid_first = 1000;
  r.uid_last = 1999;
  return r;
}

TEST(FibRuleCodec, RoundTrip) {
  char buf[512];
  FibRule u = user_rule();
  auto back = decode_fib_rule(encode_fib_rule(buf, RTM_NEWRULE, u));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, u);
  FibRule d;
  d.family = AF_INET6;
  d.priority = 32364;
  d.table = 8605;
  d.dst = *IpAddr::parse("2001:db8:201::");
  d.dst_len = 64;
  back = decode_fib_rule(encode_fib_rule(buf, RTM_NEWRULE, d));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, d);
  EXPECT_EQ(back->str(), "32364: inet6 to 2001:db8:201::/64 lookup 8605");
}

TEST(FibRuleCodec, OthersRulesAreNotOurs) {
  char buf[512];
  nlmsghdr* nlh = encode_fib_rule(buf, RTM_NEWRULE, user_rule());
  // Another protocol tag (an administrator's `ip rule add`: proto boot).
  nlattr* a = reinterpret_cast<nlattr*>(reinterpret_cast<char*>(nlh) + NLMSG_HDRLEN +
                                        NLMSG_ALIGN(sizeof(fib_rule_hdr)));
  for (size_t off = 0; off < nlh->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(sizeof(fib_rule_hdr));) {
    auto* x = reinterpret_cast<nlattr*>(reinterpret_cast<char*>(a) + off);
    if (x->nla_type == FRA_PROTOCOL) *reinterpret_cast<uint8_t*>(x + 1) = RTPROT_BOOT;
    off += NLMSG_ALIGN(x->nla_len);
  }
  EXPECT_FALSE(decode_fib_rule(nlh));
  // A truncated message.
  nlh = encode_fib_rule(buf, RTM_NEWRULE, user_rule());
  nlh->nlmsg_len = NLMSG_HDRLEN + 4;
  EXPECT_FALSE(decode_fib_rule(nlh));
}

}  // namespace
}  // namespace vipa::srcsel
