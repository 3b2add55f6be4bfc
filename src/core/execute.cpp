#include "core/execute.h"

#include <linux/rtnetlink.h>

#include <algorithm>

namespace vipa {

namespace {

bool foreign(const Route& r) {
  return r.protocol != RTPROT_KERNEL && r.protocol != kProtoVipa;
}

// A foreign route's source is recorded before vipad first puts another there.
bool record_source(const Route& old, const IpAddr& src, Observed& obs) {
  RouteKey k = old.key();
  if (!foreign(old) || old.prefsrc.empty() || src.empty() || obs.prefsrc_originals.count(k))
    return false;
  obs.prefsrc_originals[k] = old.prefsrc;
  return true;
}

// The source a route is left with makes its original moot: none, unchanged, or the original.
bool source_given_back(const RouteKey& k, const IpAddr& old, const IpAddr& now,
                       const Observed& obs) {
  if (now.empty() || now == old) return true;
  auto o = obs.prefsrc_originals.find(k);
  return o != obs.prefsrc_originals.end() && o->second == now;
}

}  // namespace

bool record_original(const Op& op, Observed& obs) {
  if (auto* r = op.as<Op::ReplaceRoute>()) return record_source(r->old, r->route.prefsrc, obs);
  if (auto* s = op.as<Op::SetSysctl>()) {
    if (s->restore || obs.sysctl_originals.count(s->path)) return false;
    auto cur = obs.sysctls.find(s->path);
    if (cur == obs.sysctls.end()) return false;
    obs.sysctl_originals[s->path] = cur->second;
    return true;
  }
  return false;
}

bool record_original(const SourceRewrite& w, Observed& obs) {
  auto it = obs.routes.find(w.key);
  return it != obs.routes.end() && record_source(it->second, w.src, obs);
}

bool gives_back(const Op::ReplaceRoute& r, const Observed& obs) {
  return source_given_back(r.old.key(), r.old.prefsrc, r.route.prefsrc, obs);
}

Status execute(Dataplane& dp, const Op& op, Observed& obs) {
  if (auto* s = op.as<Op::SetSysctl>();
      s && !s->restore && !obs.sysctls.count(s->path) && !obs.sysctl_originals.count(s->path))
    return Error::msg(s->path + ": not present");
  if (record_original(op, obs)) {
    // Unrecorded, the original could not be restored after a crash: change nothing.
    if (Status st = dp.save_originals(obs); !st.ok()) {
      if (auto* r = op.as<Op::ReplaceRoute>()) obs.prefsrc_originals.erase(r->old.key());
      if (auto* s = op.as<Op::SetSysctl>()) obs.sysctl_originals.erase(s->path);
      return st;
    }
  }
  bool back = false;
  if (auto* r = op.as<Op::ReplaceRoute>()) back = gives_back(*r, obs);
  Status s = dp.apply(op, obs);
  if (!s.ok()) return s;
  bool forgot = false;
  if (auto* r = op.as<Op::ReplaceRoute>(); r && back)
    forgot = obs.prefsrc_originals.erase(r->old.key()) > 0;
  if (auto* sc = op.as<Op::SetSysctl>(); sc && sc->restore)
    forgot = obs.sysctl_originals.erase(sc->path) > 0;
  if (forgot) (void)dp.save_originals(obs);  // a forgotten original only loses a restore
  return Ok{};
}

size_t execute_rewrites(Dataplane& dp, const std::vector<SourceRewrite>& rw, Observed& obs,
                        std::vector<std::pair<size_t, Error>>& failed) {
  std::vector<RouteKey> recorded;
  for (auto& w : rw)
    if (record_original(w, obs)) recorded.push_back(w.key);
  // Without the originals on disk, --cleanup could not give them back: change nothing.
  if (!recorded.empty()) {
    if (Status st = dp.save_originals(obs); !st.ok()) {
      for (auto& k : recorded) obs.prefsrc_originals.erase(k);
      for (size_t i = 0; i < rw.size(); ++i) failed.emplace_back(i, st.error());
      return 0;
    }
  }
  // Which rewrites give an original back, judged before they change the routes.
  std::vector<bool> back(rw.size());
  for (size_t i = 0; i < rw.size(); ++i) {
    auto it = obs.routes.find(rw[i].key);
    if (it != obs.routes.end())
      back[i] = source_given_back(rw[i].key, it->second.prefsrc, rw[i].src, obs);
  }
  size_t before = failed.size();
  size_t done = dp.apply_rewrites(rw, obs, failed);
  std::vector<bool> bad(rw.size());
  for (size_t i = before; i < failed.size(); ++i) bad[failed[i].first] = true;
  bool forgot = false;
  for (size_t i = 0; i < rw.size(); ++i)
    if (back[i] && !bad[i] && obs.routes.count(rw[i].key))
      forgot |= obs.prefsrc_originals.erase(rw[i].key) > 0;
  if (forgot) (void)dp.save_originals(obs);
  return done;
}

}  // namespace vipa
