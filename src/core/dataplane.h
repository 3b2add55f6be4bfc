// The one seam between the pure core and the kernel: a plan's operations are applied through a
// Dataplane. The daemon's speaks rtnetlink (src/daemon/netlink_dataplane.cpp); unit tests use an
// in-memory fake (tests/unit/fake_dataplane.h).
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "core/model.h"
#include "core/plan.h"

namespace vipa {

class Dataplane {
 public:
  virtual ~Dataplane() = default;
  // Apply one operation; on success `obs` reflects it (the kernel's echo will agree). Callers go
  // through execute() (core/execute.h), which records the originals first.
  virtual Status apply(const Op& op, Observed& obs) = 0;
  // Apply source rewrites (after the plan's ops); returns how many took effect and appends the
  // failures, by position in `rw`. A rewrite whose route is no longer observed is skipped. This
  // default sends them one by one as operations; the rtnetlink one batches them.
  virtual size_t apply_rewrites(const std::vector<SourceRewrite>& rw, Observed& obs,
                                std::vector<std::pair<size_t, Error>>& failed) {
    size_t done = 0;
    for (size_t i = 0; i < rw.size(); ++i) {
      auto op = rw[i].as_op(obs);
      if (!op) continue;
      Status s = apply(*op, obs);
      if (s.ok())
        ++done;
      else
        failed.emplace_back(i, s.error());
    }
    return done;
  }
  // Keep obs's originals (sysctl_originals, prefsrc_originals) where a restart finds them; called
  // by execute() before a change whose original was just recorded.
  virtual Status save_originals(const Observed&) { return Ok{}; }
  // Read the current values of these sysctl paths into obs.sysctls (absent paths are removed).
  virtual void read_sysctls(const std::set<std::string>& paths, Observed& obs) = 0;
};

}  // namespace vipa
