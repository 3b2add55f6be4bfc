// Rank -> metric: the one number the routing protocol compares (OSPF interface cost, BGP MED;
// lower wins). Distinct ranks give distinct metrics, so the routers never split a DVIPA's
// traffic by ECMP; a sticky metric beats every rank, an override beats every sticky one; and
// every metric decodes back to its rank and kind, which is how announcers are recognised in
// the protocol's view (docs/dynamic-vipa.md, "Metrics").
#pragma once

#include <cstdint>

namespace vipa::dvipa {

enum class MetricKind { Rank, Yield, Sticky, Override, Unknown };
const char* to_string(MetricKind k);

// Ranks are 1..254, as z/OS's VIPABACKUP ranks.
inline constexpr uint32_t kRankMin = 1, kRankMax = 254;
// Spacing between ranks: the routers' path costs to different hosts must differ by less than
// half of it, or the path, not the rank, decides.
inline constexpr uint32_t kSpacing = 128;

uint32_t rank_metric(uint32_t rank);      // 32768 + (255 - rank) * 128: 32896 .. 65280
uint32_t yield_metric(uint32_t rank);     // rank_metric + 64: the loser of a duplicate rank
uint32_t sticky_metric(uint32_t rank);    // 256 + (255 - rank) * 128: 384 .. 32768
uint32_t override_metric(uint32_t rank);  // 255 - rank: 1 .. 254

struct Decoded {
  MetricKind kind = MetricKind::Unknown;
  uint32_t rank = 0;  // 0 when unknown
};
Decoded decode_metric(uint32_t metric);

}  // namespace vipa::dvipa
