// AIX's attribute view of a VIPA, as mkdev/chdev take it (-a ATTR=VALUE) and lsattr prints it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace vipa {

// Sets one attribute from its AIX text form. An empty value clears the optional ones
// (netaddr, netaddr6, alias4, alias6, interface_names = all interfaces) and restores the
// default of netmask and prefixlen. Only the value's own syntax is checked: validate_config()
// judges the changed config as a whole.
Status apply_aix_attr(VipaConfig& v, std::string_view attr, std::string_view value);

// The eight attributes in lsattr's order (netaddr, state, netmask, netaddr6, alias6,
// prefixlen, alias4, interface_names), in AIX text form, "" where unset.
std::vector<std::pair<std::string, std::string>> aix_attrs(const VipaConfig& v);

}  // namespace vipa
