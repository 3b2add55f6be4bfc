#include "moves/ruleset.h"

#include <arpa/inet.h>

#include <cstdio>
#include <set>

namespace vipa::moves {

namespace {

std::string hex(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", v);
  return b;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// A rule of ours: fwmark in our range and one of our tables.
bool ours(const nlohmann::json& r, uint32_t* index = nullptr) {
  if (!r.is_object() || !r.contains("fwmark") || !r.contains("table")) return false;
  if (!r["fwmark"].is_string() || !r["table"].is_string()) return false;
  unsigned long mark = std::strtoul(r["fwmark"].get<std::string>().c_str(), nullptr, 0);
  unsigned long table = std::strtoul(r["table"].get<std::string>().c_str(), nullptr, 10);
  if ((mark & kMarkMask) != kMarkBase) return false;
  uint32_t i = static_cast<uint32_t>(mark & ~kMarkMask);
  if (i == 0 || i > kMaxPeers || table != table_of(i)) return false;
  if (index) *index = i;
  return true;
}

bool is_local(const nlohmann::json& r) {
  return r.is_object() && r.value("table", "") == "local" && !r.contains("fwmark") &&
         r.value("src", "all") == "all" && !r.contains("iif") && !r.contains("oif");
}

int prio(const nlohmann::json& r) {
  return r.value("priority", 0);
}

}  // namespace

uint32_t mark_of(uint32_t index) {
  return kMarkBase | index;
}
uint32_t table_of(uint32_t index) {
  return kTableBase + index;
}

std::string tunnel_mac(const std::string& ipv4) {
  in_addr a{};
  if (inet_pton(AF_INET, ipv4.c_str(), &a) != 1) return "02:76:00:00:00:00";
  auto* b = reinterpret_cast<const unsigned char*>(&a.s_addr);
  char out[24];
  std::snprintf(out, sizeof out, "02:76:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3]);
  return out;
}

std::string nft_script(const Want& w) {
  const std::string t = std::string("inet ") + kTable;
  std::string s;
  // Declared, then flushed and filled, in one transaction: the named counters keep counting
  // across a re-assert, and nothing in between is ever seen half made.
  s += "add table " + t + " { comment \"" + kTag + "\" ; }\n";
  s += "add counter " + t + " forged\n";
  s += "add counter " + t + " forwarded\n";
  s += "add counter " + t + " opened\n";
  s += "add set " + t + " peers4 { type ipv4_addr ; }\n";
  s += "flush set " + t + " peers4\n";
  if (!w.peer_addrs.empty())
    s += "add element " + t + " peers4 { " + join(w.peer_addrs, ", ") + " }\n";
  s += "add chain " + t + " guard { type filter hook prerouting priority raw ; policy accept ; }\n";
  s += "flush chain " + t + " guard\n";
  s += "add rule " + t + " guard udp dport " + std::to_string(kTunnelPort) +
       " ip saddr != @peers4 counter name forged drop\n";
  s += "add chain " + t +
       " steer { type filter hook prerouting priority mangle ; policy accept ; }\n";
  s += "flush chain " + t + " steer\n";
  // Conntrack must follow every connection on the DVIPAs from its SYN, also on a host that
  // forwards nothing yet (the owner): a ct expression turns it on in the namespace. A
  // connection conntrack first meets mid-stream is "new" and not a SYN, exactly what a moved
  // flow looks like; the owner's own streams, met so when it later arms a target, would be
  // sent away and looped between the hosts. The rule also counts the connections opened here.
  if (!w.dvipas.empty())
    s += "add rule " + t + " steer ip daddr { " + join(w.dvipas, ", ") +
         " } tcp flags & (syn|ack) == syn ct state new counter name opened\n";
  // Only a flow with no mark yet gets one (a forwarded flow is never answered here, so it stays
  // "new": it must keep the peer it was given when the newest target changes), and never one
  // that came through the tunnel (a peer sent it here to be served: back would be a loop).
  for (auto& f : w.forwards)
    if (f.newest)
      s += "add rule " + t + " steer ip daddr " + f.dvipa + " iifname != \"" + kTunnel +
           "\" ct state new ct mark 0 tcp flags & (syn|ack) != syn ct mark set " +
           hex(mark_of(f.index)) + "\n";
  for (auto& f : w.forwards)
    s += "add rule " + t + " steer ip daddr " + f.dvipa + " ct mark " + hex(mark_of(f.index)) +
         " meta mark set ct mark counter name forwarded\n";
  s += "add chain " + t + " gate { type filter hook forward priority filter ; policy accept ; }\n";
  s += "flush chain " + t + " gate\n";
  for (auto& i : w.gate_ifaces)
    s += "add rule " + t + " gate iifname \"" + i + "\" meta mark & " + hex(kMarkMask) +
         " != " + hex(kMarkBase) + " drop\n";
  return s;
}

std::string ip_script(const Want& w) {
  std::string s;
  std::string mac = w.self_addr.empty() ? "" : " address " + tunnel_mac(w.self_addr);
  s += std::string("link add ") + kTunnel + mac + " type vxlan external dstport " +
       std::to_string(kTunnelPort) + "\n";
  if (!mac.empty()) s += std::string("link set dev ") + kTunnel + mac + "\n";
  s += std::string("link set dev ") + kTunnel + " alias " + kTag + " up\n";
  for (auto& f : w.forwards) {
    s += "neigh replace " + f.peer_addr + " lladdr " + tunnel_mac(f.peer_addr) + " dev " + kTunnel +
         " nud permanent\n";
    s += "route replace " + f.dvipa + "/32 encap ip id " + std::to_string(kVni) + " dst " +
         f.peer_addr + " via " + f.peer_addr + " dev " + kTunnel + " onlink table " +
         std::to_string(table_of(f.index)) + " proto " + std::to_string(kRouteProto) + "\n";
  }
  for (uint32_t i : w.stale_indices) s += "route flush table " + std::to_string(table_of(i)) + "\n";
  return s;
}

std::string rule_script(const nlohmann::json& rules, const Want& w) {
  std::set<uint32_t> wanted;
  for (auto& f : w.forwards) wanted.insert(f.index);
  std::set<uint32_t> ahead;  // ours, ahead of the first local rule
  std::set<uint32_t> present;
  bool seen_local = false;
  int local_prio = -1;
  std::string s;
  if (rules.is_array())
    for (auto& r : rules) {
      uint32_t i = 0;
      if (is_local(r) && !seen_local) {
        seen_local = true;
        local_prio = prio(r);
      } else if (is_local(r) && r.value("protocol", "") == std::to_string(kRuleProto)) {
        // A stand-in left behind (its batch was cut short): the rule ahead of it serves.
        s += "rule del pref " + std::to_string(prio(r)) + " lookup local protocol " +
             std::to_string(kRuleProto) + "\n";
      } else if (ours(r, &i)) {
        present.insert(i);
        if (!seen_local) ahead.insert(i);
        if (!wanted.count(i) || prio(r) != 0)
          s += "rule del pref " + std::to_string(prio(r)) + " fwmark " + hex(mark_of(i)) +
               " lookup " + std::to_string(table_of(i)) + "\n";
      }
    }
  bool move_local = false;
  for (uint32_t i : wanted) {
    if (ahead.count(i) && present.count(i)) continue;
    // Missing, or behind the local rule (someone re-added it ahead): added again at pref 0,
    // which the kernel puts after the rules already at 0.
    if (present.count(i))
      s += "rule del pref 0 fwmark " + hex(mark_of(i)) + " lookup " + std::to_string(table_of(i)) +
           "\n";
    s += "rule add pref 0 fwmark " + hex(mark_of(i)) + " lookup " + std::to_string(table_of(i)) +
         " protocol " + std::to_string(kRuleProto) + "\n";
    move_local = true;
  }
  // The local table's rule at pref 0 goes behind ours, still at pref 0. The kernel refuses a
  // rule identical to one it has, so a copy at pref 0 cannot stand in while the original goes:
  // a stand-in at pref 1, tagged with our protocol (identical to no rule of anyone else's, and
  // deleted by that tag alone), holds local delivery while the rule at pref 0 is deleted and
  // added again behind ours. A local rule an administrator already moved (pref > 0) is behind
  // ours as it is.
  if (move_local && seen_local && local_prio == 0) {
    const std::string standin = "pref 1 lookup local protocol " + std::to_string(kRuleProto);
    s += "rule add " + standin + "\nrule del pref 0 lookup local\nrule add pref 0 lookup local\n";
    s += "rule del " + standin + "\n";
  }
  return s;
}

std::vector<uint32_t> rule_indices(const nlohmann::json& rules) {
  std::vector<uint32_t> out;
  if (!rules.is_array()) return out;
  for (auto& r : rules) {
    uint32_t i = 0;
    if (ours(r, &i)) out.push_back(i);
  }
  return out;
}

std::string rule_cleanup_script(const nlohmann::json& rules) {
  std::string s;
  if (!rules.is_array()) return s;
  for (auto& r : rules) {
    uint32_t i = 0;
    if (ours(r, &i))
      s += "rule del pref " + std::to_string(prio(r)) + " fwmark " + hex(mark_of(i)) + " lookup " +
           std::to_string(table_of(i)) + "\n";
  }
  return s;
}

}  // namespace vipa::moves
