#include "core/converge.h"

#include <set>

namespace vipa {

ConvergeResult converge(const Intent& intent, Observed& obs, Dataplane& dp, int max_passes) {
  ConvergeResult res;
  std::set<std::string> failed_before;
  for (int pass = 0; pass < max_passes; ++pass) {
    Desired d = compute_desired(intent, obs);
    std::set<std::string> paths;
    for (auto& [p, v] : d.sysctls) paths.insert(p);
    for (auto& [p, v] : obs.sysctl_originals) paths.insert(p);
    dp.read_sysctls(paths, obs);
    Plan plan = reconcile(d, obs);
    res.passes = pass + 1;
    res.problems = plan.problems;
    res.daemon_routes_left_alone = plan.daemon_routes_left_alone;
    if (plan.empty()) {
      res.converged = true;
      break;
    }
    bool progress = false;
    std::set<std::string> failed_now;
    for (auto& op : plan.ops) {
      Status s = dp.apply(op, obs);
      if (s.ok()) {
        if (res.applied.size() < ConvergeResult::kKeepApplied) res.applied.push_back(op);
        ++res.applied_count;
        progress = true;
      } else {
        std::string k = op.str();
        failed_now.insert(k);
        // Report each failing operation once per converge, not once per pass.
        if (!failed_before.count(k)) res.failed.emplace_back(op, s.error());
      }
    }
    // Nothing moved, or the same operations keep failing: wait for the kernel to change.
    if (!progress || (failed_now == failed_before && !failed_now.empty() && res.applied_count == 0))
      break;
    failed_before = failed_now;
  }
  return res;
}

}  // namespace vipa
