#include "daemon/control_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/bytes_text.h"
#include "daemon/log.h"

namespace vipa {

using nlohmann::json;

ControlServer::ControlServer(sd_event* ev, std::string path, Handler handler)
    : ev_(ev), path_(std::move(path)), handler_(std::move(handler)) {}

ControlServer::~ControlServer() {
  ready_.clear();
  while (!clients_.empty()) free_client(clients_.front());
  if (listen_src_) sd_event_source_disable_unref(listen_src_);
  if (turn_) sd_event_source_disable_unref(turn_);
  if (reap_) sd_event_source_disable_unref(reap_);
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    unlink(path_.c_str());
  }
}

size_t ControlServer::live_clients() const {
  return static_cast<size_t>(
      std::count_if(clients_.begin(), clients_.end(), [](const Client& c) { return !c.dead; }));
}

Status ControlServer::start() {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path_.size() >= sizeof sa.sun_path) return Error::msg(path_ + ": socket path too long");
  std::strcpy(sa.sun_path, path_.c_str());
  // The runtime directory may not exist yet (outside systemd's RuntimeDirectory=). A bare name
  // ("vipad.sock") lives in the working directory, which exists.
  auto slash = path_.rfind('/');
  if (slash != std::string::npos && slash > 0) mkdir(path_.substr(0, slash).c_str(), 0755);
  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Error::sys(errno, "control socket");
  unlink(path_.c_str());     // a stale socket from a previous run
  mode_t old = umask(0177);  // created 0600: only root may connect by default
  int rc = bind(listen_fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  umask(old);
  if (rc < 0) return Error::sys(errno, "bind " + path_);
  if (listen(listen_fd_, 64) < 0) return Error::sys(errno, "listen " + path_);
  if (sd_event_add_io(ev_, &listen_src_, listen_fd_, EPOLLIN, on_accept, this) < 0)
    return Error::msg("cannot watch the control socket");
  sd_event_source_set_priority(listen_src_, kClientPriority);
  if (sd_event_add_defer(ev_, &turn_, on_turn, this) < 0 ||
      sd_event_add_defer(ev_, &reap_, on_reap, this) < 0)
    return Error::msg("cannot schedule control clients");
  sd_event_source_set_priority(turn_, kTurnPriority);
  sd_event_source_set_enabled(turn_, SD_EVENT_OFF);
  sd_event_source_set_priority(reap_, kClientPriority);
  sd_event_source_set_enabled(reap_, SD_EVENT_OFF);
  return Ok{};
}

int ControlServer::on_accept(sd_event_source*, int fd, uint32_t, void* self) {
  auto* s = static_cast<ControlServer*>(self);
  for (;;) {
    int cfd = accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0) break;
    if (s->live_clients() >= kMaxClients) {
      std::string line = error_answer("busy", "too many clients").dump() + "\n";
      (void)!write(cfd, line.data(), line.size());
      close(cfd);
      continue;
    }
    ucred cred{};
    socklen_t len = sizeof cred;
    s->clients_.emplace_back();
    Client& c = s->clients_.back();
    c.server = s;
    c.fd = cfd;
    if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) c.uid = cred.uid;
    if (sd_event_add_io(s->ev_, &c.io, cfd, EPOLLIN, on_client, &c) < 0) {
      s->kill(c);
      continue;
    }
    // Kernel events (netlink, timers) come before clients when both are ready.
    sd_event_source_set_priority(c.io, kClientPriority);
    s->arm_idle(c);
  }
  return 0;
}

void ControlServer::arm_idle(Client& c) {
  uint64_t now = 0;
  sd_event_now(ev_, CLOCK_MONOTONIC, &now);
  if (c.timer) {
    sd_event_source_set_time(c.timer, now + kIdleUsec);
    sd_event_source_set_enabled(c.timer, SD_EVENT_ONESHOT);
  } else {
    sd_event_add_time(ev_, &c.timer, CLOCK_MONOTONIC, now + kIdleUsec, 0, on_idle, &c);
  }
}

