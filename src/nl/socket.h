// A thin rtnetlink socket over libmnl: requests with acknowledgement, dumps, and the event stream.
#pragma once

#include <libmnl/libmnl.h>
#include <linux/filter.h>
#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"

namespace vipa::nl {

// Called for every netlink message of a dump or of the event stream.
using MessageFn = std::function<void(const nlmsghdr*)>;

// What the kernel cache reads the kernel through: dumps and the event stream. Socket is the real
// one; the unit tests give the cache a fake kernel that injects events and their quirks
// (tests/unit/daemon/fake_netlink.h).
class Rtnl {
 public:
  virtual ~Rtnl() = default;
  virtual Status dump(uint16_t type, uint8_t family, const MessageFn& fn) = 0;
  virtual Status dump_routes(uint8_t family, uint32_t table, uint8_t protocol,
                             const MessageFn& fn) = 0;
  virtual Status read_events(const MessageFn& fn) = 0;
};

class Socket : public Rtnl {
 public:
  Socket() = default;
  ~Socket() override;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // groups: RTNLGRP_* numbers to join (the event socket); none for the request socket.
  Status open(const std::vector<unsigned>& groups, bool nonblocking);
  int fd() const;
  // Join one more multicast group (RTNLGRP_*) on an open socket.
  Status join(unsigned group);
  // SO_RCVBUFFORCE (falls back to SO_RCVBUF): a large buffer rides out bursts of events.
  Status set_rcvbuf(int bytes);

  // Send one request built in `msg` (its nlmsg_seq is set here) and wait for the kernel's ack.
  // Returns the kernel's errno as an Error (errnum set) on failure.
  // Answers to the request (e.g. the link a GETLINK asks for) go to `fn`.
  Status request(nlmsghdr* msg, const MessageFn& fn = nullptr);
  // Many requests in one sendmsg: `count` messages back to back in buf[0, len), each asking for
  // its own acknowledgement (sequence numbers are set here). on_ack(i, err) is called once for
  // the i-th request, err 0 or the kernel's errno. The kernel handles them in order.
  Status request_batch(char* buf, size_t len, size_t count,
                       const std::function<void(size_t, int)>& on_ack);
  // Dump: send a GET with NLM_F_DUMP and feed every answer to fn.
  Status dump(uint16_t type, uint8_t family, const MessageFn& fn) override;

  // Route dump filtered by the kernel (NETLINK_GET_STRICT_CHK): only `table` (0: all) and only
  // `protocol` (0: all). Errors with errnum ENOPROTOOPT where the kernel cannot filter dumps
  // (before Linux 4.20), ENOENT where the table does not exist.
  Status dump_routes(uint8_t family, uint32_t table, uint8_t protocol,
                     const MessageFn& fn) override;

  // Replace the socket's classic BPF filter (SO_ATTACH_FILTER): what it drops is never queued.
  Status set_filter(const std::vector<sock_filter>& prog);

  // Drain the event stream (non-blocking socket). Returns an Error with errnum ENOBUFS when the
  // kernel dropped events: the caller must then resynchronise with dumps.
  Status read_events(const MessageFn& fn) override;

 private:
  mnl_socket* sock_ = nullptr;
  uint32_t portid_ = 0;
  uint32_t seq_ = 0;
  Status read_dump(const MessageFn& fn);
  std::vector<char> buf_ = std::vector<char>(1 << 16);
};

}  // namespace vipa::nl
