// How a netlink datagram is cut into messages and how a dump ends (src/nl/datagram.h), on
// byte arrays laid out as the kernel sends them.
#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include "nl/datagram.h"

namespace vipa::nl {
namespace {

constexpr uint32_t kSeq = 7, kPort = 1234;

// Appends one message: header, then `payload` bytes, padded to NLMSG_ALIGNTO.
void put(std::vector<char>& out, uint16_t type, const void* payload, size_t len,
         uint32_t seq = kSeq, uint16_t flags = NLM_F_MULTI, uint32_t nlmsg_len = 0) {
  nlmsghdr h{};
  h.nlmsg_len = nlmsg_len ? nlmsg_len : static_cast<uint32_t>(NLMSG_HDRLEN + len);
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  h.nlmsg_seq = seq;
  h.nlmsg_pid = kPort;
  size_t at = out.size();
  out.resize(at + NLMSG_ALIGN(NLMSG_HDRLEN + len));
  std::memcpy(out.data() + at, &h, sizeof h);
  if (len) std::memcpy(out.data() + at + NLMSG_HDRLEN, payload, len);
}

std::vector<uint16_t> walk_types(const std::vector<char>& d, bool* whole) {
  std::vector<uint16_t> types;
  *whole = walk_datagram(d, [&](const nlmsghdr* m) { types.push_back(m->nlmsg_type); });
  return types;
}

TEST(NlDatagram, WalksWholeMessages) {
  std::vector<char> d;
  rtmsg rt{};
  put(d, RTM_NEWROUTE, &rt, sizeof rt);
  put(d, RTM_DELROUTE, &rt, sizeof rt);
  bool whole = false;
  EXPECT_EQ(walk_types(d, &whole), (std::vector<uint16_t>{RTM_NEWROUTE, RTM_DELROUTE}));
  EXPECT_TRUE(whole);
}

TEST(NlDatagram, CutDatagramIsReported) {
  std::vector<char> d;
  rtmsg rt{};
  put(d, RTM_NEWROUTE, &rt, sizeof rt);
  put(d, RTM_NEWROUTE, &rt, sizeof rt);
  d.resize(d.size() - 4);  // the second message lost its tail
  bool whole = true;
  EXPECT_EQ(walk_types(d, &whole).size(), 1u);
  EXPECT_FALSE(whole);
  d.resize(d.size() - 20);  // a lone partial header
  EXPECT_EQ(walk_types(d, &whole).size(), 1u);
  EXPECT_FALSE(whole);
}

TEST(NlDatagram, LengthsOutOfRangeAreRefused) {
  rtmsg rt{};
  for (uint32_t bad : {8u, 15u, 0x80000010u, 0xffffffffu}) {
    std::vector<char> d;
    put(d, RTM_NEWROUTE, &rt, sizeof rt, kSeq, NLM_F_MULTI, bad);
    bool whole = true;
    EXPECT_TRUE(walk_types(d, &whole).empty()) << bad;
    EXPECT_FALSE(whole) << bad;
  }
}

TEST(NlDatagram, DumpPassesDataSkipsStaleAndEndsAtDone) {
  std::vector<char> d;
  rtmsg rt{};
  put(d, RTM_NEWROUTE, &rt, sizeof rt);
  put(d, RTM_NEWROUTE, &rt, sizeof rt, kSeq - 1);  // an older request's
  int zero = 0;
  put(d, NLMSG_DONE, &zero, sizeof zero);
  DumpProgress p;
  int n = 0;
  dump_datagram(
      d, kSeq, kPort, [&](const nlmsghdr*) { ++n; }, p);
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.error, 0);
}

TEST(NlDatagram, ErrorInsideDoneIsHonoured) {
  // netlink_dump_done(): a dump that failed part-way ends with NLMSG_DONE carrying -errno.
  std::vector<char> d;
  int err = -ENOBUFS;
  put(d, NLMSG_DONE, &err, sizeof err);
  DumpProgress p;
  dump_datagram(d, kSeq, kPort, nullptr, p);
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.error, ENOBUFS);
}

TEST(NlDatagram, ShortNlmsgerrIsMalformed) {
  std::vector<char> d;
  int e = -EPERM;  // 4 bytes: no room for the echoed header of a struct nlmsgerr
  put(d, NLMSG_ERROR, &e, sizeof e);
  DumpProgress p;
  dump_datagram(d, kSeq, kPort, nullptr, p);
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.error, EBADMSG);
}

TEST(NlDatagram, DumpErrorAndInterruption) {
  std::vector<char> d;
  rtmsg rt{};
  put(d, RTM_NEWROUTE, &rt, sizeof rt, kSeq, NLM_F_MULTI | NLM_F_DUMP_INTR);
  nlmsgerr e{};
  e.error = -EBUSY;
  put(d, NLMSG_ERROR, &e, sizeof e);
  DumpProgress p;
  dump_datagram(d, kSeq, kPort, nullptr, p);
  EXPECT_TRUE(p.interrupted);
  EXPECT_TRUE(p.done);
  EXPECT_EQ(p.error, EBUSY);
}

TEST(NlDatagram, ErrnoThatNoKernelSendsIsMalformed) {
  // A positive "errno" or INT_MIN (whose negation overflows) in NLMSG_ERROR or NLMSG_DONE is a
  // forged or corrupted answer: it ends the dump as malformed, never as a negative errno.
  for (int raw : {EBUSY, INT_MIN}) {
    std::vector<char> d;
    nlmsgerr e{};
    e.error = raw;
    put(d, NLMSG_ERROR, &e, sizeof e);
    DumpProgress p;
    dump_datagram(d, kSeq, kPort, nullptr, p);
    EXPECT_TRUE(p.done) << raw;
    EXPECT_EQ(p.error, EBADMSG) << raw;
  }
  std::vector<char> d;
  int raw = INT_MIN;
  put(d, NLMSG_DONE, &raw, sizeof raw);
  DumpProgress p;
  dump_datagram(d, kSeq, kPort, nullptr, p);
  EXPECT_EQ(p.error, EBADMSG);
  EXPECT_EQ(answer_errno(0), 0);
  EXPECT_EQ(answer_errno(-ENODEV), ENODEV);
}

TEST(NlDatagram, CutDumpEndsWithAnError) {
  std::vector<char> d;
  rtmsg rt{};
  put(d, RTM_NEWROUTE, &rt, sizeof rt);
  d.resize(d.size() - 3);
  DumpProgress p;
  dump_datagram(d, kSeq, kPort, nullptr, p);
  EXPECT_TRUE(p.done) << "must not wait for a NLMSG_DONE that was cut off";
  EXPECT_EQ(p.error, EBADMSG);
}

}  // namespace
}  // namespace vipa::nl
