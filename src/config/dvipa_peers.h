// [dvipa.NAME] peers = [{ id = "10.68.255.11", address = "10.68.41.1" }, ...]: the hosts a
// DVIPA moves among without breaking connections.
#pragma once

#include <toml++/toml.h>

#include "config/config.h"
#include "config/toml_reader.h"

namespace vipa {

void read_dvipa_peers(const toml::node& n, DvipaConfig& d, ErrorSink& sink);

}  // namespace vipa
