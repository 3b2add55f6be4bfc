// The real Dataplane: plan operations as rtnetlink requests and /proc/sys writes.
#pragma once

#include <functional>
#include <string>

#include "core/dataplane.h"
#include "core/kernel_effects.h"
#include "daemon/state_store.h"
#include "nl/socket.h"

namespace vipa {

class NetlinkDataplane : public Dataplane {
 public:
  using Notice = std::function<void(const std::string&)>;
  NetlinkDataplane(nl::Socket& sock, StateStore& store, Notice notice)
      : sock_(sock), store_(store), notice_(std::move(notice)) {}

  Status apply(const Op& op, Observed& obs) override;
  Status save_originals(const Observed& obs) override;
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
  using Causes = std::vector<KernelCause>;
  Status do_apply(const Op::CreateLink& op, const Causes&, Observed& obs);
  Status do_apply(const Op::DeleteLink& op, const Causes&, Observed& obs);
  Status do_apply(const Op::SetLink& op, const Causes&, Observed& obs);
  Status do_apply(const Op::AddAddr& op, const Causes&, Observed& obs);
  Status do_apply(const Op::DelAddr& op, const Causes&, Observed& obs);
  Status do_apply(const Op::AddRoute& op, const Causes&, Observed& obs);
  Status do_apply(const Op::ReplaceRoute& op, const Causes&, Observed& obs);
  Status do_apply(const Op::DelRoute& op, const Causes&, Observed& obs);
  Status do_apply(const Op::SetSysctl& op, const Causes&, Observed& obs);
  void follow_kernel(const Causes& causes, Observed& obs);
  Status create_link(const Op::CreateLink& op, Observed& obs);
  Status route_request(uint16_t type, uint16_t flags, const Route& r);
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
