#include "core/dgd_neigh.h"

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

namespace vipa {

bool NeighbourEvent::failed() const {
  return !deleted && (state & NUD_FAILED);
}

bool NeighbourEvent::reachable() const {
  return !deleted && (state & NUD_REACHABLE);
}

std::optional<NeighbourEvent> parse_neighbour_event(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != RTM_NEWNEIGH && nlh->nlmsg_type != RTM_DELNEIGH) return {};
  if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(ndmsg))) return {};
  auto* nd = static_cast<const ndmsg*>(NLMSG_DATA(nlh));
  if (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6) return {};
  if (nd->ndm_flags & NTF_PROXY) return {};
  NeighbourEvent ev;
  ev.deleted = nlh->nlmsg_type == RTM_DELNEIGH;
  ev.ifindex = nd->ndm_ifindex;
  ev.state = nd->ndm_state;
  size_t want = nd->ndm_family == AF_INET ? 4 : 16;
  int len = static_cast<int>(nlh->nlmsg_len - NLMSG_LENGTH(sizeof(ndmsg)));
  // RTA_OK/RTA_NEXT check each attribute's length against what is left.
  for (auto* a = reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(nd) +
                                                 NLMSG_ALIGN(sizeof(ndmsg)));
       RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    if (a->rta_type == NDA_DST && RTA_PAYLOAD(a) == want)
      ev.dst = IpAddr::from_bytes(nd->ndm_family, RTA_DATA(a));
  }
  if (ev.dst.empty()) return {};
  return ev;
}

}  // namespace vipa
