// The control socket (docs/control-protocol.md): newline-delimited JSON over a Unix stream
// socket, served from the daemon's event loop without blocking it. Every client is bounded in
// buffered bytes and idle time, so no client can wedge vipad or grow its memory.
//
// Fairness is by construction, not by timing: reading a socket and answering its lines are
// separate steps. A client's socket is read only when none of its lines waits for an answer
// (so at most one read, 16 KiB, plus one partial line is buffered per client); clients with
// lines waiting queue up in arrival order and each turn answers at most kLinesPerTurn lines of
// the client at the head, which then goes to the back. Another client therefore waits at most
// one turn per client ahead of it, however fast anyone pipelines.
//
// Clients are never freed where a failure is noticed (a send failing inside broadcast() may be
// reached from a request of that very client): they are marked dead and freed by one deferred
// source that runs outside every callback.
#pragma once

#include <systemd/sd-event.h>

#include <deque>
#include <functional>
#include <list>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"
#include "control/request.h"

namespace vipa {

class ControlServer {
 public:
  using Handler = std::function<nlohmann::json(const nlohmann::json& req, bool privileged)>;
  static constexpr size_t kMaxLine = 65536;
  static constexpr size_t kMaxClients = 256;
  static constexpr size_t kMaxOutput = 4 << 20;  // unsent answers; one answer may exceed it
  // Unsent events a `monitor` client may hold before it is dropped (with a log line): a
  // subscriber that stops reading costs at most this much, never the daemon's memory.
  static constexpr size_t kMaxMonitorBacklog = 1 << 20;
  static constexpr size_t kReadChunk = 16384;
  static constexpr uint64_t kIdleUsec = 30'000'000;
  static constexpr int kLinesPerTurn = 16;
  static constexpr int64_t kClientPriority = 10;  // after netlink and timers (priority 0)
  // Answering comes after every client's reads and writes, so a queue of work never hides a
  // newly arrived request from the queue.
  static constexpr int64_t kTurnPriority = kClientPriority + 1;

  ControlServer(sd_event* ev, std::string path, Handler handler);
  ~ControlServer();
  Status start();
  void broadcast(const nlohmann::json& event);
  // Clients held, including those marked dead until the reaper frees them.
  size_t clients() const { return clients_.size(); }
  size_t live_clients() const;

 private:
  struct Client {
    ControlServer* server = nullptr;
    int fd = -1;
    uid_t uid = static_cast<uid_t>(-1);
    sd_event_source* io = nullptr;
    sd_event_source* timer = nullptr;
    std::string in, out;
    size_t in_off = 0, out_off = 0;  // consumed prefixes (erasing per line is quadratic)
    bool monitor = false;
    bool closing = false;  // close once `out` is flushed
    bool queued = false;   // in ready_
    bool dead = false;     // freed by the reaper
    bool hung_up = false;  // the peer is gone: its last lines are answered, nothing is watched
  };

  static int on_accept(sd_event_source* s, int fd, uint32_t revents, void* self);
  static int on_client(sd_event_source* s, int fd, uint32_t revents, void* c);
  static int on_idle(sd_event_source* s, uint64_t usec, void* c);
  static int on_turn(sd_event_source* s, void* self);
  static int on_reap(sd_event_source* s, void* self);
  static bool has_line(const Client& c);
  static bool out_pending(const Client& c) { return c.out_off < c.out.size(); }
  bool wants_read(const Client& c) const;
  void read_some(Client& c);
  void answer_turn(Client& c);
  void handle_line(Client& c, const std::string& line);
  void send(Client& c, const nlohmann::json& j);
  void flush(Client& c);
  void settle(Client& c);  // after any step: queue, watch, or mark dead
  void kill(Client& c);
  void free_client(Client& c);
  void arm_idle(Client& c);

  sd_event* ev_;
  std::string path_;
  Handler handler_;
  int listen_fd_ = -1;
  sd_event_source* listen_src_ = nullptr;
  sd_event_source* turn_ = nullptr;  // answers the head of ready_
  sd_event_source* reap_ = nullptr;  // frees dead clients
  std::list<Client> clients_;
  std::deque<Client*> ready_;  // clients with a complete line and nothing unsent, FIFO
};

using control::error_answer;

}  // namespace vipa
