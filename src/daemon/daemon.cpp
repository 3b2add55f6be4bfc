// vipad's event loop and its wiring: start-up and privilege drop, netlink events, signals,
// timers, the converge pass and the children it starts. Longer than the usual 400 lines
// because every event source meets here; each decision it carries out is a pure function
// (core/failover_story.h, remembered_routes.h, resync_policy.h, status_view.h).
#include "daemon/daemon.h"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <malloc.h>
#include <signal.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>

#include "core/failover_story.h"
#include "core/remembered_routes.h"
#include "core/route_iface.h"
#include "core/routing_refresh.h"
#include "core/vipa_ifaces.h"
#include "daemon/capabilities.h"
#include "daemon/log.h"
#include "daemon/loop_guard.h"
#include "nl/address.h"
#include "nl/neighbour.h"
#include "routing/daemons.h"

namespace vipa {

using nlohmann::json;

std::string now_iso8601() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  tm t;
  gmtime_r(&ts.tv_sec, &t);
  // Not strftime: it calls tzset(), which reads /etc/localtime again on every event.
  char buf[64];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", t.tm_year + 1900, t.tm_mon + 1,
           t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ts.tv_nsec / 1000000);
  return buf;
}

namespace {

std::string default_state_path(const Options& o) {
  if (!o.state_path.empty()) return o.state_path;
  auto slash = o.socket_path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : o.socket_path.substr(0, slash);
  return dir + "/vipad.state.json";
}

}  // namespace

Daemon::Daemon(Options opt, Config cfg)
    : opt_(std::move(opt)),
      cfg_(std::move(cfg)),
      store_(default_state_path(opt_)),
      lock_(opt_.socket_path + ".pid") {
  dp_ = std::make_unique<NetlinkDataplane>(req_, store_,
                                           [](const std::string& m) { log::notice(m); });
  // vipad's own echoes are read between batches of requests, so that they cannot overrun.
  dp_->set_between_batches([this] { on_netlink(nullptr, 0, 0, this); });
}

Daemon::~Daemon() {
  ctl_.reset();
  if (defer_) sd_event_source_unref(defer_);
  if (retry_) sd_event_source_unref(retry_);
  if (ev_) sd_event_unref(ev_);
}

Status Daemon::open_kernel() {
  Status s = req_.open({}, false);
  if (!s.ok()) return s;
  // Room for a whole batch of acknowledgements (NetlinkDataplane::kBatch) with error echoes.
  (void)req_.set_rcvbuf(1 << 20);
  s = events_.open({RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE,
                    RTNLGRP_IPV6_ROUTE},
                   true);
  if (!s.ok()) return s;
  s = events_.set_rcvbuf(opt_.netlink_rcvbuf);
  if (!s.ok()) log::warn(s.error().message);
  set_route_filter();
  s = store_.load(cache_.obs());
  if (!s.ok()) log::warn(s.error().message);
  return cache_.dump_all(req_);
}

// Routing daemons' routes and other tables never reach vipad (docs/architecture.md, cost model).
void Daemon::set_route_filter() {
  cache_.set_route_filter(KernelCache::filter_for(cfg_.routing.table));
  Status s = events_.set_filter(nl::route_event_program(*cache_.route_filter()));
  if (!s.ok())
    log::warn(s.error().message + "; routing daemons' route events are read and dropped");
}

Status Daemon::resync() {
  ++resyncs_;
  dp_->invalidate_sysctls();
  return cache_.dump_all(req_);
}

void Daemon::emit(const std::string& event, const std::string& vipa, const std::string& message,
                  json extra) {
  json e = {
      {"v", 1}, {"event", event}, {"time", now_iso8601()}, {"vipa", vipa}, {"message", message}};
  if (extra.is_object())
    for (auto& [k, v] : extra.items()) e[k] = v;
  auto field = [&](const char* k) {
    return extra.is_object() && extra.contains(k) && extra[k].is_string()
               ? extra[k].get<std::string>()
               : std::string();
  };
  log::event((vipa.empty() ? "" : vipa + ": ") + message,
             {event, vipa, field("interface"), field("gateway"), field("dvipa"), field("old_state"),
              field("new_state"), field("peer")});
  if (ctl_) ctl_->broadcast(e);
  if (event == "failover" && !vipa.empty()) ++failovers_by_vipa_[vipa];
  run_hook(event, vipa, extra);
}

