#include "daemon/dvipa_health.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vipa {

HealthProbe::HealthProbe(sd_event* ev, HealthConfig cfg, Report report)
    : ev_(ev), cfg_(std::move(cfg)), report_(std::move(report)), child_(ev) {
  if (cfg_.kind == HealthKind::Http)
    request_ = "GET " + cfg_.http_path + " HTTP/1.0\r\nHost: " + cfg_.http_host +
               "\r\nUser-Agent: vipad\r\nConnection: close\r\n\r\n";
}

HealthProbe::~HealthProbe() {
  if (interval_) sd_event_source_disable_unref(interval_);
  close_socket();
}

void HealthProbe::start() {
  uint64_t now = 0;
  sd_event_now(ev_, CLOCK_MONOTONIC, &now);
  sd_event_add_time(ev_, &interval_, CLOCK_MONOTONIC, now, 0, on_interval, this);
}

int HealthProbe::on_interval(sd_event_source* s, uint64_t usec, void* self) {
  auto* p = static_cast<HealthProbe*>(self);
  sd_event_source_set_time(s, usec + p->cfg_.interval_ms * 1000ull);
  sd_event_source_set_enabled(s, SD_EVENT_ON);
  p->run_check();
  return 0;
}

void HealthProbe::run_check() {
  // timeout_ms <= interval_ms, so the previous check is over; if the loop was late, skip.
  if (child_.running() || fd_ >= 0) return;
  if (cfg_.kind == HealthKind::Exec) {
    child_.start(cfg_.exec, cfg_.timeout_ms * 1000ull, false, [this](const ChildResult& r) {
      if (r.ok())
        report_(true, "exit 0");
      else if (r.timed_out)
        report_(false, "killed after " + std::to_string(cfg_.timeout_ms) + " ms (timeout)");
      else
        report_(false, r.describe());
    });
    return;
  }
  start_socket();
}

void HealthProbe::start_socket() {
  int fam = cfg_.addr.is_v6() ? AF_INET6 : AF_INET;
  fd_ = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    report_(false, std::string("socket: ") + std::strerror(errno));
    return;
  }
  sockaddr_storage ss{};
  socklen_t len;
  if (fam == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(cfg_.port);
    std::memcpy(&sin->sin_addr, cfg_.addr.bytes.data(), 4);
    len = sizeof *sin;
  } else {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(cfg_.port);
    std::memcpy(&sin6->sin6_addr, cfg_.addr.bytes.data(), 16);
    len = sizeof *sin6;
  }
  sent_ = false;
  response_.clear();
  if (connect(fd_, reinterpret_cast<sockaddr*>(&ss), len) < 0 && errno != EINPROGRESS) {
    int e = errno;
    close_socket();
    report_(false, std::string("connect: ") + std::strerror(e));
    return;
  }
  sd_event_add_io(ev_, &io_, fd_, EPOLLOUT, on_socket, this);
  uint64_t now = 0;
  sd_event_now(ev_, CLOCK_MONOTONIC, &now);
  sd_event_add_time(ev_, &deadline_, CLOCK_MONOTONIC, now + cfg_.timeout_ms * 1000ull, 0,
                    on_socket_timeout, this);
}

int HealthProbe::on_socket(sd_event_source*, int, uint32_t revents, void* self) {
  static_cast<HealthProbe*>(self)->socket_event(revents);
  return 0;
}

int HealthProbe::on_socket_timeout(sd_event_source*, uint64_t, void* self) {
  auto* p = static_cast<HealthProbe*>(self);
  p->socket_done(false, "no answer within " + std::to_string(p->cfg_.timeout_ms) + " ms");
  return 0;
}

void HealthProbe::socket_event(uint32_t) {
  if (!sent_) {
    int err = 0;
    socklen_t l = sizeof err;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &l);
    if (err) return socket_done(false, std::string("connect: ") + std::strerror(err));
    if (cfg_.kind == HealthKind::Tcp) return socket_done(true, "connected");
    // The request is far below the socket buffer: one send does it.
    ssize_t n = send(fd_, request_.data(), request_.size(), MSG_NOSIGNAL);
    if (n != static_cast<ssize_t>(request_.size()))
      return socket_done(false, std::string("send: ") + std::strerror(errno));
    sent_ = true;
    sd_event_source_set_io_events(io_, EPOLLIN);
    return;
  }
  char buf[512];
  for (;;) {
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      if (response_.size() < 4096) response_.append(buf, static_cast<size_t>(n));
      if (response_.find('\n') != std::string::npos) break;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    break;  // EOF or error: judge what came
  }
  // "HTTP/1.x NNN ..."
  auto eol = response_.find_first_of("\r\n");
  std::string line = response_.substr(0, eol);
  if (line.compare(0, 5, "HTTP/") != 0 || line.size() < 12 || line[8] != ' ')
    return socket_done(false, "not an HTTP answer");
  std::string code = line.substr(9, 3);
  if (code[0] == '2' && code.find_first_not_of("0123456789") == std::string::npos)
    return socket_done(true, "HTTP " + code);
  socket_done(false, "HTTP " + code);
}

void HealthProbe::socket_done(bool pass, const std::string& detail) {
  close_socket();
  report_(pass, detail);
}

void HealthProbe::close_socket() {
  if (io_) io_ = sd_event_source_disable_unref(io_);
  if (deadline_) deadline_ = sd_event_source_disable_unref(deadline_);
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

}  // namespace vipa
