// A plan: the kernel operations that take the observed state to the desired one.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/config.h"
#include "core/model.h"

namespace vipa {

// The payload of each kind of kernel operation.
namespace ops {
struct CreateLink {
  std::string name;
  LinkKind link_kind = LinkKind::Auto;
  bool up = false;
  std::string str() const;
};
struct DeleteLink {
  int ifindex = 0;
  std::string name;
  std::string str() const;
};
struct SetLink {
  int ifindex = 0;
  std::string name;
  bool up = false;
  std::string alias;  // empty: unchanged
  std::string str() const;
};
struct AddAddr {
  Address addr;
  std::string str() const;
};
struct DelAddr {
  Address addr;
  std::string str() const;
};
struct AddRoute {
  Route route;
  // NLM_F_EXCL: refused (EEXIST) when the slot is taken, never a second route behind the first.
  bool exclusive = false;
  std::string str() const;
};
struct ReplaceRoute {
  Route route;  // the new form
  Route old;    // the kernel's
  // IPv4 and IPv6 replace the *first* route with the same destination and metric; when the
  // kernel holds several, the source is rewritten by deleting and re-adding the exact one.
  bool replace_by_delete_add = false;
  std::string str() const;
};
struct DelRoute {
  Route route;
  std::string str() const;
};
struct SetSysctl {
  std::string path, value;
  bool restore = false;  // putting back an original
  std::string str() const;
};
}  // namespace ops

// One kernel operation: a typed payload per kind, and why (for logs and events).
struct Op {
  using CreateLink = ops::CreateLink;
  using DeleteLink = ops::DeleteLink;
  using SetLink = ops::SetLink;
  using AddAddr = ops::AddAddr;
  using DelAddr = ops::DelAddr;
  using AddRoute = ops::AddRoute;
  using ReplaceRoute = ops::ReplaceRoute;
  using DelRoute = ops::DelRoute;
  using SetSysctl = ops::SetSysctl;
  using Payload = std::variant<CreateLink, DeleteLink, SetLink, AddAddr, DelAddr, AddRoute,
                               ReplaceRoute, DelRoute, SetSysctl>;

  Payload what;
  std::string why;  // for logs and events

  template <class T>
  const T* as() const {
    return std::get_if<T>(&what);
  }
  template <class T>
  bool is() const {
    return std::holds_alternative<T>(what);
  }
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
