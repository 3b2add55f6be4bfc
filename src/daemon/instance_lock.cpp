#include "daemon/instance_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

namespace vipa {

namespace {

socklen_t netns_addr(sockaddr_un& sa) {
  sa = {};
  sa.sun_family = AF_UNIX;
  size_t n = std::strlen(InstanceLock::kNetnsName);
  std::memcpy(sa.sun_path + 1, InstanceLock::kNetnsName, n);  // sun_path[0] = 0: abstract
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
}

// The pid of the process listening on the namespace's instance socket, or 0.
pid_t netns_owner() {
  sockaddr_un sa;
  socklen_t len = netns_addr(sa);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return 0;
  pid_t pid = 0;
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), len) == 0) {
    ucred cred{};
    socklen_t cl = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0) pid = cred.pid;
  }
  close(fd);
  return pid;
}

}  // namespace

InstanceLock::~InstanceLock() {
  if (fd_ >= 0) {
    // Emptied, not unlinked (see the header); the lock goes with the descriptor.
    (void)!ftruncate(fd_, 0);
    close(fd_);
  }
  if (ns_fd_ >= 0) close(ns_fd_);
}

pid_t InstanceLock::owner() const {
  int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return 0;
  char buf[32] = {};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  return n > 0 ? static_cast<pid_t>(std::atoi(buf)) : 0;
}

Status InstanceLock::acquire_netns() {
  if (ns_fd_ >= 0) return Ok{};
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Error::sys(errno, "instance socket");
  sockaddr_un sa;
  socklen_t len = netns_addr(sa);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), len) < 0) {
    int e = errno;
    close(fd);
    if (e == EADDRINUSE) {
      pid_t p = netns_owner();
      return Error{EWOULDBLOCK, "another vipad" +
                                    (p > 0 ? " (pid " + std::to_string(p) + ")" : "") +
                                    " is running in this network namespace; stop it first"};
    }
    return Error::sys(e, "instance socket");
  }
  // Listening only so that a connect can ask who holds it; nobody is ever accepted.
  if (listen(fd, 1) < 0) {
    int e = errno;
    close(fd);
    return Error::sys(e, "instance socket");
  }
  ns_fd_ = fd;
  return Ok{};
}

Status InstanceLock::acquire_file() {
  auto slash = path_.rfind('/');
  if (slash != std::string::npos && slash > 0) mkdir(path_.substr(0, slash).c_str(), 0755);
  for (int attempt = 0; attempt < 10; ++attempt) {
    // O_NOFOLLOW: a symlink planted here must not make vipad truncate another file.
    int fd = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return Error::sys(errno, path_);
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
      int e = errno;
      close(fd);
      if (e == EWOULDBLOCK) {
        pid_t p = owner();
        return Error{EWOULDBLOCK, "another vipad" +
                                      (p > 0 ? " (pid " + std::to_string(p) + ")" : "") +
                                      " is running with " + path_ + "; stop it first"};
      }
      return Error::sys(e, "lock " + path_);
    }
    // Locked what the path still names? Otherwise the file was replaced meanwhile: again.
    struct stat held {
    }, named{};
    if (fstat(fd, &held) == 0 && stat(path_.c_str(), &named) == 0 && held.st_dev == named.st_dev &&
        held.st_ino == named.st_ino) {
      std::string pid = std::to_string(getpid()) + "\n";
      if (ftruncate(fd, 0) < 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
        // The lock is what matters; the pid is only for messages.
      }
      fd_ = fd;
      return Ok{};
    }
    close(fd);
  }
  return Error::msg(path_ + ": keeps being replaced; cannot lock it");
}

Status InstanceLock::acquire() {
  Status s = acquire_netns();
  if (!s.ok()) return s;
  return acquire_file();
}

Status InstanceLock::acquire_stopping_owner(int timeout_ms) {
  Status s = acquire();
  if (s.ok() || s.error().errnum != EWOULDBLOCK) return s;
  // Only the instance of this control socket: one started for another configuration in the
  // same namespace is refused (acquire() says who), never stopped.
  pid_t p = owner();
  if (p > 0) kill(p, SIGTERM);
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    usleep(20000);
    s = acquire();
    if (s.ok() || s.error().errnum != EWOULDBLOCK) return s;
  }
  return s;
}

}  // namespace vipa
