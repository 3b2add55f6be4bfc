#include "nl/route.h"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "nl/attr.h"

namespace vipa::nl {

namespace {

// Attributes that describe the route itself and must survive a rewrite of its source.
bool passed_through(uint16_t t) {
  switch (t) {
    case RTA_METRICS:
    case RTA_MULTIPATH:
    case RTA_FLOW:
    case RTA_PREF:
    case RTA_ENCAP_TYPE:
    case RTA_ENCAP:
    case RTA_VIA:
    case RTA_NH_ID:
      return true;
    default:
      return false;
  }
}

// The attribute as it came, padded here: the last one in a message may come unpadded.
void append_attr(std::string& out, const nlattr* a) {
  out.append(reinterpret_cast<const char*>(a), a->nla_len);
  out.append(MNL_ALIGN(a->nla_len) - a->nla_len, '\0');
}

}  // namespace

std::optional<Route> decode_route(const nlmsghdr* nlh) {
  if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(rtmsg))) return std::nullopt;
  auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
  if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) return std::nullopt;
  // Cached clones (IPv6 exceptions, RTM_F_CLONED) are not routes anyone configured.
  if (rtm->rtm_flags & RTM_F_CLONED) return std::nullopt;
  // IPv6 source-specific routes (`ip -6 route add ... from PREFIX`) are left alone: their
  // packets already have a source in PREFIX, so there is no preferred source to set, and a route
  // with a `from` is a different route from the plain one of the same destination.
  if (rtm->rtm_src_len != 0) return std::nullopt;
  Route r;
  r.family = rtm->rtm_family;
  r.dst_len = rtm->rtm_dst_len;
  r.tos = rtm->rtm_tos;
  r.table = rtm->rtm_table;
  r.protocol = rtm->rtm_protocol;
  r.scope = rtm->rtm_scope;
  r.type = rtm->rtm_type;
  r.rtm_flags = rtm->rtm_flags;
  r.linkdown = rtm->rtm_flags & RTNH_F_LINKDOWN;
  size_t alen = r.family == AF_INET ? 4 : 16;
  bool whole = for_each_attr(nlh, sizeof(rtmsg), [&](const nlattr* a) {
    uint16_t t = mnl_attr_get_type(a);
    size_t n = mnl_attr_get_payload_len(a);
    switch (t) {
      case RTA_DST:
        if (n == alen) r.dst = IpAddr::from_bytes(r.family, mnl_attr_get_payload(a));
        break;
      case RTA_GATEWAY:
        if (n == alen) r.gateway = IpAddr::from_bytes(r.family, mnl_attr_get_payload(a));
        break;
      case RTA_PREFSRC:
        if (n == alen) r.prefsrc = IpAddr::from_bytes(r.family, mnl_attr_get_payload(a));
        break;
      case RTA_OIF:
        if (n == 4) r.oif = static_cast<int>(mnl_attr_get_u32(a));
        break;
      case RTA_PRIORITY:
        if (n == 4) r.priority = mnl_attr_get_u32(a);
        break;
      case RTA_TABLE:
        if (n == 4) r.table = mnl_attr_get_u32(a);
        break;
      case RTA_CACHEINFO:
        // IPv6 routes learnt from router advertisements expire; keep that through a rewrite.
        if (n >= sizeof(rta_cacheinfo)) {
          auto* ci = static_cast<const rta_cacheinfo*>(mnl_attr_get_payload(a));
          // Negative: past its lifetime, not yet collected by the kernel's garbage collection.
          if (ci->rta_expires < 0) r.expires = 1;
          if (ci->rta_expires > 0) {
            auto ticks = static_cast<uint32_t>(ci->rta_expires);  // clock_t at USER_HZ=100
            r.expires = ticks / 100 + (ticks % 100 != 0);
            char tmp[MNL_ATTR_HDRLEN + 4];
            auto* e = reinterpret_cast<nlattr*>(tmp);
            e->nla_type = RTA_EXPIRES;
            e->nla_len = MNL_ATTR_HDRLEN + 4;
            uint32_t secs = ci->rta_expires / 100;  // clock_t at USER_HZ=100
            __builtin_memcpy(tmp + MNL_ATTR_HDRLEN, &secs, 4);
            append_attr(r.passthrough, e);
          }
        }
        break;
      case RTA_MULTIPATH: {
        append_attr(r.passthrough, a);
        const char* p = static_cast<const char*>(mnl_attr_get_payload(a));
        size_t left = n;
        bool all_down = true;
        while (left >= sizeof(rtnexthop)) {
          auto* nh = reinterpret_cast<const rtnexthop*>(p);
          if (nh->rtnh_len < sizeof(rtnexthop) || nh->rtnh_len > left) break;
          Nexthop hop;
          hop.oif = nh->rtnh_ifindex;
          // Each nexthop carries its own attributes (RTA_GATEWAY) after the rtnexthop header.
          size_t off = RTNH_ALIGN(sizeof(rtnexthop));
          while (off + sizeof(nlattr) <= nh->rtnh_len) {
            auto* na = reinterpret_cast<const nlattr*>(p + off);
            if (na->nla_len < sizeof(nlattr) || off + na->nla_len > nh->rtnh_len) break;
            if ((na->nla_type & NLA_TYPE_MASK) == RTA_GATEWAY &&
                na->nla_len == MNL_ATTR_HDRLEN + alen)
              hop.gateway = IpAddr::from_bytes(r.family, p + off + MNL_ATTR_HDRLEN);
            off += MNL_ALIGN(na->nla_len);
          }
          r.nexthops.push_back(hop);
          if (!(nh->rtnh_flags & RTNH_F_LINKDOWN)) all_down = false;
          size_t step = RTNH_ALIGN(nh->rtnh_len);
          if (step >= left) break;
          p += step;
          left -= step;
        }
        std::sort(r.nexthops.begin(), r.nexthops.end());
        if (!r.nexthops.empty()) r.linkdown = all_down;
        break;
      }
      case RTA_PREF:
        if (n >= 1) r.pref = *static_cast<const uint8_t*>(mnl_attr_get_payload(a));
        append_attr(r.passthrough, a);
        break;
      default:
        if (passed_through(t)) append_attr(r.passthrough, a);
        break;
    }
  });
  if (!whole) return std::nullopt;
  if (r.table == RT_TABLE_UNSPEC) return std::nullopt;
  // A default route carries no RTA_DST; give it the family's zero address so it compares
  // equal to the desired 0.0.0.0/0 or ::/0.
  if (r.dst.empty()) r.dst.family = r.family;
  return r;
}

