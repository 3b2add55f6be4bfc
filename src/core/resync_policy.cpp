#include "core/resync_policy.h"

namespace vipa {

ResyncPolicy::Dump ResyncPolicy::take() {
  Dump d = full_ ? Dump::Full : routes_ ? Dump::Routes : Dump::None;
  full_ = routes_ = false;
  return d;
}

LinkChangeEffect link_change_effect(const Link& old_link, const Link& new_link, bool gone) {
  if (gone) return {true, true, true};
  LinkChangeEffect e;
  e.dump_routes = old_link.admin_up() && !new_link.admin_up();
  e.sysctls_stale = old_link.ifindex == 0 || old_link.name != new_link.name;
  e.converge = old_link.flags != new_link.flags || old_link.alias != new_link.alias ||
               old_link.ifindex == 0 || old_link.name != new_link.name ||
               old_link.master != new_link.master;
  return e;
}

}  // namespace vipa
