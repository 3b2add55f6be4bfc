// One DVIPA's decisions on one host, purely: from health, interfaces, the routing protocol's
// view and the time (all passed in), whether to announce the DVIPA and with which metric, and
// which state the host is in. The routing protocol decides ownership (its best path); this
// decides what this host offers it (docs/dynamic-vipa.md has the state diagram).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/dvipa_config.h"
#include "dvipa/damping.h"
#include "dvipa/view.h"

namespace vipa::dvipa {

// z/OS NETSTAT VIPADYN: joining and withdrawn show QUIESCING, standby BACKUP, active and sticky
// ACTIVE, moving MOVING. Moving (kept, unannounced, while connections drain) is reserved for
// nondisruptive moves.
enum class State { Joining, Standby, Active, Sticky, Withdrawn, Moving };
const char* to_string(State s);
const char* zos_status(State s);

struct Params {
  uint32_t rank = 100;
  Takeback takeback = Takeback::Immediate;
  bool delay_join = true;
  uint64_t hold_down_ms = 5000;
};

struct Inputs {
  uint64_t now_ms = 0;
  bool healthy = true;
  bool interfaces_up = true;
  bool route_out = true;  // the kernel has a way back out (delay_join)
  bool admin_withdrawn = false;
  int busy = -1;  // connections on the DVIPA that moved data recently; -1 unknown
  const View* view = nullptr;
};

struct Transition {
  State from, to;
  std::string reason;
};

// Problems read from the protocol's view, reported once they last kProblemMs.
inline constexpr const char* kDuplicateRank = "duplicate_rank";
inline constexpr const char* kDualActive = "dual_active";
inline constexpr const char* kUnannounced = "unannounced";

struct Step {
  std::vector<Transition> transitions;
  std::vector<std::string> problems_raised, problems_cleared;
  std::vector<std::string> notes;  // "takeback done", "takeback failed: ..."
};

class Machine {
 public:
  static constexpr uint64_t kStickySettleMs = 3000;  // manual: owner this long -> sticky
  static constexpr uint64_t kNoRestickMs = 3000;     // whenidle: after a release
  static constexpr uint64_t kTakebackMs = 10'000;    // manual takeback gives up after
  static constexpr uint64_t kProblemMs = 2000;
  // A sticky holder lets go once another host has owned the DVIPA in the view this long (at
  // once for an override: `vipactl dvipa takeback`). A view in flux, such as a returning host's
  // router-LSA from before its failure flooded back ahead of its fresh one, ends no hold.
  static constexpr uint64_t kStickyYieldMs = 2000;

  explicit Machine(Params p);
  void set_params(const Params& p);  // reload
  // vipad restarted and found this host's announcement in the daemon: carry on from there
  // (no delay_join, no withdraw).
  void adopt(uint32_t metric);
  // `vipactl dvipa takeback` on the host that wants the DVIPA back.
  void request_takeback(uint64_t now_ms);

  Step step(const Inputs& in);

  State state() const { return state_; }
  const std::string& reason() const { return reason_; }
  uint64_t since_ms() const { return since_ms_; }
  std::optional<uint32_t> announce() const { return announce_; }
  const std::map<std::string, uint64_t>& problems() const { return reported_; }
  bool takeback_pending() const { return override_until_.has_value(); }
  const Params& params() const { return p_; }
  const Damping& damping() const { return damping_; }
  bool owner_self() const { return owner_self_; }

 private:
  void set_state(State s, const std::string& why, uint64_t now, Step& out);
  uint32_t choose_metric(const Inputs& in, bool usable, Step& out);
  void judge(const Inputs& in, bool usable, bool eligible, Step& out);

  Params p_;
  Damping damping_;
  State state_ = State::Joining;
  std::string reason_ = "starting";
  uint64_t since_ms_ = 0;
  bool started_ = false;
  std::optional<uint32_t> announce_;
  uint64_t announce_changed_ms_ = 0;
  bool joined_ = false;  // delay_join satisfied once this run
  bool was_eligible_ = false;
  uint64_t eligible_since_ = 0;
  bool owner_self_ = false;
  std::optional<uint64_t> owner_since_;
  std::optional<uint64_t> other_owner_since_;  // another host owns it in the view, since
  bool sticky_ = false;
  uint64_t no_stick_until_ = 0;
  std::optional<uint64_t> override_until_;
  bool takeback_requested_ = false;
  uint64_t takeback_at_ = 0;
  std::map<std::string, uint64_t> seen_;      // problem -> first seen
  std::map<std::string, uint64_t> reported_;  // problem -> reported since
};

}  // namespace vipa::dvipa
