// A Dynamic VIPA's health check, run from the event loop every interval_ms: exec (argv, no
// shell, exit 0 passes; killed with its process group at timeout_ms and counted as a
// failure), tcp (a connect within timeout_ms passes) or http (a 2xx status line within
// timeout_ms passes). Each result goes to the callback; rise/fall are judged in src/dvipa.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <memory>
#include <string>

#include "config/dvipa_config.h"
#include "daemon/child_process.h"

namespace vipa {

class HealthProbe {
 public:
  using Report = std::function<void(bool pass, const std::string& detail)>;

  HealthProbe(sd_event* ev, HealthConfig cfg, Report report);
  ~HealthProbe();
  HealthProbe(const HealthProbe&) = delete;
  HealthProbe& operator=(const HealthProbe&) = delete;
  void start();  // the first check at once, then every interval_ms

 private:
  void run_check();
  void start_socket();
  void socket_event(uint32_t revents);
  void socket_done(bool pass, const std::string& detail);
  void close_socket();
  static int on_interval(sd_event_source* s, uint64_t usec, void* self);
  static int on_socket(sd_event_source* s, int fd, uint32_t revents, void* self);
  static int on_socket_timeout(sd_event_source* s, uint64_t usec, void* self);

  sd_event* ev_;
  HealthConfig cfg_;
  Report report_;
  ChildProcess child_;
  sd_event_source* interval_ = nullptr;
  int fd_ = -1;
  sd_event_source *io_ = nullptr, *deadline_ = nullptr;
  bool sent_ = false;
  std::string request_, response_;
};

}  // namespace vipa
