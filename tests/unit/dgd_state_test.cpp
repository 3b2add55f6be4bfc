// The dead gateway detection state machine against a fake clock (microseconds): when a gateway
// is declared dead, when it comes back, and how often it is probed meanwhile.
#include "core/dgd_state.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <vector>

namespace vipa {
namespace {

constexpr uint64_t kMs = 1000;
constexpr uint64_t kT0 = 1000000 * kMs;  // an arbitrary CLOCK_MONOTONIC start

DgdTiming timing(uint64_t ping_ms = 100, uint32_t lost = 3, uint64_t retry_ms = 100) {
  DgdConfig c;
  c.ping_time_ms = static_cast<uint32_t>(ping_ms);
  c.packets_lost = lost;
  c.retry_time_ms = static_cast<uint32_t>(retry_ms);
  return dgd_timing(c);
}

// Drives one GatewayState like the monitor does: timer wakeups send rounds of probes; the
// network answers each probe (gateway, and tracked target when asked) after a delay, or not.
struct Sim {
  DgdTiming t;
  GatewayState st;
  uint64_t now = kT0;
  // send time -> reply delay in us, or -1 for no reply
  std::function<int64_t(uint64_t)> gateway = [](uint64_t) { return 300; };
  std::function<int64_t(uint64_t)> track = [](uint64_t) { return -1; };
  std::multimap<uint64_t, int> replies;  // time -> 0 gateway, 1 track
  std::vector<uint64_t> sends;
  std::vector<std::pair<uint64_t, DgdChange>> changes;

  Sim(DgdTiming timing, bool active = true, bool tracked = false)
      : t(timing), st(active, tracked, kT0) {}

