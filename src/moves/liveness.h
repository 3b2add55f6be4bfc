// Whether the peers a host forwards to still answer, from ICMP echoes to their tunnel
// addresses: for a routing protocol whose view does not say whom it reaches (BGP's paths name
// only the announcers, and an old owner keeping connections announces nothing). Pure: the
// times are passed in; src/daemon/moves_manager.cpp sends and reads the echoes.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace vipa::moves {

class Liveness {
 public:
  static constexpr uint64_t kProbeMs = 100;    // one echo to each watched peer this often
  static constexpr uint64_t kSilenceMs = 500;  // no answer for this long: not answering

  // The tunnel addresses to watch (the targets' peers). A new one counts as answering for
  // kSilenceMs, the time its first echoes need; one no longer listed is forgotten.
  void watch(const std::set<std::string>& addrs, uint64_t now_ms);
  // The addresses to send an echo to now (empty between rounds).
  std::vector<std::string> due(uint64_t now_ms);
  // An echo reply from `addr` (ignored for an address not watched).
  void answered(const std::string& addr, uint64_t now_ms);
  bool answering(const std::string& addr, uint64_t now_ms) const;
  bool empty() const { return last_heard_.empty(); }

 private:
  std::map<std::string, uint64_t> last_heard_;  // address -> last answer (or when first watched)
  uint64_t last_round_ = 0;
  bool probed_ = false;
};

}  // namespace vipa::moves
