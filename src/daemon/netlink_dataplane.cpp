#include "daemon/netlink_dataplane.h"

#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "core/desired.h"
#include "core/kernel_effects.h"
#include "daemon/sysctl.h"
#include "nl/address.h"
#include "nl/link.h"
#include "nl/route.h"

namespace vipa {

namespace {

// Expected errnos, classified where the call is made.
bool already_gone(const Status& s) {
  int e = s.error().errnum;
  return e == ESRCH || e == ENOENT || e == ENODEV || e == EADDRNOTAVAIL;
}
bool already_there(const Status& s) {
  return s.error().errnum == EEXIST;
}

}  // namespace

// Routing daemons' routes never reach the cache (the event filter drops them), but removing an
// IPv4 address flushes theirs too when they use it as source. Only at that moment does vipad
// need to know: one dump of the main table, counted and forgotten.
void NetlinkDataplane::tell_daemon_routes_flushed(const IpAddr& a) {
  if (!a.is_v4()) return;
  size_t n = 0;
  Status s = sock_.dump(RTM_GETROUTE, AF_INET, [&](const nlmsghdr* nlh) {
    auto* rtm = static_cast<const rtmsg*>(NLMSG_DATA(nlh));
    if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(rtmsg)) ||
        !is_routing_daemon_protocol(rtm->rtm_protocol))
      return;
    if (auto r = nl::decode_route(nlh); r && r->prefsrc == a) ++n;
  });
  if (s.ok() && n > 0)
    notice_("removing " + a.str() + " flushes " + std::to_string(n) +
            " route(s) of routing daemons that use it as source; they come back when the daemon "
            "reinstalls them");
}

Status NetlinkDataplane::save_originals(const Observed& obs) {
  Status s = store_.save(obs);
  if (!s.ok()) notice_("cannot record original values: " + s.error().message);
  return s;
}

Status NetlinkDataplane::create_link(const Op::CreateLink& op, Observed& obs) {
  std::string kind = op.link_kind == LinkKind::Ifb ? "ifb" : "dummy";
  Status s = sock_.request(nl::encode_create_link(buf_.data(), op.name, kind, false, kLinkTag));
  if (!s.ok() && op.link_kind == LinkKind::Auto &&
      (s.error().errnum == EOPNOTSUPP || s.error().errnum == ENODEV)) {
    notice_("the kernel has no dummy driver; " + op.name + " is an ifb device instead");
    kind = "ifb";
    s = sock_.request(nl::encode_create_link(buf_.data(), op.name, kind, false, kLinkTag));
  }
  if (!s.ok() && !already_there(s)) return s;
  // Learn the new link's index at once: the next pass sets it up and adds its addresses.
  int ifindex = 0;
  Status g = sock_.request(nl::encode_get_link(buf_.data(), op.name), [&](const nlmsghdr* nlh) {
    if (auto l = nl::decode_link(nlh)) {
      obs.links[l->ifindex] = *l;
      ifindex = l->ifindex;
    }
  });
  if (!g.ok()) return g;
  // Some kinds drop IFLA_IFALIAS at creation: tag it now, or the next pass would take the
  // link vipad just created for someone else's.
  if (obs.links[ifindex].alias != kLinkTag) {
    Status t = sock_.request(nl::encode_set_link(buf_.data(), ifindex, false, kLinkTag));
    if (!t.ok()) return t;
    obs.links[ifindex].alias = kLinkTag;
  }
  Status m = sock_.request(nl::encode_addr_gen_mode_none(buf_.data(), ifindex));
  if (!m.ok())
    notice_("cannot turn off IPv6 link-local address on " + op.name + ": " + m.error().message);
  return Ok{};
}

Status NetlinkDataplane::route_request(uint16_t type, uint16_t flags, const Route& r) {
  size_t need = nl::route_request_size(r);
  if (buf_.size() < need) buf_.resize(need);
  return sock_.request(nl::encode_route(buf_.data(), type, flags, r));
}

