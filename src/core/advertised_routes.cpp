#include "core/advertised_routes.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <tuple>

namespace vipa {

namespace {

// RFC 4191 2.1: 01 high, 00 medium, 11 low (10 is reserved and treated as medium).
int preference_rank(uint8_t pref) {
  switch (pref) {
    case 1:
      return 0;
    case 3:
      return 2;
    default:
      return 1;
  }
}

// The original's attributes a companion keeps: its metrics (hop limit and MTU from the
// advertisement) and its preference. Not its lifetime: the companion goes with the original.
std::string companion_attrs(const std::string& raw) {
  std::string out;
  size_t off = 0;
  while (off + sizeof(nlattr) <= raw.size()) {
    nlattr a;
    std::memcpy(&a, raw.data() + off, sizeof a);
    size_t len = NLA_ALIGN(a.nla_len);
    if (a.nla_len < sizeof(nlattr) || off + len > raw.size()) break;
    uint16_t type = a.nla_type & NLA_TYPE_MASK;
    if (type == RTA_METRICS || type == RTA_PREF) out.append(raw, off, len);
    off += len;
  }
  return out;
}

using Slot = std::tuple<uint8_t, uint32_t, IpAddr, uint8_t, uint8_t, uint32_t>;
Slot slot_of(const Route& r) {
  return {r.family, r.table, r.dst, r.dst_len, r.tos, r.priority};
}

// Whether a route other than a companion holds the slot (routes of one slot are adjacent in a
// map ordered by RouteKey).
bool slot_taken(const std::map<RouteKey, Route>& routes, const Route& c, bool count_vipa) {
  RouteKey lo{c.family, c.table, c.dst, c.dst_len, c.tos, c.priority, INT_MIN, {}};
  for (auto it = routes.lower_bound(lo); it != routes.end(); ++it) {
    if (slot_of(it->second) != slot_of(c)) break;
    if (count_vipa || it->second.protocol != kProtoVipa) return true;
  }
  return false;
}

}  // namespace

bool is_advertised(const Route& r) {
  if (r.family != AF_INET6) return false;
  if (r.protocol == RTPROT_RA) return true;
  return r.protocol == RTPROT_KERNEL && r.expires > 0;
}

Companions advertised_companions(const Observed& obs, const std::map<int, IpAddr>& src6_by_oif,
                                 const std::map<RouteKey, Route>& owned) {
  Companions out;
  std::map<Slot, std::vector<const Route*>> slots;
  for (auto& [k, r] : obs.routes) {
    if (!is_advertised(r) || r.table != RT_TABLE_MAIN || r.type != RTN_UNICAST) continue;
    if (!r.nexthops.empty() || !src6_by_oif.count(r.oif)) continue;
    // Link-local and multicast destinations keep a link-local source.
    if (r.dst_len > 0 && (r.dst.is_v6_link_local() || r.dst.is_multicast())) continue;
    slots[slot_of(r)].push_back(&r);
  }
  for (auto& [slot, originals] : slots) {
    std::sort(originals.begin(), originals.end(), [](const Route* a, const Route* b) {
      return std::tuple(preference_rank(a->pref), a->oif, a->gateway) <
             std::tuple(preference_rank(b->pref), b->oif, b->gateway);
    });
    for (size_t rank = 0; rank < originals.size(); ++rank) {
      const Route& o = *originals[rank];
      if (o.priority < kCompanionSpan || rank >= kCompanionSpan) {
        out.refused.push_back("advertised route " + route_to_string(o) +
                              ": no free metric below it for a route with the VIPA as source; "
                              "traffic along it keeps the kernel's source");
        continue;
      }
      Route c;
      c.family = o.family;
      c.table = o.table;
      c.dst = o.dst;
      c.dst_len = o.dst_len;
      c.tos = o.tos;
      c.protocol = kProtoVipa;
      c.scope = o.scope;
      c.type = RTN_UNICAST;
      c.rtm_flags = o.rtm_flags & RTNH_F_ONLINK;
      c.priority = o.priority - kCompanionSpan + static_cast<uint32_t>(rank);
      c.oif = o.oif;
      c.gateway = o.gateway;
      c.prefsrc = src6_by_oif.at(o.oif);
      c.pref = o.pref;
      c.passthrough = companion_attrs(o.passthrough);
      if (slot_taken(obs.routes, c, false) || slot_taken(owned, c, true)) {
        out.refused.push_back("advertised route " + route_to_string(o) + ": metric " +
                              std::to_string(c.priority) +
                              " is taken by another route; traffic along it keeps the kernel's "
                              "source");
        continue;
      }
      out.routes.emplace(c.key(), std::move(c));
    }
  }
  return out;
}

}  // namespace vipa
