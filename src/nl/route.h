// RTM_*ROUTE: decoding routes and encoding route requests.
#pragma once

#include <linux/netlink.h>

#include <optional>

#include "core/model.h"

namespace vipa::nl {

std::optional<Route> decode_route(const nlmsghdr* nlh);

// type RTM_NEWROUTE or RTM_DELROUTE; flags e.g. NLM_F_CREATE, NLM_F_REPLACE.
nlmsghdr* encode_route(char* buf, uint16_t type, uint16_t flags, const Route& r);

// A route dump the kernel filters (it must be sent with NETLINK_GET_STRICT_CHK on): only `table`
// (0: every table) and only `protocol` (0: every protocol; the kernel cannot ask for protocol 0
// alone). The kernel still walks the table, but formats and sends only the matching routes.
// buf holds at least kRouteDumpRequestSize bytes.
inline constexpr size_t kRouteDumpRequestSize = 64;
nlmsghdr* encode_route_dump(char* buf, uint32_t seq, uint8_t family, uint32_t table,
                            uint8_t protocol);

// The largest request encode_route can make (attributes are carried through verbatim).
size_t route_request_size(const Route& r);

}  // namespace vipa::nl