// The VIPA's notify hook, with the state change the event stands for.
void Daemon::run_hook(const std::string& event, const std::string& vipa, const json& extra) {
  if (!hooks_ || vipa.empty()) return;
  for (auto& v : cfg_.vipas) {
    if (v.name != vipa || v.notify.empty()) continue;
    HookStates st = hook_states(event);
    HookEvent h{event, vipa, "", st.old_state, st.new_state};
    if (extra.is_object() && extra.contains("interface") && extra["interface"].is_string())
      h.interface = extra["interface"].get<std::string>();
    hooks_->notify(v.notify, h);
  }
}

// Link events are told after the converge they cause: the routes move first.
void Daemon::report(const std::string& event, const std::string& vipa, const std::string& message,
                    json extra) {
  pending_reports_.push_back({event, vipa, message, std::move(extra)});
  schedule("report");
}

void Daemon::flush_reports() {
  auto reports = std::move(pending_reports_);
  pending_reports_.clear();
  for (auto& r : reports) emit(r.event, r.vipa, r.message, std::move(r.extra));
}

void Daemon::schedule(const char* why) {
  (void)why;
  if (defer_) sd_event_source_set_enabled(defer_, SD_EVENT_ONESHOT);
}

// Carrier and admin state of the interfaces that use a VIPA: the failover story
// (core/failover_story.h), told after the converge the change causes.
void Daemon::record_failovers(const FailoverStory& story) {
  for (auto& [vipa, record] : story.failovers) {
    ++failovers_;
    last_failover_[vipa] = record;
  }
}

void Daemon::track_link(const Link& old_link, const Link& new_link) {
  FailoverStory story = link_story(cfg_, cache_.obs(), old_link, new_link, now_iso8601());
  record_failovers(story);
  for (auto& e : story.events) report(e.event, e.vipa, e.message, std::move(e.extra));
}

void Daemon::handle_message(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type == RTM_NEWNEIGH || nlh->nlmsg_type == RTM_DELNEIGH) {
    if (!gw_) return;
    // Bridge FDB entries (AF_BRIDGE) come on the same group: not for dead gateway detection.
    if (auto n = nl::decode_neighbour(nlh))
      gw_->on_neighbour(*n);
    else
      log::debug(n.error().message);
    return;
  }
  // IPv4 flushes routes that used a deleted address as source, silently: remember the foreign
  // ones that used a VIPA, so converge() brings them back with it.
  if (nlh->nlmsg_type == RTM_DELADDR)
    if (auto a = nl::decode_address(nlh))
      remember_flushed_routes(cfg_, cache_.obs(), *a, intent_.remembered);
  CacheChange ch = cache_.apply(nlh);
  switch (ch.what) {
    case CacheChange::What::Link: {
      LinkChangeEffect e = link_change_effect(ch.old_link, ch.new_link, false);
      if (e.dump_routes) resync_.routes_stale();
      if (e.sysctls_stale) dp_->invalidate_sysctls();
      track_link(ch.old_link, ch.new_link);
      if (auto n = iface_watch_.on_link(cfg_, cache_.obs(), ch.old_link, ch.new_link, false))
        log::info(*n);
      if (e.converge) schedule("link");
      break;
    }
    case CacheChange::What::LinkGone:
      resync_.routes_stale();
      dp_->invalidate_sysctls();
      track_link(ch.old_link, Link{ch.old_link.ifindex, ch.old_link.name});
      if (auto n = iface_watch_.on_link(cfg_, cache_.obs(), ch.old_link, {}, true)) log::info(*n);
      schedule("link gone");
      break;
    case CacheChange::What::AddrGone:
      // An IPv4 address takes the routes using it as source along (core/remembered_routes.h).
      if (ch.addr.family == AF_INET) resync_.routes_stale();
      foreign_change_ = true;
      schedule("address");
      break;
    case CacheChange::What::Addr:
    case CacheChange::What::Route:
    case CacheChange::What::RouteGone:
      foreign_change_ = true;
      schedule("kernel change");
      break;
    case CacheChange::What::None:
      break;
  }
}

int Daemon::on_netlink(sd_event_source*, int, uint32_t, void* self) {
  auto* d = static_cast<Daemon*>(self);
  Status s = d->events_.read_events([d](const nlmsghdr* nlh) {
    // One bad message costs that message: the next full dump sets the cache right.
    if (!guarded("netlink event", [&] { d->handle_message(nlh); })) d->resync_.all_stale();
  });
  if (!s.ok()) {
    if (s.error().errnum == ENOBUFS) {
      // The kernel dropped events: what we know may be stale. Dump everything again.
      d->resync_.all_stale();
      d->emit("resync", "", "netlink receive buffer overrun; reading the kernel's tables again");
      d->schedule("overrun");
    } else {
      log::err(s.error().message);
    }
  }
  return 0;
}

