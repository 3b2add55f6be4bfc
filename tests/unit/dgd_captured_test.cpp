// What a real kernel answered to vipad's probes (fuzz/corpus/dgd/cap-*.bin, written by
// fuzz/capture-dgd.sh; dgd_fuzz's first byte picks the parser): each parses to what was asked.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "core/dgd_packet.h"
#include "nl/datagram.h"
#include "nl/neighbour.h"

namespace vipa::dgd {
namespace {

std::vector<uint8_t> captured(const std::string& name) {
  std::ifstream in(std::string(VIPA_TEST_DATA) + "/../../fuzz/corpus/dgd/cap-" + name + ".bin",
                   std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  return bytes;
}

std::span<const uint8_t> packet(const std::vector<uint8_t>& file, uint8_t selector) {
  EXPECT_FALSE(file.empty());
  if (file.empty()) return {};
  EXPECT_EQ(file[0], selector);
  return std::span<const uint8_t>(file).subspan(1);
}

const IpAddr kGw4 = *IpAddr::parse("10.68.70.2");
const IpAddr kGw6 = *IpAddr::parse("2001:db8:70::2");

TEST(DgdCaptured, ArpReplyFromAKernel) {
  auto f = captured("arp-reply");
  auto a = parse_arp(packet(f, 0));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->op, 2);
  EXPECT_EQ(a->spa, kGw4);
  EXPECT_EQ(a->tpa, *IpAddr::parse("10.68.70.1"));
}

TEST(DgdCaptured, SolicitedNeighbourAdvertisementFromAKernel) {
  auto f = captured("na-solicited");
  auto na = parse_neighbour_advert(packet(f, 1));
  ASSERT_TRUE(na);
  EXPECT_EQ(na->target, kGw6);
  EXPECT_TRUE(na->solicited);
  EXPECT_TRUE(na->tll);
}

TEST(DgdCaptured, EchoRepliesCarryTheCookieBack) {
  auto f4 = captured("echo4-reply");
  auto r4 = parse_echo_reply4(packet(f4, 2));
  ASSERT_TRUE(r4);
  EXPECT_EQ(r4->from, kGw4);
  EXPECT_EQ(r4->id, 0x7670);
  EXPECT_EQ(r4->cookie.serial, 7u);
  EXPECT_EQ(r4->cookie.round, 3u);
  auto f6 = captured("echo6-reply");
  auto r6 = parse_echo_reply6(packet(f6, 3), kGw6);
  ASSERT_TRUE(r6);
  EXPECT_EQ(r6->id, 0x7670);
  EXPECT_EQ(r6->cookie.serial, 7u);
}

TEST(DgdCaptured, NeighbourEventsDecode) {
  int decoded = 0, files = 0;
  for (auto& e : std::filesystem::directory_iterator(std::string(VIPA_TEST_DATA) +
                                                     "/../../fuzz/corpus/dgd")) {
    std::string name = e.path().filename().string();
    if (name.rfind("cap-neigh-event-", 0) != 0) continue;
    ++files;
    auto f = captured(name.substr(4, name.size() - 8));
    auto p = packet(f, 4);
    // The datagram follows the selector byte: copied to a block of its own, aligned as a
    // socket's receive buffer is (netlink headers need 4-byte alignment).
    std::vector<uint32_t> block((p.size() + 3) / 4);
    std::memcpy(block.data(), p.data(), p.size());
    std::span<const char> dgram(reinterpret_cast<const char*>(block.data()), p.size());
    EXPECT_TRUE(nl::walk_datagram(dgram, [&](const nlmsghdr* h) {
      auto ev = nl::decode_neighbour(h);
      ASSERT_TRUE(ev.ok()) << name << ": " << ev.error().message;
      EXPECT_TRUE(ev->dst == kGw4 || ev->dst == kGw6 || ev->dst.is_v6()) << name;
      ++decoded;
    })) << name;
  }
  EXPECT_GE(files, 1);
  EXPECT_GE(decoded, files);
}

}  // namespace
}  // namespace vipa::dgd
