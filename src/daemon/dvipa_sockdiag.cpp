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

IpAddr local_addr(const inet_diag_msg& m) {
  if (m.idiag_family == AF_INET) return IpAddr::from_bytes(AF_INET, m.id.idiag_src);
  IpAddr a = IpAddr::from_bytes(AF_INET6, m.id.idiag_src);
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.bytes.data(), kMapped, 12) == 0)
    return IpAddr::from_bytes(AF_INET, a.bytes.data() + 12);
  return a;
}

Status dump(int fd, uint8_t family, const std::map<IpAddr, uint32_t>& idle,
            std::map<IpAddr, int>& busy) {
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
      IpAddr a = local_addr(*m);
      auto it = idle.find(a);
      if (it == idle.end()) continue;
      // Attributes follow the message; only INET_DIAG_INFO (struct tcp_info) is read.
      int alen = static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *m));
      auto* attr = reinterpret_cast<rtattr*>(m + 1);
      for (; RTA_OK(attr, alen); attr = RTA_NEXT(attr, alen)) {
        if (attr->rta_type != INET_DIAG_INFO) continue;
        tcp_info ti{};
        size_t have = RTA_PAYLOAD(attr);
        std::memcpy(&ti, RTA_DATA(attr), std::min(have, sizeof ti));
        if (have < offsetof(tcp_info, tcpi_last_ack_recv) + sizeof ti.tcpi_last_ack_recv) continue;
        uint32_t quiet = std::min(ti.tcpi_last_data_recv, ti.tcpi_last_ack_recv);
        if (quiet < it->second) ++busy[a];
      }
    }
  }
}

}  // namespace

Result<std::map<IpAddr, int>> busy_connections(const std::map<IpAddr, uint32_t>& idle_ms) {
  std::map<IpAddr, int> busy;
  for (auto& [a, ms] : idle_ms) busy[a] = 0;
  if (idle_ms.empty()) return busy;
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return Error::sys(errno, "NETLINK_SOCK_DIAG socket");
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  Status s = dump(fd, AF_INET, idle_ms, busy);
  // IPv6 sockets: IPv6 DVIPAs, and IPv4 ones reached through dual-stack listeners.
  if (s.ok()) s = dump(fd, AF_INET6, idle_ms, busy);
  close(fd);
  if (!s.ok()) return s.error();
  return busy;
}

}  // namespace vipa