// The kernel's echo comes later: until then obs follows the model of what the kernel did besides
// the request (core/kernel_effects.h).
void NetlinkDataplane::follow_kernel(const std::vector<KernelCause>& causes, Observed& obs) {
  for (auto& c : causes) (void)apply_kernel_effects(c, obs.routes, {obs.links, obs.addrs});
}

Status NetlinkDataplane::apply(const Op& op, Observed& obs) {
  std::vector<KernelCause> causes = causes_of(op, obs);
  return std::visit([&](const auto& p) { return do_apply(p, causes, obs); }, op.what);
}

Status NetlinkDataplane::do_apply(const Op::CreateLink& op, const std::vector<KernelCause>&,
                                  Observed& obs) {
  return create_link(op, obs);
}

Status NetlinkDataplane::do_apply(const Op::DeleteLink& op, const std::vector<KernelCause>& causes,
                                  Observed& obs) {
  for (auto* a : obs.addrs_on(op.ifindex)) tell_daemon_routes_flushed(a->addr);
  Status s = sock_.request(nl::encode_delete_link(buf_.data(), op.ifindex));
  if (!s.ok() && !already_gone(s)) return s;
  obs.links.erase(op.ifindex);
  std::erase_if(obs.addrs, [&](const Address& a) { return a.ifindex == op.ifindex; });
  follow_kernel(causes, obs);
  return Ok{};
}

Status NetlinkDataplane::do_apply(const Op::SetLink& op, const std::vector<KernelCause>& causes,
                                  Observed& obs) {
  Status s = sock_.request(nl::encode_set_link(buf_.data(), op.ifindex, op.up, op.alias));
  if (!s.ok()) return s;
  if (auto it = obs.links.find(op.ifindex); it != obs.links.end()) {
    it->second.flags = op.up ? (it->second.flags | IFF_UP) : (it->second.flags & ~IFF_UP);
    if (!op.alias.empty()) it->second.alias = op.alias;
  }
  follow_kernel(causes, obs);
  return Ok{};
}

Status NetlinkDataplane::do_apply(const Op::AddAddr& op, const std::vector<KernelCause>&,
                                  Observed& obs) {
  Status s = sock_.request(nl::encode_address(buf_.data(), RTM_NEWADDR, op.addr));
  if (!s.ok() && !already_there(s)) return s;
  if (!obs.has_addr(op.addr.ifindex, op.addr.addr)) obs.addrs.push_back(op.addr);
  return Ok{};
}

Status NetlinkDataplane::do_apply(const Op::DelAddr& op, const std::vector<KernelCause>& causes,
                                  Observed& obs) {
  tell_daemon_routes_flushed(op.addr.addr);
  Status s = sock_.request(nl::encode_address(buf_.data(), RTM_DELADDR, op.addr));
  if (!s.ok() && !already_gone(s)) return s;
  std::erase_if(obs.addrs, [&](const Address& a) {
    return a.ifindex == op.addr.ifindex && a.addr == op.addr.addr;
  });
  follow_kernel(causes, obs);
  return Ok{};
}

Status NetlinkDataplane::do_apply(const Op::AddRoute& op, const std::vector<KernelCause>&,
                                  Observed& obs) {
  // NLM_F_CREATE without EXCL: EEXIST then means this exact route is already there. With
  // EXCL, that the slot is taken: the kernel's route there is reported by its own event.
  Status s = route_request(RTM_NEWROUTE, NLM_F_CREATE | (op.exclusive ? NLM_F_EXCL : 0), op.route);
  if (!s.ok() && !already_there(s)) return s;
  obs.routes[op.route.key()] = op.route;
  return Ok{};
}

