#include "daemon/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vipa {

namespace {

constexpr const char* kEnvPath = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";

struct Spawned {
  pid_t pid = -1;
  int out = -1;  // read end of the child's stdout+stderr (capture) or -1
  int err = -1;  // read end: the child's errno when execve failed
  std::string error;
};

Spawned spawn(const std::vector<std::string>& argv_in, bool capture) {
  Spawned s;
  if (argv_in.empty()) {
    s.error = "empty command";
    return s;
  }
  std::string path = resolve_command(argv_in[0]);
  // Everything the child needs is built before fork(): only async-signal-safe calls after it.
  std::vector<char*> argv;
  for (auto& a : argv_in) argv.push_back(const_cast<char*>(a.c_str()));
  argv[0] = const_cast<char*>(path.c_str());
  argv.push_back(nullptr);
  char* envp[] = {const_cast<char*>(kEnvPath), nullptr};
  int errpipe[2], outpipe[2] = {-1, -1};
  if (pipe2(errpipe, O_CLOEXEC) < 0) {
    s.error = std::string("pipe: ") + std::strerror(errno);
    return s;
  }
  if (capture && pipe2(outpipe, O_CLOEXEC) < 0) {
    s.error = std::string("pipe: ") + std::strerror(errno);
    close(errpipe[0]);
    close(errpipe[1]);
    return s;
  }
  // sd_event_add_child() needs SIGCHLD blocked; the child unblocks everything again.
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    s.error = std::string("fork: ") + std::strerror(errno);
    for (int fd : {errpipe[0], errpipe[1], outpipe[0], outpipe[1]})
      if (fd >= 0) close(fd);
    return s;
  }
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    setsid();  // its own process group: a timeout kills what it started too
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull >= 0) dup2(devnull, 0);
    int out = outpipe[1] >= 0 ? outpipe[1] : devnull;
    if (out >= 0) {
      dup2(out, 1);
      dup2(out, 2);
    }
    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    execve(argv[0], argv.data(), envp);
    int e = errno;
    (void)!write(errpipe[1], &e, sizeof e);
    _exit(127);
  }
  close(errpipe[1]);
  if (outpipe[1] >= 0) close(outpipe[1]);
  s.pid = pid;
  s.err = errpipe[0];
  s.out = outpipe[0];
  return s;
}

// The child's execve errno, if it failed (the pipe closed at execve: never blocks).
int exec_errno(int fd) {
  int e = 0;
  return read(fd, &e, sizeof e) == sizeof e ? e : 0;
}

void fill_status(ChildResult& r, int code, int status) {
  if (code == CLD_EXITED) {
    r.exited = true;
    r.status = status;
  } else {
    r.status = status;  // the signal
  }
}

}  // namespace

std::string ChildResult::describe() const {
  if (!started) return error;
  if (timed_out) return "killed at its timeout";
  if (exited) return "exit " + std::to_string(status);
  return "killed by signal " + std::to_string(status);
}

std::string resolve_command(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  for (const char* dir : {"/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "/usr/local/bin/"}) {
    std::string p = dir + name;
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return name;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
  }
  cleanup_sources();
}

void ChildProcess::cleanup_sources() {
  if (child_) child_ = sd_event_source_disable_unref(child_);
  if (timer_) timer_ = sd_event_source_disable_unref(timer_);
  if (io_) io_ = sd_event_source_disable_unref(io_);
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
  out_fd_ = err_fd_ = -1;
}

void ChildProcess::start(const std::vector<std::string>& argv, uint64_t timeout_usec, bool capture,
                         Done done) {
  res_ = ChildResult{};
  done_ = std::move(done);
  timeout_usec_ = timeout_usec;
  Spawned s = spawn(argv, capture);
  if (s.pid < 0) {
    res_.error = s.error;
    auto d = std::move(done_);
    d(res_);
    return;
  }
  pid_ = s.pid;
  out_fd_ = s.out;
  err_fd_ = s.err;
  res_.started = true;
  if (sd_event_add_child(ev_, &child_, pid_, WEXITED, on_child, this) < 0) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    cleanup_sources();
    res_.started = false;
    res_.error = "cannot watch the child process";
    auto d = std::move(done_);
    d(res_);
    return;
  }
  if (out_fd_ >= 0) {
    fcntl(out_fd_, F_SETFL, O_NONBLOCK);
    sd_event_add_io(ev_, &io_, out_fd_, EPOLLIN, on_output, this);
  }
  uint64_t now = 0;
  sd_event_now(ev_, CLOCK_MONOTONIC, &now);
  sd_event_add_time(ev_, &timer_, CLOCK_MONOTONIC, now + timeout_usec, 0, on_timeout, this);
}

