// The pure Dynamic VIPA decisions: rank -> metric, joining, ownership from the protocol's
// view, sticky/whenidle/manual takeback, damping, and the problems read from the view.
#include <gtest/gtest.h>

#include <set>

#include "dvipa/machine.h"

namespace vipa::dvipa {
namespace {

TEST(DvipaMetric, DistinctOrderedAndDecodable) {
  std::set<uint32_t> seen;
  for (uint32_t r = kRankMin; r <= kRankMax; ++r) {
    for (uint32_t m : {rank_metric(r), yield_metric(r), sticky_metric(r), override_metric(r)})
      EXPECT_TRUE(seen.insert(m).second) << "rank " << r << " metric " << m;
    EXPECT_LE(rank_metric(r) + kSpacing / 2, 65535u);  // fits an OSPF cost
    EXPECT_LT(sticky_metric(r), rank_metric(kRankMax)) << "sticky beats every rank";
    EXPECT_LT(override_metric(r), sticky_metric(kRankMax)) << "override beats every sticky";
    if (r > kRankMin) {
      EXPECT_LT(rank_metric(r), rank_metric(r - 1)) << "higher rank wins";
    }
    EXPECT_EQ(decode_metric(rank_metric(r)).kind, MetricKind::Rank);
    EXPECT_EQ(decode_metric(rank_metric(r)).rank, r);
    EXPECT_EQ(decode_metric(yield_metric(r)).kind, MetricKind::Yield);
    EXPECT_EQ(decode_metric(yield_metric(r)).rank, r);
    EXPECT_EQ(decode_metric(sticky_metric(r)).kind, MetricKind::Sticky);
    EXPECT_EQ(decode_metric(sticky_metric(r)).rank, r);
    EXPECT_EQ(decode_metric(override_metric(r)).kind, MetricKind::Override);
    EXPECT_EQ(decode_metric(override_metric(r)).rank, r);
  }
  EXPECT_EQ(rank_metric(200), 39808u);
  EXPECT_EQ(decode_metric(10).kind, MetricKind::Override);  // an OSPF default cost decodes oddly
  EXPECT_EQ(decode_metric(39809).kind, MetricKind::Unknown);
  EXPECT_EQ(decode_metric(0).kind, MetricKind::Unknown);
  EXPECT_EQ(decode_metric(UINT32_MAX).kind, MetricKind::Unknown);
}

TEST(DvipaView, OwnerAndIds) {
  View v;
  v.announcers = {{"10.0.0.2", 52608, false}, {"10.0.0.1", 39808, true}};
  bool tie = true;
  ASSERT_NE(owner_of(v, &tie), nullptr);
  EXPECT_EQ(owner_of(v)->id, "10.0.0.1");
  EXPECT_FALSE(tie);
  v.announcers.push_back({"10.0.0.3", 39808, false});
  owner_of(v, &tie);
  EXPECT_TRUE(tie);
  EXPECT_TRUE(id_less("10.0.0.9", "10.0.0.10"));
  EXPECT_TRUE(id_less("9", "10"));
  EXPECT_EQ(owner_of(View{}), nullptr);
}

// One host's machine against a view that holds what it announces plus other hosts.
struct World {
  Machine m;
  View view;
  std::map<std::string, uint32_t> others;
  uint64_t now = 0;
  Inputs in;
  std::vector<Transition> transitions;
  std::vector<std::string> raised, cleared, notes;
  int changes = 0;  // announcement changes

