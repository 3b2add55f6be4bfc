// The sockets dead gateway detection probes with, all non-blocking and close-on-exec, each with
// a kernel-side filter so the daemon wakes only for answers it may be waiting for. Sends are
// batched (one sendmmsg per socket and tick) and receives drained with recvmmsg, so probing a
// hundred gateways costs a few system calls per interval, not hundreds.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "core/dgd_packet.h"

namespace vipa::dgd {

// AF_PACKET SOCK_DGRAM bound to `ifindex` for ETH_P_ARP, passing only ARP replies; it also
// sends the IP frames of track echoes to a gateway's MAC.
Result<int> open_arp_socket(int ifindex);
// Raw ICMPv6 bound to the device (SO_BINDTODEVICE), hop limits 255 as RFC 4861 §7.1.1 wants,
// passing only neighbour advertisements, with IPV6_RECVHOPLIMIT so they can be validated.
Result<int> open_ns_socket(const std::string& ifname, int ifindex);
// Raw ICMP (IPv4) passing only echo replies whose id is `id`.
Result<int> open_echo4_socket(uint16_t id);
// Raw ICMPv6 passing only echo replies.
Result<int> open_echo6_socket();
// The interface's hardware address (SIOCGIFHWADDR); an error for one that has none.
Result<Mac> interface_mac(int fd, const std::string& ifname);

// Messages to send, gathered during one tick and sent with sendmmsg per socket.
class Outbox {
 public:
  // A frame for an AF_PACKET socket: the kernel adds the link header to `dst`.
  void add_frame(uint64_t tag, int fd, int ifindex, uint16_t ethertype, const Mac& dst,
                 std::span<const uint8_t> bytes);
  // An ICMPv6 message from `src` on `ifindex` (IPV6_PKTINFO) to `dst`.
  void add_icmp6(uint64_t tag, int fd, int ifindex, const IpAddr& src, const IpAddr& dst,
                 std::span<const uint8_t> bytes);
  // An ICMP message from `src` out of `ifindex` (IP_PKTINFO) to `dst`, on a raw IPPROTO_ICMP
  // socket: the kernel routes it through that interface only, and takes `dst` as on-link there
  // when no route of that interface holds it.
  void add_icmp4(uint64_t tag, int fd, int ifindex, const IpAddr& src, const IpAddr& dst,
                 std::span<const uint8_t> bytes);
  bool empty() const { return msgs_.empty(); }
  // Sends everything; calls failed(tag, errno) for each message the kernel refused.
  void flush(const std::function<void(uint64_t tag, int err)>& failed);

 private:
  struct Msg {
    uint64_t tag = 0;
    int fd = -1;
    sockaddr_storage addr{};
    socklen_t addrlen = 0;
    std::array<uint8_t, 96> data{};
    size_t len = 0;
    std::array<uint8_t, 64> control{};
    size_t controllen = 0;
  };
  std::vector<Msg> msgs_;
};

struct RecvMeta {
  int ifindex = 0;    // AF_PACKET: the receiving interface
  IpAddr from;        // raw IPv6 sockets: the sender
  int hoplimit = -1;  // raw IPv6 sockets with IPV6_RECVHOPLIMIT
};
using RecvFn = std::function<void(std::span<const uint8_t>, const RecvMeta&)>;
// Reads until the socket is empty (recvmmsg, 16 at a time).
void drain(int fd, const RecvFn& fn);

}  // namespace vipa::dgd
