#include "core/dgd_packet.h"

#include <sys/socket.h>

#include <cstring>

namespace vipa::dgd {

namespace {

// Marks our echoes: a reply without it answers somebody else's ping.
constexpr uint8_t kMagic[8] = {'v', 'i', 'p', 'a', 'd', 'g', 'd', '1'};

constexpr uint16_t kArpHwEther = 1;
constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint8_t kIcmpEchoReply = 0, kIcmpEchoRequest = 8;
constexpr uint8_t kIcmp6EchoRequest = 128, kIcmp6EchoReply = 129;
constexpr uint8_t kIcmp6NeighbourSolicit = 135, kIcmp6NeighbourAdvert = 136;
constexpr uint8_t kNdOptSourceLl = 1, kNdOptTargetLl = 2;

void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void put32(uint8_t* p, uint32_t v) {
  put16(p, static_cast<uint16_t>(v >> 16));
  put16(p + 2, static_cast<uint16_t>(v));
}
uint16_t get16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
uint32_t get32(const uint8_t* p) {
  return static_cast<uint32_t>(get16(p)) << 16 | get16(p + 2);
}

uint32_t sum16(std::span<const uint8_t> d, uint32_t sum) {
  size_t i = 0;
  for (; i + 1 < d.size(); i += 2) sum += get16(&d[i]);
  if (i < d.size()) sum += static_cast<uint32_t>(d[i]) << 8;
  return sum;
}

// The echo request after the IP header: type, code, checksum, id, seq, payload.
void put_echo(uint8_t* p, uint8_t type, uint16_t id, uint16_t seq, const EchoCookie& c) {
  p[0] = type;
  p[1] = 0;
  put16(p + 2, 0);
  put16(p + 4, id);
  put16(p + 6, seq);
  std::memcpy(p + 8, kMagic, sizeof kMagic);
  put32(p + 16, c.serial);
  put32(p + 20, c.round);
}

std::optional<EchoReply> parse_echo(std::span<const uint8_t> icmp, uint8_t want_type) {
  if (icmp.size() < 8 + kEchoPayloadLen || icmp[0] != want_type || icmp[1] != 0) return {};
  if (std::memcmp(&icmp[8], kMagic, sizeof kMagic) != 0) return {};
  EchoReply r;
  r.id = get16(&icmp[4]);
  r.seq = get16(&icmp[6]);
  r.cookie.serial = get32(&icmp[16]);
  r.cookie.round = get32(&icmp[20]);
  return r;
}

}  // namespace

uint16_t inet_checksum(std::span<const uint8_t> data, uint32_t sum) {
  sum = sum16(data, sum);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

uint16_t icmp6_checksum(const IpAddr& src, const IpAddr& dst, std::span<const uint8_t> icmp) {
  uint8_t pseudo[40] = {};
  std::memcpy(pseudo, src.bytes.data(), 16);
  std::memcpy(pseudo + 16, dst.bytes.data(), 16);
  put32(pseudo + 32, static_cast<uint32_t>(icmp.size()));
  pseudo[39] = 58;  // next header: ICMPv6
  return inet_checksum(icmp, sum16(pseudo, 0));
}

size_t build_arp_request(std::span<uint8_t> out, const Mac& sha, const IpAddr& spa,
                         const IpAddr& tpa) {
  if (out.size() < kArpLen || !spa.is_v4() || !tpa.is_v4()) return 0;
  uint8_t* p = out.data();
  put16(p, kArpHwEther);
  put16(p + 2, kEtherTypeIpv4);
  p[4] = 6;
  p[5] = 4;
  put16(p + 6, 1);
  std::memcpy(p + 8, sha.data(), 6);
  std::memcpy(p + 14, spa.bytes.data(), 4);
  std::memset(p + 18, 0, 6);
  std::memcpy(p + 24, tpa.bytes.data(), 4);
  return kArpLen;
}

std::optional<ArpPacket> parse_arp(std::span<const uint8_t> in) {
  if (in.size() < kArpLen) return {};
  const uint8_t* p = in.data();
  if (get16(p) != kArpHwEther || get16(p + 2) != kEtherTypeIpv4 || p[4] != 6 || p[5] != 4)
    return {};
  ArpPacket a;
  a.op = get16(p + 6);
  std::memcpy(a.sha.data(), p + 8, 6);
  a.spa = IpAddr::from_bytes(AF_INET, p + 14);
  std::memcpy(a.tha.data(), p + 18, 6);
  a.tpa = IpAddr::from_bytes(AF_INET, p + 24);
  return a;
}

IpAddr solicited_node(const IpAddr& target) {
  IpAddr a;
  a.family = AF_INET6;
  a.bytes = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};
  a.bytes[13] = target.bytes[13];
  a.bytes[14] = target.bytes[14];
  a.bytes[15] = target.bytes[15];
  return a;
}

size_t build_neighbour_solicit(std::span<uint8_t> out, const IpAddr& target, const Mac* sll) {
  size_t len = sll ? kNsLen : 24;
  if (out.size() < len || !target.is_v6()) return 0;
  uint8_t* p = out.data();
  std::memset(p, 0, len);
  p[0] = kIcmp6NeighbourSolicit;
  std::memcpy(p + 8, target.bytes.data(), 16);
  if (sll) {
    p[24] = kNdOptSourceLl;
    p[25] = 1;  // in units of 8 bytes
    std::memcpy(p + 26, sll->data(), 6);
  }
  return len;
}

std::optional<NeighbourAdvert> parse_neighbour_advert(std::span<const uint8_t> icmp) {
  // RFC 4861 §7.1.2: code 0, at least 24 bytes, target not multicast, options of nonzero length.
  if (icmp.size() < 24 || icmp[0] != kIcmp6NeighbourAdvert || icmp[1] != 0) return {};
  NeighbourAdvert na;
  na.router = icmp[4] & 0x80;
  na.solicited = icmp[4] & 0x40;
  na.override_flag = icmp[4] & 0x20;
  na.target = IpAddr::from_bytes(AF_INET6, &icmp[8]);
  if (na.target.is_multicast()) return {};
  size_t off = 24;
  while (off + 2 <= icmp.size()) {
    size_t olen = static_cast<size_t>(icmp[off + 1]) * 8;
    if (olen == 0 || off + olen > icmp.size()) return {};
    if (icmp[off] == kNdOptTargetLl && olen >= 8) {
      Mac m;
      std::memcpy(m.data(), &icmp[off + 2], 6);
      na.tll = m;
    }
    off += olen;
  }
  return na;
}

size_t build_echo4(std::span<uint8_t> out, const IpAddr& src, const IpAddr& dst, uint16_t id,
                   uint16_t seq, const EchoCookie& cookie) {
  if (out.size() < kEcho4Len || !src.is_v4() || !dst.is_v4()) return 0;
  uint8_t* p = out.data();
  p[0] = 0x45;
  p[1] = 0;
  put16(p + 2, kEcho4Len);
  put16(p + 4, seq);     // IP id: any value; DF is set so it never names fragments
  put16(p + 6, 0x4000);  // DF
  p[8] = 64;
  p[9] = 1;  // ICMP
  put16(p + 10, 0);
  std::memcpy(p + 12, src.bytes.data(), 4);
  std::memcpy(p + 16, dst.bytes.data(), 4);
  put16(p + 10, inet_checksum({p, 20}));
  put_echo(p + 20, kIcmpEchoRequest, id, seq, cookie);
  put16(p + 22, inet_checksum({p + 20, 8 + kEchoPayloadLen}));
  return kEcho4Len;
}

size_t build_echo6(std::span<uint8_t> out, const IpAddr& src, const IpAddr& dst, uint16_t id,
                   uint16_t seq, const EchoCookie& cookie) {
  if (out.size() < kEcho6Len || !src.is_v6() || !dst.is_v6()) return 0;
  uint8_t* p = out.data();
  put32(p, 0x60000000);  // version 6, traffic class 0, flow label 0
  put16(p + 4, 8 + kEchoPayloadLen);
  p[6] = 58;  // ICMPv6
  p[7] = 64;
  std::memcpy(p + 8, src.bytes.data(), 16);
  std::memcpy(p + 24, dst.bytes.data(), 16);
  put_echo(p + 40, kIcmp6EchoRequest, id, seq, cookie);
  put16(p + 42, icmp6_checksum(src, dst, {p + 40, 8 + kEchoPayloadLen}));
  return kEcho6Len;
}

size_t build_echo_request(std::span<uint8_t> out, int family, uint16_t id, uint16_t seq,
                          const EchoCookie& cookie) {
  if (out.size() < kEchoMsgLen || (family != AF_INET && family != AF_INET6)) return 0;
  bool v4 = family == AF_INET;
  put_echo(out.data(), v4 ? kIcmpEchoRequest : kIcmp6EchoRequest, id, seq, cookie);
  if (v4) put16(out.data() + 2, inet_checksum({out.data(), kEchoMsgLen}));
  return kEchoMsgLen;
}

std::optional<EchoReply> parse_echo_reply4(std::span<const uint8_t> packet) {
  if (packet.size() < 20 || (packet[0] >> 4) != 4) return {};
  size_t ihl = static_cast<size_t>(packet[0] & 0x0f) * 4;
  if (ihl < 20 || packet.size() < ihl || packet[9] != 1) return {};
  // A fragment's ICMP header is not where it seems to be.
  if (get16(&packet[6]) & 0x3fff) return {};
  auto r = parse_echo(packet.subspan(ihl), kIcmpEchoReply);
  if (!r) return {};
  r->from = IpAddr::from_bytes(AF_INET, &packet[12]);
  r->to = IpAddr::from_bytes(AF_INET, &packet[16]);
  return r;
}

std::optional<EchoReply> parse_echo_reply6(std::span<const uint8_t> icmp, const IpAddr& from) {
  auto r = parse_echo(icmp, kIcmp6EchoReply);
  if (r) r->from = from;
  return r;
}

}  // namespace vipa::dgd
