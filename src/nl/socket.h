// A thin rtnetlink socket over libmnl: requests with acknowledgement, dumps, and the event stream.
#pragma once

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"

namespace vipa::nl {

// Called for every netlink message of a dump or of the event stream.
using MessageFn = std::function<void(const nlmsghdr*)>;

class Socket {
 public:
  Socket() = default;
  ~Socket();
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
  // Dump: send a GET with NLM_F_DUMP and feed every answer to fn.
  Status dump(uint16_t type, uint8_t family, const MessageFn& fn);

  // Drain the event stream (non-blocking socket). Returns an Error with errnum ENOBUFS when the
  // kernel dropped events: the caller must then resynchronise with dumps.
  Status read_events(const MessageFn& fn);

 private:
  mnl_socket* sock_ = nullptr;
  uint32_t portid_ = 0;
  uint32_t seq_ = 0;
  std::vector<char> buf_ = std::vector<char>(1 << 16);
};

}  // namespace vipa::nl
