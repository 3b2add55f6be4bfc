#include "nl/link.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>

#include "nl/attr.h"

namespace vipa::nl {

namespace {

std::string attr_string(const nlattr* a) {
  const char* s = static_cast<const char*>(mnl_attr_get_payload(a));
  size_t n = mnl_attr_get_payload_len(a);
  return std::string(s, strnlen(s, n));
}

// Every link request starts the same way: header, flags, an ifinfomsg for one interface.
nlmsghdr* link_request(char* buf, uint16_t type, uint16_t flags, int ifindex) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  return nlh;
}

}  // namespace

std::optional<Link> decode_link(const nlmsghdr* nlh) {
  if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(ifinfomsg))) return std::nullopt;
  auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  Link l;
  l.ifindex = ifi->ifi_index;
  l.flags = ifi->ifi_flags;
  l.type = ifi->ifi_type;
  bool whole = for_each_attr(nlh, sizeof(ifinfomsg), [&](const nlattr* a) {
    switch (mnl_attr_get_type(a)) {
      case IFLA_IFNAME:
        l.name = attr_string(a);
        break;
      case IFLA_IFALIAS:
        l.alias = attr_string(a);
        break;
      case IFLA_MASTER:
        if (mnl_attr_get_payload_len(a) == 4) l.master = static_cast<int>(mnl_attr_get_u32(a));
        break;
      case IFLA_LINKINFO:
        for_each_nested(a, [&](const nlattr* b) {
          if (mnl_attr_get_type(b) == IFLA_INFO_KIND) l.kind = attr_string(b);
        });
        break;
      default:
        break;
    }
  });
  if (!whole) return std::nullopt;
  if (l.ifindex <= 0 || l.name.empty()) return std::nullopt;
  return l;
}

nlmsghdr* encode_create_link(char* buf, const std::string& name, const std::string& kind, bool up,
                             const std::string& alias) {
  nlmsghdr* nlh = link_request(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  ifi->ifi_flags = (up ? IFF_UP : 0) | IFF_NOARP;
  ifi->ifi_change = IFF_UP | IFF_NOARP;
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
  mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias.c_str());
  nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind.c_str());
  mnl_attr_nest_end(nlh, info);
  return nlh;
}

nlmsghdr* encode_set_link(char* buf, int ifindex, bool up, const std::string& alias) {
  nlmsghdr* nlh = link_request(buf, RTM_NEWLINK, 0, ifindex);
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  ifi->ifi_flags = up ? IFF_UP : 0;
  ifi->ifi_change = IFF_UP;
  if (!alias.empty()) mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias.c_str());
  return nlh;
}

nlmsghdr* encode_addr_gen_mode_none(char* buf, int ifindex) {
  nlmsghdr* nlh = link_request(buf, RTM_NEWLINK, 0, ifindex);
  nlattr* af = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
  nlattr* in6 = mnl_attr_nest_start(nlh, AF_INET6);
  mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
  mnl_attr_nest_end(nlh, in6);
  mnl_attr_nest_end(nlh, af);
  return nlh;
}

nlmsghdr* encode_delete_link(char* buf, int ifindex) {
  nlmsghdr* nlh = link_request(buf, RTM_DELLINK, 0, ifindex);
  return nlh;
}

nlmsghdr* encode_get_link(char* buf, const std::string& name) {
  nlmsghdr* nlh = link_request(buf, RTM_GETLINK, 0, 0);
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
  return nlh;
}

}  // namespace vipa::nl
