// Dynamic VIPA health checks and child processes on a real sd-event loop (loopback only, no
// namespaces needed): exec passes on exit 0, a hung exec is killed at its timeout and fails,
// tcp passes on a connect and fails on a refusal, http passes on 2xx only; vtysh-style
// output is captured.
#include "daemon/dvipa_health.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace vipa {
namespace {

class HealthTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GE(sd_event_new(&ev_), 0); }
  void TearDown() override {
    probe_.reset();
    sd_event_unref(ev_);
  }
  // Runs one probe until it reported `n` results (or 10 s passed).
  std::vector<std::pair<bool, std::string>> results(HealthConfig h, size_t n) {
    std::vector<std::pair<bool, std::string>> out;
    probe_ = std::make_unique<HealthProbe>(
        ev_, h, [&](bool pass, const std::string& d) { out.emplace_back(pass, d); });
    probe_->start();
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (out.size() < n && std::chrono::steady_clock::now() < end) sd_event_run(ev_, 50'000);
    probe_.reset();
    return out;
  }
  // A listening loopback TCP socket; returns its port.
  uint16_t listen_tcp(int* fd) {
    *fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(*fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(*fd, 16), 0);
    socklen_t l = sizeof a;
    getsockname(*fd, reinterpret_cast<sockaddr*>(&a), &l);
    return ntohs(a.sin_port);
  }
  static HealthConfig cfg(HealthKind k) {
    HealthConfig h;
    h.kind = k;
    h.interval_ms = 100;
    // Generous: a loaded machine may take long to fork; the hung-check test sets its own.
    h.timeout_ms = 5000;
    h.addr = *IpAddr::parse("127.0.0.1");
    h.http_host = "127.0.0.1";
    return h;
  }
  sd_event* ev_ = nullptr;
  std::unique_ptr<HealthProbe> probe_;
};

TEST_F(HealthTest, ExecPassesAndFails) {
  HealthConfig h = cfg(HealthKind::Exec);
  h.exec = {"/bin/true"};
  auto r = results(h, 2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].first);
  h.exec = {"/bin/sh", "-c", "exit 3"};
  r = results(h, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].first);
  EXPECT_EQ(r[0].second, "exit 3");
  h.exec = {"/nonexistent/check"};
  r = results(h, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].first);
}

TEST_F(HealthTest, HungExecIsKilledAtItsTimeoutAndFails) {
  HealthConfig h = cfg(HealthKind::Exec);
  h.exec = {"/bin/sleep", "30"};
  h.timeout_ms = 50;
  auto t0 = std::chrono::steady_clock::now();
  auto r = results(h, 2);
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(r.size(), 2u);
  EXPECT_FALSE(r[0].first);
  EXPECT_EQ(r[0].second, "killed after 50 ms (timeout)");
  EXPECT_LT(took, std::chrono::seconds(10));
}

TEST_F(HealthTest, TcpConnectsOrNot) {
  int fd = -1;
  HealthConfig h = cfg(HealthKind::Tcp);
  h.port = listen_tcp(&fd);
  auto r = results(h, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].first) << r[0].second;
  close(fd);  // now refused
  r = results(h, 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].first);
}

TEST_F(HealthTest, HttpNeeds2xx) {
  for (auto [status, pass] : {std::pair{"200 OK", true}, std::pair{"503 Busy", false}}) {
    int fd = -1;
    HealthConfig h = cfg(HealthKind::Http);
    h.port = listen_tcp(&fd);
    h.http_path = "/healthz";
    std::string request;
    std::thread server([&] {
      int c = accept(fd, nullptr, nullptr);
      char buf[1024];
      ssize_t n = recv(c, buf, sizeof buf, 0);
      if (n > 0) request.assign(buf, static_cast<size_t>(n));
      std::string resp = std::string("HTTP/1.0 ") + status + "\r\n\r\n";
      (void)!send(c, resp.data(), resp.size(), 0);
      close(c);
    });
    h.timeout_ms = 2000;
    h.interval_ms = 2000;
    auto r = results(h, 1);
    server.join();
    close(fd);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].first, pass) << r[0].second;
    EXPECT_EQ(request.rfind("GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n", 0), 0u) << request;
  }
}

TEST_F(HealthTest, ChildOutputIsCaptured) {
  ChildProcess c(ev_);
  ChildResult got;
  bool done = false;
  c.start({"/bin/sh", "-c", "echo out; echo err >&2; exit 1"}, 5'000'000, true,
          [&](const ChildResult& r) {
            got = r;
            done = true;
          });
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done && std::chrono::steady_clock::now() < end) sd_event_run(ev_, 50'000);
  ASSERT_TRUE(done);
  EXPECT_EQ(got.output, "out\nerr\n");
  EXPECT_TRUE(got.exited);
  EXPECT_EQ(got.status, 1);
  ChildResult b = run_blocking({"/bin/sh", "-c", "echo hi"}, 5'000'000);
  EXPECT_TRUE(b.ok());
  EXPECT_EQ(b.output, "hi\n");
  ChildResult t = run_blocking({"/bin/sleep", "30"}, 100'000);
  EXPECT_TRUE(t.timed_out);
  EXPECT_FALSE(t.ok());
}

}  // namespace
}  // namespace vipa
