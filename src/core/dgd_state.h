// The life of one monitored gateway, as a pure state machine over a caller's clock
// (microseconds, CLOCK_MONOTONIC in vipad, a plain number in the tests).
//
// Alive, with active probing: a round of probes (ARP or NS to the gateway, ICMP echo to the
// tracked targets through it) goes out every ping interval. A round is answered when the
// gateway answered and, if targets are tracked, at least one of them did. A miss is a ping
// interval without an answer, counted from the last answer, so the gateway is declared dead
// once `packets_lost` intervals have passed in silence: the BFD rule (RFC 5880 §6.8.4, the
// detection time is the multiplier times the interval since the last packet received). This
// bounds the time from a failure to its detection by packets_lost x ping_time, whatever the
// phase of the failure against the probe schedule, which counting whole unanswered rounds
// would not (it adds up to one more interval). A small grace (a tenth of the interval, at
// most 1 ms) gives the last probe as long to answer as the one before it took, plus jitter.
// Only silence after packets_lost probes counts: when vipad itself was not scheduled (an
// overloaded host), no probe went out, and its stall must not be taken for the gateway's.
//
// Passive (no probes while alive): each kernel neighbour entry for the gateway that goes
// FAILED is a miss; packets_lost of them without a REACHABLE in between declare it dead.
//
// Dead: probed every retry interval whatever the mode (a passive gateway would otherwise
// never be seen again: its routes are gone, so nothing else talks to it). It is restored
// after packets_lost answered rounds in a row: a hold-down, so a flapping gateway does not
// make its routes flap.
#pragma once

#include <cstdint>
#include <limits>

#include "config/config.h"

namespace vipa {

struct DgdTiming {
  uint64_t ping_us = 100000;
  uint64_t retry_us = 100000;
  uint32_t packets_lost = 3;
  uint64_t grace_us() const;
};
DgdTiming dgd_timing(const DgdConfig& c);

inline constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

// Times in microseconds, saturating at kNever: a deadline past the end of the clock is never,
// not a small number after a wrap (ping_time_ms and packets_lost are each up to 2^32 - 1).
inline uint64_t sat_add(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? kNever : r;
}
inline uint64_t sat_mul(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? kNever : r;
}

enum class DgdChange { None, Died, Restored };
enum class DeathCause { None, GatewaySilent, TrackSilent, NeighbourFailed };

class GatewayState {
 public:
  GatewayState() = default;
  // Starts alive, as if it had just answered: routes are installed at start and withdrawn
  // after packets_lost intervals if the gateway never answers.
  GatewayState(bool active, bool tracked, uint64_t now);

  void set_mode(bool active, bool tracked, uint64_t now);
  // After the timers changed (reload): as if it had just answered, probing again at once, so a
  // shorter interval cannot turn the silence before the reload into misses.
  void restart(uint64_t now);

  bool alive() const { return alive_; }
  bool active() const { return active_; }
  bool probing() const { return active_ || !alive_; }
  DeathCause cause() const { return cause_; }
  uint32_t round() const { return round_; }
  uint64_t round_started() const { return round_started_; }
  uint64_t since() const { return since_; }  // time of the last change of alive()

  // kNever when nothing is due (passive and alive).
  uint64_t next_wakeup(const DgdTiming& t) const;
  // At or after next_wakeup(): may declare the gateway dead; sets *send when a round of
  // probes must go out now (a new round has begun).
  DgdChange on_timer(uint64_t now, const DgdTiming& t, bool* send);

  // Answers within the current round (replies that come later count for the round they
  // arrive in: a late answer still proves the path works).
  DgdChange on_gateway_reply(uint64_t now, const DgdTiming& t);
  DgdChange on_track_reply(uint64_t now, const DgdTiming& t);
  bool gateway_answered_this_round() const { return round_gw_; }

  DgdChange on_neighbour_failed(uint64_t now, const DgdTiming& t);
  void on_neighbour_reachable();

  // Consecutive misses: silent intervals (plus FAILED entries) while alive, unanswered rounds
  // while dead.
  uint32_t misses(uint64_t now, const DgdTiming& t) const;

 private:
  uint64_t deadline(const DgdTiming& t) const;
  DgdChange answered(uint64_t now, const DgdTiming& t);
  DgdChange die(uint64_t now, const DgdTiming& t, DeathCause c);

  bool alive_ = true;
  bool active_ = false;
  bool tracked_ = false;
  DeathCause cause_ = DeathCause::None;
  uint64_t since_ = 0;
  uint64_t last_answer_ = 0;
  uint64_t last_gw_reply_ = 0;
  uint64_t next_send_ = 0;
  uint64_t round_started_ = 0;
  uint32_t round_ = 0;
  bool round_gw_ = false, round_track_ = false, round_counted_ = true;
  uint32_t sent_since_answer_ = 0;  // rounds begun after the last answer (alive)
  uint64_t nth_sent_at_ = 0;        // when the packets_lost-th of them began
  uint64_t rtt_ = 0;                // how long the last answered round took
  uint32_t passive_misses_ = 0;
  uint32_t streak_ = 0;       // answered rounds in a row while dead
  uint32_t dead_misses_ = 0;  // unanswered rounds in a row while dead
};

}  // namespace vipa
