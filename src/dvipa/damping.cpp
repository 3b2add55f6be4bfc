#include "dvipa/damping.h"

#include <algorithm>

namespace vipa::dvipa {

void Damping::on_withdraw(uint64_t now_ms) {
  if (last_withdraw_ && now_ms - *last_withdraw_ < kWindowMs)
    level_ = std::min<uint32_t>(level_ + 1, 16);
  else
    level_ = 0;
  last_withdraw_ = now_ms;
  holding_ = true;
}

uint64_t Damping::hold_ms() const {
  return std::min<uint64_t>(base_ms_ << std::min<uint32_t>(level_, 16), std::max(kMaxMs, base_ms_));
}

bool Damping::holding(uint64_t now_ms, uint64_t eligible_since_ms) const {
  return holding_ && now_ms - eligible_since_ms < hold_ms();
}

bool HealthCounter::record(bool pass) {
  if (pass) {
    ++passes_;
    failures_ = 0;
    if (!healthy_ && passes_ >= rise_) {
      healthy_ = true;
      return true;
    }
  } else {
    ++failures_;
    passes_ = 0;
    if (healthy_ && failures_ >= fall_) {
      healthy_ = false;
      return true;
    }
  }
  return false;
}

}  // namespace vipa::dvipa
