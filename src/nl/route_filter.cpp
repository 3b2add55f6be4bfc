#include "nl/route_filter.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cstddef>

namespace vipa::nl {

namespace {

bool contains(const std::vector<uint8_t>& v, uint8_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

constexpr uint32_t kTypeOffset = offsetof(nlmsghdr, nlmsg_type);
constexpr uint32_t kRtm = NLMSG_HDRLEN;
constexpr uint32_t kTableOffset = kRtm + offsetof(rtmsg, rtm_table);
constexpr uint32_t kProtocolOffset = kRtm + offsetof(rtmsg, rtm_protocol);

// Instructions whose jumps name a target (accept, drop, or the next instruction), resolved into
// the relative offsets cBPF wants once the program's length is known.
enum class To { Next, Accept, Drop };
struct Insn {
  uint16_t code;
  uint32_t k;
  To jt = To::Next, jf = To::Next;
};

}  // namespace

bool RouteFilter::wants(uint8_t protocol, uint8_t rtm_table, uint32_t table) const {
  if (protocol == keep_protocol) return true;
  if (contains(drop_protocols, protocol)) return false;
  for (uint32_t t : tables) {
    if (t < 256 ? rtm_table == t : (rtm_table == RT_TABLE_COMPAT && table == t)) return true;
  }
  return false;
}

bool RouteFilter::wants(const nlmsghdr* nlh) const {
  if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE) return true;
  if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(rtmsg))) return false;
  auto* rtm = static_cast<const rtmsg*>(NLMSG_DATA(nlh));
  uint32_t table = rtm->rtm_table;
  if (table == RT_TABLE_COMPAT) {
    const auto* a = reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(rtm) +
                                                    NLMSG_ALIGN(sizeof(rtmsg)));
    int len = static_cast<int>(nlh->nlmsg_len - NLMSG_LENGTH(sizeof(rtmsg)));
    for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
      if (a->rta_type == RTA_TABLE && RTA_PAYLOAD(a) >= sizeof(uint32_t))
        table = *static_cast<const uint32_t*>(RTA_DATA(a));
  }
  return wants(rtm->rtm_protocol, rtm->rtm_table, table);
}

std::vector<sock_filter> route_event_program(const RouteFilter& f) {
  std::vector<Insn> p;
  auto jeq = [&](uint32_t k, To yes, To no) {
    p.push_back({BPF_JMP | BPF_JEQ | BPF_K, k, yes, no});
  };
  // Not a route message: wanted (links and addresses are few and all matter).
  p.push_back({BPF_LD | BPF_H | BPF_ABS, kTypeOffset});
  jeq(htons(RTM_NEWROUTE), To::Next, To::Next);
  size_t first_type = p.size() - 1;
  jeq(htons(RTM_DELROUTE), To::Next, To::Accept);
  p.push_back({BPF_LD | BPF_B | BPF_ABS, kProtocolOffset});
  size_t route_start = p.size() - 1;
  jeq(f.keep_protocol, To::Accept, To::Next);
  for (uint8_t proto : f.drop_protocols)
    if (proto != f.keep_protocol) jeq(proto, To::Drop, To::Next);
  p.push_back({BPF_LD | BPF_B | BPF_ABS, kTableOffset});
  bool big_table = false;
  for (uint32_t t : f.tables) {
    if (t < 256)
      jeq(t, To::Accept, To::Next);
    else
      big_table = true;
  }
  // Tables above 255 show as RT_TABLE_COMPAT here; the kernel lets those through and the
  // daemon's own check (RouteFilter::wants) reads RTA_TABLE.
  if (big_table) jeq(RT_TABLE_COMPAT, To::Accept, To::Next);
  p.push_back({BPF_RET | BPF_K, 0});  // drop
  size_t drop_at = p.size() - 1;
  p.push_back({BPF_RET | BPF_K, 0xffffffffu});  // accept: the whole message
  size_t accept_at = p.size() - 1;

  std::vector<sock_filter> out;
  out.reserve(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    auto rel = [&](To t) -> uint8_t {
      size_t target = t == To::Accept ? accept_at : t == To::Drop ? drop_at : i + 1;
      // Jumps go forward only; a program of this shape stays far below 256 instructions.
      return static_cast<uint8_t>(target - i - 1);
    };
    uint8_t jt = rel(p[i].jt), jf = rel(p[i].jf);
    // RTM_NEWROUTE jumps over the RTM_DELROUTE test straight to the route checks.
    if (i == first_type) jt = static_cast<uint8_t>(route_start - i - 1);
    out.push_back(sock_filter{p[i].code, jt, jf, p[i].k});
  }
  return out;
}

}  // namespace vipa::nl