  explicit World(Params p) : m(p) {
    view.ok = true;
    view.self_id = "10.0.0.1";
    view.neighbours = 1;
    in.view = &view;
  }
  void refresh() {
    view.announcers.clear();
    if (m.announce()) view.announcers.push_back({view.self_id, *m.announce(), true});
    for (auto& [id, metric] : others) view.announcers.push_back({id, metric, false});
  }
  // Steps at `ms` later; the view then reflects what was announced (as the next read would).
  Step step(uint64_t ms = 100) {
    now += ms;
    in.now_ms = now;
    auto before = m.announce();
    Step s = m.step(in);
    if (m.announce() != before) ++changes;
    refresh();
    transitions.insert(transitions.end(), s.transitions.begin(), s.transitions.end());
    raised.insert(raised.end(), s.problems_raised.begin(), s.problems_raised.end());
    cleared.insert(cleared.end(), s.problems_cleared.begin(), s.problems_cleared.end());
    notes.insert(notes.end(), s.notes.begin(), s.notes.end());
    return s;
  }
  void run(uint64_t ms) {
    for (uint64_t t = 0; t < ms; t += 100) step();
  }
};

Params params(uint32_t rank, Takeback tb = Takeback::Immediate) {
  Params p;
  p.rank = rank;
  p.takeback = tb;
  p.hold_down_ms = 5000;
  return p;
}

TEST(DvipaMachine, DelayJoinWaitsForNeighbourAndRouteOut) {
  World w(params(200));
  w.view.neighbours = 0;
  w.step();
  EXPECT_EQ(w.m.state(), State::Joining);
  EXPECT_FALSE(w.m.announce());
  w.view.neighbours = 1;
  w.in.route_out = false;
  w.step();
  EXPECT_EQ(w.m.state(), State::Joining);
  EXPECT_NE(w.m.reason().find("route back out"), std::string::npos);
  w.in.route_out = true;
  w.step();
  EXPECT_EQ(w.m.announce(), rank_metric(200));
  w.step();
  EXPECT_EQ(w.m.state(), State::Active);
  // Once joined, losing the neighbour does not withdraw: that is the protocol's business.
  w.view.neighbours = 0;
  w.step();
  EXPECT_EQ(w.m.announce(), rank_metric(200));
}

TEST(DvipaMachine, WithoutAReadableViewNothingIsAnnouncedWithDelayJoin) {
  World w(params(200));
  w.view.ok = false;
  w.run(5000);
  EXPECT_EQ(w.m.state(), State::Joining);
  Params p = params(200);
  p.delay_join = false;
  World n(p);
  n.view.ok = false;
  n.step();
  EXPECT_EQ(n.m.announce(), rank_metric(200));
  EXPECT_EQ(n.m.state(), State::Standby);
}

TEST(DvipaMachine, OwnershipFollowsTheView) {
  World w(params(100));
  w.others["10.0.0.2"] = rank_metric(200);
  w.step();
  w.step();
  EXPECT_EQ(w.m.state(), State::Standby);
  EXPECT_NE(w.m.reason().find("10.0.0.2"), std::string::npos);
  w.others.erase("10.0.0.2");  // the owner died: its router-LSA lost the stub
  w.refresh();
  w.step();
  EXPECT_EQ(w.m.state(), State::Active);
  EXPECT_EQ(w.m.announce(), rank_metric(100));
  w.others["10.0.0.2"] = rank_metric(200);  // immediate: the owner returns and takes it
  w.refresh();
  w.step();
  EXPECT_EQ(w.m.state(), State::Standby);
  EXPECT_EQ(w.m.announce(), rank_metric(100));
}

TEST(DvipaMachine, FailingHealthWithdrawsAtOnceAndHoldsDown) {
  World w(params(200));
  w.step();
  ASSERT_TRUE(w.m.announce());
  w.in.healthy = false;
  w.step();
  EXPECT_FALSE(w.m.announce());
  EXPECT_EQ(w.m.state(), State::Withdrawn);
  w.in.healthy = true;
  w.run(4000);
  EXPECT_FALSE(w.m.announce()) << "hold-down: 5 s healthy before re-announcing";
  EXPECT_EQ(w.m.state(), State::Withdrawn);
  w.run(1200);
  EXPECT_TRUE(w.m.announce());
}

TEST(DvipaMachine, ACheckFlappingEverySecondMakesAtMostTwoChangesAMinute) {
  World w(params(200));
  w.step();
  ASSERT_TRUE(w.m.announce());
  w.changes = 0;
  for (int s = 0; s < 120; ++s) {  // two minutes: healthy 0.6 s, failing 0.4 s
    w.in.healthy = true;
    w.run(600);
    w.in.healthy = false;
    w.run(400);
  }
  EXPECT_LE(w.changes, 4) << "two minutes";
  EXPECT_GE(w.changes, 1);
  // Slower flaps are slowed down by the doubling hold-down.
  World s(params(200));
  s.step();
  s.changes = 0;
  for (int i = 0; i < 12; ++i) {  // healthy 8 s, failing 2 s, for two minutes
    s.in.healthy = true;
    s.run(8000);
    s.in.healthy = false;
    s.run(2000);
  }
  EXPECT_LE(s.changes, 4);
}

TEST(DvipaMachine, WithdrawByHandHasNoHoldDown) {
  World w(params(200));
  w.step();
  w.in.admin_withdrawn = true;
  w.step();
  EXPECT_FALSE(w.m.announce());
  EXPECT_EQ(w.m.reason(), "withdrawn by hand");
  w.in.admin_withdrawn = false;
  w.step();
  EXPECT_EQ(w.m.announce(), rank_metric(200));
}

TEST(DvipaMachine, NoInterfaceUpWithdraws) {
  World w(params(200));
  w.step();
  w.in.interfaces_up = false;
  w.step();
  EXPECT_FALSE(w.m.announce());
  EXPECT_EQ(w.m.reason(), "no interface up with carrier");
}

TEST(DvipaMachine, WhenidleHoldsWithStickyWhileBusy) {
  World b(params(100, Takeback::Whenidle));
  b.in.busy = 1;
  b.step();
  b.step();
  EXPECT_EQ(b.m.state(), State::Sticky);
  EXPECT_EQ(b.m.announce(), sticky_metric(100));
  b.others["10.0.0.2"] = rank_metric(200);  // the higher rank returns
  b.refresh();
  b.run(1000);
  EXPECT_EQ(b.m.state(), State::Sticky) << "a busy holder keeps it";
  b.in.busy = 0;  // the stream ended
  b.step();
  EXPECT_EQ(b.m.announce(), rank_metric(100));
  b.step();
  EXPECT_EQ(b.m.state(), State::Standby);
  // Not sticky again while the returning owner takes over, even with a new connection.
  b.others.erase("10.0.0.2");
  b.refresh();
  b.in.busy = 1;
  b.step();
  EXPECT_EQ(b.m.state(), State::Active);
  b.run(3100);
  EXPECT_EQ(b.m.state(), State::Sticky);
  // Busy unknown (sock_diag failed): the decision stays as it was.
  b.in.busy = -1;
  b.run(500);
  EXPECT_EQ(b.m.state(), State::Sticky);
}

TEST(DvipaMachine, StickyHolderOutlastsAViewInFlux) {
  World b(params(100, Takeback::Whenidle));
  b.in.busy = 1;
  b.run(500);
  ASSERT_EQ(b.m.state(), State::Sticky);
  // The higher rank returns; for a few reads its router-LSA from before its failure (it held
  // the DVIPA with the sticky metric then) is what the database has.
  b.others["10.0.0.2"] = sticky_metric(200);
  b.refresh();
  b.run(1500);
  EXPECT_EQ(b.m.announce(), sticky_metric(100)) << "a view in flux ends no hold";
  // Its fresh LSA: its rank, which the sticky holder beats.
  b.others["10.0.0.2"] = rank_metric(200);
  b.refresh();
  b.step();
  EXPECT_EQ(b.m.state(), State::Sticky);
  // Another host that goes on owning it past kStickyYieldMs does take it.
  b.others["10.0.0.2"] = sticky_metric(200);
  b.refresh();
  b.run(Machine::kStickyYieldMs + 200);
  EXPECT_EQ(b.m.announce(), rank_metric(100));
  EXPECT_EQ(b.m.state(), State::Standby);
}

TEST(DvipaMachine, AHostNoRouterHearsOwnsNothing) {
  // Manual takeback: an owner turns sticky after kStickySettleMs. A host back from isolation
  // whose adjacencies are not full yet finds only itself in its database: it must not turn
  // sticky on that, or it beats the real holder when its adjacencies come up.
  World a(params(200, Takeback::Manual));
  a.view.neighbours = 0;
  a.m.adopt(rank_metric(200));
  a.refresh();
  a.run(Machine::kStickySettleMs + 1000);
  EXPECT_EQ(a.m.announce(), rank_metric(200));
  EXPECT_EQ(a.m.state(), State::Standby);
  EXPECT_NE(a.m.reason().find("no routing neighbour"), std::string::npos);
  // Adjacencies up, the holder's sticky announcement in view: still standby.
  a.view.neighbours = 2;
  a.others["10.0.0.9"] = sticky_metric(100);
  a.refresh();
  a.run(Machine::kStickySettleMs + 1000);
  EXPECT_EQ(a.m.announce(), rank_metric(200));
  EXPECT_EQ(a.m.state(), State::Standby);
  // A sticky holder that loses every neighbour (both routers restart) keeps its hold.
  World b(params(100, Takeback::Manual));
  b.run(Machine::kStickySettleMs + 200);
  ASSERT_EQ(b.m.state(), State::Sticky);
  b.view.neighbours = 0;
  b.run(5000);
  EXPECT_EQ(b.m.announce(), sticky_metric(100));
  b.view.neighbours = 1;
  b.step();
  EXPECT_EQ(b.m.state(), State::Sticky);
}

TEST(DvipaMachine, ImmediateIsNeverSticky) {
  World w(params(100));
  w.in.busy = 5;
  w.run(5000);
  EXPECT_EQ(w.m.state(), State::Active);
  EXPECT_EQ(w.m.announce(), rank_metric(100));
}

TEST(DvipaMachine, ManualStaysUntilTakeback) {
  World b(params(100, Takeback::Manual));
  b.run(3200);
  EXPECT_EQ(b.m.state(), State::Sticky);
  // A on the other side: returns, announces its rank, runs `vipactl dvipa takeback`.
  World a(params(200, Takeback::Manual));
  a.view.self_id = "10.0.0.2";
  a.others["10.0.0.1"] = *b.m.announce();
  a.run(1000);
  EXPECT_EQ(a.m.state(), State::Standby);
  a.m.request_takeback(a.now);
  a.step();
  EXPECT_EQ(a.m.announce(), override_metric(200));
  EXPECT_TRUE(a.m.takeback_pending());
  // B sees A's override: it lost, drops to its rank metric.
  b.others["10.0.0.2"] = *a.m.announce();
  b.refresh();
  b.step();
  EXPECT_EQ(b.m.state(), State::Standby);
  EXPECT_EQ(b.m.announce(), rank_metric(100));
  // A sees itself owner and nobody sticky: back to its rank metric.
  a.others["10.0.0.1"] = *b.m.announce();
  a.refresh();
  a.step();
  EXPECT_FALSE(a.m.takeback_pending());
  EXPECT_EQ(a.m.announce(), rank_metric(200));
  ASSERT_FALSE(a.notes.empty());
  EXPECT_NE(a.notes.back().find("takeback done"), std::string::npos);
  a.step();
  EXPECT_EQ(a.m.state(), State::Active);
}

TEST(DvipaMachine, TakebackGivesUp) {
  World a(params(200, Takeback::Manual));
  a.view.self_id = "10.0.0.2";
  a.others["10.0.0.1"] = 1;  // someone holding with an override forever
  a.step();
  a.m.request_takeback(a.now);
  a.run(10'500);
  EXPECT_FALSE(a.m.takeback_pending());
  ASSERT_FALSE(a.notes.empty());
  EXPECT_NE(a.notes.back().find("takeback failed"), std::string::npos);
}

TEST(DvipaMachine, DuplicateRankTheLowerIdYields) {
  World low(params(150));
  low.others["10.0.0.9"] = rank_metric(150);
  low.run(2500);
  EXPECT_EQ(low.m.announce(), yield_metric(150));
  EXPECT_EQ(low.raised, (std::vector<std::string>{kDuplicateRank}));
  World high(params(150));
  high.view.self_id = "10.0.0.9";
  high.others["10.0.0.1"] = yield_metric(150);
  high.run(2500);
  EXPECT_EQ(high.m.announce(), rank_metric(150));
  EXPECT_EQ(high.raised, (std::vector<std::string>{kDuplicateRank}));
  high.others.clear();
  high.refresh();
  high.step();
  EXPECT_EQ(high.cleared, (std::vector<std::string>{kDuplicateRank}));
}

TEST(DvipaMachine, DualActiveAndUnannouncedAreReported) {
  World w(params(200, Takeback::Whenidle));
  w.in.busy = 1;
  w.run(500);
  ASSERT_EQ(w.m.state(), State::Sticky);
  w.others["10.0.0.3"] = sticky_metric(50);  // another host believes it holds it too
  w.refresh();
  w.run(1500);
  EXPECT_TRUE(w.raised.empty()) << "transients under 2 s are not reported";
  w.run(1000);
  EXPECT_EQ(w.raised, (std::vector<std::string>{kDualActive}));

  World u(params(200));
  u.step();
  u.in.healthy = false;  // withdrawn, and nobody else announces
  u.step();
  u.in.healthy = true;
  u.run(2500);  // in hold-down: eligible, yet nobody announces
  EXPECT_EQ(u.raised, (std::vector<std::string>{kUnannounced}));
}

TEST(DvipaMachine, AdoptsWithoutWithdrawing) {
  World w(params(100, Takeback::Whenidle));
  w.m.adopt(sticky_metric(100));
  w.refresh();
  w.in.busy = -1;  // not measured yet
  w.step();
  EXPECT_EQ(w.m.announce(), sticky_metric(100));
  EXPECT_EQ(w.m.state(), State::Sticky);
  EXPECT_EQ(w.changes, 0);
}

TEST(DvipaMachine, AViewWithoutOurAnnouncementChangesNothing) {
  World w(params(100));
  w.others["10.0.0.2"] = rank_metric(50);
  w.run(300);
  ASSERT_EQ(w.m.state(), State::Active);
  size_t before = w.transitions.size();
  // The daemon lost our announcement (it restarted): until the re-assert, no flip to standby.
  w.view.announcers = {{"10.0.0.2", rank_metric(50), false}};
  w.in.now_ms = (w.now += 100);
  w.m.step(w.in);
  EXPECT_EQ(w.m.state(), State::Active);
  EXPECT_EQ(w.transitions.size(), before);
  EXPECT_EQ(w.m.announce(), rank_metric(100));
}

TEST(DvipaMachine, ALostAnnouncementIsReportedAtOnce) {
  World w(params(200));
  w.run(3000);
  ASSERT_TRUE(w.raised.empty()) << "the first announce's lagging view is no problem";
  w.view.announcers.clear();  // FRR lost it; nobody else announces
  w.in.now_ms = (w.now += 100);
  Step s = w.m.step(w.in);
  EXPECT_EQ(s.problems_raised, (std::vector<std::string>{kUnannounced}));
  w.refresh();  // re-asserted
  s = w.m.step(w.in);
  EXPECT_EQ(s.problems_cleared, (std::vector<std::string>{kUnannounced}));
}

TEST(DvipaMachine, ReloadedRankChangesTheMetric) {
  World w(params(100));
  w.step();
  EXPECT_EQ(w.m.announce(), rank_metric(100));
  w.m.set_params(params(220));
  w.step();
  EXPECT_EQ(w.m.announce(), rank_metric(220));
}

}  // namespace
}  // namespace vipa::dvipa
