// HookRunner on a real sd-event loop with real processes (no network): arguments and
// environment arrive unmangled, no shell is involved, and every failure is reported.
#include "daemon/hooks.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace vipa {
namespace {

class HookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vipa-hooktest.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_GE(sd_event_new(&ev_), 0);
  }
  void TearDown() override {
    runner_.reset();
    sd_event_unref(ev_);
    std::string cmd = "rm -rf '" + dir_ + "'";
    (void)!system(cmd.c_str());
  }
  std::string script(const std::string& name, const std::string& body) {
    std::string p = dir_ + "/" + name;
    std::ofstream(p) << "#!/bin/sh\n" << body;
    chmod(p.c_str(), 0755);
    return p;
  }
  HookRunner& runner() {
    if (!runner_)
      runner_ = std::make_unique<HookRunner>(
          ev_, [this](const std::string& m) { reports_.push_back(m); });
    return *runner_;
  }
  // Runs the loop until every hook finished (or 10 s passed).
  void drain() {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (runner().pending() > 0 && std::chrono::steady_clock::now() < end)
      sd_event_run(ev_, 100'000);
  }
  std::string slurp(const std::string& name) {
    std::ifstream f(dir_ + "/" + name);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }

  std::string dir_;
  sd_event* ev_ = nullptr;
  std::unique_ptr<HookRunner> runner_;
  std::vector<std::string> reports_;
};

TEST_F(HookTest, ArgsAndEnvironment) {
  std::string out = dir_ + "/out";
  std::string p = script("hook", "printf '%s|' \"$@\" >>" + out + "\necho >>" + out +
                                     "\n"
                                     "echo \"$VIPA $VIPA_EVENT $VIPA_INTERFACE $VIPA_OLD_STATE "
                                     "$VIPA_NEW_STATE $PATH\" >>" +
                                     out + "\n");
  runner().notify(p, {"failover", "vi0", "en1", "up", "down"});
  drain();
  EXPECT_TRUE(reports_.empty()) << reports_.front();
  EXPECT_EQ(slurp("out"),
            "failover|vi0|en1|up|down|\n"
            "vi0 failover en1 up down /usr/sbin:/usr/bin:/sbin:/bin\n");
}

TEST_F(HookTest, NoShellInterpretsArguments) {
  // An interface name is any byte string the kernel accepts; it must arrive as one argument.
  std::string out = dir_ + "/out";
  std::string p = script("hook", "printf '%s\\n' \"$3\" >" + out + "\n");
  runner().notify(p, {"link_down", "vi0", "a;touch " + dir_ + "/pwned", "up", "down"});
  drain();
  EXPECT_EQ(slurp("out"), "a;touch " + dir_ + "/pwned\n");
  EXPECT_NE(access((dir_ + "/pwned").c_str(), F_OK), 0);
}

TEST_F(HookTest, StdinIsDevNull) {
  std::string p = script("hook", "cat >" + dir_ + "/in\n");
  runner().notify(p, {"failover", "vi0", "en1", "up", "down"});
  drain();
  EXPECT_EQ(slurp("in"), "");
  EXPECT_TRUE(reports_.empty());
}

TEST_F(HookTest, RunInOrderOneAtATime) {
  std::string out = dir_ + "/out";
  std::string p =
      script("hook", "echo start $1 >>" + out + "\nsleep 0.05\necho end $1 >>" + out + "\n");
  runner().notify(p, {"failover", "vi0", "en1", "up", "down"});
  runner().notify(p, {"restore", "vi0", "en1", "down", "up"});
  EXPECT_EQ(runner().pending(), 2u);
  drain();
  EXPECT_EQ(slurp("out"), "start failover\nend failover\nstart restore\nend restore\n");
}

TEST_F(HookTest, NonZeroExitReported) {
  std::string p = script("hook", "exit 3\n");
  runner().notify(p, {"failover", "vi0", "en1", "up", "down"});
  drain();
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_NE(reports_[0].find("exited with status 3"), std::string::npos) << reports_[0];
  EXPECT_NE(reports_[0].find(p + " failover"), std::string::npos) << reports_[0];
}

TEST_F(HookTest, MissingExecutableReported) {
  runner().notify(dir_ + "/nonexistent", {"failover", "vi0", "en1", "up", "down"});
  std::string p = script("noexec", "exit 0\n");
  chmod(p.c_str(), 0644);
  runner().notify(p, {"failover", "vi0", "en1", "up", "down"});
  drain();
  ASSERT_EQ(reports_.size(), 2u);
  EXPECT_NE(reports_[0].find("could not be run: No such file or directory"), std::string::npos)
      << reports_[0];
  EXPECT_NE(reports_[1].find("could not be run: Permission denied"), std::string::npos)
      << reports_[1];
}

TEST_F(HookTest, TimeoutKillsTheWholeGroup) {
  // The script's own child (sleep) must die with it, or it would outlive the timeout.
  std::string p = script("hook", "sleep 30 &\necho $! >" + dir_ + "/child\nwait\n");
  auto t0 = std::chrono::steady_clock::now();
  runner().notify(p, {"failover", "vi0", "en1", "up", "down"}, 200'000);
  drain();
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  EXPECT_LT(ms, 5000);
  ASSERT_EQ(reports_.size(), 1u);
  EXPECT_NE(reports_[0].find("killed after 200 ms (timeout)"), std::string::npos) << reports_[0];
  pid_t child = std::atoi(slurp("child").c_str());
  ASSERT_GT(child, 0);
  // Killed; reaped by init once reparented, which may take a moment.
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string line;
    gone = !std::getline(stat, line) || line.find(") Z ") != std::string::npos;
    if (!gone) usleep(10'000);
  }
  EXPECT_TRUE(gone);
}

TEST_F(HookTest, LoopNotBlocked) {
  // The hook waits for a flag that the test creates only once notify() has returned. If
  // notify() waited for the hook, the hook would give up after 10 s and leave "gave-up".
  std::string flag = dir_ + "/go";
  std::string p = script("hook", "i=0\nwhile [ ! -e '" + flag + "' ]; do\n  i=$((i + 1))\n" +
                                     "  [ $i -ge 1000 ] && { touch '" + dir_ +
                                     "/gave-up'; exit 1; }\n  sleep 0.01\ndone\n");
  runner().notify(p, {"failover", "vi0", "en1", "up", "down"});
  std::ofstream(flag) << "";
  drain();
  EXPECT_TRUE(reports_.empty());
  EXPECT_FALSE(std::ifstream(dir_ + "/gave-up").good());
}

TEST_F(HookTest, QueueBounded) {
  std::string p = script("hook", "sleep 0.2\n");
  for (size_t i = 0; i < HookRunner::kMaxQueued + 3; ++i)
    runner().notify(p, {"link_up", "vi0", "en1", "down", "up"});
  EXPECT_EQ(reports_.size(), 2u);  // one running, kMaxQueued waiting, two refused
  runner_.reset();                 // must not hang or crash with work pending
}

}  // namespace
}  // namespace vipa
