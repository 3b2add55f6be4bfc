// DvipaManager's commands to the routing daemon: one at a time, in order, a newer decision
// for a DVIPA replacing a queued one; BGP's route-maps made before the first announcement.
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "daemon/dvipa_manager.h"
#include "daemon/log.h"

namespace vipa {

using nlohmann::json;

void DvipaManager::enqueue(Job j) {
  if (j.kind == Job::Kind::Sync) {
    Entry* e = find(j.entry);
    if (!e) return;
    if (e->queued) {
      for (auto& q : jobs_)
        if (q.kind == Job::Kind::Sync && q.entry == j.entry) q.force |= j.force;
      return;
    }
    e->queued = true;
  }
  jobs_.push_back(j);
  run_next_job();
}

void DvipaManager::run_next_job() {
  while (!cmd_.running() && !running_job_ && !jobs_.empty()) {
    Job j = jobs_.front();
    jobs_.pop_front();
    if (j.kind == Job::Kind::Sync && need_setup_) {
      // BGP's route-maps exist before any network statement points at one.
      need_setup_ = false;
      auto setup = adapter_->setup(configs());
      if (!setup.empty()) {
        jobs_.push_front(j);
        Job s{Job::Kind::Setup, 0, false};
        running_job_ = s;
        cmd_.start(setup.front(), kCommandUsec, true,
                   [this, s](const ChildResult& r) { on_job_done(s, std::nullopt, r); });
        return;
      }
    }
    if (j.kind == Job::Kind::Setup) continue;
    Entry* e = find(j.entry);
    if (!e) continue;
    e->queued = false;
    bool retiring = !entries_.count(e->cfg.name) || entries_.at(e->cfg.name).get() != e;
    std::optional<uint32_t> want = retiring ? std::nullopt : e->machine.announce();
    if (!j.force && e->applied_known && want == e->applied) {
      if (retiring) on_job_done(j, want, ChildResult{true, false, true, 0, "", ""});
      continue;
    }
    running_job_ = j;
    e->last_command_ms = now_ms();
    routing::Argv argv = want ? adapter_->announce(e->cfg, *want) : adapter_->withdraw(e->cfg);
    cmd_.start(argv, kCommandUsec, true,
               [this, j, want](const ChildResult& r) { on_job_done(j, want, r); });
    return;
  }
}

void DvipaManager::on_job_done(const Job& j, std::optional<uint32_t> want, const ChildResult& r) {
  running_job_.reset();
  ++commands_;
  bool ok = r.ok() || (!want && r.started && r.exited && adapter_->nothing_to_do(r.output));
  if (!ok) ++command_failures_;
  if (j.kind == Job::Kind::Setup) {
    if (!ok) {
      log::warn("dvipa: " + adapter_->name() + " setup failed (" + r.describe() + "): " + r.output);
      need_setup_ = true;
    }
  } else if (Entry* e = find(j.entry)) {
    const std::string& n = e->cfg.name;
    if (ok) {
      bool changed = !e->applied_known || e->applied != want;
      e->applied = want;
      e->applied_known = true;
      e->withdraw_failures = 0;
      if (changed) {
        ++e->announcements;
        emit_("dvipa_announce", n,
              n + ": " +
                  (want ? "announced with metric " + std::to_string(*want)
                        : std::string("withdrawn")) +
                  " (" + adapter_->name() + ")",
              {{"dvipa", n}, {"metric", want ? json(*want) : json(nullptr)}});
      }
    } else {
      log::warn("dvipa: " + n + ": " + adapter_->name() + " " + (want ? "announce" : "withdraw") +
                " failed (" + r.describe() + "): " + r.output);
      e->applied_known = false;  // retried by the next evaluation
      if (!want) ++e->withdraw_failures;
    }
    // A removed DVIPA's link goes once the routers acted on its withdraw (remove_retired), or
    // at once when the withdraw failed three times: the daemon is then not running, so nothing
    // announces it.
    auto it = std::find_if(retiring_.begin(), retiring_.end(),
                           [&](const std::unique_ptr<Entry>& x) { return x.get() == e; });
    if (it != retiring_.end()) {
      if (ok && !want) {
        e->retired_withdrawn_ms = now_ms();
        e->retired_confirmed = false;
      } else if (e->withdraw_failures >= 3) {
        retiring_.erase(it);
        if (links_changed_) links_changed_();
      } else {
        enqueue({Job::Kind::Sync, j.entry, false});
      }
    }
  }
  run_next_job();
}

// As remove_retired, blocking (vipad --cleanup runs no loop): every withdraw, then the view read
// until it shows none of them announced, and kRemoveGraceMs after the last withdraw at least.
void DvipaManager::withdraw_all_blocking(const Config& cfg) {
  auto adapter = routing::make_adapter(cfg.routing);
  if (!adapter || cfg.dvipas.empty()) return;
  bool any = false;
  for (auto& d : cfg.dvipas) {
    ChildResult r = run_blocking(adapter->withdraw(d), kCommandUsec);
    if (r.ok() || (r.started && r.exited && adapter->nothing_to_do(r.output))) {
      log::notice("dvipa: " + d.name + " withdrawn");
      any = true;
    } else {
      log::warn("dvipa: " + d.name + ": withdraw failed (" + r.describe() + "): " + r.output);
    }
  }
  if (!any) return;
  auto mono_ms = [] {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
  };
  const uint64_t start = mono_ms();
  bool confirmed = false;
  while (!confirmed && mono_ms() - start < kRemoveGiveUpMs) {
    ChildResult r = run_blocking(adapter->view(cfg.dvipas), kCommandUsec);
    routing::ViewRead vr;
    if (r.started && !r.timed_out) vr = adapter->parse_view(r.output, cfg.dvipas);
    if (vr.ok) {
      confirmed = true;
      for (auto& [n, v] : vr.by_name)
        if (!v.ok || v.self_metric()) confirmed = false;
    }
    if (!confirmed) usleep(200'000);
  }
  if (!confirmed)
    log::warn("dvipa: no view confirmed the withdraws within " +
              std::to_string(kRemoveGiveUpMs / 1000) + " s; removing the addresses anyway");
  uint64_t spent = mono_ms() - start;
  if (spent < kRemoveGraceMs) usleep(static_cast<useconds_t>((kRemoveGraceMs - spent) * 1000));
}

}  // namespace vipa