// One line per change while there are few; a summary when a start over a big table rewrites
// thousands of routes (100,000 log lines would cost more than the rewrites).
void Daemon::log_applied(const ConvergeResult& res) {
  constexpr size_t kDetailed = 20;
  size_t shown = std::min(res.applied.size(), kDetailed);
  for (size_t i = 0; i < shown; ++i)
    log::info(res.applied[i].str() + " (" + res.applied[i].why + ")");
  if (res.applied_count > shown) {
    std::map<std::string, size_t> by_kind;
    for (auto& op : res.applied) ++by_kind[op.why];
    std::string kinds;
    for (auto& [why, n] : by_kind) kinds += (kinds.empty() ? "" : ", ") + why;
    log::info("... and " + std::to_string(res.applied_count - shown) + " more change(s) (" + kinds +
              ")");
  }
}

void Daemon::retry_later() {
  converged_now_ = false;
  uint64_t now = 0;
  sd_event_now(ev_, CLOCK_MONOTONIC, &now);
  if (!retry_) {
    sd_event_add_time(
        ev_, &retry_, CLOCK_MONOTONIC, now + kRetryDelayUsec, 0,
        [](sd_event_source*, uint64_t, void* self) {
          static_cast<Daemon*>(self)->schedule("retry");
          return 0;
        },
        this);
  } else {
    sd_event_source_set_time(retry_, now + kRetryDelayUsec);
    sd_event_source_set_enabled(retry_, SD_EVENT_ONESHOT);
  }
}

int Daemon::on_defer(sd_event_source*, void* self) {
  auto* d = static_cast<Daemon*>(self);
  if (!guarded("converge", [d] { d->converge_now(); })) d->retry_later();
  return 0;
}

void Daemon::converge_now() {
  ResyncPolicy::Dump dump = resync_.take();
  if (dump != ResyncPolicy::Dump::None) {
    bool full = dump == ResyncPolicy::Dump::Full;
    Status s = full ? resync() : cache_.dump_routes(req_);
    if (!s.ok()) {
      // Try again shortly rather than wait for the next event, which may never come.
      log::err((full ? "resync: " : "route dump: ") + s.error().message);
      resync_.dump_failed();
      retry_later();
      flush_reports();
      return;
    }
  }
  intent_.config = &cfg_;
  intent_.dvipa_links = dvipa_ ? dvipa_->links() : std::vector<Intent::DvipaLink>{};
  auto started = std::chrono::steady_clock::now();
  ConvergeResult res = converge(intent_, cache_.obs(), *dp_);
  ++converges_;
  reconcile_hist_.observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  for (auto& p : res.problems)
    if (logged_problems_.insert(p).second) log::warn(p);
  for (auto& p : route_iface_problems(cfg_, cache_.obs()))
    if (logged_problems_.insert(p).second) log::notice(p);
  for (auto& [op, err] : res.failed) log::warn(op.str() + ": " + err.message);
  daemon_routes_left_alone_ = res.daemon_routes_left_alone;
  converged_now_ = res.failed.empty();
  if (res.applied_count > 0) {
    log_applied(res);
    if (converged_once_ && foreign_change_) {
      ++repairs_;
      emit("repair", "",
           std::to_string(res.applied_count) +
               " change(s) made to set right what another tool "
               "changed (first: " +
               res.applied.front().str() + ")",
           {{"changes", res.applied_count}});
    }
    log::debug("converged in " + std::to_string(res.passes) + " passes, " + std::to_string(us) +
               " us");
  }
  if (converged_once_) {
    // A VIPA address put back: the kernel had flushed the routing daemon's routes with it.
    std::vector<IpAddr> restored;
    for (auto& op : res.applied) {
      auto* add = op.as<Op::AddAddr>();
      if (!add) continue;
      const Link* l = cache_.obs().link(add->addr.ifindex);
      if (l && l->alias == kLinkTag) restored.push_back(add->addr.addr);
    }
    if (!restored.empty()) refresh_routing_daemon(restored);
  }
  foreign_change_ = false;
  // A start over a big table planned and cached much that is gone now: give it back.
  if (res.applied_count >= 10000) malloc_trim(0);
  // Remembered routes are done with once back (or when their interface is gone for good).
  forget_settled_routes(cache_.obs(), intent_.remembered);
  update_gateways();
  if (srcsel_) srcsel_->sync(cfg_, cache_.obs());
  if (dvipa_) dvipa_->kernel_changed();
  if (!converged_once_) {
    converged_once_ = true;
    sd_notify(0, "READY=1");
    log::notice("ready: " + std::to_string(res.applied_count) + " change(s) made at start");
  }
  flush_reports();
  notify_status();
}

