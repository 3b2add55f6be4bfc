// Dead gateway detection probes against golden bytes captured from the kernel (Linux 6.18,
// veth pair in two namespaces: x0 02:00:00:00:01:01 10.68.1.1 2001:db8:1::1, y0
// 02:00:00:00:01:02 10.68.1.2 2001:db8:1::2; frames read with an AF_PACKET socket on x0).
// The echo replies are the kernel's answers to the requests build_echo4/6 produce here, which
// also proves their checksums: the kernel drops an echo with a bad one.
#include "core/dgd_packet.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>
#include <vector>

namespace vipa::dgd {
namespace {

std::vector<uint8_t> unhex(const std::string& h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}
std::string hex(std::span<const uint8_t> d) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}
IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

const Mac kX0 = {0x02, 0, 0, 0, 0x01, 0x01};
const Mac kY0 = {0x02, 0, 0, 0, 0x01, 0x02};

// `ping 10.68.1.2` on x0, the kernel's request: ARP who-has 10.68.1.2 tell 10.68.1.1
// (Ethernet header ff:ff:ff:ff:ff:ff 02:00:00:00:01:01 0806 stripped, as SOCK_DGRAM does).
const char* kKernelArpRequest = "00010800060400010200000001010a4401010000000000000a440102";
// y0's answer: ARP reply 10.68.1.2 is-at 02:00:00:00:01:02.
const char* kKernelArpReply = "00010800060400020200000001020a4401020200000001010a440101";

TEST(DgdPacket, ArpRequestIsWhatTheKernelSends) {
  uint8_t buf[64];
  size_t n = build_arp_request(buf, kX0, ip("10.68.1.1"), ip("10.68.1.2"));
  ASSERT_EQ(n, kArpLen);
  EXPECT_EQ(hex({buf, n}), kKernelArpRequest);
}

TEST(DgdPacket, ArpRequestRejectsSmallBufferAndIpv6) {
  uint8_t buf[27];
  EXPECT_EQ(build_arp_request(buf, kX0, ip("10.68.1.1"), ip("10.68.1.2")), 0u);
  uint8_t big[64];
  EXPECT_EQ(build_arp_request(big, kX0, ip("2001:db8::1"), ip("10.68.1.2")), 0u);
}

TEST(DgdPacket, ParsesKernelArpReply) {
  auto b = unhex(kKernelArpReply);
  auto a = parse_arp(b);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->op, 2);
  EXPECT_EQ(a->sha, kY0);
  EXPECT_EQ(a->spa, ip("10.68.1.2"));
  EXPECT_EQ(a->tha, kX0);
  EXPECT_EQ(a->tpa, ip("10.68.1.1"));
  // Ethernet pads frames to 60 bytes: trailing bytes are fine.
  b.resize(46, 0);
  EXPECT_TRUE(parse_arp(b));
}

TEST(DgdPacket, ArpParserRejectsOtherShapes) {
  auto b = unhex(kKernelArpReply);
  for (size_t len = 0; len < kArpLen; ++len) EXPECT_FALSE(parse_arp({b.data(), len})) << len;
  auto bad = b;
  bad[1] = 6;  // IEEE 802 hardware
  EXPECT_FALSE(parse_arp(bad));
  bad = b;
  bad[3] = 0xdd;  // protocol 0x08dd
  EXPECT_FALSE(parse_arp(bad));
  bad = b;
  bad[5] = 16;  // protocol address length
  EXPECT_FALSE(parse_arp(bad));
}

TEST(DgdPacket, SolicitedNode) {
  EXPECT_EQ(solicited_node(ip("2001:db8:1::2")).str(), "ff02::1:ff00:2");
  EXPECT_EQ(solicited_node(ip("fe80::1234:5678:9abc:def0")).str(), "ff02::1:ffbc:def0");
}

// `ping 2001:db8:1::2` on x0: the kernel's NS (IPv6 header 2001:db8:1::1 > ff02::1:ff00:2, hop
// limit 255), ICMPv6 part.
const char* kKernelNs = "87001b250000000020010db80001000000000000000000020101020000000101";
// y0's NA: solicited + override, target 2001:db8:1::2, target link-layer 02:00:00:00:01:02.
const char* kKernelNa = "8800896e6000000020010db80001000000000000000000020201020000000102";

