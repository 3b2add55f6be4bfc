#include "nl/link_stats.h"

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <cstdio>
#include <cstring>

#include "nl/attr.h"

namespace vipa::nl {

namespace {

std::string attr_string(const nlattr* a) {
  const char* s = static_cast<const char*>(mnl_attr_get_payload(a));
  return std::string(s, strnlen(s, mnl_attr_get_payload_len(a)));
}

// AIX prints hardware addresses without leading zeros in each byte ("0.2.55.6a.a5.dc" in
// netstat -in); an all-zero address (loopback, ifb, dummy) prints as nothing.
std::string hw_address(const nlattr* a) {
  auto* p = static_cast<const unsigned char*>(mnl_attr_get_payload(a));
  size_t n = mnl_attr_get_payload_len(a);
  bool any = false;
  for (size_t i = 0; i < n; ++i) any |= p[i] != 0;
  if (!any) return "";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    char b[4];
    std::snprintf(b, sizeof b, "%x", p[i]);
    if (i) out += '.';
    out += b;
  }
  return out;
}

}  // namespace

std::optional<LinkStats> decode_link_stats(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(ifinfomsg)))
    return std::nullopt;
  auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  LinkStats s;
  s.ifindex = ifi->ifi_index;
  s.type = ifi->ifi_type;
  s.flags = ifi->ifi_flags;
  bool whole = for_each_attr(nlh, sizeof(ifinfomsg), [&](const nlattr* a) {
    switch (mnl_attr_get_type(a)) {
      case IFLA_IFNAME:
        s.name = attr_string(a);
        break;
      case IFLA_MTU:
        if (mnl_attr_get_payload_len(a) >= 4) s.mtu = mnl_attr_get_u32(a);
        break;
      case IFLA_ADDRESS:
        s.address = hw_address(a);
        break;
      case IFLA_LINKINFO:
        for_each_nested(a, [&](const nlattr* b) {
          if (mnl_attr_get_type(b) == IFLA_INFO_KIND) s.kind = attr_string(b);
        });
        break;
      case IFLA_STATS64:
        if (mnl_attr_get_payload_len(a) >= sizeof(rtnl_link_stats64)) {
          rtnl_link_stats64 st;
          std::memcpy(&st, mnl_attr_get_payload(a), sizeof st);  // attributes are 4-aligned
          s.rx_packets = st.rx_packets;
          s.tx_packets = st.tx_packets;
          s.rx_errors = st.rx_errors;
          s.tx_errors = st.tx_errors;
          s.collisions = st.collisions;
        }
        break;
      default:
        break;
    }
  });
  if (!whole || s.ifindex <= 0 || s.name.empty()) return std::nullopt;
  return s;
}

}  // namespace vipa::nl
