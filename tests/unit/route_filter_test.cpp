// The route event filter: the cBPF program run over real kernel messages (tests/data/nl/golden.inc)
// and random ones in a small interpreter of the instructions it uses, against RouteFilter::wants.
#include "nl/route_filter.h"

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <optional>
#include <random>
#include <vector>

#include "core/desired.h"
#include "core/model.h"

namespace vipa {
namespace {

#include "../data/nl/golden.inc"

// Classic BPF as the kernel runs a socket filter: loads are big-endian, a load past the end of
// the packet ends the program with 0 (drop). Only the instructions route_event_program emits are
// known; anything else fails the test.
std::optional<uint32_t> run_bpf(const std::vector<sock_filter>& prog, const unsigned char* pkt,
                                size_t len) {
  uint32_t a = 0;
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const sock_filter& in = prog[pc];
    switch (in.code) {
      case BPF_LD | BPF_B | BPF_ABS:
        if (in.k + 1 > len) return 0;
        a = pkt[in.k];
        break;
      case BPF_LD | BPF_H | BPF_ABS:
        if (in.k + 2 > len) return 0;
        a = uint32_t{pkt[in.k]} << 8 | pkt[in.k + 1];
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        pc += a == in.k ? in.jt : in.jf;
        break;
      case BPF_RET | BPF_K:
        return in.k;
      default:
        ADD_FAILURE() << "unexpected instruction " << in.code << " at " << pc;
        return std::nullopt;
    }
    if (pc >= prog.size()) ADD_FAILURE() << "jump past the end";
  }
  ADD_FAILURE() << "fell off the end";
  return std::nullopt;
}

nl::RouteFilter vipad_filter() {
  nl::RouteFilter f;
  f.drop_protocols = routing_daemon_protocols();
  f.keep_protocol = kProtoVipa;
  f.tables = {RT_TABLE_MAIN, RT_TABLE_LOCAL, 86};
  return f;
}

bool bpf_accepts(const nl::RouteFilter& f, const std::vector<unsigned char>& m) {
  auto r = run_bpf(nl::route_event_program(f), m.data(), m.size());
  EXPECT_TRUE(r.has_value());
  return r.value_or(0) != 0;
}

std::vector<unsigned char> bytes(const unsigned char* p, size_t n) {
  return {p, p + n};
}
#define GOLDEN(x) bytes(x, sizeof x)

// A route message with another protocol and table byte, as a routing daemon's would be.
std::vector<unsigned char> with(std::vector<unsigned char> m, uint8_t protocol, uint8_t table) {
  auto* rtm = reinterpret_cast<rtmsg*>(m.data() + NLMSG_HDRLEN);
  rtm->rtm_protocol = protocol;
  rtm->rtm_table = table;
  return m;
}

bool wants(const nl::RouteFilter& f, const std::vector<unsigned char>& m) {
  return f.wants(reinterpret_cast<const nlmsghdr*>(m.data()));
}

TEST(RouteFilter, KeepsWhatVipadManagesFromTheKernel) {
  auto f = vipad_filter();
  for (auto m : {GOLDEN(link_en1_up), GOLDEN(link_vi0_del), GOLDEN(addr_vi0_v4_noprefixroute),
                 GOLDEN(addr_vi0_v4_del), GOLDEN(route_v4_local), GOLDEN(route_v4_connected),
                 GOLDEN(route_v4_default_src), GOLDEN(route_v4_metrics_mtu_lock),
                 GOLDEN(route_v6_gateway), GOLDEN(route_v4_multipath), GOLDEN(route_v4_table86),
                 GOLDEN(route_v4_default_del), GOLDEN(route_v6_multicast)}) {
    EXPECT_TRUE(wants(f, m));
    EXPECT_TRUE(bpf_accepts(f, m));
  }
}

TEST(RouteFilter, DropsRoutingDaemonRoutesInEveryTable) {
  auto f = vipad_filter();
  for (auto base : {GOLDEN(route_v4_metrics_mtu_lock), GOLDEN(route_v6_gateway),
                    GOLDEN(route_v4_default_del), GOLDEN(route_v4_multipath)}) {
    for (uint8_t proto : {12 /*bird*/, 186 /*bgp*/, 188 /*ospf*/, 11 /*zebra*/}) {
      for (int table : {int{RT_TABLE_MAIN}, int{RT_TABLE_LOCAL}, 86, 200}) {
        auto m = with(base, proto, static_cast<uint8_t>(table));
        EXPECT_FALSE(wants(f, m)) << int(proto) << " " << int(table);
        EXPECT_FALSE(bpf_accepts(f, m)) << int(proto) << " " << int(table);
      }
    }
  }
}

TEST(RouteFilter, DropsOtherTablesButKeepsItsOwnProtocolEverywhere) {
  auto f = vipad_filter();
  auto m = with(GOLDEN(route_v4_metrics_mtu_lock), RTPROT_STATIC, 200);
  EXPECT_FALSE(wants(f, m));
  EXPECT_FALSE(bpf_accepts(f, m));
  m = with(GOLDEN(route_v4_default_src), kProtoVipa, 200);
  EXPECT_TRUE(wants(f, m));
  EXPECT_TRUE(bpf_accepts(f, m));
}

TEST(RouteFilter, ShortMessagesAreDropped) {
  auto f = vipad_filter();
  auto m = GOLDEN(route_v4_connected);
  m.resize(NLMSG_HDRLEN + 4);  // ends before rtm_protocol
  EXPECT_FALSE(bpf_accepts(f, m));
}

// Random headers: the program and the reference agree, except that tables above 255 (which the
// program cannot see) are let through and left to the daemon's own check.
TEST(RouteFilter, ProgramAgreesWithTheReferenceOnRandomMessages) {
  std::mt19937 rng(12);
  for (auto tables : {std::vector<uint32_t>{RT_TABLE_MAIN, RT_TABLE_LOCAL, 86},
                      std::vector<uint32_t>{RT_TABLE_MAIN, 1000}}) {
    auto f = vipad_filter();
    f.tables = tables;
    auto prog = nl::route_event_program(f);
    ASSERT_LT(prog.size(), 256u);
    for (int i = 0; i < 20000; ++i) {
      auto m = GOLDEN(route_v4_metrics_mtu_lock);
      const uint16_t types[] = {RTM_NEWROUTE, RTM_DELROUTE, RTM_NEWLINK, RTM_NEWADDR, RTM_GETROUTE};
      reinterpret_cast<nlmsghdr*>(m.data())->nlmsg_type = types[rng() % 5];
      m = with(m, static_cast<uint8_t>(rng()), static_cast<uint8_t>(rng() % 4 ? rng() : 252));
      bool ref = wants(f, m);
      auto r = run_bpf(prog, m.data(), m.size());
      ASSERT_TRUE(r.has_value());
      auto* rtm = reinterpret_cast<rtmsg*>(m.data() + NLMSG_HDRLEN);
      if (rtm->rtm_table == RT_TABLE_COMPAT && *r) continue;  // over-accepting is allowed there
      ASSERT_EQ(ref, *r != 0) << "protocol " << int(rtm->rtm_protocol) << " table "
                              << int(rtm->rtm_table);
    }
  }
}

}  // namespace
}  // namespace vipa
