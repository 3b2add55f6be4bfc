// AIX's network-wide commands (inet0): no, and the read-only views behind netstat -in and
// lsdev -Cc if (netstat -C is core/status_view.h's route_costs_json). route add/delete (and chdev
// -l inet0, which vipactl sends as route requests) are decided by core/admin_change.h and carried
// out in daemon_admin.cpp. `no` is validated as a whole config first, then applied to the running
// state and/or recorded in PATH.d/50-vipactl-inet0.toml (config/inet0.h), atomically; a refused
// change leaves both as they were.
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include "common/atomic_file.h"
#include "config/inet0.h"
#include "core/admin_change.h"
#include "core/desired.h"
#include "daemon/daemon.h"
#include "nl/link_stats.h"

namespace vipa {

using nlohmann::json;

namespace {

json ok(json result) {
  return {{"v", 1}, {"ok", true}, {"result", std::move(result)}};
}

json inet0_json(const Config& c) {
  json routes = json::array();
  for (auto& r : c.routes) routes.push_back(route_config_json(r));
  return {{"routes", routes}, {"dgd", dgd_config_json(c.dgd)}};
}

}  // namespace

json Daemon::cmd_interfaces() {
  json out = json::array();
  std::set<std::string> seen;
  const Observed& obs = cache_.obs();
  std::set<std::string> vipa_names;
  for (auto& v : cfg_.vipas) vipa_names.insert(v.name);
  std::vector<nl::LinkStats> links;
  Status s = req_.dump(RTM_GETLINK, AF_UNSPEC, [&](const nlmsghdr* nlh) {
    if (auto l = nl::decode_link_stats(nlh)) links.push_back(std::move(*l));
  });
  if (!s.ok()) return error_answer("internal", "interfaces: " + s.error().message);
  for (auto& l : links) {
    json addrs = json::array();
    for (auto* a : obs.addrs_on(l.ifindex))
      addrs.push_back({{"family", a->family == AF_INET6 ? "inet6" : "inet"},
                       {"address", a->addr.str()},
                       {"prefixlen", a->prefixlen}});
    seen.insert(l.name);
    out.push_back({{"name", l.name},
                   {"ifindex", l.ifindex},
                   {"kind", l.kind},
                   {"vipa", vipa_names.count(l.name) > 0},
                   {"loopback", (l.flags & IFF_LOOPBACK) != 0},
                   {"present", true},
                   {"up", (l.flags & IFF_UP) != 0},
                   {"mtu", l.mtu},
                   {"address", l.address},
                   {"ipkts", l.rx_packets},
                   {"ierrs", l.rx_errors},
                   {"opkts", l.tx_packets},
                   {"oerrs", l.tx_errors},
                   {"coll", l.collisions},
                   {"addresses", addrs}});
  }
  // A configured VIPA that is not in the kernel (rmdev -l, state = "detach") is AIX's Defined.
  for (auto& v : cfg_.vipas)
    if (!seen.count(v.name))
      out.push_back(
          {{"name", v.name}, {"vipa", true}, {"present", false}, {"addresses", json::array()}});
  return ok({{"interfaces", out}});
}

json Daemon::cmd_inet0() const {
  json recorded;
  auto rec = load_config(opt_.config_path);
  recorded = rec.ok() ? inet0_json(*rec) : json{{"error", rec.error().message}};
  return ok({{"running", inet0_json(cfg_)}, {"recorded", recorded}});
}

}  // namespace vipa
