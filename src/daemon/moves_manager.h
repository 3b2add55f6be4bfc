// Nondisruptive moves in vipad: wires the pure decisions (src/moves) to the kernel. Every
// DVIPA with peers gets a Tracker, stepped after its machine; the kernel's part (the nftables
// table, the VXLAN link, the policy rules and route tables: src/moves/ruleset.h) is made with
// nft(8) and ip(8), one child at a time, never blocking the loop, and re-asserted every
// kReassertMs: whatever someone deleted comes back. Connections are counted with sock_diag.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/model.h"
#include "daemon/child_process.h"
#include "dvipa/view.h"
#include "moves/ruleset.h"
#include "moves/tracker.h"

namespace vipa {

class MovesManager {
 public:
  using Emit = std::function<void(const std::string& event, const std::string& name,
                                  const std::string& message, nlohmann::json extra)>;
  static constexpr uint64_t kCountMs = 200;
  static constexpr uint64_t kReassertMs = 2000;
  static constexpr uint64_t kCommandUsec = 5'000'000;

  MovesManager(sd_event* ev, const Observed* obs, Emit emit);

  void configure(const std::vector<DvipaConfig>& dvipas);
  bool empty() const { return trackers_.empty(); }
  // After the DVIPA's machine stepped: who owns it now.
  void step(const DvipaConfig& d, const dvipa::View& view, bool owner_self, uint64_t now);
  void tick(uint64_t now);

  bool moving(const std::string& name) const;
  nlohmann::json status_json(const std::string& name) const;  // null without peers
  std::string metrics_text() const;

  // vipad --cleanup: the table, the link and the rules, whatever the config says.
  static void cleanup_blocking();

 private:
  struct Item {
    DvipaConfig cfg;
    moves::Tracker tracker;
    uint64_t moves = 0, timeouts = 0, cut = 0, forward_cuts = 0;
  };
  moves::Want want() const;
  std::string self_address() const;
  void count(uint64_t now);
  void reassert();
  void on_rules(const ChildResult& r);
  void run_script(const std::string& tool, const std::string& text,
                  std::function<void(const ChildResult&)> next);
  void write_sysctls(const moves::Want& w);
  void emit_events(Item& it, const std::vector<moves::Event>& evs);

  sd_event* ev_;
  const Observed* obs_;
  Emit emit_;
  std::map<std::string, std::unique_ptr<Item>> trackers_;
  std::map<std::string, uint32_t> index_;  // peer id -> index (marks, tables)
  ChildProcess cmd_;
  int script_fd_ = -1;
  uint64_t last_count_ = 0, last_reassert_ = 0;
  bool adopted_ = false;  // the kernel's targets read once, after a restart
  uint64_t applies_ = 0, apply_failures_ = 0;
  std::string last_error_;
  std::map<std::string, int> connections_;  // address -> established
};

}  // namespace vipa
