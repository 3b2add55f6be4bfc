// vipactl end to end against a fake vipad: a Unix socket in a temp dir served by a thread that
// records each request and answers from tests/data/ctl fixtures. Runs the real vipactl binary
// (found beside the test binary's directory, or $VIPACTL_BIN) and checks its output, exit status
// and what it sent, including that bad arguments send nothing.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string data(const std::string& name) {
  return read_file(fs::path(VIPA_TEST_DATA) / "ctl" / name);
}

json fixture(const std::string& name) {
  return json::parse(data(name));
}

std::string vipactl_path() {
  if (const char* env = std::getenv("VIPACTL_BIN")) return env;
#ifdef VIPA_VIPACTL_BIN
  // The build's own vipactl (tests/CMakeLists.txt makes the tests depend on it).
  return VIPA_VIPACTL_BIN;
#endif
  // ctest runs BUILD/tests/vipa_unit_tests; vipactl is BUILD/vipactl.
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  for (fs::path dir = self.parent_path(); !dir.empty() && dir != dir.root_path();
       dir = dir.parent_path()) {
    if (fs::exists(dir / "vipactl")) return dir / "vipactl";
  }
  return "";
}

struct Reply {
  std::vector<std::string> lines;  // written in order, each with '\n'
  bool close = false;              // close the connection after writing
};

std::string answer(const json& req, const json& result) {
  json a = {{"v", 1}, {"ok", true}, {"result", result}};
  if (req.contains("id")) a["id"] = req["id"];
  return a.dump();
}

std::string error_answer(const json& req, const std::string& code, const std::string& message) {
  json a = {{"v", 1}, {"ok", false}, {"error", {{"code", code}, {"message", message}}}};
  if (req.contains("id")) a["id"] = req["id"];
  return a.dump();
}

// the sample's vipad: status, show vi0, routes, and the changing commands all succeed.
Reply sample_vipad(const json& req) {
  std::string cmd = req.value("cmd", "");
  if (cmd == "status") return {{answer(req, fixture("sample_status.json"))}};
  if (cmd == "show") {
    if (req.value("name", "") != "vi0")
      return {{error_answer(req, "not_found", "vi9: no such VIPA")}};
    return {{answer(req, fixture("sample_show_vi0.json"))}};
  }
  if (cmd == "routes") return {{answer(req, fixture("sample_routes.json"))}};
  if (cmd == "mkdev" || cmd == "chdev") return {{answer(req, fixture("sample_show_vi0.json"))}};
  if (cmd == "rmdev" || cmd == "reload") return {{answer(req, json::object())}};
  if (cmd == "version") return {{answer(req, {{"version", "0.1.0"}, {"protocol", 1}})}};
  return {{error_answer(req, "unknown_command", "unknown command " + cmd)}};
}

class FakeVipad {
 public:
  using Handler = std::function<Reply(const json&)>;

  explicit FakeVipad(Handler handler) : handler_(std::move(handler)) {
    char tmpl[] = "/tmp/vipactl-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/vipad.sock";
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(listen(listen_fd_, 8), 0);
    thread_ = std::thread([this] { serve(); });
  }

  ~FakeVipad() {
    stop_ = true;
    thread_.join();
    close(listen_fd_);
    fs::remove_all(dir_);
  }

  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

  std::vector<json> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  bool wait_readable(int fd) {
    while (!stop_) {
      pollfd pfd{fd, POLLIN, 0};
      if (poll(&pfd, 1, 20) > 0) return true;
    }
    return false;
  }

  void serve() {
    while (wait_readable(listen_fd_)) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      serve_connection(fd);
      close(fd);
    }
  }

  void serve_connection(int fd) {
    std::string buf;
    while (wait_readable(fd)) {
      char chunk[4096];
      ssize_t n = read(fd, chunk, sizeof chunk);
      if (n <= 0) return;
      buf.append(chunk, static_cast<size_t>(n));
      size_t nl;
      while ((nl = buf.find('\n')) != std::string::npos) {
        json req = json::parse(buf.substr(0, nl), nullptr, false);
        buf.erase(0, nl + 1);
        {
          std::lock_guard<std::mutex> lock(mu_);
          requests_.push_back(req);
        }
        Reply reply = handler_(req);
        for (const auto& line : reply.lines) {
          std::string out = line + "\n";
          if (write(fd, out.data(), out.size()) < 0) return;
        }
        if (reply.close) return;
      }
    }
  }

  Handler handler_;
  std::string dir_, path_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<json> requests_;
};

