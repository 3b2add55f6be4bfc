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

json dgd_json(const DgdConfig& d) {
  return {{"ping_time_ms", d.ping_time_ms},
          {"packets_lost", d.packets_lost},
          {"retry_time_ms", d.retry_time_ms},
          {"passive_dgd", d.passive_dgd}};
}

json inet0_json(const Config& c) {
  json routes = json::array();
  for (auto& r : c.routes) routes.push_back(route_config_json(r));
  return {{"routes", routes}, {"dgd", dgd_json(c.dgd)}};
}

std::string mode_of(const json& req) {
  return req.contains("mode") && req["mode"].is_string() ? req["mode"].get<std::string>() : "both";
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

json Daemon::cmd_no(const json& req) {
  std::string mode = mode_of(req);
  if (mode != "both" && mode != "record" && mode != "running")
    return error_answer("bad_request", "no: mode must be both, record or running");
  if (!req.contains("set") || !req["set"].is_object() || req["set"].empty())
    return error_answer("bad_request", "no: missing \"set\" (an object of [dgd] keys)");
  Inet0Record change;
  for (auto& [k, v] : req["set"].items()) {
    if (k == "passive_dgd") {
      if (!v.is_boolean()) return error_answer("invalid", "no: passive_dgd must be a boolean");
      change.passive_dgd = v.get<bool>();
      continue;
    }
    if (!v.is_number_unsigned() || v.get<uint64_t>() > UINT32_MAX)
      return error_answer("invalid", "no: " + k + " must be a whole number");
    uint32_t n = v.get<uint32_t>();
    uint32_t min = k == "packets_lost" ? 1 : 10;
    if (n < min)
      return error_answer("invalid", "no: " + k + " " + std::to_string(n) +
                                         " is below the minimum of " + std::to_string(min));
    if (k == "ping_time_ms")
      change.ping_time_ms = n;
    else if (k == "packets_lost")
      change.packets_lost = n;
    else if (k == "retry_time_ms")
      change.retry_time_ms = n;
    else
      return error_answer("invalid", "no: unknown tunable '" + k + "'");
  }
  Config running = cfg_;
  apply_inet0(running, change);
  if (Status v = validate_config(running); !v.ok())
    return error_answer("invalid", v.error().message);
  if (mode != "running") {
    std::string path = inet0_dropin_path(opt_.config_path);
    auto current = read_inet0_record(path);
    if (!current.ok()) return error_answer("invalid", current.error().message);
    Inet0Record record = std::move(*current);
    if (change.ping_time_ms) record.ping_time_ms = change.ping_time_ms;
    if (change.packets_lost) record.packets_lost = change.packets_lost;
    if (change.retry_time_ms) record.retry_time_ms = change.retry_time_ms;
    if (change.passive_dgd) record.passive_dgd = change.passive_dgd;
    if (Status w = write_file_atomic(path, render_inet0(record), 0644); !w.ok())
      return error_answer("internal", w.error().message);
  }
  if (mode != "record") {
    cfg_.dgd = running.dgd;
    if (gw_) gw_->configure(cfg_.dgd);
    emit("reload", "", "dead gateway detection tunables changed by no");
    schedule("no");
  }
  return ok({{"dgd", dgd_json(mode == "record" ? running.dgd : cfg_.dgd)}});
}

}  // namespace vipa
