#include "daemon/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vipa {

namespace {

std::string response(const char* status, const std::string& content_type, const std::string& body,
                     const char* extra_header = "") {
  std::string r = "HTTP/1.0 ";
  r += status;
  r += "\r\nContent-Type: " + content_type + "\r\nContent-Length: " + std::to_string(body.size()) +
       "\r\nConnection: close\r\n";
  r += extra_header;
  r += "\r\n";
  r += body;
  return r;
}

std::string plain(const char* status, const std::string& text) {
  return response(status, "text/plain; charset=utf-8", text + "\n");
}

}  // namespace

std::string metrics_http_answer(const std::string& head,
                                const std::function<std::string()>& render) {
  // Request line: METHOD SP TARGET SP VERSION. Headers are read past and ignored.
  std::string line = head.substr(0, head.find_first_of("\r\n"));
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string::npos || sp2 == std::string::npos ||
      line.compare(sp2 + 1, 5, "HTTP/") != 0)
    return plain("400 Bad Request", "bad request");
  std::string method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string path = target.substr(0, target.find('?'));
  if (path != "/metrics") return plain("404 Not Found", "not found; metrics are at /metrics");
  if (method != "GET")
    return response("405 Method Not Allowed", "text/plain; charset=utf-8", "only GET\n",
                    "Allow: GET\r\n");
  return response("200 OK", "text/plain; version=0.0.4; charset=utf-8", render());
}

MetricsServer::MetricsServer(sd_event* ev, HostPort addr, Render render)
    : ev_(ev), addr_(addr), render_(std::move(render)) {}

MetricsServer::~MetricsServer() {
  while (!clients_.empty()) drop(&clients_.front());
  if (listen_src_) sd_event_source_disable_unref(listen_src_);
  if (listen_fd_ >= 0) close(listen_fd_);
}

Status MetricsServer::start() {
  sockaddr_storage ss{};
  socklen_t len = 0;
  std::string where = (addr_.addr.is_v6() ? "[" + addr_.addr.str() + "]" : addr_.addr.str()) + ":" +
                      std::to_string(addr_.port);
  if (addr_.addr.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(addr_.port);
    std::memcpy(&sin->sin_addr, addr_.addr.bytes.data(), 4);
    len = sizeof *sin;
  } else if (addr_.addr.is_v6()) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(addr_.port);
    std::memcpy(&sin6->sin6_addr, addr_.addr.bytes.data(), 16);
    len = sizeof *sin6;
  } else {
    return Error::msg("metrics: no address to listen on");
  }
  listen_fd_ = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Error::sys(errno, "metrics socket");
  int one = 1;
  // A restart must not wait for the previous instance's TIME_WAIT connections to expire.
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (ss.ss_family == AF_INET6) setsockopt(listen_fd_, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  // The address may not be up yet (a VIPA, an address DHCP brings later): bind it all the same
  // and serve it once it appears, rather than fail the start and restart in a loop.
  setsockopt(listen_fd_, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
  if (ss.ss_family == AF_INET6)
    setsockopt(listen_fd_, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof one);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&ss), len) < 0)
    return Error::sys(errno, "metrics: bind " + where);
  if (listen(listen_fd_, 16) < 0) return Error::sys(errno, "metrics: listen " + where);
  sockaddr_storage got{};
  socklen_t got_len = sizeof got;
  if (getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&got), &got_len) == 0)
    bound_port_ = ntohs(got.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&got)->sin6_port
                                                  : reinterpret_cast<sockaddr_in*>(&got)->sin_port);
  if (sd_event_add_io(ev_, &listen_src_, listen_fd_, EPOLLIN, on_accept, this) < 0)
    return Error::msg("metrics: cannot watch the listening socket");
  sd_event_source_set_priority(listen_src_, kPriority);
  return Ok{};
}

int MetricsServer::on_accept(sd_event_source*, int fd, uint32_t, void* self) {
  auto* s = static_cast<MetricsServer*>(self);
  for (;;) {
    int cfd = accept4(fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (cfd < 0) break;
    if (s->clients_.size() >= kMaxClients) {
      close(cfd);  // a scraper retries; a flood gets nothing
      continue;
    }
    s->clients_.emplace_back();
    Client& c = s->clients_.back();
    c.server = s;
    c.fd = cfd;
    uint64_t now = 0;
    sd_event_now(s->ev_, CLOCK_MONOTONIC, &now);
    if (sd_event_add_io(s->ev_, &c.io, cfd, EPOLLIN, on_client, &c) < 0 ||
        sd_event_add_time(s->ev_, &c.timer, CLOCK_MONOTONIC, now + kTimeoutUsec, 0, on_timeout,
                          &c) < 0) {
      s->drop(&c);
      continue;
    }
    sd_event_source_set_priority(c.io, kPriority);
  }
  return 0;
}

int MetricsServer::on_timeout(sd_event_source*, uint64_t, void* cp) {
  auto* c = static_cast<Client*>(cp);
  c->server->drop(c);
  return 0;
}

void MetricsServer::drop(Client* c) {
  if (c->io) sd_event_source_disable_unref(c->io);
  if (c->timer) sd_event_source_disable_unref(c->timer);
  if (c->fd >= 0) close(c->fd);
  clients_.remove_if([c](const Client& x) { return &x == c; });
}

int MetricsServer::on_client(sd_event_source*, int, uint32_t revents, void* cp) {
  auto* c = static_cast<Client*>(cp);
  MetricsServer* s = c->server;
  if (!c->answered && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
    char buf[4096];
    for (;;) {
      ssize_t n = read(c->fd, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        s->drop(c);  // gone before asking anything complete
        return 0;
      }
      if (n < 0) break;
      c->in.append(buf, static_cast<size_t>(n));
      if (c->in.find("\r\n\r\n") != std::string::npos || c->in.find("\n\n") != std::string::npos) {
        s->answer(*c);
        break;
      }
      if (c->in.size() > kMaxRequest) {
        c->out =
            "HTTP/1.0 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n";
        c->answered = true;
        break;
      }
    }
  }
  if (c->answered) {
    s->flush(*c);
    if (c->fd < 0 || c->out_off == c->out.size()) {
      s->drop(c);
      return 0;
    }
    sd_event_source_set_io_events(c->io, EPOLLOUT);
  }
  return 0;
}

void MetricsServer::answer(Client& c) {
  c.out = metrics_http_answer(c.in, render_);
  c.in.clear();
  c.answered = true;
}

void MetricsServer::flush(Client& c) {
  // By offset: erasing each sent piece from the front is quadratic in a large answer.
  while (c.out_off < c.out.size()) {
    ssize_t n = send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      c.out_off = c.out.size();  // the peer is gone: nothing more to send
      return;
    }
    c.out_off += static_cast<size_t>(n);
  }
}

}  // namespace vipa
