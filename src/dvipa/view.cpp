#include "dvipa/view.h"

#include <charconv>

#include "common/ipaddr.h"

namespace vipa::dvipa {

std::optional<uint32_t> View::self_metric() const {
  for (auto& a : announcers)
    if (a.self) return a.metric;
  return std::nullopt;
}

const Announcer* owner_of(const View& v, bool* tie) {
  const Announcer* best = nullptr;
  bool equal = false;
  for (auto& a : v.announcers) {
    if (!best || a.metric < best->metric) {
      best = &a;
      equal = false;
    } else if (a.metric == best->metric && a.id != best->id) {
      equal = true;
    }
  }
  if (tie) *tie = equal;
  return best;
}

namespace {

std::optional<uint64_t> id_value(const std::string& s) {
  if (auto a = IpAddr::parse(s); a && a->is_v4()) return a->v4_host_order();
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return v;
  return std::nullopt;
}

}  // namespace

bool id_less(const std::string& a, const std::string& b) {
  auto va = id_value(a), vb = id_value(b);
  if (va && vb) return *va < *vb;
  return a < b;
}

}  // namespace vipa::dvipa
