// The Dynamic VIPA part of `vipactl export frr|bird`: what the host's routing daemon needs
// for vipad to announce the DVIPAs itself (docs/dynamic-vipa.md). Pure text from a Config.
#pragma once

#include <string>

#include "config/config.h"

namespace vipa::dvipa {

// FRR, for [routing] announce: OSPF gets each DVIPA's link as a passive interface with no
// area (vipad puts it in the area, with its cost, when it announces: FRR restarting never
// announces a DVIPA on its own); BGP gets the route-maps vipad points `network` at, one per
// metric this host may use, and the DVIPAs in the VIPA4/VIPA6 prefix-lists the static
// export's outbound policy lets out. "" without DVIPAs.
std::string export_frr(const Config& cfg);

// BIRD cannot be told a new metric without a reconfiguration: a comment saying so.
std::string export_bird(const Config& cfg);

}  // namespace vipa::dvipa
