#include "dvipa/machine.h"

#include <set>

namespace vipa::dvipa {

const char* to_string(State s) {
  switch (s) {
    case State::Joining:
      return "joining";
    case State::Standby:
      return "standby";
    case State::Active:
      return "active";
    case State::Sticky:
      return "sticky";
    case State::Withdrawn:
      return "withdrawn";
    case State::Moving:
      return "moving";
  }
  return "?";
}

const char* zos_status(State s) {
  switch (s) {
    case State::Active:
    case State::Sticky:
      return "ACTIVE";
    case State::Standby:
      return "BACKUP";
    case State::Moving:
      return "MOVING";
    case State::Joining:
    case State::Withdrawn:
      return "QUIESCING";
  }
  return "?";
}

Machine::Machine(Params p) : p_(p), damping_(p.hold_down_ms) {}

void Machine::set_params(const Params& p) {
  p_ = p;
  damping_.set_base(p.hold_down_ms);
}

void Machine::adopt(uint32_t metric) {
  announce_ = metric;
  joined_ = true;
  was_eligible_ = true;
  Decoded d = decode_metric(metric);
  if (d.kind == MetricKind::Sticky) {
    sticky_ = true;
    owner_since_ = 0;
  }
  state_ = State::Standby;
  reason_ =
      "adopted the announcement the routing daemon kept (metric " + std::to_string(metric) + ")";
}

void Machine::request_takeback(uint64_t now_ms) {
  takeback_requested_ = true;
  takeback_at_ = now_ms;
}

void Machine::set_state(State s, const std::string& why, uint64_t now, Step& out) {
  if (s != state_) {
    out.transitions.push_back({state_, s, why});
    state_ = s;
    since_ms_ = now;
  }
  reason_ = why;
}

uint32_t Machine::choose_metric(const Inputs& in, bool usable, Step& out) {
  const View* v = in.view;
  uint32_t base = rank_metric(p_.rank);
  // A view without our own announcement, while we announce, lags behind (or the daemon lost
  // it, which the re-assert repairs): it says nothing new about who owns the DVIPA.
  bool lagging = usable && announce_ && !v->self_metric();
  // Without a full adjacency no router hears this host, whatever its own database says (a host
  // back from isolation finds only itself there): it owns nothing, and learns nothing of who
  // does.
  bool informative = usable && !lagging && v->neighbours > 0;
  bool yield_now = false;
  if (informative) {
    const Announcer* own = owner_of(*v);
    owner_self_ = own && own->self;
    if (owner_self_ || !own) {
      other_owner_since_.reset();
    } else {
      if (!other_owner_since_) other_owner_since_ = in.now_ms;
      yield_now = decode_metric(own->metric).kind == MetricKind::Override ||
                  in.now_ms - *other_owner_since_ >= kStickyYieldMs;
    }
  } else if (usable && !lagging) {
    owner_self_ = false;
  }
  if (usable) {
    // Two hosts with one rank would tie (ECMP, connections broken): the higher ID keeps the
    // rank's metric, the other yields by half a step. Both report it.
    for (auto& a : v->announcers) {
      if (a.self) continue;
      Decoded d = decode_metric(a.metric);
      if ((d.kind == MetricKind::Rank || d.kind == MetricKind::Yield) && d.rank == p_.rank &&
          id_less(v->self_id, a.id))
        base = yield_metric(p_.rank);
    }
  }
  if (takeback_requested_) {
    takeback_requested_ = false;
    override_until_ = takeback_at_ + kTakebackMs;
  }
  if (override_until_) {
    bool others_hold = false;
    if (usable)
      for (auto& a : v->announcers) {
        MetricKind k = decode_metric(a.metric).kind;
        if (!a.self && (k == MetricKind::Sticky || k == MetricKind::Override)) others_hold = true;
      }
    if (usable && owner_self_ && !others_hold && announce_ == override_metric(p_.rank)) {
      override_until_.reset();
      out.notes.push_back("takeback done: this host owns the DVIPA");
    } else if (in.now_ms >= *override_until_) {
      override_until_.reset();
      out.notes.push_back("takeback failed: the holder did not let go within " +
                          std::to_string(kTakebackMs / 1000) + " s");
    } else {
      sticky_ = false;
      return override_metric(p_.rank);
    }
  }
  if (owner_self_) {
    if (!owner_since_) owner_since_ = in.now_ms;
    bool want = sticky_;
    switch (p_.takeback) {
      case Takeback::Immediate:
        want = false;
        break;
      case Takeback::Manual:
        want = in.now_ms - *owner_since_ >= kStickySettleMs;
        break;
      case Takeback::Whenidle:
        if (in.busy >= 0) want = in.busy > 0 && in.now_ms >= no_stick_until_;
        break;
    }
    if (sticky_ && !want) no_stick_until_ = in.now_ms + kNoRestickMs;
    sticky_ = want;
  } else if (yield_now || (usable && !lagging && !sticky_)) {
    sticky_ = false;
    owner_since_.reset();
  }
  return sticky_ ? sticky_metric(p_.rank) : base;
}

void Machine::judge(const Inputs& in, bool usable, bool eligible, Step& out) {
  if (!usable) return;  // no news: problems stay as they were
  const View& v = *in.view;
  std::set<std::string> now_seen;
  bool tie = false;
  const Announcer* own = owner_of(v, &tie);
  for (auto& a : v.announcers) {
    if (a.self) continue;
    Decoded d = decode_metric(a.metric);
    if ((d.kind == MetricKind::Rank || d.kind == MetricKind::Yield) && d.rank == p_.rank)
      now_seen.insert(kDuplicateRank);
    // Only a host that believes it owns the DVIPA announces a sticky metric.
    if (announce_ && owner_self_ && d.kind == MetricKind::Sticky) now_seen.insert(kDualActive);
  }
  if (own && own->self && tie) now_seen.insert(kDualActive);
  if (v.routers_disagree) now_seen.insert(kDualActive);
  if (eligible && v.announcers.empty()) now_seen.insert(kUnannounced);

  for (auto& p : now_seen) {
    auto [it, fresh] = seen_.try_emplace(p, in.now_ms);
    (void)fresh;
    // Nobody announcing is news at once, unless this host's own announcement just changed (the
    // view then lags by a read): a re-assert repairs a lost one within a view or two, and the
    // gap must still be reported.
    uint64_t after =
        p == std::string(kUnannounced) && in.now_ms - announce_changed_ms_ >= kProblemMs
            ? 0
            : kProblemMs;
    if (in.now_ms - it->second >= after && !reported_.count(p)) {
      reported_[p] = in.now_ms;
      out.problems_raised.push_back(p);
    }
  }
  for (auto it = seen_.begin(); it != seen_.end();) {
    if (now_seen.count(it->first)) {
      ++it;
      continue;
    }
    if (reported_.erase(it->first)) out.problems_cleared.push_back(it->first);
    it = seen_.erase(it);
  }
}

Step Machine::step(const Inputs& in) {
  Step out;
  if (!started_) {
    started_ = true;
    since_ms_ = in.now_ms;
  }
  const bool usable = in.view && in.view->ok;
  const bool eligible = in.healthy && in.interfaces_up && !in.admin_withdrawn;
  if (!eligible) {
    // A withdraw the host caused itself counts for damping; one asked for by hand does not.
    if (was_eligible_ && !in.admin_withdrawn) damping_.on_withdraw(in.now_ms);
    was_eligible_ = false;
    if (announce_) announce_changed_ms_ = in.now_ms;
    announce_.reset();
    sticky_ = false;
    owner_self_ = false;
    owner_since_.reset();
    other_owner_since_.reset();
    override_until_.reset();
    std::string why = in.admin_withdrawn  ? "withdrawn by hand"
                      : !in.interfaces_up ? "no interface up with carrier"
                                          : "health check failing";
    set_state(State::Withdrawn, why, in.now_ms, out);
    judge(in, usable, eligible, out);
    return out;
  }
  if (!was_eligible_) {
    was_eligible_ = true;
    eligible_since_ = in.now_ms;
  }
  if (!announce_) {
    if (damping_.holding(in.now_ms, eligible_since_)) {
      set_state(State::Withdrawn,
                "hold-down: re-announce after " + std::to_string(damping_.hold_ms()) +
                    " ms without a failure",
                in.now_ms, out);
      judge(in, usable, eligible, out);
      return out;
    }
    bool ready = in.route_out && usable && in.view->neighbours > 0;
    if (p_.delay_join && !joined_ && !ready) {
      std::string why = !usable                    ? "waiting for the routing daemon's view"
                        : in.view->neighbours == 0 ? "waiting for a routing neighbour"
                                                   : "waiting for a route back out";
      set_state(State::Joining, "delay_join: " + why, in.now_ms, out);
      judge(in, usable, eligible, out);
      return out;
    }
  }
  joined_ = true;
  uint32_t m = choose_metric(in, usable, out);
  if (!announce_) damping_.on_announce();
  if (announce_ != m) announce_changed_ms_ = in.now_ms;
  announce_ = m;
  if (!usable || (announce_ && in.view && !in.view->self_metric() && state_ != State::Joining &&
                  state_ != State::Withdrawn)) {
    if (state_ != State::Standby && state_ != State::Active && state_ != State::Sticky)
      set_state(State::Standby, "announced; the routing daemon's view is not readable", in.now_ms,
                out);
  } else if (owner_self_) {
    bool sticky = m == sticky_metric(p_.rank);
    set_state(sticky ? State::Sticky : State::Active,
              sticky ? "owner, holding with the sticky metric" : "owner (the routers' choice)",
              in.now_ms, out);
  } else {
    const Announcer* own = owner_of(*in.view);
    std::string why = in.view->neighbours == 0 ? "announced; no routing neighbour hears it"
                      : own                    ? "announced; owner is " + own->id
                                               : "announced";
    set_state(State::Standby, why, in.now_ms, out);
  }
  judge(in, usable, eligible, out);
  return out;
}

}  // namespace vipa::dvipa
