#include "routing/daemons.h"

namespace vipa::routing {

const std::vector<const DaemonInfo*>& daemons() {
  static const std::vector<const DaemonInfo*> all = {&kFrr, &kBird};
  return all;
}

const DaemonInfo* find_daemon(std::string_view name) {
  for (auto* d : daemons())
    if (d->name == name) return d;
  return nullptr;
}

std::string daemon_names() {
  std::string out;
  for (auto* d : daemons()) out += (out.empty() ? "" : ", ") + std::string(d->name);
  return out;
}

}  // namespace vipa::routing
