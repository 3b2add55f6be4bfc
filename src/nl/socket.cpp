#include "nl/socket.h"

#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <span>

#include "nl/datagram.h"
#include "nl/route.h"

namespace vipa::nl {

Socket::~Socket() {
  if (sock_) mnl_socket_close(sock_);
}

Status Socket::open(const std::vector<unsigned>& groups, bool nonblocking) {
  sock_ = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0));
  if (!sock_) return Error::sys(errno, "netlink socket");
  if (mnl_socket_bind(sock_, 0, MNL_SOCKET_AUTOPID) < 0) return Error::sys(errno, "netlink bind");
  portid_ = mnl_socket_get_portid(sock_);
  for (unsigned g : groups) {
    if (mnl_socket_setsockopt(sock_, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) < 0)
      return Error::sys(errno, "netlink join group " + std::to_string(g));
  }
  // Ask for extended acks so the kernel's error text ("Nexthop has invalid gateway") is kept
  // in errno-only form at least; harmless where unsupported.
  int one = 1;
  mnl_socket_setsockopt(sock_, NETLINK_EXT_ACK, &one, sizeof one);
  // Dumps of big tables come in many large messages; a 32 KiB buffer per recv keeps it cheap.
  seq_ = static_cast<uint32_t>(time(nullptr));
  return Ok{};
}

Status Socket::join(unsigned group) {
  if (mnl_socket_setsockopt(sock_, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) < 0)
    return Error::sys(errno, "netlink join group " + std::to_string(group));
  return Ok{};
}

int Socket::fd() const {
  return sock_ ? mnl_socket_get_fd(sock_) : -1;
}

Status Socket::set_rcvbuf(int bytes) {
  int fd = this->fd();
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) == 0) return Ok{};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) == 0) return Ok{};
  return Error::sys(errno, "netlink SO_RCVBUF");
}

namespace {

// Feed data messages to fn; returns MNL_CB_OK/STOP/ERROR like mnl_cb_run.
int run_callbacks(const char* buf, ssize_t len, uint32_t seq, uint32_t portid,
                  const MessageFn* fn) {
  auto trampoline = [](const nlmsghdr* nlh, void* data) -> int {
    auto* f = static_cast<const MessageFn*>(data);
    if (f && *f) (*f)(nlh);
    return MNL_CB_OK;
  };
  return mnl_cb_run(buf, static_cast<size_t>(len), seq, portid, trampoline,
                    const_cast<MessageFn*>(fn));
}

}  // namespace

Status Socket::request(nlmsghdr* msg, const MessageFn& fn) {
  msg->nlmsg_seq = ++seq_;
  msg->nlmsg_flags |= NLM_F_ACK;
  if (mnl_socket_sendto(sock_, msg, msg->nlmsg_len) < 0) return Error::sys(errno, "netlink send");
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock_, buf_.data(), buf_.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::sys(errno, "netlink recv");
    }
    int rc = run_callbacks(buf_.data(), n, seq_, portid_, fn ? &fn : nullptr);
    if (rc == MNL_CB_ERROR) {
      // A stale answer (another sequence number) is skipped; a kernel error ends the request.
      if (errno == EPROTO) continue;
      return Error::sys(errno, "kernel");
    }
    if (rc == MNL_CB_STOP) return Ok{};
  }
}

Status Socket::request_batch(char* buf, size_t len, size_t count,
                             const std::function<void(size_t, int)>& on_ack) {
  uint32_t first = seq_ + 1;
  size_t n = 0;
  int left = static_cast<int>(len);
  for (auto* m = reinterpret_cast<nlmsghdr*>(buf); n < count && mnl_nlmsg_ok(m, left);
       m = const_cast<nlmsghdr*>(mnl_nlmsg_next(m, &left)), ++n) {
    m->nlmsg_seq = ++seq_;
    m->nlmsg_flags |= NLM_F_ACK;
  }
  if (n != count) return Error::msg("netlink batch: malformed request buffer");
  if (count == 0) return Ok{};
  if (mnl_socket_sendto(sock_, buf, len) < 0) return Error::sys(errno, "netlink send");
  size_t acked = 0;
  std::vector<bool> seen(count);
  while (acked < count) {
    ssize_t got = mnl_socket_recvfrom(sock_, buf_.data(), buf_.size());
    if (got < 0) {
      if (errno == EINTR) continue;
      return Error::sys(errno, "netlink recv");
    }
    int rlen = static_cast<int>(got);
    for (auto* m = reinterpret_cast<const nlmsghdr*>(buf_.data()); mnl_nlmsg_ok(m, rlen);
         m = mnl_nlmsg_next(m, &rlen)) {
      // Only acknowledgements of this batch: a stale answer has another sequence number.
      if (m->nlmsg_type != NLMSG_ERROR || m->nlmsg_pid != portid_) continue;
      uint32_t i = m->nlmsg_seq - first;
      if (i >= count || seen[i]) continue;
      if (m->nlmsg_len < NLMSG_LENGTH(sizeof(int))) continue;  // too short to hold the errno
      int raw;
      std::memcpy(&raw, mnl_nlmsg_get_payload(m), sizeof raw);
      int err = answer_errno(raw);
      seen[i] = true;
      ++acked;
      on_ack(i, err);
    }
  }
  return Ok{};
}

