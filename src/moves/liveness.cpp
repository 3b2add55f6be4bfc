#include "moves/liveness.h"

namespace vipa::moves {

void Liveness::watch(const std::set<std::string>& addrs, uint64_t now_ms) {
  for (auto it = last_heard_.begin(); it != last_heard_.end();)
    it = addrs.count(it->first) ? std::next(it) : last_heard_.erase(it);
  for (auto& a : addrs) last_heard_.try_emplace(a, now_ms);
}

std::vector<std::string> Liveness::due(uint64_t now_ms) {
  std::vector<std::string> out;
  if (last_heard_.empty() || (probed_ && now_ms - last_round_ < kProbeMs)) return out;
  probed_ = true;
  last_round_ = now_ms;
  for (auto& [a, t] : last_heard_) out.push_back(a);
  return out;
}

void Liveness::answered(const std::string& addr, uint64_t now_ms) {
  auto it = last_heard_.find(addr);
  if (it != last_heard_.end() && now_ms > it->second) it->second = now_ms;
}

bool Liveness::answering(const std::string& addr, uint64_t now_ms) const {
  auto it = last_heard_.find(addr);
  return it != last_heard_.end() && now_ms - it->second < kSilenceMs;
}

}  // namespace vipa::moves
