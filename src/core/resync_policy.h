// When vipad reads the kernel's tables again, and when it tries again after a failure.
#pragma once

#include <cstdint>

#include "core/model.h"

namespace vipa {

// A failed converge or dump is tried again after this long rather than at the next kernel
// event, which may never come.
inline constexpr uint64_t kRetryDelayUsec = 50'000;

class ResyncPolicy {
 public:
  enum class Dump { None, Routes, Full };

  // The kernel changed something without telling (link_change_effect below, an IPv4 address loss):
  // dump the routes.
  void routes_stale() { routes_ = true; }
  // Events were lost (ENOBUFS) or a message could not be read: dump everything.
  void all_stale() { full_ = true; }
  // What to dump before the next converge; asking clears it (a full dump covers the routes).
  Dump take();
  // The dump that take() asked for failed: everything is stale, try again after
  // kRetryDelayUsec.
  void dump_failed() { full_ = true; }
  bool pending() const { return full_ || routes_; }

 private:
  bool full_ = false, routes_ = false;
};

// What a link change means beyond the cache: the kernel's silent side effects.
struct LinkChangeEffect {
  // Admin-down drops the link's IPv4 routes without RTM_DELROUTE (fib_disable_ip() in
  // net/ipv4/fib_frontend.c, on NETDEV_DOWN); a deleted link takes its routes with it.
  bool dump_routes = false;
  // A new or renamed link has sysctl paths vipad has not written yet.
  bool sysctls_stale = false;
  // Something converge() looks at changed (flags, alias, name, master, a new link).
  bool converge = false;
};
// gone: the link was deleted (new_link is then empty).
LinkChangeEffect link_change_effect(const Link& old_link, const Link& new_link, bool gone);

}  // namespace vipa
