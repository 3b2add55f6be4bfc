// The routing daemons vipad works beside for static VIPAs: one entry each (routing/frr_daemon.cpp,
// routing/bird_daemon.cpp), listed in routing/daemons.cpp. An entry gives what vipad and
// vipactl need of the daemon: its name in [routing] daemon and `vipactl export NAME`, the
// group that reaches its control socket, the configuration snippet `vipactl export` prints,
// and the commands that make it reinstall the routes the kernel flushed with a VIPA address
// (core/routing_refresh.h). Dynamic VIPAs speak to the daemon through routing/adapter.h.
//
// A new routing daemon: one file defining its DaemonInfo, and its line in daemons.cpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "core/export_snippets.h"

namespace vipa::routing {

enum class DaemonId { Frr, Bird };

struct DaemonInfo {
  DaemonId id;
  std::string_view name;   // "frr": [routing] daemon, `vipactl export frr`
  std::string_view title;  // "FRR": in the snippet's header and the log
  // The group whose members reach the daemon's control socket: vtysh and birdc run as vipad,
  // without CAP_DAC_OVERRIDE.
  std::string_view socket_group;
  bool dynamic_vipas;  // can announce Dynamic VIPAs with a metric (routing/adapter.h)
  Result<std::string> (*export_static)(const Config& cfg, const ExportOptions& opt);
  std::string (*export_dvipa)(const Config& cfg);  // "" without Dynamic VIPAs
  // The argv lists (run directly, in order) after VIPA addresses of these families came back.
  std::vector<std::vector<std::string>> (*refresh)(const RoutingConfig& rc, bool v4, bool v6);
};

extern const DaemonInfo kFrr;   // frr_daemon.cpp
extern const DaemonInfo kBird;  // bird_daemon.cpp

// Every daemon vipad knows, in the order messages list them.
const std::vector<const DaemonInfo*>& daemons();
// The entry for a [routing] daemon value; nullptr for "none" and anything unknown.
const DaemonInfo* find_daemon(std::string_view name);
// "frr, bird" (for messages).
std::string daemon_names();

}  // namespace vipa::routing