Status Socket::dump(uint16_t type, uint8_t family, const MessageFn& fn) {
  char req[64] = {};
  nlmsghdr* nlh = mnl_nlmsg_put_header(req);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = ++seq_;
  // Every RTM_GET* dump starts with a family byte; rtgenmsg is the smallest header that has it.
  auto* g = static_cast<rtgenmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  g->rtgen_family = family;
  if (mnl_socket_sendto(sock_, nlh, nlh->nlmsg_len) < 0) return Error::sys(errno, "netlink send");
  return read_dump(fn);
}

Status Socket::read_dump(const MessageFn& fn) {
  // Read the whole dump, to its NLMSG_DONE, whatever happens on the way: a dump left half-read
  // would answer the next request with stale messages.
  DumpProgress p;
  while (!p.done) {
    ssize_t n = mnl_socket_recvfrom(sock_, buf_.data(), buf_.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      // libmnl's ENOSPC: a datagram bigger than the buffer was cut (MSG_TRUNC); later ones come.
      if (errno == ENOSPC) {
        if (p.error == 0) p.error = EMSGSIZE;
        continue;
      }
      return Error::sys(errno, "netlink dump recv");
    }
    dump_datagram(std::span<const char>(buf_.data(), static_cast<size_t>(n)), seq_, portid_, fn, p);
  }
  if (p.error) return Error::sys(p.error, "netlink dump");
  if (p.interrupted) return Error::sys(EINTR, "netlink dump interrupted");
  return Ok{};
}

Status Socket::dump_routes(uint8_t family, uint32_t table, uint8_t protocol, const MessageFn& fn) {
  // Strict checking makes the kernel honour the filter fields of a dump request (and refuse a
  // malformed one). It stays on only for this dump: the other dumps send a bare family header,
  // which strict checking would refuse.
  int on = 1, off = 0;
  if (mnl_socket_setsockopt(sock_, NETLINK_GET_STRICT_CHK, &on, sizeof on) < 0)
    return Error::sys(ENOPROTOOPT, "netlink strict dumps");
  char req[kRouteDumpRequestSize];
  nlmsghdr* nlh = encode_route_dump(req, ++seq_, family, table, protocol);
  Status s = Ok{};
  if (mnl_socket_sendto(sock_, nlh, nlh->nlmsg_len) < 0)
    s = Error::sys(errno, "netlink send");
  else
    s = read_dump(fn);
  mnl_socket_setsockopt(sock_, NETLINK_GET_STRICT_CHK, &off, sizeof off);
  return s;
}

Status Socket::set_filter(const std::vector<sock_filter>& prog) {
  sock_fprog fp{static_cast<unsigned short>(prog.size()), const_cast<sock_filter*>(prog.data())};
  if (setsockopt(fd(), SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp) < 0)
    return Error::sys(errno, "netlink SO_ATTACH_FILTER");
  return Ok{};
}

Status Socket::read_events(const MessageFn& fn) {
  // After an overrun the kernel marks the socket congested and drops further events *silently*
  // until its queue has been read empty (netlink_overrun / netlink_rcv_wake). So keep reading to
  // the end before reporting ENOBUFS: the resynchronising dump then starts after every silent drop.
  bool overrun = false;
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(sock_, buf_.data(), buf_.size());
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      // ENOSPC is libmnl's MSG_TRUNC: a datagram was cut, its events lost like an overrun's.
      if (errno == ENOBUFS || errno == ENOSPC) {
        overrun = true;
        continue;
      }
      return Error::sys(errno, "netlink events");
    }
    bool whole = walk_datagram(std::span<const char>(buf_.data(), static_cast<size_t>(n)),
                               [&](const nlmsghdr* m) {
                                 if (m->nlmsg_type >= NLMSG_MIN_TYPE && fn) fn(m);
                               });
    if (!whole) overrun = true;  // a cut message: what it said is lost, so dump again
  }
  if (overrun) return Error::sys(ENOBUFS, "netlink events");
  return Ok{};
}

}  // namespace vipa::nl
