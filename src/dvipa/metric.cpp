#include "dvipa/metric.h"

namespace vipa::dvipa {

namespace {
constexpr uint32_t kRankBase = 32768, kStickyBase = 256;
}

const char* to_string(MetricKind k) {
  switch (k) {
    case MetricKind::Rank:
      return "rank";
    case MetricKind::Yield:
      return "yield";
    case MetricKind::Sticky:
      return "sticky";
    case MetricKind::Override:
      return "override";
    case MetricKind::Unknown:
      return "unknown";
  }
  return "?";
}

uint32_t rank_metric(uint32_t rank) {
  return kRankBase + (255 - rank) * kSpacing;
}
uint32_t yield_metric(uint32_t rank) {
  return rank_metric(rank) + kSpacing / 2;
}
uint32_t sticky_metric(uint32_t rank) {
  return kStickyBase + (255 - rank) * kSpacing;
}
uint32_t override_metric(uint32_t rank) {
  return 255 - rank;
}

Decoded decode_metric(uint32_t m) {
  auto in_range = [](uint32_t r) { return r >= kRankMin && r <= kRankMax; };
  if (m >= 1 && m <= 254) return {MetricKind::Override, 255 - m};
  if (m > kRankBase && m <= kRankBase + 254 * kSpacing + kSpacing / 2) {
    uint32_t off = m - kRankBase;
    uint32_t r = 255 - off / kSpacing;
    if (off % kSpacing == 0 && in_range(r)) return {MetricKind::Rank, r};
    if (off % kSpacing == kSpacing / 2 && in_range(r)) return {MetricKind::Yield, r};
    return {};
  }
  if (m >= kStickyBase + kSpacing && m <= kRankBase) {
    uint32_t off = m - kStickyBase;
    uint32_t r = 255 - off / kSpacing;
    if (off % kSpacing == 0 && in_range(r)) return {MetricKind::Sticky, r};
  }
  return {};
}

}  // namespace vipa::dvipa
