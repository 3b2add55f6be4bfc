// vipad: one sd-event loop; rtnetlink events and signals lead to the same converge().
#pragma once

#include <systemd/sd-event.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "config/config.h"
#include "core/converge.h"
#include "core/failover_story.h"
#include "core/iface_watch.h"
#include "core/metrics_text.h"
#include "core/resync_policy.h"
#include "core/status_view.h"
#include "daemon/control_server.h"
#include "daemon/dgd_monitor.h"
#include "daemon/dvipa_manager.h"
#include "daemon/hooks.h"
#include "daemon/instance_lock.h"
#include "daemon/kernel_cache.h"
#include "daemon/metrics_server.h"
#include "daemon/netlink_dataplane.h"
#include "daemon/state_store.h"
#include "nl/socket.h"
#include "srcsel/kernel/source_selector.h"

namespace vipa {

struct Options {
  std::string config_path = "/etc/vipa/vipa.conf";
  std::string socket_path = "/run/vipa/vipad.sock";
  std::string state_path;  // default: beside the socket
  int netlink_rcvbuf = 8 << 20;
  bool verbose = false;
  std::string source_unit_base;  // [[source]] units below this cgroup, not systemd's (tests)
};

class Daemon {
 public:
  Daemon(Options opt, Config cfg);
  ~Daemon();
  int run();      // until SIGTERM/SIGINT; returns the exit code
  int cleanup();  // remove what vipad made, restore what it changed

  // For the control server.
  nlohmann::json handle_request(const nlohmann::json& req, bool privileged);

 private:
  Status open_kernel();
  Status resync();
  void set_route_filter();
  void handle_message(const nlmsghdr* nlh);
  void schedule(const char* why);
  void converge_now();
  void retry_later();  // converge again after kRetryDelayUsec (a failed dump or converge)
  void log_applied(const ConvergeResult& res);
  void track_link(const Link& old_link, const Link& new_link);
  void record_failovers(const FailoverStory& story);
  void emit(const std::string& event, const std::string& vipa, const std::string& message,
            nlohmann::json extra = {});
  void notify_status();
  void report(const std::string& event, const std::string& vipa, const std::string& message,
              nlohmann::json extra = {});
  void flush_reports();
  Status reload();

  // Control commands (daemon_admin.cpp, daemon_status.cpp).
  StatusInput status_input() const;  // what status, show and metrics are computed from
  nlohmann::json status_json() const;
  MetricsSnapshot metrics_snapshot() const;
  void on_gateway(const GatewayTarget& t, bool alive, const std::string& reason);
  void update_gateways();
  void refresh_routing_daemon(const std::vector<IpAddr>& restored);
  void run_hook(const std::string& event, const std::string& vipa, const nlohmann::json& extra);
  nlohmann::json vipa_json(const VipaConfig& v) const;
  // mkdev, chdev, rmdev and route, decided by core/admin_change.h (daemon_admin.cpp).
  nlohmann::json cmd_admin(const nlohmann::json& req);
  nlohmann::json cmd_reload();
  // AIX's inet0 commands: route, no, netstat -in, lsdev (daemon_route_cmds.cpp); netstat -C is
  // core/status_view.h's route_costs_json.
  nlohmann::json cmd_interfaces();
  nlohmann::json cmd_inet0() const;
  nlohmann::json dvipa_request(const nlohmann::json& req, bool privileged);  // daemon_dvipa.cpp
  void start_dvipa();

  static int on_netlink(sd_event_source* s, int fd, uint32_t revents, void* self);
  static int on_defer(sd_event_source* s, void* self);
  static int on_signal(sd_event_source* s, const signalfd_siginfo* si, void* self);

  Options opt_;
  Config cfg_;
  KernelCache cache_;
  nl::Socket events_, req_;
  StateStore store_;
  InstanceLock lock_;
  std::unique_ptr<NetlinkDataplane> dp_;
  Intent intent_;
  sd_event* ev_ = nullptr;
  sd_event_source* defer_ = nullptr;
  sd_event_source* retry_ = nullptr;
  std::unique_ptr<ControlServer> ctl_;
  std::unique_ptr<HookRunner> hooks_;
  std::unique_ptr<GatewayMonitor> gw_;
  std::unique_ptr<DvipaManager> dvipa_;  // Dynamic VIPAs (src/dvipa, docs/dynamic-vipa.md)
  // vtysh/birdc after a VIPA came back; its own runner, so a slow notify hook cannot delay it.
  std::unique_ptr<HookRunner> routing_runner_;
  bool neigh_joined_ = false;
  std::unique_ptr<MetricsServer> metrics_;
  std::unique_ptr<srcsel::SourceSelector> srcsel_;  // [[source]] rules
  DurationHistogram reconcile_hist_;
  std::map<std::string, uint64_t> failovers_by_vipa_;

  ResyncPolicy resync_;  // which tables to read again before the next converge
  bool converged_once_ = false;
  bool converged_now_ = false;   // the last reconcile made every planned change (vipa_converged)
  bool foreign_change_ = false;  // the pending converge answers another tool's change
  std::set<std::string> logged_problems_;
  IfaceWatch iface_watch_;  // logs listed interfaces appearing, going, renamed, enslaved
  std::map<std::string, nlohmann::json> last_failover_;  // by VIPA name
  size_t converges_ = 0, repairs_ = 0, resyncs_ = 0, failovers_ = 0;
  size_t daemon_routes_left_alone_ = 0;
  struct Report {
    std::string event, vipa, message;
    nlohmann::json extra;
  };
  std::vector<Report> pending_reports_;  // link events, told after their converge
};

std::string now_iso8601();

}  // namespace vipa