  void record(DgdChange c) {
    if (c != DgdChange::None) changes.push_back({now, c});
  }
  // Runs every event up to and including `until`.
  void run_until(uint64_t until) {
    for (;;) {
      uint64_t wake = st.next_wakeup(t);
      uint64_t rep = replies.empty() ? kNever : replies.begin()->first;
      uint64_t next = std::min(wake, rep);
      if (next > until) break;
      now = std::max(now, next);
      if (rep <= wake) {  // answers first, as in vipad (the sockets have a higher priority)
        int kind = replies.begin()->second;
        replies.erase(replies.begin());
        record(kind == 0 ? st.on_gateway_reply(now, t) : st.on_track_reply(now, t));
        continue;
      }
      bool send = false;
      record(st.on_timer(now, t, &send));
      if (send) {
        sends.push_back(now);
        if (int64_t d = gateway(now); d >= 0) replies.emplace(now + d, 0);
        if (int64_t d = track(now); d >= 0) replies.emplace(now + d, 1);
      }
    }
    now = std::max(now, until);
  }
  size_t sends_between(uint64_t a, uint64_t b) const {
    size_t n = 0;
    for (auto s : sends) n += s > a && s <= b;
    return n;
  }
};

TEST(DgdState, Timing) {
  DgdTiming t = timing();
  EXPECT_EQ(t.ping_us, 100 * kMs);
  EXPECT_EQ(t.retry_us, 100 * kMs);
  EXPECT_EQ(t.packets_lost, 3u);
  EXPECT_EQ(t.grace_us(), 1 * kMs);
  EXPECT_EQ(timing(10).grace_us(), 1 * kMs);
  EXPECT_EQ(timing(5000).grace_us(), 1 * kMs);
  EXPECT_EQ(timing(10, 0).packets_lost, 1u);  // never zero: that would mean dead at once
}

TEST(DgdState, ProbesAtOnceThenEveryInterval) {
  Sim s(timing());
  EXPECT_EQ(s.st.next_wakeup(s.t), kT0);
  s.run_until(kT0 + 1000 * kMs);
  ASSERT_EQ(s.sends.size(), 11u);
  for (size_t i = 0; i < s.sends.size(); ++i) EXPECT_EQ(s.sends[i], kT0 + i * 100 * kMs);
  EXPECT_TRUE(s.changes.empty());
  EXPECT_TRUE(s.st.alive());
  EXPECT_EQ(s.st.misses(s.now, s.t), 0u);
}

TEST(DgdState, DeadAfterPacketsLostIntervalsOfSilence) {
  Sim s(timing());
  uint64_t cut = kT0 + 250 * kMs;
  s.gateway = [&](uint64_t at) { return at < cut ? 300 : -1; };
  s.run_until(kT0 + 2000 * kMs);
  ASSERT_FALSE(s.changes.empty());
  EXPECT_EQ(s.changes[0].second, DgdChange::Died);
  EXPECT_EQ(s.st.cause(), DeathCause::GatewaySilent);
  // Last answer at 200.3 ms: dead 3 intervals and the grace later.
  uint64_t last = kT0 + 200 * kMs + 300;
  EXPECT_EQ(s.changes[0].first, last + 300 * kMs + s.t.grace_us());
  // The three probes after the last answer all went unanswered.
  EXPECT_EQ(s.sends_between(last, s.changes[0].first), 3u);
  EXPECT_FALSE(s.st.alive());
  // Two intervals of silence are two misses; the third is judged after the grace.
  Sim at(timing());
  at.gateway = s.gateway;
  at.run_until(last + 299 * kMs);
  EXPECT_EQ(at.st.misses(at.now, at.t), 2u);
  at.run_until(s.changes[0].first - 1);
  EXPECT_TRUE(at.st.alive());
  at.run_until(s.changes[0].first);
  EXPECT_FALSE(at.st.alive());
  EXPECT_EQ(at.st.misses(at.now, at.t), 3u);
}

// The point of the silence rule: whatever the phase of the failure against the probe
// schedule, it is detected within packets_lost x ping_time (+ grace) of the cut.
TEST(DgdState, DetectionBoundedWhateverThePhase) {
  for (uint64_t ping_ms : {10u, 100u}) {
    DgdTiming t = timing(ping_ms);
    uint64_t worst = 0, best = kNever;
    for (uint64_t phase = 0; phase < ping_ms * kMs; phase += ping_ms * kMs / 20) {
      Sim s(t);
      uint64_t cut = kT0 + 10 * ping_ms * kMs + phase;
      s.gateway = [&](uint64_t at) { return at + 300 < cut ? 300 : -1; };
      s.run_until(cut + 10 * ping_ms * kMs);
      ASSERT_EQ(s.changes.size(), 1u);
      uint64_t took = s.changes[0].first - cut;
      worst = std::max(worst, took);
      best = std::min(best, took);
    }
    EXPECT_LE(worst, 3 * ping_ms * kMs + t.grace_us()) << ping_ms;
    EXPECT_GE(best, 2 * ping_ms * kMs) << ping_ms;
  }
}

TEST(DgdState, LateRepliesDoNotKill) {
  // Every answer takes 80% of the interval: still alive.
  Sim s(timing());
  s.gateway = [](uint64_t) { return 80 * kMs; };
  s.run_until(kT0 + 5000 * kMs);
  EXPECT_TRUE(s.changes.empty());
}

TEST(DgdState, TwoLostThenAnsweredStaysAlive) {
  Sim s(timing());
  s.gateway = [](uint64_t at) {
    uint64_t k = (at - kT0) / (100 * kMs);
    return (k % 3 == 0) ? 300 : -1;  // one probe in three answered
  };
  s.run_until(kT0 + 5000 * kMs);
  EXPECT_TRUE(s.changes.empty());
}

TEST(DgdState, DeadIsProbedEveryRetryAndRestoredAfterPacketsLostAnswers) {
  Sim s(timing(100, 3, 250));
  uint64_t cut = kT0 + 150 * kMs, back = kT0 + 3000 * kMs;
  s.gateway = [&](uint64_t at) { return at < cut || at >= back ? 300 : -1; };
  s.run_until(kT0 + 5000 * kMs);
  ASSERT_EQ(s.changes.size(), 2u);
  EXPECT_EQ(s.changes[0].second, DgdChange::Died);
  EXPECT_EQ(s.changes[1].second, DgdChange::Restored);
  uint64_t died = s.changes[0].first, restored = s.changes[1].first;
  // Retries every 250 ms while dead.
  for (size_t i = 1; i < s.sends.size(); ++i)
    if (s.sends[i - 1] > died && s.sends[i] < restored) {
      EXPECT_EQ(s.sends[i] - s.sends[i - 1], 250 * kMs);
    }
  // Restored at the answer to the third retry after the gateway came back.
  std::vector<uint64_t> after;
  for (auto x : s.sends)
    if (x >= back) after.push_back(x);
  ASSERT_GE(after.size(), 3u);
  EXPECT_EQ(restored, after[2] + 300);
  // Then back to the ping interval.
  EXPECT_EQ(s.sends.back() - s.sends[s.sends.size() - 2], 100 * kMs);
  EXPECT_EQ(s.st.misses(s.now, s.t), 0u);
}

TEST(DgdState, FlappingGatewayStaysDead) {
  Sim s(timing(100, 3, 100));
  uint64_t cut = kT0 + 150 * kMs, flap = kT0 + 1000 * kMs;
  int n = 0;
  // Dead, then it answers two retries, misses one, and so on.
  s.gateway = [&](uint64_t at) {
    if (at < cut) return int64_t{300};
    if (at < flap) return int64_t{-1};
    return ++n % 3 == 0 ? int64_t{-1} : int64_t{300};
  };
  s.run_until(kT0 + 10000 * kMs);
  ASSERT_EQ(s.changes.size(), 1u);
  EXPECT_EQ(s.changes[0].second, DgdChange::Died);
  EXPECT_GT(n, 60);
}

TEST(DgdState, DeadMissesCountUnansweredRetries) {
  Sim s(timing(100, 3, 100));
  s.gateway = [](uint64_t at) { return at < kT0 + 50 * kMs ? 300 : -1; };
  s.run_until(kT0 + 2000 * kMs);
  ASSERT_EQ(s.changes.size(), 1u);
  uint64_t died = s.changes[0].first;
  // 3 at death, then one more per unanswered retry whose round has ended.
  size_t ended = 0;
  for (auto x : s.sends)
    if (x > died && x + 100 * kMs <= s.now) ++ended;
  EXPECT_EQ(s.st.misses(s.now, s.t), 3u + ended);
}

TEST(DgdState, TrackedNeedsGatewayAndTarget) {
  Sim s(timing(), true, true);
  uint64_t cut = kT0 + 150 * kMs;
  s.track = [&](uint64_t at) { return at < cut ? 900 : -1; };
  s.run_until(kT0 + 2000 * kMs);
  ASSERT_EQ(s.changes.size(), 1u);
  EXPECT_EQ(s.changes[0].second, DgdChange::Died);
  EXPECT_EQ(s.st.cause(), DeathCause::TrackSilent);
  EXPECT_EQ(s.changes[0].first, kT0 + 100 * kMs + 900 + 300 * kMs + s.t.grace_us());
}

TEST(DgdState, TrackAnswerWithoutGatewayAnswerIsNotEnough) {
  Sim s(timing(), true, true);
  s.gateway = [](uint64_t at) { return at < kT0 + 150 * kMs ? 300 : -1; };
  s.track = [](uint64_t) { return 900; };
  s.run_until(kT0 + 2000 * kMs);
  ASSERT_EQ(s.changes.size(), 1u);
  EXPECT_EQ(s.st.cause(), DeathCause::GatewaySilent);
}

TEST(DgdState, TrackedRestoredWhenBothAnswer) {
  Sim s(timing(), true, true);
  uint64_t cut = kT0 + 150 * kMs, back = kT0 + 1000 * kMs;
  s.track = [&](uint64_t at) { return at < cut || at >= back ? 900 : -1; };
  s.run_until(kT0 + 3000 * kMs);
  ASSERT_EQ(s.changes.size(), 2u);
  EXPECT_EQ(s.changes[1].second, DgdChange::Restored);
  EXPECT_EQ(s.changes[1].first, back + 200 * kMs + 900);
}

TEST(DgdState, PassiveHasNoTimerUntilDead) {
  DgdTiming t = timing();
  GatewayState st(false, false, kT0);
  EXPECT_FALSE(st.probing());
  EXPECT_EQ(st.next_wakeup(t), kNever);
  EXPECT_EQ(st.on_neighbour_failed(kT0 + 1, t), DgdChange::None);
  EXPECT_EQ(st.on_neighbour_failed(kT0 + 2, t), DgdChange::None);
  EXPECT_EQ(st.misses(kT0 + 3, t), 2u);
  st.on_neighbour_reachable();
  EXPECT_EQ(st.misses(kT0 + 3, t), 0u);
  EXPECT_EQ(st.on_neighbour_failed(kT0 + 4, t), DgdChange::None);
  EXPECT_EQ(st.on_neighbour_failed(kT0 + 5, t), DgdChange::None);
  EXPECT_EQ(st.on_neighbour_failed(kT0 + 6, t), DgdChange::Died);
  EXPECT_EQ(st.cause(), DeathCause::NeighbourFailed);
  // Dead: probed at once, then every retry interval.
  EXPECT_TRUE(st.probing());
  EXPECT_EQ(st.next_wakeup(t), kT0 + 6);
  bool send = false;
  EXPECT_EQ(st.on_timer(kT0 + 6, t, &send), DgdChange::None);
  EXPECT_TRUE(send);
  EXPECT_EQ(st.next_wakeup(t), kT0 + 6 + 100 * kMs);
  // Further FAILED entries change nothing while dead.
  EXPECT_EQ(st.on_neighbour_failed(kT0 + 7, t), DgdChange::None);
}

TEST(DgdState, PassiveRestoredByRetriesThenIdleAgain) {
  Sim s(timing(), false);
  s.run_until(kT0 + 1000 * kMs);
  EXPECT_TRUE(s.sends.empty());
  for (int i = 0; i < 3; ++i) s.record(s.st.on_neighbour_failed(s.now, s.t));
  ASSERT_EQ(s.changes.size(), 1u);
  s.run_until(kT0 + 3000 * kMs);
  ASSERT_EQ(s.changes.size(), 2u);
  EXPECT_EQ(s.changes[1].second, DgdChange::Restored);
  EXPECT_EQ(s.sends.size(), 3u);
  EXPECT_EQ(s.st.next_wakeup(s.t), kNever);
}

TEST(DgdState, ActiveCountsFailedNeighbourAsMiss) {
  DgdTiming t = timing();
  GatewayState st(true, false, kT0);
  bool send;
  (void)st.on_timer(kT0, t, &send);
  (void)st.on_gateway_reply(kT0 + 300, t);
  (void)st.on_timer(kT0 + 100 * kMs, t, &send);
  // 150 ms of silence is one missed interval; two FAILED entries make three.
  EXPECT_EQ(st.on_neighbour_failed(kT0 + 150 * kMs, t), DgdChange::None);
  EXPECT_EQ(st.on_neighbour_failed(kT0 + 150 * kMs, t), DgdChange::Died);
  EXPECT_EQ(st.cause(), DeathCause::NeighbourFailed);
}

// An overloaded host may not run vipad for a while: nothing was asked meanwhile, so that is no
// silence of the gateway's. It is dead only once packets_lost probes went unanswered.
TEST(DgdState, StallOfTheProberIsNoSilence) {
  DgdTiming t = timing();
  for (bool answers : {true, false}) {
    Sim s(t);
    s.run_until(kT0 + 50 * kMs);  // one round at kT0, answered
    s.gateway = [&](uint64_t) { return answers ? 300 : -1; };
    s.now = kT0 + 500 * kMs;  // stalled for 450 ms: the next wakeup comes late
    s.run_until(kT0 + 2000 * kMs);
    if (answers) {
      EXPECT_TRUE(s.changes.empty());
      continue;
    }
    ASSERT_EQ(s.changes.size(), 1u);
    // Rounds at 500, 600, 700 ms after the stall, the last given the previous answer's time.
    EXPECT_EQ(s.changes[0].first, kT0 + 700 * kMs + 300 + t.grace_us());
  }
}

TEST(DgdState, LateTimerDoesNotBurst) {
  DgdTiming t = timing();
  GatewayState st(true, false, kT0);
  bool send;
  (void)st.on_timer(kT0, t, &send);
  (void)st.on_gateway_reply(kT0 + 10, t);
  // The loop was stuck for 250 ms (the deadline is later): one round now, the next a full
  // interval later, not three at once.
  uint64_t late = kT0 + 250 * kMs;
  EXPECT_EQ(st.on_timer(late, t, &send), DgdChange::None);
  EXPECT_TRUE(send);
  (void)st.on_gateway_reply(late + 10, t);
  EXPECT_EQ(st.next_wakeup(t), late + 100 * kMs);
  EXPECT_EQ(st.on_timer(late + 1, t, &send), DgdChange::None);
  EXPECT_FALSE(send);
}

TEST(DgdState, RestartAfterShorterInterval) {
  GatewayState st(true, false, kT0);
  DgdTiming slow = timing(1000), fast = timing(10);
  bool send;
  (void)st.on_timer(kT0, slow, &send);
  (void)st.on_gateway_reply(kT0 + 10, slow);
  uint64_t reload = kT0 + 900 * kMs;  // 900 ms of silence is normal at 1 s
  st.restart(reload);
  EXPECT_EQ(st.next_wakeup(fast), reload);
  EXPECT_EQ(st.on_timer(reload, fast, &send), DgdChange::None);
  EXPECT_TRUE(send);
  EXPECT_TRUE(st.alive());
}

TEST(DgdState, BecomingActiveStartsProbing) {
  DgdTiming t = timing();
  GatewayState st(false, false, kT0);
  EXPECT_EQ(st.next_wakeup(t), kNever);
  st.set_mode(true, false, kT0 + 5000 * kMs);
  EXPECT_EQ(st.next_wakeup(t), kT0 + 5000 * kMs);
  bool send;
  EXPECT_EQ(st.on_timer(kT0 + 5000 * kMs, t, &send), DgdChange::None);
  EXPECT_TRUE(send);
}

TEST(DgdState, PacketsLostOneIsOneIntervalOfSilence) {
  Sim s(timing(100, 1, 100));
  uint64_t cut = kT0 + 350 * kMs;
  s.gateway = [&](uint64_t at) { return at < cut ? 300 : -1; };
  s.run_until(kT0 + 1000 * kMs);
  ASSERT_EQ(s.changes.size(), 1u);
  EXPECT_EQ(s.changes[0].first, kT0 + 300 * kMs + 300 + 100 * kMs + s.t.grace_us());
}

}  // namespace
}  // namespace vipa

