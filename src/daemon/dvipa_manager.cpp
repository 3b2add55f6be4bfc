#include "daemon/dvipa_manager.h"

#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <set>

#include "daemon/dvipa_sockdiag.h"
#include "daemon/log.h"

namespace vipa {

using nlohmann::json;

DvipaManager::Entry::Entry(uint64_t i, const DvipaConfig& c)
    : id(i),
      cfg(c),
      machine(dvipa::Params{c.rank, c.takeback, c.delay_join, c.hold_down_ms}),
      health(c.health.rise, c.health.fall, c.health.kind == HealthKind::None) {}

DvipaManager::DvipaManager(sd_event* ev, const Observed* obs, HookRunner* hooks, Emit emit,
                           std::function<void()> links_changed)
    : ev_(ev),
      obs_(obs),
      hooks_(hooks),
      emit_(std::move(emit)),
      links_changed_(std::move(links_changed)),
      cmd_(ev),
      view_(ev),
      moves_(std::make_unique<MovesManager>(ev, obs, emit_)) {}

DvipaManager::~DvipaManager() {
  if (tick_) sd_event_source_disable_unref(tick_);
}

uint64_t DvipaManager::now_ms() const {
  uint64_t us = 0;
  sd_event_now(ev_, CLOCK_MONOTONIC, &us);
  return us / 1000;
}

dvipa::Params DvipaManager::params_of(const DvipaConfig& d) const {
  return {d.rank, d.takeback, d.delay_join, d.hold_down_ms};
}

void DvipaManager::configure(const Config& cfg) {
  cfg_ = cfg;
  adapter_ = routing::make_adapter(cfg.routing);
  need_setup_ = true;
  moves_->configure(cfg.dvipas);
  std::set<std::string> names;
  for (auto& d : cfg.dvipas) {
    names.insert(d.name);
    auto it = entries_.find(d.name);
    if (it != entries_.end() && it->second->cfg.address != d.address) {
      // A new address is a new DVIPA: the old one is withdrawn, then its link goes.
      retiring_.push_back(std::move(it->second));
      entries_.erase(it);
      it = entries_.end();
    }
    if (it == entries_.end()) {
      auto e = std::make_unique<Entry>(next_id_++, d);
      e->admin_withdrawn = withdrawn_by_hand_.count(d.name) > 0;
      Entry& ref = *e;
      entries_[d.name] = std::move(e);
      start_health(ref);
      continue;
    }
    Entry& e = *it->second;
    bool health_changed = e.cfg.health.kind != d.health.kind ||
                          e.cfg.health.exec != d.health.exec ||
                          e.cfg.health.target != d.health.target ||
                          e.cfg.health.interval_ms != d.health.interval_ms ||
                          e.cfg.health.timeout_ms != d.health.timeout_ms;
    e.cfg = d;
    e.machine.set_params(params_of(d));
    e.health.set_limits(d.health.rise, d.health.fall);
    if (health_changed) {
      e.health = dvipa::HealthCounter(d.health.rise, d.health.fall,
                                      d.health.kind == HealthKind::None || e.health.healthy());
      start_health(e);
    }
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (names.count(it->first)) {
      ++it;
      continue;
    }
    it->second->probe.reset();
    retiring_.push_back(std::move(it->second));
    it = entries_.erase(it);
  }
  for (auto& r : retiring_) enqueue({Job::Kind::Sync, r->id, false});
  if (!tick_ && !empty()) {
    started_ms_ = now_ms();
    sd_event_add_time(ev_, &tick_, CLOCK_MONOTONIC, 0, 0, on_tick, this);
  }
}

// Carrier loss and routes: judged at once rather than at the next tick.
void DvipaManager::kernel_changed() {
  uint64_t now = now_ms();
  for (auto& [n, e] : entries_) evaluate(*e, now);
}

void DvipaManager::start_health(Entry& e) {
  e.probe.reset();
  if (e.cfg.health.kind == HealthKind::None) return;
  uint64_t id = e.id;
  e.probe = std::make_unique<HealthProbe>(
      ev_, e.cfg.health,
      [this, id](bool pass, const std::string& detail) { on_health(id, pass, detail); });
  e.probe->start();
}

void DvipaManager::on_health(uint64_t id, bool pass, const std::string& detail) {
  Entry* e = find(id);
  if (!e) return;
  e->health_detail = detail;
  if (e->health.record(pass)) {
    std::string verdict = e->health.healthy() ? "healthy" : "unhealthy";
    emit_("dvipa_health", e->cfg.name,
          e->cfg.name + ": health check " + verdict + " (" + detail + ")",
          {{"dvipa", e->cfg.name}, {"healthy", e->health.healthy()}, {"detail", detail}});
    // A failing check withdraws at once, before anything else happens.
    evaluate(*e, now_ms());
  }
}

std::vector<Intent::DvipaLink> DvipaManager::links() const {
  std::vector<Intent::DvipaLink> out;
  for (auto& [n, e] : entries_)
    out.push_back({dvipa_link_name(n), e->cfg.address, ifaces_of(e->cfg)});
  for (auto& e : retiring_)
    if (!entries_.count(e->cfg.name))
      out.push_back({dvipa_link_name(e->cfg.name), e->cfg.address, ifaces_of(e->cfg)});
  return out;
}

std::vector<std::string> DvipaManager::ifaces_of(const DvipaConfig& d) const {
  if (!d.interface_names.empty()) return d.interface_names;
  std::vector<std::string> out;
  bool all = false;
  for (auto& v : cfg_.vipas) {
    if (v.interface_names.empty()) all = true;
    for (auto& n : v.interface_names)
      if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  if (!all && !out.empty()) return out;
  // No static VIPA names any: every interface but loopback and vipad's own links.
  out.clear();
  for (auto& [i, l] : obs_->links) {
    bool is_vipa = false;
    for (auto& v : cfg_.vipas) is_vipa |= v.name == l.name;
    if (!l.is_loopback() && !is_vipa && l.alias != kLinkTag) out.push_back(l.name);
  }
  return out;
}

bool DvipaManager::interfaces_up(const DvipaConfig& d) const {
  for (auto& n : ifaces_of(d))
    if (const Link* l = obs_->link_by_name(n); l && l->admin_up() && l->carrier()) return true;
  return false;
}

// delay_join: a route out through one of the interfaces that is more than the connected
// prefix (a default route, or routes the routing daemon learned), of the DVIPA's family: the
// replies from an IPv6 DVIPA need an IPv6 route. vipad's kernel cache holds the
// static ones; the routing daemons' own are asked of the kernel (route_probe_), only while the
// DVIPA is joining (the only time the machine needs to know) and at most every kRouteProbeMs.
bool DvipaManager::route_out(Entry& e, uint64_t now) {
  std::set<int> oifs;
  for (auto& n : ifaces_of(e.cfg))
    if (const Link* l = obs_->link_by_name(n)) oifs.insert(l->ifindex);
  const uint8_t family = e.cfg.address.is_v6() ? AF_INET6 : AF_INET;
  for (auto& [k, r] : obs_->routes) {
    if (r.table != RT_TABLE_MAIN || r.protocol == RTPROT_KERNEL || r.type != RTN_UNICAST ||
        r.family != family)
      continue;
    for (int o : r.oifs())
      if (oifs.count(o)) return true;
  }
  if (!route_probe_ || oifs.empty() || e.machine.state() != dvipa::State::Joining) return false;
  if (!e.route_probe_ms || now - e.route_probe_ms >= kRouteProbeMs) {
    e.route_probe_ms = now;
    e.route_probed = route_probe_(std::vector<int>(oifs.begin(), oifs.end()), family);
  }
  return e.route_probed;
}

int DvipaManager::on_tick(sd_event_source* s, uint64_t, void* self) {
  auto* m = static_cast<DvipaManager*>(self);
  uint64_t now = 0;
  sd_event_now(m->ev_, CLOCK_MONOTONIC, &now);
  sd_event_source_set_time(s, now + kTickUsec);
  sd_event_source_set_enabled(s, SD_EVENT_ON);
  m->tick();
  return 0;
}

void DvipaManager::tick() {
  uint64_t now = now_ms();
  if (adapter_ && !view_.running() && now - last_view_ms_ >= cfg_.routing.view_interval_ms) {
    last_view_ms_ = now;
    poll_view();
  }
  remove_retired(now);
  if (now - last_idle_ms_ >= kIdlePollMs) {
    last_idle_ms_ = now;
    poll_idle(now);
  }
  moves_->tick(now);
  // Until the first view, nothing is decided: an announcement FRR kept across a vipad
  // restart must be adopted, not withdrawn.
  if (!first_view_done_ && now - started_ms_ < kFirstViewMs) return;
  for (auto& [n, e] : entries_) evaluate(*e, now);
}

void DvipaManager::evaluate(Entry& e, uint64_t now) {
  if (!first_view_done_ && now - started_ms_ < kFirstViewMs) return;
  dvipa::Inputs in;
  in.now_ms = now;
  in.healthy = e.health.healthy();
  in.interfaces_up = interfaces_up(e.cfg);
  in.route_out = route_out(e, now);
  in.admin_withdrawn = e.admin_withdrawn;
  in.busy = e.busy;
  in.view = &e.view;
  auto old_state = e.machine.state();
  dvipa::Step st = e.machine.step(in);
  const std::string& n = e.cfg.name;
  for (auto& t : st.transitions) {
    ++e.transitions;
    auto m = e.machine.announce();
    emit_("dvipa", n,
          n + ": " + dvipa::to_string(t.from) + " -> " + dvipa::to_string(t.to) + " (" + t.reason +
              ")",
          {{"dvipa", n},
           {"old_state", dvipa::to_string(t.from)},
           {"new_state", dvipa::to_string(t.to)},
           {"reason", t.reason},
           {"metric", m ? json(*m) : json(nullptr)}});
    if (hooks_ && !e.cfg.notify.empty())
      hooks_->notify(e.cfg.notify,
                     {"dvipa", n, "", dvipa::to_string(t.from), dvipa::to_string(t.to)});
  }
  (void)old_state;
  moves_->step(e.cfg, e.view, e.machine.owner_self(), now);
  for (auto& p : st.problems_raised) {
    e.problems.insert(p);
    emit_("dvipa_problem", n, n + ": problem " + p, {{"dvipa", n}, {"problem", p}});
  }
  for (auto& p : st.problems_cleared) {
    e.problems.erase(p);
    emit_("dvipa_problem_cleared", n, n + ": problem " + p + " cleared",
          {{"dvipa", n}, {"problem", p}});
  }
  for (auto& note : st.notes) emit_("dvipa_takeback", n, n + ": " + note, {{"dvipa", n}});
  if (!adapter_ || e.queued || (e.applied_known && e.machine.announce() == e.applied)) return;
  // What the daemon holds is unknown until a view was read: never withdraw blindly (it may be
  // an announcement to adopt); after a failed command, retry once a second.
  if (!e.applied_known && !e.machine.announce() && !view_ok_once_) return;
  if (!e.applied_known && e.last_command_ms && now - e.last_command_ms < kReassertMs) return;
  enqueue({Job::Kind::Sync, e.id, false});
}

void DvipaManager::poll_view() {
  auto cfgs = configs();
  for (auto& e : retiring_) cfgs.push_back(e->cfg);
  if (cfgs.empty()) return;
  view_started_ms_ = now_ms();
  view_.start(adapter_->view(cfgs), kCommandUsec, true,
              [this](const ChildResult& r) { on_view(r); });
}

void DvipaManager::on_view(const ChildResult& r) {
  ++views_;
  auto cfgs = configs();
  for (auto& e : retiring_) cfgs.push_back(e->cfg);
  routing::ViewRead vr;
  if (!r.started || r.timed_out)
    vr.error = "vtysh: " + r.describe();
  else
    vr = adapter_->parse_view(r.output, cfgs);
  if (!vr.ok) {
    ++view_failures_;
    if (vr.error != view_error_)
      log::warn("dvipa: cannot read the routing protocol's view: " + vr.error);
    view_error_ = vr.error;
    for (auto& [n, e] : entries_) e->view.ok = false;
  } else {
    view_ok_once_ = true;
    if (!view_error_.empty()) log::notice("dvipa: the routing protocol's view is readable again");
    view_error_.clear();
  }
  uint64_t now = now_ms();
  auto apply = [&](Entry& e) {
    if (!vr.ok) return;
    auto it = vr.by_name.find(e.cfg.name);
    if (it == vr.by_name.end()) return;
    e.view = it->second;
    if (!e.view.ok) return;
    auto seen = e.view.self_metric();
    if (e.retired_withdrawn_ms && view_started_ms_ > e.retired_withdrawn_ms && !seen)
      e.retired_confirmed = true;
    if (!first_view_done_ && seen && entries_.count(e.cfg.name)) {
      // vipad restarted (kill -9 too) while the daemon kept announcing: carry on.
      e.machine.adopt(*seen);
      e.health = dvipa::HealthCounter(e.cfg.health.rise, e.cfg.health.fall, true);
      e.applied = seen;
      e.applied_known = true;
      log::notice("dvipa: " + e.cfg.name + ": adopted the announcement " + adapter_->name() +
                  " kept (metric " + std::to_string(*seen) + ")");
      return;
    }
    // Re-assert: the daemon lost or changed what vipad told it (it restarted, an administrator
    // edited it).
    if (first_view_done_ && e.applied_known && seen != e.applied && !e.queued &&
        !(running_job_ && running_job_->entry == e.id) && now - e.last_command_ms >= kReassertMs) {
      ++reasserts_;
      emit_("dvipa_reassert", e.cfg.name,
            e.cfg.name + ": " + adapter_->name() + " announces " +
                (seen ? "metric " + std::to_string(*seen) : std::string("nothing")) +
                ", vipad wants " +
                (e.applied ? "metric " + std::to_string(*e.applied) : std::string("nothing")) +
                ": putting it back",
            {{"dvipa", e.cfg.name}});
      if (e.applied) need_setup_ = true;
      enqueue({Job::Kind::Sync, e.id, true});
    }
  };
  for (auto& [n, e] : entries_) apply(*e);
  for (auto& e : retiring_) apply(*e);
  if (!first_view_done_) first_view_done_ = true;
  for (auto& [n, e] : entries_) evaluate(*e, now);
}

void DvipaManager::poll_idle(uint64_t now) {
  std::map<IpAddr, uint32_t> want;
  for (auto& [n, e] : entries_) {
    auto s = e->machine.state();
    if (e->cfg.takeback == Takeback::Whenidle &&
        (s == dvipa::State::Active || s == dvipa::State::Sticky || e->machine.owner_self()))
      want[e->cfg.address] = e->cfg.idle_ms;
    else
      e->busy = -1;
  }
  if (want.empty()) return;
  auto busy = busy_connections(want);
  for (auto& [n, e] : entries_) {
    if (!want.count(e->cfg.address)) continue;
    e->busy = busy.ok() ? busy->at(e->cfg.address) : -1;
  }
  if (!busy.ok()) log::warn("dvipa: " + busy.error().message);
  (void)now;
}

// Withdraw before removing the address: a removed DVIPA's link (and address) goes once a view
// read after its withdraw shows this host no longer announcing it and kRemoveGraceMs have passed
// since the withdraw (the routers need that long to act on it: BGP sends an UPDATE, the routers
// run their best path and program their kernels), or after kRemoveGiveUpMs without a view.
void DvipaManager::remove_retired(uint64_t now) {
  bool removed = false;
  for (auto it = retiring_.begin(); it != retiring_.end();) {
    Entry& e = **it;
    uint64_t since = e.retired_withdrawn_ms ? now - e.retired_withdrawn_ms : 0;
    bool done = e.retired_withdrawn_ms &&
                ((e.retired_confirmed && since >= kRemoveGraceMs) || since >= kRemoveGiveUpMs);
    if (!done) {
      ++it;
      continue;
    }
    if (!e.retired_confirmed)
      log::warn("dvipa: " + e.cfg.name + ": no view confirmed the withdraw within " +
                std::to_string(kRemoveGiveUpMs / 1000) + " s; removing its address anyway");
    else
      log::info("dvipa: " + e.cfg.name + ": withdrawn and no longer announced; removing " +
                dvipa_link_name(e.cfg.name));
    it = retiring_.erase(it);
    removed = true;
  }
  if (removed && links_changed_) links_changed_();
}

DvipaManager::Entry* DvipaManager::find(uint64_t id) {
  for (auto& [n, e] : entries_)
    if (e->id == id) return e.get();
  for (auto& e : retiring_)
    if (e->id == id) return e.get();
  return nullptr;
}

DvipaManager::Entry* DvipaManager::find(const std::string& name) {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : it->second.get();
}

std::vector<DvipaConfig> DvipaManager::configs() const {
  std::vector<DvipaConfig> out;
  for (auto& d : cfg_.dvipas)
    if (entries_.count(d.name)) out.push_back(entries_.at(d.name)->cfg);
  return out;
}

}  // namespace vipa
