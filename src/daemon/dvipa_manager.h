// Dynamic VIPAs in vipad: wires the pure decisions (src/dvipa) to the event loop. It runs the
// health checks, reads the routing protocol's view and the kernel's sockets, steps each
// DVIPA's machine, and runs the routing daemon's commands (src/routing), one at a time, never
// blocking the loop. The daemon gives it the config and the kernel's state, and puts the
// links it asks for (links()) into its Intent.
#pragma once

#include <systemd/sd-event.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/desired.h"
#include "core/model.h"
#include "daemon/child_process.h"
#include "daemon/dvipa_health.h"
#include "daemon/hooks.h"
#include "daemon/moves_manager.h"
#include "dvipa/damping.h"
#include "dvipa/machine.h"
#include "routing/adapter.h"

namespace vipa {

class DvipaManager {
 public:
  using Emit = std::function<void(const std::string& event, const std::string& name,
                                  const std::string& message, nlohmann::json extra)>;
  static constexpr uint64_t kTickUsec = 100'000;
  static constexpr uint64_t kIdlePollMs = 200;
  static constexpr uint64_t kCommandUsec = 5'000'000;
  static constexpr uint64_t kReassertMs = 1000;
  static constexpr uint64_t kFirstViewMs = 3000;  // decide without a view after this
  // A removed DVIPA's address goes only once a view read after its withdraw shows this host no
  // longer announcing it, and at least this long after the withdraw command finished: the
  // routers must have acted on the withdraw (BGP: the UPDATE sent, their best path run).
  static constexpr uint64_t kRemoveGraceMs = 1000;
  static constexpr uint64_t kRemoveGiveUpMs = 10'000;  // no view confirms it: remove anyway

  DvipaManager(sd_event* ev, const Observed* obs, HookRunner* hooks, Emit emit,
               std::function<void()> links_changed);
  ~DvipaManager();

  // Where `vipactl dvipa withdraw` is remembered across vipad restarts (beside the socket, so a
  // reboot forgets it); read here, before the first configure().
  void set_withdrawn_path(std::string path);
  // At start and on every reload.
  void configure(const Config& cfg);
  // The links the kernel must hold: configured DVIPAs, and removed ones not yet withdrawn.
  std::vector<Intent::DvipaLink> links() const;
  // A kernel event: interfaces, routes.
  void kernel_changed();
  // delay_join's way back out: the kernel cache does not hold the routing daemons' routes
  // (vipad never receives them), so while a DVIPA is joining the manager asks the kernel with
  // this: does the main table hold a route of theirs through one of these interfaces?
  // A route of FAMILY (AF_INET, AF_INET6) out through one of IFINDEXES in the main table.
  using RouteProbe = std::function<bool(const std::vector<int>& ifindexes, uint8_t family)>;
  void set_route_probe(RouteProbe p) { route_probe_ = std::move(p); }
  static constexpr uint64_t kRouteProbeMs = 200;
  bool empty() const { return entries_.empty() && retiring_.empty(); }

  // Control commands.
  nlohmann::json status_json(const std::string& name) const;  // {"dvipas": [...]}
  nlohmann::json vipadyn_json() const;
  Result<nlohmann::json> withdraw(const std::string& name);
  Result<nlohmann::json> resume(const std::string& name);
  Result<nlohmann::json> takeback(const std::string& name);
  // The connections established here on a DVIPA and where its moved flows go: what z/OS's
  // NETSTAT VCRT shows a distributor (`vipactl dvipa connections NAME`).
  Result<nlohmann::json> connections_json(const std::string& name) const;
  static constexpr size_t kConnectionsListed = 1000;  // an answer lists at most this many
  // z/OS VARY ... DEACTIVATE: withdrawn here; with peers, its connections stay here (MOVING).
  Result<nlohmann::json> drain(const std::string& name) { return withdraw(name); }
  std::string metrics_text() const;

  // vipad --cleanup: withdraw every DVIPA of `cfg`, waiting for each command.
  static void withdraw_all_blocking(const Config& cfg);

 private:
  struct Entry {
    uint64_t id = 0;
    DvipaConfig cfg;
    dvipa::Machine machine;
    dvipa::HealthCounter health;
    std::unique_ptr<HealthProbe> probe;
    std::string health_detail;
    bool admin_withdrawn = false;
    int busy = -1;
    dvipa::View view;
    std::optional<uint32_t> applied;  // what the daemon was last told (nullopt: withdrawn)
    bool applied_known = false;       // false until a command succeeded or the view showed it
    uint64_t last_command_ms = 0;
    bool queued = false;
    int withdraw_failures = 0;
    uint64_t route_probe_ms = 0;  // delay_join: the last ask of route_probe_, and its answer
    bool route_probed = false;
    uint64_t retired_withdrawn_ms = 0;  // retiring: when its withdraw finished (0: not yet)
    bool retired_confirmed = false;     // retiring: a later view shows it withdrawn
    uint64_t transitions = 0, announcements = 0;
    std::set<std::string> problems;
    Entry(uint64_t i, const DvipaConfig& c);
  };
  struct Job {
    enum class Kind { Setup, Sync } kind;
    uint64_t entry = 0;
    bool force = false;
  };

  uint64_t now_ms() const;
  void tick();
  void evaluate(Entry& e, uint64_t now);
  dvipa::Params params_of(const DvipaConfig& d) const;
  std::vector<std::string> ifaces_of(const DvipaConfig& d) const;
  bool interfaces_up(const DvipaConfig& d) const;
  bool route_out(Entry& e, uint64_t now);
  void start_health(Entry& e);
  void on_health(uint64_t id, bool pass, const std::string& detail);
  void poll_view();
  void on_view(const ChildResult& r);
  void poll_idle(uint64_t now);
  void remove_retired(uint64_t now);
  void save_withdrawn();
  void enqueue(Job j);
  void run_next_job();
  void on_job_done(const Job& j, std::optional<uint32_t> wanted, const ChildResult& r);
  Entry* find(uint64_t id);
  Entry* find(const std::string& name);
  std::vector<DvipaConfig> configs() const;
  nlohmann::json entry_json(const Entry& e, uint64_t now) const;
  static int on_tick(sd_event_source* s, uint64_t usec, void* self);

  sd_event* ev_;
  const Observed* obs_;
  HookRunner* hooks_;
  Emit emit_;
  std::function<void()> links_changed_;
  RouteProbe route_probe_;
  std::string withdrawn_path_;
  std::set<std::string> withdrawn_by_hand_;
  Config cfg_;
  std::unique_ptr<routing::Adapter> adapter_;
  std::map<std::string, std::unique_ptr<Entry>> entries_;
  std::vector<std::unique_ptr<Entry>> retiring_;
  uint64_t next_id_ = 1;
  sd_event_source* tick_ = nullptr;
  ChildProcess cmd_, view_;
  std::deque<Job> jobs_;
  std::optional<Job> running_job_;
  bool need_setup_ = true;
  bool first_view_done_ = false;
  bool view_ok_once_ = false;
  uint64_t started_ms_ = 0;
  uint64_t last_view_ms_ = 0, last_idle_ms_ = 0;
  uint64_t view_started_ms_ = 0;  // when the view being read was asked for
  std::string view_error_;
  std::unique_ptr<MovesManager> moves_;  // nondisruptive moves (DVIPAs with peers)
  uint64_t views_ = 0, view_failures_ = 0, commands_ = 0, command_failures_ = 0, reasserts_ = 0;
};

}  // namespace vipa
