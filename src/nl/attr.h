// Size-checked iteration over netlink attributes. Every attribute must lie inside the message
// (nlmsg_len, not its aligned size); a message whose attributes do not add up is rejected as a
// whole, so a truncated or hostile message can neither be over-read nor half-decoded.
#pragma once

#include <libmnl/libmnl.h>

#include <cstddef>
#include <functional>

namespace vipa::nl {

using AttrFn = std::function<void(const nlattr*)>;

// Calls fn for each attribute in [begin, begin + len). Returns false (after calling fn for the
// attributes before it) when an attribute is shorter than its header or runs past the end.
inline bool walk_attrs(const char* begin, size_t len, const AttrFn& fn) {
  size_t off = 0;
  while (off < len) {
    if (len - off < sizeof(nlattr)) return false;
    auto* a = reinterpret_cast<const nlattr*>(begin + off);
    if (a->nla_len < sizeof(nlattr) || a->nla_len > len - off) return false;
    fn(a);
    off += MNL_ALIGN(a->nla_len);
  }
  return true;
}

inline bool for_each_attr(const nlmsghdr* nlh, size_t header_len, const AttrFn& fn) {
  size_t start = MNL_NLMSG_HDRLEN + MNL_ALIGN(header_len);
  if (nlh->nlmsg_len < start) return false;
  return walk_attrs(reinterpret_cast<const char*>(nlh) + start, nlh->nlmsg_len - start, fn);
}

inline bool for_each_nested(const nlattr* nest, const AttrFn& fn) {
  return walk_attrs(reinterpret_cast<const char*>(nest) + MNL_ATTR_HDRLEN,
                    nest->nla_len - MNL_ATTR_HDRLEN, fn);
}

}  // namespace vipa::nl
