// The metrics endpoint on a real sd-event loop over the loopback, and its request parsing.
#include "daemon/metrics_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <vector>

namespace vipa {
namespace {

std::string body() {
  return "vipa_up{vipa=\"vi0\"} 1\n";
}

TEST(MetricsHttp, GetMetrics) {
  std::string a = metrics_http_answer("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", body);
  EXPECT_EQ(a.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << a;
  EXPECT_NE(a.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
            std::string::npos);
  EXPECT_NE(a.find("Content-Length: " + std::to_string(body().size()) + "\r\n"), std::string::npos);
  EXPECT_NE(a.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(a.substr(a.find("\r\n\r\n") + 4), body());
  EXPECT_EQ(
      metrics_http_answer("GET /metrics?name[]=x HTTP/1.0\n\n", body).rfind("HTTP/1.0 200", 0), 0u);
}

TEST(MetricsHttp, OtherPathsAndMethods) {
  bool rendered = false;
  auto r = [&] {
    rendered = true;
    return std::string();
  };
  EXPECT_EQ(metrics_http_answer("GET / HTTP/1.0\r\n\r\n", r).rfind("HTTP/1.0 404", 0), 0u);
  EXPECT_EQ(metrics_http_answer("GET /metricsx HTTP/1.0\r\n\r\n", r).rfind("HTTP/1.0 404", 0), 0u);
  EXPECT_EQ(metrics_http_answer("POST /metrics HTTP/1.0\r\n\r\n", r).rfind("HTTP/1.0 405", 0), 0u);
  EXPECT_EQ(metrics_http_answer("GET /metrics\r\n\r\n", r).rfind("HTTP/1.0 400", 0), 0u);
  EXPECT_EQ(metrics_http_answer("garbage", r).rfind("HTTP/1.0 400", 0), 0u);
  EXPECT_FALSE(rendered);
}

// A client in a thread; the server's loop runs in the test's thread.
std::string fetch(uint16_t port, const std::string& request, bool* done) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
    (void)!write(fd, request.data(), request.size());
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  *done = true;
  return out;
}

TEST(MetricsServer, ServesOverTcpAndCloses) {
  sd_event* ev = nullptr;
  ASSERT_GE(sd_event_new(&ev), 0);
  {
    MetricsServer srv(ev, HostPort{*IpAddr::parse("127.0.0.1"), 0}, body);
    Status s = srv.start();
    ASSERT_TRUE(s.ok()) << s.error().message;
    ASSERT_NE(srv.port(), 0);
    for (std::string req :
         {std::string("GET /metrics HTTP/1.0\r\n\r\n"), std::string("GET /nope HTTP/1.0\r\n\r\n"),
          std::string(MetricsServer::kMaxRequest + 100, 'A')}) {
      bool done = false;
      std::string got;
      std::thread t([&] { got = fetch(srv.port(), req, &done); });
      for (int i = 0; i < 500 && !done; ++i) sd_event_run(ev, 10'000);
      t.join();
      ASSERT_TRUE(done);
      if (req.find("/metrics") != std::string::npos) {
        EXPECT_EQ(got.rfind("HTTP/1.0 200 OK", 0), 0u) << got;
        EXPECT_EQ(got.substr(got.find("\r\n\r\n") + 4), body());
      } else if (req.find("/nope") != std::string::npos) {
        EXPECT_EQ(got.rfind("HTTP/1.0 404", 0), 0u) << got;
      } else {
        EXPECT_EQ(got.rfind("HTTP/1.0 431", 0), 0u) << got;
      }
    }
  }
  sd_event_unref(ev);
}

// Netlink's source (priority 0 in vipad) stands in as a pipe that keeps data pending: while it
// has any, no scrape is accepted or answered.
TEST(MetricsServer, ScrapesComeAfterKernelEvents) {
  sd_event* ev = nullptr;
  ASSERT_GE(sd_event_new(&ev), 0);
  std::vector<std::string> order;
  {
    MetricsServer srv(ev, HostPort{*IpAddr::parse("127.0.0.1"), 0}, [&] {
      order.push_back("scrape");
      return body();
    });
    ASSERT_TRUE(srv.start().ok());
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(srv.port());
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    std::string req = "GET /metrics HTTP/1.0\r\n\r\n";
    ASSERT_EQ(write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
    int p[2];
    ASSERT_EQ(pipe2(p, O_NONBLOCK), 0);
    ASSERT_EQ(write(p[1], "12345", 5), 5);
    sd_event_source* kernel = nullptr;
    auto one_event = [](sd_event_source*, int pfd, uint32_t, void* o) {
      char c;
      (void)!read(pfd, &c, 1);  // one event per dispatch: the rest stay pending
      static_cast<std::vector<std::string>*>(o)->push_back("kernel");
      return 0;
    };
    ASSERT_GE(sd_event_add_io(ev, &kernel, p[0], EPOLLIN, one_event, &order), 0);
    for (int i = 0; i < 2000 && (order.empty() || order.back() != "scrape"); ++i)
      sd_event_run(ev, 1000);
    std::vector<std::string> want = {"kernel", "kernel", "kernel", "kernel", "kernel", "scrape"};
    EXPECT_EQ(order, want);
    sd_event_source_disable_unref(kernel);
    close(p[0]);
    close(p[1]);
    close(fd);
  }
  sd_event_unref(ev);
}

TEST(MetricsServer, BindFailureIsAnError) {
  sd_event* ev = nullptr;
  ASSERT_GE(sd_event_new(&ev), 0);
  {
    MetricsServer a(ev, HostPort{*IpAddr::parse("127.0.0.1"), 0}, body);
    ASSERT_TRUE(a.start().ok());
    MetricsServer b(ev, HostPort{*IpAddr::parse("127.0.0.1"), a.port()}, body);
    Status s = b.start();
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("bind 127.0.0.1:"), std::string::npos) << s.error().message;
  }
  sd_event_unref(ev);
}

}  // namespace
}  // namespace vipa
