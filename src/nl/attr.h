// Size-checked iteration over netlink attributes (libmnl's mnl_attr_parse stops at the first
// attribute that does not fit its message, so a truncated or hostile message cannot be
// over-read).
#pragma once

#include <libmnl/libmnl.h>

#include <functional>

namespace vipa::nl {

using AttrFn = std::function<void(const nlattr*)>;

inline int attr_trampoline(const nlattr* a, void* data) {
  (*static_cast<const AttrFn*>(data))(a);
  return MNL_CB_OK;
}

inline void for_each_attr(const nlmsghdr* nlh, size_t header_len, const AttrFn& fn) {
  mnl_attr_parse(nlh, static_cast<unsigned>(header_len), attr_trampoline, const_cast<AttrFn*>(&fn));
}

inline void for_each_nested(const nlattr* nest, const AttrFn& fn) {
  mnl_attr_parse_nested(nest, attr_trampoline, const_cast<AttrFn*>(&fn));
}

}  // namespace vipa::nl
