#include "daemon/control_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/log.h"

namespace vipa {

using nlohmann::json;

ControlServer::ControlServer(sd_event* ev, std::string path, Handler handler)
    : ev_(ev), path_(std::move(path)), handler_(std::move(handler)) {}

ControlServer::~ControlServer() {
  while (!clients_.empty()) drop(&clients_.front());
  if (listen_src_) sd_event_source_unref(listen_src_);
  if (defer_) sd_event_source_disable_unref(defer_);
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    unlink(path_.c_str());
  }
}

Status ControlServer::start() {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path_.size() >= sizeof sa.sun_path) return Error::msg(path_ + ": socket path too long");
  std::strcpy(sa.sun_path, path_.c_str());
  // The runtime directory may not exist yet (outside systemd's RuntimeDirectory=).
  std::string dir = path_.substr(0, path_.rfind('/'));
  if (!dir.empty()) mkdir(dir.c_str(), 0755);
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
  if (sd_event_add_defer(ev_, &defer_, on_defer, this) < 0)
    return Error::msg("cannot schedule control clients");
  sd_event_source_set_priority(defer_, kClientPriority);
  sd_event_source_set_enabled(defer_, SD_EVENT_OFF);
  return Ok{};
}

int ControlServer::on_accept(sd_event_source*, int fd, uint32_t, void* self) {
  auto* s = static_cast<ControlServer*>(self);
  for (;;) {
    int cfd = accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0) break;
    if (s->clients_.size() >= kMaxClients) {
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
      s->drop(&c);
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
  if (c->monitor && c->in.empty()) {
    c->server->arm_idle(*c);
    return 0;
  }
  c->server->drop(c);
  return 0;
}

void ControlServer::drop(Client* c) {
  if (c->io) sd_event_source_disable_unref(c->io);
  if (c->timer) sd_event_source_disable_unref(c->timer);
  if (c->fd >= 0) close(c->fd);
  clients_.remove_if([c](const Client& x) { return &x == c; });
}

int ControlServer::on_client(sd_event_source*, int, uint32_t revents, void* cp) {
  auto* c = static_cast<Client*>(cp);
  ControlServer* s = c->server;
  if (revents & EPOLLOUT) s->flush(*c);
  // Backpressure: a client that does not read its answers gets nothing more read or computed.
  if ((revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) && c->out.empty() && !c->closing) {
    // One read per dispatch: the loop then serves netlink, timers and the other clients.
    char buf[16384];
    ssize_t n = read(c->fd, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      s->drop(c);
      return 0;
    }
    if (n > 0) {
      s->arm_idle(*c);
      c->in.append(buf, static_cast<size_t>(n));
    }
  } else if ((revents & (EPOLLHUP | EPOLLERR)) && c->out.empty()) {
    s->drop(c);
    return 0;
  }
  s->process(*c);
  if (c->closing && c->out.empty()) {
    s->drop(c);
    return 0;
  }
  s->update_events(*c);
  return 0;
}

// Answers at most kLinesPerTurn complete lines, and only while the client reads its answers;
// what is left waits for the next turn (the defer source), so one client pipelining requests
// cannot starve the loop or make vipad compute answers nobody reads.
void ControlServer::process(Client& c) {
  for (int i = 0; i < kLinesPerTurn && !c.closing && c.out.empty(); ++i) {
    size_t pos = c.in.find('\n');
    if (pos == std::string::npos) break;
    if (pos > kMaxLine) {
      send(c, error_answer("too_large", "request line over 65536 bytes"));
      c.closing = true;
      break;
    }
    std::string line = c.in.substr(0, pos);
    c.in.erase(0, pos + 1);
    handle_line(c, line);
  }
  if (!c.closing && c.in.find('\n') == std::string::npos && c.in.size() > kMaxLine) {
    // Never buffer an endless line: answer and hang up.
    send(c, error_answer("too_large", "request line over 65536 bytes"));
    c.closing = true;
  }
  if (c.closing) c.in.clear();
  if (!c.closing && c.out.empty() && c.in.find('\n') != std::string::npos && defer_)
    sd_event_source_set_enabled(defer_, SD_EVENT_ONESHOT);
}

int ControlServer::on_defer(sd_event_source*, void* self) {
  auto* s = static_cast<ControlServer*>(self);
  for (auto it = s->clients_.begin(); it != s->clients_.end();) {
    Client& c = *it++;
    if (c.in.find('\n') == std::string::npos) continue;
    s->process(c);
    if (c.closing && c.out.empty())
      s->drop(&c);
    else
      s->update_events(c);
  }
  return 0;
}

void ControlServer::handle_line(Client& c, const std::string& line) {
  ctl::LineOutcome out = ctl::answer_line(line, c.uid == 0, handler_);
  if (out.empty) return;
  if (out.subscribe) c.monitor = true;
  send(c, out.answer);
}

void ControlServer::send(Client& c, const json& j) {
  if (c.out.size() > kMaxOutput) {
    c.closing = true;
    c.out.clear();
    return;
  }
  c.out += j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  flush(c);
}

void ControlServer::flush(Client& c) {
  while (!c.out.empty()) {
    ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      c.out.clear();
      c.closing = true;
      break;
    }
    c.out.erase(0, static_cast<size_t>(n));
  }
}

void ControlServer::update_events(Client& c) {
  if (c.io)
    sd_event_source_set_io_events(c.io,
                                  EPOLLIN | (c.out.empty() ? 0u : static_cast<uint32_t>(EPOLLOUT)));
}

void ControlServer::broadcast(const json& event) {
  for (auto it = clients_.begin(); it != clients_.end();) {
    Client& c = *it++;
    if (!c.monitor) continue;
    send(c, event);
    update_events(c);
    if (c.closing && c.out.empty()) drop(&c);
  }
}

}  // namespace vipa
