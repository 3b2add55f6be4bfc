// What a change of a link means for the interfaces the config names: appeared, deleted, created
// again with another ifindex, renamed, made a port of a bridge or bond (the master then holds
// its addresses) or released. Pure: the daemon feeds it every link event and logs what it says.
// The desired state follows these changes by itself (it looks interfaces up by name on every
// converge); this only makes each one visible, once.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "config/config.h"
#include "core/model.h"

namespace vipa {

class IfaceWatch {
 public:
  // old_link.ifindex == 0 for a new link; gone for RTM_DELLINK (new_link is then unused).
  std::optional<std::string> on_link(const Config& cfg, const Observed& obs, const Link& old_link,
                                     const Link& new_link, bool gone);

 private:
  std::map<std::string, int> last_ifindex_;  // a configured name -> the ifindex it had when deleted
};

// Whether the config names `name` as an interface (interface_names, [[route]] interface), or
// uses every interface (a VIPA with an empty interface_names).
bool config_names_interface(const Config& cfg, const std::string& name);

}  // namespace vipa
