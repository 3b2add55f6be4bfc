// What `vipactl status`, `show`, `netstat -rn` and the metrics endpoint say: functions of the
// config, the kernel's view, the intent (with the desired state computed from it) and the
// detectors' state. Pure; the daemon only gathers the inputs.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "config/config.h"
#include "core/desired.h"
#include "core/metrics_text.h"
#include "core/model.h"

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
// `vipactl netstat -rn` (family "inet", "inet6" or "" for both): at most `limit` routes from
// the `offset`-th on, with "total" and, when more follow, "next".
nlohmann::json routes_json(const Config& cfg, const Observed& obs, const std::string& family,
                           size_t offset = 0, size_t limit = SIZE_MAX);

struct MetricsInput {
  const std::map<std::string, uint64_t>& failovers_by_vipa;
  const DurationHistogram& reconcile;
  bool converged = false;
};
// The metrics endpoint, from the same view as `vipactl status`.
MetricsSnapshot metrics_snapshot(const StatusInput& in, const MetricsInput& m);

}  // namespace vipa
