// libFuzzer target: what strangers on the local link send to dead gateway detection, and the
// kernel's neighbour events about them. The first byte picks the parser, the rest is the
// packet, copied into a heap block of exactly its size so AddressSanitizer reports any read
// past it:
//   0  ARP (parse_arp), as an AF_PACKET socket delivers it
//   1  ICMPv6 neighbour advertisement (parse_neighbour_advert), as a raw socket delivers it
//   2  IPv4 packet with an ICMP echo reply (parse_echo_reply4)
//   3  ICMPv6 echo reply (parse_echo_reply6)
//   4  a netlink datagram of RTM_NEWNEIGH/DELNEIGH, walked as the event socket walks it
//      (nl::walk_datagram) and given to nl::decode_neighbour
// What a parser accepts must also be self-consistent: a reply's addresses have the family of
// its protocol, and an ARP packet built by vipad parses back to what was built.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>

#include "core/dgd_packet.h"
#include "nl/datagram.h"
#include "nl/neighbour.h"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "dgd_fuzz: %s\n", what);
  std::abort();
}

const vipa::IpAddr& from6() {
  static const vipa::IpAddr a = *vipa::IpAddr::parse("fe80::1");
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t which = data[0] % 5;
  const size_t n = size - 1;
  auto buf = std::make_unique<uint8_t[]>(n ? n : 1);
  if (n) std::memcpy(buf.get(), data + 1, n);
  std::span<const uint8_t> pkt(buf.get(), n);
  using namespace vipa::dgd;
  switch (which) {
    case 0:
      if (auto a = parse_arp(pkt)) {
        if (!a->spa.is_v4() || !a->tpa.is_v4()) fail("ARP addresses not IPv4");
        uint8_t out[64];
        size_t len = build_arp_request(out, a->sha, a->spa, a->tpa);
        auto back = parse_arp(std::span<const uint8_t>(out, len));
        if (!back || back->spa != a->spa || back->tpa != a->tpa || back->sha != a->sha)
          fail("built ARP request does not parse back");
      }
      break;
    case 1:
      if (auto na = parse_neighbour_advert(pkt))
        if (na->target.is_v4()) fail("neighbour advertisement with an IPv4 target");
      break;
    case 2:
      if (auto r = parse_echo_reply4(pkt))
        if (!r->from.is_v4()) fail("IPv4 echo reply from a non-IPv4 address");
      break;
    case 3:
      if (auto r = parse_echo_reply6(pkt, from6()))
        if (r->from != from6()) fail("IPv6 echo reply names another sender");
      break;
    default: {
      // Each message again in a block of exactly nlmsg_len bytes.
      std::span<const char> dgram(reinterpret_cast<const char*>(buf.get()), n);
      vipa::nl::walk_datagram(dgram, [](const nlmsghdr* h) {
        auto msg = std::make_unique<char[]>(h->nlmsg_len);
        std::memcpy(msg.get(), h, h->nlmsg_len);
        auto ev = vipa::nl::decode_neighbour(reinterpret_cast<const nlmsghdr*>(msg.get()));
        if (ev && ev->dst.empty()) fail("neighbour event without an address");
        if (!ev && ev.error().message.empty()) fail("neighbour message refused without a reason");
      });
    }
  }
  return 0;
}
