// The control socket (docs/control-protocol.md): newline-delimited JSON over a Unix stream
// socket, served from the daemon's event loop without blocking it. Every client is bounded in
// buffered bytes and idle time, so no client can wedge vipad or grow its memory.
#pragma once

#include <systemd/sd-event.h>

#include <functional>
#include <list>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"
#include "ctl/request.h"

namespace vipa {

class ControlServer {
 public:
  using Handler = std::function<nlohmann::json(const nlohmann::json& req, bool privileged)>;
  static constexpr size_t kMaxLine = 65536;
  static constexpr size_t kMaxClients = 256;
  static constexpr size_t kMaxOutput = 4 << 20;  // a monitor that stops reading is dropped
  static constexpr uint64_t kIdleUsec = 30'000'000;
  static constexpr int kLinesPerTurn = 16;
  static constexpr int64_t kClientPriority = 10;  // after netlink and timers (priority 0)

  ControlServer(sd_event* ev, std::string path, Handler handler);
  ~ControlServer();
  Status start();
  void broadcast(const nlohmann::json& event);
  size_t clients() const { return clients_.size(); }

 private:
  struct Client {
    ControlServer* server = nullptr;
    int fd = -1;
    uid_t uid = static_cast<uid_t>(-1);
    sd_event_source* io = nullptr;
    sd_event_source* timer = nullptr;
    std::string in, out;
    bool monitor = false;
    bool closing = false;  // close once `out` is flushed
  };

  static int on_accept(sd_event_source* s, int fd, uint32_t revents, void* self);
  static int on_client(sd_event_source* s, int fd, uint32_t revents, void* c);
  static int on_idle(sd_event_source* s, uint64_t usec, void* c);
  static int on_defer(sd_event_source* s, void* self);
  void process(Client& c);
  void handle_line(Client& c, const std::string& line);
  void send(Client& c, const nlohmann::json& j);
  void flush(Client& c);
  void update_events(Client& c);
  void drop(Client* c);
  void arm_idle(Client& c);

  sd_event* ev_;
  std::string path_;
  Handler handler_;
  int listen_fd_ = -1;
  sd_event_source* listen_src_ = nullptr;
  sd_event_source* defer_ = nullptr;  // clients with complete lines left over
  std::list<Client> clients_;
};

using ctl::error_answer;

}  // namespace vipa
