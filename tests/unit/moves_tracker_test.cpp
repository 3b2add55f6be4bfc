// The decisions of nondisruptive moves: when an old owner is MOVING and for how long, and
// which peer a new owner forwards the flows it did not open to.
#include <gtest/gtest.h>

#include "moves/tracker.h"

namespace vipa::moves {
namespace {

Params params(const std::string& self) {
  Params p;
  p.peers = {{"h1", "10.68.41.1"}, {"h2", "10.68.42.1"}, {"h3", "10.68.43.1"}};
  p.self_id = self;
  p.moving_timeout_ms = 10'000;
  return p;
}

Inputs view(uint64_t now, bool self, const std::string& owner, int conns = 0) {
  Inputs in;
  in.now_ms = now;
  in.view_ok = true;
  in.owner_self = self;
  in.owner_id = owner;
  in.connections = conns;
  return in;
}

std::vector<std::string> kinds(const std::vector<Event>& evs) {
  std::vector<std::string> out;
  for (auto& e : evs) out.push_back(e.kind);
  return out;
}

TEST(MovesTracker, NewOwnerForwardsToThePreviousOwner) {
  Tracker t(params("h2"));
  // Armed while h1 owns it: the routers move traffic before the next view says so.
  EXPECT_TRUE(t.step(view(0, false, "h1")).empty());
  EXPECT_EQ(t.newest_target(), "h1");
  auto evs = t.step(view(100, true, "h2"));
  ASSERT_EQ(kinds(evs), std::vector<std::string>{"forward"});
  EXPECT_EQ(evs[0].peer, "h1");
  ASSERT_EQ(t.targets().size(), 1u);
  EXPECT_EQ(t.newest_target(), "h1");
  EXPECT_FALSE(t.moving());
  // Forwarding lasts as long as the old owner may keep connections: moving_timeout after it
  // was last seen owning the DVIPA.
  EXPECT_TRUE(t.step(view(9'999, true, "h2")).empty());
  EXPECT_EQ(kinds(t.step(view(10'000, true, "h2"))), std::vector<std::string>{"forward_done"});
  EXPECT_TRUE(t.targets().empty());
}

Inputs reached(Inputs in, std::set<std::string> hosts, uint32_t neighbours = 1) {
  in.reachable = std::move(hosts);
  in.neighbours = neighbours;
  return in;
}

// The old owner died (or lost its links) while it kept connections: once the routing protocol
// has not reached it for peer_gone_ms, forwarding to it is cut and the cut reported.
TEST(MovesTracker, PeerTheProtocolNoLongerReachesIsCut) {
  Tracker t(params("h2"));
  t.step(reached(view(0, false, "h1"), {"h1", "h2"}));
  ASSERT_EQ(kinds(t.step(reached(view(100, true, "h2"), {"h1", "h2"}))),
            std::vector<std::string>{"forward"});
  // Gone from the view: held for peer_gone_ms (a view in flux), then cut.
  EXPECT_TRUE(t.step(reached(view(200, true, "h2"), {"h2"})).empty());
  EXPECT_TRUE(t.step(reached(view(1'199, true, "h2"), {"h2"})).empty());
  EXPECT_EQ(t.targets().count("h1"), 1u);
  auto evs = t.step(reached(view(1'200, true, "h2"), {"h2"}));
  ASSERT_EQ(kinds(evs), std::vector<std::string>{"forward_cut"});
  EXPECT_EQ(evs[0].peer, "h1");
  EXPECT_NE(evs[0].message.find("1000 ms"), std::string::npos) << evs[0].message;
  EXPECT_TRUE(t.targets().empty());
  // Reported once; nothing is left to end at moving_timeout.
  EXPECT_TRUE(t.step(reached(view(20'000, true, "h2"), {"h2"})).empty());
}

TEST(MovesTracker, PeerBackWithinTheHoldIsKept) {
  Tracker t(params("h2"));
  t.step(reached(view(0, false, "h1"), {"h1", "h2"}));
  t.step(reached(view(100, true, "h2"), {"h1", "h2"}));
  EXPECT_TRUE(t.step(reached(view(200, true, "h2"), {"h2"})).empty());
  EXPECT_TRUE(t.step(reached(view(900, true, "h2"), {"h1", "h2"})).empty());
  // The hold starts again at the next absence.
  EXPECT_TRUE(t.step(reached(view(1'500, true, "h2"), {"h2"})).empty());
  EXPECT_TRUE(t.step(reached(view(2'400, true, "h2"), {"h2"})).empty());
  EXPECT_EQ(kinds(t.step(reached(view(2'500, true, "h2"), {"h2"}))),
            std::vector<std::string>{"forward_cut"});
}

// A host with no routing neighbour reaches nobody: that says nothing of its peers. A view that
// does not say whom it reaches (BGP) cuts nothing either; such a target ends at moving_timeout.
TEST(MovesTracker, NoNeighbourOrNoReachabilityCutsNothing) {
  Tracker t(params("h2"));
  t.step(reached(view(0, false, "h1"), {"h1", "h2"}));
  t.step(reached(view(100, true, "h2"), {"h1", "h2"}));
  EXPECT_TRUE(t.step(reached(view(200, true, "h2"), {"h2"}, 0)).empty());
  EXPECT_TRUE(t.step(reached(view(5'000, true, "h2"), {"h2"}, 0)).empty());
  EXPECT_TRUE(t.step(view(6'000, true, "h2")).empty());
  EXPECT_EQ(t.targets().count("h1"), 1u);
  // The hold counts from the first absence seen with a neighbour.
  EXPECT_TRUE(t.step(reached(view(6'100, true, "h2"), {"h2"})).empty());
  EXPECT_EQ(kinds(t.step(reached(view(7'100, true, "h2"), {"h2"}))),
            std::vector<std::string>{"forward_cut"});
}

// The owner the routers choose is never cut, whatever the echoes say: it is armed before a
// move, and the routing protocol itself says it is there.
TEST(MovesTracker, TheCurrentOwnerIsNeverCut) {
  Tracker t(params("h2"));
  t.step(reached(view(0, false, "h1"), {"h2"}));
  EXPECT_TRUE(t.step(reached(view(5'000, false, "h1"), {"h2"})).empty());
  EXPECT_EQ(t.targets().count("h1"), 1u);
}

// A count step (no view) never cuts: only the routing protocol's view says who is gone.
TEST(MovesTracker, CountStepsDoNotJudgeReachability) {
  Tracker t(params("h2"));
  t.step(reached(view(0, false, "h1"), {"h1", "h2"}));
  t.step(reached(view(100, true, "h2"), {"h1", "h2"}));
  t.step(reached(view(200, true, "h2"), {"h2"}));
  Inputs count;
  count.now_ms = 5'000;
  count.connections = 0;
  EXPECT_TRUE(t.step(count).empty());
  EXPECT_EQ(t.targets().count("h1"), 1u);
}

TEST(MovesTracker, FirstOwnerForwardsToNobody) {
  Tracker t(params("h1"));
  EXPECT_TRUE(t.step(view(0, true, "h1")).empty());
  EXPECT_TRUE(t.targets().empty());
}

TEST(MovesTracker, NonPeerOwnerIsNeverATarget) {
  Tracker t(params("h2"));
  t.step(view(0, false, "h9"));
  EXPECT_TRUE(t.targets().empty());
}

TEST(MovesTracker, PreviousOwnerNotAPeerIsReported) {
  Tracker t(params("h2"));
  t.step(view(0, false, "h9"));
  auto evs = t.step(view(100, true, "h2"));
  ASSERT_EQ(kinds(evs), std::vector<std::string>{"not_a_peer"});
  EXPECT_TRUE(t.targets().empty());
}

TEST(MovesTracker, OldOwnerMovesWhileConnectionsLast) {
  Tracker t(params("h1"));
  t.step(view(0, true, "h1", 5));
  auto evs = t.step(view(100, false, "h2", 5));
  ASSERT_EQ(kinds(evs), std::vector<std::string>{"moving"});
  EXPECT_EQ(evs[0].connections, 5);
  EXPECT_TRUE(t.moving());
  EXPECT_TRUE(t.step(view(200, false, "h2", 1)).empty());
  // A count without a view (the connection poll) ends it as well.
  Inputs in;
  in.now_ms = 300;
  in.connections = 0;
  EXPECT_EQ(kinds(t.step(in)), std::vector<std::string>{"moving_done"});
  EXPECT_FALSE(t.moving());
}

TEST(MovesTracker, OldOwnerWithoutConnectionsDoesNotMove) {
  Tracker t(params("h1"));
  t.step(view(0, true, "h1", 0));
  EXPECT_TRUE(t.step(view(100, false, "h2", 0)).empty());
  EXPECT_FALSE(t.moving());
}

TEST(MovesTracker, DrainWithNobodyElseVisibleYetStillMoves) {
  Tracker t(params("h1"));
  t.step(view(0, true, "h1", 3));
  Inputs in = view(100, false, "", 3);
  in.owner_id.reset();
  EXPECT_EQ(kinds(t.step(in)), std::vector<std::string>{"moving"});
}

TEST(MovesTracker, MovingTimeoutCutsAndSaysHowMany) {
  Tracker t(params("h1"));
  t.step(view(0, true, "h1", 2));
  t.step(view(1000, false, "h2", 2));
  EXPECT_TRUE(t.step(view(10'999, false, "h2", 2)).empty());
  auto evs = t.step(view(11'000, false, "h2", 2));
  ASSERT_EQ(kinds(evs), std::vector<std::string>{"moving_timeout"});
  EXPECT_EQ(evs[0].connections, 2);
  EXPECT_NE(evs[0].message.find("2 connections cut"), std::string::npos);
  EXPECT_FALSE(t.moving());
}

TEST(MovesTracker, OwnerAgainEndsMovingAndForwardsBack) {
  // h1 drained to h2, then taken back at once: h1 forwards h2's new flows to h2.
  Tracker t(params("h1"));
  t.step(view(0, true, "h1", 2));
  t.step(view(100, false, "h2", 2));
  auto evs = t.step(view(200, true, "h1", 2));
  EXPECT_EQ(kinds(evs), (std::vector<std::string>{"forward", "moving_done"}));
  EXPECT_EQ(t.newest_target(), "h2");
}

TEST(MovesTracker, ChainKeepsEveryTargetNewestGetsNewFlows) {
  // h2 took over from h1, then from h3 (h3 owned it in between): both stay targets until
  // their timeouts; flows new here go to the newest.
  Tracker t(params("h2"));
  t.step(view(0, false, "h1"));
  t.step(view(100, true, "h2"));
  t.step(view(200, false, "h3"));
  t.step(view(300, true, "h2"));
  EXPECT_EQ(t.targets().size(), 2u);
  EXPECT_EQ(t.newest_target(), "h3");
}

TEST(MovesTracker, ReloadWithoutThePeerStopsForwardingToIt) {
  Tracker t(params("h2"));
  t.step(view(0, false, "h1"));
  t.step(view(100, true, "h2"));
  ASSERT_EQ(t.targets().size(), 1u);
  Params p = params("h2");
  p.peers.erase(p.peers.begin());
  t.set_params(p);
  EXPECT_TRUE(t.targets().empty());
}

TEST(MovesTracker, RestartAdoptsWhatTheKernelForwards) {
  Tracker t(params("h2"));
  t.adopt_target("h1", 500);
  t.adopt_target("h9", 500);  // not a peer
  ASSERT_EQ(t.targets().size(), 1u);
  EXPECT_TRUE(t.step(view(600, true, "h2")).empty());  // no move seen: no event
  EXPECT_EQ(t.newest_target(), "h1");
  EXPECT_EQ(kinds(t.step(view(10'500, true, "h2"))), std::vector<std::string>{"forward_done"});
}

// vipad restarted (kill -9 too) on an old owner that was MOVING: the new tracker never saw it
// own the DVIPA, but the connections it keeps are still here.
TEST(MovesTracker, RestartWhileMovingMovesAgain) {
  Tracker t(params("h1"));
  auto evs = t.step(view(1'000, false, "h2", 5));
  ASSERT_EQ(kinds(evs), std::vector<std::string>{"moving"});
  EXPECT_EQ(evs[0].connections, 5);
  EXPECT_TRUE(t.moving());
  EXPECT_EQ(t.moving_since_ms(), 1'000u);
  EXPECT_TRUE(t.step(view(1'200, false, "h2", 2)).empty());
  Inputs in;
  in.now_ms = 1'400;
  in.connections = 0;
  EXPECT_EQ(kinds(t.step(in)), std::vector<std::string>{"moving_done"});
  EXPECT_FALSE(t.moving());
}

TEST(MovesTracker, RestartWithoutConnectionsDoesNotMove) {
  Tracker t(params("h1"));
  EXPECT_TRUE(t.step(view(1'000, false, "h2", 0)).empty());
  EXPECT_FALSE(t.moving());
  // Decided at the first view: connections seen later are no old owner's.
  EXPECT_TRUE(t.step(view(1'200, false, "h2", 3)).empty());
  EXPECT_FALSE(t.moving());
}

TEST(MovesTracker, RestartWaitsForAConnectionCount) {
  Tracker t(params("h1"));
  EXPECT_TRUE(t.step(view(1'000, false, "h2", -1)).empty());
  EXPECT_EQ(kinds(t.step(view(1'200, false, "h2", 4))), std::vector<std::string>{"moving"});
}

TEST(MovesTracker, RestartAsTheOwnerDoesNotMove) {
  Tracker t(params("h1"));
  EXPECT_TRUE(t.step(view(1'000, true, "h1", 5)).empty());
  EXPECT_FALSE(t.moving());
  // It moves as usual once it is outbid.
  EXPECT_EQ(kinds(t.step(view(1'200, false, "h2", 5))), std::vector<std::string>{"moving"});
}

TEST(MovesTracker, RestartWhileMovingTimesOutFromTheRestart) {
  Tracker t(params("h1"));
  t.step(view(1'000, false, "h2", 2));
  EXPECT_TRUE(t.step(view(10'999, false, "h2", 2)).empty());
  EXPECT_EQ(kinds(t.step(view(11'000, false, "h2", 2))),
            std::vector<std::string>{"moving_timeout"});
}

TEST(MovesTracker, AnUnreadableViewDecidesNothing) {
  Tracker t(params("h2"));
  t.step(view(0, false, "h1"));
  Inputs in = view(100, true, "h2");
  in.view_ok = false;
  EXPECT_TRUE(t.step(in).empty());
  EXPECT_EQ(kinds(t.step(view(200, true, "h2"))), std::vector<std::string>{"forward"});
}

}  // namespace
}  // namespace vipa::moves
