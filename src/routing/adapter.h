// How vipad speaks to the routing daemon about Dynamic VIPAs: announce with a metric,
// withdraw, and read the protocol's own view. Pure: an adapter only builds argv lists and
// parses the daemon's answers; src/daemon runs them (fork+execve, no shell, with a timeout,
// never blocking the loop). docs/dynamic-vipa.md lists the exact commands.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "dvipa/view.h"

namespace vipa::routing {

using Argv = std::vector<std::string>;

struct ViewRead {
  bool ok = false;
  std::string error;                           // why the view could not be read
  std::map<std::string, dvipa::View> by_name;  // DVIPA name -> its view (each ok when read)
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual std::string name() const = 0;  // "frr/ospf"
  // Run before the first announcement, and again before re-asserting one the daemon lost
  // (it restarted): e.g. BGP's route-maps, one per metric this host may use.
  virtual std::vector<Argv> setup(const std::vector<DvipaConfig>& dvipas) const = 0;
  virtual Argv announce(const DvipaConfig& d, uint32_t metric) const = 0;
  virtual Argv withdraw(const DvipaConfig& d) const = 0;
  // A command that exited non-zero but only because there was nothing to do (withdrawing
  // what is not announced).
  virtual bool nothing_to_do(const std::string& output) const = 0;
  virtual Argv view(const std::vector<DvipaConfig>& dvipas) const = 0;
  virtual ViewRead parse_view(const std::string& output,
                              const std::vector<DvipaConfig>& dvipas) const = 0;
};

// [routing] daemon and announce -> the adapter; nullptr for daemon = "none".
std::unique_ptr<Adapter> make_adapter(const RoutingConfig& rc);

// The top-level JSON values of a text holding several (vtysh with several -c commands prints
// each answer in turn). Text outside them is skipped.
std::vector<std::string> split_json_values(const std::string& text);

}  // namespace vipa::routing
