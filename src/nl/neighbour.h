// RTM_NEWNEIGH/RTM_DELNEIGH: decoding neighbour table entries.
#pragma once

#include <linux/netlink.h>

#include "common/result.h"
#include "core/dgd_neigh.h"

namespace vipa::nl {

// The plain struct the core reads (core/dgd_neigh.h).
using NeighbourMsg = NeighbourEvent;

// IPv4/IPv6 neighbour messages. An error, saying why, for any other message type, a message
// shorter than its ndmsg, another family (bridge FDB entries are AF_BRIDGE), an attribute that
// runs past the message or has the wrong size (NDA_DST 4 or 16 bytes by family), or no NDA_DST.
// Attributes other than NDA_DST and NDA_LLADDR are skipped.
Result<NeighbourMsg> decode_neighbour(const nlmsghdr* nlh);

}  // namespace vipa::nl
