// One vipad per control socket: a pid file beside the socket, held with flock() for the
// daemon's life. A second instance would fight the first over the same kernel objects.
#pragma once

#include <sys/types.h>

#include <string>

#include "common/result.h"

namespace vipa {

class InstanceLock {
 public:
  explicit InstanceLock(std::string path) : path_(std::move(path)) {}
  ~InstanceLock();
  // Take the lock; if another process holds it, say who.
  Status acquire();
  // `--cleanup`: ask the running instance (if any) to stop, wait up to timeout_ms for it to
  // let go, then take the lock.
  Status acquire_stopping_owner(int timeout_ms);

 private:
  pid_t owner() const;
  std::string path_;
  int fd_ = -1;
};

}  // namespace vipa
