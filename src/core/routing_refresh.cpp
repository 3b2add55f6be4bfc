#include "core/routing_refresh.h"

#include "routing/daemons.h"

namespace vipa {

std::vector<std::vector<std::string>> refresh_commands(const RoutingConfig& rc,
                                                       const std::vector<IpAddr>& vipas) {
  bool v4 = false, v6 = false;
  for (auto& a : vipas) {
    v4 |= a.is_v4();
    v6 |= a.is_v6();
  }
  const routing::DaemonInfo* d = routing::find_daemon(rc.daemon);
  if (!d || (!v4 && !v6)) return {};
  return d->refresh(rc, v4, v6);
}

}  // namespace vipa