int ControlServer::on_idle(sd_event_source*, uint64_t, void* cp) {
  auto* c = static_cast<Client*>(cp);
  // A subscribed monitor may stay silent for ever; a half-sent request may not.
  if (c->monitor && c->in_off == c->in.size()) {
    c->server->arm_idle(*c);
    return 0;
  }
  c->server->kill(*c);
  return 0;
}

// Marks the client dead: nothing more is read, answered or sent, and the reaper frees it once
// every callback that may hold a reference to it has returned.
void ControlServer::kill(Client& c) {
  if (c.dead) return;
  c.dead = true;
  if (c.io) sd_event_source_set_enabled(c.io, SD_EVENT_OFF);
  if (c.timer) sd_event_source_set_enabled(c.timer, SD_EVENT_OFF);
  if (reap_) sd_event_source_set_enabled(reap_, SD_EVENT_ONESHOT);
}

void ControlServer::free_client(Client& c) {
  if (c.io) sd_event_source_disable_unref(c.io);
  if (c.timer) sd_event_source_disable_unref(c.timer);
  if (c.fd >= 0) close(c.fd);
  Client* p = &c;
  clients_.remove_if([p](const Client& x) { return &x == p; });
}

int ControlServer::on_reap(sd_event_source*, void* self) {
  auto* s = static_cast<ControlServer*>(self);
  std::erase_if(s->ready_, [](const Client* c) { return c->dead; });
  for (auto it = s->clients_.begin(); it != s->clients_.end();) {
    Client& c = *it++;
    if (c.dead) s->free_client(c);
  }
  return 0;
}

bool ControlServer::has_line(const Client& c) {
  return c.in.find('\n', c.in_off) != std::string::npos;
}

// Backpressure: a client whose answers are unread, or whose lines are not all answered yet,
// gets nothing more read; what it buffers is one read plus at most one line.
bool ControlServer::wants_read(const Client& c) const {
  return !c.dead && !c.closing && !out_pending(c) && !has_line(c) &&
         c.in.size() - c.in_off <= kMaxLine;
}

void ControlServer::read_some(Client& c) {
  c.in.erase(0, c.in_off);  // at most one partial line is left here
  c.in_off = 0;
  char buf[kReadChunk];
  ssize_t n = read(c.fd, buf, sizeof buf);
  if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
    kill(c);
    return;
  }
  if (n < 0) return;
  arm_idle(c);
  c.in.append(buf, static_cast<size_t>(n));
  if (!has_line(c) && c.in.size() > kMaxLine) {
    // Never buffer an endless line: answer and hang up.
    send(c, error_answer("too_large", "request line over 65536 bytes"));
    c.closing = true;
  }
}

int ControlServer::on_client(sd_event_source*, int, uint32_t revents, void* cp) {
  auto* c = static_cast<Client*>(cp);
  ControlServer* s = c->server;
  if (c->dead) return 0;
  if (revents & EPOLLOUT) s->flush(*c);
  if (s->wants_read(*c) && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))) s->read_some(*c);
  if (!c->dead && (revents & (EPOLLHUP | EPOLLERR))) {
    // epoll reports a hang-up whatever events are asked for: stop watching, or the source
    // would fire on every iteration and starve the turns. Lines already read are still
    // answered in turn (a request sent just before closing), then the client goes.
    c->hung_up = true;
    if (c->io) sd_event_source_set_enabled(c->io, SD_EVENT_OFF);
    if (!has_line(*c)) s->kill(*c);
  }
  s->settle(*c);
  return 0;
}

