#include "srcsel/source_rules.h"

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <tuple>

#include "config/sources.h"

namespace vipa::srcsel {

namespace {

bool is_kind(const RuleState& r, SourceKind k) {
  return r.rule->kind == k;
}

bool cgroup_kind(const RuleState& r) {
  return is_kind(r, SourceKind::Unit) || is_kind(r, SourceKind::Cgroup);
}

uint32_t width(const SourceConfig& s) {
  return s.uid_last - s.uid_first;
}

int depth(const std::string& path) {
  return path.empty() ? 0 : 1 + static_cast<int>(std::count(path.begin(), path.end(), '/'));
}

const IpAddr& addr_for(const RuleState& r, int family) {
  return family == AF_INET ? r.v4 : r.v6;
}

// Destinations whose source the kernel must choose (the BPF programs skip them too).
bool kernel_only(const IpAddr& dst) {
  if (dst.is_loopback() || dst.is_unspecified() || dst.is_v6_link_local()) return true;
  if (dst.is_v6()) {  // v4-mapped: the IPv4 rules decide
    static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::equal(std::begin(kMapped), std::end(kMapped), dst.bytes.begin());
  }
  return false;
}

bool overlaps(const Route& r, const Prefix& p) {
  int len = std::min<int>(r.dst_len, p.len);
  return r.family == p.addr.family && r.dst.masked(len) == p.addr.masked(len);
}

// A route that may take the rule's VIPA as source: unicast, not link-local or multicast, and
// leaving only through interfaces that use a VIPA (the others keep their own source).
bool copyable(const Route& r, const Desired& d) {
  if (r.type != RTN_UNICAST) return false;
  if (r.dst_len > 0 && (r.dst.is_v6_link_local() || r.dst.is_multicast())) return false;
  auto& by_oif = r.family == AF_INET ? d.src4_by_oif : d.src6_by_oif;
  auto oifs = r.oifs();
  if (oifs.empty()) return false;
  for (int oif : oifs)
    if (!by_oif.count(oif)) return false;
  return true;
}

}  // namespace

bool cgroup_within(const std::string& path, const std::string& ancestor) {
  if (ancestor.empty()) return true;
  return path == ancestor ||
         (path.size() > ancestor.size() && path.compare(0, ancestor.size(), ancestor) == 0 &&
          path[ancestor.size()] == '/');
}

std::vector<RuleState> rule_states(const Config& cfg, const Observed& obs) {
  std::vector<RuleState> out;
  for (size_t i = 0; i < cfg.sources.size(); ++i) {
    const SourceConfig& s = cfg.sources[i];
    RuleState r;
    r.index = i;
    r.rule = &s;
    auto v = resolve_source_vipa(cfg, s.vipa);
    if (!v) {  // validated away; a config built in memory may still hold one
      r.suspended = "'" + s.vipa + "' is not a VIPA";
      out.push_back(r);
      continue;
    }
    r.vipa = v->vipa->name;
    r.want4 = v->v4;
    r.want6 = v->v6;
    if (s.kind == SourceKind::Destination)
      (s.destination->addr.is_v4() ? r.want6 : r.want4) = IpAddr{};
    const Link* l = obs.link_by_name(r.vipa);
    if (v->vipa->state == VipaState::Detach) {
      r.suspended = r.vipa + " is detached";
    } else if (v->vipa->state == VipaState::Down || (l && !l->admin_up())) {
      r.suspended = r.vipa + " is down";
    } else if (!l) {
      r.suspended = r.vipa + " is not in the kernel yet";
    } else {
      if (!r.want4.empty() && obs.has_addr(l->ifindex, r.want4)) r.v4 = r.want4;
      if (!r.want6.empty() && obs.has_addr(l->ifindex, r.want6)) r.v6 = r.want6;
      if (!r.active()) r.suspended = r.vipa + " does not hold its address yet";
    }
    out.push_back(r);
  }
  return out;
}

std::string FibRule::str() const {
  std::string s = std::to_string(priority) + ": " + (family == AF_INET6 ? "inet6 " : "inet ");
  if (has_uid) s += "uidrange " + std::to_string(uid_first) + "-" + std::to_string(uid_last) + " ";
  s += dst.empty() ? "from all" : "to " + dst.str() + "/" + std::to_string(dst_len);
  return s + " lookup " + std::to_string(table);
}

std::vector<FibRule> desired_fib_rules(const std::vector<RuleState>& rules) {
  std::vector<const RuleState*> users;
  for (auto& r : rules)
    if (r.active() && is_kind(r, SourceKind::User)) users.push_back(&r);
  // Narrowest range first: the more specific user rule is looked at first.
  std::stable_sort(users.begin(), users.end(), [](const RuleState* a, const RuleState* b) {
    return width(*a->rule) < width(*b->rule);
  });
  std::vector<FibRule> out;
  for (size_t rank = 0; rank < users.size(); ++rank) {
    const RuleState& r = *users[rank];
    for (int fam : {AF_INET, AF_INET6}) {
      if (addr_for(r, fam).empty()) continue;
      FibRule f;
      f.family = static_cast<uint8_t>(fam);
      f.priority = kUserPriority + static_cast<uint32_t>(rank);
      f.table = r.table();
      f.has_uid = true;
      f.uid_first = r.rule->uid_first;
      f.uid_last = r.rule->uid_last;
      out.push_back(f);
    }
  }
  for (auto& r : rules) {
    if (!r.active() || !is_kind(r, SourceKind::Destination)) continue;
    const Prefix& p = *r.rule->destination;
    FibRule f;
    f.family = p.addr.family;
    // Longest prefix first: a rule at a lower priority is consulted first.
    f.priority = kDestPriority + static_cast<uint32_t>(p.addr.bits() - p.len);
    f.table = r.table();
    f.dst = p.addr;
    f.dst_len = static_cast<uint8_t>(p.len);
    out.push_back(f);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void add_source_tables(const Config& cfg, const Observed& obs, Desired& d) {
  if (cfg.sources.empty()) return;
  std::vector<Route> main;
  for (auto& [k, r] : d.owned)
    if (r.table == RT_TABLE_MAIN) main.push_back(r);
  for (auto& [k, r] : obs.routes)
    if (r.table == RT_TABLE_MAIN && r.protocol != kProtoVipa) main.push_back(r);
  int lo = 0;
  for (auto& [i, l] : obs.links)
    if (l.is_loopback()) lo = i;
  for (auto& st : rule_states(cfg, obs)) {
    bool dest = is_kind(st, SourceKind::Destination);
    if (!st.active() || !(dest || is_kind(st, SourceKind::User))) continue;
    for (auto& r : main) {
      const IpAddr& src = addr_for(st, r.family);
      if (src.empty() || (dest && !overlaps(r, *st.rule->destination))) continue;
      Route m;
      m.family = r.family;
      m.table = st.table();
      m.dst = r.dst;
      m.dst_len = r.dst_len;
      m.tos = r.tos;
      m.priority = r.priority;
      m.protocol = kProtoVipa;
      if (copyable(r, d)) {
        m.type = r.type;
        m.scope = r.scope;
        m.oif = r.oif;
        m.gateway = r.gateway;
        m.nexthops = r.nexthops;
        m.prefsrc = src;
      } else {
        // Lookup goes on with the next rule (in the end the main table).
        m.type = RTN_THROW;
        m.scope = RT_SCOPE_UNIVERSE;
        // IPv6 keeps reject-type routes on the loopback device and reports it.
        if (r.family == AF_INET6) m.oif = lo;
      }
      d.owned.emplace(m.key(), m);
    }
  }
}

Decision decide(const std::vector<RuleState>& rules, const std::map<size_t, std::string>& cgroups,
                const Identity& who, const IpAddr& dst, const Observed& obs) {
  Decision out;
  if (kernel_only(dst)) {
    out.mechanism = "route";
    out.why = dst.str() + " is loopback, link-local, v4-mapped or unspecified: no rule applies";
    return out;
  }
  const int fam = dst.family;
  // 2. unit or cgroup: the deepest serving rule whose cgroup holds the process.
  if (who.cgroup) {
    const RuleState* best = nullptr;
    int best_depth = -1;
    for (auto& r : rules) {
      if (!r.active() || !cgroup_kind(r)) continue;
      auto it = cgroups.find(r.index);
      if (it == cgroups.end() || !cgroup_within(*who.cgroup, it->second)) continue;
      if (depth(it->second) > best_depth) {
        best = &r;
        best_depth = depth(it->second);
      }
    }
    if (best && !addr_for(*best, fam).empty()) {
      out.source = addr_for(*best, fam);
      out.rule = static_cast<int>(best->index);
      out.mechanism = "cgroup bpf";
      out.why = std::string(to_string(best->rule->kind)) + " " + best->rule->selector +
                " (cgroup /" + cgroups.at(best->index) + ") binds the socket to " +
                out.source.str() + " of " + best->vipa + " before connect";
      return out;
    }
  }
  // 3. user: the narrowest range holding the uid.
  if (who.uid) {
    const RuleState* best = nullptr;
    for (auto& r : rules) {
      if (!r.active() || !is_kind(r, SourceKind::User) || addr_for(r, fam).empty()) continue;
      if (*who.uid < r.rule->uid_first || *who.uid > r.rule->uid_last) continue;
      if (!best || width(*r.rule) < width(*best->rule)) best = &r;
    }
    if (best) {
      out.source = addr_for(*best, fam);
      out.rule = static_cast<int>(best->index);
      out.mechanism = "ip rule";
      out.why = "user " + best->rule->selector + " (uid " + std::to_string(*who.uid) +
                "): uidrange rule to table " + std::to_string(best->table()) +
                ", whose routes carry " + out.source.str() + " of " + best->vipa;
      return out;
    }
  }
  // 4. destination: the longest prefix holding it.
  const RuleState* best = nullptr;
  for (auto& r : rules) {
    if (!r.active() || !is_kind(r, SourceKind::Destination) || addr_for(r, fam).empty()) continue;
    if (!r.rule->destination->contains(dst)) continue;
    if (!best || r.rule->destination->len > best->rule->destination->len) best = &r;
  }
  if (best) {
    out.source = addr_for(*best, fam);
    out.rule = static_cast<int>(best->index);
    out.mechanism = "ip rule";
    out.why = "destination " + best->rule->selector + ": rule to table " +
              std::to_string(best->table()) + ", whose routes carry " + out.source.str() + " of " +
              best->vipa;
    return out;
  }
  // 5. the interface's VIPA: what the main table's best route gives.
  const Route* route = nullptr;
  for (auto& [k, r] : obs.routes) {
    if (r.table != RT_TABLE_MAIN || r.family != fam || r.type != RTN_UNICAST || r.linkdown)
      continue;
    if (!Prefix{r.dst, r.dst_len}.contains(dst)) continue;
    if (!route || std::tie(r.dst_len, route->priority) > std::tie(route->dst_len, r.priority))
      route = &r;
  }
  out.mechanism = "route";
  if (!route) {
    out.why = "no rule applies, and the main table has no route to " + dst.str();
    return out;
  }
  out.source = route->prefsrc;
  const Link* l = obs.link(route->oif);
  std::string via =
      (route->gateway.empty() ? "" : " via " + route->gateway.str()) + (l ? " dev " + l->name : "");
  out.why =
      "no rule applies; the route " +
      (route->dst_len == 0 ? std::string("default") : Prefix{route->dst, route->dst_len}.str()) +
      via +
      (route->prefsrc.empty() ? " names no source: the kernel takes the interface's address"
                              : " carries the interface's VIPA " + route->prefsrc.str());
  return out;
}

}  // namespace vipa::srcsel
