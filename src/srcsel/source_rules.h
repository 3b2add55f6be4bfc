// Source VIPA per application (z/OS SRCIP): the pure decision logic. No syscalls, no clock.
//
// Precedence, as z/OS documents it (z/OS Communications Server: IP Configuration Reference,
// SRCIP statement): an explicit bind; the job (here a systemd unit or a cgroup; the deepest
// cgroup wins); the user (the narrowest uid range wins); the destination (the longest prefix
// wins); the interface's VIPA. The kernel mechanisms behind each are in
// docs/source-selection.md: cgroup sock_addr BPF programs bind before the route lookup, so
// they win over the policy rules that carry the user and destination rules, which in turn win
// over the main table.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/desired.h"
#include "core/model.h"

namespace vipa::srcsel {

// The tables that carry user and destination rules (one per rule, each family its own),
// and the FIB rule priorities: every user rule before every destination rule, both before the
// main table's 32766.
inline constexpr uint32_t kTableBase = 8600;
inline constexpr uint32_t kUserPriority = 32000;  // + rank by range width (at most 256 rules)
inline constexpr uint32_t kDestPriority = 32300;  // + (address bits - prefix length)

// One [[source]] rule as it stands now.
struct RuleState {
  size_t index = 0;  // its position among the [[source]] tables; also its counter slot
  const SourceConfig* rule = nullptr;
  std::string vipa;       // the VIPA it names (by name or by one of its addresses)
  IpAddr want4, want6;    // what the config asks for
  IpAddr v4, v6;          // what it gives now (empty: that family is not served now)
  std::string suspended;  // why it gives nothing now ("vi1 is down"); "" when it serves
  bool active() const { return !v4.empty() || !v6.empty(); }
  uint32_t table() const { return kTableBase + static_cast<uint32_t>(index); }
};

// A VIPA that is down, detached, or whose address is not on its link serves no rule: sockets
// then fall back to the interface's VIPA, never to an address the host does not hold.
std::vector<RuleState> rule_states(const Config& cfg, const Observed& obs);

// A policy rule vipad owns (tagged with protocol vipa).
struct FibRule {
  uint8_t family = 0;
  uint32_t priority = 0;
  uint32_t table = 0;
  bool has_uid = false;
  uint32_t uid_first = 0, uid_last = 0;
  IpAddr dst;  // with dst_len; empty for "from all"
  uint8_t dst_len = 0;
  auto operator<=>(const FibRule&) const = default;
  std::string str() const;  // "ip rule"-like
};

std::vector<FibRule> desired_fib_rules(const std::vector<RuleState>& rules);

// The tables of the active user and destination rules, added to d.owned: the main table's
// routes (vipad's own as desired, the others as the kernel has them) with the rule's VIPA as
// source. A user rule's table holds every one; a destination rule's only those that overlap
// its prefix. A route that must keep its own source (through an interface that uses no VIPA,
// link-local or multicast) becomes a `throw`, so that lookup goes on in the main table.
void add_source_tables(const Config& cfg, const Observed& obs, Desired& d);

// `vipactl source test`: who asks, and where to.
struct Identity {
  std::optional<std::string> cgroup;  // below the v2 root, no outer '/'
  std::optional<uint32_t> uid;
};

struct Decision {
  IpAddr source;          // empty: the kernel picks the interface's own address
  int rule = -1;          // the deciding [[source]] rule's index, -1 for none
  std::string mechanism;  // "cgroup bpf", "ip rule", "route"
  std::string why;
};

// `cgroups` maps rule index -> the cgroup its unit or path resolves to.
Decision decide(const std::vector<RuleState>& rules, const std::map<size_t, std::string>& cgroups,
                const Identity& who, const IpAddr& dst, const Observed& obs);

// Whether `path` is `ancestor` or lies below it (cgroup paths without outer '/'; "" is the
// root).
bool cgroup_within(const std::string& path, const std::string& ancestor);

}  // namespace vipa::srcsel
