// The real Dataplane: plan operations as rtnetlink requests and /proc/sys writes.
#pragma once

#include <functional>
#include <string>

#include "core/dataplane.h"
#include "daemon/state_store.h"
#include "nl/socket.h"

namespace vipa {

class NetlinkDataplane : public Dataplane {
 public:
  using Notice = std::function<void(const std::string&)>;
  NetlinkDataplane(nl::Socket& sock, StateStore& store, Notice notice)
      : sock_(sock), store_(store), notice_(std::move(notice)) {}

  Status apply(const Op& op, Observed& obs) override;
  void read_sysctls(const std::set<std::string>& paths, Observed& obs) override;
  // Batches of kBatch requests per sendmsg, each acknowledged; between batches `between` runs
  // (the daemon drains its event socket there, so vipad's own echoes cannot overrun it).
  size_t apply_rewrites(const std::vector<SourceRewrite>& rw, Observed& obs,
                        std::vector<std::pair<size_t, Error>>& failed) override;
  // Sysctls change through vipad's own writes (which update obs) or with a link: read them again
  // only after this (a link appeared or went, a resync, a reload), not on every pass.
  void invalidate_sysctls() { sysctls_fresh_ = false; }
  void set_between_batches(std::function<void()> between) { between_ = std::move(between); }
  static constexpr size_t kBatch = 100;

 private:
  Status create_link(const Op& op, Observed& obs);
  Status route_request(uint16_t type, uint16_t flags, const Route& r);
  Status save_state(const Observed& obs);
  void tell_daemon_routes_flushed(const IpAddr& a);

  nl::Socket& sock_;
  StateStore& store_;
  Notice notice_;
  std::vector<char> buf_ = std::vector<char>(8192);
  std::vector<char> batch_;
  std::function<void()> between_;
  bool sysctls_fresh_ = false;
  std::set<std::string> sysctl_paths_;
};

}  // namespace vipa
