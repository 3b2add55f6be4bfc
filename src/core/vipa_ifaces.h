// Which interfaces use a VIPA: the rule the desired state, the failover story and status share.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "core/model.h"

namespace vipa {

// The interfaces a VIPA's `interface_names` lists or, with none listed, every interface the
// kernel has except loopback, the VIPAs themselves and links vipad made ("IBM AIX: Sample VIPA
// environment": with no interface named, every interface uses the VIPA).
std::vector<std::string> vipa_interfaces(const Config& cfg, const Observed& obs,
                                         const VipaConfig& v);

// A link that can carry traffic: it exists, is administratively up and has carrier.
bool alive_link(const Link& l);

}  // namespace vipa
