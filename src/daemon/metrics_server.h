// `[daemon] metrics = "ADDR:PORT"`: Prometheus scrapes over plain HTTP/1.0, served from the
// daemon's event loop. One request per connection, a bounded request, a closed connection
// after each answer: a scraper needs no more, and a hostile client gets no more.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <list>
#include <string>

#include "common/result.h"
#include "config/config.h"

namespace vipa {

class MetricsServer {
 public:
  using Render = std::function<std::string()>;
  static constexpr size_t kMaxRequest = 8192;
  static constexpr size_t kMaxClients = 64;
  static constexpr uint64_t kTimeoutUsec = 5'000'000;  // whole request and answer
  // Scrapes come after netlink and timers (priority 0) and after control clients (10): a busy
  // scraper never delays a kernel event.
  static constexpr int64_t kPriority = 20;

  MetricsServer(sd_event* ev, HostPort addr, Render render);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  Status start();
  uint16_t port() const { return bound_port_; }  // the real port (for a configured port 0)

 private:
  struct Client {
    MetricsServer* server = nullptr;
    int fd = -1;
    sd_event_source* io = nullptr;
    sd_event_source* timer = nullptr;
    std::string in, out;
    size_t out_off = 0;  // sent prefix of out
    bool answered = false;
  };

  static int on_accept(sd_event_source* s, int fd, uint32_t revents, void* self);
  static int on_client(sd_event_source* s, int fd, uint32_t revents, void* c);
  static int on_timeout(sd_event_source* s, uint64_t usec, void* c);
  void answer(Client& c);
  void flush(Client& c);
  void drop(Client* c);

  sd_event* ev_;
  HostPort addr_;
  Render render_;
  int listen_fd_ = -1;
  uint16_t bound_port_ = 0;
  sd_event_source* listen_src_ = nullptr;
  std::list<Client> clients_;
};

// The HTTP answer (status line, headers, body) to one request head; pure, for tests.
// `render` is called only for GET /metrics.
std::string metrics_http_answer(const std::string& head,
                                const std::function<std::string()>& render);

}  // namespace vipa
