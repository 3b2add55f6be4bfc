// Hold-down after a withdraw that the host itself caused (failing health check, no interface
// up): the withdraw is immediate, the re-announce waits until the host has been eligible
// without a break for the hold-down time. Each further withdraw within kWindowMs of the
// previous one doubles it, up to kMaxMs; a quiet window resets it. So a check that flaps
// faster than the hold-down never re-announces: one announcement change until it settles
// (docs/dynamic-vipa.md, "Damping").
#pragma once

#include <cstdint>
#include <optional>

namespace vipa::dvipa {

class Damping {
 public:
  static constexpr uint64_t kWindowMs = 60'000;
  static constexpr uint64_t kMaxMs = 60'000;

  explicit Damping(uint64_t base_ms = 5000) : base_ms_(base_ms) {}
  void set_base(uint64_t base_ms) { base_ms_ = base_ms; }

  void on_withdraw(uint64_t now_ms);
  // Announced again: no hold-down applies until the next withdraw.
  void on_announce() { holding_ = false; }
  // True while a re-announce must wait; `eligible_since_ms` is when the host last became
  // eligible (healthy, an interface up).
  bool holding(uint64_t now_ms, uint64_t eligible_since_ms) const;
  uint64_t hold_ms() const;
  uint32_t level() const { return level_; }

 private:
  uint64_t base_ms_;
  bool holding_ = false;
  uint32_t level_ = 0;
  std::optional<uint64_t> last_withdraw_;
};

// Consecutive passes/failures of a health check -> healthy or not (haproxy's rise/fall).
class HealthCounter {
 public:
  HealthCounter(uint32_t rise, uint32_t fall, bool healthy)
      : rise_(rise), fall_(fall), healthy_(healthy) {}
  // Returns true when the verdict changed.
  bool record(bool pass);
  bool healthy() const { return healthy_; }
  uint32_t passes() const { return passes_; }
  uint32_t failures() const { return failures_; }
  void set_limits(uint32_t rise, uint32_t fall) {
    rise_ = rise;
    fall_ = fall;
  }

 private:
  uint32_t rise_, fall_;
  bool healthy_;
  uint32_t passes_ = 0, failures_ = 0;
};

}  // namespace vipa::dvipa
