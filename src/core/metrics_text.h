// vipad's metrics in the Prometheus text exposition format (version 0.0.4), rendered from a
// plain snapshot so the format is tested without a daemon or a socket.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace vipa {

// Reconcile durations: from 100 us (a routine repair) to 1 s (a first reconcile of a large
// table); slower ones land in +Inf.
class DurationHistogram {
 public:
  static constexpr std::array<double, 13> kBounds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};
  void observe(double seconds);
  // Cumulative count of observations <= kBounds[i]; count() is the +Inf bucket.
  uint64_t cumulative(size_t i) const;
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::array<uint64_t, kBounds.size()> buckets_{};  // per bucket, not cumulative
  uint64_t count_ = 0;
  double sum_ = 0;
};

struct MetricsSnapshot {
  // The last reconcile applied every change it planned (no failed operation, no dump pending).
  bool converged = true;
  struct Vipa {
    std::string name;
    bool up = false;  // its interface exists, is up and holds the configured addresses
    uint64_t failovers = 0;
  };
  struct Interface {
    std::string vipa;
    std::string name;
    bool up = false;      // administratively up and has carrier
    bool active = false;  // carries the VIPA's traffic now (routes through it with the VIPA)
  };
  struct Gateway {
    std::string gateway;    // address as text
    std::string interface;  // "" when the route names none and the kernel has not said yet
    bool alive = false;
  };
  std::string version;
  std::vector<Vipa> vipas;
  std::vector<Interface> interfaces;
  std::vector<Gateway> gateways;
  uint64_t repairs = 0;
  uint64_t netlink_resyncs = 0;
  DurationHistogram reconcile;
};

std::string render_metrics(const MetricsSnapshot& s);

// A label value with \, " and newline escaped as the format requires (interface names come
// from the kernel and may hold any of them but the newline).
std::string escape_label_value(const std::string& v);

}  // namespace vipa
