#include "nl/address.h"

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <span>

#include "nl/attr.h"

namespace vipa::nl {

namespace {

constexpr AttrPolicy kPolicy4[] = {{IFA_ADDRESS, 4, 4, "IFA_ADDRESS"},
                                   {IFA_LOCAL, 4, 4, "IFA_LOCAL"},
                                   {IFA_FLAGS, 4, 4, "IFA_FLAGS"}};
constexpr AttrPolicy kPolicy6[] = {{IFA_ADDRESS, 16, 16, "IFA_ADDRESS"},
                                   {IFA_LOCAL, 16, 16, "IFA_LOCAL"},
                                   {IFA_FLAGS, 4, 4, "IFA_FLAGS"}};

}  // namespace

std::optional<Address> decode_address(const nlmsghdr* nlh) {
  if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(ifaddrmsg))) return std::nullopt;
  auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
  if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) return std::nullopt;
  AttrTable<IFA_FLAGS + 1> at;
  std::span<const AttrPolicy> policy =
      ifa->ifa_family == AF_INET ? std::span(kPolicy4) : std::span(kPolicy6);
  if (!parse_attrs(nlh, sizeof(ifaddrmsg), policy, at)) return std::nullopt;
  Address a;
  a.family = ifa->ifa_family;
  a.ifindex = static_cast<int>(ifa->ifa_index);
  a.prefixlen = ifa->ifa_prefixlen;
  a.flags = at[IFA_FLAGS] ? mnl_attr_get_u32(at[IFA_FLAGS]) : ifa->ifa_flags;
  a.scope = ifa->ifa_scope;
  IpAddr address, local;
  if (at[IFA_ADDRESS])
    address = IpAddr::from_bytes(a.family, mnl_attr_get_payload(at[IFA_ADDRESS]));
  if (at[IFA_LOCAL]) local = IpAddr::from_bytes(a.family, mnl_attr_get_payload(at[IFA_LOCAL]));
  // IPv4 point-to-point puts the peer in IFA_ADDRESS; the host's own address is IFA_LOCAL.
  a.addr = !local.empty() ? local : address;
  if (a.addr.empty()) return std::nullopt;
  if (!local.empty() && !address.empty() && address != local) a.peer = address;
  return a;
}

nlmsghdr* encode_address(char* buf, uint16_t type, const Address& a) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | (type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0);
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  ifa->ifa_family = a.family;
  ifa->ifa_prefixlen = static_cast<uint8_t>(a.prefixlen);
  ifa->ifa_flags = static_cast<uint8_t>(a.flags & 0xff);
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = static_cast<uint32_t>(a.ifindex);
  mnl_attr_put(nlh, IFA_LOCAL, a.addr.size(), a.addr.bytes.data());
  mnl_attr_put(nlh, IFA_ADDRESS, a.addr.size(), a.addr.bytes.data());
  // Flags above 0xff (IFA_F_NOPREFIXROUTE) only fit in IFA_FLAGS.
  if (type == RTM_NEWADDR) mnl_attr_put_u32(nlh, IFA_FLAGS, a.flags);
  return nlh;
}

}  // namespace vipa::nl
