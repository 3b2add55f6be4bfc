// Busy connections from NETLINK_SOCK_DIAG: a loopback connection on its own address
// (127.0.0.86, which nothing else uses) counts while it hears data, and stops counting once it
// has been quiet for idle_ms though it stays ESTABLISHED (as a half-open leftover does).
#include "daemon/dvipa_sockdiag.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace vipa {
namespace {

TEST(DvipaSockDiag, CountsOnlyConnectionsThatHeardSomethingRecently) {
  IpAddr dv = *IpAddr::parse("127.0.0.86");
  int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.86", &a.sin_addr);
  ASSERT_EQ(bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(l, 4), 0);
  socklen_t len = sizeof a;
  getsockname(l, reinterpret_cast<sockaddr*>(&a), &len);
  int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_EQ(connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  int s = accept(l, nullptr, nullptr);
  ASSERT_GE(s, 0);
  ASSERT_EQ(send(c, "x", 1, 0), 1);
  char b;
  ASSERT_EQ(recv(s, &b, 1, 0), 1);

  auto busy = busy_connections({{dv, 60'000}});
  ASSERT_TRUE(busy.ok()) << busy.error().message;
  EXPECT_EQ(busy->at(dv), 1);
  // Quiet for longer than idle_ms: no longer busy, still ESTABLISHED.
  int n = -1;
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < end) {
    auto r = busy_connections({{dv, 50}});
    ASSERT_TRUE(r.ok());
    n = r->at(dv);
    if (n == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(n, 0);
  // Data again: busy again.
  ASSERT_EQ(send(c, "y", 1, 0), 1);
  ASSERT_EQ(recv(s, &b, 1, 0), 1);
  EXPECT_EQ(busy_connections({{dv, 5000}})->at(dv), 1);
  close(c);
  close(s);
  close(l);
  // An address with no sockets: present, zero.
  IpAddr other = *IpAddr::parse("127.0.0.87");
  EXPECT_EQ(busy_connections({{other, 5000}})->at(other), 0);
}

}  // namespace
}  // namespace vipa
