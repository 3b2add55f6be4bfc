// FRR beside static VIPAs (tested with 8.4): `vipactl export frr`, the vtysh group, and the
// refresh after the kernel flushed FRR's routes with a VIPA address (core/routing_refresh.h).
#include "dvipa/export.h"
#include "routing/daemons.h"

namespace vipa::routing {
namespace {

std::vector<std::vector<std::string>> frr_refresh(const RoutingConfig& rc, bool v4, bool v6) {
  std::vector<std::string> argv{rc.vtysh};
  argv.insert(argv.end(), rc.daemon_args.begin(), rc.daemon_args.end());
  argv.insert(argv.end(), {"-c", "configure terminal"});
  // Each removal and re-application marks that protocol's routes changed, and zebra then
  // installs them again (the identical route-map alone would be a no-op).
  auto reapply = [&](const std::string& kw, const char* map, const auto& protocols) {
    for (const char* proto : protocols) {
      std::string line = kw + " protocol " + proto + " route-map " + map;
      argv.insert(argv.end(), {"-c", "no " + line, "-c", line});
    }
  };
  if (v4) reapply("ip", kFrrSrcRouteMap4, kFrrSrcProtocols4);
  if (v6) reapply("ipv6", kFrrSrcRouteMap6, kFrrSrcProtocols6);
  // FRR 8.4 loses the import of vipad's table when the kernel flushed it with the VIPA and
  // vipad put it back (zebra replaces its stale copy and drops the import): the VIPA would
  // stay unannounced. Importing the table afresh brings it back.
  if (v4 && rc.table <= kFrrMaxImportTable) {
    std::string line = "ip import-table " + std::to_string(rc.table);
    argv.insert(argv.end(), {"-c", "no " + line, "-c", line});
  }
  return {std::move(argv)};
}

}  // namespace

const DaemonInfo kFrr = {DaemonId::Frr,      "frr",       "FRR", "frrvty", true, &export_frr,
                         &dvipa::export_frr, &frr_refresh};

}  // namespace vipa::routing
