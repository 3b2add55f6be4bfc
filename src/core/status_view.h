// What `vipactl status`, `show`, `netstat -rn` and the metrics endpoint say: functions of the
// config, the kernel's view, the intent (with the desired state computed from it) and the
// detectors' state. Pure; the daemon only gathers the inputs.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "config/config.h"
#include "core/desired.h"
#include "core/metrics_text.h"
#include "core/model.h"
#include "core/paging.h"

namespace vipa {

struct DaemonCounters {
  size_t converges = 0, repairs = 0, resyncs = 0, failovers = 0;
  size_t daemon_routes_left_alone = 0;
};

struct StatusInput {
  const Config& cfg;
  const Observed& obs;
  const Intent& intent;  // its config need not be set: cfg is used
  const std::map<std::string, nlohmann::json>& last_failover;  // by VIPA name
  nlohmann::json gateways = nlohmann::json::array();           // dead gateway detection's view
  DaemonCounters counters;
  std::string config_path;
};

// `vipactl show NAME`: one VIPA, its interfaces and the configured routes that concern it.
nlohmann::json vipa_status(const StatusInput& in, const VipaConfig& v);
// `vipactl status`: every VIPA, the owned routes, the gateways and the counters.
nlohmann::json status_json(const StatusInput& in);
// `vipactl netstat -rn` (family "inet", "inet6" or "" for both): the page's routes, with
// "total" and, when more follow, "next" (core/paging.h).
nlohmann::json routes_json(const Config& cfg, const Observed& obs, const std::string& family,
                           const Page& page = Page{0, SIZE_MAX});
// `vipactl netstat -C` (the `route_costs` answer), one page of it: the main table's unicast
// routes (in the order of `routes`), those vipad installed with their configured cost,
// active_dgd and gateway state, then the configured routes not in the kernel (withdrawn for a
// dead gateway, or waiting for their interface) with "installed": false. Only the page's rows
// are built; "total" counts them all.
nlohmann::json route_costs_json(const Config& cfg, const Observed& obs,
                                const std::set<std::string>& dead_gateways,
                                const std::string& family, const Page& page = Page{0, SIZE_MAX});

struct MetricsInput {
  const std::map<std::string, uint64_t>& failovers_by_vipa;
  const DurationHistogram& reconcile;
  bool converged = false;
};
// The metrics endpoint, from the same view as `vipactl status`.
MetricsSnapshot metrics_snapshot(const StatusInput& in, const MetricsInput& m);

}  // namespace vipa
