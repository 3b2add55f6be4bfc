// The routing protocol's own view of one DVIPA: who announces it, with which metric. Read from
// the routing daemon (OSPF's router-LSAs, BGP's paths; src/routing) and judged here, purely.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dvipa/metric.h"

namespace vipa::dvipa {

struct Announcer {
  std::string id;  // OSPF router ID, or the origin AS of a BGP path
  uint32_t metric = 0;
  bool self = false;
};

struct View {
  bool ok = false;                    // the last read of the daemon succeeded
  std::string self_id;                // this host's router ID / AS, as the announcers' ids
  uint32_t neighbours = 0;            // full OSPF adjacencies / established BGP sessions
  std::vector<Announcer> announcers;  // this host included (self = true) when it announces
  bool routers_disagree = false;      // BGP: the routers' best paths name different owners
  // The hosts the protocol reaches from this one, by the announcers' ids, this one included:
  // OSPF's routers over two-way links. nullopt where the view does not say (BGP's paths name
  // only the announcers, and a host that announces nothing is not seen).
  std::optional<std::set<std::string>> reachable;
  // What the daemon announces for this host right now (nullopt: nothing).
  std::optional<uint32_t> self_metric() const;
};

// The announcer with the lowest metric; nullptr when nobody announces. `tie` is set when
// another announcer has the same lowest metric (the routers then split traffic: ECMP).
const Announcer* owner_of(const View& v, bool* tie = nullptr);

// Orders router IDs and AS numbers: dotted quads and numbers by value, anything else as text.
bool id_less(const std::string& a, const std::string& b);

}  // namespace vipa::dvipa
