#include "core/routing_refresh.h"

#include "core/export_snippets.h"

namespace vipa {

std::vector<std::vector<std::string>> refresh_commands(const RoutingConfig& rc,
                                                       const std::vector<IpAddr>& vipas) {
  bool v4 = false, v6 = false;
  for (auto& a : vipas) {
    v4 |= a.is_v4();
    v6 |= a.is_v6();
  }
  std::vector<std::vector<std::string>> out;
  if (!v4 && !v6) return out;
  if (rc.daemon == "frr") {
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
    out.push_back(std::move(argv));
  } else if (rc.daemon == "bird") {
    auto reload = [&](const char* proto) {
      std::vector<std::string> argv{rc.birdc};
      argv.insert(argv.end(), rc.daemon_args.begin(), rc.daemon_args.end());
      argv.insert(argv.end(), {"reload", "out", proto});
      out.push_back(std::move(argv));
    };
    if (v4) reload(kBirdKernel4);
    if (v6) reload(kBirdKernel6);
  }
  return out;
}

}  // namespace vipa
