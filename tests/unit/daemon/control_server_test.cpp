// The control server on a real sd-event loop, with clients on real Unix sockets driven from the
// test's own thread (all sockets non-blocking, the loop run step by step).
#include "daemon/control_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <string>

#include "../test_tmpdir.h"

namespace vipa {
namespace {

using nlohmann::json;

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sd_event_new(&ev_), 0);
    path_ = tmp_.path() + "/ctl.sock";
  }
  void TearDown() override {
    srv_.reset();
    for (int fd : fds_) close(fd);
    sd_event_unref(ev_);
  }
  void start(ControlServer::Handler h) {
    srv_ = std::make_unique<ControlServer>(ev_, path_, std::move(h));
    Status s = srv_->start();
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  int connect_client() {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strcpy(sa.sun_path, path_.c_str());
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    fds_.push_back(fd);
    return fd;
  }
  static void put(int fd, const std::string& s) {
    ASSERT_EQ(write(fd, s.data(), s.size()), static_cast<ssize_t>(s.size()));
  }
  // Runs the loop until pred() holds (or 2000 idle steps pass); returns pred().
  bool run_until(const std::function<bool()>& pred) {
    for (int i = 0; i < 2000 && !pred(); ++i) sd_event_run(ev_, 1000);
    return pred();
  }
  // Whatever the client has received so far, appended to *got.
  static void drain(int fd, std::string* got) {
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) got->append(buf, static_cast<size_t>(n));
  }
  static size_t lines(const std::string& s) {
    return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
  }

  TempDir tmp_;
  std::string path_;
  sd_event* ev_ = nullptr;
  std::unique_ptr<ControlServer> srv_;
  std::vector<int> fds_;
};

json ok_answer() {
  return {{"ok", true}, {"result", json::object()}};
}

// A request whose handler broadcasts an event (as mkdev/chdev/rmdev/reload do) to its own
// client, whose send then fails: the client must not be freed under the request's feet.
TEST_F(ControlServerTest, BroadcastFailingForTheRequesterDefersTheFree) {
  size_t held_after_broadcast = 0;
  bool handled = false;
  start([&](const json& req, bool) {
    if (req["cmd"] == "mkdev") {
      srv_->broadcast({{"event", "vipa_added"}});
      held_after_broadcast = srv_->clients();
      handled = true;
    }
    return ok_answer();
  });
  int fd = connect_client();
  put(fd, "{\"cmd\":\"monitor\"}\n");
  std::string got;
  ASSERT_TRUE(run_until([&] {
    drain(fd, &got);
    return lines(got) == 1;
  }));
  // The peer no longer reads: every send to it fails with EPIPE from here on.
  ASSERT_EQ(shutdown(fd, SHUT_RD), 0);
  put(fd, "{\"cmd\":\"mkdev\"}\n");
  ASSERT_TRUE(run_until([&] { return handled; }));
  EXPECT_EQ(held_after_broadcast, 1u) << "freed inside the request that broadcast";
  EXPECT_TRUE(run_until([&] { return srv_->clients() == 0; })) << "dead client never freed";
}

// One client pipelining thousands of requests must not delay another's single request by more
// than a turn per client: counted in answers the flood got meanwhile, not in seconds.
TEST_F(ControlServerTest, PipeliningClientGetsFairTurns) {
  int flood_answers = 0;
  int answered_while_probe_waited = -1;
  bool probe_sent = false;
  start([&](const json& req, bool) {
    if (req["cmd"] == "probe") answered_while_probe_waited = flood_answers;
    if (req["cmd"] == "status") ++flood_answers;
    return ok_answer();
  });
  int flood = connect_client();
  std::string burst;
  for (int i = 0; i < 4000; ++i) burst += "{\"cmd\":\"status\"}\n";
  size_t sent = 0;
  std::string flood_got, probe_got;
  int probe = connect_client();
  int flood_at_probe = 0;
  ASSERT_TRUE(run_until([&] {
    if (sent < burst.size()) {
      ssize_t n = write(flood, burst.data() + sent, burst.size() - sent);
      if (n > 0) sent += static_cast<size_t>(n);
    }
    drain(flood, &flood_got);
    if (!probe_sent && flood_answers > 200) {
      put(probe, "{\"cmd\":\"probe\"}\n");
      probe_sent = true;
      flood_at_probe = flood_answers;
    }
    drain(probe, &probe_got);
    return lines(probe_got) == 1;
  }));
  // The probe's read, then at most the flood's current turn and one more before it.
  EXPECT_LE(answered_while_probe_waited - flood_at_probe, 2 * ControlServer::kLinesPerTurn);
  // And the flood itself is still being served afterwards.
  EXPECT_TRUE(run_until([&] {
    drain(flood, &flood_got);
    return lines(flood_got) == 4000;
  }));
}

