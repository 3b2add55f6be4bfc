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
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/model.h"
#include "daemon/child_process.h"
#include "dvipa/view.h"
#include "moves/liveness.h"
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
  ~MovesManager();
  MovesManager(const MovesManager&) = delete;
  MovesManager& operator=(const MovesManager&) = delete;

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
    std::optional<std::string> owner;  // who owns it, by the last view (never cut: not probed)
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
  // Where the routing protocol's view does not say whom it reaches: echoes to the targets.
  std::optional<std::set<std::string>> probed_reachable(const Item& it, uint64_t now) const;
  void probe(uint64_t now);
  static int on_echo(sd_event_source* s, int fd, uint32_t revents, void* ud);

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
  bool probe_ = false;                      // some view does not say whom it reaches
  moves::Liveness live_;
  sd_event_source* echo_src_ = nullptr;  // raw ICMP, echo replies with echo_id_ only
  std::string echo_error_;               // the socket could not be opened: nobody is judged
  uint16_t echo_id_ = 0, echo_seq_ = 0;
};

}  // namespace vipa