namespace vipa {
namespace {

// ping_time_ms and packets_lost are each up to 2^32 - 1 (the config's u32): their product in
// microseconds, added to a clock reading, does not fit 64 bits. The deadline saturates (never)
// instead of wrapping to a time already past, which declared a silent-but-young gateway dead.
TEST(DgdDeadline, SaturatesInsteadOfWrapping) {
  EXPECT_EQ(sat_mul(uint64_t{1} << 33, uint64_t{1} << 33), kNever);
  EXPECT_EQ(sat_add(kNever - 5, 6), kNever);
  EXPECT_EQ(sat_add(kNever - 5, 5), kNever);
  EXPECT_EQ(sat_mul(3, 7), 21u);
  EXPECT_EQ(sat_add(3, 7), 10u);

  DgdTiming t = timing(UINT32_MAX, 1);  // ping_us = 4294967295000
  uint64_t start = kNever - 1'000'000;  // 1 s before the end of the clock
  GatewayState st(true, false, start);
  bool send = false;
  EXPECT_EQ(st.on_timer(start, t, &send), DgdChange::None);
  ASSERT_TRUE(send);
  EXPECT_EQ(st.next_wakeup(t), kNever) << "the deadline wrapped to a time already past";
  EXPECT_EQ(st.on_timer(start + 1, t, &send), DgdChange::None);
  EXPECT_TRUE(st.alive());
  EXPECT_GT(st.next_wakeup(t), start + 1) << "the next probe wrapped into the past";

  // The product alone overflows: packets_lost = 2^32 - 1 probes of 2^32 - 1 ms each.
  DgdTiming huge = timing(UINT32_MAX, UINT32_MAX);
  EXPECT_EQ(sat_mul(huge.packets_lost, huge.ping_us), kNever);
}

}  // namespace
}  // namespace vipa
