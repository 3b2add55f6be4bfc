// Size-checked iteration over netlink attributes. Every attribute must lie inside the message
// (nlmsg_len, not its aligned size); a message whose attributes do not add up is rejected as a
// whole, so a truncated or hostile message can neither be over-read nor half-decoded.
#pragma once

#include <libmnl/libmnl.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "common/result.h"

namespace vipa::nl {

using AttrFn = std::function<void(const nlattr*)>;

// Calls fn for each attribute in [begin, begin + len). Returns len when every attribute fits,
// else the offset of the first one that is shorter than its header or runs past the end (after
// calling fn for the attributes before it).
inline size_t walk_attrs_to(const char* begin, size_t len, const AttrFn& fn) {
  size_t off = 0;
  while (off < len) {
    if (len - off < sizeof(nlattr)) return off;
    auto* a = reinterpret_cast<const nlattr*>(begin + off);
    if (a->nla_len < sizeof(nlattr) || a->nla_len > len - off) return off;
    fn(a);
    off += MNL_ALIGN(a->nla_len);
  }
  return len;
}

// As walk_attrs_to; false when an attribute does not fit.
inline bool walk_attrs(const char* begin, size_t len, const AttrFn& fn) {
  return walk_attrs_to(begin, len, fn) == len;
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

// What a decoder wants of one attribute type: its payload is at least min_len bytes and, where
// max_len is not 0, at most max_len. A decoder lists the attributes it reads in a policy table;
// parse_attrs() checks them all before the decoder looks at any, so the decoder reads a payload
// of a known size without checking again.
struct AttrPolicy {
  uint16_t type = 0;
  uint16_t min_len = 0;
  uint16_t max_len = 0;  // 0: no upper bound
  const char* name = "";
};

// The attributes of one message by type (the last one where a type repeats); nullptr where the
// message has none of that type or the policy does not name it.
template <size_t N>
using AttrTable = std::array<const nlattr*, N>;

// Walks the attributes after the message's family header (header_len bytes), bounded by
// nlmsg_len, and puts each one the policy names into table[type]. Attributes the policy does not
// name are skipped. An error (naming the attribute and its offset in the message) when the
// message is shorter than its header, an attribute runs past the message, or one is shorter or
// longer than its policy allows; the table is then cleared.
Status parse_attrs(const nlmsghdr* nlh, size_t header_len, std::span<const AttrPolicy> policy,
                   std::span<const nlattr*> table);

}  // namespace vipa::nl
