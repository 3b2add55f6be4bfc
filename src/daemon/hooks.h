// `notify = "/path/script"` per VIPA (keepalived's notify scripts): the executable runs on each
// event of that VIPA, directly (no shell: interface names come from the kernel and must never
// be parsed as shell), with stdin /dev/null and a timeout, without ever blocking the loop.
//
// Hooks run one at a time in event order, so a script sees "failover" before the "restore" that
// followed it; a bounded queue holds the rest, and what overflows it is reported, not run.
#pragma once

#include <sys/types.h>
#include <systemd/sd-event.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace vipa {

struct HookEvent {
  std::string event;      // "failover", "restore", "link_down", "link_up", "repair", ...
  std::string vipa;       // "vi0"
  std::string interface;  // "en1", or "" when the event has none
  std::string old_state;  // e.g. "up"
  std::string new_state;  // e.g. "down"
};

// A command name from the config as a path: one with a '/' as it is, a bare one found in the
// usual directories (or left bare when none has it; execve then fails and is reported).
std::string find_command(const std::string& name);

class HookRunner {
 public:
  // Called with one line for each hook that could not run, exited non-zero, was killed by a
  // signal or timed out (and for events dropped from a full queue).
  using Report = std::function<void(const std::string& message)>;
  static constexpr size_t kMaxQueued = 128;
  static constexpr uint64_t kDefaultTimeoutUsec = 10'000'000;

  HookRunner(sd_event* ev, Report report);
  ~HookRunner();
  HookRunner(const HookRunner&) = delete;
  HookRunner& operator=(const HookRunner&) = delete;

  // Runs `path` with argv[0] = path, then `args`, and exactly `env` as its environment (plus
  // PATH when `env` has none).
  void run(const std::string& path, const std::vector<std::string>& args,
           const std::map<std::string, std::string>& env, uint64_t timeout_usec);

  // The VIPA convention: args EVENT VIPA INTERFACE OLD_STATE NEW_STATE, and the same in VIPA,
  // VIPA_EVENT, VIPA_INTERFACE, VIPA_OLD_STATE, VIPA_NEW_STATE.
  void notify(const std::string& path, const HookEvent& e,
              uint64_t timeout_usec = kDefaultTimeoutUsec);

  size_t pending() const { return queue_.size() + (pid_ > 0 ? 1 : 0); }

 private:
  struct Job {
    std::string path;
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    uint64_t timeout_usec = 0;
  };

  void start_next();
  bool spawn(const Job& j);
  void finished(const siginfo_t& si);
  static int on_child(sd_event_source* s, const siginfo_t* si, void* self);
  static int on_timeout(sd_event_source* s, uint64_t usec, void* self);

  sd_event* ev_;
  Report report_;
  std::deque<Job> queue_;
  Job current_;
  pid_t pid_ = -1;
  int exec_err_fd_ = -1;  // read end: the child's errno when execve failed
  bool timed_out_ = false;
  sd_event_source* child_src_ = nullptr;
  sd_event_source* timer_src_ = nullptr;
};

}  // namespace vipa
