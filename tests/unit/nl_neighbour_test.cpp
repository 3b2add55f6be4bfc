// nl::decode_neighbour() and the attribute policy table (nl/attr.h) against neighbour messages
// captured from the kernel, and truncated or hostile ones that must be refused, with a reason,
// without reading past nlmsg_len.
#include <gtest/gtest.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "fenced.h"
#include "nl/attr.h"
#include "nl/neighbour.h"

namespace vipa {
namespace {

using nltest::Fenced;

IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

std::vector<uint8_t> unhex(const std::string& h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

// Captured from RTNLGRP_NEIGH (Linux 6.18) while pinging from x0 (ifindex 2):
// `10.68.1.2 dev x0 lladdr 02:00:00:00:01:02 REACHABLE`
// ndmsg at 16; NDA_DST at 28, NDA_LLADDR at 36, NDA_PROBES at 48, NDA_CACHEINFO at 56.
const char* kReachable =
    "4c0000001c0000000000000000000000020000000200000002000001080001000a4401020a00020002000000"
    "0102000008000400040000001400030000000000000000000000000002000000";
// `10.68.1.9 dev x0 FAILED` (nobody there): NDA_DST at 28, NDA_PROBES at 36, NDA_CACHEINFO at 44.
const char* kFailed4 =
    "400000001c0000000000000000000000020000000200000020000001080001000a440109080004000600000014"
    "000300a3180000330100000000000001000000";
// `2001:db8:1::9 dev x0 FAILED`: NDA_DST at 28, NDA_PROBES at 48, NDA_CACHEINFO at 56.
const char* kFailed6 =
    "4c0000001c00000000000000000000000a00000002000000200000011400010020010db80001000000000000"
    "00000009080004000600000014000300a3180000330100000000000001000000";

Result<nl::NeighbourMsg> decode(const std::vector<uint8_t>& b, size_t len = 0) {
  Fenced f(b.data(), len ? len : b.size());
  return nl::decode_neighbour(f.msg());
}

std::string error_of(const std::vector<uint8_t>& b, size_t len = 0) {
  auto r = decode(b, len);
  return r ? "OK" : r.error().message;
}

TEST(NlNeighbour, V4Reachable) {
  auto m = decode(unhex(kReachable));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_FALSE(m->deleted);
  EXPECT_EQ(m->ifindex, 2);
  EXPECT_EQ(m->dst, ip("10.68.1.2"));
  EXPECT_EQ(m->lladdr, (std::vector<uint8_t>{0x02, 0, 0, 0, 0x01, 0x02}));
  EXPECT_EQ(m->state, NUD_REACHABLE);
  EXPECT_EQ(m->flags, 0);
  EXPECT_TRUE(m->reachable());
  EXPECT_FALSE(m->failed());
  EXPECT_FALSE(m->proxy());
}

TEST(NlNeighbour, V4AndV6Failed) {
  auto m = decode(unhex(kFailed4));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->dst, ip("10.68.1.9"));
  EXPECT_TRUE(m->lladdr.empty());
  EXPECT_TRUE(m->failed());
  EXPECT_FALSE(m->reachable());

  m = decode(unhex(kFailed6));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->ifindex, 2);
  EXPECT_EQ(m->dst, ip("2001:db8:1::9"));
  EXPECT_TRUE(m->failed());
}

TEST(NlNeighbour, DeletedIsNeitherFailedNorReachableAndProxyIsMarked) {
  auto b = unhex(kFailed4);
  b[4] = RTM_DELNEIGH;
  b[26] = NTF_PROXY;
  auto m = decode(b);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_TRUE(m->deleted);
  EXPECT_FALSE(m->failed());
  EXPECT_FALSE(m->reachable());
  EXPECT_TRUE(m->proxy());
  EXPECT_FALSE(decode(unhex(kFailed4))->proxy());
}

TEST(NlNeighbour, WrongTypeOrFamily) {
  auto b = unhex(kFailed4);
  b[4] = RTM_NEWROUTE;
  EXPECT_EQ(error_of(b), "message type 24 is not a neighbour message");
  b = unhex(kFailed4);
  b[16] = AF_BRIDGE;
  EXPECT_EQ(error_of(b), "neighbour family 7 is not IPv4 or IPv6");
  // An IPv4 message carrying an IPv6 message's address: NDA_DST has the wrong size.
  b = unhex(kFailed6);
  b[16] = AF_INET;
  EXPECT_EQ(error_of(b),
            "neighbour message: attribute NDA_DST (type 1) at offset 28: 16 payload bytes, want 4");
}

TEST(NlNeighbour, Truncated) {
  auto b = unhex(kFailed4);
  EXPECT_EQ(error_of(b, 16), "neighbour message of 16 bytes is shorter than its header");
  EXPECT_EQ(error_of(b, 20), "neighbour message of 20 bytes is shorter than its header");
  EXPECT_EQ(error_of(b, 28), "neighbour message without NDA_DST");
  EXPECT_EQ(error_of(b, 34),
            "neighbour message: attribute at offset 28 runs past the message end (34 bytes)");
  // Every cut: refused, or (at an attribute boundary after NDA_DST) the same neighbour.
  auto v6 = unhex(kFailed6);
  for (size_t len = 16; len < v6.size(); ++len) {
    auto m = decode(v6, len);
    if (len == 48 || len == 56) {
      EXPECT_TRUE(m && m->dst == ip("2001:db8:1::9")) << len;
    } else {
      EXPECT_FALSE(m) << len;
    }
  }
}

TEST(NlNeighbour, AttributeShorterThanItsMinimum) {
  // NDA_DST with 2 payload bytes; the next attribute still starts at its aligned offset.
  auto b = unhex(kFailed4);
  b[28] = 6;
  EXPECT_EQ(error_of(b),
            "neighbour message: attribute NDA_DST (type 1) at offset 28: 2 payload bytes, want 4");
  // An empty NDA_LLADDR.
  b = unhex(kReachable);
  b[36] = 4;
  b[0] -= 8;  // ... and its 8 bytes of address and padding gone
  b.erase(b.begin() + 40, b.begin() + 48);
  EXPECT_EQ(error_of(b),
            "neighbour message: attribute NDA_LLADDR (type 2) at offset 36: 0 payload "
            "bytes, want at least 1, at most 32");
}

TEST(NlNeighbour, UnknownAttributesAreIgnored) {
  // NDA_PROBES and NDA_CACHEINFO are not in the policy; neither is a type past the table.
  auto b = unhex(kFailed4);
  b[38] = 0xc8;  // NDA_PROBES -> type 200
  b[46] = NDA_CACHEINFO + 40;
  auto m = decode(b);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->dst, ip("10.68.1.9"));
}

