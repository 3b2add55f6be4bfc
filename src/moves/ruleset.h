// The kernel objects of nondisruptive moves, as text for nft(8) and ip(8), purely. vipad owns
// them all (docs/dynamic-vipa.md, "Moving and forwarding"):
//   - nftables table `inet vipa_moves` (comment "vipa:moves"): the guard (VXLAN from hosts that
//     are not peers is dropped and counted), the steering (a flow whose first packet seen here
//     is no SYN gets the conntrack mark of the peer it goes to; the mark is copied to the
//     fwmark; conntrack follows the DVIPAs' connections from their SYNs, counted "opened"),
//     and the gate (interfaces vipad turned forwarding on for forward only that);
//   - the VXLAN link vipamv0 (external, UDP port 4790, alias "vipa:moves");
//   - per peer forwarded to: a route table with the DVIPA through the tunnel to the peer, a
//     permanent neighbour (the peer's tunnel MAC) and a policy rule fwmark -> table, ahead of
//     the local table's rule (the DVIPA is local here too).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/route_protocols.h"

namespace vipa::moves {

inline constexpr const char* kTable = "vipa_moves";
inline constexpr const char* kTag = "vipa:moves";
inline constexpr const char* kTunnel = "vipamv0";
inline constexpr uint16_t kTunnelPort = 4790;  // not 4789: a host's own VXLAN keeps its port
inline constexpr uint32_t kVni = 7670;
inline constexpr uint32_t kMarkBase = 0x76700000;  // | peer index (1..kMaxPeers)
inline constexpr uint32_t kMarkMask = 0xffff0000;
inline constexpr uint32_t kTableBase = 7670;  // + peer index
inline constexpr uint32_t kMaxPeers = 64;
inline constexpr uint8_t kRuleProto = kProtoVipa;
inline constexpr uint8_t kRouteProto = kProtoVipaMoves;  // the tunnel routes' (see its comment)

// One DVIPA forwarded to one peer.
struct Forward {
  std::string dvipa;      // IPv4
  std::string peer_addr;  // IPv4
  uint32_t index = 0;     // the peer's index (mark, table)
  bool newest = false;    // new flows here go to this peer
};

struct Want {
  std::vector<std::string> peer_addrs;   // every configured peer (the guard)
  std::string self_addr;                 // this host's tunnel address ("" unknown)
  std::vector<std::string> dvipas;       // every DVIPA with peers (IPv4): conntrack follows it
  std::vector<Forward> forwards;         // may be empty: the tunnel still receives
  std::vector<std::string> gate_ifaces;  // forwarding turned on by vipad: only marked packets
  std::vector<uint32_t> stale_indices;   // peer indices whose tables and rules must go
};

uint32_t mark_of(uint32_t index);
uint32_t table_of(uint32_t index);
// The tunnel MAC of a host, from its tunnel address (02:76 + the address): a sender knows the
// receiver's without ARP; VXLAN drops frames whose source MAC is its own.
std::string tunnel_mac(const std::string& ipv4);

std::string nft_script(const Want& w);
// For `ip -force -batch`: each line idempotent (replace) or harmless when it fails (add of
// what exists, flush of a table that does not).
std::string ip_script(const Want& w);
// The rule lines from `ip -j rule show`: ours added where missing, moved ahead of the local
// table's rule where they fell behind it, stale ones deleted. "" when all is well.
std::string rule_script(const nlohmann::json& rules, const Want& w);
// The peer indices of our rules in `rules` (a restart adopts them).
std::vector<uint32_t> rule_indices(const nlohmann::json& rules);
// --cleanup: every rule of ours in `rules`, deleted.
std::string rule_cleanup_script(const nlohmann::json& rules);

}  // namespace vipa::moves
