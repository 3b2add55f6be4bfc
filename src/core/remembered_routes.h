// Foreign routes the kernel flushed together with a VIPA address, to bring back with it.
//
// IPv4 deletes every route whose preferred source disappears, and says nothing (no
// RTM_DELROUTE): fib_sync_down_addr() in net/ipv4/fib_semantics.c. The routing daemons re-add
// their own when asked (core/routing_refresh.h); others' routes vipad remembers.
#pragma once

#include <vector>

#include "config/config.h"
#include "core/model.h"

namespace vipa {

// `deleted` is an address the kernel is about to report gone (RTM_DELADDR), obs the view
// before it. When it is an IPv4 VIPA address, the main-table routes of others (not vipad's,
// not the kernel's, not a routing daemon's) that use it as source join `remembered` once.
void remember_flushed_routes(const Config& cfg, const Observed& obs, const Address& deleted,
                             std::vector<Route>& remembered);

// Remembered routes are done with once back, or when an interface of theirs is gone for good.
void forget_settled_routes(const Observed& obs, std::vector<Route>& remembered);

}  // namespace vipa
