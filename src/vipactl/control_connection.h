// vipactl's end of vipad's control socket: one Unix stream connection carrying newline-delimited
// JSON (docs/control-protocol.md). Only framing lives here; what the lines mean is session.h's.
#pragma once

#include <signal.h>

#include <string>

#include "common/result.h"

namespace vipa::vipactl {

class ControlConnection {
 public:
  // The error's errnum is connect()'s errno, so the caller can word "not running" apart from
  // "not allowed".
  static Result<ControlConnection> open(const std::string& path);

  ControlConnection(ControlConnection&& other) noexcept;
  ControlConnection& operator=(ControlConnection&& other) noexcept;
  ControlConnection(const ControlConnection&) = delete;
  ControlConnection& operator=(const ControlConnection&) = delete;
  ~ControlConnection();

  // Writes `line` and the terminating newline.
  Status send_line(const std::string& line);

  // The next line without its newline. timeout_ms < 0 waits for ever. While waiting, the
  // signals in `wait_mask`'s complement are deliverable (ppoll), so a caller that blocks SIGINT
  // elsewhere gets EINTR here without a race. Errors: errnum 0 = vipad closed the connection,
  // ETIMEDOUT, EINTR, EMSGSIZE (line longer than kMaxLine), or the read errno.
  Result<std::string> read_line(int timeout_ms, const sigset_t* wait_mask = nullptr);

  // Large enough for a `routes` answer of a full BGP table on a router.
  static constexpr size_t kMaxLine = 256u << 20;

 private:
  explicit ControlConnection(int fd) : fd_(fd) {}
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace vipa::vipactl
