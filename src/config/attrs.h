// AIX's attribute view of a VIPA, as mkdev/chdev take it (-a ATTR=VALUE) and lsattr prints it:
// one table, read by chdev/mkdev (apply_aix_attr), lsattr (aix_attrs and the table's
// descriptions and legal values) and vipactl's help. Adding an attribute is one row here.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace vipa {

struct VipaAttr {
  std::string_view key;          // the AIX attribute, also the [vipa.NAME] key in TOML
  std::string_view description;  // lsattr -E, as AIX prints it for vi0
  std::string_view legal;        // lsattr -R, one value or form a line
  std::string_view empty_means;  // what ATTR= (an empty value) does, for the help
  // From AIX text; never given "" when `clear` is set. Checks the value's own syntax only:
  // validate_config() judges the changed config as a whole.
  Status (*parse)(VipaConfig& v, std::string_view value);
  void (*clear)(VipaConfig& v);                // ATTR= : unset or back to the default
  std::string (*render)(const VipaConfig& v);  // AIX text, "" where unset
};

// In lsattr's order: netaddr, state, netmask, netaddr6, alias6, prefixlen, alias4,
// interface_names.
const std::vector<VipaAttr>& vipa_attrs();
const VipaAttr* find_vipa_attr(std::string_view key);
// "netaddr, state, ..." for messages and help.
std::string vipa_attr_names();

// Sets one attribute from its AIX text form. An empty value clears the optional ones
// (netaddr, netaddr6, alias4, alias6, interface_names = all interfaces) and restores the
// default of netmask and prefixlen.
Status apply_aix_attr(VipaConfig& v, std::string_view attr, std::string_view value);

// Every attribute in lsattr's order, in AIX text form, "" where unset.
std::vector<std::pair<std::string, std::string>> aix_attrs(const VipaConfig& v);

}  // namespace vipa
