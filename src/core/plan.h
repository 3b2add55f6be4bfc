// A plan: the kernel operations that take the observed state to the desired one.
#pragma once

#include <optional>
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

// The commonest change by far, kept slim: a route's preferred source set in place
// (NLM_F_REPLACE of the route `key` names in the Observed, alone in its slot). A first start
// over a big table plans one per route: 80 bytes each instead of an Op's 500.
struct SourceRewrite {
  RouteKey key;
  IpAddr src;            // the new source; empty: none
  bool restore = false;  // giving back a source vipad put there (else: the VIPA)

  // The same change as a full operation (for logs, events and failures), or nullopt when the
  // route is no longer observed.
  std::optional<Op> as_op(const Observed& obs) const;
};

struct Plan {
  std::vector<Op> ops;
  std::vector<SourceRewrite> rewrites;  // applied after ops
  std::vector<std::string> problems;    // things vipad will not do, to log once
  size_t daemon_routes_left_alone = 0;
  bool empty() const { return ops.empty() && rewrites.empty(); }
};

struct Desired;
Plan reconcile(const Desired& desired, const Observed& obs);

}  // namespace vipa
