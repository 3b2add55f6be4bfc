// The one seam between the pure core and the kernel: a plan's operations are applied through a
// Dataplane. The daemon's speaks rtnetlink (src/daemon/netlink_dataplane.cpp); unit tests use an
// in-memory fake (tests/unit/fake_dataplane.h).
#pragma once

#include <set>
#include <string>

#include "common/result.h"
#include "core/model.h"
#include "core/plan.h"

namespace vipa {

class Dataplane {
 public:
  virtual ~Dataplane() = default;
  // Apply one operation; on success `obs` reflects it (the kernel's echo will agree).
  virtual Status apply(const Op& op, Observed& obs) = 0;
  // Read the current values of these sysctl paths into obs.sysctls (absent paths are removed).
  virtual void read_sysctls(const std::set<std::string>& paths, Observed& obs) = 0;
};

}  // namespace vipa
