#include "daemon/dvipa_sockdiag.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "nl/datagram.h"

namespace vipa {

namespace {

constexpr int kEstablished = 1;  // TCP_ESTABLISHED

// An IPv4 address on an IPv6 socket (::ffff:a.b.c.d) is the IPv4 address.
IpAddr diag_addr(uint8_t family, const __be32* raw) {
  if (family == AF_INET) return IpAddr::from_bytes(AF_INET, raw);
  IpAddr a = IpAddr::from_bytes(AF_INET6, raw);
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.bytes.data(), kMapped, 12) == 0)
    return IpAddr::from_bytes(AF_INET, a.bytes.data() + 12);
  return a;
}

// Calls `seen` for every ESTABLISHED TCP socket of the family whose local address is wanted.
template <class Wanted, class Seen>
Status dump(int fd, uint8_t family, Wanted wanted, Seen seen) {
  struct {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
  } msg{};
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.req.sdiag_family = family;
  msg.req.sdiag_protocol = IPPROTO_TCP;
  msg.req.idiag_states = 1u << kEstablished;
  msg.req.idiag_ext = 1u << (INET_DIAG_INFO - 1);
  sockaddr_nl nl{};
  nl.nl_family = AF_NETLINK;
  if (sendto(fd, &msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&nl), sizeof nl) < 0)
    return Error::sys(errno, "sock_diag request");
  std::vector<char> buf(64 * 1024);
  for (;;) {
    ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::sys(errno, "sock_diag dump");
    }
    auto* h = reinterpret_cast<nlmsghdr*>(buf.data());
    size_t left = static_cast<size_t>(n);
    for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_type == NLMSG_DONE) return Ok{};
      if (h->nlmsg_type == NLMSG_ERROR) {
        auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(h));
        return Error::sys(
            h->nlmsg_len >= NLMSG_LENGTH(sizeof *e) ? nl::answer_errno(e->error) : EPROTO,
            "sock_diag dump");
      }
      if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
          h->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg)))
        continue;
      auto* m = static_cast<inet_diag_msg*>(NLMSG_DATA(h));
      if (m->idiag_state != kEstablished) continue;
      DiagConnection c;
      c.local = diag_addr(m->idiag_family, m->id.idiag_src);
      if (!wanted(c.local)) continue;
      c.local_port = ntohs(m->id.idiag_sport);
      c.remote = diag_addr(m->idiag_family, m->id.idiag_dst);
      c.remote_port = ntohs(m->id.idiag_dport);
      // Attributes follow the message; only INET_DIAG_INFO (struct tcp_info) is read.
      int alen = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
      auto* attr = reinterpret_cast<rtattr*>(m + 1);
      for (; RTA_OK(attr, alen); attr = RTA_NEXT(attr, alen)) {
        if (attr->rta_type != INET_DIAG_INFO) continue;
        tcp_info ti{};
        size_t have = RTA_PAYLOAD(attr);
        std::memcpy(&ti, RTA_DATA(attr), std::min(have, sizeof ti));
        if (have < offsetof(tcp_info, tcpi_last_ack_recv) + sizeof ti.tcpi_last_ack_recv) continue;
        c.quiet_ms = std::min(ti.tcpi_last_data_recv, ti.tcpi_last_ack_recv);
      }
      seen(c);
    }
  }
}

// IPv4 sockets, then IPv6 ones: IPv6 DVIPAs, and IPv4 ones reached through dual-stack
// listeners. A dump that hears nothing for a second fails rather than blocking the loop.
template <class Wanted, class Seen>
Status dump_both(int fd, Wanted wanted, Seen seen) {
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  Status s = dump(fd, AF_INET, wanted, seen);
  if (s.ok()) s = dump(fd, AF_INET6, wanted, seen);
  return s;
}

}  // namespace

Result<std::map<IpAddr, int>> busy_connections(const std::map<IpAddr, uint32_t>& idle_ms) {
  std::map<IpAddr, int> busy;
  for (auto& [a, ms] : idle_ms) busy[a] = 0;
  if (idle_ms.empty()) return busy;
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return Error::sys(errno, "NETLINK_SOCK_DIAG socket");
  auto wanted = [&](const IpAddr& a) { return idle_ms.count(a) > 0; };
  Status s = dump_both(fd, wanted, [&](const DiagConnection& c) {
    if (c.quiet_ms && *c.quiet_ms < idle_ms.at(c.local)) ++busy[c.local];
  });
  close(fd);
  if (!s.ok()) return s.error();
  return busy;
}

Result<std::vector<DiagConnection>> established_connections(const std::set<IpAddr>& local) {
  std::vector<DiagConnection> out;
  if (local.empty()) return out;
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return Error::sys(errno, "NETLINK_SOCK_DIAG socket");
  auto wanted = [&](const IpAddr& a) { return local.count(a) > 0; };
  Status s = dump_both(fd, wanted, [&](const DiagConnection& c) { out.push_back(c); });
  close(fd);
  if (!s.ok()) return s.error();
  return out;
}

}  // namespace vipa
