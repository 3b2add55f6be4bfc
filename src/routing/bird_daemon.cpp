// BIRD beside static VIPAs (tested with 2.0): `vipactl export bird`, the bird group, and the
// refresh after the kernel flushed BIRD's routes with a VIPA address (core/routing_refresh.h).
#include "dvipa/export.h"
#include "routing/daemons.h"

namespace vipa::routing {
namespace {

std::vector<std::vector<std::string>> bird_refresh(const RoutingConfig& rc, bool v4, bool v6) {
  std::vector<std::vector<std::string>> out;
  auto reload = [&](const char* proto) {
    std::vector<std::string> argv{rc.birdc};
    argv.insert(argv.end(), rc.daemon_args.begin(), rc.daemon_args.end());
    argv.insert(argv.end(), {"reload", "out", proto});
    out.push_back(std::move(argv));
  };
  if (v4) reload(kBirdKernel4);
  if (v6) reload(kBirdKernel6);
  return out;
}

}  // namespace

// No Dynamic VIPAs: BIRD cannot change an announcement's metric at run time without a
// reconfiguration.
const DaemonInfo kBird = {DaemonId::Bird,      "bird",       "BIRD", "bird", false, &export_bird,
                          &dvipa::export_bird, &bird_refresh};

}  // namespace vipa::routing