TEST(DgdPacket, NeighbourSolicitIsWhatTheKernelSends) {
  uint8_t buf[64];
  size_t n = build_neighbour_solicit(buf, ip("2001:db8:1::2"), &kX0);
  ASSERT_EQ(n, kNsLen);
  // The raw socket fills the checksum in; the kernel's own one is what ours comes to.
  EXPECT_EQ(icmp6_checksum(ip("2001:db8:1::1"), ip("ff02::1:ff00:2"), {buf, n}), 0x1b25);
  buf[2] = 0x1b;
  buf[3] = 0x25;
  EXPECT_EQ(hex({buf, n}), kKernelNs);
}

TEST(DgdPacket, NeighbourSolicitWithoutLinkLayerAddress) {
  uint8_t buf[64];
  size_t n = build_neighbour_solicit(buf, ip("2001:db8:1::2"), nullptr);
  ASSERT_EQ(n, 24u);
  EXPECT_EQ(hex({buf, n}), "870000000000000020010db8000100000000000000000002");
  EXPECT_EQ(build_neighbour_solicit(buf, ip("10.68.1.2"), nullptr), 0u);
}

TEST(DgdPacket, ParsesKernelNeighbourAdvert) {
  auto b = unhex(kKernelNa);
  auto na = parse_neighbour_advert(b);
  ASSERT_TRUE(na);
  EXPECT_EQ(na->target, ip("2001:db8:1::2"));
  EXPECT_FALSE(na->router);
  EXPECT_TRUE(na->solicited);
  EXPECT_TRUE(na->override_flag);
  ASSERT_TRUE(na->tll);
  EXPECT_EQ(*na->tll, kY0);
  // The checksum the kernel computed verifies with the pseudo-header it was sent with.
  EXPECT_EQ(icmp6_checksum(ip("2001:db8:1::2"), ip("2001:db8:1::1"), b), 0);
}

TEST(DgdPacket, NeighbourAdvertParserRejects) {
  auto b = unhex(kKernelNa);
  for (size_t len = 0; len < 24; ++len)
    EXPECT_FALSE(parse_neighbour_advert({b.data(), len})) << len;
  auto bad = b;
  bad[0] = 135;  // a solicitation
  EXPECT_FALSE(parse_neighbour_advert(bad));
  bad = b;
  bad[1] = 1;  // code
  EXPECT_FALSE(parse_neighbour_advert(bad));
  bad = b;
  bad[8] = 0xff;  // multicast target
  EXPECT_FALSE(parse_neighbour_advert(bad));
  bad = b;
  bad[25] = 0;  // option of length zero (RFC 4861 §4.6: discard)
  EXPECT_FALSE(parse_neighbour_advert(bad));
  bad = b;
  bad[25] = 2;  // option longer than the message
  EXPECT_FALSE(parse_neighbour_advert(bad));
  // Without options: valid, no link-layer address.
  auto na = parse_neighbour_advert({b.data(), 24});
  ASSERT_TRUE(na);
  EXPECT_FALSE(na->tll);
}

// build_echo4(10.68.1.1 -> 10.68.1.2, id 0x47a1, seq 1, cookie {7, 9}) and y0's answer.
const char* kEcho4 =
    "4500002c00014000400124460a4401010a440102080000ea47a1000176697061646764310000000700000009";
const char* kKernelEcho4Reply =
    "4500002c813d00004001e3090a4401020a440101000008ea47a1000176697061646764310000000700000009";
// build_echo6(2001:db8:1::1 -> 2001:db8:1::2, id 0x47a4, seq 1, cookie {7, 9}), y0's answer
// (ICMPv6 part, from 2001:db8:1::2).
const char* kEcho6 =
    "6000000000183a4020010db800010000000000000000000120010db8000100000000000000000002"
    "80002d1d47a4000176697061646764310000000700000009";
const char* kKernelEcho6Reply = "81002c1d47a4000176697061646764310000000700000009";

