// RTM_*ROUTE: decoding routes and encoding route requests.
#pragma once

#include <linux/netlink.h>

#include <optional>

#include "core/model.h"

namespace vipa::nl {

std::optional<Route> decode_route(const nlmsghdr* nlh);

// type RTM_NEWROUTE or RTM_DELROUTE; flags e.g. NLM_F_CREATE, NLM_F_REPLACE.
nlmsghdr* encode_route(char* buf, uint16_t type, uint16_t flags, const Route& r);

// The largest request encode_route can make (attributes are carried through verbatim).
size_t route_request_size(const Route& r);

}  // namespace vipa::nl
