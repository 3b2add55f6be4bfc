#include "daemon/dgd_sockets.h"

#include <linux/filter.h>
#include <linux/icmp.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/ipv6.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vipa::dgd {

namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Status setopt(int fd, int level, int name, const void* val, socklen_t len, const char* what) {
  if (setsockopt(fd, level, name, val, len) < 0) return Error::sys(errno, what);
  return Ok{};
}
Status setint(int fd, int level, int name, int v, const char* what) {
  return setopt(fd, level, name, &v, sizeof v, what);
}

Status attach(int fd, std::span<sock_filter> prog) {
  sock_fprog fp{static_cast<unsigned short>(prog.size()), prog.data()};
  return setopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof fp, "SO_ATTACH_FILTER");
}

}  // namespace

Result<int> open_arp_socket(int ifindex) {
  // Protocol 0 until the filter is in place: nothing is queued from other interfaces or of
  // other kinds in between.
  Fd fd(socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Error::sys(errno, "AF_PACKET socket");
  // Offsets are into the ARP header (SOCK_DGRAM strips the link header); replies only, never
  // what this host sends itself.
  sock_filter prog[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<__u32>(SKF_AD_OFF + SKF_AD_PKTTYPE)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 2, 0),
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, 0),
      BPF_STMT(BPF_RET | BPF_K, 0xffff),
  };
  Status s = attach(fd.get(), prog);
  if (!s.ok()) return s.error();
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ARP);
  sll.sll_ifindex = ifindex;
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0)
    return Error::sys(errno, "bind AF_PACKET to ifindex " + std::to_string(ifindex));
  return fd.release();
}

Result<int> open_ns_socket(const std::string& ifname, int ifindex) {
  Fd fd(socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6));
  if (fd.get() < 0) return Error::sys(errno, "raw ICMPv6 socket");
  icmp6_filter f;
  ICMP6_FILTER_SETBLOCKALL(&f);
  ICMP6_FILTER_SETPASS(ND_NEIGHBOR_ADVERT, &f);
  Status s = setopt(fd.get(), IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f, "ICMP6_FILTER");
  if (s.ok())
    s = setopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(),
               static_cast<socklen_t>(ifname.size()), "SO_BINDTODEVICE");
  if (s.ok()) s = setint(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS");
  if (s.ok()) s = setint(fd.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS");
  if (s.ok()) s = setint(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF");
  if (s.ok()) s = setint(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
  if (s.ok()) s = setint(fd.get(), IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
  if (!s.ok()) return s.error();
  return fd.release();
}

Result<int> open_echo4_socket(uint16_t id) {
  Fd fd(socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP));
  if (fd.get() < 0) return Error::sys(errno, "raw ICMP socket");
  icmp_filter f{~(1u << ICMP_ECHOREPLY)};  // the bits set are the types dropped
  Status s = setopt(fd.get(), SOL_RAW, ICMP_FILTER, &f, sizeof f, "ICMP_FILTER");
  if (!s.ok()) return s.error();
  // A raw IPv4 socket sees the IP header: skip its variable length, then match the echo id.
  sock_filter prog[] = {
      BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, id, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, 0),
      BPF_STMT(BPF_RET | BPF_K, 0xffff),
  };
  s = attach(fd.get(), prog);
  if (!s.ok()) return s.error();
  return fd.release();
}

Result<int> open_echo6_socket() {
  Fd fd(socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6));
  if (fd.get() < 0) return Error::sys(errno, "raw ICMPv6 socket");
  icmp6_filter f;
  ICMP6_FILTER_SETBLOCKALL(&f);
  ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
  Status s = setopt(fd.get(), IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f, "ICMP6_FILTER");
  if (!s.ok()) return s.error();
  return fd.release();
}

Result<Mac> interface_mac(int fd, const std::string& ifname) {
  ifreq ifr{};
  if (ifname.empty() || ifname.size() >= sizeof ifr.ifr_name)
    return Error::msg("bad interface name '" + ifname + "'");
  std::memcpy(ifr.ifr_name, ifname.data(), ifname.size());
  if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) return Error::sys(errno, "SIOCGIFHWADDR " + ifname);
  Mac m;
  std::memcpy(m.data(), ifr.ifr_hwaddr.sa_data, 6);
  if (m == Mac{}) return Error::msg(ifname + " has no hardware address");
  return m;
}

void Outbox::add_frame(uint64_t tag, int fd, int ifindex, uint16_t ethertype, const Mac& dst,
                       std::span<const uint8_t> bytes) {
  Msg& m = msgs_.emplace_back();
  m.tag = tag;
  m.fd = fd;
  auto* sll = reinterpret_cast<sockaddr_ll*>(&m.addr);
  sll->sll_family = AF_PACKET;
  sll->sll_protocol = htons(ethertype);
  sll->sll_ifindex = ifindex;
  sll->sll_halen = 6;
  std::memcpy(sll->sll_addr, dst.data(), 6);
  m.addrlen = sizeof(sockaddr_ll);
  m.len = std::min(bytes.size(), m.data.size());
  std::memcpy(m.data.data(), bytes.data(), m.len);
}