TEST(NlAttrPolicy, FillsTheTableByType) {
  auto b = unhex(kReachable);
  Fenced f(b.data(), b.size());
  const nl::AttrPolicy policy[] = {{NDA_DST, 4, 4, "NDA_DST"}, {NDA_PROBES, 4, 4, "NDA_PROBES"}};
  nl::AttrTable<NDA_MAX + 1> t;
  t.fill(reinterpret_cast<const nlattr*>(b.data()));  // stale entries are cleared
  ASSERT_TRUE(nl::parse_attrs(f.msg(), sizeof(ndmsg), policy, t));
  for (size_t i = 0; i < t.size(); ++i) {
    if (i != NDA_DST && i != NDA_PROBES) {
      EXPECT_EQ(t[i], nullptr) << i;
    }
  }
  ASSERT_NE(t[NDA_DST], nullptr);
  EXPECT_EQ(reinterpret_cast<const char*>(t[NDA_DST]) - reinterpret_cast<const char*>(f.msg()), 28);
  EXPECT_EQ(mnl_attr_get_u32(t[NDA_PROBES]), 4u);
  // A table too small for a type the policy names: that attribute is left out.
  nl::AttrTable<NDA_DST + 1> small;
  ASSERT_TRUE(nl::parse_attrs(f.msg(), sizeof(ndmsg), policy, small));
  EXPECT_NE(small[NDA_DST], nullptr);
  // On error the table holds nothing.
  b[28] = 6;
  Fenced g(b.data(), b.size());
  EXPECT_FALSE(nl::parse_attrs(g.msg(), sizeof(ndmsg), policy, t));
  for (auto* a : t) EXPECT_EQ(a, nullptr);
}

}  // namespace
}  // namespace vipa
