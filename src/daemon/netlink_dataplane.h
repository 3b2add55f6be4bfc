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

 private:
  Status create_link(const Op& op, Observed& obs);
  Status route_request(uint16_t type, uint16_t flags, const Route& r);
  Status save_state(const Observed& obs);

  nl::Socket& sock_;
  StateStore& store_;
  Notice notice_;
  std::vector<char> buf_ = std::vector<char>(8192);
};

}  // namespace vipa
