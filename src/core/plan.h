// A plan: the kernel operations that take the observed state to the desired one.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "core/model.h"

namespace vipa {

struct Op {
  enum class Kind {
    CreateLink,    // name, link_kind
    DeleteLink,    // ifindex, name
    SetLink,       // ifindex, up, alias
    AddAddr,       // addr
    DelAddr,       // addr
    AddRoute,      // route
    ReplaceRoute,  // route (the new form; `old` is the kernel's)
    DelRoute,      // route
    SetSysctl,     // path, value; restore=true when putting back an original
  };
  Kind kind;
  std::string name;
  LinkKind link_kind = LinkKind::Auto;
  int ifindex = 0;
  bool up = false;
  std::string alias;
  Address addr;
  Route route;
  Route old;
  // IPv4 and IPv6 replace the *first* route with the same destination and metric; when the
  // kernel holds several, the source is rewritten by deleting and re-adding the exact one.
  bool replace_by_delete_add = false;
  std::string path, value;
  bool restore = false;
  std::string why;  // for logs and events

  std::string str() const;
};

struct Plan {
  std::vector<Op> ops;
  std::vector<std::string> problems;  // things vipad will not do, to log once
  size_t daemon_routes_left_alone = 0;
  bool empty() const { return ops.empty(); }
};

struct Desired;
Plan reconcile(const Desired& desired, const Observed& obs);

}  // namespace vipa