// One turn: at most kLinesPerTurn lines of the client at the head of the queue, and only while
// it reads its answers; then it goes to the back if it has more.
int ControlServer::on_turn(sd_event_source*, void* self) {
  auto* s = static_cast<ControlServer*>(self);
  while (!s->ready_.empty() && s->ready_.front()->dead) s->ready_.pop_front();
  if (!s->ready_.empty()) {
    Client* c = s->ready_.front();
    s->ready_.pop_front();
    c->queued = false;
    s->answer_turn(*c);
    s->settle(*c);
  }
  if (!s->ready_.empty()) sd_event_source_set_enabled(s->turn_, SD_EVENT_ONESHOT);
  return 0;
}

void ControlServer::answer_turn(Client& c) {
  for (int i = 0; i < kLinesPerTurn && !c.dead && !c.closing && !out_pending(c); ++i) {
    size_t pos = c.in.find('\n', c.in_off);
    if (pos == std::string::npos) break;
    if (pos - c.in_off > kMaxLine) {
      send(c, error_answer("too_large", "request line over 65536 bytes"));
      c.closing = true;
      break;
    }
    std::string line = c.in.substr(c.in_off, pos - c.in_off);
    c.in_off = pos + 1;
    handle_line(c, line);
  }
  if (c.in_off == c.in.size()) {
    c.in.clear();
    c.in_off = 0;
  }
}

void ControlServer::settle(Client& c) {
  if (c.dead) return;
  if (c.hung_up && !has_line(c)) {
    kill(c);
    return;
  }
  if (c.closing) {
    c.in.clear();
    c.in_off = 0;
    if (!out_pending(c)) {
      kill(c);
      return;
    }
  }
  if (!c.closing && !out_pending(c) && has_line(c) && !c.queued) {
    c.queued = true;
    ready_.push_back(&c);
    if (turn_) sd_event_source_set_enabled(turn_, SD_EVENT_ONESHOT);
  }
  uint32_t events = (wants_read(c) ? static_cast<uint32_t>(EPOLLIN) : 0u) |
                    (out_pending(c) ? static_cast<uint32_t>(EPOLLOUT) : 0u);
  if (c.io) sd_event_source_set_io_events(c.io, events);
}

void ControlServer::handle_line(Client& c, const std::string& line) {
  control::LineOutcome out = control::answer_line(line, c.uid == 0, handler_);
  if (out.empty || c.dead) return;  // the request's own events may have ended the client
  if (out.subscribe) c.monitor = true;
  send(c, out.answer);
}

void ControlServer::send(Client& c, const json& j) {
  if (c.dead || (c.closing && !out_pending(c))) return;
  size_t unsent = c.out.size() - c.out_off;
  if (unsent > kMaxOutput || (c.monitor && unsent > kMaxMonitorBacklog)) {
    log::warn("control: a client (uid " + std::to_string(c.uid) + ") left " +
              std::to_string(unsent) + " bytes of " + (c.monitor ? "events" : "answers") +
              " unread: dropped");
    kill(c);
    return;
  }
  if (c.out_off == c.out.size()) {
    c.out.clear();
    c.out_off = 0;
  }
  std::string line;
  try {
    line = j.dump();
  } catch (const json::exception&) {
    json text = j;  // a kernel name that is not UTF-8: written escaped, not lost
    make_text(text);
    line = text.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  c.out += line + "\n";
  flush(c);
}

void ControlServer::flush(Client& c) {
  while (out_pending(c)) {
    ssize_t n = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      kill(c);
      return;
    }
    c.out_off += static_cast<size_t>(n);
  }
  if (c.out_off == c.out.size()) {
    c.out.clear();
    c.out_off = 0;
  } else if (c.out_off > kMaxOutput) {
    c.out.erase(0, c.out_off);  // keep what is unsent, not everything ever sent
    c.out_off = 0;
  }
}

void ControlServer::broadcast(const json& event) {
  // May run inside a request of one of these clients: never frees anyone (see kill()).
  for (Client& c : clients_) {
    if (!c.monitor || c.dead) continue;
    send(c, event);
    settle(c);
  }
}

}  // namespace vipa