// Dead gateway detection follows what the kernel now has: the gateways of the configured routes,
// from the interfaces they are reached through. Neighbour events are only listened to when
// passive detection wants them (they would wake vipad up for nothing otherwise).
void Daemon::update_gateways() {
  if (!gw_) return;
  if (cfg_.dgd.passive_dgd && !neigh_joined_) {
    Status s = events_.join(RTNLGRP_NEIGH);
    if (s.ok())
      neigh_joined_ = true;
    else
      log::warn(s.error().message + "; passive dead gateway detection is off");
  }
  gw_->set_targets(dgd_targets(cfg_, cache_.obs()));
  // A gateway no longer watched (a reload dropped active_dgd, its interface went away) must not
  // stay dead in the intent: the monitor's view is the truth.
  if (auto dead = gw_->dead_keys(); dead != intent_.dead_gateways) {
    intent_.dead_gateways = std::move(dead);
    schedule("gateways");
  }
}

void Daemon::refresh_routing_daemon(const std::vector<IpAddr>& restored) {
  if (!routing_runner_) return;
  for (auto& argv : refresh_commands(cfg_.routing, restored)) {
    if (argv.empty()) continue;
    // Run directly, never through a shell; a bare command name is looked up in the usual places.
    std::string path = find_command(argv[0]);
    log::notice("asking " + cfg_.routing.daemon + " to reinstall the routes the kernel flushed " +
                "with the VIPA address (" + argv[0] + ")");
    routing_runner_->run(path, std::vector<std::string>(argv.begin() + 1, argv.end()), {},
                         5'000'000);
  }
}

void Daemon::on_gateway(const GatewayTarget& t, bool alive, const std::string& reason) {
  bool changed =
      alive ? intent_.dead_gateways.erase(t.key) > 0 : intent_.dead_gateways.insert(t.key).second;
  if (!changed) return;
  FailoverStory story =
      gateway_story(cfg_, cache_.obs(), t.ifname, t.gateway, alive, reason, now_iso8601());
  record_failovers(story);
  for (auto& e : story.events) emit(e.event, e.vipa, e.message, std::move(e.extra));
  schedule("gateway");
}

void Daemon::notify_status() {
  std::string s = "STATUS=";
  for (auto& v : cfg_.vipas) {
    const Link* l = cache_.obs().link_by_name(v.name);
    s += v.name + " " + (l && l->admin_up() ? "up" : "down");
    int up = 0;
    auto ifs = vipa_interfaces(cfg_, cache_.obs(), v);
    for (auto& n : ifs)
      if (auto* x = cache_.obs().link_by_name(n); x && alive_link(*x)) ++up;
    s += " (" + std::to_string(up) + "/" + std::to_string(ifs.size()) + " interfaces); ";
  }
  s += std::to_string(repairs_) + " repairs";
  sd_notify(0, s.c_str());
}

Status Daemon::reload() {
  auto next = load_config(opt_.config_path);
  if (!next.ok()) return next.error();
  // Another publish table: its routes were never read.
  if (next.value().routing.table != cfg_.routing.table) resync_.routes_stale();
  cfg_ = std::move(next.value());
  set_route_filter();
  dp_->invalidate_sysctls();
  if (gw_) gw_->configure(cfg_.dgd);
  if (dvipa_) dvipa_->configure(cfg_);
  emit("reload", "", "configuration reloaded from " + opt_.config_path);
  schedule("reload");
  return Ok{};
}

int Daemon::on_signal(sd_event_source*, const signalfd_siginfo* si, void* self) {
  auto* d = static_cast<Daemon*>(self);
  if (si->ssi_signo == SIGHUP) {
    sd_notify(0, "RELOADING=1");
    Status s = Error::msg("internal error");
    guarded("reload", [&] { s = d->reload(); });
    if (!s.ok()) log::err("reload refused, running configuration kept: " + s.error().message);
    sd_notify(0, "READY=1");
    return 0;
  }
  log::notice("stopping; the VIPAs and routes stay in place");
  sd_notify(0, "STOPPING=1");
  // Companions of advertised routes have no lifetime of their own: they go with vipad, so that
  // a router's withdrawal while vipad is stopped is not undone by one (docs/ipv6-ra.md).
  d->intent_.stopping = true;
  d->converge_now();
  sd_event_exit(d->ev_, 0);
  return 0;
}

