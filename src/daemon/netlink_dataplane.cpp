#include "daemon/netlink_dataplane.h"

#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "core/desired.h"
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

void drop_routes_with_src(Observed& obs, const IpAddr& a) {
  // IPv4 deletes every route whose preferred source was the deleted address.
  if (!a.is_v4()) return;
  std::erase_if(obs.routes, [&](const auto& kv) { return kv.second.prefsrc == a; });
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

Status NetlinkDataplane::save_state(const Observed& obs) {
  Status s = store_.save(obs);
  if (!s.ok()) notice_("cannot record original values: " + s.error().message);
  return s;
}

Status NetlinkDataplane::create_link(const Op& op, Observed& obs) {
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

Status NetlinkDataplane::apply(const Op& op, Observed& obs) {
  switch (op.kind) {
    case Op::Kind::CreateLink:
      return create_link(op, obs);
    case Op::Kind::DeleteLink: {
      for (auto* a : obs.addrs_on(op.ifindex)) tell_daemon_routes_flushed(a->addr);
      Status s = sock_.request(nl::encode_delete_link(buf_.data(), op.ifindex));
      if (!s.ok() && !already_gone(s)) return s;
      for (auto* a : obs.addrs_on(op.ifindex)) drop_routes_with_src(obs, a->addr);
      obs.links.erase(op.ifindex);
      std::erase_if(obs.addrs, [&](const Address& a) { return a.ifindex == op.ifindex; });
      std::erase_if(obs.routes, [&](const auto& kv) { return kv.second.oif == op.ifindex; });
      return Ok{};
    }
    case Op::Kind::SetLink: {
      Status s = sock_.request(nl::encode_set_link(buf_.data(), op.ifindex, op.up, op.alias));
      if (!s.ok()) return s;
      if (auto it = obs.links.find(op.ifindex); it != obs.links.end()) {
        it->second.flags = op.up ? (it->second.flags | IFF_UP) : (it->second.flags & ~IFF_UP);
        if (!op.alias.empty()) it->second.alias = op.alias;
      }
      return Ok{};
    }
    case Op::Kind::AddAddr: {
      Status s = sock_.request(nl::encode_address(buf_.data(), RTM_NEWADDR, op.addr));
      if (!s.ok() && !already_there(s)) return s;
      if (!obs.has_addr(op.addr.ifindex, op.addr.addr)) obs.addrs.push_back(op.addr);
      return Ok{};
    }
    case Op::Kind::DelAddr: {
      tell_daemon_routes_flushed(op.addr.addr);
      Status s = sock_.request(nl::encode_address(buf_.data(), RTM_DELADDR, op.addr));
      if (!s.ok() && !already_gone(s)) return s;
      std::erase_if(obs.addrs, [&](const Address& a) {
        return a.ifindex == op.addr.ifindex && a.addr == op.addr.addr;
      });
      drop_routes_with_src(obs, op.addr.addr);
      return Ok{};
    }
    case Op::Kind::AddRoute: {
      // NLM_F_CREATE without EXCL: EEXIST then means this exact route is already there.
      Status s = route_request(RTM_NEWROUTE, NLM_F_CREATE, op.route);
      if (!s.ok() && !already_there(s)) return s;
      obs.routes[op.route.key()] = op.route;
      return Ok{};
    }
    case Op::Kind::ReplaceRoute: {
      RouteKey k = op.old.key();
      bool foreign = op.old.protocol != RTPROT_KERNEL && op.old.protocol != kProtoVipa;
      if (foreign && !op.old.prefsrc.empty() && !op.route.prefsrc.empty() &&
          !obs.prefsrc_originals.count(k)) {
        obs.prefsrc_originals[k] = op.old.prefsrc;
        // Unrecorded, the original could not be restored after a crash: change nothing.
        if (Status st = save_state(obs); !st.ok()) {
          obs.prefsrc_originals.erase(k);
          return st;
        }
      }
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
        if (already_gone(s)) obs.routes.erase(k);
        return s;
      }
      obs.routes[op.route.key()] = op.route;
      if (op.route.prefsrc.empty() || op.route.prefsrc == op.old.prefsrc ||
          (obs.prefsrc_originals.count(k) && obs.prefsrc_originals[k] == op.route.prefsrc)) {
        if (obs.prefsrc_originals.erase(k)) (void)save_state(obs);
      }
      return Ok{};
    }
    case Op::Kind::DelRoute: {
      Status s = route_request(RTM_DELROUTE, 0, op.route);
      if (!s.ok() && !already_gone(s)) return s;
      obs.routes.erase(op.route.key());
      return Ok{};
    }
    case Op::Kind::SetSysctl: {
      if (!op.restore && !obs.sysctl_originals.count(op.path)) {
        // Record the original before the first change, so a crash right after still knows it.
        auto cur = obs.sysctls.find(op.path);
        if (cur == obs.sysctls.end()) return Error::msg(op.path + ": not present");
        obs.sysctl_originals[op.path] = cur->second;
        if (Status st = save_state(obs); !st.ok()) {
          obs.sysctl_originals.erase(op.path);
          return st;
        }
      }
      Status s = sysctl_write(op.path, op.value);
      if (op.restore) {
        // An interface that went away took its sysctls with it: nothing left to restore.
        if (!s.ok() && s.error().errnum != ENOENT) return s;
        obs.sysctl_originals.erase(op.path);
        (void)save_state(obs);
        if (s.ok()) obs.sysctls[op.path] = op.value;
        return Ok{};
      }
      if (!s.ok()) return s;
      obs.sysctls[op.path] = op.value;
      return Ok{};
    }
  }
  return Error::msg("unknown operation");
}

size_t NetlinkDataplane::apply_rewrites(const std::vector<SourceRewrite>& rw, Observed& obs,
                                        std::vector<std::pair<size_t, Error>>& failed) {
  // Originals first, recorded once for the whole lot: a crash mid-way still knows them all.
  bool record = false;
  for (auto& w : rw) {
    auto it = obs.routes.find(w.key);
    if (it == obs.routes.end()) continue;
    const Route& r = it->second;
    bool foreign = r.protocol != RTPROT_KERNEL && r.protocol != kProtoVipa;
    if (foreign && !r.prefsrc.empty() && !w.src.empty() && !obs.prefsrc_originals.count(w.key)) {
      obs.prefsrc_originals[w.key] = r.prefsrc;
      record = true;
    }
  }
  // Without the originals on disk, --cleanup could not give them back: change nothing.
  if (record) {
    if (Status st = save_state(obs); !st.ok()) {
      for (size_t i = 0; i < rw.size(); ++i) failed.emplace_back(i, st.error());
      return 0;
    }
  }

  size_t done = 0;
  bool originals_changed = false;
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
          auto it = obs.routes.find(w.key);
          if (it == obs.routes.end()) return;
          IpAddr old = it->second.prefsrc;
          it->second.prefsrc = w.src;
          auto o = obs.prefsrc_originals.find(w.key);
          if (o != obs.prefsrc_originals.end() &&
              (w.src.empty() || w.src == old || o->second == w.src)) {
            obs.prefsrc_originals.erase(o);
            originals_changed = true;
          }
        });
    if (!s.ok())
      for (size_t i = 0; i < idx.size(); ++i)
        if (!acked[i]) failed.emplace_back(idx[i], s.error());
  }
  if (originals_changed) (void)save_state(obs);  // a forgotten original only loses a restore
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
