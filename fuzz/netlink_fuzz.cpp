// libFuzzer target: arbitrary bytes as one netlink datagram, cut into messages by the very walk
// the socket layer uses (nl::walk_datagram), each message given to every decoder, and the same
// bytes as a datagram of a dump (nl::dump_datagram).
// Every message is copied into a heap block of exactly nlmsg_len bytes, so AddressSanitizer
// reports a decoder reading one byte past the message. Decoded routes and addresses are encoded
// again into blocks of exactly the size the encoders promise, and must decode to the same
// identity (what vipad sends back when it rewrites a route's source). Decoded neighbours have an
// IPv4 or IPv6 address and a link-layer address no longer than a device's.
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>

#include "nl/address.h"
#include "nl/datagram.h"
#include "nl/link.h"
#include "nl/neighbour.h"
#include "nl/route.h"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "netlink_fuzz: %s\n", what);
  std::abort();
}

void check_route(const vipa::Route& r) {
  size_t cap = vipa::nl::route_request_size(r);
  auto buf = std::make_unique<char[]>(cap);
  std::memset(buf.get(), 0, cap);
  nlmsghdr* req = vipa::nl::encode_route(buf.get(), RTM_NEWROUTE, NLM_F_REPLACE, r);
  if (req->nlmsg_len > cap) fail("route request larger than route_request_size()");
  auto back = vipa::nl::decode_route(req);
  if (!back) fail("encoded route does not decode");
  if (back->table != r.table || back->oif != r.oif || back->gateway != r.gateway ||
      back->priority != r.priority || back->prefsrc != r.prefsrc || back->tos != r.tos)
    fail("encoded route decodes to another route");
}

void check_address(const vipa::Address& a) {
  constexpr size_t kCap = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(ifaddrmsg)) + 2 * 20 + 8;
  auto buf = std::make_unique<char[]>(kCap);
  std::memset(buf.get(), 0, kCap);
  nlmsghdr* req = vipa::nl::encode_address(buf.get(), RTM_NEWADDR, a);
  auto back = vipa::nl::decode_address(req);
  if (!back) fail("encoded address does not decode");
  if (back->addr != a.addr || back->ifindex != a.ifindex || back->prefixlen != (a.prefixlen & 0xff))
    fail("encoded address decodes to another address");
}

void check_neighbour(const vipa::nl::NeighbourMsg& n) {
  if (!n.dst.is_v4() && !n.dst.is_v6()) fail("neighbour without an IPv4 or IPv6 address");
  if (n.lladdr.size() > 32) fail("link-layer address longer than MAX_ADDR_LEN");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The socket hands over an aligned buffer; so does this.
  auto stream = std::make_unique<char[]>(size + 1);
  std::memcpy(stream.get(), data, size);
  std::span<const char> dgram(stream.get(), size);
  // The walk vipad's event socket does (src/nl/socket.cpp read_events).
  vipa::nl::walk_datagram(dgram, [](const nlmsghdr* h) {
    auto msg = std::make_unique<char[]>(h->nlmsg_len);
    std::memcpy(msg.get(), h, h->nlmsg_len);
    auto* m = reinterpret_cast<const nlmsghdr*>(msg.get());
    if (auto l = vipa::nl::decode_link(m)) {
      if (l->ifindex <= 0 || l->name.empty()) fail("link without identity");
    }
    if (auto a = vipa::nl::decode_address(m)) check_address(*a);
    if (auto r = vipa::nl::decode_route(m)) check_route(*r);
    if (auto n = vipa::nl::decode_neighbour(m)) check_neighbour(*n);
  });
  // And the one of a dump (src/nl/socket.cpp dump), with the sequence number of the first
  // message so that its control messages count.
  uint32_t seq = 0, pid = 0;
  if (size >= sizeof(nlmsghdr)) {
    nlmsghdr h;
    std::memcpy(&h, data, sizeof h);
    seq = h.nlmsg_seq;
    pid = h.nlmsg_pid;
  }
  vipa::nl::DumpProgress p;
  vipa::nl::dump_datagram(dgram, seq, pid, nullptr, p);
  if (p.error < 0) fail("negative errno");
  return 0;
}
