#include "vipactl/control_connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace vipa::vipactl {

Result<ControlConnection> ControlConnection::open(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) {
    return Error{ENAMETOOLONG, std::strerror(path.empty() ? ENOENT : ENAMETOOLONG)};
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{errno, std::strerror(errno)};
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) < 0) {
    int e = errno;
    ::close(fd);
    return Error{e, std::strerror(e)};
  }
  return ControlConnection(fd);
}

ControlConnection::ControlConnection(ControlConnection&& other) noexcept
    : fd_(other.fd_), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

ControlConnection& ControlConnection::operator=(ControlConnection&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    buffer_ = std::move(other.buffer_);
    other.fd_ = -1;
  }
  return *this;
}

ControlConnection::~ControlConnection() {
  if (fd_ >= 0) ::close(fd_);
}

Status ControlConnection::send_line(const std::string& line) {
  std::string data = line + "\n";
  size_t done = 0;
  while (done < data.size()) {
    // MSG_NOSIGNAL: a vipad that went away is an error to report, not a SIGPIPE death.
    ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::sys(errno, "sending to vipad");
    }
    done += static_cast<size_t>(n);
  }
  return Ok{};
}

namespace {

long long now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

}  // namespace

Result<std::string> ControlConnection::read_line(int timeout_ms, const sigset_t* wait_mask) {
  long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
  size_t scanned = 0;
  for (;;) {
    if (auto nl = buffer_.find('\n', scanned); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    scanned = buffer_.size();
    if (buffer_.size() > kMaxLine) return Error{EMSGSIZE, "answer from vipad too long"};

    timespec wait{}, *wait_ptr = nullptr;
    if (deadline >= 0) {
      long long left = deadline - now_ms();
      if (left <= 0) return Error{ETIMEDOUT, "no answer from vipad"};
      wait.tv_sec = left / 1000;
      wait.tv_nsec = (left % 1000) * 1000000;
      wait_ptr = &wait;
    }
    pollfd pfd{fd_, POLLIN, 0};
    int r = ::ppoll(&pfd, 1, wait_ptr, wait_mask);
    if (r < 0) {
      if (errno == EINTR) return Error::sys(EINTR, "interrupted");
      return Error::sys(errno, "waiting for vipad");
    }
    if (r == 0) continue;  // the deadline check above reports it
    char chunk[65536];
    ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Error::sys(errno, "reading from vipad");
    }
    if (n == 0) return Error{0, "vipad closed the connection"};
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace vipa::vipactl
