#include "daemon/instance_lock.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace vipa {

InstanceLock::~InstanceLock() {
  if (fd_ >= 0) {
    unlink(path_.c_str());
    close(fd_);
  }
}

pid_t InstanceLock::owner() const {
  int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[32] = {};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  return n > 0 ? static_cast<pid_t>(std::atoi(buf)) : 0;
}

Status InstanceLock::acquire() {
  std::string dir = path_.substr(0, path_.rfind('/'));
  if (!dir.empty() && dir != path_) mkdir(dir.c_str(), 0755);
  int fd = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
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
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) < 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The lock is what matters; the pid is only for messages.
  }
  fd_ = fd;
  return Ok{};
}

Status InstanceLock::acquire_stopping_owner(int timeout_ms) {
  Status s = acquire();
  if (s.ok() || s.error().errnum != EWOULDBLOCK) return s;
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
