// Repeated reconcile passes until the kernel matches the desired state (or nothing more can
// be done now). Each pass sees the effects of the previous one: e.g. routes can take the VIPA
// as source only once the address is on vi0.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/dataplane.h"
#include "core/desired.h"
#include "core/plan.h"

namespace vipa {

struct ConvergeResult {
  int passes = 0;
  // The first kKeepApplied operations applied, for logs and events; applied_count counts all.
  // (A first start over 100,000 routes applies 100,000 rewrites: keeping them all would cost
  // tens of MiB for nothing but log lines.)
  static constexpr size_t kKeepApplied = 1000;
  std::vector<Op> applied;
  size_t applied_count = 0;
  std::vector<std::pair<Op, Error>> failed;
  std::vector<std::string> problems;
  size_t daemon_routes_left_alone = 0;
  bool converged = false;  // the last pass planned nothing
};

ConvergeResult converge(const Intent& intent, Observed& obs, Dataplane& dp, int max_passes = 8);

}  // namespace vipa
