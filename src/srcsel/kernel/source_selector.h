// [[source]] rules in the kernel: the cgroup BPF programs for unit and cgroup rules, the
// policy rules for user and destination rules (their tables are desired by the core, see
// srcsel::add_source_tables), and the answers of `vipactl source` and `vipactl source test`.
// The daemon calls sync() after every converge; the selector asks for one (resync) when a
// watched cgroup appears or goes (inotify) or a policy rule changes (rtnetlink).
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/model.h"
#include "nl/socket.h"
#include "srcsel/cgroup_paths.h"
#include "srcsel/kernel/bpf_programs.h"
#include "srcsel/source_rules.h"

namespace vipa::srcsel {

class SourceSelector {
 public:
  using Log = std::function<void(const std::string&)>;
  struct Options {
    // Units are looked up below this cgroup (a path below the v2 root) by systemd's naming,
    // instead of asking systemd; tests use a cgroup of their own. "" = the v2 root, asking
    // systemd first where it runs.
    std::string unit_base;
  };
  SourceSelector(sd_event* ev, Options opt, std::function<void()> resync, Log notice, Log warn);
  ~SourceSelector();
  SourceSelector(const SourceSelector&) = delete;
  SourceSelector& operator=(const SourceSelector&) = delete;

  void sync(const Config& cfg, const Observed& obs);
  nlohmann::json status(const Config& cfg, const Observed& obs) const;
  // `vipactl source test`: {"unit"|"user"|"pid", "destination"}; on error, *error is set.
  nlohmann::json test(const nlohmann::json& req, const Config& cfg, const Observed& obs,
                      std::string* error) const;

  // `vipad --cleanup`: detaches and unpins the links, removes the policy rules.
  static void cleanup(Log log);

 private:
  std::string unit_path(const std::string& unit);
  std::string rule_path(const SourceConfig& s);
  void sync_bpf(const std::vector<RuleState>& states);
  void watch(const std::string& rel_path);
  void log_states(const std::vector<RuleState>& states);
  Status open_netlink();

  sd_event* ev_;
  Options opt_;
  std::function<void()> resync_;
  Log notice_, warn_;
  Mounts mounts_;
  uint64_t cookie_ = 0;
  std::string pin_dir_;
  std::unique_ptr<BpfPrograms> bpf_;
  std::string bpf_unavailable_;  // why unit and cgroup rules cannot be applied; "" = fine
  nl::Socket req_, events_;
  bool nl_open_ = false;
  int inotify_ = -1;
  sd_event_source* ino_src_ = nullptr;
  sd_event_source* rule_src_ = nullptr;
  std::map<std::string, std::string> units_;    // unit -> cgroup path below the v2 root
  std::map<size_t, std::string> rule_cgroup_;   // rule index -> its cgroup path
  std::map<size_t, uint64_t> rule_cgid_;        // rule index -> attached cgroup id
  std::map<size_t, std::string> rule_waiting_;  // rule index -> why it is not attached
  std::map<size_t, std::string> last_state_;    // rule index -> "" or the suspension, for logs
  std::vector<FibRule> fib_;                    // vipad's policy rules as last synced
  std::set<std::string> logged_;
};

// Where vipad pins its links: BPFFS/vipa-NETNSCOOKIE (one vipad per network namespace).
std::string pin_dir_for(const Mounts& m, uint64_t netns_cookie);
uint64_t current_netns_cookie();  // 0 where the kernel cannot tell (before Linux 5.14)

}  // namespace vipa::srcsel
