#include "nl/attr.h"

#include <algorithm>
#include <string>

namespace vipa::nl {

Status parse_attrs(const nlmsghdr* nlh, size_t header_len, std::span<const AttrPolicy> policy,
                   std::span<const nlattr*> table) {
  std::fill(table.begin(), table.end(), nullptr);
  size_t start = MNL_NLMSG_HDRLEN + MNL_ALIGN(header_len);
  if (nlh->nlmsg_len < start)
    return Error::msg("message of " + std::to_string(nlh->nlmsg_len) +
                      " bytes is shorter than its " + std::to_string(start) + "-byte header");
  const char* base = reinterpret_cast<const char*>(nlh);
  const AttrPolicy* bad = nullptr;
  size_t bad_off = 0, bad_len = 0;
  size_t len = nlh->nlmsg_len - start;
  size_t end = walk_attrs_to(base + start, len, [&](const nlattr* a) {
    if (bad) return;
    uint16_t type = mnl_attr_get_type(a);
    auto p = std::find_if(policy.begin(), policy.end(),
                          [&](const AttrPolicy& x) { return x.type == type; });
    if (p == policy.end() || type >= table.size()) return;
    size_t n = mnl_attr_get_payload_len(a);
    if (n < p->min_len || (p->max_len && n > p->max_len)) {
      bad = &*p;
      bad_off = static_cast<size_t>(reinterpret_cast<const char*>(a) - base);
      bad_len = n;
      return;
    }
    table[type] = a;
  });
  if (end != len) {
    std::fill(table.begin(), table.end(), nullptr);
    return Error::msg("attribute at offset " + std::to_string(start + end) +
                      " runs past the message end (" + std::to_string(nlh->nlmsg_len) + " bytes)");
  }
  if (bad) {
    std::fill(table.begin(), table.end(), nullptr);
    std::string want = std::to_string(bad->min_len);
    if (bad->max_len != bad->min_len)
      want = "at least " + want + (bad->max_len ? ", at most " + std::to_string(bad->max_len) : "");
    return Error::msg("attribute " + std::string(bad->name) + " (type " +
                      std::to_string(bad->type) + ") at offset " + std::to_string(bad_off) + ": " +
                      std::to_string(bad_len) + " payload bytes, want " + want);
  }
  return Ok{};
}

}  // namespace vipa::nl
