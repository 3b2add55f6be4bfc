// One child process run from the event loop: fork+execve of an argv (never a shell), stdin
// /dev/null, output captured (bounded) or discarded, killed with its process group at the
// timeout, and reported once through a callback. Used for the routing daemon's commands and
// the exec health checks of Dynamic VIPAs; the loop never waits for it.
#pragma once

#include <sys/types.h>
#include <systemd/sd-event.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vipa {

struct ChildResult {
  bool started = false;  // false: fork/exec failed (error says why)
  bool timed_out = false;
  bool exited = false;  // exited normally (status valid)
  int status = -1;      // exit status, or the signal number when killed
  std::string output;   // stdout+stderr when captured (at most kMaxOutput bytes)
  std::string error;
  bool ok() const { return started && exited && status == 0 && !timed_out; }
  std::string describe() const;  // "exit 1", "killed after 150 ms (timeout)", ...
};

class ChildProcess {
 public:
  using Done = std::function<void(const ChildResult&)>;
  static constexpr size_t kMaxOutput = 4 << 20;

  explicit ChildProcess(sd_event* ev) : ev_(ev) {}
  ~ChildProcess();  // a running child is killed
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts argv (argv[0] a path; a bare name is looked up in the usual system directories).
  // `done` is called from the loop exactly once, also when the start fails (then at once).
  void start(const std::vector<std::string>& argv, uint64_t timeout_usec, bool capture, Done done);
  bool running() const { return pid_ > 0; }

 private:
  void finish(const siginfo_t* si);
  void cleanup_sources();
  static int on_child(sd_event_source* s, const siginfo_t* si, void* self);
  static int on_timeout(sd_event_source* s, uint64_t usec, void* self);
  static int on_output(sd_event_source* s, int fd, uint32_t revents, void* self);

  sd_event* ev_;
  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  sd_event_source *child_ = nullptr, *timer_ = nullptr, *io_ = nullptr;
  ChildResult res_;
  uint64_t timeout_usec_ = 0;
  Done done_;
};

// The same, blocking (vipad --cleanup, which runs outside the loop).
ChildResult run_blocking(const std::vector<std::string>& argv, uint64_t timeout_usec);

// A bare command name resolved in /usr/bin, /usr/sbin, /bin, /sbin, /usr/local/bin.
std::string resolve_command(const std::string& name);

}  // namespace vipa
