// FRR (tested with 8.4): every command is one `vtysh [daemon_args] -c ... -c ...`.
//
// OSPF: each DVIPA's own link is a passive interface whose cost is the metric; announcing puts
// it in the area (an intra-area stub route, recomputed at once; FRR 8.4 recomputes external
// routes only on a one-second timer), withdrawing takes it out. The view is every router-LSA's
// stub link for the DVIPA's host prefix.
//
// BGP: `network A/32 route-map VIPA-DV-M`, re-pointed to another route-map, one per metric, made
// beforehand: editing a route-map in place is deferred by `bgp route-map delay-timer` (5 s),
// re-pointing the network statement takes effect at once. Each route-map sets the MED and the
// large community 86:0:M, which carries the metric to the other hosts (routers do not pass a
// MED on to other ASes). The view is the paths for the prefix: the local one and those the
// routers send back (all of them with add-path; the announcer is the origin AS). An IPv6 DVIPA
// is the same in `address-family ipv6 unicast` with its /128, and counts the sessions of IPv6
// unicast as its neighbours (the config keeps IPv6 DVIPAs off OSPF: OSPFv3 is not read).
#pragma once

#include "routing/adapter.h"

namespace vipa::routing {

// The route-map that sets metric M.
std::string frr_route_map(uint32_t metric);
// The large community carrying a DVIPA metric: "86:0:M".
inline constexpr const char* kDvipaCommunityPrefix = "86:0:";

class FrrBase : public Adapter {
 public:
  explicit FrrBase(const RoutingConfig& rc) : rc_(rc) {}
  bool nothing_to_do(const std::string& output) const override;

 protected:
  // vtysh, daemon_args, then "-c" before each command.
  Argv vtysh(const std::vector<std::string>& commands) const;
  RoutingConfig rc_;
};

class FrrOspf : public FrrBase {
 public:
  using FrrBase::FrrBase;
  std::string name() const override { return "frr/ospf"; }
  std::vector<Argv> setup(const std::vector<DvipaConfig>&) const override { return {}; }
  Argv announce(const DvipaConfig& d, uint32_t metric) const override;
  Argv withdraw(const DvipaConfig& d) const override;
  Argv view(const std::vector<DvipaConfig>& dvipas) const override;
  ViewRead parse_view(const std::string& output,
                      const std::vector<DvipaConfig>& dvipas) const override;

 private:
  ViewRead parse(const std::string& output, const std::vector<DvipaConfig>& dvipas) const;
};

class FrrBgp : public FrrBase {
 public:
  using FrrBase::FrrBase;
  std::string name() const override { return "frr/bgp"; }
  std::vector<Argv> setup(const std::vector<DvipaConfig>& dvipas) const override;
  Argv announce(const DvipaConfig& d, uint32_t metric) const override;
  Argv withdraw(const DvipaConfig& d) const override;
  Argv view(const std::vector<DvipaConfig>& dvipas) const override;
  ViewRead parse_view(const std::string& output,
                      const std::vector<DvipaConfig>& dvipas) const override;

 private:
  ViewRead parse(const std::string& output, const std::vector<DvipaConfig>& dvipas) const;
  std::string router_bgp() const;
};

}  // namespace vipa::routing