// A peer that sent requests and hung up: epoll reports the hang-up on every iteration, which
// must not keep the turns (a lower priority) from ever running for anyone else.
TEST_F(ControlServerTest, HungUpClientDoesNotStarveOthers) {
  int answered = 0;
  start([&](const json&, bool) {
    ++answered;
    return ok_answer();
  });
  int gone = connect_client();
  std::string batch;
  for (int i = 0; i < 40; ++i) batch += "{\"cmd\":\"status\"}\n";
  put(gone, batch);
  ASSERT_TRUE(run_until([&] { return answered > 0; }));
  ASSERT_EQ(shutdown(gone, SHUT_RDWR), 0);
  int probe = connect_client();
  put(probe, "{\"cmd\":\"version\"}\n");
  std::string got;
  EXPECT_TRUE(run_until([&] {
    drain(probe, &got);
    return lines(got) == 1;
  }));
  EXPECT_TRUE(run_until([&] { return srv_->clients() == 1; })) << "the hung-up client is freed";
}

// Lines are consumed in order, each answered once, however the bytes are split.
TEST_F(ControlServerTest, AnswersEveryLineOnceInOrder) {
  start([&](const json& req, bool) { return json{{"ok", true}, {"result", {{"n", req["n"]}}}}; });
  int fd = connect_client();
  std::string all;
  for (int i = 0; i < 300; ++i) all += "{\"cmd\":\"x\",\"n\":" + std::to_string(i) + "}\n";
  std::string got;
  size_t sent = 0;
  ASSERT_TRUE(run_until([&] {
    if (sent < all.size()) {
      size_t k = std::min<size_t>(7, all.size() - sent);  // lines split across reads
      ssize_t n = write(fd, all.data() + sent, k);
      if (n > 0) sent += static_cast<size_t>(n);
    }
    drain(fd, &got);
    return lines(got) == 300;
  }));
  size_t pos = 0;
  for (int i = 0; i < 300; ++i) {
    size_t nl = got.find('\n', pos);
    json j = json::parse(got.substr(pos, nl - pos));
    EXPECT_EQ(j["result"]["n"], i);
    pos = nl + 1;
  }
}

// A line over the limit is refused and the client closed, without buffering it whole.
TEST_F(ControlServerTest, OverlongLineClosesTheClient) {
  start([](const json&, bool) { return ok_answer(); });
  int fd = connect_client();
  std::string big(ControlServer::kMaxLine + 2 * ControlServer::kReadChunk, 'x');
  size_t sent = 0;
  std::string got;
  ASSERT_TRUE(run_until([&] {
    if (sent < big.size()) {
      ssize_t n = write(fd, big.data() + sent, big.size() - sent);
      if (n > 0) sent += static_cast<size_t>(n);
    }
    drain(fd, &got);
    return got.find("too_large") != std::string::npos;
  }));
  EXPECT_TRUE(run_until([&] { return srv_->clients() == 0; }));
}

// A monitor that stops reading holds at most kMaxMonitorBacklog of unsent events (plus what the
// socket buffers), then it is dropped with a log line; other clients are unaffected.
TEST_F(ControlServerTest, UnreadMonitorIsDroppedAtItsBacklogBound) {
  start([](const json&, bool) { return ok_answer(); });
  int mon = connect_client();
  put(mon, "{\"cmd\":\"monitor\"}\n");
  std::string got;
  ASSERT_TRUE(run_until([&] {
    drain(mon, &got);
    return lines(got) == 1;
  }));
  int other = connect_client();
  ASSERT_TRUE(run_until([&] { return srv_->live_clients() == 2; }));
  json ev = {{"event", "route_changed"}, {"detail", std::string(400, 'r')}};
  size_t line = ev.dump().size() + 1;
  testing::internal::CaptureStderr();
  // The monitor reads nothing from here on. Far more than its bound plus any socket buffer.
  size_t sent = 0;
  while (srv_->live_clients() == 2 && sent < 64 * ControlServer::kMaxMonitorBacklog) {
    srv_->broadcast(ev);
    sent += line;
  }
  std::string log = testing::internal::GetCapturedStderr();
  EXPECT_EQ(srv_->live_clients(), 1u) << "the unread monitor was never dropped";
  EXPECT_GT(sent, ControlServer::kMaxMonitorBacklog) << "dropped before its bound";
  EXPECT_NE(log.find("bytes of events unread: dropped"), std::string::npos) << log;
  EXPECT_TRUE(run_until([&] { return srv_->clients() == 1; }));
  put(other, "{\"cmd\":\"version\"}\n");
  std::string other_got;
  EXPECT_TRUE(run_until([&] {
    drain(other, &other_got);
    return lines(other_got) == 1;
  }));
}

// A socket path without a directory part is created in the working directory.
TEST_F(ControlServerTest, SocketPathWithoutDirectory) {
  char cwd[4096];
  ASSERT_NE(getcwd(cwd, sizeof cwd), nullptr);
  ASSERT_EQ(chdir(tmp_.path().c_str()), 0);
  path_ = "bare.sock";
  start([](const json&, bool) { return ok_answer(); });
  int fd = connect_client();
  put(fd, "{\"cmd\":\"version\"}\n");
  std::string got;
  EXPECT_TRUE(run_until([&] {
    drain(fd, &got);
    return lines(got) == 1;
  }));
  srv_.reset();
  ASSERT_EQ(chdir(cwd), 0);
}

}  // namespace
}  // namespace vipa