void Outbox::add_icmp6(uint64_t tag, int fd, int ifindex, const IpAddr& src, const IpAddr& dst,
                       std::span<const uint8_t> bytes) {
  Msg& m = msgs_.emplace_back();
  m.tag = tag;
  m.fd = fd;
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&m.addr);
  sin6->sin6_family = AF_INET6;
  std::memcpy(&sin6->sin6_addr, dst.bytes.data(), 16);
  if (dst.is_multicast() || dst.is_v6_link_local()) sin6->sin6_scope_id = ifindex;
  m.addrlen = sizeof(sockaddr_in6);
  m.len = std::min(bytes.size(), m.data.size());
  std::memcpy(m.data.data(), bytes.data(), m.len);
  // The probe's source is the interface's own address, whatever the routing table would pick.
  static_assert(CMSG_SPACE(sizeof(in6_pktinfo)) <= sizeof(Msg::control));
  msghdr mh{};
  mh.msg_control = m.control.data();
  mh.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
  cmsghdr* c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = IPPROTO_IPV6;
  c->cmsg_type = IPV6_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
  in6_pktinfo pi{};
  std::memcpy(&pi.ipi6_addr, src.bytes.data(), 16);
  pi.ipi6_ifindex = static_cast<unsigned>(ifindex);
  std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
  m.controllen = CMSG_SPACE(sizeof(in6_pktinfo));
}

void Outbox::add_icmp4(uint64_t tag, int fd, int ifindex, const IpAddr& src, const IpAddr& dst,
                       std::span<const uint8_t> bytes) {
  Msg& m = msgs_.emplace_back();
  m.tag = tag;
  m.fd = fd;
  auto* sin = reinterpret_cast<sockaddr_in*>(&m.addr);
  sin->sin_family = AF_INET;
  std::memcpy(&sin->sin_addr, dst.bytes.data(), 4);
  m.addrlen = sizeof(sockaddr_in);
  m.len = std::min(bytes.size(), m.data.size());
  std::memcpy(m.data.data(), bytes.data(), m.len);
  static_assert(CMSG_SPACE(sizeof(in_pktinfo)) <= sizeof(Msg::control));
  msghdr mh{};
  mh.msg_control = m.control.data();
  mh.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
  cmsghdr* c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
  in_pktinfo pi{};
  pi.ipi_ifindex = ifindex;
  std::memcpy(&pi.ipi_spec_dst, src.bytes.data(), 4);
  std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
  m.controllen = CMSG_SPACE(sizeof(in_pktinfo));
}

void Outbox::flush(const std::function<void(uint64_t, int)>& failed) {
  std::stable_sort(msgs_.begin(), msgs_.end(),
                   [](const Msg& a, const Msg& b) { return a.fd < b.fd; });
  constexpr size_t kBatch = 64;
  mmsghdr hdrs[kBatch];
  iovec iovs[kBatch];
  size_t i = 0;
  while (i < msgs_.size()) {
    size_t n = 0;
    int fd = msgs_[i].fd;
    while (i + n < msgs_.size() && n < kBatch && msgs_[i + n].fd == fd) {
      Msg& m = msgs_[i + n];
      iovs[n] = {m.data.data(), m.len};
      hdrs[n] = {};
      hdrs[n].msg_hdr.msg_name = &m.addr;
      hdrs[n].msg_hdr.msg_namelen = m.addrlen;
      hdrs[n].msg_hdr.msg_iov = &iovs[n];
      hdrs[n].msg_hdr.msg_iovlen = 1;
      if (m.controllen) {
        hdrs[n].msg_hdr.msg_control = m.control.data();
        hdrs[n].msg_hdr.msg_controllen = m.controllen;
      }
      ++n;
    }
    int sent = sendmmsg(fd, hdrs, static_cast<unsigned>(n), MSG_DONTWAIT);
    if (sent < 0) {
      // The first message failed: report it and go on with the next.
      if (errno == EINTR) continue;
      failed(msgs_[i].tag, errno);
      ++i;
      continue;
    }
    i += static_cast<size_t>(sent);
    // A short count means the next one failed; sendmmsg says why only when asked again.
  }
  msgs_.clear();
}

void drain(int fd, const RecvFn& fn) {
  constexpr size_t kBatch = 16;
  uint8_t bufs[kBatch][512];
  uint8_t ctrl[kBatch][64];
  sockaddr_storage names[kBatch];
  iovec iovs[kBatch];
  mmsghdr hdrs[kBatch];
  for (int rounds = 0; rounds < 64; ++rounds) {
    for (size_t i = 0; i < kBatch; ++i) {
      iovs[i] = {bufs[i], sizeof bufs[i]};
      hdrs[i] = {};
      hdrs[i].msg_hdr.msg_name = &names[i];
      hdrs[i].msg_hdr.msg_namelen = sizeof names[i];
      hdrs[i].msg_hdr.msg_iov = &iovs[i];
      hdrs[i].msg_hdr.msg_iovlen = 1;
      hdrs[i].msg_hdr.msg_control = ctrl[i];
      hdrs[i].msg_hdr.msg_controllen = sizeof ctrl[i];
    }
    int n = recvmmsg(fd, hdrs, kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    for (int i = 0; i < n; ++i) {
      RecvMeta meta;
      const msghdr& mh = hdrs[i].msg_hdr;
      auto* sa = reinterpret_cast<const sockaddr*>(&names[i]);
      if (sa->sa_family == AF_PACKET) {
        meta.ifindex = reinterpret_cast<const sockaddr_ll*>(sa)->sll_ifindex;
      } else if (sa->sa_family == AF_INET6) {
        auto* s6 = reinterpret_cast<const sockaddr_in6*>(sa);
        meta.from = IpAddr::from_bytes(AF_INET6, &s6->sin6_addr);
        meta.ifindex = static_cast<int>(s6->sin6_scope_id);
      }
      for (cmsghdr* c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(const_cast<msghdr*>(&mh), c))
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT &&
            c->cmsg_len >= CMSG_LEN(sizeof(int)))
          std::memcpy(&meta.hoplimit, CMSG_DATA(c), sizeof(int));
      size_t len = std::min<size_t>(hdrs[i].msg_len, sizeof bufs[i]);
      fn({bufs[i], len}, meta);
    }
    if (static_cast<size_t>(n) < kBatch) return;
  }
}

}  // namespace vipa::dgd
