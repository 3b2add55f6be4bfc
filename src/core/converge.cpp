#include "core/converge.h"

#include <set>

#include "core/execute.h"

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
      Status s = execute(dp, op, obs);
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
    if (!plan.rewrites.empty()) {
      std::vector<std::pair<size_t, Error>> errs;
      size_t done = execute_rewrites(dp, plan.rewrites, obs, errs);
      if (done) progress = true;
      res.applied_count += done;
      size_t e = 0;
      for (size_t i = 0; i < plan.rewrites.size(); ++i) {
        bool failed = e < errs.size() && errs[e].first == i;
        if (!failed && res.applied.size() >= ConvergeResult::kKeepApplied) {
          if (e >= errs.size()) break;
          continue;
        }
        auto op = plan.rewrites[i].as_op(obs);
        if (!failed) {
          if (op) res.applied.push_back(std::move(*op));
          continue;
        }
        Op shown{Op::ReplaceRoute{}, {}};
        if (op) {
          shown = std::move(*op);
        } else {  // gone meanwhile: name it by its key
          const RouteKey& k = plan.rewrites[i].key;
          Route& r = std::get<Op::ReplaceRoute>(shown.what).route;
          r.family = k.family;
          r.table = k.table;
          r.dst = k.dst;
          r.dst_len = k.dst_len;
          r.tos = k.tos;
          r.priority = k.priority;
          r.oif = k.oif;
          r.gateway = k.gateway;
          r.prefsrc = plan.rewrites[i].src;
        }
        std::string k = shown.str();
        failed_now.insert(k);
        if (!failed_before.count(k)) res.failed.emplace_back(shown, errs[e].second);
        ++e;
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
