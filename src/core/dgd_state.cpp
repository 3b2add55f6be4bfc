#include "core/dgd_state.h"

#include <algorithm>

namespace vipa {

uint64_t DgdTiming::grace_us() const {
  return std::min<uint64_t>(ping_us / 10, 1000);
}

DgdTiming dgd_timing(const DgdConfig& c) {
  DgdTiming t;
  t.ping_us = static_cast<uint64_t>(c.ping_time_ms) * 1000;
  t.retry_us = static_cast<uint64_t>(c.retry_time_ms) * 1000;
  t.packets_lost = std::max<uint32_t>(c.packets_lost, 1);
  return t;
}

GatewayState::GatewayState(bool active, bool tracked, uint64_t now)
    : active_(active),
      tracked_(tracked),
      since_(now),
      last_answer_(now),
      next_send_(now),
      round_started_(now) {}

void GatewayState::set_mode(bool active, bool tracked, uint64_t now) {
  if (active && !active_ && alive_) restart(now);
  active_ = active;
  tracked_ = tracked;
}

void GatewayState::restart(uint64_t now) {
  if (alive_) last_answer_ = now;
  sent_since_answer_ = 0;
  next_send_ = now;
}

uint64_t GatewayState::deadline(const DgdTiming& t) const {
  // Silence counts only while probes go out: if this process was not scheduled for a while,
  // nothing was asked, and the gateway gets its packets_lost probes once it runs again.
  if (sent_since_answer_ < t.packets_lost) return kNever;
  return sat_add(std::max(sat_add(last_answer_, sat_mul(t.packets_lost, t.ping_us)),
                          sat_add(nth_sent_at_, rtt_)),
                 t.grace_us());
}

uint64_t GatewayState::next_wakeup(const DgdTiming& t) const {
  if (!probing()) return kNever;
  if (alive_) return std::min(next_send_, deadline(t));
  return next_send_;
}

DgdChange GatewayState::on_timer(uint64_t now, const DgdTiming& t, bool* send) {
  *send = false;
  DgdChange change = DgdChange::None;
  if (alive_ && active_ && now >= deadline(t)) {
    bool gw_heard = last_gw_reply_ > last_answer_;
    change =
        die(now, t, tracked_ && gw_heard ? DeathCause::TrackSilent : DeathCause::GatewaySilent);
  }
  if (!probing() || now < next_send_) return change;
  if (!alive_ && !round_counted_) {
    streak_ = 0;
    ++dead_misses_;
  }
  ++round_;
  round_started_ = now;
  if (alive_ && ++sent_since_answer_ == t.packets_lost) nth_sent_at_ = now;
  round_gw_ = round_track_ = round_counted_ = false;
  // Keep to the schedule (no drift from wakeup latency), unless we fell a whole interval behind.
  uint64_t interval = alive_ ? t.ping_us : t.retry_us;
  next_send_ = sat_add(next_send_, interval);
  if (next_send_ <= now) next_send_ = sat_add(now, interval);
  *send = true;
  return change;
}

DgdChange GatewayState::on_gateway_reply(uint64_t now, const DgdTiming& t) {
  if (!probing()) return DgdChange::None;
  last_gw_reply_ = now;
  round_gw_ = true;
  return tracked_ && !round_track_ ? DgdChange::None : answered(now, t);
}

DgdChange GatewayState::on_track_reply(uint64_t now, const DgdTiming& t) {
  if (!probing() || !tracked_) return DgdChange::None;
  round_track_ = true;
  return round_gw_ ? answered(now, t) : DgdChange::None;
}

DgdChange GatewayState::answered(uint64_t now, const DgdTiming& t) {
  last_answer_ = now;
  rtt_ = now - std::min(now, round_started_);
  sent_since_answer_ = 0;
  passive_misses_ = 0;
  bool first_in_round = !round_counted_;
  round_counted_ = true;
  if (alive_ || !first_in_round) return DgdChange::None;
  ++streak_;
  dead_misses_ = 0;
  if (streak_ < t.packets_lost) return DgdChange::None;
  alive_ = true;
  cause_ = DeathCause::None;
  since_ = now;
  streak_ = 0;
  return DgdChange::Restored;
}

DgdChange GatewayState::on_neighbour_failed(uint64_t now, const DgdTiming& t) {
  if (!alive_) return DgdChange::None;
  ++passive_misses_;
  if (misses(now, t) < t.packets_lost) return DgdChange::None;
  return die(now, t, DeathCause::NeighbourFailed);
}

void GatewayState::on_neighbour_reachable() {
  if (alive_) passive_misses_ = 0;
}

uint32_t GatewayState::misses(uint64_t now, const DgdTiming& t) const {
  if (!alive_) return dead_misses_;
  uint64_t silent = active_ && now > last_answer_ ? (now - last_answer_) / t.ping_us : 0;
  silent = std::min<uint64_t>(silent, sent_since_answer_);
  return static_cast<uint32_t>(std::min<uint64_t>(silent + passive_misses_, UINT32_MAX));
}

DgdChange GatewayState::die(uint64_t now, const DgdTiming& t, DeathCause c) {
  dead_misses_ = std::max(misses(now, t), t.packets_lost);
  alive_ = false;
  cause_ = c;
  since_ = now;
  streak_ = 0;
  // The round in flight is part of the silence that killed it, not a miss of its own.
  round_counted_ = true;
  next_send_ = active_ ? std::min(next_send_, sat_add(now, t.retry_us)) : now;
  return DgdChange::Died;
}

}  // namespace vipa
