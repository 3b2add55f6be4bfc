// `vipactl export frr|bird`: the routing-daemon snippet for a vipa.conf (docs/routing.md).
// It reads the configuration file (with its drop-ins), not the running vipad: the snippet is
// needed before the routing daemon starts, and vipad need not run yet to write it.
#pragma once

#include <cstdint>
#include <string>

namespace vipa::vipactl {

struct ExportArgs {
  std::string daemon;                          // "frr" | "bird"
  std::string config = "/etc/vipa/vipa.conf";  // --config
  std::string protocol = "ospf";               // --protocol ospf|bgp
  std::string announce = "table";              // --announce table|interface
  std::string area = "0.0.0.0";                // --area (OSPF)
  uint32_t asn = 65086;                        // --asn (BGP)
};

// Prints the snippet on stdout; a config error or an unexportable config exits 2.
int run_export(const ExportArgs& a);

}  // namespace vipa::vipactl
