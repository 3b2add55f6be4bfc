#include "core/remembered_routes.h"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "core/desired.h"

namespace vipa {

void remember_flushed_routes(const Config& cfg, const Observed& obs, const Address& deleted,
                             std::vector<Route>& remembered) {
  if (deleted.family != AF_INET) return;
  bool is_vipa = false;
  for (auto& v : cfg.vipas) is_vipa |= v.netaddr && *v.netaddr == deleted.addr;
  for (auto& v : cfg.vipas)
    for (auto& al : v.alias4) is_vipa |= al.addr == deleted.addr;
  if (!is_vipa) return;
  for (auto& [k, r] : obs.routes) {
    if (r.prefsrc != deleted.addr || r.table != RT_TABLE_MAIN || r.protocol == kProtoVipa ||
        r.protocol == RTPROT_KERNEL || is_routing_daemon_protocol(r.protocol))
      continue;
    bool dup = false;
    for (auto& m : remembered) dup |= m.key() == r.key();
    if (!dup) remembered.push_back(r);
  }
}

void forget_settled_routes(const Observed& obs, std::vector<Route>& remembered) {
  std::erase_if(remembered, [&](const Route& r) {
    if (obs.routes.count(r.key())) return true;
    for (int oif : r.oifs())
      if (!obs.link(oif)) return true;
    return false;
  });
}

}  // namespace vipa
