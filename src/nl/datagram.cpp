#include "nl/datagram.h"

#include <linux/netlink.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace vipa::nl {

int answer_errno(int raw) {
  if (raw == 0) return 0;
  if (raw < 0 && raw != INT_MIN) return -raw;
  return EBADMSG;
}

bool walk_datagram(std::span<const char> data, const std::function<void(const nlmsghdr*)>& fn) {
  size_t off = 0;
  while (data.size() - off >= sizeof(nlmsghdr)) {
    nlmsghdr h;
    std::memcpy(&h, data.data() + off, sizeof h);  // the buffer need not be aligned here
    size_t left = data.size() - off;
    if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > left) return false;
    fn(reinterpret_cast<const nlmsghdr*>(data.data() + off));
    size_t step = NLMSG_ALIGN(h.nlmsg_len);
    if (step >= left) return true;  // the last message; its padding may be missing
    off += step;
  }
  return off == data.size();
}

void dump_datagram(std::span<const char> data, uint32_t seq, uint32_t portid,
                   const std::function<void(const nlmsghdr*)>& fn, DumpProgress& p) {
  bool whole = walk_datagram(data, [&](const nlmsghdr* m) {
    if (p.done) return;
    if (m->nlmsg_seq != seq || m->nlmsg_pid != portid) return;  // stale: an older request's
    if (m->nlmsg_flags & NLM_F_DUMP_INTR) p.interrupted = true;
    size_t payload = m->nlmsg_len - NLMSG_HDRLEN;
    if (m->nlmsg_type == NLMSG_DONE) {
      p.done = true;
      int err = 0;
      if (payload >= sizeof err) std::memcpy(&err, NLMSG_DATA(m), sizeof err);
      if (err < 0 && p.error == 0) p.error = answer_errno(err);
      return;
    }
    if (m->nlmsg_type == NLMSG_ERROR) {
      if (payload < sizeof(nlmsgerr)) {
        if (p.error == 0) p.error = EBADMSG;
        p.done = true;
        return;
      }
      nlmsgerr e;
      std::memcpy(&e, NLMSG_DATA(m), sizeof e);
      if (e.error) {
        if (p.error == 0) p.error = answer_errno(e.error);
        p.done = true;
      }
      return;
    }
    if (m->nlmsg_type >= NLMSG_MIN_TYPE && fn) fn(m);
  });
  if (!whole) {
    // Whatever followed is lost, NLMSG_DONE perhaps with it: end here rather than block waiting
    // for it (a late rest is another request's stale answer to the next reader, and skipped).
    if (p.error == 0) p.error = EBADMSG;
    p.done = true;
  }
}

}  // namespace vipa::nl
