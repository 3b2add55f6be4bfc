#include "daemon/hooks.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vipa {

namespace {

// The PATH every child gets (hooks, vtysh, birdc): fixed, never vipad's own.
constexpr const char* kPath = "/usr/sbin:/usr/bin:/sbin:/bin";
// Where a bare command name from the config ([routing] vtysh, birdc) is looked up; vipad runs
// it directly, never through a shell or $PATH.
constexpr const char* kCommandDirs[] = {"/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/",
                                        "/usr/local/bin/"};

std::string describe(const std::string& path, const std::vector<std::string>& args) {
  std::string s = path;
  if (!args.empty()) s += " " + args.front();
  return s;
}

}  // namespace

std::string find_command(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  for (const char* dir : kCommandDirs) {
    std::string p = dir + name;
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return name;
}

HookRunner::HookRunner(sd_event* ev, Report report) : ev_(ev), report_(std::move(report)) {}

HookRunner::~HookRunner() {
  // A hook still running is left to finish on its own: vipad stopping is no reason to cut an
  // administrator's script short.
  if (child_src_) sd_event_source_disable_unref(child_src_);
  if (timer_src_) sd_event_source_disable_unref(timer_src_);
  if (exec_err_fd_ >= 0) close(exec_err_fd_);
}

void HookRunner::notify(const std::string& path, const HookEvent& e, uint64_t timeout_usec) {
  run(path, {e.event, e.vipa, e.interface, e.old_state, e.new_state},
      {{"VIPA", e.vipa},
       {"VIPA_EVENT", e.event},
       {"VIPA_INTERFACE", e.interface},
       {"VIPA_OLD_STATE", e.old_state},
       {"VIPA_NEW_STATE", e.new_state},
       {"PATH", kPath}},
      timeout_usec);
}

void HookRunner::run(const std::string& path, const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env, uint64_t timeout_usec) {
  if (queue_.size() >= kMaxQueued) {
    report_("hook " + describe(path, args) + " not run: " + std::to_string(kMaxQueued) +
            " hooks already waiting");
    return;
  }
  queue_.push_back(Job{path, args, env, timeout_usec});
  if (pid_ <= 0) start_next();
}

void HookRunner::start_next() {
  while (pid_ <= 0 && !queue_.empty()) {
    current_ = std::move(queue_.front());
    queue_.pop_front();
    if (spawn(current_)) return;
  }
}

bool HookRunner::spawn(const Job& j) {
  // Everything the child needs is built before fork(): between fork and execve only
  // async-signal-safe calls are allowed.
  std::vector<std::string> envs;
  bool has_path = false;
  for (auto& [k, v] : j.env) {
    envs.push_back(k + "=" + v);
    has_path |= k == "PATH";
  }
  if (!has_path) envs.push_back(std::string("PATH=") + kPath);
  std::vector<char*> argv, envp;
  argv.push_back(const_cast<char*>(j.path.c_str()));
  for (auto& a : j.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : envs) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int errpipe[2];
  if (pipe2(errpipe, O_CLOEXEC) < 0) {
    report_("hook " + describe(j.path, j.args) + " not run: pipe: " + std::strerror(errno));
    return false;
  }
  // sd_event_add_child() requires SIGCHLD blocked; the child unblocks everything again.
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, nullptr);

  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(errpipe[0]);
    close(errpipe[1]);
    report_("hook " + describe(j.path, j.args) + " not run: fork: " + std::strerror(e));
    return false;
  }
  if (pid == 0) {
    // The daemon blocks its signals for signalfd and ignores SIGPIPE; both survive execve.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    // Its own process group, so a timeout kills whatever the script started too.
    setsid();
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) dup2(devnull, 0);
    dup2(2, 1);  // the script's output goes where vipad logs
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    execve(j.path.c_str(), argv.data(), envp.data());
    int e = errno;
    (void)!write(errpipe[1], &e, sizeof e);
    _exit(127);
  }
  close(errpipe[1]);
  exec_err_fd_ = errpipe[0];
  pid_ = pid;
  timed_out_ = false;
  if (sd_event_add_child(ev_, &child_src_, pid, WEXITED, on_child, this) < 0) {
    // Without a way to reap it we cannot track it: kill it now rather than leak a zombie.
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    close(exec_err_fd_);
    exec_err_fd_ = -1;
    pid_ = -1;
    report_("hook " + describe(j.path, j.args) + " not run: cannot watch the child");
    return false;
  }
  uint64_t now = 0;
  sd_event_now(ev_, CLOCK_MONOTONIC, &now);
  sd_event_add_time(ev_, &timer_src_, CLOCK_MONOTONIC, now + j.timeout_usec, 0, on_timeout, this);
  return true;
}

int HookRunner::on_timeout(sd_event_source*, uint64_t, void* self) {
  auto* h = static_cast<HookRunner*>(self);
  if (h->pid_ > 0) {
    h->timed_out_ = true;
    kill(-h->pid_, SIGKILL);
    kill(h->pid_, SIGKILL);  // in case it had not reached setsid() yet
  }
  return 0;
}

int HookRunner::on_child(sd_event_source*, const siginfo_t* si, void* self) {
  static_cast<HookRunner*>(self)->finished(*si);
  return 0;
}

void HookRunner::finished(const siginfo_t& si) {
  std::string what = "hook " + describe(current_.path, current_.args);
  int exec_errno = 0;
  // The write end closed at execve (or exit): this read never blocks.
  bool exec_failed = read(exec_err_fd_, &exec_errno, sizeof exec_errno) == sizeof exec_errno;
  close(exec_err_fd_);
  exec_err_fd_ = -1;
  if (child_src_) child_src_ = sd_event_source_disable_unref(child_src_);
  if (timer_src_) timer_src_ = sd_event_source_disable_unref(timer_src_);
  pid_ = -1;

  if (exec_failed)
    report_(what + " could not be run: " + std::strerror(exec_errno));
  else if (timed_out_)
    report_(what + " killed after " + std::to_string(current_.timeout_usec / 1000) +
            " ms (timeout)");
  else if (si.si_code == CLD_EXITED && si.si_status != 0)
    report_(what + " exited with status " + std::to_string(si.si_status));
  else if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED)
    report_(what + " killed by signal " + std::to_string(si.si_status));
  start_next();
}

}  // namespace vipa