int Daemon::run() {
  Status s = lock_.acquire();
  if (!s.ok()) {
    log::err(s.error().message);
    return 1;
  }
  s = open_kernel();
  if (!s.ok()) {
    log::err(s.error().message);
    return 1;
  }
  if (sd_event_default(&ev_) < 0) {
    log::err("cannot create the event loop");
    return 1;
  }
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&mask, sig);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal(SIGPIPE, SIG_IGN);
  for (int sig : {SIGHUP, SIGTERM, SIGINT}) sd_event_add_signal(ev_, nullptr, sig, on_signal, this);
  sd_event_add_io(ev_, nullptr, events_.fd(), EPOLLIN, on_netlink, this);
  sd_event_add_defer(ev_, &defer_, on_defer, this);
  sd_event_source_set_enabled(defer_, SD_EVENT_OFF);
  // Keep systemd's watchdog fed from the loop itself: a wedged loop stops the pings.
  sd_event_set_watchdog(ev_, 1);

  ctl_ = std::make_unique<ControlServer>(ev_, opt_.socket_path, [this](const json& req, bool priv) {
    return handle_request(req, priv);
  });
  s = ctl_->start();
  if (!s.ok()) {
    log::err(s.error().message);
    return 1;
  }
  hooks_ = std::make_unique<HookRunner>(ev_, [](const std::string& m) { log::warn(m); });
  start_dvipa();
  routing_runner_ = std::make_unique<HookRunner>(ev_, [](const std::string& m) { log::warn(m); });
  gw_ = std::make_unique<GatewayMonitor>(
      ev_, cfg_.dgd, [this](const GatewayTarget& t, bool alive, const std::string& reason) {
        guarded("gateway event", [&] { on_gateway(t, alive, reason); });
      });
  if (!cfg_.daemon.metrics.empty()) {
    auto hp = parse_host_port(cfg_.daemon.metrics);
    metrics_ = std::make_unique<MetricsServer>(ev_, *hp, [this] {
      std::string body;
      guarded("metrics",
              [&] { body = render_metrics(metrics_snapshot()) + dvipa_->metrics_text(); });
      return body;
    });
    s = metrics_->start();
    if (!s.ok()) {
      log::err(s.error().message);
      return 1;
    }
  }
  // vtysh/birdc run without CAP_DAC_OVERRIDE: they reach the daemon's sockets by group.
  if (auto* rd = routing::find_daemon(cfg_.routing.daemon)) {
    Status g = join_groups({std::string(rd->socket_group)});
    if (!g.ok()) log::warn(g.error().message + "; " + cfg_.routing.daemon + " may refuse vipad");
  }
  srcsel_ = std::make_unique<srcsel::SourceSelector>(
      ev_, srcsel::SourceSelector::Options{opt_.source_unit_base}, [this] { schedule("source"); },
      [](const std::string& m) { log::notice(m); }, [](const std::string& m) { log::warn(m); });
  // Everything that needed more than CAP_NET_ADMIN/CAP_NET_RAW is done.
  s = drop_capabilities(!cfg_.sources.empty());
  if (!s.ok()) {
    log::err("dropping capabilities: " + s.error().message);
    return 1;
  }
  if (!guarded("converge", [this] { converge_now(); })) retry_later();
  int rc = sd_event_loop(ev_);
  return rc < 0 ? 1 : 0;
}

int Daemon::cleanup() {
  // A running vipad would re-create at once what cleanup removes: stop it first.
  Status s = lock_.acquire_stopping_owner(10000);
  if (!s.ok()) {
    log::err(s.error().message);
    return 1;
  }
  s = open_kernel();
  if (!s.ok()) {
    log::err(s.error().message);
    return 1;
  }
  // Withdraw before removing the address: routers must stop sending first.
  DvipaManager::withdraw_all_blocking(cfg_);
  MovesManager::cleanup_blocking();
  intent_.config = &cfg_;
  intent_.cleanup = true;
  ConvergeResult res = converge(intent_, cache_.obs(), *dp_, 16);
  log_applied(res);
  for (auto& [op, err] : res.failed) log::err(op.str() + ": " + err.message);
  if (!res.converged) {
    log::err("cleanup incomplete; the record of original values is kept in " + store_.path());
    return 1;
  }
  srcsel::SourceSelector::cleanup([](const std::string& m) { log::info(m); });
  (void)store_.remove();
  log::notice("cleanup done: " + std::to_string(res.applied_count) + " change(s)");
  return 0;
}

}  // namespace vipa