int ChildProcess::on_output(sd_event_source*, int fd, uint32_t, void* self) {
  auto* c = static_cast<ChildProcess*>(self);
  char buf[16384];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      size_t room = kMaxOutput - std::min(kMaxOutput, c->res_.output.size());
      c->res_.output.append(buf, std::min<size_t>(room, static_cast<size_t>(n)));
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      // EOF: the child (and whatever it started) closed its end.
      if (c->io_) c->io_ = sd_event_source_disable_unref(c->io_);
    }
    if (n < 0 && errno == EINTR) continue;
    break;
  }
  return 0;
}

int ChildProcess::on_timeout(sd_event_source*, uint64_t, void* self) {
  auto* c = static_cast<ChildProcess*>(self);
  if (c->pid_ > 0) {
    c->res_.timed_out = true;
    kill(-c->pid_, SIGKILL);
    kill(c->pid_, SIGKILL);
  }
  return 0;
}

int ChildProcess::on_child(sd_event_source*, const siginfo_t* si, void* self) {
  static_cast<ChildProcess*>(self)->finish(si);
  return 0;
}

void ChildProcess::finish(const siginfo_t* si) {
  // What is left in the pipe is read now: the child is gone, so this never blocks for long.
  if (out_fd_ >= 0 && io_) on_output(io_, out_fd_, EPOLLIN, this);
  int e = err_fd_ >= 0 ? exec_errno(err_fd_) : 0;
  pid_ = -1;
  cleanup_sources();
  fill_status(res_, si->si_code, si->si_status);
  if (e) {
    res_.started = false;
    res_.error = std::string("cannot run: ") + std::strerror(e);
  }
  auto d = std::move(done_);
  done_ = nullptr;
  if (d) d(res_);  // may start the next child on this object
}

ChildResult run_blocking(const std::vector<std::string>& argv, uint64_t timeout_usec) {
  ChildResult r;
  Spawned s = spawn(argv, true);
  if (s.pid < 0) {
    r.error = s.error;
    return r;
  }
  r.started = true;
  fcntl(s.out, F_SETFL, O_NONBLOCK);
  timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int status = 0;
  for (;;) {
    pollfd p{s.out, POLLIN, 0};
    poll(&p, 1, 20);
    char buf[4096];
    ssize_t n;
    while ((n = read(s.out, buf, sizeof buf)) > 0)
      if (r.output.size() < ChildProcess::kMaxOutput) r.output.append(buf, static_cast<size_t>(n));
    pid_t w = waitpid(s.pid, &status, WNOHANG);
    if (w == s.pid) break;
    timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    uint64_t us = static_cast<uint64_t>(t.tv_sec - t0.tv_sec) * 1'000'000 +
                  static_cast<uint64_t>((t.tv_nsec - t0.tv_nsec) / 1000);
    if (us > timeout_usec && !r.timed_out) {
      r.timed_out = true;
      kill(-s.pid, SIGKILL);
      kill(s.pid, SIGKILL);
    }
  }
  int e = exec_errno(s.err);
  close(s.err);
  close(s.out);
  if (WIFEXITED(status))
    fill_status(r, CLD_EXITED, WEXITSTATUS(status));
  else
    fill_status(r, CLD_KILLED, WTERMSIG(status));
  if (e) {
    r.started = false;
    r.error = std::string("cannot run: ") + std::strerror(e);
  }
  return r;
}

}  // namespace vipa
