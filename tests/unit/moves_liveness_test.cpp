// Whether a forward target's peer still answers its echoes (where the routing protocol's view
// does not say whom it reaches).
#include <gtest/gtest.h>

#include "moves/liveness.h"

namespace vipa::moves {
namespace {

TEST(MovesLiveness, ProbesEveryWatchedPeerOncePerRound) {
  Liveness l;
  EXPECT_TRUE(l.due(0).empty());  // nothing watched
  l.watch({"10.68.41.1", "10.68.43.1"}, 1000);
  EXPECT_EQ(l.due(1000), (std::vector<std::string>{"10.68.41.1", "10.68.43.1"}));
  EXPECT_TRUE(l.due(1000 + Liveness::kProbeMs - 1).empty());
  EXPECT_EQ(l.due(1000 + Liveness::kProbeMs).size(), 2u);
}

TEST(MovesLiveness, SilentForTheSilenceTimeIsNotAnswering) {
  Liveness l;
  l.watch({"10.68.41.1"}, 1000);
  // A new peer gets the time its first echoes need.
  EXPECT_TRUE(l.answering("10.68.41.1", 1000 + Liveness::kSilenceMs - 1));
  EXPECT_FALSE(l.answering("10.68.41.1", 1000 + Liveness::kSilenceMs));
  l.answered("10.68.41.1", 1700);
  EXPECT_TRUE(l.answering("10.68.41.1", 1700 + Liveness::kSilenceMs - 1));
  EXPECT_FALSE(l.answering("10.68.41.1", 1700 + Liveness::kSilenceMs));
  // Watching it again keeps what was heard.
  l.watch({"10.68.41.1"}, 5000);
  EXPECT_FALSE(l.answering("10.68.41.1", 5000));
}

TEST(MovesLiveness, AnswersFromAddressesNotWatchedCountForNothing) {
  Liveness l;
  l.answered("10.68.99.1", 100);
  EXPECT_FALSE(l.answering("10.68.99.1", 100));
  EXPECT_TRUE(l.empty());
  l.watch({"10.68.41.1"}, 0);
  l.watch({}, 10);  // no longer a target: forgotten
  EXPECT_TRUE(l.empty());
  EXPECT_FALSE(l.answering("10.68.41.1", 10));
}

}  // namespace
}  // namespace vipa::moves
