#include "srcsel/kernel/fib_rules.h"

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "core/model.h"
#include "nl/attr.h"

namespace vipa::srcsel {

std::optional<FibRule> decode_fib_rule(const nlmsghdr* nlh) {
  if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(fib_rule_hdr))) return std::nullopt;
  auto* h = static_cast<const fib_rule_hdr*>(mnl_nlmsg_get_payload(nlh));
  if (h->family != AF_INET && h->family != AF_INET6) return std::nullopt;
  if (h->action != FR_ACT_TO_TBL || h->src_len != 0 || h->tos != 0) return std::nullopt;
  FibRule r;
  r.family = h->family;
  r.dst_len = h->dst_len;
  r.table = h->table;
  uint8_t proto = 0;
  bool other = false;
  size_t alen = r.family == AF_INET ? 4 : 16;
  bool whole = nl::for_each_attr(nlh, sizeof(fib_rule_hdr), [&](const nlattr* a) {
    size_t n = mnl_attr_get_payload_len(a);
    switch (mnl_attr_get_type(a)) {
      case FRA_PRIORITY:
        if (n == 4) r.priority = mnl_attr_get_u32(a);
        break;
      case FRA_TABLE:
        if (n == 4) r.table = mnl_attr_get_u32(a);
        break;
      case FRA_PROTOCOL:
        if (n == 1) proto = mnl_attr_get_u8(a);
        break;
      case FRA_DST:
        if (n == alen) r.dst = IpAddr::from_bytes(r.family, mnl_attr_get_payload(a));
        break;
      case FRA_UID_RANGE:
        if (n == sizeof(fib_rule_uid_range)) {
          fib_rule_uid_range u;
          std::memcpy(&u, mnl_attr_get_payload(a), sizeof u);
          r.has_uid = true;
          r.uid_first = u.start;
          r.uid_last = u.end;
        }
        break;
      // What our rules never carry: a rule with any of these is someone else's shape.
      case FRA_SRC:
      case FRA_IIFNAME:
      case FRA_OIFNAME:
      case FRA_FWMARK:
      case FRA_IP_PROTO:
      case FRA_SPORT_RANGE:
      case FRA_DPORT_RANGE:
        other = true;
        break;
      default:
        break;
    }
  });
  if (!whole || proto != kProtoVipa || other) return std::nullopt;
  return r;
}

nlmsghdr* encode_fib_rule(char* buf, uint16_t type, const FibRule& r) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (type == RTM_NEWRULE ? NLM_F_CREATE : 0);
  auto* h = static_cast<fib_rule_hdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(fib_rule_hdr)));
  h->family = r.family;
  h->dst_len = r.dst.empty() ? 0 : r.dst_len;
  h->action = FR_ACT_TO_TBL;
  h->table = r.table < 256 ? static_cast<uint8_t>(r.table) : static_cast<uint8_t>(RT_TABLE_UNSPEC);
  mnl_attr_put_u32(nlh, FRA_PRIORITY, r.priority);
  mnl_attr_put_u32(nlh, FRA_TABLE, r.table);
  mnl_attr_put_u8(nlh, FRA_PROTOCOL, kProtoVipa);
  if (!r.dst.empty() && r.dst_len > 0) mnl_attr_put(nlh, FRA_DST, r.dst.size(), r.dst.bytes.data());
  if (r.has_uid) {
    fib_rule_uid_range u{r.uid_first, r.uid_last};
    mnl_attr_put(nlh, FRA_UID_RANGE, sizeof u, &u);
  }
  return nlh;
}

FibRuleChange sync_fib_rules(nl::Socket& sock, const std::vector<FibRule>& want) {
  FibRuleChange ch;
  std::vector<FibRule> have;
  for (uint8_t fam : {AF_INET, AF_INET6}) {
    Status s = sock.dump(RTM_GETRULE, fam, [&](const nlmsghdr* nlh) {
      if (auto r = decode_fib_rule(nlh)) have.push_back(*r);
    });
    if (!s.ok()) {
      ch.errors.push_back("rule dump: " + s.error().message);
      return ch;
    }
  }
  char buf[512];
  for (auto& r : have) {
    if (std::find(want.begin(), want.end(), r) != want.end()) continue;
    Status s = sock.request(encode_fib_rule(buf, RTM_DELRULE, r));
    if (s.ok() || s.error().errnum == ENOENT)
      ch.removed.push_back(r);
    else
      ch.errors.push_back("delete rule " + r.str() + ": " + s.error().message);
  }
  for (auto& r : want) {
    if (std::find(have.begin(), have.end(), r) != have.end()) continue;
    Status s = sock.request(encode_fib_rule(buf, RTM_NEWRULE, r));
    if (s.ok() || s.error().errnum == EEXIST)
      ch.added.push_back(r);
    else
      ch.errors.push_back("add rule " + r.str() + ": " + s.error().message);
  }
  return ch;
}

}  // namespace vipa::srcsel
