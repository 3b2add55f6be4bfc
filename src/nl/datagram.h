// How one netlink datagram is cut into messages, and what a dump's control messages mean:
// pure functions over the bytes recv() returned, shared by the socket (src/nl/socket.cpp) and
// the netlink fuzzer, so the fuzzer walks exactly what vipad walks.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <span>

namespace vipa::nl {

// Calls fn for each whole message in order. A message is whole when its nlmsg_len covers at
// least its header and fits in what is left of the datagram (compared unsigned: libmnl's
// mnl_nlmsg_ok() compares as int, so a length of 2^31 or more would pass). Returns false when
// bytes are left over that do not form a whole message: the datagram was cut, and whatever it
// carried after the last whole message is lost (the caller must resynchronise).
bool walk_datagram(std::span<const char> data, const std::function<void(const nlmsghdr*)>& fn);

// The errno a kernel answer carries (the int of NLMSG_ERROR, or of NLMSG_DONE's payload):
// 0 for success, the positive errno for a negative one. A positive value or INT_MIN is no errno
// the kernel sends: the message is malformed, and reads as EBADMSG (never a negative errno, and
// no signed overflow on negation).
int answer_errno(int raw);

// The state of one dump across its datagrams.
struct DumpProgress {
  bool done = false;         // NLMSG_DONE or the error that ends the dump was seen
  bool interrupted = false;  // NLM_F_DUMP_INTR: the table changed while it was dumped
  int error = 0;             // errno: the kernel's, or EBADMSG for a malformed or cut datagram
};

// Feeds one datagram of the dump with sequence `seq` on port `portid` to fn (data messages
// only; messages of other requests are skipped). The kernel reports a failed dump either with
// NLMSG_ERROR or with a negative errno in NLMSG_DONE's payload (netlink_dump_done()); both end
// it with `error` set. An NLMSG_ERROR too short to hold a struct nlmsgerr is malformed.
void dump_datagram(std::span<const char> data, uint32_t seq, uint32_t portid,
                   const std::function<void(const nlmsghdr*)>& fn, DumpProgress& p);

}  // namespace vipa::nl
