// Read-only control commands: status, show, routes, version (what they say is
// core/status_view.cpp); and the request dispatcher.
#include <algorithm>

#include "control/request.h"
#include "core/admin_change.h"
#include "core/status_view.h"
#include "daemon/daemon.h"

namespace vipa {

using nlohmann::json;

StatusInput Daemon::status_input() const {
  StatusInput in{cfg_, cache_.obs(), intent_, last_failover_};
  if (gw_)
    for (auto& g : gw_->status()) in.gateways.push_back(g);
  in.counters = {converges_, repairs_, resyncs_, failovers_, daemon_routes_left_alone_};
  in.config_path = opt_.config_path;
  return in;
}

json Daemon::vipa_json(const VipaConfig& v) const {
  return vipa_status(status_input(), v);
}

json Daemon::status_json() const {
  return vipa::status_json(status_input());
}

MetricsSnapshot Daemon::metrics_snapshot() const {
  return vipa::metrics_snapshot(status_input(),
                                {failovers_by_vipa_, reconcile_hist_, converged_now_});
}

json Daemon::handle_request(const json& req, bool privileged) {
  const std::string cmd = req["cmd"].get<std::string>();
  auto ok = [](json result) { return json{{"v", 1}, {"ok", true}, {"result", std::move(result)}}; };
  if (cmd.rfind("dvipa", 0) == 0 || cmd == "netstat_vipadyn") return dvipa_request(req, privileged);
  static const std::set<std::string> kChanging = {"mkdev",  "chdev", "rmdev",
                                                  "reload", "route", "no"};
  static const std::set<std::string> kReading = {"version", "status",     "show",
                                                 "routes",  "interfaces", "route_costs",
                                                 "inet0",   "source",     "source_test"};
  if (kChanging.count(cmd) && !privileged)
    return error_answer("permission_denied",
                        cmd + ": permission denied (only root may change VIPAs)");
  if (!kChanging.count(cmd) && !kReading.count(cmd))
    return error_answer("unknown_command", "unknown command '" + cmd + "'");
  try {
    if (cmd == "version") return ok({{"version", VIPA_VERSION}, {"protocol", 1}});
    if (cmd == "status") return ok(status_json());
    if (cmd == "show") {
      if (!req.contains("name") || !req["name"].is_string())
        return error_answer("bad_request", "show: missing \"name\"");
      for (auto& v : cfg_.vipas)
        if (v.name == req["name"]) return ok(vipa_json(v));
      return error_answer("not_found", "no VIPA named " + req["name"].get<std::string>());
    }
    if (cmd == "routes" || cmd == "route_costs") {
      std::string fam = req.contains("family") && req["family"].is_string()
                            ? req["family"].get<std::string>()
                            : "";
      // One answer holds at most control::kRoutesPerAnswer routes; a client pages with "offset".
      auto page = parse_page(req, cmd);
      if (!page.ok()) return error_answer("bad_request", page.error().message);
      if (cmd == "routes") return ok(routes_json(cfg_, cache_.obs(), fam, *page));
      return ok(route_costs_json(cfg_, cache_.obs(), intent_.dead_gateways, fam, *page));
    }
    if (cmd == "source" && srcsel_) return ok(srcsel_->status(cfg_, cache_.obs()));
    if (cmd == "source_test" && srcsel_) {
      std::string err;
      json r = srcsel_->test(req, cfg_, cache_.obs(), &err);
      return err.empty() ? ok(r) : error_answer("bad_request", err);
    }
    if (is_admin_command(cmd)) return cmd_admin(req);
    if (cmd == "reload") return cmd_reload();
    if (cmd == "interfaces") return cmd_interfaces();
    if (cmd == "inet0") return cmd_inet0();
  } catch (const json::exception& e) {
    return error_answer("bad_request", std::string("malformed request: ") + e.what());
  }
  return error_answer("internal", "unhandled command");
}

}  // namespace vipa