struct RunResult {
  int status = -1;
  std::string out, err;
};

// Runs vipactl in a child process. The test is multithreaded (FakeVipad serves from its own
// thread, which allocates), so everything the child needs is built before fork(): between fork and
// execve the child makes only async-signal-safe calls. A malloc there could wait forever on a lock
// that the serving thread held at the moment of the fork.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    char tmpl[] = "/tmp/vipactl-out-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::string bin = vipactl_path();
    std::vector<char*> argv{const_cast<char*>(bin.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    // The test's environment without VIPA_SOCKET, with `env` ("NAME=value") set over it.
    auto name_of = [](std::string_view e) { return e.substr(0, e.find('=')); };
    auto overridden = [&](std::string_view e) {
      if (name_of(e) == "VIPA_SOCKET") return true;
      for (const auto& x : env)
        if (name_of(x) == name_of(e)) return true;
      return false;
    };
    std::vector<std::string> envs;
    for (char** e = environ; *e != nullptr; ++e)
      if (!overridden(*e)) envs.emplace_back(*e);
    envs.insert(envs.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (auto& e : envs) envp.push_back(e.data());
    envp.push_back(nullptr);
    int out = open((dir_ + "/out").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err = open((dir_ + "/err").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_ = fork();
    if (pid_ == 0) {
      // dup2 clears FD_CLOEXEC on the new descriptors 1 and 2.
      dup2(out, 1);
      dup2(err, 2);
      execve(bin.c_str(), argv.data(), envp.data());
      _exit(127);
    }
    close(out);
    close(err);
  }

  void signal(int sig) { kill(pid_, sig); }

  RunResult wait() {
    RunResult r;
    int st = 0;
    waitpid(pid_, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = read_file(dir_ + "/out");
    r.err = read_file(dir_ + "/err");
    fs::remove_all(dir_);
    return r;
  }

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

RunResult vipactl(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  return Child(args, env).wait();
}

std::vector<std::string> with_socket(const FakeVipad& f, std::vector<std::string> args) {
  args.insert(args.begin(), {"--socket", f.path()});
  return args;
}

class VipactlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Missing is a failure, not a skip: these tests are the CLI's contract.
    ASSERT_TRUE(fs::exists(vipactl_path()))
        << "vipactl binary not found: '" << vipactl_path() << "' (set VIPACTL_BIN)";
  }
};

// vipactl's table of commands is the one list: the shell completion asks for it, and the
// manual's command table names every entry.
TEST_F(VipactlTest, ListCommandsIsTheTableTheDocsAndCompletionFollow) {
  RunResult r = vipactl({"--list-commands"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> names;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) names.push_back(line);
  std::vector<std::string> want = {"lsattr", "ifconfig", "netstat", "mkdev",  "chdev", "rmdev",
                                   "lsdev",  "no",       "route",   "status", "show",  "monitor",
                                   "reload", "version",  "dvipa",   "export", "source"};
  std::sort(names.begin(), names.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(names, want);
  std::string doc = read_file(fs::path(VIPA_TEST_DATA) / ".." / ".." / "docs" / "vipactl.md");
  size_t from = doc.find("## Commands"), to = doc.find("## Exit status");
  ASSERT_NE(from, std::string::npos);
  ASSERT_NE(to, std::string::npos);
  std::string table = doc.substr(from, to - from);
  for (auto& n : names)
    EXPECT_TRUE(table.find("`" + n + " ") != std::string::npos ||
                table.find("`" + n + "`") != std::string::npos)
        << n << " is not in docs/vipactl.md's table of commands";
  std::string completion = read_file(fs::path(VIPA_TEST_DATA) / ".." / ".." / "packaging" /
                                     "bash-completion" / "vipactl");
  EXPECT_NE(completion.find("vipactl --list-commands"), std::string::npos);
  EXPECT_NE(completion.find("vipactl --list-attributes"), std::string::npos);
  RunResult attrs = vipactl({"--list-attributes"});
  ASSERT_EQ(attrs.status, 0) << attrs.err;
  EXPECT_EQ(attrs.out,
            "netaddr\nstate\nnetmask\nnetaddr6\nalias6\nprefixlen\nalias4\ninterface_names\n");
}

TEST_F(VipactlTest, NotRunningIsOneLineAndExit1) {
  FakeVipad f(sample_vipad);
  std::string missing = f.dir() + "/missing.sock";
  RunResult r = vipactl({"--socket", missing, "lsattr", "-El", "vi0"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "vipactl: vipad is not running (cannot connect to " + missing +
                       ": No such file or directory)\n");
}

TEST_F(VipactlTest, SocketFromEnvironment) {
  FakeVipad f(sample_vipad);
  RunResult r = vipactl({"ifconfig", "vi0"}, {"VIPA_SOCKET=" + f.path()});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, data("ifconfig_vi0.golden"));
}

TEST_F(VipactlTest, LsattrSeed) {
  FakeVipad f(sample_vipad);
  for (auto args : std::vector<std::vector<std::string>>{{"lsattr", "-El", "vi0"},
                                                         {"lsattr", "-E", "-l", "vi0"}}) {
    RunResult r = vipactl(with_socket(f, args));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, data("lsattr_vi0.golden"));
  }
  auto reqs = f.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0], json::parse(R"({"v":1,"id":1,"cmd":"show","name":"vi0"})"));
}

TEST_F(VipactlTest, LsattrOneAttributeAndLegalValues) {
  FakeVipad f(sample_vipad);
  RunResult r = vipactl(with_socket(f, {"lsattr", "-El", "vi0", "-a", "netaddr"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, data("lsattr_vi0_netaddr.golden"));
  r = vipactl(with_socket(f, {"lsattr", "-R", "-l", "vi0", "-a", "state"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, data("lsattr_R_state.golden"));
}

TEST_F(VipactlTest, IfconfigOneAndAll) {
  FakeVipad f(sample_vipad);
  RunResult r = vipactl(with_socket(f, {"ifconfig", "vi0"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, data("ifconfig_vi0.golden"));
  r = vipactl(with_socket(f, {"ifconfig", "-a"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, data("ifconfig_vi0.golden"));
  EXPECT_EQ(f.requests().back().value("cmd", ""), "status");
}

TEST_F(VipactlTest, NetstatSeed) {
  FakeVipad f(sample_vipad);
  RunResult r = vipactl(with_socket(f, {"netstat", "-rn"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, data("netstat_rn.golden"));
  EXPECT_FALSE(f.requests().back().contains("family"));
  r = vipactl(with_socket(f, {"netstat", "-r", "-n", "-f", "inet"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, data("netstat_rn_inet.golden"));
  EXPECT_EQ(f.requests().back().value("family", ""), "inet");
}

TEST_F(VipactlTest, MkdevSendsNameAndAttributes) {
  FakeVipad f(sample_vipad);
  RunResult r = vipactl(with_socket(
      f, {"mkdev", "-c", "if", "-s", "VI", "-t", "vi", "-w", "vi0", "-a", "netaddr=10.68.6.1", "-a",
          "netmask=255.255.255.0", "-a", "interface_names=en1,en5"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "vi0 Available\n");
  ASSERT_EQ(f.requests().size(), 1u);
  EXPECT_EQ(f.requests()[0], json::parse(R"({"v":1,"id":1,"cmd":"mkdev","name":"vi0","attrs":
      {"netaddr":"10.68.6.1","netmask":"255.255.255.0","interface_names":"en1,en5"}})"));
}

TEST_F(VipactlTest, SeveralPairsInOneDashAKeepAliasLists) {
  FakeVipad f(sample_vipad);
  RunResult r = vipactl(with_socket(
      f, {"chdev", "-l", "vi0", "-a",
          "netmask=255.255.0.0 alias4=10.68.6.2,255.255.255.0 10.68.6.3,255.255.255.0"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(f.requests().at(0)["attrs"], json::parse(R"({"netmask":"255.255.0.0",
                            "alias4":"10.68.6.2,255.255.255.0 10.68.6.3,255.255.255.0"})"));
}

TEST_F(VipactlTest, ChdevModes) {
  FakeVipad f(sample_vipad);
  std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{}, "both"}, {{"-P"}, "record"}, {{"-T"}, "running"}};
  for (const auto& [flags, mode] : cases) {
    std::vector<std::string> args = {"chdev", "-l", "vi0", "-a", "state=down"};
    args.insert(args.end(), flags.begin(), flags.end());
    RunResult r = vipactl(with_socket(f, args));
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "vi0 changed\n");
    json req = f.requests().back();
    EXPECT_EQ(req["cmd"], "chdev");
    EXPECT_EQ(req["name"], "vi0");
    EXPECT_EQ(req["mode"], mode);
    EXPECT_EQ(req["attrs"], json::parse(R"({"state":"down"})"));
  }
}

TEST_F(VipactlTest, RmdevDefinesOrDeletes) {
  FakeVipad f(sample_vipad);
  RunResult r = vipactl(with_socket(f, {"rmdev", "-l", "vi0"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "vi0 Defined\n");
  EXPECT_EQ(f.requests().back()["delete"], false);
  r = vipactl(with_socket(f, {"rmdev", "-d", "-l", "vi0"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "vi0 deleted\n");
  EXPECT_EQ(f.requests().back()["delete"], true);
}

TEST_F(VipactlTest, ErrorAnswersPrintTheMessageWithTheirExitStatus) {
  std::vector<std::pair<std::string, int>> codes = {
      {"invalid", 2},           {"bad_request", 2}, {"not_found", 2}, {"exists", 2},
      {"permission_denied", 2}, {"internal", 1},    {"busy", 1},      {"bad_version", 1},
      {"unknown_command", 1},   {"too_large", 1}};
  for (const auto& [code, status] : codes) {
    FakeVipad f([code = code](const json& req) {
      return Reply{{error_answer(req, code, "vi0: netmask: 255.0.255.0 is not contiguous")}};
    });
    RunResult r = vipactl(with_socket(f, {"chdev", "-l", "vi0", "-a", "netmask=255.0.255.0"}));
    EXPECT_EQ(r.status, status) << code;
    EXPECT_EQ(r.out, "") << code;
    EXPECT_EQ(r.err, "vipactl: vi0: netmask: 255.0.255.0 is not contiguous\n") << code;
  }
}

TEST_F(VipactlTest, PermissionDeniedForNonRoot) {
  FakeVipad f([](const json& req) {
    return Reply{{error_answer(req, "permission_denied",
                               "permission denied: mkdev needs root (uid 0); you are uid 1000")}};
  });
  RunResult r = vipactl(with_socket(f, {"rmdev", "-d", "-l", "vi0"}));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "vipactl: permission denied: mkdev needs root (uid 0); you are uid 1000\n");
}

TEST_F(VipactlTest, UnknownVipa) {
  FakeVipad f(sample_vipad);
  RunResult r = vipactl(with_socket(f, {"show", "vi9"}));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "vipactl: vi9: no such VIPA\n");
}

TEST_F(VipactlTest, BadArgumentsExit2AndSendNothing) {
  FakeVipad f(sample_vipad);
  std::vector<std::vector<std::string>> bad = {
      {},
      {"frobnicate"},
      {"lsattr", "-El"},
      {"lsattr", "-l", "vi0"},
      {"lsattr", "-E", "-R", "-l", "vi0", "-a", "state"},
      {"lsattr", "-R", "-l", "vi0"},
      {"lsattr", "-El", "vi0", "-a", "mtu"},
      {"ifconfig"},
      {"ifconfig", "-a", "vi0"},
      {"netstat", "-n"},
      {"netstat", "-rn", "-f", "inet7"},
      {"mkdev", "-c", "if", "-s", "VI", "-t", "vi", "-a", "netaddr=10.68.6.1"},
      {"mkdev", "-c", "tty", "-w", "vi0", "-a", "netaddr=10.68.6.1"},
      {"mkdev", "-w", "vi0"},
      {"mkdev", "-w", "vi0", "-a", "netaddr"},
      {"chdev", "-l", "vi0", "-a", "mtu=1500"},
      {"chdev", "-l", "vi0", "-a", "state=up", "-a", "state=down"},
      {"chdev", "-l", "vi0", "-a", "state=up", "-P", "-T"},
      {"chdev", "-a", "state=up"},
      {"rmdev", "-d"},
      {"show"},
      {"status", "--bogus"},
  };
  for (const auto& args : bad) {
    RunResult r = vipactl(with_socket(f, args));
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.status, 2) << joined << r.err;
    EXPECT_EQ(r.out, "") << joined;
    EXPECT_NE(r.err.find("vipactl: "), std::string::npos) << joined;
  }
  EXPECT_TRUE(f.requests().empty());
}

TEST_F(VipactlTest, HelpIsComplete) {
  RunResult r = vipactl({"--help"});
  EXPECT_EQ(r.status, 0);
  for (const char* cmd : {"lsattr", "ifconfig", "netstat", "mkdev", "chdev", "rmdev", "status",
                          "show", "monitor", "reload", "version"}) {
    EXPECT_NE(r.out.find(std::string("  ") + cmd), std::string::npos) << cmd;
    RunResult sub = vipactl({cmd, "--help"});
    EXPECT_EQ(sub.status, 0) << cmd;
    EXPECT_NE(sub.out.find(std::string("Usage: vipactl ") + cmd), std::string::npos) << sub.out;
  }
  EXPECT_NE(r.out.find("VIPA_SOCKET"), std::string::npos);
  EXPECT_NE(r.out.find("/run/vipa/vipad.sock"), std::string::npos);
}

TEST_F(VipactlTest, MalformedOrMissingAnswerExit1) {
  {
    FakeVipad f([](const json&) { return Reply{{"this is not json"}}; });
    RunResult r = vipactl(with_socket(f, {"status"}));
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "vipactl: malformed answer from vipad: this is not json\n");
  }
  {
    FakeVipad f([](const json&) { return Reply{{}, true}; });
    RunResult r = vipactl(with_socket(f, {"status"}));
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err, "vipactl: vipad closed the connection\n");
  }
  {
    FakeVipad f([](const json&) { return Reply{{R"({"v":1,"id":99,"ok":true,"result":{}})"}}; });
    RunResult r = vipactl(with_socket(f, {"reload"}));
    EXPECT_EQ(r.status, 1) << "an answer to another request is not ours";
  }
}

TEST_F(VipactlTest, StatusAndShowTextAndJson) {
  FakeVipad f(sample_vipad);
  RunResult r = vipactl(with_socket(f, {"status"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, data("status.golden"));
  r = vipactl(with_socket(f, {"status", "--json"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), fixture("sample_status.json"));
  r = vipactl(with_socket(f, {"show", "vi0", "--json"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(json::parse(r.out), fixture("sample_show_vi0.json"));
  r = vipactl(with_socket(f, {"show", "vi0"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("VIPA vi0: state up, link up", 0), 0u) << r.out;
}

TEST_F(VipactlTest, ReloadAndVersion) {
  FakeVipad f(sample_vipad);
  RunResult r = vipactl(with_socket(f, {"reload"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(f.requests().back()["cmd"], "reload");
  r = vipactl(with_socket(f, {"version"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("vipad 0.1.0 (protocol 1)"), std::string::npos) << r.out;
}

const char* kEvent1 =
    R"({"v":1,"event":"link_down","time":"2026-11-27T20:41:07.100Z","vipa":"vi0","interface":"en1","message":"en1 lost carrier"})";
const char* kEvent2 =
    R"({"v":1,"event":"failover","time":"2026-11-27T20:41:07.123Z","vipa":"vi0","interface":"en1","from":"en1","to":"en5","message":"en1 lost carrier; traffic now leaves through en5"})";

Reply monitor_then_close(const json& req) {
  return Reply{{answer(req, {{"subscribed", true}}), kEvent1, kEvent2}, true};
}

TEST_F(VipactlTest, MonitorPrintsEventsUntilTheSocketCloses) {
  FakeVipad f(monitor_then_close);
  RunResult r = vipactl(with_socket(f, {"monitor"}));
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out,
            "2026-11-27T20:41:07.100Z link_down vi0: en1 lost carrier\n"
            "2026-11-27T20:41:07.123Z failover vi0: en1 lost carrier; traffic now leaves through "
            "en5\n");
  EXPECT_EQ(r.err, "vipactl: vipad closed the connection\n");
  r = vipactl(with_socket(f, {"monitor", "--json"}));
  EXPECT_EQ(r.out, json::parse(kEvent1).dump() + "\n" + json::parse(kEvent2).dump() + "\n");
}

TEST_F(VipactlTest, MonitorEndsCleanlyOnInterrupt) {
  FakeVipad f([](const json& req) {
    return Reply{{answer(req, {{"subscribed", true}}), kEvent1}};
  });
  Child c(with_socket(f, {"monitor"}), {});
  for (int i = 0; i < 200 && f.requests().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  c.signal(SIGINT);
  RunResult r = c.wait();
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "2026-11-27T20:41:07.100Z link_down vi0: en1 lost carrier\n");
}

}  // namespace