TEST(DgdPacket, Echo4) {
  uint8_t buf[128];
  size_t n = build_echo4(buf, ip("10.68.1.1"), ip("10.68.1.2"), 0x47a1, 1, {7, 9});
  ASSERT_EQ(n, kEcho4Len);
  EXPECT_EQ(hex({buf, n}), kEcho4);
  EXPECT_EQ(inet_checksum({buf, 20}), 0);
  EXPECT_EQ(inet_checksum({buf + 20, n - 20}), 0);
  uint8_t small[kEcho4Len - 1];
  EXPECT_EQ(build_echo4(small, ip("10.68.1.1"), ip("10.68.1.2"), 1, 1, {}), 0u);
}

TEST(DgdPacket, ParsesKernelEcho4Reply) {
  auto b = unhex(kKernelEcho4Reply);
  auto r = parse_echo_reply4(b);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->from, ip("10.68.1.2"));
  EXPECT_EQ(r->to, ip("10.68.1.1"));
  EXPECT_EQ(r->id, 0x47a1);
  EXPECT_EQ(r->seq, 1);
  EXPECT_EQ(r->cookie.serial, 7u);
  EXPECT_EQ(r->cookie.round, 9u);
  // Our own request is not a reply.
  EXPECT_FALSE(parse_echo_reply4(unhex(kEcho4)));
}

TEST(DgdPacket, Echo4ReplyParserRejects) {
  auto b = unhex(kKernelEcho4Reply);
  for (size_t len = 0; len < b.size(); ++len)
    EXPECT_FALSE(parse_echo_reply4({b.data(), len})) << len;
  auto bad = b;
  bad[28] = 'V';  // somebody else's ping
  EXPECT_FALSE(parse_echo_reply4(bad));
  bad = b;
  bad[6] = 0x20;  // more fragments
  EXPECT_FALSE(parse_echo_reply4(bad));
  bad = b;
  bad[0] = 0x44;  // header length 16
  EXPECT_FALSE(parse_echo_reply4(bad));
  bad = b;
  bad[0] = 0x4f;  // header length 60, longer than the packet
  EXPECT_FALSE(parse_echo_reply4(bad));
  bad = b;
  bad[9] = 17;  // UDP
  EXPECT_FALSE(parse_echo_reply4(bad));
}

TEST(DgdPacket, Echo6) {
  uint8_t buf[128];
  size_t n = build_echo6(buf, ip("2001:db8:1::1"), ip("2001:db8:1::2"), 0x47a4, 1, {7, 9});
  ASSERT_EQ(n, kEcho6Len);
  EXPECT_EQ(hex({buf, n}), kEcho6);
  EXPECT_EQ(icmp6_checksum(ip("2001:db8:1::1"), ip("2001:db8:1::2"), {buf + 40, n - 40}), 0);
  EXPECT_EQ(build_echo6(buf, ip("10.68.1.1"), ip("2001:db8:1::2"), 1, 1, {}), 0u);
}

TEST(DgdPacket, ParsesKernelEcho6Reply) {
  auto b = unhex(kKernelEcho6Reply);
  EXPECT_EQ(icmp6_checksum(ip("2001:db8:1::2"), ip("2001:db8:1::1"), b), 0);
  auto r = parse_echo_reply6(b, ip("2001:db8:1::2"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->from, ip("2001:db8:1::2"));
  EXPECT_EQ(r->id, 0x47a4);
  EXPECT_EQ(r->cookie.serial, 7u);
  EXPECT_EQ(r->cookie.round, 9u);
  auto req = unhex(kEcho6);
  EXPECT_FALSE(parse_echo_reply6({req.data() + 40, req.size() - 40}, ip("2001:db8:1::1")));
  for (size_t len = 0; len < b.size(); ++len)
    EXPECT_FALSE(parse_echo_reply6({b.data(), len}, ip("2001:db8:1::2"))) << len;
}

TEST(DgdPacket, ChecksumOddLengthAndCarry) {
  // RFC 1071 §3 example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2; the checksum is its complement.
  auto b = unhex("0001f203f4f5f6f7");
  EXPECT_EQ(inet_checksum(b), static_cast<uint16_t>(~0xddf2));
  auto odd = unhex("ff");
  EXPECT_EQ(inet_checksum(odd), static_cast<uint16_t>(~0xff00));
}

}  // namespace
}  // namespace vipa::dgd
