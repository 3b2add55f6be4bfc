// One vipad per network namespace, and one per control socket.
//
// Two vipads in one namespace would fight over the same kernel objects whatever sockets they
// use, so the first lock is an abstract Unix socket bound to a fixed name: abstract names are
// per network namespace, the kernel frees the name when the process dies (no stale lock after
// kill -9), and connecting to it tells who holds it (SO_PEERCRED). The second is a pid file
// beside the control socket, held with flock() for the daemon's life; it is never unlinked
// (unlinking before closing would let a third instance lock a fresh file while a second still
// locks the old one), and a lock taken on a file that was replaced meanwhile is retried.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/result.h"

namespace vipa {

class InstanceLock {
 public:
  // The abstract socket name, without the leading NUL.
  static constexpr const char* kNetnsName = "vipa/vipad.instance";

  explicit InstanceLock(std::string path) : path_(std::move(path)) {}
  ~InstanceLock();
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;
  // Take both locks; if another process holds one, say who.
  Status acquire();
  // `--cleanup`: ask the running instance (if any) to stop, wait up to timeout_ms for it to
  // let go, then take the locks.
  Status acquire_stopping_owner(int timeout_ms);

 private:
  Status acquire_netns();
  Status acquire_file();
  pid_t owner() const;
  std::string path_;
  int fd_ = -1;
  int ns_fd_ = -1;
};

}  // namespace vipa
