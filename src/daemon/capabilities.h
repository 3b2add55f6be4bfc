// vipad needs only CAP_NET_ADMIN (links, addresses, routes, sysctls under net/) and CAP_NET_RAW
// (dead gateway probes). systemd's CapabilityBoundingSet= enforces that for the unit; started
// by hand or from another supervisor, vipad enforces it on itself, so a bug in it cannot be
// turned into full root.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace vipa {

// Keeps CAP_NET_ADMIN and CAP_NET_RAW (where held) in the effective and permitted sets, drops
// every other capability from the bounding set (so hooks and their children cannot regain
// them), and clears the inheritable and ambient sets. Idempotent: under systemd's bounding set
// it only trims the effective and permitted sets. Call it after everything that needs more
// (the pid lock, the control socket's directory) and before the first event is handled.
// With keep_bpf (the config has [[source]] rules), CAP_BPF is kept too: attaching the source
// rules' programs to a cgroup that appears later needs it (docs/source-selection.md).
Status drop_capabilities(bool keep_bpf = false);

// Adds the groups that exist among `names` to the supplementary groups, so that vtysh and
// birdc, run by vipad without CAP_DAC_OVERRIDE, can still open the routing daemon's control
// sockets (FRR's are group frrvty, mode 0770). Names with no such group are skipped. Needs
// CAP_SETGID, so call it before drop_capabilities(); under systemd's bounding set it fails
// with EPERM unless the unit already gives the groups (SupplementaryGroups=).
Status join_groups(const std::vector<std::string>& names);

}  // namespace vipa