size_t route_request_size(const Route& r) {
  // Each built nexthop: rtnexthop (8) + RTA_GATEWAY (4 + up to 16).
  return 256 + r.passthrough.size() + r.nexthops.size() * 32;
}

nlmsghdr* encode_route(char* buf, uint16_t type, uint16_t flags, const Route& r) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = r.family;
  rtm->rtm_dst_len = r.dst_len;
  rtm->rtm_tos = r.tos;
  rtm->rtm_table =
      r.table < 256 ? static_cast<uint8_t>(r.table) : static_cast<uint8_t>(RT_TABLE_UNSPEC);
  rtm->rtm_protocol = r.protocol;
  rtm->rtm_type = r.type;
  // On delete, RT_SCOPE_NOWHERE matches any scope (as `ip route del` does).
  rtm->rtm_scope = type == RTM_DELROUTE ? static_cast<uint8_t>(RT_SCOPE_NOWHERE) : r.scope;
  rtm->rtm_flags = r.rtm_flags & RTNH_F_ONLINK;
  mnl_attr_put_u32(nlh, RTA_TABLE, r.table);
  if (r.dst_len > 0) mnl_attr_put(nlh, RTA_DST, r.dst.size(), r.dst.bytes.data());
  if (!r.gateway.empty()) mnl_attr_put(nlh, RTA_GATEWAY, r.gateway.size(), r.gateway.bytes.data());
  if (r.oif) mnl_attr_put_u32(nlh, RTA_OIF, static_cast<uint32_t>(r.oif));
  mnl_attr_put_u32(nlh, RTA_PRIORITY, r.priority);
  if (!r.prefsrc.empty() && type == RTM_NEWROUTE)
    mnl_attr_put(nlh, RTA_PREFSRC, r.prefsrc.size(), r.prefsrc.bytes.data());
  if (r.passthrough.empty() && !r.nexthops.empty()) {
    // vipad's own ECMP route: one rtnexthop (with its RTA_GATEWAY) per live gateway.
    nlattr* mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
    for (auto& hop : r.nexthops) {
      auto* nh = static_cast<rtnexthop*>(mnl_nlmsg_get_payload_tail(nlh));
      nlh->nlmsg_len += RTNH_ALIGN(sizeof(rtnexthop));
      *nh = rtnexthop{};
      nh->rtnh_ifindex = hop.oif;
      if (!hop.gateway.empty())
        mnl_attr_put(nlh, RTA_GATEWAY, hop.gateway.size(), hop.gateway.bytes.data());
      nh->rtnh_len = static_cast<unsigned short>(
          static_cast<char*>(mnl_nlmsg_get_payload_tail(nlh)) - reinterpret_cast<char*>(nh));
    }
    mnl_attr_nest_end(nlh, mp);
  }
  if (!r.passthrough.empty()) {
    // Already aligned attributes: append them to the message as they came from the kernel.
    char* tail = static_cast<char*>(mnl_nlmsg_get_payload_tail(nlh));
    __builtin_memcpy(tail, r.passthrough.data(), r.passthrough.size());
    nlh->nlmsg_len += static_cast<uint32_t>(r.passthrough.size());
  }
  return nlh;
}

nlmsghdr* encode_route_dump(char* buf, uint32_t seq, uint8_t family, uint32_t table,
                            uint8_t protocol) {
  std::memset(buf, 0, kRouteDumpRequestSize);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = RTM_GETROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = seq;
  // Strict checking refuses a dump request whose lengths, tos, scope or flags are set: they stay
  // zero. rtm_protocol and RTA_TABLE are filters (ip_valid_fib_dump_req, inet6_dump_fib).
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = family;
  rtm->rtm_protocol = protocol;
  if (table) mnl_attr_put_u32(nlh, RTA_TABLE, table);
  return nlh;
}

}  // namespace vipa::nl