Status NetlinkDataplane::do_apply(const Op::ReplaceRoute& op, const std::vector<KernelCause>&,
                                  Observed& obs) {
  Status s;
  if (op.replace_by_delete_add) {
    s = route_request(RTM_DELROUTE, 0, op.old);
    if (s.ok() || already_gone(s)) {
      s = route_request(RTM_NEWROUTE, NLM_F_CREATE, op.route);
      // The original is someone else's: never leave it deleted.
      if (!s.ok() && !already_there(s)) (void)route_request(RTM_NEWROUTE, NLM_F_CREATE, op.old);
    }
  } else {
    s = route_request(RTM_NEWROUTE, NLM_F_REPLACE, op.route);
  }
  if (!s.ok()) {
    if (already_gone(s)) obs.routes.erase(op.old.key());
    return s;
  }
  obs.routes[op.route.key()] = op.route;
  return Ok{};
}

Status NetlinkDataplane::do_apply(const Op::DelRoute& op, const std::vector<KernelCause>&,
                                  Observed& obs) {
  Status s = route_request(RTM_DELROUTE, 0, op.route);
  if (!s.ok() && !already_gone(s)) return s;
  obs.routes.erase(op.route.key());
  return Ok{};
}

Status NetlinkDataplane::do_apply(const Op::SetSysctl& op, const std::vector<KernelCause>&,
                                  Observed& obs) {
  Status s = sysctl_write(op.path, op.value);
  if (op.restore) {
    // An interface that went away took its sysctls with it: nothing left to restore.
    if (!s.ok() && s.error().errnum != ENOENT) return s;
    if (s.ok()) obs.sysctls[op.path] = op.value;
    return Ok{};
  }
  if (!s.ok()) return s;
  obs.sysctls[op.path] = op.value;
  return Ok{};
}

size_t NetlinkDataplane::apply_rewrites(const std::vector<SourceRewrite>& rw, Observed& obs,
                                        std::vector<std::pair<size_t, Error>>& failed) {
  size_t done = 0;
  std::vector<size_t> idx;  // the batch's requests, by position in rw
  for (size_t start = 0; start < rw.size();) {
    if (start > 0 && between_) between_();
    batch_.clear();
    idx.clear();
    for (; start < rw.size() && idx.size() < kBatch; ++start) {
      auto it = obs.routes.find(rw[start].key);
      if (it == obs.routes.end()) continue;  // gone meanwhile
      Route r = it->second;
      r.prefsrc = rw[start].src;
      size_t at = batch_.size();
      batch_.resize(at + nl::route_request_size(r));
      nlmsghdr* m = nl::encode_route(batch_.data() + at, RTM_NEWROUTE, NLM_F_REPLACE, r);
      batch_.resize(at + NLMSG_ALIGN(m->nlmsg_len));
      idx.push_back(start);
    }
    std::vector<bool> acked(idx.size());
    Status s =
        sock_.request_batch(batch_.data(), batch_.size(), idx.size(), [&](size_t i, int err) {
          acked[i] = true;
          const SourceRewrite& w = rw[idx[i]];
          if (err) {
            Error e = Error::sys(err, "kernel");
            if (already_gone(Status{e})) obs.routes.erase(w.key);
            failed.emplace_back(idx[i], e);
            return;
          }
          ++done;
          if (auto it = obs.routes.find(w.key); it != obs.routes.end()) it->second.prefsrc = w.src;
        });
    if (!s.ok())
      for (size_t i = 0; i < idx.size(); ++i)
        if (!acked[i]) failed.emplace_back(idx[i], s.error());
  }
  std::sort(failed.begin(), failed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return done;
}

void NetlinkDataplane::read_sysctls(const std::set<std::string>& paths, Observed& obs) {
  if (sysctls_fresh_ && paths == sysctl_paths_) return;  // obs.sysctls is current
  sysctls_fresh_ = true;
  sysctl_paths_ = paths;
  obs.sysctls.clear();
  for (auto& p : paths)
    if (auto v = sysctl_read(p)) obs.sysctls[p] = *v;
}

}  // namespace vipa
