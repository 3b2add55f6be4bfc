// Dead gateway detection probes as bytes: ARP requests and replies (RFC 826), IPv6 neighbour
// solicitations and advertisements (RFC 4861), and ICMP echoes sent to a gateway's MAC so that
// they leave through that gateway only. Pure functions over byte spans: builders write into the
// caller's buffer and return the bytes used (0 when it is too small); parsers check every
// length before reading and return nullopt for anything that is not exactly what they expect.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/ipaddr.h"

namespace vipa::dgd {

using Mac = std::array<uint8_t, 6>;
inline constexpr Mac kBroadcastMac = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

inline constexpr size_t kArpLen = 28;          // Ethernet/IPv4 ARP, without the Ethernet header
inline constexpr size_t kNsLen = 32;           // NS with a source link-layer address option
inline constexpr size_t kEchoPayloadLen = 16;  // magic + serial + round
inline constexpr size_t kEcho4Len = 20 + 8 + kEchoPayloadLen;
inline constexpr size_t kEcho6Len = 40 + 8 + kEchoPayloadLen;

// RFC 1071 one's complement sum; `sum` carries a pseudo-header's partial sum.
uint16_t inet_checksum(std::span<const uint8_t> data, uint32_t sum = 0);
// ICMPv6 checksum over the RFC 8200 §8.1 pseudo-header and `icmp` (its checksum field zero).
uint16_t icmp6_checksum(const IpAddr& src, const IpAddr& dst, std::span<const uint8_t> icmp);

// ---------------------------------------------------------------- ARP

struct ArpPacket {
  uint16_t op = 0;  // 1 request, 2 reply
  Mac sha{};
  IpAddr spa;
  Mac tha{};
  IpAddr tpa;
};

// "who-has tpa tell spa" from sha; the target hardware address is left zero (RFC 826).
size_t build_arp_request(std::span<uint8_t> out, const Mac& sha, const IpAddr& spa,
                         const IpAddr& tpa);
// Ethernet hardware, IPv4 protocol only.
std::optional<ArpPacket> parse_arp(std::span<const uint8_t> in);

// ---------------------------------------------------------------- IPv6 neighbour discovery

// ff02::1:ffXX:XXXX, where a node listens for solicitations of `target` (RFC 4291 §2.7.1).
IpAddr solicited_node(const IpAddr& target);

// The ICMPv6 message only (checksum zero: a raw IPPROTO_ICMPV6 socket fills it in). `sll`
// (our MAC) goes in a source link-layer address option, which RFC 4861 §4.3 requires in
// multicast solicitations; without it the message is 24 bytes.
size_t build_neighbour_solicit(std::span<uint8_t> out, const IpAddr& target, const Mac* sll);

struct NeighbourAdvert {
  IpAddr target;
  bool router = false, solicited = false, override_flag = false;
  std::optional<Mac> tll;  // target link-layer address option
};
// An ICMPv6 message as a raw socket delivers it (no IPv6 header). The hop limit check of RFC
// 4861 §7.1.2 needs the IPv6 header: the caller does it with IPV6_RECVHOPLIMIT.
std::optional<NeighbourAdvert> parse_neighbour_advert(std::span<const uint8_t> icmp);

// ---------------------------------------------------------------- ICMP echo via a gateway

// What an echo carries in its payload, so a reply names the target and the round it answers.
struct EchoCookie {
  uint32_t serial = 0;  // the monitored gateway
  uint32_t round = 0;   // its probe round
};

struct EchoReply {
  IpAddr from;  // the tracked address that answered
  IpAddr to;    // our source address (IPv4 only; unset for IPv6)
  uint16_t id = 0;
  uint16_t seq = 0;
  EchoCookie cookie;
};

// A whole IPv4 packet (header and ICMP echo request, both checksums set, DF, TTL 64), for an
// AF_PACKET socket that hands it to the gateway's MAC, bypassing the routing table.
size_t build_echo4(std::span<uint8_t> out, const IpAddr& src, const IpAddr& dst, uint16_t id,
                   uint16_t seq, const EchoCookie& cookie);
// The same for IPv6 (hop limit 64, ICMPv6 checksum set).
size_t build_echo6(std::span<uint8_t> out, const IpAddr& src, const IpAddr& dst, uint16_t id,
                   uint16_t seq, const EchoCookie& cookie);

// ---------------------------------------------------------------- ICMP echo to the gateway

// The ICMP (IPv4) or ICMPv6 echo request message alone, for a raw socket that sends it through
// one interface (IP_PKTINFO / IPV6_PKTINFO): how a gateway on a link without link-layer
// addresses (point-to-point, NOARP, L3 tunnel) is probed. The IPv4 checksum is set; the ICMPv6
// one is left zero for the kernel, which fills it in on raw ICMPv6 sockets (RFC 3542 §3.1).
inline constexpr size_t kEchoMsgLen = 8 + kEchoPayloadLen;
size_t build_echo_request(std::span<uint8_t> out, int family, uint16_t id, uint16_t seq,
                          const EchoCookie& cookie);

// An IPv4 packet as a raw IPPROTO_ICMP socket delivers it (with the IP header): an echo reply
// carrying our cookie, else nullopt.
std::optional<EchoReply> parse_echo_reply4(std::span<const uint8_t> packet);
// An ICMPv6 message from a raw socket (no IPv6 header); `from` is the sender's address.
std::optional<EchoReply> parse_echo_reply6(std::span<const uint8_t> icmp, const IpAddr& from);

}  // namespace vipa::dgd
