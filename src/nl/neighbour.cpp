#include "nl/neighbour.h"

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <span>
#include <string>

#include "nl/attr.h"

namespace vipa::nl {

static_assert(kNudReachable == NUD_REACHABLE && kNudFailed == NUD_FAILED && kNtfProxy == NTF_PROXY);

namespace {

// MAX_ADDR_LEN (<linux/netdevice.h>): the longest link-layer address a device has.
constexpr uint16_t kMaxLladdr = 32;
constexpr AttrPolicy kPolicy4[] = {{NDA_DST, 4, 4, "NDA_DST"},
                                   {NDA_LLADDR, 1, kMaxLladdr, "NDA_LLADDR"}};
constexpr AttrPolicy kPolicy6[] = {{NDA_DST, 16, 16, "NDA_DST"},
                                   {NDA_LLADDR, 1, kMaxLladdr, "NDA_LLADDR"}};

}  // namespace

Result<NeighbourMsg> decode_neighbour(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != RTM_NEWNEIGH && nlh->nlmsg_type != RTM_DELNEIGH)
    return Error::msg("message type " + std::to_string(nlh->nlmsg_type) +
                      " is not a neighbour message");
  if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(ndmsg)))
    return Error::msg("neighbour message of " + std::to_string(nlh->nlmsg_len) +
                      " bytes is shorter than its header");
  auto* nd = static_cast<const ndmsg*>(mnl_nlmsg_get_payload(nlh));
  if (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6)
    return Error::msg("neighbour family " + std::to_string(nd->ndm_family) +
                      " is not IPv4 or IPv6");
  AttrTable<NDA_LLADDR + 1> at;
  std::span<const AttrPolicy> policy =
      nd->ndm_family == AF_INET ? std::span(kPolicy4) : std::span(kPolicy6);
  Status s = parse_attrs(nlh, sizeof(ndmsg), policy, at);
  if (!s) return Error::msg("neighbour message: " + s.error().message);
  if (!at[NDA_DST]) return Error::msg("neighbour message without NDA_DST");
  NeighbourMsg m;
  m.deleted = nlh->nlmsg_type == RTM_DELNEIGH;
  m.ifindex = nd->ndm_ifindex;
  m.state = nd->ndm_state;
  m.flags = nd->ndm_flags;
  m.dst = IpAddr::from_bytes(nd->ndm_family, mnl_attr_get_payload(at[NDA_DST]));
  if (auto* ll = at[NDA_LLADDR]) {
    auto* p = static_cast<const uint8_t*>(mnl_attr_get_payload(ll));
    m.lladdr.assign(p, p + mnl_attr_get_payload_len(ll));
  }
  return m;
}

}  // namespace vipa::nl
